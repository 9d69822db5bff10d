//! Scores from review sites.

use super::enums::{ScoreKind, ScoreSource};
use super::ids;
use super::scalars::Date;
use async_graphql::{ID, Object};
use entity::score;

/// A film's score from one source; `value` is null when the source shows none (unknown is not
/// zero).
pub struct Score(pub score::Model);

/// A film's score from one source; `value` is null when unknown (unknown is not zero).
#[Object(cache_control(max_age = 60))]
impl Score {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("Score", self.0.id)
    }

    /// Where the score comes from.
    async fn source(&self) -> ScoreSource {
        self.0.source.into()
    }

    /// Critics or audience.
    async fn kind(&self) -> ScoreKind {
        self.0.kind.into()
    }

    /// The score on its own scale; null when unknown.
    async fn value(&self) -> Option<f64> {
        self.0.value
    }

    /// The top of the scale: 10 or 100.
    async fn scale(&self) -> i32 {
        self.0.scale
    }

    /// The score on a 0–100 scale (one decimal); null when unknown.
    async fn normalized(&self) -> Option<f64> {
        self.0.normalized()
    }

    /// How many votes the score sums up, when the source says.
    async fn vote_count(&self) -> Option<i64> {
        self.0.vote_count
    }

    /// When the score was read from its source.
    async fn as_of(&self) -> Option<Date> {
        self.0.as_of.map(Date)
    }

    /// The page the score was read from.
    async fn source_url(&self) -> Option<&str> {
        self.0.source_url.as_deref()
    }

    /// Incremented by every applied change.
    async fn version(&self) -> i32 {
        self.0.version
    }
}
