//! The search index: one row per searchable object, its name folded to lower-case ASCII.
//! The engines' full-text machinery (SQLite FTS5, PostgreSQL `tsvector`) indexes `folded`.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One searchable object.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "search_entry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub target_type: crate::TargetType,
    pub target_id: i64,
    /// The name as shown.
    pub name: String,
    /// The name folded: lower-case ASCII, accents removed.
    pub folded: String,
    /// How prominent the object is (votes for films, credits for people, films for companies):
    /// breaks ties between equally good matches.
    pub weight: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
