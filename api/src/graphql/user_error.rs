//! Expected failures of a mutation, returned in its payload rather than as GraphQL errors.

use crate::error::{ApiResult, ServiceError, code};
use async_graphql::SimpleObject;

/// Why a mutation did not do what was asked, in terms a client can show or act on.
#[derive(SimpleObject, Debug, Clone)]
pub struct UserError {
    /// The input field at fault (`input.changes.score.value`), if one is.
    pub field: Option<String>,
    /// A sentence for people.
    pub message: String,
    /// A stable code for programs (`INVALID_CREDENTIALS`, `NOT_PENDING`, `RATE_LIMITED`, …).
    pub code: String,
}

impl UserError {
    /// A user error about `field` (or the whole input when `None`).
    pub fn new(field: Option<&str>, message: impl Into<String>, code: &str) -> Self {
        Self {
            field: field.map(str::to_owned),
            message: message.into(),
            code: code.to_owned(),
        }
    }
}

impl UserError {
    /// A service failure as a user error about `field`, when it is a mistake the client can act
    /// on; authentication, permission, database and internal failures become GraphQL errors instead.
    pub fn from_service<E: ServiceError>(err: E, field: Option<String>) -> ApiResult<Self> {
        match err.code() {
            code::UNAUTHENTICATED
            | code::FORBIDDEN
            | code::INTERNAL
            | code::BUSY
            | code::SERVICE_UNAVAILABLE
            | code::TIMEOUT => Err(err.into()),
            code => Ok(Self {
                field,
                message: err.to_string(),
                code: code.to_owned(),
            }),
        }
    }
}
