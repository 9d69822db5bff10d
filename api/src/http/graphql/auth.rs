//! Reading the access token a request carries: the `Authorization` header over HTTP, the same
//! value in the `connection_init` payload over WebSocket. One parser for both.

use actix_web::HttpRequest;
use actix_web::http::header;

/// What an `Authorization` value holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Bearer<'a> {
    /// No credentials: the request runs anonymously.
    None,
    /// `Bearer <token>`.
    Token(&'a str),
    /// Something that is not a bearer token: refused.
    Malformed,
}

/// Longest `Authorization` value read; access tokens are far shorter.
pub const MAX_AUTHORIZATION_BYTES: usize = 4096;

/// The bearer token of an HTTP request's `Authorization` header.
pub fn from_header(req: &HttpRequest) -> Bearer<'_> {
    match req.headers().get(header::AUTHORIZATION) {
        None => Bearer::None,
        Some(value) => match value.to_str() {
            Ok(value) => parse(value),
            Err(_) => Bearer::Malformed,
        },
    }
}

/// Parses an `Authorization` value: `Bearer <token>`, the scheme in any case.
pub fn parse(value: &str) -> Bearer<'_> {
    if value.len() > MAX_AUTHORIZATION_BYTES {
        return Bearer::Malformed;
    }
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Bearer::Token(token.trim())
        }
        _ => Bearer::Malformed,
    }
}

#[cfg(test)]
mod tests {
    use super::{Bearer, parse};

    #[test]
    fn reads_bearer_tokens_only() {
        assert_eq!(parse("Bearer abc"), Bearer::Token("abc"));
        assert_eq!(parse("bearer  abc "), Bearer::Token("abc"));
        assert_eq!(parse("Basic abc"), Bearer::Malformed);
        assert_eq!(parse("Bearer "), Bearer::Malformed);
        assert_eq!(parse("abc"), Bearer::Malformed);
        assert_eq!(
            parse(&format!("Bearer {}", "a".repeat(5000))),
            Bearer::Malformed
        );
    }
}
