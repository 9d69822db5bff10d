//! People and the queries that find them.

use super::credit::Credit;
use super::edit::{Revision, revision_connection};
use super::ids;
use super::loaders::{Loaders, load_vec};
use super::pagination::{TotalCount, page_in_memory};
use super::scalars::Date;
use crate::error::{ApiError, ApiResult};
use crate::service::catalog;
use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use entity::person;
use std::cmp::Reverse;
use std::collections::HashMap;

/// A person in the cast or crew of films.
pub struct Person(pub person::Model);

#[Object]
impl Person {
    /// Global id.
    async fn id(&self) -> ID {
        ids::encode("Person", self.0.id)
    }

    /// Every applied change to the person's own fields, newest first.
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
            Some((entity::TargetType::Person, self.0.id)),
            first,
            after,
        )
        .await
    }

    /// Stable, readable identifier (`david-cronenberg`).
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// Full name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Date of birth.
    async fn birth_date(&self) -> Option<Date> {
        self.0.birth_date.map(Date)
    }

    /// A short biography.
    async fn biography(&self) -> Option<&str> {
        self.0.biography.as_deref()
    }

    /// Incremented by every applied change.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// Everything this person is credited for, newest film first.
    #[graphql(complexity = "super::pagination::cost(first, child_complexity)")]
    async fn credits(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many credits to return (default 20, at most the page limit).")] first: Option<i32>,
        #[graphql(desc = "Return credits after this cursor.")] after: Option<String>,
    ) -> ApiResult<Connection<String, Credit, TotalCount>> {
        let loaders = Loaders::of(ctx)?;
        let credits = load_vec(&loaders.credits_by_person, self.0.id).await?;
        let films = loaders
            .film
            .load_many(credits.iter().map(|c| c.film_id))
            .await?;
        let released: HashMap<i64, _> = films.iter().map(|(id, f)| (*id, f.release_date)).collect();
        let mut credits = credits;
        credits.sort_by_key(|c| {
            (
                Reverse(released.get(&c.film_id).copied().flatten()),
                c.film_id,
                c.id,
            )
        });
        page_in_memory(ctx, credits, first, after, Credit)
    }
}

/// Queries about people.
#[derive(Default)]
pub struct PersonQuery;

#[Object]
impl PersonQuery {
    /// One person, by global id or by slug.
    async fn person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's global id.")] id: Option<ID>,
        #[graphql(desc = "The person's slug, such as `david-cronenberg`.")] slug: Option<String>,
    ) -> ApiResult<Option<Person>> {
        match (id, slug) {
            (Some(id), None) => {
                let Some(id) = ids::decode_kind(&id, "Person") else {
                    return Ok(None);
                };
                Ok(Loaders::of(ctx)?.person.load_one(id).await?.map(Person))
            }
            (None, Some(slug)) => {
                let db = super::schema::db(ctx)?;
                Ok(catalog::person_by_slug(db, &slug).await?.map(Person))
            }
            _ => Err(ApiError::BadInput(
                "give exactly one of `id` and `slug`".to_owned(),
            )),
        }
    }
}
