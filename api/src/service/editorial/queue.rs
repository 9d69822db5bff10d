//! Reading the editorial queue: one edit, or a filtered page of edits, as the viewer may see
//! them (admins all, editors their own).

use super::EditorialError;
use chrono::{DateTime, Utc};
use entity::{EditStatus, Role, TargetType, edit, user};
use sea_orm::sea_query::IntoCondition;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// The edit `id` if `viewer` may see it: admins see all, editors their own.
pub async fn visible_edit(
    db: &impl ConnectionTrait,
    viewer: &user::Model,
    id: i64,
) -> Result<Option<edit::Model>, EditorialError> {
    Ok(edit::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|e| viewer.role == Role::Admin || e.author_id == viewer.id))
}

/// Filters for listing edits.
#[derive(Debug, Clone, Default)]
pub struct EditFilter {
    pub status: Option<EditStatus>,
    pub target_type: Option<TargetType>,
    pub author_id: Option<i64>,
    pub since: Option<DateTime<Utc>>,
}

/// A page of edits visible to `viewer`, newest first, after the edit number `after`.
pub async fn list_edits(
    db: &impl ConnectionTrait,
    viewer: &user::Model,
    filter: EditFilter,
    after: Option<i64>,
    limit: u64,
) -> Result<(Vec<edit::Model>, u64), EditorialError> {
    let mut condition = Condition::all();
    if viewer.role != Role::Admin {
        condition = condition.add(edit::Column::AuthorId.eq(viewer.id));
    }
    if let Some(author) = filter.author_id {
        condition = condition.add(edit::Column::AuthorId.eq(author));
    }
    if let Some(status) = filter.status {
        condition = condition.add(edit::Column::Status.eq(status));
    }
    if let Some(target) = filter.target_type {
        condition = condition.add(edit::Column::TargetType.eq(target));
    }
    if let Some(since) = filter.since {
        condition = condition.add(edit::Column::CreatedAt.gte(since));
    }
    let total = edit::Entity::find()
        .filter(condition.clone())
        .count(db)
        .await?;
    let mut page = condition;
    if let Some(after) = after {
        page = page.add(edit::Column::Id.lt(after).into_condition());
    }
    let rows = edit::Entity::find()
        .filter(page)
        .order_by_desc(edit::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    Ok((rows, total))
}
