//! Companies: producers and distributors.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A company.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "company")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::film_company::Entity")]
    FilmCompany,
}

impl Related<super::film_company::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::FilmCompany.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
