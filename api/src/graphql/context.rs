//! Per-request accessors: what a resolver takes from the GraphQL context (the database, the
//! authentication state, the viewer, the editorial settings, where events go). A leaf module: every domain file
//! imports it and it imports none of them, so the domain files no longer reach each other
//! through `schema.rs`. (The request's DataLoaders come from `Loaders::of`, beside their type.)

use crate::auth::{AuthState, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::service::account::{self, AccountError};
use crate::service::editorial::EditorialSettings;
use crate::service::events::{EditEventHub, Events};
use async_graphql::Context;
use entity::user;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use tokio::sync::OnceCell;

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

/// Where an operation keeps the viewer's account once re-loaded (see [`account`]); every
/// operation gets an empty one.
#[derive(Debug, Default)]
pub struct AccountSlot(OnceCell<Option<user::Model>>);

/// The viewer's account as the database has it now, loaded at most once per operation: `None`
/// when anonymous, or when the account is gone, disabled, or its role changed since the token
/// was issued. Every read that decides who may see what asks this, never the token's role.
pub async fn account(ctx: &Context<'_>) -> ApiResult<Option<user::Model>> {
    let load = || async {
        match account::authorize(db(ctx)?, viewer(ctx), entity::Role::Editor).await {
            Ok(user) => Ok(Some(user)),
            Err(AccountError::Unauthenticated | AccountError::Forbidden(_)) => Ok(None),
            Err(err) => Err(ApiError::from(err)),
        }
    };
    match ctx.data_opt::<AccountSlot>() {
        Some(slot) => slot.0.get_or_try_init(load).await.cloned(),
        None => load().await,
    }
}

/// How many password checks (`login`, `changePassword`) this request has asked for: aliased
/// fields beyond the limit are refused without a check.
#[derive(Debug, Default)]
pub struct PasswordChecks(std::sync::atomic::AtomicUsize);

/// Counts a password check of this request; `false` when it is one too many
/// (`throttle::MAX_PASSWORD_CHECKS_PER_REQUEST`). Without a counter (no request context) every
/// check is allowed: the throttle still counts it.
pub fn password_check_allowed(ctx: &Context<'_>) -> bool {
    ctx.data_opt::<PasswordChecks>().is_none_or(|checks| {
        checks.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            < crate::auth::throttle::MAX_PASSWORD_CHECKS_PER_REQUEST
    })
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
