//! The schema: every domain's queries merged, with the limits from the configuration.

use super::account::{AccountMutation, AccountQuery};
use super::company::CompanyQuery;
use super::edit::{EditMutation, EditQuery, EditSubscription};
use super::error_kinds::ErrorKinds;
use super::film::FilmQuery;
use super::node::NodeQuery;
use super::person::PersonQuery;
use super::search::SearchQuery;
use crate::auth::AuthState;
use crate::config::Limits;
use crate::rate_limit::RateLimits;
use crate::service::editorial::EditorialSettings;
use crate::service::events::EditEventHub;
use async_graphql::{MergedObject, Schema};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// The root of all queries.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    FilmQuery,
    PersonQuery,
    CompanyQuery,
    SearchQuery,
    NodeQuery,
    AccountQuery,
    EditQuery,
);

/// The root of all mutations.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(AccountMutation, EditMutation);

/// Stinger's GraphQL schema.
pub type StingerSchema = Schema<QueryRoot, MutationRoot, EditSubscription>;

/// Builds the schema once per process. Per-request data (loaders, viewer) is attached to each
/// request by the HTTP handler.
pub fn build_schema(
    db: DatabaseConnection,
    limits: &Limits,
    auth: Arc<AuthState>,
    settings: EditorialSettings,
    events: Arc<EditEventHub>,
    rate_limits: Arc<RateLimits>,
) -> StingerSchema {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EditSubscription,
    )
    // The observer first: it then sees errors already coded by `ErrorKinds`.
    .extension(super::observer::Observer)
    // Outside `ErrorKinds`: an operation refused for its depth or cost is not charged.
    .extension(super::rate_limit::RateLimit)
    // Depth and cost are checked by `ErrorKinds` from what validation measured, to say both.
    .extension(ErrorKinds::new(limits))
    // Records what anonymous queries read, for the read cache (only when asked to).
    .extension(crate::cache::recording::Recording)
    .limit_recursive_depth(limits.max_recursive_depth)
    .limit_directives(limits.max_directives);
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    if !limits.suggestions {
        builder = builder.disable_suggestions();
    }
    builder
        .data(db)
        .data(limits.clone())
        .data(auth)
        .data(settings)
        .data(events)
        .data(rate_limits)
        .finish()
}

/// The schema's SDL, as committed in `api/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EditSubscription,
    )
    .finish()
    .sdl()
}
