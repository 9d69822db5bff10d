//! The one import path into public data. Vega movies, fact sheets, Stinger's own NDJSON, the
//! demo data and `generate` all become [`FilmRecord`]s and stream through [`import_stream`],
//! which loads them in bulk (see [`bulk`]) in one transaction: all or nothing.
//!
//! What an import records: one `import_run` row (source, counts, start and end) and one
//! creation revision (actor: the system, reason naming the import) per film, person and
//! company it creates. A film's revision covers the rows that came with it (genres, credits,
//! company links, scores, trivia, credit scenes); reverting it deletes the film and those rows.
//!
//! Films are identified by slug: a film whose slug already exists is left as it is, so a second
//! import of the same data changes nothing and says so.

pub mod bulk;
pub mod facts;
pub mod ndjson;
pub mod record;
pub mod vega;

use crate::cache::tags::Touched;
use crate::service::editorial::fields::is_score_scale;
use crate::service::error::{ServiceError, code};
use crate::service::events::{Event, Events};
use crate::service::revision::creation_diff;
use crate::service::search::search_key;
use crate::text::{film_slug, slugify};
use bulk::{BulkWriter, Cell, Rows};
use chrono::{DateTime, Datelike, Utc};
use entity::{TargetType, company, film, person};
use record::{CreditSceneRecord, FilmRecord};
use sea_orm::{ActiveEnum, DatabaseConnection, DbErr};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::time::{Duration, Instant};

/// Films per step of a load: a step's rows are buffered, then written table by table.
const STEP: usize = 1_000;

/// Why an import failed as a whole (bad records are notes, not errors).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input is not the JSON it should be.
    #[error("the file is not valid JSON for this format: {0}")]
    Json(#[source] serde_json::Error),
    /// The input is well-formed but says something impossible.
    #[error("{0}")]
    Invalid(String),
    /// Stinger NDJSON input has bad lines (or could not be read); nothing was written.
    #[error(transparent)]
    Ndjson(#[from] ndjson::NdjsonError),
    /// The database refused the import; nothing was written.
    #[error("the database refused the import")]
    Db(#[from] DbErr),
}

impl ServiceError for ImportError {
    fn code(&self) -> &'static str {
        match self {
            // The input (or reading it) is at fault: the person importing can correct it.
            Self::Json(_) | Self::Invalid(_) | Self::Ndjson(_) => code::BAD_USER_INPUT,
            Self::Db(err) => err.code(),
        }
    }
}

/// What happened to one input record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteKind {
    /// Not imported.
    Skipped,
    /// Imported, but a value looks wrong and is kept as given.
    Doubtful,
    /// Imported with a value repaired.
    Repaired,
}

/// A remark about one input record: its 1-based position, title and what was noticed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Note {
    pub record: usize,
    pub title: String,
    pub kind: NoteKind,
    pub reason: String,
}

impl Note {
    /// A note about record number `record` (1-based).
    pub fn new(record: usize, title: &str, kind: NoteKind, reason: &str) -> Self {
        Self {
            record,
            title: title.to_owned(),
            kind,
            reason: reason.to_owned(),
        }
    }
}

/// What an import did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ImportReport {
    pub films_added: usize,
    /// Films whose slug was already present: left unchanged.
    pub films_unchanged: usize,
    pub people_added: usize,
    pub companies_added: usize,
    pub credits_added: usize,
    pub company_links_added: usize,
    pub scores_added: usize,
    pub trivia_added: usize,
    pub credit_scenes_added: usize,
    pub revisions_written: usize,
    pub notes: Vec<Note>,
    #[serde(skip)]
    pub elapsed: Duration,
}

impl ImportReport {
    /// Records not imported.
    pub fn skipped(&self) -> usize {
        self.count(NoteKind::Skipped)
    }

    /// Distinct records imported with a value that looks wrong.
    pub fn doubtful(&self) -> usize {
        self.count(NoteKind::Doubtful)
    }

    /// Distinct records imported with a repaired value.
    pub fn repaired(&self) -> usize {
        self.count(NoteKind::Repaired)
    }

    fn count(&self, kind: NoteKind) -> usize {
        self.notes
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| n.record)
            .collect::<HashSet<_>>()
            .len()
    }

    /// Did the import change anything?
    pub fn changed_anything(&self) -> bool {
        self.revisions_written > 0
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.changed_anything() {
            return write!(
                f,
                "Nothing to import: all {} films are already present ({} skipped, {} doubtful) in {:.1} s",
                self.films_unchanged,
                self.skipped(),
                self.doubtful(),
                self.elapsed.as_secs_f64()
            );
        }
        write!(
            f,
            "Imported {} films, {} people, {} companies, {} scores ({} skipped, {} doubtful, {} repaired, {} already present) in {:.1} s",
            self.films_added,
            self.people_added,
            self.companies_added,
            self.scores_added,
            self.skipped(),
            self.doubtful(),
            self.repaired(),
            self.films_unchanged,
            self.elapsed.as_secs_f64()
        )
    }
}

/// Imports films with everything around them, in one transaction (see [`import_stream`]).
pub async fn import_films(
    db: &DatabaseConnection,
    records: Vec<FilmRecord>,
    source: &str,
) -> Result<ImportReport, ImportError> {
    import_stream(
        db,
        records.into_iter().map(Ok::<_, ImportError>),
        source,
        &mut |_| {},
    )
    .await
}

/// Imports a stream of films with everything around them, in one transaction, holding only
/// one step of [`STEP`] films (plus the slugs and ids seen so far) in memory. People and
/// companies are matched by slug (created when missing); films already present (by slug) are
/// left unchanged. `progress` hears how many films have been read after each step.
///
/// An error in the stream (a bad line) or in the database rolls everything back, and so does
/// dropping the future (Ctrl-C). An import that would add nothing writes nothing.
#[tracing::instrument(skip_all, fields(source))]
pub async fn import_stream<I, E>(
    db: &DatabaseConnection,
    records: I,
    source: &str,
    progress: &mut dyn FnMut(usize),
) -> Result<ImportReport, ImportError>
where
    I: Iterator<Item = Result<FilmRecord, E>>,
    ImportError: From<E>,
{
    let started = Instant::now();
    let mut writer = BulkWriter::begin(db).await?;
    let now = Utc::now();
    let run_id = writer
        .scalar(
            "INSERT INTO import_run (source, started_at) VALUES ($1, $2) RETURNING id",
            vec![source.into(), now.into()],
        )
        .await?
        .ok_or_else(|| DbErr::Custom("the import run got no id".to_owned()))?;
    let mut load = Load::new(
        writer,
        now,
        format!("Imported from {source} (import {run_id})"),
    );
    let mut records = records.peekable();
    let mut read = 0;
    while records.peek().is_some() {
        let mut step = Vec::with_capacity(STEP);
        for record in records.by_ref().take(STEP) {
            step.push(record?);
        }
        read += step.len();
        load.step(step).await?;
        progress(read);
    }
    load.finish().await?;
    let Load {
        mut writer,
        mut report,
        rows_added,
        ..
    } = load;
    if !report.changed_anything() {
        writer.rollback().await?;
        report.elapsed = started.elapsed();
        return Ok(report);
    }
    writer
        .scalar(
            "UPDATE import_run SET films_added = $1, films_unchanged = $2, people_added = $3, \
             companies_added = $4, rows_added = $5, revisions_written = $6, finished_at = $7 \
             WHERE id = $8 RETURNING id",
            vec![
                count(report.films_added),
                count(report.films_unchanged),
                count(report.people_added),
                count(report.companies_added),
                Cell::Int(rows_added),
                count(report.revisions_written),
                Utc::now().into(),
                run_id.into(),
            ],
        )
        .await?;
    writer.commit().await?;
    bulk::refresh_statistics(db).await?;
    // Every process's read cache drops everything (on PostgreSQL; SQLite processes poll).
    Events::database_only()
        .publish(db, Event::Changed(Touched::Everything))
        .await?;
    report.elapsed = started.elapsed();
    tracing::info!(
        source,
        import = run_id,
        films_added = report.films_added,
        films_unchanged = report.films_unchanged,
        "import finished"
    );
    Ok(report)
}

fn count(n: usize) -> Cell {
    Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// The row buffers of one step, one per table, flushed in an order the foreign keys accept.
struct Tables {
    person: Rows,
    company: Rows,
    film: Rows,
    film_genre: Rows,
    credit: Rows,
    film_company: Rows,
    score: Rows,
    trivia: Rows,
    credit_scene: Rows,
    search_entry: Rows,
    revision: Rows,
}

impl Tables {
    fn new() -> Self {
        Self {
            person: Rows::new(
                "person",
                &[
                    "id",
                    "slug",
                    "name",
                    "birth_date",
                    "biography",
                    "version",
                    "created_at",
                    "updated_at",
                ],
            ),
            company: Rows::new(
                "company",
                &[
                    "id",
                    "slug",
                    "name",
                    "country",
                    "version",
                    "created_at",
                    "updated_at",
                ],
            ),
            film: Rows::new(
                "film",
                &[
                    "id",
                    "slug",
                    "title",
                    "original_title",
                    "release_date",
                    "runtime_minutes",
                    "mpaa_rating",
                    "tagline",
                    "synopsis",
                    "plot",
                    "during_credits_confirmed",
                    "after_credits_confirmed",
                    "version",
                    "created_at",
                    "updated_at",
                ],
            ),
            film_genre: Rows::new("film_genre", &["film_id", "genre", "position"]),
            credit: Rows::new(
                "credit",
                &[
                    "film_id",
                    "person_id",
                    "department",
                    "job",
                    "character",
                    "billing_order",
                    "version",
                    "created_at",
                    "updated_at",
                ],
            ),
            film_company: Rows::new(
                "film_company",
                &[
                    "film_id",
                    "company_id",
                    "role",
                    "version",
                    "created_at",
                    "updated_at",
                ],
            ),
            score: Rows::new(
                "score",
                &[
                    "film_id",
                    "source",
                    "kind",
                    "value",
                    "scale",
                    "vote_count",
                    "as_of",
                    "source_url",
                    "version",
                    "created_at",
                    "updated_at",
                ],
            ),
            trivia: Rows::new(
                "trivia",
                &[
                    "film_id",
                    "question",
                    "answer",
                    "wrong_choices",
                    "difficulty",
                    "spoiler",
                    "source",
                    "version",
                    "created_at",
                    "updated_at",
                ],
            ),
            credit_scene: Rows::new(
                "credit_scene",
                &[
                    "film_id",
                    "kind",
                    "position",
                    "starts_at_seconds",
                    "length_seconds",
                    "hint",
                    "description",
                    "teases_film_id",
                    "version",
                    "created_at",
                    "updated_at",
                ],
            ),
            search_entry: Rows::new(
                "search_entry",
                &["target_type", "target_id", "name", "folded", "weight"],
            ),
            revision: Rows::new(
                "revision",
                &[
                    "target_type",
                    "target_id",
                    "version",
                    "diff",
                    "edit_id",
                    "actor_id",
                    "reason",
                    "self_reviewed",
                    "created_at",
                ],
            ),
        }
    }

    /// Rows buffered in all tables.
    fn len(&self) -> usize {
        self.all().iter().map(|rows| rows.len()).sum()
    }

    fn all(&self) -> [&Rows; 11] {
        [
            &self.person,
            &self.company,
            &self.film,
            &self.film_genre,
            &self.credit,
            &self.film_company,
            &self.score,
            &self.trivia,
            &self.credit_scene,
            &self.search_entry,
            &self.revision,
        ]
    }

    /// Writes every buffer, parents before children.
    async fn flush(&mut self, writer: &mut BulkWriter) -> Result<(), DbErr> {
        for rows in [
            &mut self.person,
            &mut self.company,
            &mut self.film,
            &mut self.film_genre,
            &mut self.credit,
            &mut self.film_company,
            &mut self.score,
            &mut self.trivia,
            &mut self.credit_scene,
            &mut self.search_entry,
            &mut self.revision,
        ] {
            writer.write(rows).await?;
        }
        Ok(())
    }
}

/// A load in progress: its transaction, what it has met so far and what it has added.
struct Load {
    writer: BulkWriter,
    now: DateTime<Utc>,
    reason: String,
    report: ImportReport,
    rows_added: i64,
    tables: Tables,
    /// How often each base slug was met in the input, for the `-2`, `-3`, … of duplicates.
    seen_slugs: HashMap<String, usize>,
    /// Films this load created, by slug (for credit scenes teasing them).
    film_ids: HashMap<String, i64>,
    /// Every person met, by slug (existing or created).
    person_ids: HashMap<String, i64>,
    company_ids: HashMap<String, i64>,
    /// People and companies this load created: name and how many credits or films.
    new_people: HashMap<i64, (String, i64)>,
    new_companies: HashMap<i64, (String, i64)>,
    /// Existing people and companies this load gave credits or films (their search weight moves).
    touched_people: HashSet<i64>,
    touched_companies: HashSet<i64>,
    /// Credit scenes teasing a film, written once every film of the input exists.
    teasing: Vec<(i64, CreditSceneRecord)>,
}

impl Load {
    fn new(writer: BulkWriter, now: DateTime<Utc>, reason: String) -> Self {
        Self {
            writer,
            now,
            reason,
            report: ImportReport::default(),
            rows_added: 0,
            tables: Tables::new(),
            seen_slugs: HashMap::new(),
            film_ids: HashMap::new(),
            person_ids: HashMap::new(),
            company_ids: HashMap::new(),
            new_people: HashMap::new(),
            new_companies: HashMap::new(),
            touched_people: HashSet::new(),
            touched_companies: HashSet::new(),
            teasing: Vec::new(),
        }
    }

    /// A creation revision of `target`, from its stored state.
    fn revision(&mut self, target_type: TargetType, target_id: i64, snapshot: Value) {
        let diff = creation_diff(target_type, snapshot);
        self.tables.revision.push([
            target_type.to_value().into(),
            target_id.into(),
            1i32.into(),
            Cell::Json(diff.to_string()),
            Cell::Null,
            Cell::Null,
            self.reason.as_str().into(),
            false.into(),
            self.now.into(),
        ]);
        self.report.revisions_written += 1;
    }

    fn search_entry(&mut self, target_type: TargetType, target_id: i64, name: &str, weight: i64) {
        self.tables.search_entry.push([
            target_type.to_value().into(),
            target_id.into(),
            name.into(),
            search_key(name).into(),
            weight.into(),
        ]);
    }

    /// Loads one step of films.
    async fn step(&mut self, records: Vec<FilmRecord>) -> Result<(), ImportError> {
        let now = self.now;
        // Slugs: as given, else from title and year; duplicates within the input get -2, -3, …
        let mut slugged = Vec::with_capacity(records.len());
        for record in records {
            let base = record
                .slug
                .clone()
                .unwrap_or_else(|| film_slug(&record.title, record.release_date.map(|d| d.year())));
            let n = self.seen_slugs.entry(base.clone()).or_insert(0);
            *n += 1;
            let slug = if *n == 1 { base } else { format!("{base}-{n}") };
            slugged.push((slug, record));
        }
        let slugs: Vec<String> = slugged.iter().map(|(slug, _)| slug.clone()).collect();
        let existing = self.writer.existing_slugs("film", &slugs).await?;
        let new: Vec<(String, FilmRecord)> = slugged
            .into_iter()
            .filter(|(slug, _)| !existing.contains_key(slug))
            .collect();
        self.report.films_unchanged += slugs.len() - new.len();

        self.add_people(&new).await?;
        self.add_companies(&new).await?;

        let ids = self.writer.allocate_ids("film", new.len()).await?;
        for ((slug, f), film_id) in new.into_iter().zip(ids) {
            self.add_film(slug, f, film_id, now)?;
        }
        self.rows_added += i64::try_from(self.tables.len()).unwrap_or(i64::MAX);
        self.tables.flush(&mut self.writer).await?;
        Ok(())
    }

    /// Creates the people the films name that are neither known to this load nor stored.
    async fn add_people(&mut self, films: &[(String, FilmRecord)]) -> Result<(), ImportError> {
        let mut wanted: Vec<&record::PersonRecord> = Vec::new();
        let mut wanted_slugs = HashSet::new();
        for (_, film) in films {
            for credit in &film.credits {
                let slug = person_slug(&credit.person);
                if !self.person_ids.contains_key(&slug) && wanted_slugs.insert(slug) {
                    wanted.push(&credit.person);
                }
            }
        }
        let slugs: Vec<String> = wanted.iter().map(|p| person_slug(p)).collect();
        let stored = self.writer.existing_slugs("person", &slugs).await?;
        self.touched_people.extend(stored.values().copied());
        self.person_ids.extend(stored);
        let to_create: Vec<(String, &record::PersonRecord)> = slugs
            .into_iter()
            .zip(wanted)
            .filter(|(slug, _)| !self.person_ids.contains_key(slug))
            .collect();
        let ids = self.writer.allocate_ids("person", to_create.len()).await?;
        for ((slug, p), id) in to_create.into_iter().zip(ids) {
            let model = person::Model {
                id,
                slug: slug.clone(),
                name: p.name.clone(),
                birth_date: p.birth_date,
                biography: p.biography.clone(),
                version: 1,
                created_at: self.now,
                updated_at: self.now,
            };
            self.tables.person.push([
                id.into(),
                slug.as_str().into(),
                p.name.as_str().into(),
                p.birth_date.into(),
                p.biography.clone().into(),
                1i32.into(),
                self.now.into(),
                self.now.into(),
            ]);
            self.revision(TargetType::Person, id, snapshot(&model));
            self.report.people_added += 1;
            self.new_people.insert(id, (p.name.clone(), 0));
            self.person_ids.insert(slug, id);
        }
        Ok(())
    }

    /// Creates the companies the films name that are neither known to this load nor stored.
    async fn add_companies(&mut self, films: &[(String, FilmRecord)]) -> Result<(), ImportError> {
        let mut wanted: Vec<&record::CompanyRecord> = Vec::new();
        let mut wanted_slugs = HashSet::new();
        for (_, film) in films {
            for link in &film.companies {
                let slug = company_slug(&link.company);
                if !self.company_ids.contains_key(&slug) && wanted_slugs.insert(slug) {
                    wanted.push(&link.company);
                }
            }
        }
        let slugs: Vec<String> = wanted.iter().map(|c| company_slug(c)).collect();
        let stored = self.writer.existing_slugs("company", &slugs).await?;
        self.touched_companies.extend(stored.values().copied());
        self.company_ids.extend(stored);
        let to_create: Vec<(String, &record::CompanyRecord)> = slugs
            .into_iter()
            .zip(wanted)
            .filter(|(slug, _)| !self.company_ids.contains_key(slug))
            .collect();
        let ids = self.writer.allocate_ids("company", to_create.len()).await?;
        for ((slug, c), id) in to_create.into_iter().zip(ids) {
            let model = company::Model {
                id,
                slug: slug.clone(),
                name: c.name.clone(),
                country: c.country.clone(),
                version: 1,
                created_at: self.now,
                updated_at: self.now,
            };
            self.tables.company.push([
                id.into(),
                slug.as_str().into(),
                c.name.as_str().into(),
                c.country.clone().into(),
                1i32.into(),
                self.now.into(),
                self.now.into(),
            ]);
            self.revision(TargetType::Company, id, snapshot(&model));
            self.report.companies_added += 1;
            self.new_companies.insert(id, (c.name.clone(), 0));
            self.company_ids.insert(slug, id);
        }
        Ok(())
    }

    /// Buffers one new film with everything that belongs to it.
    fn add_film(
        &mut self,
        slug: String,
        f: FilmRecord,
        film_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), ImportError> {
        let (during_confirmed, after_confirmed) = f.scenes_confirmed();
        let model = film::Model {
            id: film_id,
            slug: slug.clone(),
            title: f.title.clone(),
            original_title: f.original_title.clone(),
            release_date: f.release_date,
            runtime_minutes: f.runtime_minutes,
            mpaa_rating: f.mpaa_rating.clone(),
            tagline: f.tagline.clone(),
            synopsis: f.synopsis.clone(),
            plot: f.plot.clone(),
            during_credits_confirmed: during_confirmed,
            after_credits_confirmed: after_confirmed,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        self.tables.film.push([
            film_id.into(),
            slug.as_str().into(),
            f.title.as_str().into(),
            f.original_title.clone().into(),
            f.release_date.into(),
            f.runtime_minutes.into(),
            f.mpaa_rating.clone().into(),
            f.tagline.clone().into(),
            f.synopsis.clone().into(),
            f.plot.clone().into(),
            during_confirmed.into(),
            after_confirmed.into(),
            1i32.into(),
            now.into(),
            now.into(),
        ]);
        let mut snap = snapshot(&model);
        if let Value::Object(map) = &mut snap {
            map.insert("genres".to_owned(), Value::from(f.genres.clone()));
        }
        self.revision(TargetType::Film, film_id, snap);
        let weight = f
            .scores
            .iter()
            .filter_map(|s| s.vote_count)
            .max()
            .unwrap_or(0);
        self.search_entry(TargetType::Film, film_id, &f.title, weight);
        self.report.films_added += 1;

        let mut seen_genres = HashSet::new();
        for (position, genre) in f.genres.iter().enumerate() {
            if seen_genres.insert(genre) {
                self.tables.film_genre.push([
                    film_id.into(),
                    genre.as_str().into(),
                    i32::try_from(position).unwrap_or(i32::MAX).into(),
                ]);
            }
        }
        for c in &f.credits {
            let person_id = self
                .person_ids
                .get(&person_slug(&c.person))
                .copied()
                .ok_or_else(|| {
                    ImportError::Invalid(format!("person {} was not stored", c.person.name))
                })?;
            match self.new_people.get_mut(&person_id) {
                Some((_, credits)) => *credits += 1,
                None => {
                    self.touched_people.insert(person_id);
                }
            }
            self.tables.credit.push([
                film_id.into(),
                person_id.into(),
                c.department.to_value().into(),
                c.job.clone().into(),
                c.character.clone().into(),
                c.billing_order.into(),
                1i32.into(),
                now.into(),
                now.into(),
            ]);
            self.report.credits_added += 1;
        }
        let mut seen_links = HashSet::new();
        for l in &f.companies {
            let company_id = self
                .company_ids
                .get(&company_slug(&l.company))
                .copied()
                .ok_or_else(|| {
                    ImportError::Invalid(format!("company {} was not stored", l.company.name))
                })?;
            if !seen_links.insert((company_id, l.role)) {
                continue;
            }
            match self.new_companies.get_mut(&company_id) {
                Some((_, films)) => *films += 1,
                None => {
                    self.touched_companies.insert(company_id);
                }
            }
            self.tables.film_company.push([
                film_id.into(),
                company_id.into(),
                l.role.to_value().into(),
                1i32.into(),
                now.into(),
                now.into(),
            ]);
            self.report.company_links_added += 1;
        }
        for s in &f.scores {
            if !is_score_scale(s.scale.into()) {
                return Err(ImportError::Invalid(format!(
                    "{slug}: score scale {} is neither 10 nor 100",
                    s.scale
                )));
            }
            self.tables.score.push([
                film_id.into(),
                s.source.to_value().into(),
                s.kind.to_value().into(),
                s.value.into(),
                s.scale.into(),
                s.vote_count.into(),
                s.as_of.into(),
                s.source_url.clone().into(),
                1i32.into(),
                now.into(),
                now.into(),
            ]);
            self.report.scores_added += 1;
        }
        for t in &f.trivia {
            self.tables.trivia.push([
                film_id.into(),
                t.question.as_str().into(),
                t.answer.as_str().into(),
                Cell::Json(Value::from(t.wrong_choices.clone()).to_string()),
                t.difficulty.into(),
                t.spoiler.into(),
                t.source.clone().into(),
                1i32.into(),
                now.into(),
                now.into(),
            ]);
            self.report.trivia_added += 1;
        }
        let FilmRecord { credit_scenes, .. } = f;
        for scene in credit_scenes {
            if scene.teases_film.is_some() {
                self.teasing.push((film_id, scene));
            } else {
                self.scene(film_id, &scene, None);
            }
        }
        self.film_ids.insert(slug, film_id);
        Ok(())
    }

    fn scene(&mut self, film_id: i64, s: &CreditSceneRecord, teases_film_id: Option<i64>) {
        self.tables.credit_scene.push([
            film_id.into(),
            s.kind.to_value().into(),
            s.position.into(),
            s.starts_at_seconds.into(),
            s.length_seconds.into(),
            s.hint.clone().into(),
            s.description.clone().into(),
            teases_film_id.into(),
            1i32.into(),
            self.now.into(),
            self.now.into(),
        ]);
        self.report.credit_scenes_added += 1;
    }

    /// After the last step: credit scenes teasing films, the search entries of new people and
    /// companies, and the search weights of existing ones given credits or films.
    async fn finish(&mut self) -> Result<(), ImportError> {
        let teasing = std::mem::take(&mut self.teasing);
        let unknown: Vec<String> = teasing
            .iter()
            .filter_map(|(_, s)| s.teases_film.clone())
            .filter(|slug| !self.film_ids.contains_key(slug))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let stored = self.writer.existing_slugs("film", &unknown).await?;
        for (film_id, scene) in &teasing {
            let slug = scene.teases_film.as_deref().unwrap_or_default();
            let teased = self
                .film_ids
                .get(slug)
                .or_else(|| stored.get(slug))
                .copied()
                .ok_or_else(|| {
                    ImportError::Invalid(format!(
                        "a credit scene teases {slug}, which does not exist"
                    ))
                })?;
            self.scene(*film_id, scene, Some(teased));
        }
        for (id, (name, weight)) in std::mem::take(&mut self.new_people) {
            self.search_entry(TargetType::Person, id, &name, weight);
        }
        for (id, (name, weight)) in std::mem::take(&mut self.new_companies) {
            self.search_entry(TargetType::Company, id, &name, weight);
        }
        self.rows_added += i64::try_from(self.tables.len()).unwrap_or(i64::MAX);
        self.tables.flush(&mut self.writer).await?;

        let people: Vec<i64> = self.touched_people.iter().copied().collect();
        if !people.is_empty() {
            self.writer
                .execute_for_ids(
                    "UPDATE search_entry SET weight = \
                     (SELECT COUNT(*) FROM credit c WHERE c.person_id = search_entry.target_id) \
                     WHERE target_type = 'PERSON' AND target_id IN ({ids})",
                    &people,
                )
                .await?;
        }
        let companies: Vec<i64> = self.touched_companies.iter().copied().collect();
        if !companies.is_empty() {
            self.writer
                .execute_for_ids(
                    "UPDATE search_entry SET weight = \
                     (SELECT COUNT(*) FROM film_company l WHERE l.company_id = search_entry.target_id) \
                     WHERE target_type = 'COMPANY' AND target_id IN ({ids})",
                    &companies,
                )
                .await?;
        }
        Ok(())
    }
}

/// The slug a person record stands for.
pub fn person_slug(person: &record::PersonRecord) -> String {
    person.slug.clone().unwrap_or_else(|| slugify(&person.name))
}

/// The slug a company record stands for.
pub fn company_slug(company: &record::CompanyRecord) -> String {
    company
        .slug
        .clone()
        .unwrap_or_else(|| slugify(&company.name))
}

/// A model as JSON, for revisions.
fn snapshot<M: serde::Serialize>(model: &M) -> Value {
    serde_json::to_value(model).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_errors_are_the_inputs_fault_unless_the_database_failed() {
        assert_eq!(
            ImportError::Invalid("no title".into()).code(),
            code::BAD_USER_INPUT
        );
        assert_eq!(
            ImportError::Ndjson(ndjson::NdjsonError::BadLines(Vec::new())).code(),
            code::BAD_USER_INPUT
        );
        assert_eq!(
            ImportError::Db(DbErr::Custom("down".into())).code(),
            code::INTERNAL
        );
    }
}
