//! Films and the queries that list them.

use super::company::FilmCompany;
use super::context::db;
use super::credit::Credit;
use super::credit_scene::CreditScenes;
use super::enums::{CompanyRole, CreditSceneAnswer, Department, ScoreKind, ScoreSource};
use super::ids;
use super::loaders::{FilmCreditPage, Loaders, load_vec};
use super::pagination::{self, CountQuery, TotalCount, page_size};
use super::person::Person;
use super::revision::{Revision, revision_connection};
use super::scalars::Date;
use super::score::Score;
use super::trivia::Trivia;
use crate::cache::recording::record;
use crate::cache::tags::Tag;
use crate::error::{ApiError, ApiResult};
use crate::service::credits::{CreditScope, FilmCreditCursor};
use crate::service::editorial::RevisionScope;
use crate::service::{catalog, listing};
use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::Datelike;
use entity::film;
use std::sync::Arc;

/// A film, with the answer to whether it has scenes during or after its credits.
pub struct Film(pub film::Model);

/// A film, with the answer to whether it has scenes during or after its credits.
#[Object(cache_control(max_age = 60))]
impl Film {
    /// Global id.
    pub async fn id(&self) -> ID {
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
        Ok(CreditScenes::of(&self.0, scenes))
    }

    /// The cast, in billing order.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn cast(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many credits to return (default 20, at most the page limit).")] first: Option<i32>,
        #[graphql(desc = "Return credits after this cursor.")] after: Option<String>,
    ) -> ApiResult<Connection<String, Credit, TotalCount>> {
        self.credits(ctx, CreditScope::Cast, first, after).await
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
        let scope = CreditScope::Crew(department.map(Into::into));
        self.credits(ctx, scope, first, after).await
    }

    /// The directors.
    async fn directors(&self, ctx: &Context<'_>) -> ApiResult<Vec<Person>> {
        Ok(load_vec(&Loaders::of(ctx)?.directors, self.0.id)
            .await?
            .into_iter()
            .map(Person)
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

    /// Every applied change to the film's own fields, newest first; with `includeParts`, also
    /// every change to its scores, credits, trivia, credit scenes and company roles (deleted
    /// ones included).
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn revisions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many revisions to return (default 20, at most the page limit).")]
        first: Option<i32>,
        #[graphql(desc = "Return revisions after this cursor.")] after: Option<String>,
        #[graphql(
            desc = "Also the changes to the film's parts: scores, credits, trivia, credit scenes, company roles.",
            default = false
        )]
        include_parts: bool,
    ) -> ApiResult<Connection<String, Revision, TotalCount>> {
        let scope = if include_parts {
            RevisionScope::FilmWithParts(self.0.id)
        } else {
            RevisionScope::Object(entity::TargetType::Film, self.0.id)
        };
        revision_connection(ctx, scope, first, after).await
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

impl Film {
    /// One page of the film's credits in `scope`, cut in SQL, each with its person.
    async fn credits(
        &self,
        ctx: &Context<'_>,
        scope: CreditScope,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<String, Credit, TotalCount>> {
        let size = page_size(ctx, first)?;
        let after = after
            .map(|cursor| pagination::decode_cursor::<FilmCreditCursor>(&cursor))
            .transpose()?;
        let page = FilmCreditPage {
            film_id: self.0.id,
            scope,
            after,
            limit: pagination::fetch_limit(size),
        };
        let rows = Loaders::of(ctx)?
            .film_credits
            .load_one(page)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|row| (FilmCreditCursor::of(&row.0), Credit::with_person(row)))
            .collect();
        Ok(pagination::cursor_connection(
            rows,
            size,
            after.is_some(),
            TotalCount::FilmCredits(self.0.id, scope),
        ))
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
        ids::by_id_or_slug(
            "Film",
            id,
            slug,
            async |id| Ok(Loaders::of(ctx)?.film.load_one(id).await?.map(Film)),
            async |slug| {
                Ok(catalog::film_by_slug(super::context::db(ctx)?, &slug)
                    .await?
                    .map(Film))
            },
        )
        .await
        .inspect(|found| {
            let tag = found
                .as_ref()
                .map_or(Tag::AnyFilm, |object| Tag::Film(object.0.id));
            record(ctx, tag);
        })
    }

    /// Films matching a filter, in the order asked for (by title unless told otherwise).
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn films(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many films to return (default 20, at most the page limit).")]
        first: Option<i32>,
        #[graphql(desc = "Return films after this cursor.")] after: Option<String>,
        #[graphql(desc = "Which films to keep.")] filter: Option<FilmFilter>,
        #[graphql(desc = "How to order them (default: title, ascending).")] order_by: Option<
            FilmOrder,
        >,
    ) -> ApiResult<Connection<String, Film, TotalCount>> {
        let order = order_by
            .map(FilmOrder::into_domain)
            .transpose()?
            .unwrap_or_default();
        film_list(
            ctx,
            filter.map(FilmFilter::into_domain).unwrap_or_default(),
            order,
            first,
            after,
        )
        .await
    }

    /// Films released on or before today, newest first.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn latest_films(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many films to return (default 20, at most the page limit).")]
        first: Option<i32>,
        #[graphql(desc = "Return films after this cursor.")] after: Option<String>,
    ) -> ApiResult<Connection<String, Film, TotalCount>> {
        let filter = listing::FilmFilter {
            released_by: Some(chrono::Utc::now().date_naive()),
            ..Default::default()
        };
        let order = listing::FilmOrder {
            sort: listing::FilmSort::ReleaseDate,
            descending: true,
        };
        film_list(ctx, filter, order, first, after).await
    }
}

/// One page of a film list.
async fn film_list(
    ctx: &Context<'_>,
    filter: listing::FilmFilter,
    order: listing::FilmOrder,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<Connection<String, Film, TotalCount>> {
    let size = page_size(ctx, first)?;
    let after = pagination::keyset_after(after)?;
    let db = db(ctx)?.clone();
    let rows = listing::films(
        &db,
        &filter,
        order,
        after.as_ref(),
        u64::try_from(size + 1).unwrap_or(u64::MAX),
    )
    .await?;
    let count: CountQuery = Arc::new(move || {
        let (db, filter) = (db.clone(), filter.clone());
        Box::pin(async move { Ok(listing::count_films(&db, &filter).await?) })
    });
    Ok(pagination::keyset_connection(
        rows,
        size,
        after.is_some(),
        count,
        Film,
    ))
}

/// Narrows a list of films. Every field given must hold.
#[derive(InputObject, Default)]
pub struct FilmFilter {
    /// Words the title contains, in any case, with or without accents.
    pub title: Option<String>,
    /// Released in this year or later.
    pub year_from: Option<i32>,
    /// Released in this year or earlier.
    pub year_to: Option<i32>,
    /// Has this genre (any case).
    pub genre: Option<String>,
    /// Has this MPAA rating (any case).
    pub mpaa_rating: Option<String>,
    /// Has this answer to "are there scenes during or after the credits?".
    pub credit_scenes: Option<CreditSceneAnswer>,
    /// Has this answer to "is there a scene during the credits?".
    pub during_credits: Option<CreditSceneAnswer>,
    /// Has this answer to "is there a scene after the credits?".
    pub after_credits: Option<CreditSceneAnswer>,
    /// Has a known score from this source.
    pub has_score_from: Option<ScoreSource>,
    /// Has a known score of at least this on a 0–100 scale (from `hasScoreFrom` if given).
    pub min_score: Option<f64>,
}

impl FilmFilter {
    fn into_domain(self) -> listing::FilmFilter {
        listing::FilmFilter {
            title: self.title,
            year_from: self.year_from,
            year_to: self.year_to,
            released_by: None,
            genre: self.genre,
            mpaa_rating: self.mpaa_rating,
            credit_scenes: self.credit_scenes.map(Into::into),
            during_credits: self.during_credits.map(Into::into),
            after_credits: self.after_credits.map(Into::into),
            score_source: self.has_score_from.map(Into::into),
            min_score: self.min_score,
        }
    }
}

/// What a film list can be ordered by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilmOrderField {
    /// Release date; unknown dates last.
    ReleaseDate,
    /// Title.
    Title,
    /// The normalised score of `scoreSource` (and `scoreKind`); films without one last.
    Score,
}

/// Ascending or descending.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

/// The order of a film list.
#[derive(InputObject)]
pub struct FilmOrder {
    /// What to order by.
    pub field: FilmOrderField,
    /// Which way (default ascending).
    #[graphql(default)]
    pub direction: OrderDirection,
    /// With `SCORE`: whose score (required).
    pub score_source: Option<ScoreSource>,
    /// With `SCORE`: critics or audience (default: critics for Rotten Tomatoes and Metacritic,
    /// audience for the others).
    pub score_kind: Option<ScoreKind>,
}

impl FilmOrder {
    fn into_domain(self) -> ApiResult<listing::FilmOrder> {
        let sort = match self.field {
            FilmOrderField::ReleaseDate => listing::FilmSort::ReleaseDate,
            FilmOrderField::Title => listing::FilmSort::Title,
            FilmOrderField::Score => {
                let source: entity::ScoreSource = self
                    .score_source
                    .ok_or_else(|| {
                        ApiError::BadInput("ordering by SCORE needs `scoreSource`".to_owned())
                    })?
                    .into();
                let kind = self.score_kind.map(Into::into).unwrap_or(match source {
                    entity::ScoreSource::RottenTomatoes | entity::ScoreSource::Metacritic => {
                        entity::ScoreKind::Critics
                    }
                    _ => entity::ScoreKind::Audience,
                });
                listing::FilmSort::Score(source, kind)
            }
        };
        Ok(listing::FilmOrder {
            sort,
            descending: self.direction == OrderDirection::Desc,
        })
    }
}
