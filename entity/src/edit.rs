//! Proposed edits: what editors submit and admins review.

use crate::{EditOperation, EditStatus, TargetType};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One proposed edit. `id` doubles as its human-facing number (#1, #2, …).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "edit")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub author_id: i64,
    pub target_type: TargetType,
    /// `None` for a creation until it is applied.
    pub target_id: Option<i64>,
    pub operation: EditOperation,
    /// Per field: the value the author saw and the value proposed (JSON object).
    pub changes: Json,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub evidence: Option<String>,
    pub status: EditStatus,
    pub reviewer_id: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub review_note: Option<String>,
    /// For a conflicted edit: the current values of the fields that conflicted (JSON object).
    pub conflict: Option<Json>,
    pub revision_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub reviewed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::AuthorId",
        to = "super::user::Column::Id",
        on_delete = "Restrict"
    )]
    Author,
}

impl ActiveModelBehavior for ActiveModel {}
