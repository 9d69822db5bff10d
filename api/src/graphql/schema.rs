//! The schema: every domain's queries merged, with the limits from the configuration.

use super::company::CompanyQuery;
use super::film::FilmQuery;
use super::node::NodeQuery;
use super::person::PersonQuery;
use super::search::SearchQuery;
use crate::config::Limits;
use crate::error::{ApiError, ApiResult};
use async_graphql::{Context, EmptyMutation, EmptySubscription, MergedObject, Schema};
use sea_orm::DatabaseConnection;

/// The root of all queries.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(FilmQuery, PersonQuery, CompanyQuery, SearchQuery, NodeQuery);

/// Stinger's GraphQL schema.
pub type StingerSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

/// Builds the schema once per process. Per-request data (loaders, viewer) is attached to each
/// request by the HTTP handler.
pub fn build_schema(db: DatabaseConnection, limits: &Limits) -> StingerSchema {
    Schema::build(QueryRoot::default(), EmptyMutation, EmptySubscription)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_recursive_depth(limits.max_recursive_depth)
        .limit_directives(limits.max_directives)
        .data(db)
        .data(limits.clone())
        .finish()
}

/// The schema's SDL, as committed in `api/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(QueryRoot::default(), EmptyMutation, EmptySubscription)
        .finish()
        .sdl()
}

/// The database connection of the schema.
pub fn db<'a>(ctx: &Context<'a>) -> ApiResult<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
        .map_err(|_| ApiError::internal(anyhow::anyhow!("the schema has no database")))
}
