//! The one import path into public data. Vega movies, fact sheets, Stinger's own NDJSON and the
//! demo data all become [`FilmRecord`]s and go through [`import_films`], which writes them in
//! one transaction with a revision (actor: the system) for every object it creates.
//!
//! Films are identified by slug: a film whose slug already exists is left as it is, so a second
//! import of the same data changes nothing and says so.

pub mod facts;
pub mod ndjson;
pub mod record;
pub mod vega;

use crate::service::editorial::fields::is_score_scale;
use crate::service::revision::creation_diff;
use crate::service::search;
use crate::text::{film_slug, slugify};
use chrono::{Datelike, Utc};
use entity::{
    company, credit, credit_scene, film, film_company, film_genre, person, revision, score, trivia,
};
use record::FilmRecord;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, TransactionSession,
    TransactionTrait,
};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::time::{Duration, Instant};

/// Rows per multi-row INSERT: well inside both engines' bind-parameter limits.
const CHUNK: usize = 400;

/// Why an import failed as a whole (bad records are notes, not errors).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input is not the JSON it should be.
    #[error("the file is not valid JSON for this format: {0}")]
    Json(#[source] serde_json::Error),
    /// The input is well-formed but says something impossible.
    #[error("{0}")]
    Invalid(String),
    /// The database refused the import; nothing was written.
    #[error("the database refused the import")]
    Db(#[from] DbErr),
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

/// Imports films with everything around them, in one transaction. People and companies are
/// matched by slug (created when missing); films already present (by slug) are left unchanged.
#[tracing::instrument(skip_all, fields(records = records.len(), source))]
pub async fn import_films<C>(
    db: &C,
    records: Vec<FilmRecord>,
    source: &str,
) -> Result<ImportReport, ImportError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let started = Instant::now();
    let txn = db.begin().await?;
    let mut report = ImportReport::default();
    let now = Utc::now();
    let reason = format!("Imported from {source}");
    let mut revisions: Vec<revision::ActiveModel> = Vec::new();
    let mut record_revision = |target_type, target_id, snapshot: Value| {
        revisions.push(revision::ActiveModel {
            id: NotSet,
            target_type: Set(target_type),
            target_id: Set(target_id),
            version: Set(1),
            diff: Set(creation_diff(target_type, snapshot)),
            edit_id: Set(None),
            actor_id: Set(None),
            reason: Set(reason.clone()),
            self_reviewed: Set(false),
            created_at: Set(now),
        });
    };

    // Slugs: as given, else from title and year; duplicates within the input get -2, -3, …
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut slugged: Vec<(String, FilmRecord)> = Vec::with_capacity(records.len());
    for record in records {
        let base = record
            .slug
            .clone()
            .unwrap_or_else(|| film_slug(&record.title, record.release_date.map(|d| d.year())));
        let n = seen.entry(base.clone()).or_insert(0);
        *n += 1;
        let slug = if *n == 1 { base } else { format!("{base}-{n}") };
        slugged.push((slug, record));
    }

    let existing = existing_slugs::<film::Entity, _>(
        &txn,
        film::Column::Slug,
        slugged.iter().map(|(s, _)| s.clone()),
    )
    .await?;
    let (present, new): (Vec<_>, Vec<_>) = slugged
        .into_iter()
        .partition(|(slug, _)| existing.contains_key(slug));
    report.films_unchanged = present.len();

    // People and companies: one row per slug, created when missing.
    let mut people: BTreeMap<String, &record::PersonRecord> = BTreeMap::new();
    let mut companies: BTreeMap<String, &record::CompanyRecord> = BTreeMap::new();
    for (_, film) in &new {
        for credit in &film.credits {
            people
                .entry(person_slug(&credit.person))
                .or_insert(&credit.person);
        }
        for link in &film.companies {
            companies
                .entry(company_slug(&link.company))
                .or_insert(&link.company);
        }
    }
    let mut person_ids =
        existing_slugs::<person::Entity, _>(&txn, person::Column::Slug, people.keys().cloned())
            .await?;
    let to_create: Vec<person::ActiveModel> = people
        .iter()
        .filter(|(slug, _)| !person_ids.contains_key(*slug))
        .map(|(slug, p)| person::ActiveModel {
            id: NotSet,
            slug: Set(slug.clone()),
            name: Set(p.name.clone()),
            birth_date: Set(p.birth_date),
            biography: Set(p.biography.clone()),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    for model in insert_chunks(&txn, to_create).await? {
        report.people_added += 1;
        person_ids.insert(model.slug.clone(), model.id);
        record_revision(entity::TargetType::Person, model.id, snapshot(&model));
    }
    let mut company_ids = existing_slugs::<company::Entity, _>(
        &txn,
        company::Column::Slug,
        companies.keys().cloned(),
    )
    .await?;
    let to_create: Vec<company::ActiveModel> = companies
        .iter()
        .filter(|(slug, _)| !company_ids.contains_key(*slug))
        .map(|(slug, c)| company::ActiveModel {
            id: NotSet,
            slug: Set(slug.clone()),
            name: Set(c.name.clone()),
            country: Set(c.country.clone()),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    for model in insert_chunks(&txn, to_create).await? {
        report.companies_added += 1;
        company_ids.insert(model.slug.clone(), model.id);
        record_revision(entity::TargetType::Company, model.id, snapshot(&model));
    }

    // Films.
    let to_create: Vec<film::ActiveModel> = new
        .iter()
        .map(|(slug, f)| film::ActiveModel {
            id: NotSet,
            slug: Set(slug.clone()),
            title: Set(f.title.clone()),
            original_title: Set(f.original_title.clone()),
            release_date: Set(f.release_date),
            runtime_minutes: Set(f.runtime_minutes),
            mpaa_rating: Set(f.mpaa_rating.clone()),
            tagline: Set(f.tagline.clone()),
            synopsis: Set(f.synopsis.clone()),
            plot: Set(f.plot.clone()),
            credit_scenes_confirmed: Set(f.credit_scenes_confirmed),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    let mut film_ids: HashMap<String, i64> = HashMap::new();
    let genres_by_slug: HashMap<&str, &Vec<String>> =
        new.iter().map(|(s, f)| (s.as_str(), &f.genres)).collect();
    for model in insert_chunks(&txn, to_create).await? {
        report.films_added += 1;
        film_ids.insert(model.slug.clone(), model.id);
        let mut snap = snapshot(&model);
        if let (Value::Object(map), Some(genres)) =
            (&mut snap, genres_by_slug.get(model.slug.as_str()))
        {
            map.insert("genres".to_owned(), Value::from((*genres).clone()));
        }
        record_revision(entity::TargetType::Film, model.id, snap);
    }

    // What belongs to each new film.
    let mut genres = Vec::new();
    let mut credits = Vec::new();
    let mut links = Vec::new();
    let mut scores = Vec::new();
    let mut trivia = Vec::new();
    let mut scenes = Vec::new();
    let mut teased_slugs = Vec::new();
    for (slug, f) in &new {
        let Some(&film_id) = film_ids.get(slug) else {
            return Err(ImportError::Invalid(format!("film {slug} was not stored")));
        };
        let mut seen_genres = HashSet::new();
        for (position, genre) in f.genres.iter().enumerate() {
            if seen_genres.insert(genre) {
                genres.push(film_genre::ActiveModel {
                    film_id: Set(film_id),
                    genre: Set(genre.clone()),
                    position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
                });
            }
        }
        for c in &f.credits {
            let person_id = person_ids
                .get(&person_slug(&c.person))
                .copied()
                .ok_or_else(|| {
                    ImportError::Invalid(format!("person {} was not stored", c.person.name))
                })?;
            credits.push(credit::ActiveModel {
                id: NotSet,
                film_id: Set(film_id),
                person_id: Set(person_id),
                department: Set(c.department),
                job: Set(c.job.clone()),
                character: Set(c.character.clone()),
                billing_order: Set(c.billing_order),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            });
        }
        let mut seen_links = HashSet::new();
        for l in &f.companies {
            let company_id = company_ids
                .get(&company_slug(&l.company))
                .copied()
                .ok_or_else(|| {
                    ImportError::Invalid(format!("company {} was not stored", l.company.name))
                })?;
            if seen_links.insert((company_id, l.role)) {
                links.push(film_company::ActiveModel {
                    id: NotSet,
                    film_id: Set(film_id),
                    company_id: Set(company_id),
                    role: Set(l.role),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                });
            }
        }
        for s in &f.scores {
            if !is_score_scale(s.scale.into()) {
                return Err(ImportError::Invalid(format!(
                    "{slug}: score scale {} is neither 10 nor 100",
                    s.scale
                )));
            }
            scores.push(score::ActiveModel {
                id: NotSet,
                film_id: Set(film_id),
                source: Set(s.source),
                kind: Set(s.kind),
                value: Set(s.value),
                scale: Set(s.scale),
                vote_count: Set(s.vote_count),
                as_of: Set(s.as_of),
                source_url: Set(s.source_url.clone()),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            });
        }
        for t in &f.trivia {
            trivia.push(trivia::ActiveModel {
                id: NotSet,
                film_id: Set(film_id),
                question: Set(t.question.clone()),
                answer: Set(t.answer.clone()),
                wrong_choices: Set(Value::from(t.wrong_choices.clone())),
                difficulty: Set(t.difficulty),
                spoiler: Set(t.spoiler),
                source: Set(t.source.clone()),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            });
        }
        for s in &f.credit_scenes {
            teased_slugs.extend(s.teases_film.clone());
            scenes.push((film_id, s));
        }
    }
    let mut teased =
        existing_slugs::<film::Entity, _>(&txn, film::Column::Slug, teased_slugs.into_iter())
            .await?;
    teased.extend(film_ids.iter().map(|(k, v)| (k.clone(), *v)));
    let scenes: Vec<credit_scene::ActiveModel> = scenes
        .into_iter()
        .map(|(film_id, s)| {
            let teases_film_id = match &s.teases_film {
                Some(slug) => Some(teased.get(slug).copied().ok_or_else(|| {
                    ImportError::Invalid(format!(
                        "a credit scene teases {slug}, which does not exist"
                    ))
                })?),
                None => None,
            };
            Ok(credit_scene::ActiveModel {
                id: NotSet,
                film_id: Set(film_id),
                kind: Set(s.kind),
                position: Set(s.position),
                starts_at_seconds: Set(s.starts_at_seconds),
                length_seconds: Set(s.length_seconds),
                hint: Set(s.hint.clone()),
                description: Set(s.description.clone()),
                teases_film_id: Set(teases_film_id),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            })
        })
        .collect::<Result<_, ImportError>>()?;

    for chunk in genres.chunks(CHUNK) {
        film_genre::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    for model in insert_chunks(&txn, credits).await? {
        report.credits_added += 1;
        record_revision(entity::TargetType::Credit, model.id, snapshot(&model));
    }
    for model in insert_chunks(&txn, links).await? {
        report.company_links_added += 1;
        record_revision(entity::TargetType::FilmCompany, model.id, snapshot(&model));
    }
    for model in insert_chunks(&txn, scores).await? {
        report.scores_added += 1;
        record_revision(entity::TargetType::Score, model.id, snapshot(&model));
    }
    for model in insert_chunks(&txn, trivia).await? {
        report.trivia_added += 1;
        record_revision(entity::TargetType::Trivia, model.id, snapshot(&model));
    }
    for model in insert_chunks(&txn, scenes).await? {
        report.credit_scenes_added += 1;
        record_revision(entity::TargetType::CreditScene, model.id, snapshot(&model));
    }
    let ids = |map: &HashMap<String, i64>| map.values().copied().collect::<Vec<_>>();
    search::reindex(&txn, entity::TargetType::Film, &ids(&film_ids)).await?;
    search::reindex(&txn, entity::TargetType::Person, &ids(&person_ids)).await?;
    search::reindex(&txn, entity::TargetType::Company, &ids(&company_ids)).await?;

    report.revisions_written = revisions.len();
    for chunk in revisions.chunks(CHUNK) {
        revision::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    report.elapsed = started.elapsed();
    tracing::info!(
        source,
        films_added = report.films_added,
        films_unchanged = report.films_unchanged,
        "import finished"
    );
    Ok(report)
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

/// Inserts rows in chunks and returns the stored models.
async fn insert_chunks<A, C>(
    db: &C,
    rows: Vec<A>,
) -> Result<Vec<<A::Entity as EntityTrait>::Model>, DbErr>
where
    A: sea_orm::ActiveModelTrait + Clone + Send,
    <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
    C: ConnectionTrait,
{
    let mut stored = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(CHUNK) {
        stored.extend(
            A::Entity::insert_many(chunk.to_vec())
                .exec_with_returning(db)
                .await?,
        );
    }
    Ok(stored)
}

/// Which of `slugs` exist in the entity's table, with their ids.
async fn existing_slugs<E, C>(
    db: &C,
    column: E::Column,
    slugs: impl Iterator<Item = String>,
) -> Result<HashMap<String, i64>, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    use sea_orm::QuerySelect;
    let slugs: Vec<String> = slugs.collect::<HashSet<_>>().into_iter().collect();
    let mut found = HashMap::new();
    for chunk in slugs.chunks(CHUNK) {
        let rows: Vec<(String, i64)> = E::find()
            .select_only()
            .column(column)
            .column_as(
                sea_orm::sea_query::Expr::col(sea_orm::sea_query::Alias::new("id")),
                "id",
            )
            .filter(column.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows);
    }
    Ok(found)
}
