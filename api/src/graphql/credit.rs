//! Credits: a person's part in a film.

use super::enums::Department;
use super::film::Film;
use super::ids;
use super::loaders::{Loaders, load_required};
use super::person::Person;
use crate::error::ApiResult;
use async_graphql::{Context, ID, Object};
use entity::{credit, film, person};

/// A person's credit on a film, in the cast or the crew.
pub struct Credit {
    pub credit: credit::Model,
    /// The person, when the statement that found the credit joined it (no second look-up).
    person: Option<Box<person::Model>>,
    /// The film, when the statement that found the credit joined it.
    film: Option<Box<film::Model>>,
}

impl Credit {
    /// A credit whose person and film are loaded when asked for.
    pub fn new(credit: credit::Model) -> Self {
        Self {
            credit,
            person: None,
            film: None,
        }
    }

    /// A credit found together with its person.
    pub fn with_person((credit, person): (credit::Model, person::Model)) -> Self {
        Self {
            credit,
            person: Some(Box::new(person)),
            film: None,
        }
    }

    /// A credit found together with its film.
    pub fn with_film((credit, film): (credit::Model, film::Model)) -> Self {
        Self {
            credit,
            person: None,
            film: Some(Box::new(film)),
        }
    }
}

/// A person's credit on a film, in the cast or the crew.
#[Object(cache_control(max_age = 60))]
impl Credit {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("Credit", self.credit.id)
    }

    /// Who.
    async fn person(&self, ctx: &Context<'_>) -> ApiResult<Person> {
        if let Some(person) = &self.person {
            return Ok(Person(person.as_ref().clone()));
        }
        Ok(Person(
            load_required(&Loaders::of(ctx)?.person, self.credit.person_id, "person").await?,
        ))
    }

    /// On which film.
    async fn film(&self, ctx: &Context<'_>) -> ApiResult<Film> {
        if let Some(film) = &self.film {
            return Ok(Film(film.as_ref().clone()));
        }
        Ok(Film(
            load_required(&Loaders::of(ctx)?.film, self.credit.film_id, "film").await?,
        ))
    }

    /// The department: CAST, DIRECTING, WRITING, …
    async fn department(&self) -> Department {
        self.credit.department.into()
    }

    /// The job within the department ("Director", "Screenplay", …).
    async fn job(&self) -> Option<&str> {
        self.credit.job.as_deref()
    }

    /// The character played, for cast credits.
    async fn character(&self) -> Option<&str> {
        self.credit.character.as_deref()
    }

    /// Position in the billing: 1 is top-billed.
    async fn billing_order(&self) -> Option<i32> {
        self.credit.billing_order
    }

    /// Incremented by every applied change.
    async fn version(&self) -> i32 {
        self.credit.version
    }
}
