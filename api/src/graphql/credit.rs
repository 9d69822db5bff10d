//! Credits: a person's part in a film.

use super::enums::Department;
use super::film::Film;
use super::ids;
use super::loaders::{Loaders, load_required};
use super::person::Person;
use crate::error::ApiResult;
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
        Ok(Person(
            load_required(&Loaders::of(ctx)?.person, self.0.person_id, "person").await?,
        ))
    }

    /// On which film.
    async fn film(&self, ctx: &Context<'_>) -> ApiResult<Film> {
        Ok(Film(
            load_required(&Loaders::of(ctx)?.film, self.0.film_id, "film").await?,
        ))
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
