//! Mutation payloads, and how an editorial failure becomes a user error or a GraphQL error.

use super::Edit;
use crate::error::{ApiResult, ServiceError};
use crate::graphql::names::camel;
use crate::graphql::user_error::UserError;
use crate::service::editorial::{EditorialError, ReviewOutcome};
use async_graphql::SimpleObject;

/// The result of `proposeEdit`.
#[derive(SimpleObject, Default)]
pub struct ProposeEditPayload {
    /// The pending edit.
    pub edit: Option<Edit>,
    /// Why it was refused, if it was.
    pub user_errors: Vec<UserError>,
}

/// The result of reviewing, withdrawing or reverting.
#[derive(SimpleObject, Default)]
pub struct EditPayload {
    /// The edit as it now stands.
    pub edit: Option<Edit>,
    /// Why it did not happen, or why it conflicted.
    pub user_errors: Vec<UserError>,
}

/// An editorial failure as a user error, its field named as in the mutation's input (`input.reason`,
/// or the changed field under `prefix`); anything the client cannot act on as a GraphQL error.
pub(super) fn user_error(err: EditorialError, prefix: &str) -> ApiResult<UserError> {
    let field = err.field().map(|f| {
        if f == "reason" || f == "evidence" || f == "note" {
            format!("input.{f}")
        } else {
            format!("{prefix}.{}", camel(f))
        }
    });
    UserError::from_service(err, field)
}

/// The payload of a review (approve, reject, revert): a conflict is a user error beside the edit.
pub(super) fn review_payload(
    result: Result<ReviewOutcome, EditorialError>,
) -> ApiResult<EditPayload> {
    match result {
        Ok(ReviewOutcome::Conflicted(edit)) => Ok(EditPayload {
            edit: Some(Edit(edit)),
            user_errors: vec![UserError::new(
                None,
                "fields changed since the author saw them; the edit was not applied",
                "CONFLICT",
            )],
        }),
        Ok(outcome) => Ok(EditPayload {
            edit: Some(Edit(outcome.edit().clone())),
            user_errors: Vec::new(),
        }),
        Err(err) => Ok(EditPayload {
            edit: None,
            user_errors: vec![user_error(err, "input")?],
        }),
    }
}

pub(super) fn not_found_edit() -> ApiResult<EditPayload> {
    Ok(EditPayload {
        edit: None,
        user_errors: vec![UserError::new(
            Some("input.editId"),
            "no such edit",
            "NOT_FOUND",
        )],
    })
}
