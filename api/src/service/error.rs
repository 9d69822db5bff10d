//! The one error trait every service error implements: a stable code and the input field at
//! fault, from which the edges (GraphQL errors and user errors, CLI exit codes) map it once.

use std::sync::Arc;

/// The codes every edge knows (`extensions.code`, `userErrors[].code`, CLI exit codes).
pub mod code {
    /// The arguments cannot be used (a mistake the client can correct).
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    /// The object asked for does not exist.
    pub const NOT_FOUND: &str = "NOT_FOUND";
    /// No valid access token.
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    /// The account may not do this.
    pub const FORBIDDEN: &str = "FORBIDDEN";
    /// Not the client's doing: logged whole, masked for clients.
    pub const INTERNAL: &str = "INTERNAL";
    /// The document is not GraphQL.
    pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The document does not fit the schema (or names no operation that can run).
    pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    /// The request is beyond a limit (depth, cost, size, errors per response).
    pub const LIMIT_EXCEEDED: &str = "LIMIT_EXCEEDED";
    /// The request ran longer than allowed.
    pub const TIMEOUT: &str = "TIMEOUT";
    /// The database is busy with a conflicting change (a held lock, a concurrent writer): retry.
    pub const BUSY: &str = "BUSY";
    /// The database cannot be reached or has no free connection: retry shortly (HTTP 503).
    pub const SERVICE_UNAVAILABLE: &str = "SERVICE_UNAVAILABLE";
    /// The client or account sent more than its rate limit allows; retry later.
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
}

/// What every service error tells the edge. Its `Display` is the message for people.
pub trait ServiceError: std::error::Error + Send + Sync + 'static {
    /// A stable code: [`code::UNAUTHENTICATED`], [`code::FORBIDDEN`], [`code::NOT_FOUND`],
    /// [`code::INTERNAL`] (not the client's doing), or the service's own code for a mistake
    /// the client can correct (`INVALID`, `USERNAME_TAKEN`, `NOT_PENDING`, …).
    fn code(&self) -> &'static str;

    /// The snake_case input field at fault, if one is.
    fn field(&self) -> Option<&str> {
        None
    }
}

impl ServiceError for sea_orm::DbErr {
    fn code(&self) -> &'static str {
        crate::db::fault::code_of(self)
    }
}

/// A DataLoader's shared error.
impl ServiceError for Arc<sea_orm::DbErr> {
    fn code(&self) -> &'static str {
        crate::db::fault::code_of(self)
    }
}
