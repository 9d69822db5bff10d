//! The read cache: whole anonymous responses kept in process, each tagged with what it read, so
//! a write drops exactly the entries whose tags it touched (issue 13).
//!
//! `tags` names what a read touched, `key` identifies a request, `store` keeps entries within a
//! byte budget, `stats` counts what happened for the operator, `rows` keeps the rows behind the
//! loaders of authenticated requests, `watch` finds on SQLite what other processes changed.

pub mod key;
pub mod recording;
pub mod rows;
pub mod stats;
pub mod store;
pub mod tags;
pub mod watch;

use actix_web::web::Bytes;
use async_graphql::CacheControl;
use std::sync::Arc;
use tags::Touched;

/// An anonymous answer as kept: its JSON body, served as it is (no copy, no serialising), with
/// what its headers need.
#[derive(Debug)]
pub struct Cached {
    pub body: Bytes,
    /// Its strong `ETag`.
    pub etag: String,
    /// The body gzip-compressed, when the request that computed it took gzip (compressing a
    /// kept answer once beats compressing it for every hit).
    pub gzip: Option<Bytes>,
    /// The cache hints it was computed with.
    pub cache_control: CacheControl,
    /// What computing it was charged against the rate limit; each hit is charged the same.
    pub cost: u32,
}

impl Cached {
    /// What to send a client (taking gzip or not): the body, its `ETag` (the gzip form has one of
    /// its own, as a different representation), and whether it is gzip-compressed.
    pub fn representation(&self, gzip: bool) -> (Bytes, std::borrow::Cow<'_, str>, bool) {
        match (&self.gzip, gzip) {
            (Some(compressed), true) => {
                let etag = format!("{}-gzip\"", self.etag.trim_end_matches('"'));
                (compressed.clone(), etag.into(), true)
            }
            _ => (self.body.clone(), self.etag.as_str().into(), false),
        }
    }
}

/// The process's read cache, shared by the HTTP handlers and the change events.
pub type ReadCache = store::Store<Cached>;

/// The process's caches of public data, which writes invalidate alike: whole anonymous answers,
/// and the rows behind the loaders of authenticated requests.
#[derive(Debug)]
pub struct Caches {
    pub answers: Arc<ReadCache>,
    pub rows: Arc<rows::RowCache>,
}

impl Caches {
    /// Caches holding `megabytes` MiB in all: three quarters for answers, a quarter for rows.
    pub fn new(megabytes: usize) -> Arc<Self> {
        let bytes = megabytes.saturating_mul(1024 * 1024);
        let rows = bytes / 4;
        Arc::new(Self {
            answers: Arc::new(store::Store::new(bytes - rows)),
            rows: Arc::new(store::Store::new(rows)),
        })
    }

    /// Drops what `touched` names, from both.
    pub fn invalidate(&self, touched: &Touched) {
        drop_touched(&self.answers, touched);
        drop_touched(&self.rows, touched);
    }

    /// Drops everything (what changed is unknown).
    pub fn clear(&self) {
        self.answers.clear();
        self.rows.clear();
    }
}

fn drop_touched<V>(store: &store::Store<V>, touched: &Touched) {
    match touched {
        Touched::Tags(tags) => store.invalidate(tags),
        Touched::Everything => store.clear(),
    }
}
