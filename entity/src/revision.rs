//! Revisions: the history of every change to public data.

use crate::TargetType;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One applied change to one object. `actor_id` is `None` for the system (imports).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "revision")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub target_type: TargetType,
    pub target_id: i64,
    /// The object's version after this change (0 for a deletion's tombstone is never used).
    pub version: i32,
    /// Per field: `{"field": {"before": …, "after": …}}`.
    pub diff: Json,
    pub edit_id: Option<i64>,
    pub actor_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    /// The author of the edit also approved it (allowed only by configuration).
    pub self_reviewed: bool,
    pub created_at: DateTimeUtc,
    /// For a change to one of a film's parts (score, credit, trivia, credit scene, company
    /// role): that film, so the film's history includes it.
    pub film_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
