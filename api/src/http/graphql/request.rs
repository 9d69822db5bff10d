//! Reading a GraphQL request out of HTTP: the JSON body of a POST, the parameters of a GET, and
//! the checks that run before the parser sees the document.

use super::response::Refusal;
use crate::config::Limits;
use crate::http::negotiation::ResponseFormat;
use crate::http::nesting::max_nesting;
use actix_web::HttpRequest;
use actix_web::http::{StatusCode, header};
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use serde_json::{Value, json};

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
        let Some(query) = self.get("query") else {
            return Err(Refusal::bad_request(
                "a GET request needs a `query` parameter",
            ));
        };
        let mut body = json!({ "query": query });
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
    match object.get("query") {
        Some(Value::String(_)) => {}
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
    let operation = match request.parsed_query() {
        Ok(document) => selected_operation(document, operation_name.as_deref()),
        Err(err) => {
            let at = err
                .locations
                .first()
                .map(|p| format!(" at line {}, column {}", p.line, p.column))
                .unwrap_or_default();
            return Err(Refusal::request_error(
                format,
                "GRAPHQL_PARSE_FAILED",
                format!("syntax error{at}"),
            ));
        }
    };
    if is_get && operation.is_some_and(|op| op != OperationType::Query) {
        return Err(Refusal::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "only queries can be sent with GET; send mutations with POST",
        ));
    }
    Ok(operation)
}

/// The type of the operation that will run, if the document names one unambiguously.
fn selected_operation(document: &ExecutableDocument, name: Option<&str>) -> Option<OperationType> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| op.node.ty)
        }
        _ => None,
    }
}
