//! `/graphql`, served as the GraphQL-over-HTTP specification asks, with the guards the stock
//! async-graphql integration lacks:
//!
//! - the body is read through actix's size-limited `Bytes` extractor (413 past the limit);
//! - nesting deeper than the limit is refused before the parser sees it (it would overflow);
//! - only `application/json` bodies are executed (415 otherwise: no CSRF through simple forms);
//! - GET never runs a mutation (405 with `Allow: POST`);
//! - the response type follows `Accept`, with 4xx statuses for request errors under
//!   `application/graphql-response+json`;
//! - execution is bounded in time, errors per response are capped, and any error without a
//!   public code is masked (logged whole with the request id);
//! - an `Authorization: Bearer` token is validated before execution: a bad one is refused with
//!   `UNAUTHENTICATED`, none at all runs the request anonymously.

use super::negotiation::{ResponseFormat, negotiate};
use super::nesting::max_nesting;
use crate::auth::{AuthState, ClientInfo};
use crate::config::Limits;
use crate::error::{INTERNAL, PUBLIC_CODES};
use crate::graphql::StingerSchema;
use crate::graphql::loaders::Loaders;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::OperationType;
use async_graphql::{ErrorExtensionValues, Response, ServerError, Value as GqlValue};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use std::sync::Arc;
use tracing_actix_web::RequestId;

/// What the handlers share.
pub struct GraphqlState {
    pub schema: StingerSchema,
    pub db: DatabaseConnection,
    pub limits: Limits,
    pub auth: Arc<AuthState>,
}

/// A request refused before execution: its status and message.
struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// A GraphQL request error (parse failure, a limit): 400 under
    /// `application/graphql-response+json`, 200 under legacy `application/json`, as the spec says.
    fn request_error(
        format: ResponseFormat,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        let status = if format == ResponseFormat::GraphqlResponseJson {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        };
        Self::new(status, code, message)
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }

    fn respond(self, format: ResponseFormat) -> HttpResponse {
        let format = if format == ResponseFormat::Html {
            ResponseFormat::Json
        } else {
            format
        };
        let mut response = HttpResponse::build(self.status);
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            response.insert_header((header::ALLOW, "POST"));
        }
        response.content_type(format.content_type()).body(
            json!({"errors": [{"message": self.message, "extensions": {"code": self.code}}]})
                .to_string(),
        )
    }
}

/// `POST /graphql`.
pub async fn post(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<GraphqlState>,
    request_id: RequestId,
) -> HttpResponse {
    let Some(format) = negotiate(accept(&req), false) else {
        return not_acceptable();
    };
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
    if media != "application/json" {
        return Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            format!(
                "send the request as `Content-Type: application/json` (got {:?})",
                content_type
            ),
        )
        .respond(format);
    }
    let request = match parse_body(&body) {
        Ok(request) => request,
        Err(refusal) => return refusal.respond(format),
    };
    execute(&req, request, format, &state, &request_id, false).await
}

/// `GET /graphql`: queries only; GraphiQL for a browser asking for HTML without a query.
pub async fn get(
    req: HttpRequest,
    state: web::Data<GraphqlState>,
    request_id: RequestId,
) -> HttpResponse {
    let params: Vec<(String, String)> = match serde_urlencoded::from_str(req.query_string()) {
        Ok(params) => params,
        Err(_) => {
            return Refusal::bad_request("the query string cannot be read")
                .respond(ResponseFormat::Json);
        }
    };
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(format) = negotiate(accept(&req), param("query").is_none()) else {
        return not_acceptable();
    };
    if format == ResponseFormat::Html {
        return HttpResponse::Ok().content_type(format.content_type()).body(
            GraphiQLSource::build()
                .endpoint("/graphql")
                .title("Stinger")
                .finish(),
        );
    }
    let Some(query) = param("query") else {
        return Refusal::bad_request("a GET request needs a `query` parameter").respond(format);
    };
    let mut body = json!({"query": query});
    for name in ["operationName", "variables", "extensions"] {
        if let Some(raw) = param(name) {
            let value = if name == "operationName" {
                Value::String(raw.to_owned())
            } else {
                match serde_json::from_str(raw) {
                    Ok(value) => value,
                    Err(_) => {
                        return Refusal::bad_request(format!("`{name}` is not valid JSON"))
                            .respond(format);
                    }
                }
            };
            body[name] = value;
        }
    }
    let request = match parse_body(body.to_string().as_bytes()) {
        Ok(request) => request,
        Err(refusal) => return refusal.respond(format),
    };
    execute(&req, request, format, &state, &request_id, true).await
}

/// `GET /graphql` upgraded to a WebSocket: subscriptions over `graphql-transport-ws` (or the
/// older `graphql-ws`). The access token comes in `connection_init` as
/// `{"Authorization": "Bearer …"}`; a bad one refuses the connection, none subscribes
/// anonymously (and `editEvents` then answers UNAUTHENTICATED).
pub async fn subscriptions(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<GraphqlState>,
) -> actix_web::Result<HttpResponse> {
    let auth = state.auth.clone();
    let client = ClientInfo {
        ip: req.peer_addr().map(|a| a.ip()),
    };
    async_graphql_actix_web::GraphQLSubscription::new(state.schema.clone())
        .on_connection_init(move |init: Value| async move {
            let mut data = async_graphql::Data::default();
            data.insert(client);
            let header = init
                .as_object()
                .and_then(|o| o.get("Authorization").or_else(|| o.get("authorization")))
                .and_then(Value::as_str);
            if let Some(header) = header {
                let token = header
                    .split_once(' ')
                    .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                    .map(|(_, token)| token.trim())
                    .ok_or_else(|| async_graphql::Error::new("send `Bearer <token>`"))?;
                let viewer = auth.keys.verify(token).map_err(|_| {
                    async_graphql::Error::new("the access token is invalid or expired")
                })?;
                data.insert(viewer);
            }
            Ok(data)
        })
        .start(&req, payload)
}

/// Any other method on `/graphql`.
pub async fn method_not_allowed() -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .insert_header((header::ALLOW, "GET, POST"))
        .content_type(ResponseFormat::Json.content_type())
        .body(json!({"errors": [{"message": "use GET for queries or POST", "extensions": {"code": "METHOD_NOT_ALLOWED"}}]}).to_string())
}

fn accept(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
}

fn not_acceptable() -> HttpResponse {
    Refusal::new(
        StatusCode::NOT_ACCEPTABLE,
        "NOT_ACCEPTABLE",
        "this endpoint answers with application/graphql-response+json or application/json",
    )
    .respond(ResponseFormat::Json)
}

/// Reads a GraphQL request from a JSON body, refusing what is malformed with a useful message.
fn parse_body(body: &[u8]) -> Result<async_graphql::Request, Refusal> {
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

/// Runs a request and shapes the response.
async fn execute(
    req: &HttpRequest,
    mut request: async_graphql::Request,
    format: ResponseFormat,
    state: &GraphqlState,
    request_id: &RequestId,
    is_get: bool,
) -> HttpResponse {
    let limits = &state.limits;
    if max_nesting(&request.query) > limits.max_nesting {
        return Refusal::request_error(
            format,
            "LIMIT_EXCEEDED",
            format!(
                "the query nests brackets deeper than {} levels",
                limits.max_nesting
            ),
        )
        .respond(format);
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
            return Refusal::request_error(
                format,
                "GRAPHQL_PARSE_FAILED",
                format!("syntax error{at}"),
            )
            .respond(format);
        }
    };
    if is_get && operation.is_some_and(|op| op != OperationType::Query) {
        return Refusal::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "only queries can be sent with GET; send mutations with POST",
        )
        .respond(format);
    }

    let mut request = request
        .data(Loaders::new(&state.db, limits.loader_delay))
        .data(ClientInfo {
            ip: req.peer_addr().map(|a| a.ip()),
        });
    let mut authenticated = false;
    match bearer_token(req) {
        Bearer::None => {}
        Bearer::Token(token) => match state.auth.keys.verify(token) {
            Ok(viewer) => {
                authenticated = true;
                request = request.data(viewer);
            }
            Err(err) => {
                tracing::info!(request_id = %request_id, error = %err, "access token refused");
                return unauthenticated(format, "the access token is invalid or expired");
            }
        },
        Bearer::Malformed => {
            return unauthenticated(
                format,
                "send the access token as `Authorization: Bearer <token>`",
            );
        }
    }
    let response =
        match tokio::time::timeout(limits.request_timeout, state.schema.execute(request)).await {
            Ok(response) => response,
            Err(_) => {
                tracing::warn!(request_id = %request_id, "GraphQL request timed out");
                Response::from_errors(vec![coded_error(
                    format!(
                        "the request took longer than {} ms and was stopped",
                        limits.request_timeout.as_millis()
                    ),
                    "TIMEOUT",
                )])
            }
        };
    let mut http = respond(response, format, limits, request_id, is_get);
    if authenticated {
        // A response for one account must never be served to another by a shared cache.
        http.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("private, no-store"),
        );
    }
    http
}

/// What the `Authorization` header holds.
enum Bearer<'a> {
    None,
    Token(&'a str),
    Malformed,
}

/// Longest `Authorization` header read; access tokens are far shorter.
const MAX_AUTHORIZATION_BYTES: usize = 4096;

fn bearer_token(req: &HttpRequest) -> Bearer<'_> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Bearer::None;
    };
    if value.len() > MAX_AUTHORIZATION_BYTES {
        return Bearer::Malformed;
    }
    let Ok(value) = value.to_str() else {
        return Bearer::Malformed;
    };
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Bearer::Token(token.trim())
        }
        _ => Bearer::Malformed,
    }
}

/// A request refused for its credentials: 401 with `WWW-Authenticate`, code `UNAUTHENTICATED`.
fn unauthenticated(format: ResponseFormat, message: &str) -> HttpResponse {
    let mut response =
        Refusal::new(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", message).respond(format);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    response
}

/// The type of the operation that will run, if the document names one unambiguously.
fn selected_operation(
    document: &async_graphql::parser::types::ExecutableDocument,
    name: Option<&str>,
) -> Option<OperationType> {
    use async_graphql::parser::types::DocumentOperations;
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| op.node.ty)
        }
        _ => None,
    }
}

fn coded_error(message: String, code: &str) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code);
    error.extensions = Some(extensions);
    error
}

/// Masks, caps and serialises a response with the status the negotiated format calls for.
fn respond(
    mut response: Response,
    format: ResponseFormat,
    limits: &Limits,
    request_id: &RequestId,
    is_get: bool,
) -> HttpResponse {
    let request_error = response.data == GqlValue::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let total = response.errors.len();
    let mut errors: Vec<ServerError> = response
        .errors
        .drain(..)
        .take(limits.max_errors)
        .map(|e| mask(e, request_id, request_error))
        .collect();
    if total > limits.max_errors {
        errors.push(coded_error(
            format!("{} more errors were left out", total - limits.max_errors),
            "LIMIT_EXCEEDED",
        ));
    }

    let mut body = serde_json::Map::new();
    if !request_error {
        body.insert(
            "data".to_owned(),
            serde_json::to_value(&response.data).unwrap_or(Value::Null),
        );
    }
    if !errors.is_empty() {
        body.insert(
            "errors".to_owned(),
            serde_json::to_value(&errors).unwrap_or(Value::Null),
        );
    }
    if !response.extensions.is_empty() {
        body.insert(
            "extensions".to_owned(),
            serde_json::to_value(&response.extensions).unwrap_or(Value::Null),
        );
    }
    let status = if request_error && format == ResponseFormat::GraphqlResponseJson {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let mut http = HttpResponse::build(status);
    http.content_type(format.content_type());
    if is_get && errors.is_empty() {
        if let Some(cache_control) = response.cache_control.value() {
            let scope = if response.cache_control.public {
                "public, "
            } else {
                ""
            };
            http.insert_header((header::CACHE_CONTROL, format!("{scope}{cache_control}")));
        }
    } else {
        http.insert_header((header::CACHE_CONTROL, "no-store"));
    }
    http.body(Value::Object(body).to_string())
}

/// Keeps an error's message only if it carries a public code; request errors (validation,
/// limits) get one. Anything else becomes "Internal server error" with the request id.
fn mask(mut error: ServerError, request_id: &RequestId, request_error: bool) -> ServerError {
    let code = error
        .extensions
        .as_ref()
        .and_then(|e| e.get("code"))
        .and_then(|v| {
            if let GqlValue::String(s) = v {
                Some(s.clone())
            } else {
                None
            }
        });
    match code {
        Some(code) if PUBLIC_CODES.contains(&code.as_str()) => error,
        None if request_error || error.path.is_empty() && is_validation_message(&error.message) => {
            let code = if is_limit_message(&error.message) {
                "LIMIT_EXCEEDED"
            } else {
                "GRAPHQL_VALIDATION_FAILED"
            };
            let mut extensions = error.extensions.take().unwrap_or_default();
            extensions.set("code", code);
            error.extensions = Some(extensions);
            error
        }
        _ => {
            tracing::error!(request_id = %request_id, error = %error.message, path = ?error.path, "internal error in a GraphQL request");
            let mut masked = coded_error("Internal server error".to_owned(), INTERNAL);
            if let Some(extensions) = masked.extensions.as_mut() {
                extensions.set("requestId", request_id.to_string());
            }
            masked.path = error.path;
            masked.locations = error.locations;
            masked
        }
    }
}

fn is_limit_message(message: &str) -> bool {
    [
        "nested too deep",
        "too complex",
        "recursion depth",
        "number of directives",
    ]
    .iter()
    .any(|m| message.contains(m))
}

fn is_validation_message(message: &str) -> bool {
    // Errors async-graphql raises before execution (argument coercion during execution has a path).
    is_limit_message(message)
        || message.starts_with("Unknown")
        || message.contains("Invalid value for argument")
}
