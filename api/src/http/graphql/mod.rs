//! `/graphql`, served as the GraphQL-over-HTTP specification asks, with the guards the stock
//! async-graphql integration lacks:
//!
//! - the body is read through actix's size-limited `Bytes` extractor (413 past the limit);
//! - nesting deeper than the limit is refused before the parser sees it (it would overflow);
//! - only `application/json` bodies are executed (415 otherwise: no CSRF through simple forms);
//! - GET never runs a mutation (405 with `Allow: POST`);
//! - the response type follows `Accept`, with 4xx statuses for request errors under
//!   `application/graphql-response+json`;
//! - execution is bounded in time, errors per response are capped, and any error without a
//!   public code is masked (logged whole with the request id);
//! - an `Authorization: Bearer` token is validated before execution: a bad one is refused with
//!   `UNAUTHENTICATED`, none at all runs the request anonymously.
//!
//! The WebSocket path (`socket`) serves subscriptions only, through the same document checks,
//! request context and error masking.
//!
//! `handlers` holds the routes, `request` reads and checks a request before execution, `auth`
//! reads the bearer token (HTTP header and WebSocket `connection_init` alike), `response` masks
//! and shapes what goes back.

mod auth;
mod handlers;
pub mod persisted;
mod request;
mod response;
mod socket;

pub use handlers::{get, method_not_allowed, post};
pub use request::check_document;
pub use socket::{OpenSockets, subscriptions};

use crate::auth::AuthState;
use crate::config::Limits;
use crate::config::TrustedProxies;
use crate::graphql::StingerSchema;
use crate::graphql::documents::DocumentCache;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// What the handlers share.
pub struct GraphqlState {
    pub schema: StingerSchema,
    pub db: DatabaseConnection,
    pub limits: Limits,
    pub auth: Arc<AuthState>,
    /// Parsed documents reused across requests.
    pub documents: DocumentCache,
    /// WebSockets open now, per client address.
    pub sockets: OpenSockets,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
    /// Automatic persisted queries by hash.
    pub persisted: persisted::PersistedQueries,
    /// Anonymous answers kept in process (`None` when `STINGER_READ_CACHE=off`).
    pub read_cache: Option<Arc<crate::cache::ReadCache>>,
    /// Rows behind the loaders of authenticated requests (`None` when the cache is off).
    pub row_cache: Option<Arc<crate::cache::rows::RowCache>>,
    /// The rate limits (the schema charges what it runs; a cached answer is charged here).
    pub rate_limits: Arc<crate::rate_limit::RateLimits>,
    /// Becomes `true` when the server begins to stop: open WebSockets close with 1001.
    pub stopping: tokio::sync::watch::Receiver<bool>,
}
