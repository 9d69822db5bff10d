//! Credit scenes: the answer to "should I stay after the credits?".

use super::enums::{CreditSceneAnswer, CreditSceneKind};
use super::film::Film;
use super::ids;
use super::loaders::Loaders;
use crate::error::ApiResult;
use crate::service::scenes::SceneAnswers;
use async_graphql::{Context, ID, Object};
use entity::{credit_scene, film};

/// Whether a film has scenes during or after its credits, and what they are.
pub struct CreditScenes {
    pub scenes: Vec<credit_scene::Model>,
    pub answers: SceneAnswers,
    pub during_credits_confirmed: bool,
    pub after_credits_confirmed: bool,
}

impl CreditScenes {
    /// A film's scenes and the answers they give.
    pub fn of(film: &film::Model, scenes: Vec<credit_scene::Model>) -> Self {
        Self {
            answers: SceneAnswers::of(film, &scenes),
            scenes,
            during_credits_confirmed: film.during_credits_confirmed,
            after_credits_confirmed: film.after_credits_confirmed,
        }
    }
}

/// Whether a film has scenes during or after its credits, and what they are.
#[Object(cache_control(max_age = 60))]
impl CreditScenes {
    /// Any scene at all: YES if one is known during or after the credits; NO if both
    /// `duringCredits` and `afterCredits` are NO; UNKNOWN otherwise.
    async fn answer(&self) -> CreditSceneAnswer {
        self.answers.summary.into()
    }

    /// A scene during the credits: YES if one is known; NO if none and that is confirmed;
    /// UNKNOWN otherwise.
    async fn during_credits(&self) -> CreditSceneAnswer {
        self.answers.during_credits.into()
    }

    /// A scene after the credits: YES if one is known; NO if none and that is confirmed;
    /// UNKNOWN otherwise.
    async fn after_credits(&self) -> CreditSceneAnswer {
        self.answers.after_credits.into()
    }

    /// Someone verified the list of scenes during the credits is complete.
    async fn during_credits_confirmed(&self) -> bool {
        self.during_credits_confirmed
    }

    /// Someone verified the list of scenes after the credits is complete.
    async fn after_credits_confirmed(&self) -> bool {
        self.after_credits_confirmed
    }

    /// Someone verified that the list of scenes is complete (during and after the credits).
    async fn confirmed(&self) -> bool {
        self.during_credits_confirmed && self.after_credits_confirmed
    }

    /// The scenes, in the order they appear.
    async fn scenes(&self) -> Vec<CreditScene> {
        self.scenes.iter().cloned().map(CreditScene).collect()
    }
}

/// One scene in or after the credits.
pub struct CreditScene(pub credit_scene::Model);

/// One scene during or after the credits.
#[Object(cache_control(max_age = 60))]
impl CreditScene {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("CreditScene", self.0.id)
    }

    /// During the credits or after them.
    async fn kind(&self) -> CreditSceneKind {
        self.0.kind.into()
    }

    /// 1 for the first scene in the credits, 2 for the next, …
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// Seconds into the credits when the scene starts.
    async fn starts_at_seconds(&self) -> Option<i32> {
        self.0.starts_at_seconds
    }

    /// How long the scene lasts, in seconds.
    async fn length_seconds(&self) -> Option<i32> {
        self.0.length_seconds
    }

    /// A spoiler-free hint ("stay for a short gag").
    async fn hint(&self) -> Option<&str> {
        self.0.hint.as_deref()
    }

    /// What happens in the scene (spoilers).
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The film this scene sets up, if it teases one.
    async fn teases(&self, ctx: &Context<'_>) -> ApiResult<Option<Film>> {
        let Some(id) = self.0.teases_film_id else {
            return Ok(None);
        };
        Ok(Loaders::of(ctx)?.film.load_one(id).await?.map(Film))
    }

    /// Incremented by every applied change.
    async fn version(&self) -> i32 {
        self.0.version
    }
}
