//! Scores from review sites: one row per (film, source, kind).

use crate::{ScoreKind, ScoreSource};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One score. `value` is `None` when the source shows none: unknown is not zero.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "score")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub film_id: i64,
    pub source: ScoreSource,
    pub kind: ScoreKind,
    pub value: Option<f64>,
    /// The top of the scale: 10 or 100.
    pub scale: i32,
    pub vote_count: Option<i64>,
    pub as_of: Option<Date>,
    pub source_url: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl Model {
    /// The value on a 0–100 scale, or `None` when unknown.
    pub fn normalized(&self) -> Option<f64> {
        let scale = f64::from(self.scale);
        self.value
            .filter(|_| self.scale > 0)
            .map(|v| (v * 100.0 / scale * 10.0).round() / 10.0)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::film::Entity",
        from = "Column::FilmId",
        to = "super::film::Column::Id",
        on_delete = "Cascade"
    )]
    Film,
}

impl Related<super::film::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Film.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
