//! The `Edit` output type: a proposed change, its per-field changes, and what it points at.

use crate::error::ApiResult;
use crate::graphql::account::{User, visible_user};
use crate::graphql::context::db;
use crate::graphql::enums::{EditOperation, EditStatus, TargetType};
use crate::graphql::ids;
use crate::graphql::loaders::Loaders;
use crate::graphql::names::{camel, kind_name};
use crate::graphql::node::{Node, NodeKind, load_targets};
use crate::graphql::revision::Revision;
use crate::service::editorial::{self, LabelRequest};
use async_graphql::{Context, ID, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::edit;
use serde_json::Value;

/// One field of an edit: the value its author saw, the value proposed, and — for a
/// conflicted edit — the value it holds now.
#[derive(SimpleObject)]
pub struct EditChange {
    /// The field (camelCase, as on the target type).
    pub field: String,
    /// The value the author saw when proposing (null for a creation).
    pub from: Json<Value>,
    /// The proposed value (null to clear, or for a deletion).
    pub to: Json<Value>,
    /// While pending, the value the field holds now; for a conflicted edit, the value it held
    /// at review; otherwise null. `hasCurrent` says whether a null here is a value.
    pub current: Option<Json<Value>>,
    /// Whether `current` is reported: true when it is the field's value (null then means the
    /// field is now empty), false when there is none to report (the edit was reviewed, the
    /// target is new or gone, or the field did not conflict).
    pub has_current: bool,
}

/// A proposed change to public data, reviewed by an admin before it applies.
pub struct Edit(pub edit::Model);

/// A proposed change to public data, reviewed by an admin before it applies.
#[Object]
impl Edit {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("Edit", self.0.id)
    }

    /// The object edited (for a creation: once applied; null once deleted).
    async fn target(&self, ctx: &Context<'_>) -> ApiResult<Option<Node>> {
        let Some(id) = self.0.target_id else {
            return Ok(None);
        };
        let key = (NodeKind::Target(self.0.target_type), id);
        Ok(load_targets(ctx, &[key]).await?.pop().flatten())
    }

    /// What the edit is about, in words: "M. Butterfly (1993) · Rotten Tomatoes audience
    /// score" (for a creation, from the proposed values).
    async fn target_label(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        let request = LabelRequest {
            target_type: self.0.target_type,
            target_id: self.0.target_id,
            fallback: Some(proposed_state(&self.0.changes)),
        };
        Ok(editorial::target_labels(db(ctx)?, &[request])
            .await?
            .pop()
            .flatten())
    }

    /// The human-facing sequence number (#1, #2, …) the CLI takes and prints.
    async fn number(&self) -> i64 {
        self.0.id
    }

    /// Where the edit stands in review.
    async fn status(&self) -> EditStatus {
        self.0.status.into()
    }

    /// Create, update or delete.
    async fn operation(&self) -> EditOperation {
        self.0.operation.into()
    }

    /// The kind of object edited.
    async fn target_type(&self) -> TargetType {
        self.0.target_type.into()
    }

    /// The global id of the object edited (for a creation: once applied).
    async fn target_id(&self) -> Option<ID> {
        self.0
            .target_id
            .map(|id| ids::encode(kind_name(self.0.target_type), id))
    }

    /// Who proposed it.
    async fn author(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        visible_user(ctx, self.0.author_id).await
    }

    /// Why, in the author's words.
    async fn reason(&self) -> &str {
        &self.0.reason
    }

    /// A source backing the edit.
    async fn evidence(&self) -> Option<&str> {
        self.0.evidence.as_deref()
    }

    /// Each field changed. `current` is the value the field holds now while the edit is
    /// pending (so a reviewer sees any drift), the value it held at review when the edit
    /// conflicted, and null otherwise.
    async fn changes(&self, ctx: &Context<'_>) -> ApiResult<Vec<EditChange>> {
        let live = match (self.0.status, self.0.target_id) {
            (entity::EditStatus::Pending, Some(id)) => {
                Loaders::of(ctx)?
                    .target_state
                    .load_one((self.0.target_type, id))
                    .await?
            }
            _ => None,
        };
        let current = match self.0.status {
            entity::EditStatus::Conflicted => self.0.conflict.as_ref(),
            _ => live.as_ref(),
        }
        .and_then(Value::as_object);
        Ok(self
            .0
            .changes
            .as_object()
            .into_iter()
            .flatten()
            .map(|(field, change)| {
                let now = current.and_then(|c| c.get(field));
                EditChange {
                    field: camel(field),
                    from: Json(change.get("from").cloned().unwrap_or(Value::Null)),
                    to: Json(change.get("to").cloned().unwrap_or(Value::Null)),
                    current: now.cloned().map(Json),
                    has_current: now.is_some(),
                }
            })
            .collect())
    }

    /// Who reviewed it.
    async fn reviewer(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        let Some(id) = self.0.reviewer_id else {
            return Ok(None);
        };
        visible_user(ctx, id).await
    }

    /// The reviewer's note.
    async fn review_note(&self) -> Option<&str> {
        self.0.review_note.as_deref()
    }

    /// When it was proposed.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was reviewed.
    async fn reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.reviewed_at
    }

    /// The revision it produced, once approved.
    async fn revision(&self, ctx: &Context<'_>) -> ApiResult<Option<Revision>> {
        let Some(id) = self.0.revision_id else {
            return Ok(None);
        };
        Ok(Loaders::of(ctx)?.revision.load_one(id).await?.map(Revision))
    }
}

/// The values an edit names: each field's proposed value, or the one its author saw when the
/// proposal clears it (labels a creation not yet applied, or a target deleted since).
fn proposed_state(changes: &Value) -> Value {
    let state = changes
        .as_object()
        .into_iter()
        .flatten()
        .map(|(field, change)| {
            let to = change.get("to").filter(|v| !v.is_null());
            let value = to.or_else(|| change.get("from")).cloned();
            (field.clone(), value.unwrap_or(Value::Null))
        })
        .collect();
    Value::Object(state)
}
