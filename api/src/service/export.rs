//! Stinger's own export: every film as a [`FilmRecord`] with everything around it, films in slug
//! order (byte order, the same on both engines) and everything inside a record in a fixed order,
//! so two databases holding the same facts export the same bytes and an export imported into an
//! empty database exports again unchanged.
//!
//! Films are read in pages of [`PAGE`] with one batched query per table and page, never one
//! query per film, inside one read transaction so the export is a consistent snapshot.

use crate::service::catalog;
use crate::service::error::{ServiceError, code};
use crate::service::import::record::{
    CompanyRecord, CreditRecord, CreditSceneRecord, FilmCompanyRecord, FilmRecord, PersonRecord,
    ScoreRecord, TriviaRecord,
};
use entity::{company, credit, film, person};
use sea_orm::{
    AccessMode, ActiveEnum, ConnectionTrait, DbBackend, DbErr, EntityTrait, IsolationLevel,
    QuerySelect, TransactionSession, TransactionTrait,
};
use std::collections::{BTreeSet, HashMap};

/// Films per page: a few thousand related rows per batched query.
pub const PAGE: usize = 500;

/// Keys per `IN (…)` list: well inside both engines' bind-parameter limits.
const KEYS_PER_QUERY: usize = 5_000;

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading the database failed.
    #[error("cannot read the films from the database")]
    Db(#[from] DbErr),
    /// The sink refused a record (for the CLI: writing the output failed).
    #[error("cannot write the export")]
    Sink(#[source] std::io::Error),
}

impl ServiceError for ExportError {
    fn code(&self) -> &'static str {
        code::INTERNAL
    }
}

/// Streams every film, in slug order, to `sink`; returns how many films were exported.
#[tracing::instrument(skip_all)]
pub async fn export_films<C, F>(db: &C, mut sink: F) -> Result<usize, ExportError>
where
    C: ConnectionTrait + TransactionTrait,
    F: FnMut(FilmRecord) -> std::io::Result<()>,
{
    // One snapshot for the whole export: PostgreSQL needs REPEATABLE READ for that; a SQLite
    // read transaction is a snapshot already (and takes no isolation level).
    let txn = match db.get_database_backend() {
        DbBackend::Postgres => {
            db.begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await?
        }
        _ => db.begin().await?,
    };
    let mut films: Vec<(i64, String)> = film::Entity::find()
        .select_only()
        .column(film::Column::Id)
        .column(film::Column::Slug)
        .into_tuple()
        .all(&txn)
        .await?;
    // Sorted here rather than by the database: PostgreSQL's collation would not be byte order.
    films.sort_by(|a, b| a.1.cmp(&b.1));
    let slugs: HashMap<i64, String> = films.iter().cloned().collect();

    let mut exported = 0;
    for page in films.chunks(PAGE) {
        let ids: Vec<i64> = page.iter().map(|(id, _)| *id).collect();
        for record in load_page(&txn, &ids, &slugs).await? {
            sink(record).map_err(ExportError::Sink)?;
            exported += 1;
        }
    }
    txn.commit().await?;
    Ok(exported)
}

/// The records of the films `ids` (in that order), with one query per table.
async fn load_page(
    db: &impl ConnectionTrait,
    ids: &[i64],
    slugs: &HashMap<i64, String>,
) -> Result<Vec<FilmRecord>, DbErr> {
    let mut films = catalog::by_ids::<film::Entity>(db, ids).await?;
    let mut genres = catalog::genres_by_films(db, ids).await?;
    let mut credits = catalog::credits_by_films(db, ids).await?;
    let mut links = catalog::company_links_by_films(db, ids).await?;
    let mut scores = catalog::scores_by_films(db, ids).await?;
    let mut trivia = catalog::trivia_by_films(db, ids).await?;
    let mut scenes = catalog::scenes_by_films(db, ids).await?;

    let person_ids: BTreeSet<i64> = credits.values().flatten().map(|c| c.person_id).collect();
    let company_ids: BTreeSet<i64> = links.values().flatten().map(|l| l.company_id).collect();
    let mut people = HashMap::new();
    for chunk in person_ids
        .into_iter()
        .collect::<Vec<_>>()
        .chunks(KEYS_PER_QUERY)
    {
        people.extend(catalog::by_ids::<person::Entity>(db, chunk).await?);
    }
    let mut companies = HashMap::new();
    for chunk in company_ids
        .into_iter()
        .collect::<Vec<_>>()
        .chunks(KEYS_PER_QUERY)
    {
        companies.extend(catalog::by_ids::<company::Entity>(db, chunk).await?);
    }

    let mut records = Vec::with_capacity(ids.len());
    for id in ids {
        // A film deleted since the slugs were read cannot happen inside the snapshot; skip it
        // rather than fail if it ever does.
        let Some(f) = films.remove(id) else { continue };

        let mut film_credits: Vec<CreditRecord> = Vec::new();
        for c in credits.remove(id).unwrap_or_default() {
            let Some(p) = people.get(&c.person_id) else {
                return Err(DbErr::RecordNotFound(format!("person {}", c.person_id)));
            };
            film_credits.push(credit_record(c, p));
        }
        film_credits.sort_by(|a, b| credit_key(a).cmp(&credit_key(b)));

        let mut film_companies: Vec<FilmCompanyRecord> = Vec::new();
        for l in links.remove(id).unwrap_or_default() {
            let Some(c) = companies.get(&l.company_id) else {
                return Err(DbErr::RecordNotFound(format!("company {}", l.company_id)));
            };
            film_companies.push(FilmCompanyRecord {
                company: CompanyRecord {
                    slug: Some(c.slug.clone()),
                    name: c.name.clone(),
                    country: c.country.clone(),
                },
                role: l.role,
            });
        }
        film_companies.sort_by(|a, b| {
            (a.role.to_value(), &a.company.slug).cmp(&(b.role.to_value(), &b.company.slug))
        });

        let mut film_scores: Vec<ScoreRecord> = scores
            .remove(id)
            .unwrap_or_default()
            .into_iter()
            .map(|s| ScoreRecord {
                source: s.source,
                kind: s.kind,
                value: s.value,
                scale: s.scale,
                vote_count: s.vote_count,
                as_of: s.as_of,
                source_url: s.source_url,
            })
            .collect();
        film_scores.sort_by(|a, b| {
            (a.source.to_value(), a.kind.to_value()).cmp(&(b.source.to_value(), b.kind.to_value()))
        });

        // Trivia has no natural key: it keeps the order it was stored in (by id).
        let film_trivia: Vec<TriviaRecord> = trivia
            .remove(id)
            .unwrap_or_default()
            .into_iter()
            .map(|t| TriviaRecord {
                question: t.question,
                answer: t.answer,
                wrong_choices: strings(t.wrong_choices),
                difficulty: t.difficulty,
                spoiler: t.spoiler,
                source: t.source,
            })
            .collect();

        let mut film_scenes: Vec<CreditSceneRecord> = Vec::new();
        for s in scenes.remove(id).unwrap_or_default() {
            let teases_film = match s.teases_film_id {
                Some(teased) => Some(slugs.get(&teased).cloned().ok_or_else(|| {
                    DbErr::RecordNotFound(format!("film {teased} teased by a credit scene"))
                })?),
                None => None,
            };
            film_scenes.push(CreditSceneRecord {
                kind: s.kind,
                position: s.position,
                starts_at_seconds: s.starts_at_seconds,
                length_seconds: s.length_seconds,
                hint: s.hint,
                description: s.description,
                teases_film,
            });
        }
        film_scenes.sort_by_key(|s| s.position);

        let (during, after) = (f.during_credits_confirmed, f.after_credits_confirmed);
        let mut record = FilmRecord {
            slug: Some(f.slug),
            title: f.title,
            original_title: f.original_title,
            release_date: f.release_date,
            runtime_minutes: f.runtime_minutes,
            mpaa_rating: f.mpaa_rating,
            genres: genres.remove(id).unwrap_or_default(),
            tagline: f.tagline,
            synopsis: f.synopsis,
            plot: f.plot,
            credit_scenes_confirmed: false,
            during_credits_confirmed: None,
            after_credits_confirmed: None,
            credits: film_credits,
            companies: film_companies,
            scores: film_scores,
            trivia: film_trivia,
            credit_scenes: film_scenes,
        };
        record.set_scenes_confirmed(during, after);
        records.push(record);
    }
    Ok(records)
}

fn credit_record(c: credit::Model, p: &entity::person::Model) -> CreditRecord {
    CreditRecord {
        person: PersonRecord {
            slug: Some(p.slug.clone()),
            name: p.name.clone(),
            birth_date: p.birth_date,
            biography: p.biography.clone(),
        },
        department: c.department,
        job: c.job,
        character: c.character,
        billing_order: c.billing_order,
    }
}

/// How credits are ordered: unbilled last, billing order, department, person, job, character.
type CreditKey<'a> = (
    bool,
    Option<i32>,
    String,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

/// Billed credits first in billing order, then by department, person, job and character.
fn credit_key(c: &CreditRecord) -> CreditKey<'_> {
    (
        c.billing_order.is_none(),
        c.billing_order,
        c.department.to_value(),
        c.person.slug.as_deref(),
        c.job.as_deref(),
        c.character.as_deref(),
    )
}

/// A JSON array of strings as a vector (anything else in it is left out).
fn strings(value: serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::Array(items) => items
            .into_iter()
            .filter_map(|v| match v {
                serde_json::Value::String(s) => Some(s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}
