//! Per-request accessors: what a resolver takes from the GraphQL context (the database, the
//! authentication state, the viewer, the editorial settings, where events go). A leaf module: every domain file
//! imports it and it imports none of them, so the domain files no longer reach each other
//! through `schema.rs`. (The request's DataLoaders come from `Loaders::of`, beside their type.)

use crate::auth::{AuthState, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::service::editorial::EditorialSettings;
use crate::service::events::{EditEventHub, Events};
use async_graphql::Context;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// The database connection of the schema.
pub fn db<'a>(ctx: &Context<'a>) -> ApiResult<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
        .map_err(|_| ApiError::internal(anyhow::anyhow!("the schema has no database")))
}

/// The shared authentication state.
pub fn auth<'a>(ctx: &Context<'a>) -> ApiResult<&'a AuthState> {
    ctx.data::<Arc<AuthState>>()
        .map(|a| a.as_ref())
        .map_err(|_| ApiError::internal(anyhow::anyhow!("the schema has no auth state")))
}

/// The viewer of the request, if a valid access token came with it.
pub fn viewer<'a>(ctx: &Context<'a>) -> Option<&'a Viewer> {
    ctx.data_opt::<Viewer>()
}

/// The editorial settings of the schema (the defaults when it has none).
pub fn settings(ctx: &Context<'_>) -> EditorialSettings {
    ctx.data_opt::<EditorialSettings>()
        .copied()
        .unwrap_or_default()
}

/// Where the services publish the events of this request's changes: through the database, and
/// to this process's subscribers when the schema has an event hub.
pub fn events(ctx: &Context<'_>) -> Events {
    ctx.data_opt::<Arc<EditEventHub>>()
        .cloned()
        .map_or_else(Events::database_only, Events::with_hub)
}
