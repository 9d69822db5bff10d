//! Search across films, people and companies.

use super::company::Company;
use super::context::db;
use super::film::Film;
use super::node::{Node, NodeKind, load_targets};
use super::pagination::page_size;
use super::person::Person;
use crate::error::{ApiError, ApiResult};
use crate::service::search;
use async_graphql::{Context, Object, Union};

/// A search hit: a film, a person or a company.
#[derive(Union)]
pub enum SearchResult {
    Film(Film),
    Person(Person),
    Company(Company),
}

/// What one `search` costs in the complexity budget before its results: a full-text query over
/// every name, worth about a thousand simple fields (so a request holds at most about 19).
pub const SEARCH_COST: usize = 1_000;

/// The search query.
#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Films, people and companies whose name matches `query`, best first: the exact name, then
    /// names starting with it, then names containing all its words. Case and accents are ignored
    /// ("deja vu" finds "Déjà Vu"). At most 200 characters and 8 words.
    #[graphql(complexity = "SEARCH_COST + super::pagination::cost(first, child_complexity)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to look for.")] query: String,
        #[graphql(desc = "How many results (default 20, at most the page limit).")] first: Option<
            i32,
        >,
    ) -> ApiResult<Vec<SearchResult>> {
        let key = search::checked_key(&query).map_err(|e| ApiError::BadInput(e.to_string()))?;
        let size = page_size(ctx, first)?;
        let hits = search::search(db(ctx)?, &key, u64::try_from(size).unwrap_or(u64::MAX)).await?;
        let keys: Vec<(NodeKind, i64)> = hits
            .iter()
            .map(|hit| (NodeKind::Target(hit.target_type), hit.target_id))
            .collect();
        Ok(load_targets(ctx, &keys)
            .await?
            .into_iter()
            .filter_map(|node| match node? {
                Node::Film(film) => Some(SearchResult::Film(film)),
                Node::Person(person) => Some(SearchResult::Person(person)),
                Node::Company(company) => Some(SearchResult::Company(company)),
                _ => None,
            })
            .collect())
    }
}
