//! Revisions in GraphQL: one applied change to public data, its field diff, and the pages of
//! history that `Film.revisions`, `Person.revisions`, `Company.revisions` and `recentChanges`
//! return.
//!
//! What the public sees of a revision: what changed (target, version, diff), why (`reason`) and
//! when. Who proposed it, who approved it and the reviewer's note are staff-only
//! (`account::can_see_users`, `editorial::can_see`).

use super::account::{User, visible_user};
use super::context::{account, db};
use super::edit::Edit;
use super::enums::TargetType;
use super::ids;
use super::loaders::Loaders;
use super::names::{camel, kind_name};
use super::pagination::{TotalCount, decode_cursor, encode_cursor, page_size};
use crate::error::ApiResult;
use crate::service::editorial::{self, LabelRequest, RevisionScope};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{edit, revision};
use serde_json::Value;

/// One field of a revision: its value before and after.
#[derive(SimpleObject)]
pub struct FieldDiff {
    /// The field (camelCase).
    pub field: String,
    /// The value before the change (null for a creation).
    pub before: Json<Value>,
    /// The value after the change (null for a deletion).
    pub after: Json<Value>,
}

/// One applied change to public data: by an import, an approved edit, or a revert.
pub struct Revision(pub revision::Model);

#[Object]
impl Revision {
    /// Global id.
    async fn id(&self) -> ID {
        ids::encode("Revision", self.0.id)
    }

    /// The revision's number, as revert notes print it ("revert of revision 12");
    /// `revertRevision` takes it as well as the id.
    async fn number(&self) -> i64 {
        self.0.id
    }

    /// What was changed, in words: "M. Butterfly (1993) · Rotten Tomatoes audience score".
    async fn target_label(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        let request = LabelRequest {
            target_type: self.0.target_type,
            target_id: Some(self.0.target_id),
            fallback: Some(recorded_state(&self.0.diff)),
        };
        Ok(editorial::target_labels(db(ctx)?, &[request])
            .await?
            .pop()
            .flatten())
    }

    /// The object's version after this change.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The kind of object changed.
    async fn target_type(&self) -> TargetType {
        self.0.target_type.into()
    }

    /// The global id of the object changed.
    async fn target_id(&self) -> ID {
        ids::encode(kind_name(self.0.target_type), self.0.target_id)
    }

    /// Each field changed, before and after.
    async fn diff(&self) -> Vec<FieldDiff> {
        self.0
            .diff
            .as_object()
            .into_iter()
            .flatten()
            .map(|(field, change)| FieldDiff {
                field: camel(field),
                before: Json(change.get("before").cloned().unwrap_or(Value::Null)),
                after: Json(change.get("after").cloned().unwrap_or(Value::Null)),
            })
            .collect()
    }

    /// The edit that caused it, if the viewer may see that edit (admins all, editors their own,
    /// anonymous readers none); null for imports.
    async fn edit(&self, ctx: &Context<'_>) -> ApiResult<Option<Edit>> {
        Ok(self.visible_edit(ctx).await?.map(Edit))
    }

    /// The author of the edit behind it: staff only (null for anonymous readers, and for
    /// imports).
    async fn author(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        let Some(id) = self.0.edit_id else {
            return Ok(None);
        };
        let Some(edit) = Loaders::of(ctx)?.edit.load_one(id).await? else {
            return Ok(None);
        };
        visible_user(ctx, edit.author_id).await
    }

    /// The reviewer's note on the edit behind it, for those who may see that edit.
    async fn review_note(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        Ok(self.visible_edit(ctx).await?.and_then(|e| e.review_note))
    }

    /// Who applied it (the reviewer who approved the edit): staff only (null for anonymous
    /// readers, and for the system's imports).
    async fn actor(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        let Some(id) = self.0.actor_id else {
            return Ok(None);
        };
        visible_user(ctx, id).await
    }

    /// Why the change was made.
    async fn reason(&self) -> &str {
        &self.0.reason
    }

    /// When it was applied.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The edit's author approved it themselves (allowed only by configuration).
    async fn self_reviewed(&self) -> bool {
        self.0.self_reviewed
    }
}

impl Revision {
    /// The edit behind this revision, if the viewer's re-loaded account may see it.
    async fn visible_edit(&self, ctx: &Context<'_>) -> ApiResult<Option<edit::Model>> {
        let Some(id) = self.0.edit_id else {
            return Ok(None);
        };
        let Some(account) = account(ctx).await? else {
            return Ok(None);
        };
        let edit = Loaders::of(ctx)?.edit.load_one(id).await?;
        Ok(edit.filter(|e| editorial::can_see(&account, e.author_id)))
    }
}

/// A page of revisions in `scope`, newest first.
pub async fn revision_connection(
    ctx: &Context<'_>,
    scope: RevisionScope,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<Connection<String, Revision, TotalCount>> {
    let size = page_size(ctx, first)?;
    let after = after.map(|c| decode_cursor::<i64>(&c)).transpose()?;
    let limit = u64::try_from(size).unwrap_or(0) + 1;
    let (mut rows, total) = editorial::list_revisions(db(ctx)?, scope, after, limit).await?;
    let has_next = rows.len() > size;
    rows.truncate(size);
    let mut connection =
        Connection::with_additional_fields(after.is_some(), has_next, TotalCount::Known(total));
    connection.edges.extend(
        rows.into_iter()
            .map(|r| Edge::new(encode_cursor(&r.id), Revision(r))),
    );
    Ok(connection)
}

/// The values a revision's diff recorded: each field's value after the change, or before it
/// for a deletion (labels an object that no longer exists).
fn recorded_state(diff: &Value) -> Value {
    let state = diff
        .as_object()
        .into_iter()
        .flatten()
        .map(|(field, change)| {
            let after = change.get("after").filter(|v| !v.is_null());
            let value = after.or_else(|| change.get("before")).cloned();
            (field.clone(), value.unwrap_or(Value::Null))
        })
        .collect();
    Value::Object(state)
}
