//! Mid- and post-credits scenes: what Stinger is named after.

use crate::CreditSceneKind;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One scene in or after a film's credits.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "credit_scene")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub film_id: i64,
    pub kind: CreditSceneKind,
    /// 1 for the first scene in the credits, 2 for the next, …
    pub position: i32,
    /// Seconds into the credits when the scene starts.
    pub starts_at_seconds: Option<i32>,
    pub length_seconds: Option<i32>,
    /// A spoiler-free hint ("stay for a short gag").
    pub hint: Option<String>,
    /// What happens (spoilers).
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    /// The film this scene teases, if any.
    pub teases_film_id: Option<i64>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
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
    #[sea_orm(
        belongs_to = "super::film::Entity",
        from = "Column::TeasesFilmId",
        to = "super::film::Column::Id",
        on_delete = "SetNull"
    )]
    TeasedFilm,
}

impl Related<super::film::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Film.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
