//! Fixture builders: the few films a test needs, described in the test and written through the
//! import service (so people, companies, scores and revisions are stored exactly as real data).
//!
//! ```no_run
//! # async fn example(app: &stinger_tests::TestApp) {
//! use entity::{CompanyRole, ScoreKind, ScoreSource};
//! use stinger_tests::FilmFixture;
//!
//! let film = FilmFixture::new("Alien")
//!     .released("1979-05-25")
//!     .genre("Horror")
//!     .director("Ridley Scott")
//!     .cast("Sigourney Weaver", "Ripley")
//!     .company("20th Century Fox", CompanyRole::Distribution)
//!     .score(ScoreSource::Imdb, ScoreKind::Audience, Some(8.5), 10)
//!     .insert(&app.db)
//!     .await;
//! assert_eq!(film.slug, "alien-1979");
//! # }
//! ```

use entity::{CompanyRole, CreditSceneKind, ScoreKind, ScoreSource};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use stinger_api::service::demo;
use stinger_api::service::import::{self, record::FilmRecord};

/// A film to insert, with the people, companies, scores, trivia and credit scenes around it.
/// Only the title is required; everything else is unknown unless a method sets it.
#[derive(Debug, Clone)]
#[must_use = "a fixture does nothing until it is inserted"]
pub struct FilmFixture {
    /// The record as JSON (Stinger's NDJSON line), so fields the builder does not set keep the
    /// import format's defaults.
    record: Value,
}

impl FilmFixture {
    /// A film titled `title`. Its slug is derived from the title and release year
    /// (`"Alien"` released in 1979 is `alien-1979`) unless [`FilmFixture::slug`] sets one.
    pub fn new(title: &str) -> Self {
        Self {
            record: json!({ "title": title }),
        }
    }

    fn set(mut self, field: &str, value: Value) -> Self {
        self.record[field] = value;
        self
    }

    fn push(mut self, list: &str, item: Value) -> Self {
        match self.record[list].as_array_mut() {
            Some(items) => items.push(item),
            None => self.record[list] = json!([item]),
        }
        self
    }

    /// The slug, instead of the derived one.
    pub fn slug(self, slug: &str) -> Self {
        self.set("slug", json!(slug))
    }

    /// The release date, `YYYY-MM-DD`.
    pub fn released(self, date: &str) -> Self {
        self.set("release_date", json!(date))
    }

    pub fn runtime_minutes(self, minutes: i32) -> Self {
        self.set("runtime_minutes", json!(minutes))
    }

    /// The MPAA rating as written (`"PG-13"`).
    pub fn mpaa_rating(self, rating: &str) -> Self {
        self.set("mpaa_rating", json!(rating))
    }

    /// Adds a genre (in order).
    pub fn genre(self, genre: &str) -> Self {
        self.push("genres", json!(genre))
    }

    pub fn tagline(self, tagline: &str) -> Self {
        self.set("tagline", json!(tagline))
    }

    pub fn synopsis(self, synopsis: &str) -> Self {
        self.set("synopsis", json!(synopsis))
    }

    pub fn plot(self, plot: &str) -> Self {
        self.set("plot", json!(plot))
    }

    /// Credits a director (a person matched by name, created when missing).
    pub fn director(self, name: &str) -> Self {
        self.push(
            "credits",
            json!({"person": {"name": name}, "department": "DIRECTING", "job": "Director"}),
        )
    }

    /// Credits a writer.
    pub fn writer(self, name: &str) -> Self {
        self.push(
            "credits",
            json!({"person": {"name": name}, "department": "WRITING", "job": "Writer"}),
        )
    }

    /// Credits an actor playing `character`, billed after the cast added before.
    pub fn cast(self, name: &str, character: &str) -> Self {
        let billing = self.record["credits"].as_array().map_or(0, |credits| {
            credits.iter().filter(|c| c["department"] == "CAST").count()
        }) + 1;
        self.push(
            "credits",
            json!({"person": {"name": name}, "department": "CAST", "character": character,
                   "billing_order": billing}),
        )
    }

    /// Links a company (matched by name, created when missing) in `role`.
    pub fn company(self, name: &str, role: CompanyRole) -> Self {
        self.push(
            "companies",
            json!({"company": {"name": name}, "role": role}),
        )
    }

    /// Adds a score; `None` is a score the source shows as unknown.
    pub fn score(
        self,
        source: ScoreSource,
        kind: ScoreKind,
        value: Option<f64>,
        scale: i32,
    ) -> Self {
        self.push(
            "scores",
            json!({"source": source, "kind": kind, "value": value, "scale": scale}),
        )
    }

    /// Adds a trivia question.
    pub fn trivia(self, question: &str, answer: &str) -> Self {
        self.push("trivia", json!({"question": question, "answer": answer}))
    }

    /// Adds a credit scene (after those added before) and confirms the film's credit-scene answer.
    pub fn credit_scene(self, kind: CreditSceneKind) -> Self {
        let position = self.record["credit_scenes"].as_array().map_or(0, Vec::len) + 1;
        self.set("credit_scenes_confirmed", json!(true))
            .push("credit_scenes", json!({"kind": kind, "position": position}))
    }

    /// Confirms that the film has no credit scenes (the answer `NO`, where unconfirmed is `UNKNOWN`).
    pub fn no_credit_scenes(self) -> Self {
        self.set("credit_scenes_confirmed", json!(true))
    }

    /// The import record this fixture describes.
    pub fn record(&self) -> FilmRecord {
        serde_json::from_value(self.record.clone())
            .unwrap_or_else(|e| panic!("the fixture {} is not a valid record: {e}", self.record))
    }

    /// Inserts the film (and whatever it names) through the import service; returns it as stored.
    pub async fn insert(self, db: &DatabaseConnection) -> entity::film::Model {
        insert_films(db, [self]).await.remove(0)
    }
}

/// Inserts several films in one import (people and companies they share are created once);
/// returns them as stored, in order. Panics if a slug is taken.
pub async fn insert_films(
    db: &DatabaseConnection,
    films: impl IntoIterator<Item = FilmFixture>,
) -> Vec<entity::film::Model> {
    let records: Vec<FilmRecord> = films.into_iter().map(|f| f.record()).collect();
    import_records(db, records, "test fixtures").await
}

/// M. Butterfly (1993) exactly as the demo data holds it: the film of [`Dataset::MButterfly`](crate::Dataset::MButterfly).
pub async fn m_butterfly(db: &DatabaseConnection) -> entity::film::Model {
    let record = demo::m_butterfly().expect("the embedded fact sheet parses");
    import_records(db, vec![record], "m-butterfly.facts.json")
        .await
        .remove(0)
}

/// Imports `records` as from `source`, each with its slug made explicit so it can be read back.
async fn import_records(
    db: &DatabaseConnection,
    mut records: Vec<FilmRecord>,
    source: &str,
) -> Vec<entity::film::Model> {
    for record in &mut records {
        if record.slug.is_none() {
            let year = record.release_date.map(|d| chrono::Datelike::year(&d));
            record.slug = Some(stinger_api::text::film_slug(&record.title, year));
        }
    }
    let slugs: Vec<String> = records.iter().filter_map(|r| r.slug.clone()).collect();
    let report = import::import_films(db, records, source)
        .await
        .expect("the fixtures import");
    assert_eq!(
        report.films_added,
        slugs.len(),
        "fixture films {slugs:?}: a slug is taken ({report})"
    );
    let mut films = Vec::with_capacity(slugs.len());
    for slug in &slugs {
        let film = entity::film::Entity::find()
            .filter(entity::film::Column::Slug.eq(slug.as_str()))
            .one(db)
            .await
            .expect("the fixture film reads back")
            .unwrap_or_else(|| panic!("the fixture film {slug} was stored"));
        films.push(film);
    }
    films
}
