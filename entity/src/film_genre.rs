//! The genres of a film, one row each (so a genre filter uses an index).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One genre of one film.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "film_genre")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub film_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub genre: String,
    /// Keeps the genres in the order they were given.
    pub position: i32,
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
