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

/// What a write changed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "scope", content = "tags", rename_all = "snake_case")]
pub enum Touched {
    /// Entries carrying one of these tags.
    Tags(Vec<Tag>),
    /// Anything (an import, a change to an object hanging off several others).
    Everything,
}

impl Touched {
    /// What a change to the public object `target`/`id` touches: a film, person or company
    /// exactly (its own pages, and every read that reached one of its kind other than by id);
    /// a film's part, whose links this does not know, everything (see [`Touched::of_part`]).
    pub fn of_change(target: entity::TargetType, id: i64) -> Self {
        use entity::TargetType as T;
        match target {
            T::Film => Touched::Tags(vec![
                Tag::Film(id),
                Tag::AnyFilm,
                Tag::FilmList,
                Tag::Search,
            ]),
            T::Person => Touched::Tags(vec![Tag::Person(id), Tag::AnyPerson, Tag::Search]),
            T::Company => Touched::Tags(vec![Tag::Company(id), Tag::AnyCompany, Tag::Search]),
            _ => Touched::Everything,
        }
    }
}

impl Touched {
    /// What a change to one of a film's parts (a credit, scene, score, trivia question or
    /// company role) touches: each film, person and company it links, before or after the
    /// change — their own pages, the lists and other reads that reach a film (which show its
    /// parts), and, when people or companies are linked, every read reaching one of those kinds
    /// (a person's credits or a company's films may be shown from anywhere). Other films',
    /// people's and companies' own pages stay.
    pub fn of_part(films: &[i64], people: &[i64], companies: &[i64]) -> Self {
        let mut tags = vec![Tag::AnyFilm, Tag::FilmList];
        tags.extend(films.iter().map(|&id| Tag::Film(id)));
        if !people.is_empty() {
            tags.push(Tag::AnyPerson);
            tags.extend(people.iter().map(|&id| Tag::Person(id)));
        }
        if !companies.is_empty() {
            tags.push(Tag::AnyCompany);
            tags.extend(companies.iter().map(|&id| Tag::Company(id)));
        }
        Touched::Tags(tags)
    }
}

/// The tags one request recorded while it ran, or that it read something no tag covers.
#[derive(Debug, Default)]
pub struct Recorder {
    tags: std::sync::Mutex<std::collections::HashSet<Tag>>,
    untracked: std::sync::atomic::AtomicBool,
    cost: std::sync::atomic::AtomicU32,
}

impl Recorder {
    /// Notes that the request read `tag`.
    pub fn record(&self, tag: Tag) {
        if let Ok(mut tags) = self.tags.lock() {
            tags.insert(tag);
        }
    }

    /// Notes that the request read something no tag covers: its answer is not kept.
    pub fn untracked(&self) {
        self.untracked
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Notes what the request was charged against its rate limit (a hit on its answer is
    /// charged the same).
    pub fn note_cost(&self, cost: u32) {
        self.cost.store(cost, std::sync::atomic::Ordering::Relaxed);
    }

    /// What the request was charged (0 when no limit applied).
    pub fn cost(&self) -> u32 {
        self.cost.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The tags recorded, `None` when the answer must not be kept.
    pub fn take(&self) -> Option<Vec<Tag>> {
        if self.untracked.load(std::sync::atomic::Ordering::Relaxed) {
            return None;
        }
        self.tags.lock().ok().map(|mut tags| tags.drain().collect())
    }
}
