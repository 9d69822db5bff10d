//! Films and the queries that list them.

use super::company::FilmCompany;
use super::credit::Credit;
use super::credit_scene::CreditScenes;
use super::edit::{Revision, revision_connection};
use super::enums::{CompanyRole, Department};
use super::ids;
use super::loaders::{Loaders, load_vec};
use super::pagination::{self, CountQuery, TotalCount, page_in_memory, page_size};
use super::person::Person;
use super::scalars::Date;
use super::schema::db;
use super::score::Score;
use super::trivia::Trivia;
use crate::error::{ApiError, ApiResult};
use crate::service::catalog;
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Object};
use chrono::Datelike;
use entity::film;
use std::sync::Arc;

/// A film, with the answer to whether it has scenes during or after its credits.
pub struct Film(pub film::Model);

#[Object]
impl Film {
    /// Global id.
    async fn id(&self) -> ID {
        ids::encode("Film", self.0.id)
    }

    /// Stable, readable identifier with the release year (`m-butterfly-1993`).
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// Title as released in the US.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Title in the original language, when different.
    async fn original_title(&self) -> Option<&str> {
        self.0.original_title.as_deref()
    }

    /// US release date.
    async fn release_date(&self) -> Option<Date> {
        self.0.release_date.map(Date)
    }

    /// Release year, derived from the release date.
    async fn year(&self) -> Option<i32> {
        self.0.release_date.map(|d| d.year())
    }

    /// Running time in minutes.
    async fn runtime_minutes(&self) -> Option<i32> {
        self.0.runtime_minutes
    }

    /// MPAA rating (G, PG, PG-13, R, NC-17, …).
    async fn mpaa_rating(&self) -> Option<&str> {
        self.0.mpaa_rating.as_deref()
    }

    /// Genres, most significant first.
    async fn genres(&self, ctx: &Context<'_>) -> ApiResult<Vec<String>> {
        load_vec(&Loaders::of(ctx)?.genres, self.0.id).await
    }

    /// Tagline from the poster.
    async fn tagline(&self) -> Option<&str> {
        self.0.tagline.as_deref()
    }

    /// Short, spoiler-free summary.
    async fn synopsis(&self) -> Option<&str> {
        self.0.synopsis.as_deref()
    }

    /// The whole story (spoilers).
    async fn plot(&self) -> Option<&str> {
        self.0.plot.as_deref()
    }

    /// Incremented by every applied change.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// Scenes during or after the credits, and whether there are any.
    async fn credit_scenes(&self, ctx: &Context<'_>) -> ApiResult<CreditScenes> {
        let scenes = load_vec(&Loaders::of(ctx)?.scenes, self.0.id).await?;
        Ok(CreditScenes {
            scenes,
            confirmed: self.0.credit_scenes_confirmed,
        })
    }

    /// The cast, in billing order.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn cast(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many credits to return (default 20, at most the page limit).")] first: Option<i32>,
        #[graphql(desc = "Return credits after this cursor.")] after: Option<String>,
    ) -> ApiResult<Connection<String, Credit, TotalCount>> {
        let credits = load_vec(&Loaders::of(ctx)?.credits_by_film, self.0.id).await?;
        let cast = credits
            .into_iter()
            .filter(|c| c.department == entity::Department::Cast)
            .collect();
        page_in_memory(ctx, cast, first, after, Credit)
    }

    /// The crew (everyone but the cast), optionally one department, in billing order.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn crew(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this department.")] department: Option<Department>,
        #[graphql(desc = "How many credits to return (default 20, at most the page limit).")] first: Option<i32>,
        #[graphql(desc = "Return credits after this cursor.")] after: Option<String>,
    ) -> ApiResult<Connection<String, Credit, TotalCount>> {
        let credits = load_vec(&Loaders::of(ctx)?.credits_by_film, self.0.id).await?;
        let crew = credits
            .into_iter()
            .filter(|c| c.department != entity::Department::Cast)
            .filter(|c| department.is_none_or(|d| entity::Department::from(d) == c.department))
            .collect();
        page_in_memory(ctx, crew, first, after, Credit)
    }

    /// The directors.
    async fn directors(&self, ctx: &Context<'_>) -> ApiResult<Vec<Person>> {
        let loaders = Loaders::of(ctx)?;
        let credits = load_vec(&loaders.credits_by_film, self.0.id).await?;
        let ids: Vec<i64> = credits
            .iter()
            .filter(|c| c.department == entity::Department::Directing)
            .map(|c| c.person_id)
            .collect();
        let people = loaders.person.load_many(ids.iter().copied()).await?;
        let mut seen = std::collections::HashSet::new();
        Ok(ids
            .into_iter()
            .filter(|id| seen.insert(*id))
            .filter_map(|id| people.get(&id).cloned().map(Person))
            .collect())
    }

    /// Companies that produced or distributed the film.
    async fn companies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only companies in this role.")] role: Option<CompanyRole>,
    ) -> ApiResult<Vec<FilmCompany>> {
        let links = load_vec(&Loaders::of(ctx)?.links_by_film, self.0.id).await?;
        Ok(links
            .into_iter()
            .filter(|l| role.is_none_or(|r| entity::CompanyRole::from(r) == l.role))
            .map(FilmCompany)
            .collect())
    }

    /// Scores from review sites; a null value means unknown.
    async fn scores(&self, ctx: &Context<'_>) -> ApiResult<Vec<Score>> {
        Ok(load_vec(&Loaders::of(ctx)?.scores, self.0.id)
            .await?
            .into_iter()
            .map(Score)
            .collect())
    }

    /// Every applied change to the film's own fields, newest first.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn revisions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many revisions to return (default 20, at most the page limit).")]
        first: Option<i32>,
        #[graphql(desc = "Return revisions after this cursor.")] after: Option<String>,
    ) -> ApiResult<Connection<String, Revision, TotalCount>> {
        revision_connection(
            ctx,
            Some((entity::TargetType::Film, self.0.id)),
            first,
            after,
        )
        .await
    }

    /// Trivia about the film.
    async fn trivia(&self, ctx: &Context<'_>) -> ApiResult<Vec<Trivia>> {
        Ok(load_vec(&Loaders::of(ctx)?.trivia, self.0.id)
            .await?
            .into_iter()
            .map(Trivia)
            .collect())
    }
}

/// Queries about films.
#[derive(Default)]
pub struct FilmQuery;

#[Object]
impl FilmQuery {
    /// One film, by global id or by slug.
    async fn film(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's global id.")] id: Option<ID>,
        #[graphql(desc = "The film's slug, such as `m-butterfly-1993`.")] slug: Option<String>,
    ) -> ApiResult<Option<Film>> {
        match (id, slug) {
            (Some(id), None) => {
                let Some(id) = ids::decode_kind(&id, "Film") else {
                    return Ok(None);
                };
                Ok(Loaders::of(ctx)?.film.load_one(id).await?.map(Film))
            }
            (None, Some(slug)) => Ok(catalog::film_by_slug(db(ctx)?, &slug).await?.map(Film)),
            _ => Err(ApiError::BadInput(
                "give exactly one of `id` and `slug`".to_owned(),
            )),
        }
    }

    /// Films, by title.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn films(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many films to return (default 20, at most the page limit).")]
        first: Option<i32>,
        #[graphql(desc = "Return films after this cursor.")] after: Option<String>,
    ) -> ApiResult<Connection<String, Film, TotalCount>> {
        let size = page_size(ctx, first)?;
        let after = after
            .map(|c| pagination::decode_cursor::<(String, i64)>(&c))
            .transpose()?;
        let db = db(ctx)?.clone();
        let has_previous = after.is_some();
        let mut rows = catalog::film_page(&db, after, size + 1).await?;
        let has_next = rows.len() > size;
        rows.truncate(size);
        let count: CountQuery = Arc::new(move || {
            let db = db.clone();
            Box::pin(async move { Ok(catalog::count_films(&db).await?) })
        });
        let mut connection =
            Connection::with_additional_fields(has_previous, has_next, TotalCount::Deferred(count));
        connection.edges.extend(
            rows.into_iter()
                .map(|f| Edge::new(pagination::encode_cursor(&(f.title.clone(), f.id)), Film(f))),
        );
        Ok(connection)
    }
}
