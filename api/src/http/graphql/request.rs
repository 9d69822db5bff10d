//! Reading a GraphQL request out of HTTP: the JSON body of a POST, the parameters of a GET, the
//! checks that run before the parser sees the document, and the context every operation gets
//! (HTTP and WebSocket alike).

use super::GraphqlState;
use super::response::Refusal;
use crate::auth::ClientInfo;
use crate::config::Limits;
use crate::graphql::context::{AccountSlot, PasswordChecks};
use crate::graphql::loaders::Loaders;
use crate::http::negotiation::ResponseFormat;
use crate::http::nesting::max_nesting;
use actix_web::http::{StatusCode, header};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{HttpRequest, web};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::sync::Arc;

/// Attaches what an operation needs, the one place both paths (HTTP requests and WebSocket
/// subscriptions) build it: its own DataLoaders, where it came from, the slot that holds the
/// viewer's account once re-loaded, and the count of its password checks. The viewer itself comes from the bearer token (HTTP) or
/// `connection_init` (WebSocket). `rows` is the row cache for the loaders of an authenticated
/// request (`None` for anonymous ones, whose whole answers are cached instead).
pub fn with_context(
    request: async_graphql::Request,
    state: &GraphqlState,
    client: ClientInfo,
    rows: Option<Arc<crate::cache::rows::RowCache>>,
) -> async_graphql::Request {
    request
        .data(Loaders::new(&state.db, state.limits.loader_delay, rows))
        .data(client)
        .data(AccountSlot::default())
        .data(PasswordChecks::default())
}

/// Reads a request body within the size limit (413 beyond) and the time limit (408 after): a
/// body trickled a byte at a time cannot hold a connection open.
pub async fn read_body(mut payload: web::Payload, limits: &Limits) -> Result<Bytes, Refusal> {
    let max = limits.max_body_bytes;
    let read = async {
        let mut body = BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk
                .map_err(|err| Refusal::bad_request(format!("the body cannot be read: {err}")))?;
            if body.len() + chunk.len() > max {
                return Err(Refusal::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "LIMIT_EXCEEDED",
                    format!("the body is larger than {max} bytes"),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    };
    match tokio::time::timeout(limits.body_timeout, read).await {
        Ok(body) => body,
        Err(_) => Err(Refusal::new(
            StatusCode::REQUEST_TIMEOUT,
            "TIMEOUT",
            format!(
                "the body did not arrive within {} ms",
                limits.body_timeout.as_millis()
            ),
        )),
    }
}

/// Refuses a POST whose body is not `application/json` (415): no CSRF through simple forms.
pub fn require_json(req: &HttpRequest) -> Result<(), Refusal> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if media == "application/json" {
        Ok(())
    } else {
        Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            format!("send the request as `Content-Type: application/json` (got {content_type:?})"),
        ))
    }
}

/// The parameters of a GET request's query string.
pub struct GetParams(Vec<(String, String)>);

impl GetParams {
    /// Reads the query string.
    pub fn read(req: &HttpRequest) -> Result<Self, Refusal> {
        serde_urlencoded::from_str(req.query_string())
            .map(Self)
            .map_err(|_| Refusal::bad_request("the query string cannot be read"))
    }

    /// One parameter's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The GraphQL request the parameters describe (`variables` and `extensions` as JSON).
    pub fn into_request(self) -> Result<async_graphql::Request, Refusal> {
        let mut body = match self.get("query") {
            Some(query) => json!({ "query": query }),
            // A persisted query named by its hash alone.
            None if self.get("extensions").is_some() => json!({}),
            None => {
                return Err(Refusal::bad_request(
                    "a GET request needs a `query` parameter",
                ));
            }
        };
        for name in ["operationName", "variables", "extensions"] {
            if let Some(raw) = self.get(name) {
                let value = if name == "operationName" {
                    Value::String(raw.to_owned())
                } else {
                    serde_json::from_str(raw)
                        .map_err(|_| Refusal::bad_request(format!("`{name}` is not valid JSON")))?
                };
                body[name] = value;
            }
        }
        parse_body(body.to_string().as_bytes())
    }
}

/// Reads a GraphQL request from a JSON body, refusing what is malformed with a useful message.
pub fn parse_body(body: &[u8]) -> Result<async_graphql::Request, Refusal> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|err| Refusal::bad_request(format!("the body is not valid JSON: {err}")))?;
    let object = match &value {
        Value::Object(object) => object,
        Value::Array(_) => {
            return Err(Refusal::bad_request(
                "batched requests are not supported: send one operation",
            ));
        }
        _ => {
            return Err(Refusal::bad_request(
                "the body must be a JSON object with a `query`",
            ));
        }
    };
    let persisted = object
        .get("extensions")
        .and_then(|extensions| extensions.get("persistedQuery"))
        .is_some();
    match object.get("query") {
        Some(Value::String(_)) => {}
        // A persisted query named by its hash alone (`persisted` fills it in).
        None if persisted => {}
        Some(_) => return Err(Refusal::bad_request("`query` must be a string")),
        None => return Err(Refusal::bad_request("the body has no `query`")),
    }
    if !matches!(
        object.get("variables"),
        None | Some(Value::Null | Value::Object(_))
    ) {
        return Err(Refusal::bad_request("`variables` must be an object"));
    }
    if !matches!(
        object.get("operationName"),
        None | Some(Value::Null | Value::String(_))
    ) {
        return Err(Refusal::bad_request("`operationName` must be a string"));
    }
    if !matches!(
        object.get("extensions"),
        None | Some(Value::Null | Value::Object(_))
    ) {
        return Err(Refusal::bad_request("`extensions` must be an object"));
    }
    serde_json::from_value(value)
        .map_err(|err| Refusal::bad_request(format!("the request cannot be read: {err}")))
}

/// Checks a request's document before execution: nesting (before the parser, which would
/// overflow its stack), syntax, and — for GET — that the operation is a query. Returns the
/// selected operation's type when the document names one unambiguously.
pub fn check_document(
    request: &mut async_graphql::Request,
    format: ResponseFormat,
    limits: &Limits,
    is_get: bool,
) -> Result<Option<OperationType>, Refusal> {
    if max_nesting(&request.query) > limits.max_nesting {
        return Err(Refusal::request_error(
            format,
            "LIMIT_EXCEEDED",
            format!(
                "the query nests brackets deeper than {} levels",
                limits.max_nesting
            ),
        ));
    }
    let operation_name = request.operation_name.clone();
    let (operation, root_fields) = match request.parsed_query() {
        Ok(document) => {
            match crate::graphql::documents::selected_operation(document, operation_name.as_deref())
            {
                Some(op) => (
                    Some(op.ty),
                    root_field_count(document, &op.selection_set.node),
                ),
                None => (None, 0),
            }
        }
        Err(err) => {
            let at = err
                .locations
                .first()
                .map(|p| format!(" at line {}, column {}", p.line, p.column))
                .unwrap_or_default();
            // The parser's own words: its multi-line report ends with "= expected …".
            let expected = err
                .message
                .lines()
                .find_map(|line| line.trim().strip_prefix("= "))
                .map(|what| format!(": {what}"))
                .unwrap_or_default();
            return Err(Refusal::request_error(
                format,
                "GRAPHQL_PARSE_FAILED",
                format!("syntax error{at}{expected}"),
            ));
        }
    };
    if root_fields > limits.max_root_fields {
        return Err(Refusal::request_error(
            format,
            "LIMIT_EXCEEDED",
            format!(
                "the operation asks for {root_fields} top-level fields; at most {} are allowed",
                limits.max_root_fields
            ),
        ));
    }
    if is_get && operation.is_some_and(|op| op != OperationType::Query) {
        return Err(Refusal::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "only queries can be sent with GET; send mutations with POST",
        ));
    }
    Ok(operation)
}

/// How many fields an operation asks for at its top level (aliases each count; fragments are
/// looked into, each fragment once), so one request cannot fan out into many root resolvers.
fn root_field_count(document: &ExecutableDocument, selection_set: &SelectionSet) -> usize {
    let mut count = 0;
    let mut seen = std::collections::HashSet::new();
    let mut pending = vec![selection_set];
    while let Some(set) = pending.pop() {
        for item in &set.items {
            match &item.node {
                Selection::Field(_) => count += 1,
                Selection::InlineFragment(fragment) => {
                    pending.push(&fragment.node.selection_set.node);
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if seen.insert(name.clone())
                        && let Some(fragment) = document.fragments.get(name)
                    {
                        pending.push(&fragment.node.selection_set.node);
                    }
                }
            }
        }
    }
    count
}
