//! Companies and their films.

use super::enums::CompanyRole;
use super::film::Film;
use super::ids;
use super::loaders::{Loaders, load_required, load_vec};
use super::pagination::{
    CountQuery, TotalCount, keyset_after, keyset_connection, page_in_memory, page_size,
};
use super::revision::{Revision, revision_connection};
use crate::cache::recording::record;
use crate::cache::tags::Tag;
use crate::error::ApiResult;
use crate::service::editorial::RevisionScope;
use crate::service::{catalog, listing};
use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object};
use entity::TargetType;
use entity::{company, film_company};
use std::cmp::Reverse;
use std::sync::Arc;

/// A production or distribution company.
pub struct Company(pub company::Model);

/// A production or distribution company.
#[Object(cache_control(max_age = 60))]
impl Company {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("Company", self.0.id)
    }

    /// Every applied change to the company's own fields, newest first.
    #[graphql(complexity = "super::pagination::cost(first, child_complexity)")]
    async fn revisions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many revisions to return (default 20, at most the page limit).")]
        first: Option<i32>,
        #[graphql(desc = "Return revisions after this cursor.")] after: Option<String>,
    ) -> ApiResult<Connection<String, Revision, TotalCount>> {
        revision_connection(
            ctx,
            RevisionScope::Object(entity::TargetType::Company, self.0.id),
            first,
            after,
        )
        .await
    }

    /// Stable, readable identifier (`warner-bros`).
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// ISO 3166-1 alpha-2 country code.
    async fn country(&self) -> Option<&str> {
        self.0.country.as_deref()
    }

    /// Incremented by every applied change.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The company's films, newest first, optionally only those in one role.
    #[graphql(complexity = "super::pagination::cost(first, child_complexity)")]
    async fn films(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only films where the company had this role.")] role: Option<CompanyRole>,
        #[graphql(desc = "How many films to return (default 20, at most the page limit).")]
        first: Option<i32>,
        #[graphql(desc = "Return films after this cursor.")] after: Option<String>,
    ) -> ApiResult<Connection<String, Film, TotalCount>> {
        let loaders = Loaders::of(ctx)?;
        let links = load_vec(&loaders.links_by_company, self.0.id).await?;
        let wanted: Vec<i64> = links
            .iter()
            .filter(|l| role.is_none_or(|r| entity::CompanyRole::from(r) == l.role))
            .map(|l| l.film_id)
            .collect();
        let films = loaders.film.load_many(wanted.iter().copied()).await?;
        let mut films: Vec<_> = films.into_values().collect();
        films.sort_by_key(|f| (Reverse(f.release_date), f.id));
        films.dedup_by_key(|f| f.id);
        page_in_memory(ctx, films, first, after, Film)
    }
}

/// A company's role on a film.
pub struct FilmCompany(pub film_company::Model);

/// A company's role on a film.
#[Object(cache_control(max_age = 60))]
impl FilmCompany {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("FilmCompany", self.0.id)
    }

    /// The company.
    async fn company(&self, ctx: &Context<'_>) -> ApiResult<Company> {
        Ok(Company(
            load_required(&Loaders::of(ctx)?.company, self.0.company_id, "company").await?,
        ))
    }

    /// The film.
    async fn film(&self, ctx: &Context<'_>) -> ApiResult<Film> {
        Ok(Film(
            load_required(&Loaders::of(ctx)?.film, self.0.film_id, "film").await?,
        ))
    }

    /// Production or distribution.
    async fn role(&self) -> CompanyRole {
        self.0.role.into()
    }

    /// Incremented by every applied change.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Queries about companies.
#[derive(Default)]
pub struct CompanyQuery;

#[Object]
impl CompanyQuery {
    /// One company, by global id or by slug.
    async fn company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company's global id.")] id: Option<ID>,
        #[graphql(desc = "The company's slug, such as `warner-bros`.")] slug: Option<String>,
    ) -> ApiResult<Option<Company>> {
        ids::by_id_or_slug(
            "Company",
            id,
            slug,
            async |id| Ok(Loaders::of(ctx)?.company.load_one(id).await?.map(Company)),
            async |slug| {
                Ok(catalog::company_by_slug(super::context::db(ctx)?, &slug)
                    .await?
                    .map(Company))
            },
        )
        .await
        .inspect(|found| {
            let tag = found
                .as_ref()
                .map_or(Tag::AnyCompany, |object| Tag::Company(object.0.id));
            record(ctx, tag);
        })
    }

    /// Companies, by name.
    #[graphql(complexity = "super::pagination::cost(first, child_complexity)")]
    async fn companies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many companies to return (default 20, at most the page limit).")]
        first: Option<i32>,
        #[graphql(desc = "Return companies after this cursor.")] after: Option<String>,
        #[graphql(desc = "Which companies to keep.")] filter: Option<CompanyFilter>,
    ) -> ApiResult<Connection<String, Company, TotalCount>> {
        let size = page_size(ctx, first)?;
        let after = keyset_after(after)?;
        let name = filter.and_then(|f| f.name);
        let db = super::context::db(ctx)?.clone();
        let limit = u64::try_from(size + 1).unwrap_or(u64::MAX);
        let rows = listing::companies(&db, name.as_deref(), after.as_ref(), limit).await?;
        let count: CountQuery = Arc::new(move || {
            let (db, name) = (db.clone(), name.clone());
            Box::pin(async move {
                Ok(listing::count_named(&db, TargetType::Company, name.as_deref()).await?)
            })
        });
        Ok(keyset_connection(
            rows,
            size,
            after.is_some(),
            count,
            Company,
        ))
    }
}

/// Narrows a list of companies.
#[derive(InputObject, Default)]
pub struct CompanyFilter {
    /// Words the name contains, in any case, with or without accents.
    pub name: Option<String>,
}
