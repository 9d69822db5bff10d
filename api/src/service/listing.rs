//! Filtered, ordered, keyset-paginated lists of films, people and companies.
//!
//! Statements are built with SeaQuery, which writes each engine's SQL (`EXISTS`, `NULLS LAST`,
//! parameters) from one description.
//! Keyset pagination: the cursor carries the last row's sort value and id; rows with no sort
//! value (unknown release date or score) come last in both directions.

use super::error::{ServiceError, code};
use super::scenes::{SceneAnswer, SceneQuestion};
use chrono::NaiveDate;
use entity::{
    ScoreKind, ScoreSource, TargetType, company, film, film_genre, person, score, search_entry,
};
use sea_orm::sea_query::{
    Alias, Asterisk, Cond, Expr, ExprTrait, Func, Iden, NullOrdering, Order, Query,
};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult};
use serde::{Deserialize, Serialize};

/// What a film list keeps. Every field narrows the list; `None` does not filter.
#[derive(Debug, Clone, Default)]
pub struct FilmFilter {
    /// Words the title contains (case- and accent-insensitive).
    pub title: Option<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    /// Released on or before this day.
    pub released_by: Option<NaiveDate>,
    pub genre: Option<String>,
    pub mpaa_rating: Option<String>,
    /// The answer to "any scene during or after the credits?".
    pub credit_scenes: Option<SceneAnswer>,
    /// The answer to "a scene during the credits?".
    pub during_credits: Option<SceneAnswer>,
    /// The answer to "a scene after the credits?".
    pub after_credits: Option<SceneAnswer>,
    /// Only films with a known score from this source (and at least `min_score` if given).
    pub score_source: Option<ScoreSource>,
    /// Only films with a known score of at least this, on 0–100 (from `score_source` if given).
    pub min_score: Option<f64>,
}

/// How a film list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FilmSort {
    ReleaseDate,
    Title,
    /// The normalised score of one source and kind.
    Score(ScoreSource, ScoreKind),
}

/// A sort and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilmOrder {
    pub sort: FilmSort,
    pub descending: bool,
}

impl Default for FilmOrder {
    fn default() -> Self {
        Self {
            sort: FilmSort::Title,
            descending: false,
        }
    }
}

/// Where the previous page ended: the sort it was made with, the last sort value and id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Keyset {
    pub sort: String,
    pub value: Option<serde_json::Value>,
    pub id: i64,
}

/// A list request that cannot be answered as asked.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// The cursor was made by another list or ordering.
    #[error("`after` is a cursor of another list or ordering")]
    ForeignCursor,
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl ServiceError for ListError {
    fn code(&self) -> &'static str {
        match self {
            Self::ForeignCursor => code::BAD_USER_INPUT,
            Self::Db(err) => err.code(),
        }
    }
}

/// "The row of `table` has a search entry whose folded name contains these words", through
/// the search index; `None` when the words fold to nothing (no filter).
fn name_contains(
    target_type: TargetType,
    table: impl Iden + Copy + 'static,
    words: &str,
) -> Option<Expr> {
    let key = super::search::search_key(words);
    if key.is_empty() {
        return None;
    }
    Some(Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(search_entry::Entity)
            .and_where(search_entry::Column::TargetType.eq(target_type))
            .and_where(
                Expr::col((search_entry::Entity, search_entry::Column::TargetId))
                    .equals((table, Alias::new("id"))),
            )
            .and_where(search_entry::Column::Folded.like(format!("%{key}%")))
            .to_owned(),
    ))
}

/// Rows of `table` whose `film_id` is the listed film's.
fn of_this_film(table: impl Iden + Copy + 'static) -> Expr {
    Expr::col((table, Alias::new("film_id"))).equals((film::Entity, film::Column::Id))
}

/// The conditions of a film filter, all of which must hold.
fn film_conditions(filter: &FilmFilter) -> Cond {
    let mut conditions = Cond::all();
    if let Some(title) = &filter.title {
        conditions = conditions.add_option(name_contains(TargetType::Film, film::Entity, title));
    }
    let released = || Expr::col((film::Entity, film::Column::ReleaseDate));
    if let Some(from) = filter
        .year_from
        .and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1))
    {
        conditions = conditions.add(released().gte(from));
    }
    if let Some(to) = filter
        .year_to
        .and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31))
    {
        conditions = conditions.add(released().lte(to));
    }
    if let Some(day) = filter.released_by {
        conditions = conditions.add(released().lte(day));
    }
    if let Some(genre) = &filter.genre {
        conditions = conditions.add(Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(film_genre::Entity)
                .and_where(of_this_film(film_genre::Entity))
                .and_where(
                    Expr::expr(Func::lower(Expr::col((
                        film_genre::Entity,
                        film_genre::Column::Genre,
                    ))))
                    .eq(genre.to_lowercase()),
                )
                .to_owned(),
        ));
    }
    if let Some(rating) = &filter.mpaa_rating {
        conditions = conditions.add(
            Expr::expr(Func::upper(Expr::col((
                film::Entity,
                film::Column::MpaaRating,
            ))))
            .eq(rating.to_uppercase()),
        );
    }
    for (question, answer) in [
        (SceneQuestion::Any, filter.credit_scenes),
        (SceneQuestion::DuringCredits, filter.during_credits),
        (SceneQuestion::AfterCredits, filter.after_credits),
    ] {
        if let Some(answer) = answer {
            conditions = conditions.add(question.condition(answer));
        }
    }
    if filter.score_source.is_some() || filter.min_score.is_some() {
        let mut known = Query::select();
        known
            .expr(Expr::val(1))
            .from(score::Entity)
            .and_where(of_this_film(score::Entity))
            .and_where(score::Column::Value.is_not_null());
        if let Some(source) = filter.score_source {
            known.and_where(score::Column::Source.eq(source));
        }
        if let Some(min) = filter.min_score {
            known.and_where(normalized_score().gte(min));
        }
        conditions = conditions.add(Expr::exists(known.to_owned()));
    }
    conditions
}

/// A score on 0–100.
fn normalized_score() -> Expr {
    Expr::col((score::Entity, score::Column::Value))
        .mul(100.0)
        .div(Expr::col((score::Entity, score::Column::Scale)))
}

/// Does the filter keep only films with a release date? Then a date order needs no rule for
/// unknown dates, and PostgreSQL can walk the release-date index instead of sorting the table.
fn dated_only(filter: &FilmFilter) -> bool {
    filter.year_from.is_some() || filter.year_to.is_some() || filter.released_by.is_some()
}

/// The expression a sort orders by, and its cursor name.
fn sort_key(sort: FilmSort) -> (Expr, String) {
    match sort {
        FilmSort::ReleaseDate => (
            Expr::col((film::Entity, film::Column::ReleaseDate)),
            "RELEASE_DATE".to_owned(),
        ),
        FilmSort::Title => (
            Expr::col((film::Entity, film::Column::Title)),
            "TITLE".to_owned(),
        ),
        FilmSort::Score(source, kind) => (
            Expr::from(
                Query::select()
                    .expr(normalized_score())
                    .from(score::Entity)
                    .and_where(of_this_film(score::Entity))
                    .and_where(score::Column::Source.eq(source))
                    .and_where(score::Column::Kind.eq(kind))
                    .to_owned(),
            ),
            format!("SCORE:{}:{}", source.to_value(), kind.to_value()),
        ),
    }
}

/// The sort value of a film, as it goes into a cursor.
pub fn sort_value(
    film: &film::Model,
    sort: FilmSort,
    score: Option<f64>,
) -> Option<serde_json::Value> {
    match sort {
        FilmSort::ReleaseDate => film
            .release_date
            .map(|d| serde_json::Value::from(d.format("%Y-%m-%d").to_string())),
        FilmSort::Title => Some(serde_json::Value::from(film.title.clone())),
        FilmSort::Score(..) => score.map(serde_json::Value::from),
    }
}

/// A film row with its sort value (for scores, computed in SQL).
#[derive(Debug, FromQueryResult)]
struct SortScore {
    sort_score: Option<f64>,
}

/// One page of films: `limit` rows after `after`, plus each row's cursor. Rows without a sort
/// value (unknown release date or score) come last in both directions.
pub async fn films(
    db: &impl ConnectionTrait,
    filter: &FilmFilter,
    order: FilmOrder,
    after: Option<&Keyset>,
    limit: u64,
) -> Result<Vec<(film::Model, Keyset)>, ListError> {
    let (key, sort_name) = sort_key(order.sort);
    let nullable = match order.sort {
        FilmSort::ReleaseDate => !dated_only(filter),
        FilmSort::Title => false,
        FilmSort::Score(..) => true,
    };
    let direction = if order.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let beyond = |left: Expr, right: Expr| {
        if order.descending {
            left.lt(right)
        } else {
            left.gt(right)
        }
    };
    let id = || Expr::col((film::Entity, film::Column::Id));
    let mut select = Query::select();
    select
        .column((film::Entity, Asterisk))
        .from(film::Entity)
        .cond_where(film_conditions(filter));
    if matches!(order.sort, FilmSort::Score(..)) {
        select.expr_as(key.clone(), Alias::new("sort_score"));
    }
    if let Some(after) = after {
        if after.sort != sort_name {
            return Err(ListError::ForeignCursor);
        }
        let after_id = Expr::val(after.id);
        let condition = match &after.value {
            None => Cond::all()
                .add(key.clone().is_null())
                .add(beyond(id(), after_id)),
            Some(value) => {
                let value: Expr = match order.sort {
                    FilmSort::ReleaseDate => Expr::val(
                        value
                            .as_str()
                            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                            .ok_or(ListError::ForeignCursor)?,
                    ),
                    FilmSort::Title => {
                        Expr::val(value.as_str().ok_or(ListError::ForeignCursor)?.to_owned())
                    }
                    FilmSort::Score(..) => {
                        Expr::val(value.as_f64().ok_or(ListError::ForeignCursor)?)
                    }
                };
                let mut later = Cond::any()
                    .add(beyond(key.clone(), value.clone()))
                    .add(key.clone().eq(value).and(beyond(id(), after_id)));
                if nullable {
                    later = later.add(key.clone().is_null());
                }
                later
            }
        };
        select.cond_where(condition);
    }
    if nullable {
        select.order_by_expr_with_nulls(key, direction.clone(), NullOrdering::Last);
    } else {
        select.order_by_expr(key, direction.clone());
    }
    select
        .order_by((film::Entity, film::Column::Id), direction)
        .limit(limit);
    let rows = db
        .query_all_raw(db.get_database_backend().build(&select))
        .await?;
    let mut page = Vec::with_capacity(rows.len());
    for row in rows {
        let model = film::Model::from_query_result(&row, "")?;
        let score = match order.sort {
            FilmSort::Score(..) => SortScore::from_query_result(&row, "")?.sort_score,
            _ => None,
        };
        let keyset = Keyset {
            sort: sort_name.clone(),
            value: sort_value(&model, order.sort, score),
            id: model.id,
        };
        page.push((model, keyset));
    }
    Ok(page)
}

/// How many films a filter keeps.
pub async fn count_films(db: &impl ConnectionTrait, filter: &FilmFilter) -> Result<u64, DbErr> {
    count(db, film::Entity, film_conditions(filter)).await
}

/// How many rows of `table` meet `conditions`.
async fn count(
    db: &impl ConnectionTrait,
    table: impl Iden + 'static,
    conditions: Cond,
) -> Result<u64, DbErr> {
    let select = Query::select()
        .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
        .from(table)
        .cond_where(conditions)
        .to_owned();
    let row = db
        .query_one_raw(db.get_database_backend().build(&select))
        .await?;
    let n: i64 = match row {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// A list of named things (people, companies) by name, optionally filtered by name words.
async fn named<E>(
    db: &impl ConnectionTrait,
    target_type: TargetType,
    name_words: Option<&str>,
    after: Option<&Keyset>,
    limit: u64,
) -> Result<Vec<(E::Model, Keyset)>, ListError>
where
    E: EntityTrait,
    E::Model: FromQueryResult + NamedRow,
{
    let table = E::default();
    let name = || Expr::col((table, Alias::new("name")));
    let id = || Expr::col((table, Alias::new("id")));
    let mut select = Query::select();
    select.column((table, Asterisk)).from(table);
    if let Some(words) = name_words {
        select.cond_where(Cond::all().add_option(name_contains(target_type, table, words)));
    }
    if let Some(after) = after {
        let last_name = after
            .value
            .as_ref()
            .and_then(|v| v.as_str())
            .ok_or(ListError::ForeignCursor)?
            .to_owned();
        if after.sort != "NAME" {
            return Err(ListError::ForeignCursor);
        }
        select.cond_where(
            Cond::any()
                .add(name().gt(last_name.clone()))
                .add(name().eq(last_name).and(id().gt(after.id))),
        );
    }
    select
        .order_by_expr(name(), Order::Asc)
        .order_by_expr(id(), Order::Asc)
        .limit(limit);
    let rows = db
        .query_all_raw(db.get_database_backend().build(&select))
        .await?;
    let mut page = Vec::with_capacity(rows.len());
    for row in rows {
        let model = E::Model::from_query_result(&row, "")?;
        let keyset = Keyset {
            sort: "NAME".to_owned(),
            value: Some(model.name().into()),
            id: model.id(),
        };
        page.push((model, keyset));
    }
    Ok(page)
}

/// A model with a name and an id.
pub trait NamedRow {
    fn name(&self) -> &str;
    fn id(&self) -> i64;
}

impl NamedRow for person::Model {
    fn name(&self) -> &str {
        &self.name
    }
    fn id(&self) -> i64 {
        self.id
    }
}

impl NamedRow for company::Model {
    fn name(&self) -> &str {
        &self.name
    }
    fn id(&self) -> i64 {
        self.id
    }
}

/// A page of people by name.
pub async fn people(
    db: &impl ConnectionTrait,
    name: Option<&str>,
    after: Option<&Keyset>,
    limit: u64,
) -> Result<Vec<(person::Model, Keyset)>, ListError> {
    named::<person::Entity>(db, TargetType::Person, name, after, limit).await
}

/// A page of companies by name.
pub async fn companies(
    db: &impl ConnectionTrait,
    name: Option<&str>,
    after: Option<&Keyset>,
    limit: u64,
) -> Result<Vec<(company::Model, Keyset)>, ListError> {
    named::<company::Entity>(db, TargetType::Company, name, after, limit).await
}

/// How many people or companies match a name filter.
pub async fn count_named(
    db: &impl ConnectionTrait,
    target_type: TargetType,
    name: Option<&str>,
) -> Result<u64, DbErr> {
    let conditions = Cond::all();
    match target_type {
        TargetType::Company => {
            let words = name.and_then(|w| name_contains(target_type, company::Entity, w));
            count(db, company::Entity, conditions.add_option(words)).await
        }
        _ => {
            let words = name.and_then(|w| name_contains(target_type, person::Entity, w));
            count(db, person::Entity, conditions.add_option(words)).await
        }
    }
}
