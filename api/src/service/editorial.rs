//! The editorial workflow: proposing, withdrawing, reviewing edits, and reverting revisions.
//! `approve` is the only way an edit reaches public data: one transaction that claims the
//! edit, locks the target, compares every changed field with the value its author saw, and
//! either applies the change with a revision or marks the edit conflicted.

use crate::service::account::AccountError;
use crate::service::events::{self, EditEvent};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    EditOperation, EditStatus, Role, TargetType, company, credit, credit_scene, edit, film,
    film_company, film_genre, person, revision, score, trivia, user,
};
use sea_orm::sea_query::{Expr, IntoCondition};
use sea_orm::{
    ActiveEnum, ActiveModelBehavior, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait,
    DbErr, EntityTrait, IntoActiveModel, PaginatorTrait, PrimaryKeyTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr, TransactionSession, TransactionTrait,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use std::str::FromStr;

/// Editorial settings from the configuration.
#[derive(Debug, Clone, Copy, Default)]
pub struct EditorialSettings {
    /// Whether an author may approve their own edit (recorded on the revision).
    pub allow_self_review: bool,
}

/// Longest reason or review note.
pub const MAX_REASON_CHARS: usize = 2_000;
/// Longest long text (synopsis, plot, biography, description, question, answer).
pub const MAX_LONG_TEXT_CHARS: usize = 20_000;
/// Longest short text (titles, names, jobs, URLs).
pub const MAX_SHORT_TEXT_CHARS: usize = 500;

/// Why an editorial operation did not happen. Each variant has a public `code`.
#[derive(Debug, thiserror::Error)]
pub enum EditorialError {
    /// `INVALID`: a value breaks a rule; `field` names it (snake_case column or `reason`).
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// `TARGET_NOT_FOUND`.
    #[error("the object to edit does not exist")]
    TargetNotFound,
    /// `NO_CHANGES`: every proposed value equals the current one.
    #[error("the edit changes nothing")]
    NoChanges,
    /// `NOT_FOUND`: no such edit (or not one the viewer may see).
    #[error("no such edit")]
    EditNotFound,
    /// `NOT_FOUND`: no such revision.
    #[error("no such revision")]
    RevisionNotFound,
    /// `NOT_PENDING`: the edit was already reviewed, withdrawn or conflicted.
    #[error("the edit is {0:?}, not pending: nothing was changed")]
    NotPending(EditStatus),
    /// `SELF_REVIEW`: four eyes: authors do not approve their own edits.
    #[error("you cannot approve your own edit; another admin must review it")]
    SelfReview,
    /// `HAS_DEPENDENTS`: other rows still refer to the object.
    #[error("other records still refer to this object; remove or change them first")]
    HasDependents,
    /// `DUPLICATE`: the change would break a uniqueness rule.
    #[error("another record already has these values")]
    Duplicate,
    /// Authentication or permission.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// Internal.
    #[error("database error")]
    Db(#[from] DbErr),
}

impl EditorialError {
    /// The code clients see in a `userError`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { .. } => "INVALID",
            Self::TargetNotFound => "TARGET_NOT_FOUND",
            Self::NoChanges => "NO_CHANGES",
            Self::EditNotFound | Self::RevisionNotFound => "NOT_FOUND",
            Self::NotPending(_) => "NOT_PENDING",
            Self::SelfReview => "SELF_REVIEW",
            Self::HasDependents => "HAS_DEPENDENTS",
            Self::Duplicate => "DUPLICATE",
            Self::Account(err) => err.code(),
            Self::Db(_) => "INTERNAL",
        }
    }

    /// The snake_case field at fault, if one is.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }

    fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// A proposal as the services see it: target, operation, and the proposed value of each
/// field (snake_case column names; `genres` for a film's genres).
#[derive(Debug, Clone)]
pub struct Proposal {
    pub operation: EditOperation,
    pub target_type: TargetType,
    /// The object to update or delete; `None` for a creation.
    pub target_id: Option<i64>,
    pub fields: Map<String, Value>,
    pub reason: String,
    pub evidence: Option<String>,
}

/// What a review did.
#[derive(Debug, Clone)]
pub enum ReviewOutcome {
    /// The change is public; the edit carries its revision.
    Applied(edit::Model),
    /// Not applied: fields changed since the author saw them (stored in `edit.conflict`).
    Conflicted(edit::Model),
    /// Rejected with a note.
    Rejected(edit::Model),
}

impl ReviewOutcome {
    /// The edit after the review.
    pub fn edit(&self) -> &edit::Model {
        match self {
            Self::Applied(e) | Self::Conflicted(e) | Self::Rejected(e) => e,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Targets, generically.

/// Fields that are bookkeeping, never edited directly.
const BOOKKEEPING: [&str; 4] = ["id", "version", "created_at", "updated_at"];

/// Fields an edit may set, per target type (snake_case).
pub fn editable_fields(target: TargetType) -> &'static [&'static str] {
    match target {
        TargetType::Film => &[
            "slug",
            "title",
            "original_title",
            "release_date",
            "runtime_minutes",
            "mpaa_rating",
            "tagline",
            "synopsis",
            "plot",
            "credit_scenes_confirmed",
            "genres",
        ],
        TargetType::CreditScene => &[
            "film_id",
            "kind",
            "position",
            "starts_at_seconds",
            "length_seconds",
            "hint",
            "description",
            "teases_film_id",
        ],
        TargetType::Person => &["slug", "name", "birth_date", "biography"],
        TargetType::Credit => &[
            "film_id",
            "person_id",
            "department",
            "job",
            "character",
            "billing_order",
        ],
        TargetType::Company => &["slug", "name", "country"],
        TargetType::FilmCompany => &["film_id", "company_id", "role"],
        TargetType::Score => &[
            "film_id",
            "source",
            "kind",
            "value",
            "scale",
            "vote_count",
            "as_of",
            "source_url",
        ],
        TargetType::Trivia => &[
            "film_id",
            "question",
            "answer",
            "wrong_choices",
            "difficulty",
            "spoiler",
            "source",
        ],
    }
}

/// Dispatches a generic function over the entity of a target type.
macro_rules! with_entity {
    ($target:expr, $f:ident ( $($arg:expr),* )) => {
        match $target {
            TargetType::Film => $f::<film::Entity, _>($($arg),*).await,
            TargetType::CreditScene => $f::<credit_scene::Entity, _>($($arg),*).await,
            TargetType::Person => $f::<person::Entity, _>($($arg),*).await,
            TargetType::Credit => $f::<credit::Entity, _>($($arg),*).await,
            TargetType::Company => $f::<company::Entity, _>($($arg),*).await,
            TargetType::FilmCompany => $f::<film_company::Entity, _>($($arg),*).await,
            TargetType::Score => $f::<score::Entity, _>($($arg),*).await,
            TargetType::Trivia => $f::<trivia::Entity, _>($($arg),*).await,
        }
    };
}

/// The current state of an object as JSON (film genres included), locked for update where
/// the engine supports it.
async fn snapshot<E, C>(db: &C, id: i64, lock: bool) -> Result<Option<Value>, DbErr>
where
    E: EntityTrait,
    E::Model: Serialize,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i64>,
    C: ConnectionTrait,
{
    let mut query = E::find_by_id(id);
    if lock {
        query = query.lock_exclusive();
    }
    let Some(model) = query.one(db).await? else {
        return Ok(None);
    };
    serde_json::to_value(&model)
        .map(Some)
        .map_err(|e| DbErr::Custom(format!("cannot serialise a row: {e}")))
}

/// Current rows of one type as JSON, by id.
async fn snapshots<E, C>(db: &C, ids: Vec<i64>) -> Result<Vec<(i64, Value)>, DbErr>
where
    E: EntityTrait,
    E::Model: Serialize,
    E::Column: FromStr,
    C: ConnectionTrait,
{
    let Ok(id_column) = E::Column::from_str("id") else {
        return Ok(Vec::new());
    };
    let rows = E::find().filter(id_column.is_in(ids)).all(db).await?;
    rows.iter()
        .map(|row| {
            let value = serde_json::to_value(row)
                .map_err(|e| DbErr::Custom(format!("cannot serialise a row: {e}")))?;
            Ok((value["id"].as_i64().unwrap_or_default(), value))
        })
        .collect()
}

/// The current state of many objects (as edits see them: film genres included), one query
/// per target type; missing objects are left out.
pub async fn current_states<C: ConnectionTrait>(
    db: &C,
    keys: &[(TargetType, i64)],
) -> Result<std::collections::HashMap<(TargetType, i64), Value>, DbErr> {
    let mut by_type: std::collections::HashMap<TargetType, Vec<i64>> = Default::default();
    for (target, id) in keys {
        by_type.entry(*target).or_default().push(*id);
    }
    let mut states = std::collections::HashMap::new();
    for (target, ids) in by_type {
        for (id, mut state) in with_entity!(target, snapshots(db, ids.clone()))? {
            if target == TargetType::Film {
                state["genres"] = json!([]);
            }
            states.insert((target, id), state);
        }
        if target == TargetType::Film {
            let genres = film_genre::Entity::find()
                .filter(film_genre::Column::FilmId.is_in(ids))
                .order_by_asc(film_genre::Column::Position)
                .all(db)
                .await?;
            for genre in genres {
                if let Some(Value::Array(list)) = states
                    .get_mut(&(TargetType::Film, genre.film_id))
                    .map(|s| &mut s["genres"])
                {
                    list.push(Value::String(genre.genre));
                }
            }
        }
    }
    Ok(states)
}

async fn current_state<C: ConnectionTrait>(
    db: &C,
    target: TargetType,
    id: i64,
    lock: bool,
) -> Result<Option<Value>, DbErr> {
    let Some(mut state) = with_entity!(target, snapshot(db, id, lock))? else {
        return Ok(None);
    };
    if target == TargetType::Film {
        let genres: Vec<Value> = film_genre::Entity::find()
            .filter(film_genre::Column::FilmId.eq(id))
            .order_by_asc(film_genre::Column::Position)
            .all(db)
            .await?
            .into_iter()
            .map(|g| Value::String(g.genre))
            .collect();
        state["genres"] = Value::Array(genres);
    }
    Ok(Some(state))
}

/// Writes `state` (a full row as JSON) over the row: the columns in `changed` are set.
async fn write_row<E, C>(db: &C, state: Value, changed: Vec<String>) -> Result<(), DbErr>
where
    E: EntityTrait,
    E::Model: DeserializeOwned + IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
    E::Column: FromStr,
    C: ConnectionTrait,
{
    let model: E::Model = serde_json::from_value(state)
        .map_err(|e| DbErr::Custom(format!("cannot rebuild a row: {e}")))?;
    let mut active = model.into_active_model();
    for name in changed {
        if let Ok(column) = E::Column::from_str(&name) {
            active.reset(column);
        }
    }
    active.update(db).await?;
    Ok(())
}

/// Inserts `state` (a full row as JSON without an id); returns the new id.
async fn insert_row<E, C>(db: &C, mut state: Value) -> Result<i64, DbErr>
where
    E: EntityTrait,
    E::Model: DeserializeOwned + Serialize + IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
    E::Column: FromStr,
    C: ConnectionTrait,
{
    state["id"] = json!(0);
    let model: E::Model = serde_json::from_value(state)
        .map_err(|e| DbErr::Custom(format!("cannot build a row: {e}")))?;
    let mut active = model.into_active_model();
    for column in <E::Column as sea_orm::Iterable>::iter() {
        active.reset(column);
    }
    if let Ok(id) = E::Column::from_str("id") {
        active.not_set(id);
    }
    let inserted = active.insert(db).await?;
    let value = serde_json::to_value(&inserted)
        .map_err(|e| DbErr::Custom(format!("cannot serialise a row: {e}")))?;
    value["id"]
        .as_i64()
        .ok_or_else(|| DbErr::Custom("the new row has no id".to_owned()))
}

async fn delete_row<E, C>(db: &C, id: i64) -> Result<(), DbErr>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i64>,
    C: ConnectionTrait,
{
    E::delete_by_id(id).exec(db).await?;
    Ok(())
}

async fn replace_genres<C: ConnectionTrait>(
    db: &C,
    film_id: i64,
    genres: &Value,
) -> Result<(), DbErr> {
    film_genre::Entity::delete_many()
        .filter(film_genre::Column::FilmId.eq(film_id))
        .exec(db)
        .await?;
    let rows: Vec<film_genre::ActiveModel> = genres
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .zip(1..)
        .map(|(genre, position)| film_genre::ActiveModel {
            film_id: Set(film_id),
            genre: Set(genre.to_owned()),
            position: Set(position),
        })
        .collect();
    if !rows.is_empty() {
        film_genre::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// Equal as stored values (numbers compare by value: `0` and `0.0` are the same).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

// ---------------------------------------------------------------------------------------------
// Validation.

fn check_text(field: &str, text: &str, max: usize) -> Result<(), EditorialError> {
    if text.chars().count() > max {
        return Err(EditorialError::invalid(
            field,
            format!("`{field}` is longer than {max} characters"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return Err(EditorialError::invalid(
            field,
            format!("`{field}` contains control characters"),
        ));
    }
    Ok(())
}

fn check_url(field: &str, url: &str) -> Result<(), EditorialError> {
    check_text(field, url, MAX_SHORT_TEXT_CHARS)?;
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > "https://".len()
        && !url.contains(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(EditorialError::invalid(
            field,
            format!("`{field}` must be an http(s) URL"),
        ))
    }
}

fn int_in(
    field: &str,
    value: &Value,
    range: std::ops::RangeInclusive<i64>,
) -> Result<(), EditorialError> {
    match value {
        Value::Null => Ok(()),
        v => match v.as_i64() {
            Some(n) if range.contains(&n) => Ok(()),
            _ => Err(EditorialError::invalid(
                field,
                format!(
                    "`{field}` must be between {} and {}",
                    range.start(),
                    range.end()
                ),
            )),
        },
    }
}

const REQUIRED_TEXT: [&str; 5] = ["slug", "title", "name", "question", "answer"];
const LONG_TEXT: [&str; 6] = [
    "synopsis",
    "plot",
    "biography",
    "description",
    "question",
    "answer",
];

/// Checks proposed values, given the object's current state (`None` for a creation).
fn validate(
    target: TargetType,
    fields: &Map<String, Value>,
    current: Option<&Value>,
) -> Result<(), EditorialError> {
    let allowed = editable_fields(target);
    for (field, value) in fields {
        if !allowed.contains(&field.as_str()) {
            return Err(EditorialError::invalid(
                field,
                format!("`{field}` cannot be edited on this kind of object"),
            ));
        }
        if REQUIRED_TEXT.contains(&field.as_str())
            && value.as_str().is_none_or(|s| s.trim().is_empty())
        {
            return Err(EditorialError::invalid(
                field,
                format!("`{field}` cannot be empty"),
            ));
        }
        match (field.as_str(), value) {
            ("source_url", Value::String(url)) => check_url(field, url)?,
            ("slug", Value::String(slug)) => {
                let ok = slug.split('-').all(|w| {
                    !w.is_empty()
                        && w.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                });
                if !ok || slug.len() > 200 {
                    return Err(EditorialError::invalid(
                        field,
                        "slugs are lowercase ASCII words and digits joined by `-`",
                    ));
                }
            }
            (_, Value::String(text)) => {
                let max = if LONG_TEXT.contains(&field.as_str()) {
                    MAX_LONG_TEXT_CHARS
                } else {
                    MAX_SHORT_TEXT_CHARS
                };
                check_text(field, text, max)?;
                if text.trim().is_empty() {
                    return Err(EditorialError::invalid(
                        field,
                        format!("`{field}` cannot be blank: send null to clear it"),
                    ));
                }
            }
            ("genres" | "wrong_choices", Value::Array(items)) => {
                if items.len() > 20 {
                    return Err(EditorialError::invalid(
                        field,
                        format!("`{field}` has too many entries"),
                    ));
                }
                let mut seen = std::collections::HashSet::new();
                for item in items {
                    let text = item.as_str().unwrap_or_default();
                    if text.trim().is_empty() || !seen.insert(text.to_lowercase()) {
                        return Err(EditorialError::invalid(
                            field,
                            format!("`{field}` entries must be non-empty and distinct"),
                        ));
                    }
                    check_text(field, text, MAX_SHORT_TEXT_CHARS)?;
                }
            }
            _ => {}
        }
        match field.as_str() {
            "runtime_minutes" => int_in(field, value, 1..=1_500)?,
            "position" => int_in(field, value, 1..=50)?,
            "starts_at_seconds" | "length_seconds" => int_in(field, value, 0..=36_000)?,
            "billing_order" => int_in(field, value, 0..=100_000)?,
            "difficulty" => int_in(field, value, 1..=5)?,
            "vote_count" => int_in(field, value, 0..=i64::MAX)?,
            "scale" if !matches!(value.as_i64(), Some(10 | 100)) => {
                return Err(EditorialError::invalid(field, "`scale` must be 10 or 100"));
            }
            "release_date" | "birth_date" | "as_of" => {
                if let Some(text) = value.as_str() {
                    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
                        EditorialError::invalid(field, format!("`{field}` is not a date"))
                    })?;
                    let today = Utc::now().date_naive();
                    let earliest = NaiveDate::from_ymd_opt(1870, 1, 1).unwrap_or(date);
                    let latest = if field == "release_date" {
                        today + chrono::Duration::days(3_660)
                    } else {
                        today
                    };
                    if date < earliest || date > latest {
                        return Err(EditorialError::invalid(
                            field,
                            format!("`{field}` must be between 1870-01-01 and {latest}"),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    if target == TargetType::Score {
        let get = |name: &str| {
            fields
                .get(name)
                .or_else(|| current.and_then(|c| c.get(name)))
                .cloned()
                .unwrap_or(Value::Null)
        };
        let scale = get("scale").as_f64().unwrap_or(100.0);
        if let Value::Number(n) = get("value") {
            let v = n.as_f64().unwrap_or(-1.0);
            if !(0.0..=scale).contains(&v) {
                return Err(EditorialError::invalid(
                    "value",
                    format!("`value` must be between 0 and the scale ({scale})"),
                ));
            }
        }
    }
    Ok(())
}

fn check_reason(field: &str, reason: &str, required: bool) -> Result<(), EditorialError> {
    if required && reason.trim().is_empty() {
        return Err(EditorialError::invalid(
            field,
            format!("`{field}` is required: say why"),
        ));
    }
    check_text(field, reason, MAX_REASON_CHARS)
}

/// Fields a creation must give, per target.
fn required_on_create(target: TargetType) -> &'static [&'static str] {
    match target {
        TargetType::Film => &["slug", "title"],
        TargetType::CreditScene => &["film_id", "kind", "position"],
        TargetType::Person | TargetType::Company => &["slug", "name"],
        TargetType::Credit => &["film_id", "person_id", "department"],
        TargetType::FilmCompany => &["film_id", "company_id", "role"],
        TargetType::Score => &["film_id", "source", "kind", "scale"],
        TargetType::Trivia => &["film_id", "question", "answer"],
    }
}

/// Defaults of non-null columns a creation may leave out.
fn defaults_on_create(target: TargetType) -> Map<String, Value> {
    let mut defaults = Map::new();
    match target {
        TargetType::Film => {
            defaults.insert("credit_scenes_confirmed".to_owned(), json!(false));
            defaults.insert("genres".to_owned(), json!([]));
        }
        TargetType::Trivia => {
            defaults.insert("spoiler".to_owned(), json!(false));
            defaults.insert("wrong_choices".to_owned(), json!([]));
        }
        _ => {}
    }
    defaults
}

/// The objects a creation refers to must exist.
async fn check_references<C: ConnectionTrait>(
    db: &C,
    fields: &Map<String, Value>,
) -> Result<(), EditorialError> {
    for (field, target) in [
        ("film_id", TargetType::Film),
        ("teases_film_id", TargetType::Film),
        ("person_id", TargetType::Person),
        ("company_id", TargetType::Company),
    ] {
        if let Some(id) = fields.get(field).and_then(Value::as_i64)
            && current_state(db, target, id, false).await?.is_none()
        {
            return Err(EditorialError::invalid(
                field,
                format!("`{field}` refers to nothing"),
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Proposing and withdrawing.

/// Records a proposal as a pending edit. For each field the edit keeps the value the author
/// saw (the current value now) and the proposed one.
#[tracing::instrument(skip(db, proposal), fields(target = ?proposal.target_type, target_id = ?proposal.target_id))]
pub async fn propose(
    db: &impl ConnectionTrait,
    author: &user::Model,
    proposal: Proposal,
) -> Result<edit::Model, EditorialError> {
    check_reason("reason", &proposal.reason, true)?;
    if let Some(evidence) = &proposal.evidence {
        check_url("evidence", evidence)?;
    }
    let mut changes = Map::new();
    let target_id = match proposal.operation {
        EditOperation::Update => {
            let id = proposal.target_id.ok_or_else(|| {
                EditorialError::invalid("target_id", "an update needs the id of its target")
            })?;
            let current = current_state(db, proposal.target_type, id, false)
                .await?
                .ok_or(EditorialError::TargetNotFound)?;
            validate(proposal.target_type, &proposal.fields, Some(&current))?;
            check_references(db, &proposal.fields).await?;
            for (field, to) in proposal.fields {
                let from = current.get(&field).cloned().unwrap_or(Value::Null);
                if !same(&from, &to) {
                    changes.insert(field, json!({"from": from, "to": to}));
                }
            }
            if changes.is_empty() {
                return Err(EditorialError::NoChanges);
            }
            Some(id)
        }
        EditOperation::Create => {
            if proposal.target_id.is_some() {
                return Err(EditorialError::invalid(
                    "target_id",
                    "a creation has no target id",
                ));
            }
            validate(proposal.target_type, &proposal.fields, None)?;
            for field in required_on_create(proposal.target_type) {
                if proposal.fields.get(*field).is_none_or(Value::is_null) {
                    return Err(EditorialError::invalid(
                        field,
                        format!("`{field}` is required to create this object"),
                    ));
                }
            }
            check_references(db, &proposal.fields).await?;
            let mut fields = defaults_on_create(proposal.target_type);
            fields.extend(proposal.fields);
            for (field, to) in fields {
                changes.insert(field, json!({"from": null, "to": to}));
            }
            None
        }
        EditOperation::Delete => {
            let id = proposal.target_id.ok_or_else(|| {
                EditorialError::invalid("target_id", "a deletion needs the id of its target")
            })?;
            if !proposal.fields.is_empty() {
                return Err(EditorialError::invalid(
                    "changes",
                    "a deletion takes no changes",
                ));
            }
            let current = current_state(db, proposal.target_type, id, false)
                .await?
                .ok_or(EditorialError::TargetNotFound)?;
            if let Value::Object(fields) = current {
                for (field, from) in fields {
                    if !BOOKKEEPING.contains(&field.as_str()) || field == "version" {
                        changes.insert(field, json!({"from": from, "to": null}));
                    }
                }
            }
            Some(id)
        }
    };
    let now = Utc::now();
    let edit = edit::ActiveModel {
        author_id: Set(author.id),
        target_type: Set(proposal.target_type),
        target_id: Set(target_id),
        operation: Set(proposal.operation),
        changes: Set(Value::Object(changes)),
        reason: Set(proposal.reason.trim().to_owned()),
        evidence: Set(proposal.evidence),
        status: Set(EditStatus::Pending),
        reviewer_id: Set(None),
        review_note: Set(None),
        conflict: Set(None),
        revision_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        reviewed_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    events::notify(db, &EditEvent::of(&edit)).await?;
    tracing::info!(edit = edit.id, author = author.id, "edit proposed");
    Ok(edit)
}

/// The edit `id` if `viewer` may see it: admins see all, editors their own.
pub async fn visible_edit(
    db: &impl ConnectionTrait,
    viewer: &user::Model,
    id: i64,
) -> Result<Option<edit::Model>, EditorialError> {
    Ok(edit::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|e| viewer.role == Role::Admin || e.author_id == viewer.id))
}

/// Withdraws the author's own pending edit.
pub async fn withdraw(
    db: &impl ConnectionTrait,
    author: &user::Model,
    id: i64,
) -> Result<edit::Model, EditorialError> {
    let now = Utc::now();
    let result = edit::Entity::update_many()
        .col_expr(
            edit::Column::Status,
            Expr::value(EditStatus::Withdrawn.to_value()),
        )
        .col_expr(edit::Column::UpdatedAt, Expr::value(now))
        .filter(edit::Column::Id.eq(id))
        .filter(edit::Column::AuthorId.eq(author.id))
        .filter(edit::Column::Status.eq(EditStatus::Pending))
        .exec(db)
        .await?;
    let edit = edit::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|e| e.author_id == author.id)
        .ok_or(EditorialError::EditNotFound)?;
    if result.rows_affected == 1 {
        events::notify(db, &EditEvent::of(&edit)).await?;
        Ok(edit)
    } else {
        Err(EditorialError::NotPending(edit.status))
    }
}

/// Filters for listing edits.
#[derive(Debug, Clone, Default)]
pub struct EditFilter {
    pub status: Option<EditStatus>,
    pub target_type: Option<TargetType>,
    pub author_id: Option<i64>,
    pub since: Option<DateTime<Utc>>,
}

/// A page of edits visible to `viewer`, newest first, after the edit number `after`.
pub async fn list_edits(
    db: &impl ConnectionTrait,
    viewer: &user::Model,
    filter: EditFilter,
    after: Option<i64>,
    limit: u64,
) -> Result<(Vec<edit::Model>, u64), EditorialError> {
    let mut condition = Condition::all();
    if viewer.role != Role::Admin {
        condition = condition.add(edit::Column::AuthorId.eq(viewer.id));
    }
    if let Some(author) = filter.author_id {
        condition = condition.add(edit::Column::AuthorId.eq(author));
    }
    if let Some(status) = filter.status {
        condition = condition.add(edit::Column::Status.eq(status));
    }
    if let Some(target) = filter.target_type {
        condition = condition.add(edit::Column::TargetType.eq(target));
    }
    if let Some(since) = filter.since {
        condition = condition.add(edit::Column::CreatedAt.gte(since));
    }
    let total = edit::Entity::find()
        .filter(condition.clone())
        .count(db)
        .await?;
    let mut page = condition;
    if let Some(after) = after {
        page = page.add(edit::Column::Id.lt(after).into_condition());
    }
    let rows = edit::Entity::find()
        .filter(page)
        .order_by_desc(edit::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    Ok((rows, total))
}

// ---------------------------------------------------------------------------------------------
// Reviewing.

/// Approves a pending edit in one transaction: claim it, lock the target, compare each field
/// with the value the author saw; on any difference mark it CONFLICTED (keeping the current
/// values), else apply it, bump `version`, write the revision and mark it APPROVED. An edit
/// that is not pending is left alone (`NotPending`). The API and the CLI both call this.
#[tracing::instrument(skip(db, settings, reviewer, note), fields(reviewer = reviewer.id))]
pub async fn approve<C>(
    db: &C,
    settings: EditorialSettings,
    reviewer: &user::Model,
    edit_id: i64,
    note: Option<String>,
) -> Result<ReviewOutcome, EditorialError>
where
    C: ConnectionTrait + TransactionTrait,
{
    if reviewer.role != Role::Admin {
        return Err(AccountError::Forbidden("only admins review edits".to_owned()).into());
    }
    if let Some(note) = &note {
        check_reason("note", note, false)?;
    }
    let txn = db.begin().await?;
    match approve_in(&txn, settings, reviewer, edit_id, note).await {
        Ok(outcome) => {
            txn.commit().await?;
            tracing::info!(edit = edit_id, outcome = ?outcome.edit().status, "edit reviewed");
            Ok(outcome)
        }
        Err(err) => {
            txn.rollback().await?;
            Err(err)
        }
    }
}

async fn claim<C: ConnectionTrait>(db: &C, edit_id: i64) -> Result<edit::Model, EditorialError> {
    // The claim is the transaction's first write: on PostgreSQL it locks the edit's row (a
    // concurrent claim waits, then finds it no longer pending); on SQLite it takes the
    // database's write lock at once, so two approvals cannot interleave.
    let claimed = edit::Entity::update_many()
        .col_expr(
            edit::Column::Status,
            Expr::value(EditStatus::Approved.to_value()),
        )
        .col_expr(edit::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(edit::Column::Id.eq(edit_id))
        .filter(edit::Column::Status.eq(EditStatus::Pending))
        .exec(db)
        .await?;
    let edit = edit::Entity::find_by_id(edit_id)
        .one(db)
        .await?
        .ok_or(EditorialError::EditNotFound)?;
    if claimed.rows_affected != 1 {
        return Err(EditorialError::NotPending(edit.status));
    }
    Ok(edit)
}

async fn approve_in<C: ConnectionTrait>(
    db: &C,
    settings: EditorialSettings,
    reviewer: &user::Model,
    edit_id: i64,
    note: Option<String>,
) -> Result<ReviewOutcome, EditorialError> {
    let edit = claim(db, edit_id).await?;
    let self_reviewed = edit.author_id == reviewer.id;
    if self_reviewed && !settings.allow_self_review {
        return Err(EditorialError::SelfReview);
    }
    let changes = edit.changes.as_object().cloned().unwrap_or_default();
    let now = Utc::now();
    let target = edit.target_type;

    let current = match edit.target_id {
        Some(id) => current_state(db, target, id, true).await?,
        None => None,
    };
    // Field-level conflicts: only the fields this edit touches matter.
    let mut conflict = Map::new();
    match (&edit.operation, &current) {
        (EditOperation::Create, _) => {}
        (_, None) => {
            conflict.insert("_deleted".to_owned(), json!(true));
        }
        (_, Some(current)) => {
            for (field, change) in &changes {
                let seen = change.get("from").unwrap_or(&Value::Null);
                let now_value = current.get(field).unwrap_or(&Value::Null);
                if !same(seen, now_value) {
                    conflict.insert(field.clone(), now_value.clone());
                }
            }
        }
    }
    if !conflict.is_empty() {
        let mut model: edit::ActiveModel = edit.into();
        model.status = Set(EditStatus::Conflicted);
        model.conflict = Set(Some(Value::Object(conflict)));
        model.reviewer_id = Set(Some(reviewer.id));
        model.review_note = Set(note);
        model.reviewed_at = Set(Some(now));
        let edit = model.update(db).await?;
        events::notify(db, &EditEvent::of(&edit)).await?;
        return Ok(ReviewOutcome::Conflicted(edit));
    }

    let proposed = |field: &str| changes.get(field).and_then(|c| c.get("to")).cloned();
    let (target_id, version, diff) = match edit.operation {
        EditOperation::Update => {
            let id = edit.target_id.ok_or(EditorialError::TargetNotFound)?;
            let mut state = current.unwrap_or(Value::Null);
            let version = state["version"].as_i64().unwrap_or(0) + 1;
            let mut diff = Map::new();
            let mut columns = vec!["version".to_owned(), "updated_at".to_owned()];
            for field in changes.keys() {
                let after = proposed(field).unwrap_or(Value::Null);
                diff.insert(
                    field.clone(),
                    json!({"before": state[field.as_str()].clone(), "after": after.clone()}),
                );
                state[field.as_str()] = after;
                columns.push(field.clone());
            }
            state["version"] = json!(version);
            state["updated_at"] = json!(now);
            if let Some(genres) = proposed("genres").filter(|_| target == TargetType::Film) {
                replace_genres(db, id, &genres).await?;
            }
            with_entity!(target, write_row(db, state, columns)).map_err(map_write_error)?;
            (id, version, diff)
        }
        EditOperation::Create => {
            let mut state = Map::new();
            let mut diff = Map::new();
            for field in changes.keys() {
                let after = proposed(field).unwrap_or(Value::Null);
                diff.insert(
                    field.clone(),
                    json!({"before": null, "after": after.clone()}),
                );
                state.insert(field.clone(), after);
            }
            state.insert("version".to_owned(), json!(1));
            state.insert("created_at".to_owned(), json!(now));
            state.insert("updated_at".to_owned(), json!(now));
            let genres = state.remove("genres");
            let id = with_entity!(target, insert_row(db, Value::Object(state)))
                .map_err(map_write_error)?;
            if let Some(genres) = genres.filter(|_| target == TargetType::Film) {
                replace_genres(db, id, &genres).await?;
            }
            (id, 1, diff)
        }
        EditOperation::Delete => {
            let id = edit.target_id.ok_or(EditorialError::TargetNotFound)?;
            let state = current.unwrap_or(Value::Null);
            let version = state["version"].as_i64().unwrap_or(0) + 1;
            let mut diff = Map::new();
            if let Value::Object(fields) = &state {
                for (field, before) in fields {
                    if !BOOKKEEPING.contains(&field.as_str()) {
                        diff.insert(field.clone(), json!({"before": before, "after": null}));
                    }
                }
            }
            with_entity!(target, delete_row(db, id)).map_err(map_write_error)?;
            (id, version, diff)
        }
    };
    let revision = revision::ActiveModel {
        target_type: Set(target),
        target_id: Set(target_id),
        version: Set(i32::try_from(version).unwrap_or(i32::MAX)),
        diff: Set(Value::Object(diff)),
        edit_id: Set(Some(edit.id)),
        actor_id: Set(Some(reviewer.id)),
        reason: Set(edit.reason.clone()),
        self_reviewed: Set(self_reviewed),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    // Names are searchable: keep the search index in step, inside the same transaction.
    if matches!(
        target,
        TargetType::Film | TargetType::Person | TargetType::Company
    ) {
        super::search::reindex(db, target, &[target_id]).await?;
    }
    let mut model: edit::ActiveModel = edit.into();
    model.status = Set(EditStatus::Approved);
    model.target_id = Set(Some(target_id));
    model.reviewer_id = Set(Some(reviewer.id));
    model.review_note = Set(note);
    model.reviewed_at = Set(Some(now));
    model.revision_id = Set(Some(revision.id));
    model.updated_at = Set(now);
    let edit = model.update(db).await?;
    events::notify(db, &EditEvent::of(&edit)).await?;
    Ok(ReviewOutcome::Applied(edit))
}

fn map_write_error(err: DbErr) -> EditorialError {
    match err.sql_err() {
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => EditorialError::HasDependents,
        Some(SqlErr::UniqueConstraintViolation(_)) => EditorialError::Duplicate,
        // SQLite reports a RESTRICT action as a trigger constraint (extended code 1811), which
        // SeaORM does not classify; its message still names the foreign key.
        _ if err.to_string().contains("FOREIGN KEY constraint failed") => {
            EditorialError::HasDependents
        }
        _ => EditorialError::Db(err),
    }
}

/// Rejects a pending edit with a note.
pub async fn reject(
    db: &impl ConnectionTrait,
    reviewer: &user::Model,
    edit_id: i64,
    note: Option<String>,
) -> Result<ReviewOutcome, EditorialError> {
    if reviewer.role != Role::Admin {
        return Err(AccountError::Forbidden("only admins review edits".to_owned()).into());
    }
    if let Some(note) = &note {
        check_reason("note", note, false)?;
    }
    let now = Utc::now();
    let result = edit::Entity::update_many()
        .col_expr(
            edit::Column::Status,
            Expr::value(EditStatus::Rejected.to_value()),
        )
        .col_expr(edit::Column::ReviewerId, Expr::value(reviewer.id))
        .col_expr(edit::Column::ReviewNote, Expr::value(note))
        .col_expr(edit::Column::ReviewedAt, Expr::value(now))
        .col_expr(edit::Column::UpdatedAt, Expr::value(now))
        .filter(edit::Column::Id.eq(edit_id))
        .filter(edit::Column::Status.eq(EditStatus::Pending))
        .exec(db)
        .await?;
    let edit = edit::Entity::find_by_id(edit_id)
        .one(db)
        .await?
        .ok_or(EditorialError::EditNotFound)?;
    if result.rows_affected == 1 {
        events::notify(db, &EditEvent::of(&edit)).await?;
        tracing::info!(edit = edit_id, reviewer = reviewer.id, "edit rejected");
        Ok(ReviewOutcome::Rejected(edit))
    } else {
        Err(EditorialError::NotPending(edit.status))
    }
}

// ---------------------------------------------------------------------------------------------
// History.

/// A page of revisions, newest first: of one object, or of everything.
pub async fn list_revisions(
    db: &impl ConnectionTrait,
    target: Option<(TargetType, i64)>,
    after: Option<i64>,
    limit: u64,
) -> Result<(Vec<revision::Model>, u64), DbErr> {
    let mut condition = Condition::all();
    if let Some((target_type, id)) = target {
        condition = condition
            .add(revision::Column::TargetType.eq(target_type))
            .add(revision::Column::TargetId.eq(id));
    }
    let total = revision::Entity::find()
        .filter(condition.clone())
        .count(db)
        .await?;
    if let Some(after) = after {
        condition = condition.add(revision::Column::Id.lt(after));
    }
    let rows = revision::Entity::find()
        .filter(condition)
        .order_by_desc(revision::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    Ok((rows, total))
}

/// Reverts an update revision: proposes an edit restoring its `before` values (as seen now)
/// and approves it through [`approve`], so the revert is itself reviewed, recorded and
/// conflict-checked.
pub async fn revert<C>(
    db: &C,
    admin: &user::Model,
    revision_id: i64,
    reason: String,
) -> Result<ReviewOutcome, EditorialError>
where
    C: ConnectionTrait + TransactionTrait,
{
    if admin.role != Role::Admin {
        return Err(AccountError::Forbidden("only admins revert revisions".to_owned()).into());
    }
    let revision = revision::Entity::find_by_id(revision_id)
        .one(db)
        .await?
        .ok_or(EditorialError::RevisionNotFound)?;
    let mut fields = Map::new();
    if let Value::Object(diff) = &revision.diff {
        for (field, change) in diff {
            if editable_fields(revision.target_type).contains(&field.as_str()) {
                fields.insert(
                    field.clone(),
                    change.get("before").cloned().unwrap_or(Value::Null),
                );
            }
        }
    }
    let proposal = Proposal {
        operation: EditOperation::Update,
        target_type: revision.target_type,
        target_id: Some(revision.target_id),
        fields,
        reason,
        evidence: None,
    };
    let edit = propose(db, admin, proposal).await?;
    // A revert is an admin's own act: it does not need a second pair of eyes.
    let settings = EditorialSettings {
        allow_self_review: true,
    };
    approve(
        db,
        settings,
        admin,
        edit.id,
        Some(format!("revert of revision {revision_id}")),
    )
    .await
}
