//! Errors at the GraphQL edge. Every service error implements [`ServiceError`] (a stable code,
//! the input field at fault) and becomes an [`ApiError`] or a [`UserError`](crate::graphql::user_error::UserError)
//! by the one mapping here. Internal errors reach clients as a generic message with the request
//! id, and reach the log whole (`http::graphql::response::mask`).

pub use crate::service::error::{ServiceError, code};
use async_graphql::{ErrorExtensions, ServerError, Value};
use std::sync::Arc;

/// The code of a masked internal error.
pub const INTERNAL: &str = code::INTERNAL;

/// The codes that may reach a client with their message; anything else is masked.
pub const PUBLIC_CODES: &[&str] = &[
    code::BAD_USER_INPUT,
    code::NOT_FOUND,
    code::UNAUTHENTICATED,
    code::FORBIDDEN,
    code::GRAPHQL_PARSE_FAILED,
    code::GRAPHQL_VALIDATION_FAILED,
    code::LIMIT_EXCEEDED,
    code::TIMEOUT,
    code::RATE_LIMITED,
    code::BUSY,
    code::SERVICE_UNAVAILABLE,
];

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
    /// `BUSY`, `SERVICE_UNAVAILABLE` or `TIMEOUT`: the database failed in a way the client can
    /// retry; a fixed message (the cause was logged).
    DatabaseFault(&'static str),
    /// `INTERNAL`: anything else; the message is masked before it reaches a client.
    Internal(Arc<anyhow::Error>),
}

impl ApiError {
    /// An internal error: logged whole, masked for clients.
    pub fn internal(err: anyhow::Error) -> Self {
        Self::Internal(Arc::new(err))
    }

    /// The `extensions.code` clients see.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadInput(_) => code::BAD_USER_INPUT,
            Self::NotFound(_) => code::NOT_FOUND,
            Self::Unauthenticated => code::UNAUTHENTICATED,
            Self::Forbidden(_) => code::FORBIDDEN,
            Self::DatabaseFault(code) => code,
            Self::Internal(_) => code::INTERNAL,
        }
    }
}

/// The one mapping of a service error to a GraphQL error: by its code, a correctable mistake
/// being `BAD_USER_INPUT` with the service's message.
impl<E: ServiceError> From<E> for ApiError {
    fn from(err: E) -> Self {
        match err.code() {
            code::UNAUTHENTICATED => Self::Unauthenticated,
            code::FORBIDDEN => Self::Forbidden(err.to_string()),
            code::NOT_FOUND => Self::NotFound(err.to_string()),
            code::INTERNAL => Self::internal(anyhow::Error::new(err)),
            fault @ (code::BUSY | code::SERVICE_UNAVAILABLE | code::TIMEOUT) => {
                tracing::warn!(code = fault, error = %format!("{:#}", anyhow::Error::new(err)), "database fault");
                Self::DatabaseFault(fault)
            }
            _ => Self::BadInput(err.to_string()),
        }
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        let message = match self {
            // The real cause goes to the log when the response is masked (see `http::graphql`).
            Self::Internal(err) => format!("{err:#}"),
            Self::Unauthenticated => "authentication required".to_owned(),
            Self::DatabaseFault(code) => crate::db::fault::public_message(code).to_owned(),
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

/// A GraphQL error with `extensions.code`.
pub fn coded_error(message: impl Into<String>, code: &str) -> ServerError {
    with_code(ServerError::new(message, None), code)
}

/// `error` with `extensions.code` set to `code`.
pub fn with_code(mut error: ServerError, code: &str) -> ServerError {
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    error
}

/// The code a GraphQL error carries, if any.
pub fn error_code(error: &ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        Value::String(code) => Some(code),
        _ => None,
    }
}
