//! The HTTP routes of `/graphql`: POST, GET (queries and GraphiQL), and any other method (the
//! WebSocket upgrade is `socket`).

use super::GraphqlState;
use super::auth::{self, Bearer};
use super::persisted::Persisted;
use super::request::{
    GetParams, check_document, parse_body, read_body, require_json, with_context,
};
use super::response::{
    etag_of, not_acceptable, respond, respond_cached, success_body, unauthenticated,
};
use crate::cache::Cached;
use crate::cache::key::Key;
use crate::cache::tags::Recorder;
use crate::error::coded_error;
use crate::graphql::documents::selected_operation;
use crate::graphql::error_kinds::{IntrospectionOnly, is_introspection_only};
use crate::graphql::field_order;
use crate::graphql::{observer, rate_limit};
use crate::http::graphiql;
use crate::http::negotiation::{ResponseFormat, accepts_gzip, negotiate};
use crate::http::request_id::RequestId;
use crate::rate_limit::Subject;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::Response;
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

/// The response header saying what the read cache did: `HIT`, `MISS` or `BYPASS`.
pub const CACHE_HEADER: &str = "x-stinger-cache";

/// `POST /graphql`.
pub async fn post(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<GraphqlState>,
    request_id: RequestId,
) -> HttpResponse {
    let Some(format) = negotiate(&req, false) else {
        return not_acceptable();
    };
    if let Err(refusal) = require_json(&req) {
        return refusal.respond(format);
    }
    let body = match read_body(payload, &state.limits).await {
        Ok(body) => body,
        Err(refusal) => return refusal.respond(format),
    };
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
    let params = match GetParams::read(&req) {
        Ok(params) => params,
        Err(refusal) => return refusal.respond(ResponseFormat::Json),
    };
    let offer_graphiql = state.limits.graphiql
        && params.get("query").is_none()
        && params.get("extensions").is_none();
    let Some(format) = negotiate(&req, offer_graphiql) else {
        return not_acceptable();
    };
    if format == ResponseFormat::Html {
        return graphiql::page();
    }
    match params.into_request() {
        Ok(request) => execute(&req, request, format, &state, &request_id, true).await,
        Err(refusal) => refusal.respond(format),
    }
}

/// Any other method on `/graphql`.
pub async fn method_not_allowed() -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .insert_header((header::ALLOW, "GET, POST"))
        .content_type(ResponseFormat::Json.content_type())
        .body(json!({"errors": [{"message": "use GET for queries or POST", "extensions": {"code": "METHOD_NOT_ALLOWED"}}]}).to_string())
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
    let started = Instant::now();
    let limits = &state.limits;
    let anonymous = matches!(auth::from_header(req), Bearer::None);
    let persisted = match state.persisted.resolve(&mut request, format, anonymous) {
        Ok(persisted) => persisted,
        Err(refusal) => return refusal.respond(format),
    };
    state.documents.reuse(&mut request);
    if let Err(refusal) = check_document(&mut request, format, limits, is_get) {
        return refusal.respond(format);
    }
    if let Persisted::Register(hash) = persisted {
        state.persisted.keep(hash, &request.query);
    }
    let document = state.documents.keep(&mut request);
    let operation_name = request.operation_name.clone();
    let client = crate::http::client::client_info(req, &state.trusted_proxies);
    let shared = shared_key(state, &request, document.as_deref(), anonymous_request(req));
    if let (Some(cache), Some(key)) = (&state.read_cache, &shared)
        && let Some(hit) = cache.get(key)
    {
        let operation = observer::operation_label(operation_name.as_deref(), document.as_deref());
        let revalidate = is_get.then(|| if_none_match(req));
        // Charged like the run it repeats, and counted like it, with no statements.
        let charged =
            rate_limit::charge(&state.rate_limits, Subject::Address(client.ip), hit.cost).await;
        let (mut http, errors) = match charged {
            Ok(()) => {
                let http = respond_cached(&hit, format, revalidate, accepts_gzip(req));
                (http, Vec::new())
            }
            Err(refusal) => {
                let response = Response::from_errors(refusal.clone());
                (
                    respond(response, format, limits, request_id, revalidate),
                    refusal,
                )
            }
        };
        observer::finished(operation, None, &errors, started.elapsed(), Some(0));
        mark(&mut http, if errors.is_empty() { "HIT" } else { "BYPASS" });
        return http;
    }
    let rows = if anonymous {
        None
    } else {
        state.row_cache.clone()
    };
    let mut request = with_context(request, state, client, rows);
    let recorder = Arc::new(Recorder::default());
    let generation = state.read_cache.as_ref().map(|cache| cache.generation());
    if shared.is_some() {
        request = request.data(recorder.clone());
    }
    if document.as_deref().is_some_and(is_introspection_only) {
        request = request.data(IntrospectionOnly);
    }
    let mut authenticated = false;
    match auth::from_header(req) {
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
    // Inside the interruption scope, so the SQLite work of a request that timed out stops too.
    let execution = crate::db::request_scope::scope(state.schema.execute(request));
    let mut response = match tokio::time::timeout(limits.request_timeout, execution).await {
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
    if let Some(document) = &document {
        field_order::restore(&mut response.data, document, operation_name.as_deref());
    }
    let revalidate = is_get.then(|| if_none_match(req));
    let kept = match (&state.read_cache, shared, generation) {
        (Some(cache), Some(key), Some(generation)) if response.errors.is_empty() => {
            recorder.take().and_then(|tags| {
                let fresh = Fresh {
                    key,
                    tags,
                    generation,
                    cost: recorder.cost(),
                    gzip: accepts_gzip(req),
                };
                keep(cache, &response, fresh)
            })
        }
        _ => None,
    };
    let mut http = match kept {
        Some(kept) => respond_cached(&kept, format, revalidate, accepts_gzip(req)),
        None => respond(response, format, limits, request_id, revalidate),
    };
    mark(
        &mut http,
        match (&state.read_cache, &shared) {
            (Some(_), Some(_)) => "MISS",
            _ => "BYPASS",
        },
    );
    if authenticated {
        // A response for one account must never be served to another by a shared cache.
        http.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("private, no-store"),
        );
    }
    http
}

/// A successful answer computed for the read cache: where it goes and what it cost.
struct Fresh {
    key: Key,
    tags: Vec<crate::cache::tags::Tag>,
    /// The cache's generation before the answer was computed.
    generation: u64,
    cost: u32,
    /// Keep a gzip form too (the client takes gzip).
    gzip: bool,
}

/// Serialises a successful answer once, for the client and for the read cache (compressed too
/// when its client takes gzip); what was kept (`None` when it could not be serialised:
/// `respond` then reports it).
fn keep(cache: &crate::cache::ReadCache, response: &Response, fresh: Fresh) -> Option<Arc<Cached>> {
    let body = success_body(response).ok()?;
    let etag = std::str::from_utf8(&body).map(etag_of).ok()?;
    let gzip = fresh.gzip.then(|| gzip(&body)).flatten();
    let bytes = body.len() + etag.len() + gzip.as_ref().map_or(0, |g| g.len());
    let cached = Cached {
        body,
        etag,
        gzip,
        cache_control: response.cache_control,
        cost: fresh.cost,
    };
    Some(cache.insert(fresh.key, cached, bytes, fresh.tags, fresh.generation))
}

/// `body` gzip-compressed (`None` if compressing failed: the plain body is sent then).
fn gzip(body: &[u8]) -> Option<Bytes> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4),
        flate2::Compression::default(),
    );
    encoder.write_all(body).ok()?;
    encoder.finish().ok().map(Bytes::from)
}

/// The `If-None-Match` of a request (empty when absent).
fn if_none_match(req: &HttpRequest) -> &str {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// A request with no `Authorization` header at all: only those share cached answers.
fn anonymous_request(req: &HttpRequest) -> bool {
    !req.headers().contains_key(header::AUTHORIZATION)
}

/// The read cache's key for a request whose answer may be shared: an anonymous query (never a
/// mutation or subscription), when the cache is on.
fn shared_key(
    state: &GraphqlState,
    request: &async_graphql::Request,
    document: Option<&ExecutableDocument>,
    anonymous: bool,
) -> Option<Key> {
    state.read_cache.as_ref()?;
    if !anonymous {
        return None;
    }
    let operation = selected_operation(document?, request.operation_name.as_deref())?;
    if operation.ty != OperationType::Query {
        return None;
    }
    let variables = serde_json::to_string(&request.variables).ok()?;
    Some(Key::new(
        &request.query,
        request.operation_name.as_deref(),
        &variables,
    ))
}

/// Says whether the read cache answered (`HIT`), kept the answer (`MISS`) or was not asked
/// (`BYPASS`).
fn mark(http: &mut HttpResponse, outcome: &'static str) {
    http.headers_mut().insert(
        header::HeaderName::from_static(CACHE_HEADER),
        header::HeaderValue::from_static(outcome),
    );
}
