//! Watches every GraphQL operation the schema runs (HTTP and WebSocket alike): its name, the
//! viewer, how long it took and how it ended. It tells the HTTP request line
//! (`http::request_log`) and the metrics; it changes nothing in the response.

use crate::auth::Viewer;
use crate::db::request_scope;
use crate::error::{INTERNAL, PUBLIC_CODES};
use crate::http::request_log::{self, GraphqlFacts};
use crate::metrics;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest, NextRequest,
    NextSubscribe,
};
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument};
use async_graphql::{Request, Response, ServerError, ServerResult, Value, Variables};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Name recorded for an operation without one.
pub const ANONYMOUS: &str = "anonymous";
/// Name recorded for an operation name that is not a GraphQL name (it can match nothing).
pub const INVALID: &str = "invalid";

/// The schema extension (registered in `build_schema`).
#[derive(Debug, Default)]
pub struct Observer;

impl ExtensionFactory for Observer {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Observation::default())
    }
}

/// One operation being watched.
#[derive(Default)]
struct Observation {
    seen: Arc<Mutex<Seen>>,
}

#[derive(Default)]
struct Seen {
    /// The operation name the request asked for.
    requested: Option<String>,
    /// The label, once the document is parsed.
    operation: Option<String>,
    viewer: Option<i64>,
}

#[async_trait::async_trait]
impl Extension for Observation {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let started = Instant::now();
        let statements_before = request_scope::statements();
        let response = next.run(ctx).await;
        let seen = self
            .seen
            .lock()
            .map(|mut seen| std::mem::take(&mut *seen))
            .unwrap_or_default();
        let operation = seen
            .operation
            .unwrap_or_else(|| operation_label(seen.requested.as_deref(), None));
        let statements = request_scope::statements()
            .zip(statements_before)
            .map(|(after, before)| after.saturating_sub(before));
        finished(
            operation,
            seen.viewer,
            &response.errors,
            started.elapsed(),
            statements,
        );
        response
    }

    /// A subscription (over the WebSocket) is counted while it runs, and each response it sends
    /// by outcome, under the operation's name (known once the stream has prepared it).
    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        let seen = self.seen.clone();
        let running = metrics::RunningSubscription::started();
        next.run(ctx, stream)
            .map(move |response| {
                let _counted = &running;
                let operation = seen
                    .lock()
                    .ok()
                    .and_then(|seen| seen.operation.clone())
                    .unwrap_or_else(|| ANONYMOUS.to_owned());
                metrics::subscription_sent(&operation, outcome(&response.errors), &response.errors);
                response
            })
            .boxed()
    }

    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Ok(mut seen) = self.seen.lock() {
            seen.requested.clone_from(&request.operation_name);
        }
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // Request data (the viewer) is reachable from here on.
        let viewer = ctx.data_opt::<Viewer>().map(|v| v.user_id);
        let document = next.run(ctx, query, variables).await;
        if let Ok(mut seen) = self.seen.lock() {
            seen.viewer = viewer;
            seen.operation = Some(operation_label(
                seen.requested.as_deref(),
                document.as_ref().ok(),
            ));
        }
        document
    }
}

/// The name an operation is counted and logged under: the name the request asked for
/// ([`INVALID`] when it is not a GraphQL name), else the document's one named operation, else
/// [`ANONYMOUS`].
pub fn operation_label(requested: Option<&str>, document: Option<&ExecutableDocument>) -> String {
    if let Some(name) = requested {
        return if is_name(name) { name } else { INVALID }.to_owned();
    }
    match document.map(|document| &document.operations) {
        Some(DocumentOperations::Multiple(operations)) if operations.len() == 1 => operations
            .keys()
            .next()
            .map_or_else(|| ANONYMOUS.to_owned(), |name| name.to_string()),
        _ => ANONYMOUS.to_owned(),
    }
}

/// Records a finished operation for the metrics and the request's log line. Operations the
/// schema runs are recorded by the extension; an answer from the read cache (`statements`
/// `Some(0)`) is recorded here directly.
pub fn finished(
    operation: String,
    viewer: Option<i64>,
    errors: &[ServerError],
    elapsed: std::time::Duration,
    statements: Option<u64>,
) {
    let outcome = outcome(errors);
    metrics::operation_finished(&operation, outcome, errors, elapsed, statements);
    request_log::note_graphql(GraphqlFacts {
        operation,
        outcome,
        viewer,
    });
}

/// `ok`, or the code of the first error (`INTERNAL` for one without a public code).
pub fn outcome(errors: &[ServerError]) -> &'static str {
    match errors.first() {
        None => "ok",
        Some(error) => error_code(error),
    }
}

/// An error's public code, `INTERNAL` when it has none.
pub fn error_code(error: &ServerError) -> &'static str {
    let code = error
        .extensions
        .as_ref()
        .and_then(|e| e.get("code"))
        .and_then(|v| match v {
            Value::String(code) => Some(code.as_str()),
            _ => None,
        });
    code.and_then(|code| PUBLIC_CODES.iter().copied().find(|c| *c == code))
        .unwrap_or(INTERNAL)
}

/// Whether `name` is a GraphQL name (`[_A-Za-z][_0-9A-Za-z]*`), at most 100 characters.
fn is_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    name.len() <= 100
        && bytes
            .next()
            .is_some_and(|b| b == b'_' || b.is_ascii_alphabetic())
        && bytes.all(|b| b == b'_' || b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_graphql_names() {
        assert!(is_name("FilmPage"));
        assert!(is_name("_x1"));
        assert!(!is_name("1x"));
        assert!(!is_name("film page"));
        assert!(!is_name(""));
        assert!(!is_name(&"a".repeat(101)));
    }
}
