//! Search across films, people and companies.

use super::company::Company;
use super::context::db;
use super::film::Film;
use super::loaders::Loaders;
use super::pagination::page_size;
use super::person::Person;
use crate::error::ApiResult;
use crate::service::search;
use async_graphql::{Context, Object, Union};
use entity::TargetType;

/// A search hit: a film, a person or a company.
#[derive(Union)]
pub enum SearchResult {
    Film(Film),
    Person(Person),
    Company(Company),
}

/// The search query.
#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Films, people and companies whose name matches `query`, best first: the exact name, then
    /// names starting with it, then names containing all its words. Case and accents are ignored
    /// ("deja vu" finds "Déjà Vu").
    #[graphql(complexity = "super::pagination::cost(first, child_complexity)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to look for.")] query: String,
        #[graphql(desc = "How many results (default 20, at most the page limit).")] first: Option<
            i32,
        >,
    ) -> ApiResult<Vec<SearchResult>> {
        let size = page_size(ctx, first)?;
        let hits =
            search::search(db(ctx)?, &query, u64::try_from(size).unwrap_or(u64::MAX)).await?;
        let loaders = Loaders::of(ctx)?;
        let ids = |kind: TargetType| {
            hits.iter()
                .filter(|h| h.target_type == kind)
                .map(|h| h.target_id)
                .collect::<Vec<_>>()
        };
        let films = loaders.film.load_many(ids(TargetType::Film)).await?;
        let people = loaders.person.load_many(ids(TargetType::Person)).await?;
        let companies = loaders.company.load_many(ids(TargetType::Company)).await?;
        Ok(hits
            .iter()
            .filter_map(|hit| match hit.target_type {
                TargetType::Film => films
                    .get(&hit.target_id)
                    .cloned()
                    .map(|m| SearchResult::Film(Film(m))),
                TargetType::Person => people
                    .get(&hit.target_id)
                    .cloned()
                    .map(|m| SearchResult::Person(Person(m))),
                TargetType::Company => companies
                    .get(&hit.target_id)
                    .cloned()
                    .map(|m| SearchResult::Company(Company(m))),
                _ => None,
            })
            .collect())
    }
}
