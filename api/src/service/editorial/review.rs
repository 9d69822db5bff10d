//! Reviewing: approving (the only way an edit reaches public data), rejecting, and the
//! author withdrawing their own pending edit.

use super::error::map_write_error;
use super::rules::check_reason;
use super::targets::{
    current_state, delete_target, insert_target, replace_genres, same, write_target,
};
use super::{EditorialError, EditorialSettings, ReviewOutcome};
use crate::service::account::AccountError;
use crate::service::events::{self, EditEvent};
use crate::service::revision::BOOKKEEPING;
use chrono::Utc;
use entity::{EditOperation, EditStatus, Role, TargetType, edit, revision, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionSession, TransactionTrait,
};
use serde_json::{Map, Value, json};

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
            write_target(db, target, state, columns)
                .await
                .map_err(map_write_error)?;
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
            let id = insert_target(db, target, Value::Object(state))
                .await
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
            delete_target(db, target, id)
                .await
                .map_err(map_write_error)?;
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
        crate::service::search::reindex(db, target, &[target_id]).await?;
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
