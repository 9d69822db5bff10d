//! Credits: a person's part in a film.

use super::enums::Department;
use super::film::Film;
use super::ids;
use super::loaders::Loaders;
use super::person::Person;
use crate::error::{ApiError, ApiResult};
use async_graphql::{Context, ID, Object};
use entity::credit;

/// A person's credit on a film, in the cast or the crew.
pub struct Credit(pub credit::Model);

/// A person's credit on a film, in the cast or the crew.
#[Object(cache_control(max_age = 60))]
impl Credit {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("Credit", self.0.id)
    }

    /// Who.
    async fn person(&self, ctx: &Context<'_>) -> ApiResult<Person> {
        Loaders::of(ctx)?
            .person
            .load_one(self.0.person_id)
            .await?
            .map(Person)
            .ok_or_else(|| {
                ApiError::internal(anyhow::anyhow!("credit {} has no person", self.0.id))
            })
    }

    /// On which film.
    async fn film(&self, ctx: &Context<'_>) -> ApiResult<Film> {
        Loaders::of(ctx)?
            .film
            .load_one(self.0.film_id)
            .await?
            .map(Film)
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("credit {} has no film", self.0.id)))
    }

    /// The department: CAST, DIRECTING, WRITING, …
    async fn department(&self) -> Department {
        self.0.department.into()
    }

    /// The job within the department ("Director", "Screenplay", …).
    async fn job(&self) -> Option<&str> {
        self.0.job.as_deref()
    }

    /// The character played, for cast credits.
    async fn character(&self) -> Option<&str> {
        self.0.character.as_deref()
    }

    /// Position in the billing: 1 is top-billed.
    async fn billing_order(&self) -> Option<i32> {
        self.0.billing_order
    }

    /// Incremented by every applied change.
    async fn version(&self) -> i32 {
        self.0.version
    }
}
