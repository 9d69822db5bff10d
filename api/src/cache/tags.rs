//! What a read touched: single objects by id, and the collections whose membership or order a
//! write can change.

/// One thing a cached read depended on, or a write touched.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tag {
    /// One film and what hangs off it (credits, scenes, scores, trivia, revisions).
    Film(i64),
    /// One person.
    Person(i64),
    /// One company.
    Company(i64),
    /// Some film reached other than by its id (a list, a search, a link from a person).
    AnyFilm,
    /// Some person reached from elsewhere (a film's credits).
    AnyPerson,
    /// Some company reached from elsewhere (a film's companies).
    AnyCompany,
    /// A list of films (by release date, by title…): a change to a film may move it.
    FilmList,
    /// Search results.
    Search,
}

