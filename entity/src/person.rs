//! People: cast and crew.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A person.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "person")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub birth_date: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub biography: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::credit::Entity")]
    Credit,
}

impl Related<super::credit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Credit.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
