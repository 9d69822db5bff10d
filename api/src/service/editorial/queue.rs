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

/// Whether `account` may see the edit written by `author_id` (its fields, its events): admins
/// see every edit, editors their own, and nobody sees one through a disabled account. The one
/// rule behind every path that shows an edit: `edit`, `edits`, `node`/`nodes`, `Revision.edit`,
/// `Revision.reviewNote` and `editEvents`. `account` must be re-loaded from the database, never
/// taken from a token.
pub fn can_see(account: &user::Model, author_id: i64) -> bool {
    account.active && (account.role == Role::Admin || author_id == account.id)
}

/// The edit `id` if `viewer` may see it ([`can_see`]).
pub async fn visible_edit(
    db: &impl ConnectionTrait,
    viewer: &user::Model,
    id: i64,
) -> Result<Option<edit::Model>, EditorialError> {
    Ok(edit::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|e| can_see(viewer, e.author_id)))
}

/// Filters for listing edits.
#[derive(Debug, Clone, Default)]
pub struct EditFilter {
    pub status: Option<EditStatus>,
    pub target_type: Option<TargetType>,
    pub author_id: Option<i64>,
    pub since: Option<DateTime<Utc>>,
}

/// A page of edits visible to `viewer` ([`can_see`]), newest first, after the edit number `after`.
pub async fn list_edits(
    db: &impl ConnectionTrait,
    viewer: &user::Model,
    filter: EditFilter,
    after: Option<i64>,
    limit: u64,
) -> Result<(Vec<edit::Model>, u64), EditorialError> {
    let mut condition = Condition::all();
    // `can_see` as SQL.
    if !viewer.active {
        return Ok((Vec::new(), 0));
    }
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
