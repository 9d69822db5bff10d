//! A film: the centre of the domain.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A film row. Whether it has scenes during or after the credits is derived from its
/// `credit_scene` rows and the two confirmations, never stored.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "film")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub title: String,
    pub original_title: Option<String>,
    pub release_date: Option<Date>,
    pub runtime_minutes: Option<i32>,
    pub mpaa_rating: Option<String>,
    pub tagline: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub synopsis: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub plot: Option<String>,
    /// Someone verified that every scene during the credits is listed (none listed: there is none).
    pub during_credits_confirmed: bool,
    /// Someone verified that every scene after the credits is listed (none listed: there is none).
    pub after_credits_confirmed: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::credit::Entity")]
    Credit,
    #[sea_orm(has_many = "super::credit_scene::Entity")]
    CreditScene,
    #[sea_orm(has_many = "super::film_company::Entity")]
    FilmCompany,
    #[sea_orm(has_many = "super::film_genre::Entity")]
    FilmGenre,
    #[sea_orm(has_many = "super::score::Entity")]
    Score,
    #[sea_orm(has_many = "super::trivia::Entity")]
    Trivia,
}

impl Related<super::credit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Credit.def()
    }
}

impl Related<super::score::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Score.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
