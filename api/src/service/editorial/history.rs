//! The history of public data: pages of revisions, and reverting one.

use super::fields::diffable;
use super::{EditorialError, EditorialSettings, Proposal, ReviewOutcome, approve, propose};
use crate::service::account::AccountError;
use crate::service::events::Events;
use entity::{EditOperation, Role, TargetType, revision, user};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use serde_json::{Map, Value};

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

/// Reverts a revision: proposes an edit restoring its `before` values (as seen now) — for a
/// creation, deleting the object — and approves it through [`approve`], so the revert is
/// itself reviewed, recorded and conflict-checked; both steps publish through `events`.
pub async fn revert<C>(
    db: &C,
    events: &Events,
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
    let proposal = if is_creation(&revision) {
        // Undoing a creation (an import's film, person or company, or an approved creation)
        // deletes what it created; a film's rows go with it.
        Proposal {
            operation: EditOperation::Delete,
            target_type: revision.target_type,
            target_id: Some(revision.target_id),
            fields: Map::new(),
            reason,
            evidence: None,
        }
    } else {
        let fields: Map<String, Value> = diffable(revision.target_type, revision.diff.clone())
            .into_iter()
            .map(|(field, change)| {
                let before = change.get("before").cloned().unwrap_or(Value::Null);
                (field, before)
            })
            .collect();
        Proposal {
            operation: EditOperation::Update,
            target_type: revision.target_type,
            target_id: Some(revision.target_id),
            fields,
            reason,
            evidence: None,
        }
    };
    let edit = propose(db, events, admin, proposal).await?;
    // A revert is an admin's own act: it does not need a second pair of eyes.
    let settings = EditorialSettings {
        allow_self_review: true,
    };
    approve(
        db,
        events,
        settings,
        admin,
        edit.id,
        Some(format!("revert of revision {revision_id}")),
    )
    .await
}

/// Did this revision create its object (first version, every field from nothing)?
fn is_creation(revision: &revision::Model) -> bool {
    revision.version == 1
        && match &revision.diff {
            Value::Object(diff) => diff
                .values()
                .all(|change| change.get("before").is_none_or(Value::is_null)),
            _ => false,
        }
}
