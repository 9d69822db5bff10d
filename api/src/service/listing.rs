//! Filtered, ordered, keyset-paginated lists of films, people and companies.
//!
//! Queries are built as SQL with numbered parameters (`$1`, `$2`, …), which both engines accept.
//! Keyset pagination: the cursor carries the last row's sort value and id; rows with no sort
//! value (unknown release date or score) come last in both directions.

use super::scenes::{SceneAnswer, SceneQuestion};
use chrono::NaiveDate;
use entity::{ScoreKind, ScoreSource, TargetType, company, film, person};
use sea_orm::ActiveEnum;
use sea_orm::sea_query::Value as SqlValue;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, FromQueryResult, Statement};
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

/// A statement being built, numbering its parameters.
#[derive(Default)]
struct Sql {
    conditions: Vec<String>,
    values: Vec<SqlValue>,
}

impl Sql {
    fn param(&mut self, value: impl Into<SqlValue>) -> String {
        self.values.push(value.into());
        format!("${}", self.values.len())
    }

    fn condition(&mut self, condition: String) {
        self.conditions.push(condition);
    }

    fn where_clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }
}

/// Accent- and case-insensitive "name contains these words", through the search index.
fn name_contains(sql: &mut Sql, target_type: TargetType, table: &str, words: &str) {
    let key = super::search::search_key(words);
    if key.is_empty() {
        return;
    }
    let kind = sql.param(target_type.to_value());
    let pattern = sql.param(format!("%{key}%"));
    sql.condition(format!(
        "EXISTS (SELECT 1 FROM search_entry e WHERE e.target_type = {kind} AND e.target_id = {table}.id AND e.folded LIKE {pattern})"
    ));
}

fn film_conditions(sql: &mut Sql, filter: &FilmFilter) {
    if let Some(title) = &filter.title {
        name_contains(sql, TargetType::Film, "film", title);
    }
    if let Some(from) = filter
        .year_from
        .and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1))
    {
        let p = sql.param(from);
        sql.condition(format!("film.release_date >= {p}"));
    }
    if let Some(to) = filter
        .year_to
        .and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31))
    {
        let p = sql.param(to);
        sql.condition(format!("film.release_date <= {p}"));
    }
    if let Some(day) = filter.released_by {
        let p = sql.param(day);
        sql.condition(format!("film.release_date <= {p}"));
    }
    if let Some(genre) = &filter.genre {
        let p = sql.param(genre.to_lowercase());
        sql.condition(format!(
            "EXISTS (SELECT 1 FROM film_genre g WHERE g.film_id = film.id AND LOWER(g.genre) = {p})"
        ));
    }
    if let Some(rating) = &filter.mpaa_rating {
        let p = sql.param(rating.to_uppercase());
        sql.condition(format!("UPPER(film.mpaa_rating) = {p}"));
    }
    for (question, answer) in [
        (SceneQuestion::Any, filter.credit_scenes),
        (SceneQuestion::DuringCredits, filter.during_credits),
        (SceneQuestion::AfterCredits, filter.after_credits),
    ] {
        if let Some(answer) = answer {
            sql.condition(expression(question.condition(answer)));
        }
    }
    if filter.score_source.is_some() || filter.min_score.is_some() {
        let mut inner = vec![
            "s.film_id = film.id".to_owned(),
            "s.value IS NOT NULL".to_owned(),
        ];
        if let Some(source) = filter.score_source {
            inner.push(format!("s.source = {}", sql.param(source.to_value())));
        }
        if let Some(min) = filter.min_score {
            inner.push(format!("s.value * 100.0 / s.scale >= {}", sql.param(min)));
        }
        sql.condition(format!(
            "EXISTS (SELECT 1 FROM score s WHERE {})",
            inner.join(" AND ")
        ));
    }
}

/// A SeaQuery condition written into this builder's SQL. Only for conditions without
/// parameters (their constants are inlined), such as the credit-scene answer's.
fn expression(condition: sea_orm::sea_query::SimpleExpr) -> String {
    use sea_orm::sea_query::{Expr, PostgresQueryBuilder, Query};
    let probe = Query::select()
        .expr(Expr::val(1))
        .and_where(condition)
        .to_string(PostgresQueryBuilder);
    format!("EXISTS ({probe})")
}

/// The SQL expression a sort orders by, and its cursor name.
fn sort_key(sql: &mut Sql, sort: FilmSort) -> (String, String) {
    match sort {
        FilmSort::ReleaseDate => ("film.release_date".to_owned(), "RELEASE_DATE".to_owned()),
        FilmSort::Title => ("film.title".to_owned(), "TITLE".to_owned()),
        FilmSort::Score(source, kind) => {
            let s = sql.param(source.to_value());
            let k = sql.param(kind.to_value());
            (
                format!(
                    "(SELECT sc.value * 100.0 / sc.scale FROM score sc WHERE sc.film_id = film.id AND sc.source = {s} AND sc.kind = {k})"
                ),
                format!("SCORE:{}:{}", source.to_value(), kind.to_value()),
            )
        }
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

/// One page of films: `limit` rows after `after`, plus each row's cursor.
pub async fn films(
    db: &impl ConnectionTrait,
    filter: &FilmFilter,
    order: FilmOrder,
    after: Option<&Keyset>,
    limit: u64,
) -> Result<Vec<(film::Model, Keyset)>, ListError> {
    let mut sql = Sql::default();
    film_conditions(&mut sql, filter);
    let (key, sort_name) = sort_key(&mut sql, order.sort);
    let (cmp, dir) = if order.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Some(after) = after {
        if after.sort != sort_name {
            return Err(ListError::ForeignCursor);
        }
        let id = sql.param(after.id);
        let condition = match &after.value {
            None => format!("({key} IS NULL AND film.id {cmp} {id})"),
            Some(value) => {
                let v = match order.sort {
                    FilmSort::ReleaseDate => {
                        let day = value
                            .as_str()
                            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                            .ok_or(ListError::ForeignCursor)?;
                        sql.param(day)
                    }
                    FilmSort::Title => {
                        sql.param(value.as_str().ok_or(ListError::ForeignCursor)?.to_owned())
                    }
                    FilmSort::Score(..) => {
                        sql.param(value.as_f64().ok_or(ListError::ForeignCursor)?)
                    }
                };
                format!(
                    "({key} {cmp} {v} OR ({key} = {v} AND film.id {cmp} {id}) OR {key} IS NULL)"
                )
            }
        };
        sql.condition(condition);
    }
    let limit_param = sql.param(i64::try_from(limit).unwrap_or(i64::MAX));
    let statement = format!(
        "SELECT film.*, {score} AS sort_score FROM film{where_clause} \
         ORDER BY CASE WHEN {key} IS NULL THEN 1 ELSE 0 END, {key} {dir}, film.id {dir} LIMIT {limit_param}",
        score = if matches!(order.sort, FilmSort::Score(..)) {
            key.as_str()
        } else {
            "CAST(NULL AS DOUBLE PRECISION)"
        },
        where_clause = sql.where_clause(),
    );
    let statement =
        Statement::from_sql_and_values(db.get_database_backend(), statement, sql.values);
    let rows = db.query_all_raw(statement).await?;
    let mut page = Vec::with_capacity(rows.len());
    for row in rows {
        let model = film::Model::from_query_result(&row, "")?;
        let score = SortScore::from_query_result(&row, "")?.sort_score;
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
    let mut sql = Sql::default();
    film_conditions(&mut sql, filter);
    count(db, "film", sql).await
}

async fn count(db: &impl ConnectionTrait, table: &str, sql: Sql) -> Result<u64, DbErr> {
    let statement = format!("SELECT COUNT(*) AS n FROM {table}{}", sql.where_clause());
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            statement,
            sql.values,
        ))
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
    table: &str,
    name_words: Option<&str>,
    after: Option<&Keyset>,
    limit: u64,
) -> Result<Vec<(E::Model, Keyset)>, ListError>
where
    E: EntityTrait,
    E::Model: FromQueryResult + NamedRow,
{
    let mut sql = Sql::default();
    if let Some(words) = name_words {
        name_contains(&mut sql, target_type, table, words);
    }
    if let Some(after) = after {
        let name = after
            .value
            .as_ref()
            .and_then(|v| v.as_str())
            .ok_or(ListError::ForeignCursor)?
            .to_owned();
        if after.sort != "NAME" {
            return Err(ListError::ForeignCursor);
        }
        let n = sql.param(name);
        let id = sql.param(after.id);
        sql.condition(format!(
            "({table}.name > {n} OR ({table}.name = {n} AND {table}.id > {id}))"
        ));
    }
    let limit_param = sql.param(i64::try_from(limit).unwrap_or(i64::MAX));
    let statement = format!(
        "SELECT {table}.* FROM {table}{} ORDER BY {table}.name, {table}.id LIMIT {limit_param}",
        sql.where_clause()
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            statement,
            sql.values,
        ))
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
    named::<person::Entity>(db, TargetType::Person, "person", name, after, limit).await
}

/// A page of companies by name.
pub async fn companies(
    db: &impl ConnectionTrait,
    name: Option<&str>,
    after: Option<&Keyset>,
    limit: u64,
) -> Result<Vec<(company::Model, Keyset)>, ListError> {
    named::<company::Entity>(db, TargetType::Company, "company", name, after, limit).await
}

/// How many people or companies match a name filter.
pub async fn count_named(
    db: &impl ConnectionTrait,
    target_type: TargetType,
    name: Option<&str>,
) -> Result<u64, DbErr> {
    let table = match target_type {
        TargetType::Company => "company",
        _ => "person",
    };
    let mut sql = Sql::default();
    if let Some(words) = name {
        name_contains(&mut sql, target_type, table, words);
    }
    count(db, table, sql).await
}
