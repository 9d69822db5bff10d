//! The API's error type, mapped once to GraphQL error codes. Internal errors reach clients as
//! a generic message with the request id, and reach the log whole.

use async_graphql::ErrorExtensions;

/// An error a resolver can return. It deliberately has no `Display`: async-graphql turns any
/// `Display` type into an error without a code, and every error here must carry one.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// `BAD_USER_INPUT` (HTTP 200 with the error): the arguments cannot be used.
    BadInput(String),
    /// `NOT_FOUND`: the object asked for does not exist.
    NotFound(String),
    /// `UNAUTHENTICATED`: no valid access token.
    Unauthenticated,
    /// `FORBIDDEN`: the account may not do this.
    Forbidden(String),
    /// `INTERNAL`: anything else; the message is masked before it reaches a client.
    Internal(std::sync::Arc<anyhow::Error>),
}

impl ApiError {
    /// An internal error: logged whole, masked for clients.
    pub fn internal(err: anyhow::Error) -> Self {
        Self::Internal(std::sync::Arc::new(err))
    }

    /// The `extensions.code` clients see.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadInput(_) => "BAD_USER_INPUT",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::Internal(_) => INTERNAL,
        }
    }
}

/// The code of a masked internal error.
pub const INTERNAL: &str = "INTERNAL";

/// The codes that may reach a client with their message; anything else is masked.
pub const PUBLIC_CODES: &[&str] = &[
    "BAD_USER_INPUT",
    "NOT_FOUND",
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "LIMIT_EXCEEDED",
    "TIMEOUT",
];

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::internal(anyhow::Error::new(err).context("database query failed"))
    }
}

impl From<std::sync::Arc<sea_orm::DbErr>> for ApiError {
    fn from(err: std::sync::Arc<sea_orm::DbErr>) -> Self {
        Self::internal(anyhow::anyhow!("database query failed: {err}"))
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        let message = match self {
            // The real cause goes to the log when the response is masked (see `http::graphql`).
            Self::Internal(err) => format!("{err:#}"),
            Self::Unauthenticated => "authentication required".to_owned(),
            Self::BadInput(m) | Self::NotFound(m) | Self::Forbidden(m) => m.clone(),
        };
        async_graphql::Error::new(message).extend_with(|_, e| e.set("code", self.code()))
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        err.extend()
    }
}

/// A result whose error becomes a GraphQL error.
pub type ApiResult<T> = Result<T, ApiError>;

impl From<crate::service::listing::ListError> for ApiError {
    fn from(err: crate::service::listing::ListError) -> Self {
        match err {
            crate::service::listing::ListError::ForeignCursor => {
                Self::BadInput("`after` is a cursor of another list or ordering".to_owned())
            }
            crate::service::listing::ListError::Db(err) => err.into(),
        }
    }
}
