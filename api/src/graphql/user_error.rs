//! Expected failures of a mutation, returned in its payload rather than as GraphQL errors.

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
