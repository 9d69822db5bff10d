//! `edit`, `edits` and `recentChanges`.

use super::{Edit, EditFilter, edit_number};
use crate::error::{ApiError, ApiResult};
use crate::graphql::context::{db, viewer};
use crate::graphql::ids;
use crate::graphql::pagination::{self, TotalCount, decode_cursor, encode_cursor, page_size};
use crate::graphql::revision::{Revision, revision_connection};
use crate::service::account;
use crate::service::editorial::RevisionScope;
use crate::service::editorial::{self, EditFilter as ServiceEditFilter};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Object};

/// Queries about edits and history.
#[derive(Default)]
pub struct EditQuery;

#[Object]
impl EditQuery {
    /// One edit, by global id or number. Editors see only their own.
    async fn edit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The edit's global id or its number.")] id: ID,
    ) -> ApiResult<Option<Edit>> {
        let db = db(ctx)?;
        let user = account::authorize(db, viewer(ctx), entity::Role::Editor).await?;
        let Some(number) = edit_number(&id) else {
            return Ok(None);
        };
        Ok(editorial::visible_edit(db, &user, number).await?.map(Edit))
    }

    /// Edits, newest first: all of them for admins, their own for editors.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn edits(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many edits to return (default 20, at most the page limit).")]
        first: Option<i32>,
        #[graphql(desc = "Return edits after this cursor.")] after: Option<String>,
        #[graphql(desc = "Which edits.")] filter: Option<EditFilter>,
    ) -> ApiResult<Connection<String, Edit, TotalCount>> {
        let db = db(ctx)?;
        let user = account::authorize(db, viewer(ctx), entity::Role::Editor).await?;
        let size = page_size(ctx, first)?;
        let after = after.map(|c| decode_cursor::<i64>(&c)).transpose()?;
        let filter = filter.unwrap_or_default();
        let author_id = match (filter.author, filter.author_username) {
            (Some(_), Some(_)) => {
                return Err(ApiError::BadInput(
                    "give `author` or `authorUsername`, not both".to_owned(),
                ));
            }
            (Some(id), None) => Some(
                ids::decode_kind(&id, "User")
                    .ok_or_else(|| ApiError::BadInput("`author` must be a User id".to_owned()))?,
            ),
            (None, Some(username)) => Some(
                account::find_by_username(db, &username)
                    .await?
                    .ok_or_else(|| ApiError::NotFound(format!("no account is named {username:?}")))?
                    .id,
            ),
            (None, None) => None,
        };
        let filter = ServiceEditFilter {
            status: filter.status.map(Into::into),
            target_type: filter.target_type.map(Into::into),
            author_id,
            since: filter.since,
        };
        let limit = u64::try_from(size).unwrap_or(0) + 1;
        let (mut rows, total) = editorial::list_edits(db, &user, filter, after, limit).await?;
        let has_next = rows.len() > size;
        rows.truncate(size);
        let mut connection =
            Connection::with_additional_fields(after.is_some(), has_next, TotalCount::Known(total));
        connection.edges.extend(
            rows.into_iter()
                .map(|e| Edge::new(encode_cursor(&e.id), Edit(e))),
        );
        Ok(connection)
    }

    /// Every change to public data, newest first.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn recent_changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many revisions to return (default 20, at most the page limit).")]
        first: Option<i32>,
        #[graphql(desc = "Return revisions after this cursor.")] after: Option<String>,
    ) -> ApiResult<Connection<String, Revision, TotalCount>> {
        revision_connection(ctx, RevisionScope::All, first, after).await
    }
}
