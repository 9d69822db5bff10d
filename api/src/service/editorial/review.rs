//! Reviewing: approving (the only way an edit reaches public data), rejecting, and the
//! author withdrawing their own pending edit.

use super::apply::{Applied, apply, next_version};
use super::history::{film_of_edit, is_film_part};
use super::rules::check_reason;
use super::targets::{current_state, same};
use super::{EditorialError, EditorialSettings, ReviewOutcome};
use crate::cache::tags::Touched;
use crate::service::account::AccountError;
use crate::service::events::{Event, Events, Notified};
use chrono::{DateTime, Utc};
use entity::{EditOperation, EditStatus, Role, TargetType, edit, revision, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    Set, TransactionSession, TransactionTrait,
};
use serde_json::{Map, Value, json};

/// Withdraws the author's own pending edit, and publishes its new state through `events`.
pub async fn withdraw(
    db: &impl ConnectionTrait,
    events: &Events,
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
        events.publish(db, Event::of_edit(&edit)).await?;
        Ok(edit)
    } else {
        Err(EditorialError::NotPending(edit.status))
    }
}

/// Approves a pending edit in one transaction: claim it, lock the target, compare each field
/// with the value the author saw; on any difference mark it CONFLICTED (keeping the current
/// values), else apply it, bump `version`, write the revision and mark it APPROVED. An edit
/// that is not pending is left alone (`NotPending`). The edit's new state is published through
/// `events`: sent in the transaction, broadcast in process once it commits. The API and the CLI
/// both call this.
#[tracing::instrument(skip(db, events, settings, reviewer, note), fields(reviewer = reviewer.id))]
pub async fn approve<C>(
    db: &C,
    events: &Events,
    settings: EditorialSettings,
    reviewer: &user::Model,
    edit_id: i64,
    note: Option<String>,
) -> Result<ReviewOutcome, EditorialError>
where
    C: ConnectionTrait + TransactionTrait,
{
    check_review(reviewer, note.as_deref())?;
    let txn = db.begin().await?;
    match approve_in(&txn, events, settings, reviewer, edit_id, note).await {
        Ok((outcome, notified)) => {
            txn.commit().await?;
            events.committed(notified);
            tracing::info!(edit = edit_id, outcome = ?outcome.edit().status, "edit reviewed");
            Ok(outcome)
        }
        Err(err) => {
            txn.rollback().await?;
            Err(err)
        }
    }
}

/// Only admins review, and a review note obeys the same limits as a reason.
fn check_review(reviewer: &user::Model, note: Option<&str>) -> Result<(), EditorialError> {
    if reviewer.role != Role::Admin {
        return Err(AccountError::Forbidden("only admins review edits".to_owned()).into());
    }
    if let Some(note) = note {
        check_reason("note", note, false)?;
    }
    Ok(())
}

/// Claims a pending edit for this transaction (marking it approved, to be corrected if it
/// conflicts); an edit that is not pending is left alone.
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

/// The approval itself, inside the transaction `approve` opened, each step a function; the
/// event it publishes is sent in the transaction and broadcast by `approve` after the commit.
async fn approve_in<C: ConnectionTrait>(
    db: &C,
    events: &Events,
    settings: EditorialSettings,
    reviewer: &user::Model,
    edit_id: i64,
    note: Option<String>,
) -> Result<(ReviewOutcome, Notified), EditorialError> {
    let edit = claim(db, edit_id).await?;
    let self_reviewed = check_reviewer(&edit, reviewer, settings)?;
    let now = Utc::now();
    let current = lock_target(db, &edit).await?;
    let conflict = conflicts(&edit, current.as_ref());
    if !conflict.is_empty() {
        let edit = mark_conflicted(db, edit, reviewer, note, conflict, now).await?;
        let notified = events.notify(db, Event::of_edit(&edit)).await?;
        return Ok((ReviewOutcome::Conflicted(edit), notified));
    }
    let version = next_version(current.as_ref());
    let film = film_of_edit(&edit, current.as_ref());
    let changed = touched(&edit, current.as_ref());
    let applied = apply(db, &edit, current, version, now).await?;
    let revision = write_revision(db, &edit, reviewer, &applied, film, self_reviewed, now).await?;
    reindex_search(db, edit.target_type, applied.target_id).await?;
    let edit = mark_approved(db, edit, reviewer, note, &applied, revision.id, now).await?;
    let changed =
        changed.unwrap_or_else(|| Touched::of_change(edit.target_type, applied.target_id));
    let notified = events
        .notify(db, Event::of_edit(&edit))
        .await?
        .and(events.notify(db, Event::Changed(changed)).await?);
    Ok((ReviewOutcome::Applied(edit), notified))
}

/// What approving `edit` on `current` touches, for the read caches, when the target is one of a
/// film's parts: every film, person and company it links before or after (`None` for a film,
/// person or company, named by its id once applied).
fn touched(edit: &edit::Model, current: Option<&Value>) -> Option<Touched> {
    if !is_film_part(edit.target_type) {
        return None;
    }
    let linked = |columns: &[&str]| -> Vec<i64> {
        columns
            .iter()
            .flat_map(|column| {
                let before = current.and_then(|state| state.get(*column));
                let after = edit.changes.get(*column).and_then(|c| c.get("to"));
                [before, after]
            })
            .flatten()
            .filter_map(Value::as_i64)
            .collect()
    };
    Some(Touched::of_part(
        &linked(&["film_id", "teases_film_id"]),
        &linked(&["person_id"]),
        &linked(&["company_id"]),
    ))
}

/// Four eyes: an author approves their own edit only where the settings allow it. Returns
/// whether this is a self-review (the revision records it).
fn check_reviewer(
    edit: &edit::Model,
    reviewer: &user::Model,
    settings: EditorialSettings,
) -> Result<bool, EditorialError> {
    let self_reviewed = edit.author_id == reviewer.id;
    if self_reviewed && !settings.allow_self_review {
        return Err(EditorialError::SelfReview);
    }
    Ok(self_reviewed)
}

/// The target's current state, locked for the rest of the transaction; `None` for a creation
/// or a target deleted since the edit was proposed.
async fn lock_target<C: ConnectionTrait>(
    db: &C,
    edit: &edit::Model,
) -> Result<Option<Value>, DbErr> {
    match edit.target_id {
        Some(id) => current_state(db, edit.target_type, id, true).await,
        None => Ok(None),
    }
}

/// Field-level conflicts: each field the edit changes whose value is no longer the one its
/// author saw, with the value it holds now (`_deleted` when the target is gone). Fields the
/// edit does not touch never conflict.
fn conflicts(edit: &edit::Model, current: Option<&Value>) -> Map<String, Value> {
    let mut conflict = Map::new();
    match (&edit.operation, current) {
        (EditOperation::Create, _) => {}
        (_, None) => {
            conflict.insert("_deleted".to_owned(), json!(true));
        }
        (_, Some(current)) => {
            for (field, change) in edit.changes.as_object().into_iter().flatten() {
                let seen = change.get("from").unwrap_or(&Value::Null);
                let now_value = current.get(field).unwrap_or(&Value::Null);
                if !same(seen, now_value) {
                    conflict.insert(field.clone(), now_value.clone());
                }
            }
        }
    }
    conflict
}

/// Marks the edit CONFLICTED, keeping the values that differ, with the reviewer and note.
async fn mark_conflicted<C: ConnectionTrait>(
    db: &C,
    edit: edit::Model,
    reviewer: &user::Model,
    note: Option<String>,
    conflict: Map<String, Value>,
    now: DateTime<Utc>,
) -> Result<edit::Model, DbErr> {
    let mut model: edit::ActiveModel = edit.into();
    model.status = Set(EditStatus::Conflicted);
    model.conflict = Set(Some(Value::Object(conflict)));
    model.reviewer_id = Set(Some(reviewer.id));
    model.review_note = Set(note);
    model.reviewed_at = Set(Some(now));
    model.update(db).await
}

/// Records the applied change as a revision of its target.
async fn write_revision<C: ConnectionTrait>(
    db: &C,
    edit: &edit::Model,
    reviewer: &user::Model,
    applied: &Applied,
    film: Option<i64>,
    self_reviewed: bool,
    now: DateTime<Utc>,
) -> Result<revision::Model, DbErr> {
    revision::ActiveModel {
        target_type: Set(edit.target_type),
        target_id: Set(applied.target_id),
        version: Set(i32::try_from(applied.version).unwrap_or(i32::MAX)),
        diff: Set(Value::Object(applied.diff.clone())),
        edit_id: Set(Some(edit.id)),
        actor_id: Set(Some(reviewer.id)),
        reason: Set(edit.reason.clone()),
        self_reviewed: Set(self_reviewed),
        created_at: Set(now),
        film_id: Set(film),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Names are searchable: keeps the search index in step, inside the same transaction.
async fn reindex_search<C: ConnectionTrait>(
    db: &C,
    target: TargetType,
    id: i64,
) -> Result<(), DbErr> {
    if matches!(
        target,
        TargetType::Film | TargetType::Person | TargetType::Company
    ) {
        crate::service::search::reindex(db, target, &[id]).await?;
    }
    Ok(())
}

/// Marks the edit APPROVED with its target (new for a creation), reviewer, note and revision.
async fn mark_approved<C: ConnectionTrait>(
    db: &C,
    edit: edit::Model,
    reviewer: &user::Model,
    note: Option<String>,
    applied: &Applied,
    revision_id: i64,
    now: DateTime<Utc>,
) -> Result<edit::Model, DbErr> {
    let mut model: edit::ActiveModel = edit.into();
    model.status = Set(EditStatus::Approved);
    model.target_id = Set(Some(applied.target_id));
    model.reviewer_id = Set(Some(reviewer.id));
    model.review_note = Set(note);
    model.reviewed_at = Set(Some(now));
    model.revision_id = Set(Some(revision_id));
    model.updated_at = Set(now);
    model.update(db).await
}

/// Rejects a pending edit with a note, and publishes its new state through `events`.
pub async fn reject(
    db: &impl ConnectionTrait,
    events: &Events,
    reviewer: &user::Model,
    edit_id: i64,
    note: Option<String>,
) -> Result<ReviewOutcome, EditorialError> {
    check_review(reviewer, note.as_deref())?;
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
        events.publish(db, Event::of_edit(&edit)).await?;
        tracing::info!(edit = edit_id, reviewer = reviewer.id, "edit rejected");
        Ok(ReviewOutcome::Rejected(edit))
    } else {
        Err(EditorialError::NotPending(edit.status))
    }
}
