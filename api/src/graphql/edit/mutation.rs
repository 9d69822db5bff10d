//! `proposeEdit`, `withdrawEdit`, `approveEdit`, `rejectEdit` and `revertRevision`.

use super::payload::{not_found_edit, review_payload, user_error};
use super::{
    Edit, EditPayload, ProposeEditInput, ProposeEditPayload, RevertRevisionInput, ReviewEditInput,
    WithdrawEditInput, edit_number,
};
use crate::error::ApiResult;
use crate::graphql::context::{db, events, settings, viewer};
use crate::graphql::ids;
use crate::graphql::names::target_of_kind;
use crate::graphql::user_error::UserError;
use crate::service::account;
use crate::service::editorial::{self, Proposal};
use async_graphql::{Context, ID, Object};
use sea_orm::DatabaseConnection;
use serde_json::Map;

/// What an action on an edit needs: the database, the viewer's account (holding at least
/// `role`), and the number of the edit `edit_id` names; `Err` is the payload answering an id
/// that names no edit.
async fn acting_on_edit<'c>(
    ctx: &Context<'c>,
    role: entity::Role,
    edit_id: &ID,
) -> ApiResult<Result<(&'c DatabaseConnection, entity::user::Model, i64), EditPayload>> {
    let db = db(ctx)?;
    let account = account::authorize(db, viewer(ctx), role).await?;
    Ok(match edit_number(edit_id) {
        Some(number) => Ok((db, account, number)),
        None => Err(not_found_edit()?),
    })
}

/// Mutations of the editorial workflow.
#[derive(Default)]
pub struct EditMutation;

#[Object]
impl EditMutation {
    /// Proposes a change. Nothing reaches the public data until an admin approves it.
    async fn propose_edit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal.")] input: ProposeEditInput,
    ) -> ApiResult<ProposeEditPayload> {
        let db = db(ctx)?;
        let author = account::authorize(db, viewer(ctx), entity::Role::Editor).await?;
        let refuse = |field: &str, message: &str, code: &str| {
            Ok(ProposeEditPayload {
                edit: None,
                user_errors: vec![UserError::new(Some(field), message, code)],
            })
        };
        let target = match &input.target_id {
            Some(id) => {
                match ids::decode(id).and_then(|(kind, n)| Some((target_of_kind(&kind)?, n))) {
                    Some(target) => Some(target),
                    None => {
                        return refuse(
                            "input.targetId",
                            "not the id of an editable object",
                            "INVALID",
                        );
                    }
                }
            }
            None => None,
        };
        let (target_type, prefix, fields) = match input.changes {
            Some(changes) => {
                let (target_type, name, fields) = changes.split()?;
                (Some(target_type), format!("input.changes.{name}"), fields)
            }
            None => (None, "input.changes".to_owned(), Map::new()),
        };
        let target_type = match (target_type, target) {
            (Some(t), Some((k, _))) if t != k => {
                return refuse(
                    "input.changes",
                    "the changes are for another kind of object than `targetId`",
                    "INVALID",
                );
            }
            (Some(t), _) | (None, Some((t, _))) => t,
            (None, None) => {
                return refuse("input.changes", "say what to change", "INVALID");
            }
        };
        let operation: entity::EditOperation = input.operation.into();
        if operation != entity::EditOperation::Delete && fields.is_empty() {
            return refuse(&prefix, "give at least one field to change", "NO_CHANGES");
        }
        let proposal = Proposal {
            operation,
            target_type,
            target_id: target.map(|(_, id)| id),
            fields,
            reason: input.reason,
            evidence: input.evidence,
        };
        match editorial::propose(db, &events(ctx), &author, proposal).await {
            Ok(edit) => Ok(ProposeEditPayload {
                edit: Some(Edit(edit)),
                user_errors: Vec::new(),
            }),
            Err(err) => Ok(ProposeEditPayload {
                edit: None,
                user_errors: vec![user_error(err, &prefix)?],
            }),
        }
    }

    /// Withdraws one of the viewer's own pending edits.
    async fn withdraw_edit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The edit to withdraw.")] input: WithdrawEditInput,
    ) -> ApiResult<EditPayload> {
        let (db, author, number) =
            match acting_on_edit(ctx, entity::Role::Editor, &input.edit_id).await? {
                Ok(acting) => acting,
                Err(not_found) => return Ok(not_found),
            };
        match editorial::withdraw(db, &events(ctx), &author, number).await {
            Ok(edit) => Ok(EditPayload {
                edit: Some(Edit(edit)),
                user_errors: Vec::new(),
            }),
            Err(err) => Ok(EditPayload {
                edit: None,
                user_errors: vec![user_error(err, "input")?],
            }),
        }
    }

    /// Approves a pending edit (admins): applies it in one transaction, or marks it
    /// conflicted when a field it changes no longer holds the value its author saw.
    async fn approve_edit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The edit and a note.")] input: ReviewEditInput,
    ) -> ApiResult<EditPayload> {
        let (db, reviewer, number) =
            match acting_on_edit(ctx, entity::Role::Admin, &input.edit_id).await? {
                Ok(acting) => acting,
                Err(not_found) => return Ok(not_found),
            };
        let approved = editorial::approve(
            db,
            &events(ctx),
            settings(ctx),
            &reviewer,
            number,
            input.note,
        )
        .await;
        review_payload(approved)
    }

    /// Rejects a pending edit (admins) with a note.
    async fn reject_edit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The edit and a note.")] input: ReviewEditInput,
    ) -> ApiResult<EditPayload> {
        let (db, reviewer, number) =
            match acting_on_edit(ctx, entity::Role::Admin, &input.edit_id).await? {
                Ok(acting) => acting,
                Err(not_found) => return Ok(not_found),
            };
        review_payload(editorial::reject(db, &events(ctx), &reviewer, number, input.note).await)
    }

    /// Undoes a revision (admins): an edit restoring its earlier values, approved at once
    /// through the same path as any edit (so it conflicts if those fields changed since).
    async fn revert_revision(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The revision and why.")] input: RevertRevisionInput,
    ) -> ApiResult<EditPayload> {
        let db = db(ctx)?;
        let admin = account::authorize(db, viewer(ctx), entity::Role::Admin).await?;
        let id = ids::decode_kind(&input.revision_id, "Revision")
            .or_else(|| input.revision_id.trim_start_matches('#').parse().ok());
        let Some(id) = id else {
            return Ok(EditPayload {
                edit: None,
                user_errors: vec![UserError::new(
                    Some("input.revisionId"),
                    "no such revision",
                    "NOT_FOUND",
                )],
            });
        };
        review_payload(editorial::revert(db, &events(ctx), &admin, id, input.reason).await)
    }
}
