//! Applying an approved edit to its target: the row updated, inserted or deleted (film genres
//! included), and the field diff its revision records. Called only from `review::approve`,
//! inside its transaction, once the edit is claimed and found free of conflicts.

use super::EditorialError;
use super::error::map_write_error;
use super::fields::diffable;
use super::targets::{delete_target, insert_target, replace_genres, write_target};
use chrono::{DateTime, Utc};
use entity::{EditOperation, TargetType, edit};
use sea_orm::ConnectionTrait;
use serde_json::{Map, Value, json};

/// What applying an edit did.
pub(super) struct Applied {
    /// The object changed (for a creation: the new one).
    pub target_id: i64,
    /// The object's version after the change.
    pub version: i64,
    /// Per field, `{"before": …, "after": …}`.
    pub diff: Map<String, Value>,
}

/// The version an object has after a change: one more than `current`'s, 1 for a new object.
pub(super) fn next_version(current: Option<&Value>) -> i64 {
    current
        .and_then(|state| state["version"].as_i64())
        .unwrap_or(0)
        + 1
}

/// Applies `edit` to its target, whose locked state is `current` (`None` for a creation).
pub(super) async fn apply<C: ConnectionTrait>(
    db: &C,
    edit: &edit::Model,
    current: Option<Value>,
    version: i64,
    now: DateTime<Utc>,
) -> Result<Applied, EditorialError> {
    let no_changes = Map::new();
    let changes = edit.changes.as_object().unwrap_or(&no_changes);
    let (target_id, diff) = match edit.operation {
        EditOperation::Update => {
            let id = edit.target_id.ok_or(EditorialError::TargetNotFound)?;
            update(db, edit.target_type, id, changes, current, version, now).await?
        }
        EditOperation::Create => create(db, edit.target_type, changes, version, now).await?,
        EditOperation::Delete => {
            let id = edit.target_id.ok_or(EditorialError::TargetNotFound)?;
            delete(db, edit.target_type, id, current).await?
        }
    };
    Ok(Applied {
        target_id,
        version,
        diff,
    })
}

/// The value an edit proposes for `field`.
fn proposed(changes: &Map<String, Value>, field: &str) -> Option<Value> {
    changes.get(field).and_then(|c| c.get("to")).cloned()
}

/// Writes the proposed values over the row; returns its id and the diff.
async fn update<C: ConnectionTrait>(
    db: &C,
    target: TargetType,
    id: i64,
    changes: &Map<String, Value>,
    current: Option<Value>,
    version: i64,
    now: DateTime<Utc>,
) -> Result<(i64, Map<String, Value>), EditorialError> {
    let mut state = current.unwrap_or(Value::Null);
    let mut diff = Map::new();
    let mut columns = vec!["version".to_owned(), "updated_at".to_owned()];
    for field in changes.keys() {
        let after = proposed(changes, field).unwrap_or(Value::Null);
        diff.insert(
            field.clone(),
            json!({"before": state[field.as_str()].clone(), "after": after.clone()}),
        );
        state[field.as_str()] = after;
        columns.push(field.clone());
    }
    state["version"] = json!(version);
    state["updated_at"] = json!(now);
    if let Some(genres) = proposed(changes, "genres").filter(|_| target == TargetType::Film) {
        replace_genres(db, id, &genres).await?;
    }
    write_target(db, target, state, columns)
        .await
        .map_err(map_write_error)?;
    Ok((id, diff))
}

/// Inserts a row of the proposed values; returns its new id and the diff.
async fn create<C: ConnectionTrait>(
    db: &C,
    target: TargetType,
    changes: &Map<String, Value>,
    version: i64,
    now: DateTime<Utc>,
) -> Result<(i64, Map<String, Value>), EditorialError> {
    let mut state = Map::new();
    let mut diff = Map::new();
    for field in changes.keys() {
        let after = proposed(changes, field).unwrap_or(Value::Null);
        diff.insert(
            field.clone(),
            json!({"before": null, "after": after.clone()}),
        );
        state.insert(field.clone(), after);
    }
    state.insert("version".to_owned(), json!(version));
    state.insert("created_at".to_owned(), json!(now));
    state.insert("updated_at".to_owned(), json!(now));
    let genres = state.remove("genres");
    let id = insert_target(db, target, Value::Object(state))
        .await
        .map_err(map_write_error)?;
    if let Some(genres) = genres.filter(|_| target == TargetType::Film) {
        replace_genres(db, id, &genres).await?;
    }
    Ok((id, diff))
}

/// Deletes the row; returns its id and the diff (every field to null).
async fn delete<C: ConnectionTrait>(
    db: &C,
    target: TargetType,
    id: i64,
    current: Option<Value>,
) -> Result<(i64, Map<String, Value>), EditorialError> {
    let mut diff = Map::new();
    for (field, before) in diffable(target, current.unwrap_or(Value::Null)) {
        diff.insert(field, json!({"before": before, "after": null}));
    }
    delete_target(db, target, id)
        .await
        .map_err(map_write_error)?;
    Ok((id, diff))
}
