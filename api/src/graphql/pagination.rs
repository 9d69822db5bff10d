//! Relay connections: page-size rules, opaque cursors, pages cut in SQL by keyset, and paging of
//! small lists already in memory.

use super::loaders::Loaders;
use crate::config::Limits;
use crate::error::{ApiError, ApiResult};
use crate::service::credits::CreditScope;
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Object, OutputType};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::future::BoxFuture;
use serde::{Serialize, de::DeserializeOwned};
use std::sync::Arc;

/// Page size when `first` is not given.
pub const DEFAULT_PAGE_SIZE: usize = 20;

/// A deferred count query.
pub type CountQuery = Arc<dyn Fn() -> BoxFuture<'static, ApiResult<u64>> + Send + Sync>;

/// The `totalCount` of a connection: known already, or counted only if a client asks for it
/// (by a query of its own, or batched through a DataLoader when many lists may ask at once).
pub enum TotalCount {
    Known(u64),
    Deferred(CountQuery),
    /// The credits in `scope` of a film.
    FilmCredits(i64, CreditScope),
    /// The credits of a person.
    PersonCredits(i64),
}

#[Object]
impl TotalCount {
    /// How many items the whole list holds, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> ApiResult<u64> {
        match self {
            Self::Known(n) => Ok(*n),
            Self::Deferred(count) => count().await,
            Self::FilmCredits(film, scope) => Ok(Loaders::of(ctx)?
                .film_credit_count
                .load_one((*film, *scope))
                .await?
                .unwrap_or(0)),
            Self::PersonCredits(person) => Ok(Loaders::of(ctx)?
                .person_credit_count
                .load_one(*person)
                .await?
                .unwrap_or(0)),
        }
    }
}

/// Checks `first` against the configured maximum: absent means the default, out of range is
/// refused with a clear error rather than silently cut.
pub fn page_size(ctx: &Context<'_>, first: Option<i32>) -> ApiResult<usize> {
    let max = ctx.data::<Limits>().map(|l| l.max_page_size).unwrap_or(100);
    match first {
        None => Ok(DEFAULT_PAGE_SIZE.min(max)),
        Some(n) if n >= 0 && usize::try_from(n).is_ok_and(|n| n <= max) => {
            Ok(usize::try_from(n).unwrap_or(0))
        }
        Some(n) => Err(ApiError::BadInput(format!(
            "`first` must be between 0 and {max}, got {n}"
        ))),
    }
}

/// An opaque cursor holding `key`.
pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// The key inside a cursor made by [`encode_cursor`], or a clear error.
pub fn decode_cursor<K: DeserializeOwned>(cursor: &str) -> ApiResult<K> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| {
            ApiError::BadInput(format!(
                "`after` is not a cursor from this list: {cursor:?}"
            ))
        })
}

/// Pages a list held in memory; cursors are positions in it.
pub fn page_in_memory<T, N: OutputType>(
    ctx: &Context<'_>,
    items: Vec<T>,
    first: Option<i32>,
    after: Option<String>,
    node: impl Fn(T) -> N,
) -> ApiResult<Connection<String, N, TotalCount>> {
    let size = page_size(ctx, first)?;
    let start = match after {
        Some(cursor) => decode_cursor::<usize>(&cursor)? + 1,
        None => 0,
    };
    let total = items.len();
    let end = start.saturating_add(size).min(total);
    let mut connection = Connection::with_additional_fields(
        start > 0,
        end < total,
        TotalCount::Known(u64::try_from(total).unwrap_or(u64::MAX)),
    );
    connection.edges.extend(
        items
            .into_iter()
            .enumerate()
            .skip(start)
            .take(end.saturating_sub(start))
            .map(|(i, item)| Edge::new(encode_cursor(&i), node(item))),
    );
    Ok(connection)
}

/// The complexity of a list field returning `first` items of cost `child` each. `first` is
/// capped here so an out-of-range value reaches the resolver, which refuses it with a clear
/// message, instead of reading as a costly query.
pub fn cost(first: Option<i32>, child: usize) -> usize {
    const CAP: usize = 1000;
    let items = first.map_or(DEFAULT_PAGE_SIZE, |n| {
        usize::try_from(n).unwrap_or(0).min(CAP)
    });
    1 + items.max(1).saturating_mul(child)
}

/// A connection over a keyset page: `rows` holds up to `size + 1` rows (the extra one only
/// tells that a next page exists).
pub fn keyset_connection<M, N: OutputType>(
    mut rows: Vec<(M, crate::service::listing::Keyset)>,
    size: usize,
    has_previous: bool,
    count: CountQuery,
    node: impl Fn(M) -> N,
) -> Connection<String, N, TotalCount> {
    let has_next = rows.len() > size;
    rows.truncate(size);
    let mut connection =
        Connection::with_additional_fields(has_previous, has_next, TotalCount::Deferred(count));
    connection.edges.extend(
        rows.into_iter()
            .map(|(model, keyset)| Edge::new(encode_cursor(&keyset), node(model))),
    );
    connection
}

/// A connection over a page cut in SQL: `rows` holds up to `size + 1` (cursor, node) pairs,
/// the extra one only telling that a next page exists.
pub fn cursor_connection<C: Serialize, N: OutputType>(
    mut rows: Vec<(C, N)>,
    size: usize,
    has_previous: bool,
    total: TotalCount,
) -> Connection<String, N, TotalCount> {
    let has_next = rows.len() > size;
    rows.truncate(size);
    let mut connection = Connection::with_additional_fields(has_previous, has_next, total);
    connection.edges.extend(
        rows.into_iter()
            .map(|(cursor, node)| Edge::new(encode_cursor(&cursor), node)),
    );
    connection
}

/// The row limit that fetches a page of `size` and tells whether another follows.
pub fn fetch_limit(size: usize) -> u64 {
    u64::try_from(size).unwrap_or(u64::MAX).saturating_add(1)
}

/// Reads an `after` cursor of a keyset list.
pub fn keyset_after(after: Option<String>) -> ApiResult<Option<crate::service::listing::Keyset>> {
    after.map(|cursor| decode_cursor(&cursor)).transpose()
}
