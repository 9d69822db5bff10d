//! The history of public data: pages of revisions, and reverting one.

use super::fields::{diffable, shorthands};
use super::{EditorialError, EditorialSettings, Proposal, ReviewOutcome, approve, propose};
use crate::service::account::AccountError;
use crate::service::events::Events;
use entity::{EditOperation, Role, TargetType, edit, revision, user};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use serde_json::{Map, Value};

/// Whose revisions a page lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevisionScope {
    /// Every revision.
    All,
    /// The revisions of one object.
    Object(TargetType, i64),
    /// The revisions of one film and of its parts (scores, credits, trivia, credit scenes,
    /// company roles).
    FilmWithParts(i64),
}

/// A page of revisions in `scope`, newest first, with how many there are in all.
pub async fn list_revisions(
    db: &impl ConnectionTrait,
    scope: RevisionScope,
    after: Option<i64>,
    limit: u64,
) -> Result<(Vec<revision::Model>, u64), DbErr> {
    let object = |target_type: TargetType, id: i64| {
        Condition::all()
            .add(revision::Column::TargetType.eq(target_type))
            .add(revision::Column::TargetId.eq(id))
    };
    let mut condition = match scope {
        RevisionScope::All => Condition::all(),
        RevisionScope::Object(target_type, id) => object(target_type, id),
        RevisionScope::FilmWithParts(id) => Condition::any()
            .add(object(TargetType::Film, id))
            .add(revision::Column::FilmId.eq(id)),
    };
    let total = revision::Entity::find()
        .filter(condition.clone())
        .count(db)
        .await?;
    if let Some(after) = after {
        condition = Condition::all()
            .add(condition)
            .add(revision::Column::Id.lt(after));
    }
    let rows = revision::Entity::find()
        .filter(condition)
        .order_by_desc(revision::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    Ok((rows, total))
}

/// Whether objects of kind `target` are parts of a film: scores, credits, trivia questions,
/// credit scenes and company roles.
pub(super) fn is_film_part(target: TargetType) -> bool {
    match target {
        TargetType::Score
        | TargetType::Credit
        | TargetType::Trivia
        | TargetType::CreditScene
        | TargetType::FilmCompany => true,
        TargetType::Film | TargetType::Person | TargetType::Company => false,
    }
}

/// The film an object of kind `target` with state `state` (its row as JSON) is a part of.
pub fn film_of_part(target: TargetType, state: &Value) -> Option<i64> {
    is_film_part(target)
        .then(|| state.get("film_id").and_then(Value::as_i64))
        .flatten()
}

/// The film the revision an approved `edit` writes belongs to (see [`film_of_part`]): the
/// film it proposes, else the one its target (`current`) belongs to.
pub(super) fn film_of_edit(edit: &edit::Model, current: Option<&Value>) -> Option<i64> {
    let proposed = edit
        .changes
        .get("film_id")
        .and_then(|c| c.get("to"))
        .and_then(Value::as_i64)
        .filter(|_| is_film_part(edit.target_type));
    proposed.or_else(|| current.and_then(|state| film_of_part(edit.target_type, state)))
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
        // Revisions older than a shorthand's fields record the shorthand: `propose` expands it.
        let mut diff = revision.diff.clone();
        let old: Vec<(String, Value)> = shorthands(revision.target_type)
            .iter()
            .filter_map(|s| Some((s.name.to_owned(), diff.get(s.name)?.clone())))
            .collect();
        let fields: Map<String, Value> = diffable(revision.target_type, diff.take())
            .into_iter()
            .chain(old)
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
