//! Proposing an edit: a pending edit that records, per field, the value its author saw and
//! the value proposed.

use super::fields::{defaults_on_create, diffable};
use super::rules::{check_reason, check_references, check_url, missing_on_create, validate};
use super::targets::{current_state, same};
use super::{EditorialError, Proposal};
use crate::service::events::{Event, Events};
use chrono::Utc;
use entity::{EditOperation, EditStatus, edit, user};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::{Map, Value, json};

/// Records a proposal as a pending edit. For each field the edit keeps the value the author
/// saw (the current value now) and the proposed one, and publishes it through `events`.
#[tracing::instrument(skip(db, events, proposal), fields(target = ?proposal.target_type, target_id = ?proposal.target_id))]
pub async fn propose(
    db: &impl ConnectionTrait,
    events: &Events,
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
            check_references(db, proposal.target_type, &proposal.fields).await?;
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
            if let Some(field) = missing_on_create(proposal.target_type, &proposal.fields) {
                return Err(EditorialError::invalid(
                    field,
                    format!("`{field}` is required to create this object"),
                ));
            }
            check_references(db, proposal.target_type, &proposal.fields).await?;
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
            // The version is kept too: a deletion conflicts with any change made meanwhile.
            let version = current.get("version").cloned().unwrap_or(Value::Null);
            changes.insert("version".to_owned(), json!({"from": version, "to": null}));
            for (field, from) in diffable(proposal.target_type, current) {
                changes.insert(field, json!({"from": from, "to": null}));
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
    events.publish(db, Event::of_edit(&edit)).await?;
    tracing::info!(edit = edit.id, author = author.id, "edit proposed");
    Ok(edit)
}
