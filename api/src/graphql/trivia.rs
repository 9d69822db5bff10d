//! Trivia about films.

use super::ids;
use async_graphql::{ID, Object};
use entity::trivia;

/// A trivia item, usable as a quiz question.
pub struct Trivia(pub trivia::Model);

/// A trivia item, usable as a quiz question.
#[Object(cache_control(max_age = 60))]
impl Trivia {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("Trivia", self.0.id)
    }

    /// The question.
    async fn question(&self) -> &str {
        &self.0.question
    }

    /// The right answer.
    async fn answer(&self) -> &str {
        &self.0.answer
    }

    /// Wrong answers to offer beside the right one in a quiz.
    async fn wrong_choices(&self) -> Vec<String> {
        serde_json::from_value(self.0.wrong_choices.clone()).unwrap_or_default()
    }

    /// 1 (easy) to 5 (hard).
    async fn difficulty(&self) -> Option<i32> {
        self.0.difficulty
    }

    /// Whether the question or answer gives away the plot.
    async fn spoiler(&self) -> bool {
        self.0.spoiler
    }

    /// Where the fact comes from.
    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }

    /// Incremented by every applied change.
    async fn version(&self) -> i32 {
        self.0.version
    }
}
