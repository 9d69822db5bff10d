//! "Is there a scene during the credits? After them?": the answer rule, once. Each question is
//! answered YES when a scene of its kind is known, NO when none is and that was confirmed,
//! UNKNOWN otherwise; the summary ("any scene at all?") is the same rule over both kinds.
//!
//! The rule is written over [`Truth`], so the same code answers a loaded film (Rust `bool`s)
//! and filters films in the database (SeaQuery expressions).

use entity::{CreditSceneKind, credit_scene, film};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveEnum, Iterable};

/// The answer to one of the credit-scene questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SceneAnswer {
    /// At least one scene is known.
    Yes,
    /// None is known, and someone confirmed there is none.
    No,
    /// None is known, and nobody has confirmed there is none.
    Unknown,
}

/// What the rule is written over: whether a scene is known, whether its absence is confirmed.
pub trait Truth: Sized {
    fn and(self, other: Self) -> Self;
    fn not(self) -> Self;
}

impl Truth for bool {
    fn and(self, other: Self) -> Self {
        self && other
    }
    fn not(self) -> Self {
        !self
    }
}

impl Truth for Expr {
    fn and(self, other: Self) -> Self {
        ExprTrait::and(self, other)
    }
    fn not(self) -> Self {
        ExprTrait::not(self)
    }
}

impl SceneAnswer {
    /// Whether the answer is `self`, given whether a scene is known and whether "none" is
    /// confirmed.
    pub fn holds<T: Truth>(self, scene_known: T, confirmed: T) -> T {
        match self {
            Self::Yes => scene_known,
            Self::No => scene_known.not().and(confirmed),
            Self::Unknown => scene_known.not().and(confirmed.not()),
        }
    }

    /// The answer, given whether a scene is known and whether "none" is confirmed.
    pub fn of(scene_known: bool, confirmed: bool) -> Self {
        [Self::Yes, Self::No]
            .into_iter()
            .find(|answer| answer.holds(scene_known, confirmed))
            .unwrap_or(Self::Unknown)
    }
}

/// Which question is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SceneQuestion {
    /// Is there a scene during the credits?
    DuringCredits,
    /// Is there a scene after the credits?
    AfterCredits,
    /// Is there a scene during or after the credits? (The summary.)
    Any,
}

impl SceneQuestion {
    /// The kinds of scene that answer it.
    pub fn kinds(self) -> &'static [CreditSceneKind] {
        match self {
            Self::DuringCredits => &[CreditSceneKind::MidCredits],
            Self::AfterCredits => &[CreditSceneKind::PostCredits],
            Self::Any => &[CreditSceneKind::MidCredits, CreditSceneKind::PostCredits],
        }
    }

    /// Whether "none of these" is confirmed on a film.
    fn confirmed(self, film: &film::Model) -> bool {
        self.kinds().iter().all(|kind| match kind {
            CreditSceneKind::MidCredits => film.during_credits_confirmed,
            CreditSceneKind::PostCredits => film.after_credits_confirmed,
        })
    }

    /// The answer for a film, given its scenes.
    pub fn answer(self, film: &film::Model, scenes: &[credit_scene::Model]) -> SceneAnswer {
        let known = scenes.iter().any(|s| self.kinds().contains(&s.kind));
        SceneAnswer::of(known, self.confirmed(film))
    }

    /// "The answer is `answer`" as a condition on the `film` table, for lists filtered in SQL.
    pub fn condition(self, answer: SceneAnswer) -> Expr {
        let mut scenes = Query::select();
        scenes
            .expr(Expr::val(1))
            .from(credit_scene::Entity)
            .and_where(
                Expr::col((credit_scene::Entity, credit_scene::Column::FilmId))
                    .equals((film::Entity, film::Column::Id)),
            );
        if self.kinds().len() < CreditSceneKind::iter().count() {
            let kinds = self.kinds().iter().map(ActiveEnum::to_value);
            scenes.and_where(
                Expr::col((credit_scene::Entity, credit_scene::Column::Kind)).is_in(kinds),
            );
        }
        let known = Expr::exists(scenes);
        let confirmed = self
            .kinds()
            .iter()
            .map(|kind| {
                let column = match kind {
                    CreditSceneKind::MidCredits => film::Column::DuringCreditsConfirmed,
                    CreditSceneKind::PostCredits => film::Column::AfterCreditsConfirmed,
                };
                Expr::col((film::Entity, column)).eq(true)
            })
            .reduce(Truth::and)
            .unwrap_or_else(|| Expr::val(true));
        answer.holds(known, confirmed)
    }
}

/// The answers a frontend shows for one film.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SceneAnswers {
    pub during_credits: SceneAnswer,
    pub after_credits: SceneAnswer,
    /// Is there any scene at all?
    pub summary: SceneAnswer,
}

impl SceneAnswers {
    /// The answers for a film, given its scenes.
    pub fn of(film: &film::Model, scenes: &[credit_scene::Model]) -> Self {
        Self {
            during_credits: SceneQuestion::DuringCredits.answer(film, scenes),
            after_credits: SceneQuestion::AfterCredits.answer(film, scenes),
            summary: SceneQuestion::Any.answer(film, scenes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_scene_is_yes_whatever_was_confirmed() {
        assert_eq!(SceneAnswer::of(true, false), SceneAnswer::Yes);
        assert_eq!(SceneAnswer::of(true, true), SceneAnswer::Yes);
        assert_eq!(SceneAnswer::of(false, true), SceneAnswer::No);
        assert_eq!(SceneAnswer::of(false, false), SceneAnswer::Unknown);
    }

    #[test]
    fn exactly_one_answer_holds() {
        for known in [false, true] {
            for confirmed in [false, true] {
                let holding = [SceneAnswer::Yes, SceneAnswer::No, SceneAnswer::Unknown]
                    .into_iter()
                    .filter(|a| a.holds(known, confirmed))
                    .count();
                assert_eq!(holding, 1, "known={known} confirmed={confirmed}");
            }
        }
    }

    /// The summary is YES if either kind is, NO if both are, UNKNOWN otherwise.
    #[test]
    fn the_summary_sums_up_the_two_kinds() {
        let now = chrono::Utc::now();
        for during_confirmed in [false, true] {
            for after_confirmed in [false, true] {
                for kinds in [
                    vec![],
                    vec![CreditSceneKind::MidCredits],
                    vec![CreditSceneKind::PostCredits],
                    vec![CreditSceneKind::MidCredits, CreditSceneKind::PostCredits],
                ] {
                    let film = film::Model {
                        id: 1,
                        slug: "a-2000".into(),
                        title: "A".into(),
                        original_title: None,
                        release_date: None,
                        runtime_minutes: None,
                        mpaa_rating: None,
                        tagline: None,
                        synopsis: None,
                        plot: None,
                        during_credits_confirmed: during_confirmed,
                        after_credits_confirmed: after_confirmed,
                        version: 1,
                        created_at: now,
                        updated_at: now,
                    };
                    let scenes: Vec<_> = kinds
                        .iter()
                        .zip(1..)
                        .map(|(kind, position)| credit_scene::Model {
                            id: position.into(),
                            film_id: 1,
                            kind: *kind,
                            position,
                            starts_at_seconds: None,
                            length_seconds: None,
                            hint: None,
                            description: None,
                            teases_film_id: None,
                            version: 1,
                            created_at: now,
                            updated_at: now,
                        })
                        .collect();
                    let answers = SceneAnswers::of(&film, &scenes);
                    let pair = [answers.during_credits, answers.after_credits];
                    let expected = if pair.contains(&SceneAnswer::Yes) {
                        SceneAnswer::Yes
                    } else if pair == [SceneAnswer::No; 2] {
                        SceneAnswer::No
                    } else {
                        SceneAnswer::Unknown
                    };
                    assert_eq!(answers.summary, expected, "{pair:?}");
                }
            }
        }
    }
}
