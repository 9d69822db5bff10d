//! Headers every response carries, and CORS.
//!
//! - `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`;
//! - a `Content-Security-Policy` that allows nothing (`default-src 'none'`, no framing) on any
//!   response that does not set its own: JSON needs none, and a page that needs more (GraphiQL)
//!   says exactly what it loads;
//! - CORS: no other site may read a response unless its origin is listed in
//!   `STINGER_CORS_ORIGINS`. A listed origin gets the grant for `GET`/`POST` with
//!   `Authorization`, `Content-Type`, `Accept` and `X-Request-Id`, and may read `X-Request-Id` and
//!   `Retry-After`. An unlisted one gets no grant (the browser then withholds the answer); the
//!   request itself is served as it would be without an `Origin`, since CORS protects readers,
//!   not the server.

use crate::config::CorsOrigins;
use actix_cors::Cors;
use actix_web::http::{Method, header};
use actix_web::middleware::DefaultHeaders;

/// The policy of responses that set none.
pub const DEFAULT_CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// How long a browser may cache a preflight answer, in seconds.
const PREFLIGHT_MAX_AGE: usize = 3600;

/// The security headers, added to every response that lacks them.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((
            header::CONTENT_SECURITY_POLICY,
            DEFAULT_CONTENT_SECURITY_POLICY,
        ))
}

/// The CORS middleware for `origins` (none: every cross-origin read refused).
pub fn cors(origins: &CorsOrigins) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([Method::GET, Method::POST])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::HeaderName::from_static(super::request_id::HEADER),
        ])
        .expose_headers([
            header::HeaderName::from_static(super::request_id::HEADER),
            header::RETRY_AFTER,
        ])
        .max_age(PREFLIGHT_MAX_AGE)
        .block_on_origin_mismatch(false);
    match origins {
        CorsOrigins::Any => cors = cors.allow_any_origin().send_wildcard(),
        CorsOrigins::Listed(list) => {
            for origin in list {
                cors = cors.allowed_origin(origin);
            }
        }
    }
    cors
}
