//! Accounts of editors and admins (table `app_user`: `user` is reserved in PostgreSQL).

use crate::Role;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// An account. `username_key` is the lower-cased username, unique, so names are
/// case-insensitively unique on both engines.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "app_user")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub username: String,
    #[sea_orm(unique)]
    pub username_key: String,
    /// An argon2id PHC string.
    pub password_hash: String,
    pub role: Role,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::refresh_token::Entity")]
    RefreshToken,
}

impl Related<super::refresh_token::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RefreshToken.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
