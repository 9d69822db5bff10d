//! Trivia about a film, usable as a quiz.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One trivia item.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "trivia")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub film_id: i64,
    #[sea_orm(column_type = "Text")]
    pub question: String,
    #[sea_orm(column_type = "Text")]
    pub answer: String,
    /// Wrong answers for a quiz: a JSON array of strings.
    pub wrong_choices: Json,
    /// 1 (easy) to 5 (hard).
    pub difficulty: Option<i32>,
    pub spoiler: bool,
    pub source: Option<String>,
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
}

impl Related<super::film::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Film.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
