//! What a read touched: single objects by id, and the collections whose membership or order a
//! write can change.

/// One thing a cached read depended on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Tag {
    Film(i64),
    Person(i64),
    Company(i64),
    /// Any list of films (by release date, by title…): a change to a film may move it.
    FilmList,
    /// The latest-films list.
    LatestFilms,
    /// Search results.
    Search,
}

/// The tags one request recorded while it ran.
#[derive(Debug, Default)]
pub struct Recorder(std::sync::Mutex<std::collections::HashSet<Tag>>);

impl Recorder {
    /// Notes that the request read `tag`.
    pub fn record(&self, tag: Tag) {
        if let Ok(mut tags) = self.0.lock() {
            tags.insert(tag);
        }
    }

    /// The tags recorded so far.
    pub fn take(&self) -> Vec<Tag> {
        self.0
            .lock()
            .map(|mut tags| tags.drain().collect())
            .unwrap_or_default()
    }
}
