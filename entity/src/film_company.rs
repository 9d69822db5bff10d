//! A company's role on a film.

use crate::CompanyRole;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One company on one film in one role.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "film_company")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub film_id: i64,
    pub company_id: i64,
    pub role: CompanyRole,
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
        belongs_to = "super::company::Entity",
        from = "Column::CompanyId",
        to = "super::company::Column::Id",
        on_delete = "Restrict"
    )]
    Company,
}

impl Related<super::film::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Film.def()
    }
}

impl Related<super::company::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Company.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
