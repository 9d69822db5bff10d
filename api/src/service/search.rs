//! Search across films, people and companies, with each engine's full-text machinery over the
//! `search_entry` table (SQLite FTS5, PostgreSQL `tsvector` + GIN). Names are folded in Rust
//! (lower-case ASCII words, accents removed), so "amelie" finds "Amélie" on both engines.
//!
//! Ranking: the exact name first, then names starting with the query, then names containing all
//! its words; ties go to the more prominent object (votes, credits, films), then the shorter name.
//!
//! Every write path that changes a name calls [`reindex`], so the index stays in step.

use crate::text::fold;
use entity::{TargetType, company, credit, film, film_company, person, score, search_entry};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QuerySelect, Statement,
};
use std::collections::HashMap;

/// Rows per statement when rebuilding entries.
const CHUNK: usize = 400;

/// A name reduced to what search compares: lower-case ASCII words separated by one space.
pub fn search_key(name: &str) -> String {
    fold(name)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Rebuilds the entries of the given objects from their tables (removing those that are gone).
pub async fn reindex(
    db: &impl ConnectionTrait,
    target_type: TargetType,
    ids: &[i64],
) -> Result<(), DbErr> {
    for chunk in ids.chunks(CHUNK) {
        let entries: Vec<(i64, String, i64)> = match target_type {
            TargetType::Film => {
                let films: Vec<(i64, String)> = film::Entity::find()
                    .select_only()
                    .columns([film::Column::Id, film::Column::Title])
                    .filter(film::Column::Id.is_in(chunk.iter().copied()))
                    .into_tuple()
                    .all(db)
                    .await?;
                let votes: HashMap<i64, i64> = score::Entity::find()
                    .select_only()
                    .column(score::Column::FilmId)
                    .expr(Func::coalesce::<[Expr; 2], Expr>([
                        Func::max(Expr::col(score::Column::VoteCount)).into(),
                        Expr::val(0i64),
                    ]))
                    .filter(score::Column::FilmId.is_in(chunk.iter().copied()))
                    .group_by(score::Column::FilmId)
                    .into_tuple::<(i64, i64)>()
                    .all(db)
                    .await?
                    .into_iter()
                    .collect();
                films
                    .into_iter()
                    .map(|(id, title)| (id, title, votes.get(&id).copied().unwrap_or(0)))
                    .collect()
            }
            TargetType::Person => {
                let people: Vec<(i64, String)> = person::Entity::find()
                    .select_only()
                    .columns([person::Column::Id, person::Column::Name])
                    .filter(person::Column::Id.is_in(chunk.iter().copied()))
                    .into_tuple()
                    .all(db)
                    .await?;
                let credits = counts(db, credit::Entity, credit::Column::PersonId, chunk).await?;
                people
                    .into_iter()
                    .map(|(id, name)| (id, name, credits.get(&id).copied().unwrap_or(0)))
                    .collect()
            }
            TargetType::Company => {
                let companies: Vec<(i64, String)> = company::Entity::find()
                    .select_only()
                    .columns([company::Column::Id, company::Column::Name])
                    .filter(company::Column::Id.is_in(chunk.iter().copied()))
                    .into_tuple()
                    .all(db)
                    .await?;
                let films = counts(
                    db,
                    film_company::Entity,
                    film_company::Column::CompanyId,
                    chunk,
                )
                .await?;
                companies
                    .into_iter()
                    .map(|(id, name)| (id, name, films.get(&id).copied().unwrap_or(0)))
                    .collect()
            }
            _ => return Ok(()),
        };
        search_entry::Entity::delete_many()
            .filter(search_entry::Column::TargetType.eq(target_type))
            .filter(search_entry::Column::TargetId.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
        let rows: Vec<search_entry::ActiveModel> = entries
            .into_iter()
            .map(|(id, name, weight)| search_entry::ActiveModel {
                id: NotSet,
                target_type: Set(target_type),
                target_id: Set(id),
                folded: Set(search_key(&name)),
                name: Set(name),
                weight: Set(weight),
            })
            .collect();
        if !rows.is_empty() {
            search_entry::Entity::insert_many(rows)
                .exec_without_returning(db)
                .await?;
        }
    }
    Ok(())
}

/// Rows per key in `column` of `entity`, for the keys in `ids`.
async fn counts<E: EntityTrait>(
    db: &impl ConnectionTrait,
    _entity: E,
    column: E::Column,
    ids: &[i64],
) -> Result<HashMap<i64, i64>, DbErr> {
    Ok(E::find()
        .select_only()
        .column(column)
        .expr(Func::count(Expr::col(column)))
        .filter(column.is_in(ids.iter().copied()))
        .group_by(column)
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Longest search text accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most words a search may hold (each is one prefix term of the full-text query).
pub const MAX_QUERY_WORDS: usize = 8;

/// A search text that is too big to run: refused before any database work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryTooBig {
    #[error("the search text is {0} characters long; at most {MAX_QUERY_CHARS} are allowed")]
    TooLong(usize),
    #[error("the search text has {0} words; at most {MAX_QUERY_WORDS} are allowed")]
    TooManyWords(usize),
}

/// Checks a search text against the bounds; returns its key (see [`search_key`]).
pub fn checked_key(query: &str) -> Result<String, QueryTooBig> {
    let chars = query.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(QueryTooBig::TooLong(chars));
    }
    let key = search_key(query);
    let words = key.split(' ').filter(|w| !w.is_empty()).count();
    if words > MAX_QUERY_WORDS {
        return Err(QueryTooBig::TooManyWords(words));
    }
    Ok(key)
}

/// One search hit.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Hit {
    pub target_type: TargetType,
    pub target_id: i64,
}

/// The best `limit` matches for `key` (from [`checked_key`]), best first. An empty key finds
/// nothing.
pub async fn search(db: &impl ConnectionTrait, key: &str, limit: u64) -> Result<Vec<Hit>, DbErr> {
    let key = key.to_owned();
    if key.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let words: Vec<&str> = key.split(' ').collect();
    let backend = db.get_database_backend();
    let (from, matcher) = match backend {
        DbBackend::Postgres => (
            "search_entry e",
            "to_tsvector('simple', e.folded) @@ to_tsquery('simple', $1)",
        ),
        _ => (
            "search_fts JOIN search_entry e ON e.id = search_fts.rowid",
            "search_fts MATCH $1",
        ),
    };
    let terms = match backend {
        DbBackend::Postgres => words
            .iter()
            .map(|w| format!("{w}:*"))
            .collect::<Vec<_>>()
            .join(" & "),
        _ => words
            .iter()
            .map(|w| format!("\"{w}\"*"))
            .collect::<Vec<_>>()
            .join(" "),
    };
    let sql = format!(
        "SELECT e.target_type, e.target_id FROM {from} WHERE {matcher} \
         ORDER BY CASE WHEN e.folded = $2 THEN 0 WHEN e.folded LIKE $3 THEN 1 ELSE 2 END, \
         e.weight DESC, LENGTH(e.folded), e.id LIMIT $4"
    );
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    Hit::find_by_statement(Statement::from_sql_and_values(
        backend,
        sql,
        [
            terms.into(),
            key.clone().into(),
            format!("{key}%").into(),
            limit.into(),
        ],
    ))
    .all(db)
    .await
}

#[cfg(test)]
mod tests {
    use super::search_key;

    #[test]
    fn search_texts_are_bounded() {
        use super::{MAX_QUERY_CHARS, MAX_QUERY_WORDS, QueryTooBig, checked_key};
        assert_eq!(checked_key("Déjà  Vu").unwrap(), "deja vu");
        let words = ["a"; MAX_QUERY_WORDS + 1].join(" ");
        assert_eq!(
            checked_key(&words),
            Err(QueryTooBig::TooManyWords(MAX_QUERY_WORDS + 1))
        );
        let long = "x".repeat(MAX_QUERY_CHARS + 1);
        assert_eq!(
            checked_key(&long),
            Err(QueryTooBig::TooLong(MAX_QUERY_CHARS + 1))
        );
    }

    #[test]
    fn keys_are_folded_words() {
        assert_eq!(search_key("Déjà Vu"), "deja vu");
        assert_eq!(search_key("M. Butterfly"), "m butterfly");
        assert_eq!(
            search_key("  Le Fabuleux destin d'Amélie Poulain "),
            "le fabuleux destin d amelie poulain"
        );
    }
}
