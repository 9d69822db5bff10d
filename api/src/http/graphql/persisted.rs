//! Automatic persisted queries, as Apollo's clients speak them: a request may carry
//! `extensions.persistedQuery = { version: 1, sha256Hash }` and leave the query out; the server
//! answers `PersistedQueryNotFound` (code `PERSISTED_QUERY_NOT_FOUND`) when it does not know
//! the hash, the client sends the query with its hash once, and from then on short GET
//! requests (which a CDN can cache) name the query by its hash.
//!
//! Queries are kept after they passed the document checks, bounded in count and size like the
//! parsed-document cache. With `STINGER_PERSISTED_QUERIES_ONLY`, anonymous requests may only
//! run queries already known by hash (registered by logged-in clients, such as a frontend's
//! build step): an anonymous client cannot bring new queries.

use super::response::Refusal;
use crate::http::negotiation::ResponseFormat;
use actix_web::http::StatusCode;
use async_graphql::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Query texts by their SHA-256 (lowercase hex).
pub struct PersistedQueries {
    queries: Mutex<HashMap<String, Arc<str>>>,
    capacity: usize,
    /// Only known queries for anonymous requests.
    pub known_only_for_anonymous: bool,
}

/// Longer query texts are not kept (the parsed-document cache's bound).
const MAX_QUERY: usize = 16 * 1024;

/// What a request asks of the store.
#[derive(Debug, PartialEq, Eq)]
pub enum Persisted {
    /// No `persistedQuery` extension: an ordinary request.
    None,
    /// The query came with its hash: keep it once it passed the checks.
    Register(String),
    /// The query was found by its hash.
    Found,
}

impl PersistedQueries {
    /// Enough for every query of a site's frontends.
    pub const DEFAULT_CAPACITY: usize = 4096;

    pub fn new(capacity: usize, known_only_for_anonymous: bool) -> Self {
        Self {
            queries: Mutex::new(HashMap::new()),
            capacity,
            known_only_for_anonymous,
        }
    }

    /// Reads the request's `persistedQuery` extension: fills in the query of a known hash,
    /// checks the hash of a query sent with one, and refuses an unknown hash or a query an
    /// anonymous client may not bring.
    pub fn resolve(
        &self,
        request: &mut async_graphql::Request,
        format: ResponseFormat,
        anonymous: bool,
    ) -> Result<Persisted, Refusal> {
        let Some(extension) = request.extensions.get("persistedQuery") else {
            if anonymous
                && self.known_only_for_anonymous
                && !self.knows(&sha256_hex(&request.query))
            {
                return Err(not_allowed());
            }
            return Ok(Persisted::None);
        };
        let hash = match extension {
            Value::Object(fields) if fields.get("version") == Some(&Value::from(1)) => {
                match fields.get("sha256Hash") {
                    Some(Value::String(hash)) if is_sha256(hash) => hash.to_ascii_lowercase(),
                    _ => return Err(malformed()),
                }
            }
            _ => return Err(malformed()),
        };
        if request.query.is_empty() {
            let found = self
                .queries
                .lock()
                .ok()
                .and_then(|queries| queries.get(&hash).cloned());
            return match found {
                Some(query) => {
                    request.query = query.to_string();
                    Ok(Persisted::Found)
                }
                None => Err(Refusal::request_error(
                    format,
                    "PERSISTED_QUERY_NOT_FOUND",
                    "PersistedQueryNotFound",
                )),
            };
        }
        if sha256_hex(&request.query) != hash {
            return Err(Refusal::bad_request(
                "provided sha does not match query (`extensions.persistedQuery.sha256Hash` must be the SHA-256 of `query`)",
            ));
        }
        if anonymous && self.known_only_for_anonymous && !self.knows(&hash) {
            return Err(not_allowed());
        }
        Ok(Persisted::Register(hash))
    }

    /// Keeps a query (after its checks passed) under its hash. When full, starts over.
    pub fn keep(&self, hash: String, query: &str) {
        if query.len() > MAX_QUERY || self.capacity == 0 {
            return;
        }
        if let Ok(mut queries) = self.queries.lock() {
            if queries.len() >= self.capacity && !queries.contains_key(&hash) {
                queries.clear();
            }
            queries.insert(hash, Arc::from(query));
        }
    }

    fn knows(&self, hash: &str) -> bool {
        self.queries
            .lock()
            .is_ok_and(|queries| queries.contains_key(hash))
    }
}

fn not_allowed() -> Refusal {
    Refusal::new(
        StatusCode::FORBIDDEN,
        "PERSISTED_QUERY_NOT_ALLOWED",
        "this server runs only known persisted queries for anonymous clients: send a registered query's `extensions.persistedQuery` hash",
    )
}

fn malformed() -> Refusal {
    Refusal::bad_request(
        "`extensions.persistedQuery` must be `{\"version\": 1, \"sha256Hash\": \"<64 hex digits>\"}`",
    )
}

/// Lowercase hex SHA-256 of `text`.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn is_sha256(hash: &str) -> bool {
    hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(query: &str, hash: Option<&str>) -> async_graphql::Request {
        let mut request = async_graphql::Request::new(query);
        if let Some(hash) = hash {
            let mut fields = async_graphql::indexmap::IndexMap::new();
            fields.insert(async_graphql::Name::new("version"), Value::from(1));
            fields.insert(async_graphql::Name::new("sha256Hash"), Value::from(hash));
            request
                .extensions
                .insert("persistedQuery".to_owned(), Value::Object(fields));
        }
        request
    }

    #[test]
    fn a_hash_is_unknown_until_its_query_is_sent_with_it() {
        let store = PersistedQueries::new(10, false);
        let query = "{ films(first: 1) { totalCount } }";
        let hash = sha256_hex(query);
        let format = ResponseFormat::Json;
        assert!(
            store
                .resolve(&mut request("", Some(&hash)), format, true)
                .is_err()
        );
        let registered = store.resolve(&mut request(query, Some(&hash)), format, true);
        assert_eq!(registered.ok(), Some(Persisted::Register(hash.clone())));
        store.keep(hash.clone(), query);
        let mut by_hash = request("", Some(&hash));
        assert_eq!(
            store.resolve(&mut by_hash, format, true).ok(),
            Some(Persisted::Found)
        );
        assert_eq!(by_hash.query, query);
        assert!(
            store
                .resolve(&mut request("{ __typename }", Some(&hash)), format, true)
                .is_err(),
            "a hash that is not the query's"
        );
    }
}
