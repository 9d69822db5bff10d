//! Shaping what `/graphql` answers: refusals before execution, and executed responses masked,
//! capped and serialised with the status the negotiated format calls for.

use crate::cache::Cached;
use crate::config::Limits;
use crate::error::{INTERNAL, PUBLIC_CODES, code, coded_error, error_code};
use crate::http::negotiation::ResponseFormat;
use crate::http::request_id::RequestId;
use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use actix_web::web::Bytes;
use async_graphql::{CacheControl, Response, ServerError, Value as GqlValue};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

/// A request refused before execution: its status and message.
pub struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// A GraphQL request error (parse failure, a limit): 400 under
    /// `application/graphql-response+json`, 200 under legacy `application/json`, as the spec says.
    pub fn request_error(
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

    /// A request that is not a GraphQL request at all: 400 whatever the format.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }

    /// The refusal as a GraphQL error (for the WebSocket path, which has no status).
    pub fn into_error(self) -> ServerError {
        coded_error(self.message, self.code)
    }

    pub fn respond(self, format: ResponseFormat) -> HttpResponse {
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

/// 406: the client accepts no type `/graphql` can send.
pub fn not_acceptable() -> HttpResponse {
    Refusal::new(
        StatusCode::NOT_ACCEPTABLE,
        "NOT_ACCEPTABLE",
        "this endpoint answers with application/graphql-response+json or application/json",
    )
    .respond(ResponseFormat::Json)
}

/// A request refused for its credentials: 401 with `WWW-Authenticate`, code `UNAUTHENTICATED`.
pub fn unauthenticated(format: ResponseFormat, message: &str) -> HttpResponse {
    let mut response =
        Refusal::new(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", message).respond(format);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    response
}

/// Masks, caps and serialises a response with the status the negotiated format calls for.
/// `revalidate` is set for GET requests (their `If-None-Match`, empty when absent): a
/// successful answer then carries a strong `ETag`, and one the client holds already is
/// answered `304 Not Modified` without a body.
pub fn respond(
    mut response: Response,
    format: ResponseFormat,
    limits: &Limits,
    request_id: &RequestId,
    revalidate: Option<&str>,
) -> HttpResponse {
    let request_error = shape_errors(&mut response, limits.max_errors, request_id);
    let errors = std::mem::take(&mut response.errors);

    let body = Body {
        data: (!request_error).then_some(&response.data),
        errors: &errors,
        extensions: &response.extensions,
    };
    let rate_limited = request_error.then(|| retry_after(&errors)).flatten();
    let unavailable = errors
        .iter()
        .any(|e| error_code(e) == Some(code::SERVICE_UNAVAILABLE));
    let retry_after = rate_limited.or(unavailable.then_some(UNAVAILABLE_RETRY_AFTER_SECS));
    let status = if rate_limited.is_some() {
        StatusCode::TOO_MANY_REQUESTS
    } else if unavailable {
        StatusCode::SERVICE_UNAVAILABLE
    } else if request_error && format == ResponseFormat::GraphqlResponseJson {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let mut http = HttpResponse::build(status);
    http.content_type(format.content_type());
    if let Some(seconds) = retry_after {
        http.insert_header((header::RETRY_AFTER, seconds.to_string()));
    }
    if status == StatusCode::OK && errors.is_empty() {
        return match serde_json::to_string(&body) {
            Ok(json) => {
                let etag = revalidate.map(|_| etag_of(&json));
                answer(
                    http,
                    Bytes::from(json),
                    etag.as_deref(),
                    &response.cache_control,
                    revalidate,
                )
            }
            Err(error) => serialisation_failed(request_id, &error, format),
        };
    }
    http.insert_header((header::CACHE_CONTROL, "no-store"));
    match serde_json::to_string(&body) {
        Ok(json) => http.body(json),
        Err(error) => serialisation_failed(request_id, &error, format),
    }
}

/// The JSON body of a response without errors: what [`respond`] sends for it, and what the read
/// cache keeps.
pub fn success_body(response: &Response) -> serde_json::Result<Bytes> {
    let body = Body {
        data: Some(&response.data),
        errors: &[],
        extensions: &response.extensions,
    };
    serde_json::to_string(&body).map(Bytes::from)
}

/// A strong `ETag` for a body.
pub fn etag_of(json: &str) -> String {
    format!("\"{}\"", &super::persisted::sha256_hex(json)[..32])
}

/// Sends an answer the read cache keeps as [`respond`] sends one, gzip-compressed as kept when
/// the client takes gzip (the compression middleware leaves an encoded body alone).
pub fn respond_cached(
    cached: &Cached,
    format: ResponseFormat,
    revalidate: Option<&str>,
    gzip: bool,
) -> HttpResponse {
    let (body, etag, compressed) = cached.representation(gzip);
    let mut http = HttpResponse::Ok();
    http.content_type(format.content_type());
    if compressed {
        http.insert_header((header::CONTENT_ENCODING, "gzip"));
    }
    answer(http, body, Some(&etag), &cached.cache_control, revalidate)
}

/// A successful answer's headers and body: for GET (`revalidate`, its `If-None-Match`) the
/// schema's cache hints and the `ETag`, or `304 Not Modified` when the client holds it already;
/// `no-store` otherwise.
fn answer(
    mut http: actix_web::HttpResponseBuilder,
    body: Bytes,
    etag: Option<&str>,
    cache_control: &CacheControl,
    revalidate: Option<&str>,
) -> HttpResponse {
    let (Some(if_none_match), Some(etag)) = (revalidate, etag) else {
        http.insert_header((header::CACHE_CONTROL, "no-store"));
        return http.body(body);
    };
    // The schema's hints (`max-age` per type) when every field has one; otherwise the answer
    // may be kept but must be revalidated (its ETag makes that cheap).
    let hint = match cache_control.value() {
        Some(hint) if cache_control.public => format!("public, {hint}"),
        Some(hint) => hint,
        None => "no-cache".to_owned(),
    };
    http.insert_header((header::CACHE_CONTROL, hint));
    http.insert_header((header::ETAG, etag.to_owned()));
    if matches_etag(if_none_match, etag) {
        http.status(StatusCode::NOT_MODIFIED);
        http.finish()
    } else {
        http.body(body)
    }
}

fn serialisation_failed(
    request_id: &RequestId,
    error: &serde_json::Error,
    format: ResponseFormat,
) -> HttpResponse {
    tracing::error!(request_id = %request_id, %error, "could not serialise a GraphQL response");
    Refusal::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        INTERNAL,
        "Internal server error",
    )
    .respond(format)
}

/// Whether an `If-None-Match` header names `etag` (or is `*`); weak validators compare by
/// their opaque part, as RFC 9110 says for `If-None-Match`.
fn matches_etag(if_none_match: &str, etag: &str) -> bool {
    if_none_match
        .split(',')
        .map(|tag| tag.trim())
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

/// `Retry-After` of a response that failed because the database was unreachable or its pool
/// exhausted (503): soon, since most such moments are brief.
const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 1;

/// The wait of a request refused by its rate limit (`RATE_LIMITED` with `retryAfter`), in
/// seconds: such a refusal is answered 429 with `Retry-After`, whatever the format.
fn retry_after(errors: &[ServerError]) -> Option<u64> {
    let error = errors.first()?;
    if error_code(error) != Some(code::RATE_LIMITED) {
        return None;
    }
    match error.extensions.as_ref()?.get("retryAfter")? {
        GqlValue::Number(seconds) => seconds.as_u64(),
        _ => None,
    }
}

/// The response body, serialised straight from async-graphql's values: their maps keep the
/// query's field order (the spec's "Serialized Map Ordering"), and nothing is copied first.
#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a GqlValue>,
    #[serde(skip_serializing_if = "<[ServerError]>::is_empty")]
    errors: &'a [ServerError],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    extensions: &'a BTreeMap<String, GqlValue>,
}

/// Masks and caps a response's errors in place (HTTP and WebSocket alike); returns whether it
/// is a request error (no data, no error with a path).
pub fn shape_errors(response: &mut Response, max_errors: usize, request_id: &RequestId) -> bool {
    let request_error = response.data == GqlValue::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let total = response.errors.len();
    let mut errors: Vec<ServerError> = response
        .errors
        .drain(..)
        .take(max_errors)
        .map(|e| mask(e, request_id))
        .collect();
    if total > max_errors {
        errors.push(coded_error(
            format!("{} more errors were left out", total - max_errors),
            code::LIMIT_EXCEEDED,
        ));
    }
    response.errors = errors;
    request_error
}

/// Keeps an error's message only if it carries a public code (async-graphql's own errors got
/// theirs from `graphql::error_kinds`). Anything else is logged whole and becomes "Internal
/// server error" with the request id.
pub fn mask(error: ServerError, request_id: &RequestId) -> ServerError {
    if error_code(&error).is_some_and(|code| PUBLIC_CODES.contains(&code)) {
        return error;
    }
    tracing::error!(request_id = %request_id, error = %error.message, path = ?error.path, "internal error in a GraphQL request");
    let mut masked = coded_error("Internal server error", INTERNAL);
    if let Some(extensions) = masked.extensions.as_mut() {
        extensions.set("requestId", request_id.to_string());
    }
    masked.path = error.path;
    masked.locations = error.locations;
    masked
}
