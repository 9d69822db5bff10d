//! Parsed documents reused across requests. Frontends send the same few queries over and over
//! (only their variables change), and parsing one is a large share of a small request's cost,
//! so each distinct query text is parsed once and its document cloned for later requests.

use async_graphql::Request;
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationDefinition};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Documents by query text, bounded in count and in the size of the texts kept.
pub struct DocumentCache {
    documents: Mutex<HashMap<Arc<str>, Arc<ExecutableDocument>>>,
    capacity: usize,
}

/// Longer query texts are parsed every time: they are rare, and keeping them would let a few
/// requests fill the memory the cache may use.
const MAX_CACHED_QUERY: usize = 16 * 1024;

impl DocumentCache {
    /// Enough for every query a site's pages send, with room for GraphiQL users.
    pub const DEFAULT_CAPACITY: usize = 512;

    /// A cache of at most `capacity` documents.
    pub fn new(capacity: usize) -> Self {
        Self {
            documents: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// Gives `request` the parsed document of its query text if one was kept; parsing then
    /// uses it instead of the text.
    pub fn reuse(&self, request: &mut Request) {
        let Ok(documents) = self.documents.lock() else {
            return;
        };
        if let Some(document) = documents.get(request.query.as_str()) {
            request.set_parsed_query(ExecutableDocument::clone(document));
        }
    }

    /// Keeps the document `request` was parsed into (after its checks passed) and returns it,
    /// for shaping the response. When full, the cache starts over: the queries a frontend sends
    /// come back at once.
    pub fn keep(&self, request: &mut Request) -> Option<Arc<ExecutableDocument>> {
        if let Some(document) = self.documents.lock().ok()?.get(request.query.as_str()) {
            return Some(document.clone());
        }
        let key = request.query.clone();
        let parsed = Arc::new(request.parsed_query().ok()?.clone());
        if key.len() > MAX_CACHED_QUERY || self.capacity == 0 {
            return Some(parsed);
        }
        let mut documents = self.documents.lock().ok()?;
        if documents.len() >= self.capacity {
            documents.clear();
        }
        documents.insert(Arc::from(key.as_str()), parsed.clone());
        Some(parsed)
    }
}

/// The operation that will run, if the document names one unambiguously.
pub fn selected_operation<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| &op.node),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| &op.node)
        }
        _ => None,
    }
}
