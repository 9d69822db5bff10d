//! People and the queries that find them.

use super::credit::Credit;
use super::ids;
use super::loaders::{Loaders, PersonCreditPage};
use super::pagination::{
    CountQuery, TotalCount, cursor_connection, decode_cursor, fetch_limit, keyset_after,
    keyset_connection, page_size,
};
use super::revision::{Revision, revision_connection};
use super::scalars::Date;
use crate::cache::recording::record;
use crate::cache::tags::Tag;
use crate::error::ApiResult;
use crate::service::credits::PersonCreditCursor;
use crate::service::editorial::RevisionScope;
use crate::service::{catalog, listing};
use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object};
use entity::TargetType;
use entity::person;
use std::sync::Arc;

/// A person in the cast or crew of films.
pub struct Person(pub person::Model);

/// A person in the cast or crew of films.
#[Object(cache_control(max_age = 60))]
impl Person {
    /// Global id.
    pub async fn id(&self) -> ID {
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
            RevisionScope::Object(entity::TargetType::Person, self.0.id),
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
        let size = page_size(ctx, first)?;
        let after = after
            .map(|cursor| decode_cursor::<PersonCreditCursor>(&cursor))
            .transpose()?;
        let page = PersonCreditPage {
            person_id: self.0.id,
            after,
            limit: fetch_limit(size),
        };
        let rows = Loaders::of(ctx)?
            .person_credits
            .load_one(page)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|row| {
                (
                    PersonCreditCursor::of(&row.0, &row.1),
                    Credit::with_film(row),
                )
            })
            .collect();
        Ok(cursor_connection(
            rows,
            size,
            after.is_some(),
            TotalCount::PersonCredits(self.0.id),
        ))
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
        ids::by_id_or_slug(
            "Person",
            id,
            slug,
            async |id| Ok(Loaders::of(ctx)?.person.load_one(id).await?.map(Person)),
            async |slug| {
                Ok(catalog::person_by_slug(super::context::db(ctx)?, &slug)
                    .await?
                    .map(Person))
            },
        )
        .await
        .inspect(|found| {
            let tag = found
                .as_ref()
                .map_or(Tag::AnyPerson, |object| Tag::Person(object.0.id));
            record(ctx, tag);
        })
    }

    /// People, by name.
    #[graphql(complexity = "super::pagination::cost(first, child_complexity)")]
    async fn people(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many people to return (default 20, at most the page limit).")] first: Option<i32>,
        #[graphql(desc = "Return people after this cursor.")] after: Option<String>,
        #[graphql(desc = "Which people to keep.")] filter: Option<PersonFilter>,
    ) -> ApiResult<Connection<String, Person, TotalCount>> {
        let size = page_size(ctx, first)?;
        let after = keyset_after(after)?;
        let name = filter.and_then(|f| f.name);
        let db = super::context::db(ctx)?.clone();
        let limit = u64::try_from(size + 1).unwrap_or(u64::MAX);
        let rows = listing::people(&db, name.as_deref(), after.as_ref(), limit).await?;
        let count: CountQuery = Arc::new(move || {
            let (db, name) = (db.clone(), name.clone());
            Box::pin(async move {
                Ok(listing::count_named(&db, TargetType::Person, name.as_deref()).await?)
            })
        });
        Ok(keyset_connection(
            rows,
            size,
            after.is_some(),
            count,
            Person,
        ))
    }
}

/// Narrows a list of people.
#[derive(InputObject, Default)]
pub struct PersonFilter {
    /// Words the name contains, in any case, with or without accents.
    pub name: Option<String>,
}
