//! The id of one HTTP request: taken from the client's `X-Request-Id` when it is sane (so a
//! proxy's or a frontend's id follows the request through our logs), generated otherwise. It is
//! echoed in the response's `X-Request-Id`, carried by every log line of the request, and shown
//! in masked errors (`extensions.requestId`), so a user's report leads to the log lines.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use rand::RngCore;
use std::fmt;
use std::future::{Ready, ready};

/// The header that carries the id, both ways.
pub const HEADER: &str = "x-request-id";

/// Longest incoming id kept; a longer one is replaced by a generated id.
pub const MAX_LEN: usize = 64;

/// A request id: 1 to [`MAX_LEN`] characters from `A-Z a-z 0-9 - _ . :` (nothing a log line or a
/// header could be forged with). `Copy`, so it can go anywhere a log line is written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RequestId {
    bytes: [u8; MAX_LEN],
    len: u8,
}

impl RequestId {
    /// The client's id if it is sane, else a new one.
    pub fn from_header_or_new(header: Option<&[u8]>) -> Self {
        header.and_then(Self::parse).unwrap_or_else(Self::generate)
    }

    /// `raw` as an id, if every byte is allowed and the length is 1 to [`MAX_LEN`].
    pub fn parse(raw: &[u8]) -> Option<Self> {
        let allowed = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':');
        if raw.is_empty() || raw.len() > MAX_LEN || !raw.iter().all(allowed) {
            return None;
        }
        let mut bytes = [0; MAX_LEN];
        bytes[..raw.len()].copy_from_slice(raw);
        Some(Self {
            bytes,
            len: raw.len() as u8,
        })
    }

    /// A new random id: 32 hexadecimal digits (128 bits).
    pub fn generate() -> Self {
        let mut random = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut random);
        let text = hex::encode(random);
        let mut bytes = [0; MAX_LEN];
        bytes[..text.len()].copy_from_slice(text.as_bytes());
        Self {
            bytes,
            len: text.len() as u8,
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII bytes are ever stored.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestId({})", self.as_str())
    }
}

impl FromRequest for RequestId {
    type Error = std::convert::Infallible;
    type Future = Ready<Result<Self, Self::Error>>;

    /// The id the request-log middleware gave this request (a new one if it did not run, as in a
    /// handler test without the middleware).
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(req
            .extensions()
            .get::<RequestId>()
            .copied()
            .unwrap_or_else(RequestId::generate)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sane_ids_are_kept_and_others_replaced() {
        let kept = RequestId::from_header_or_new(Some(b"edge-7f3a:42.b_c"));
        assert_eq!(kept.as_str(), "edge-7f3a:42.b_c");
        for bad in [
            &b""[..],
            b"has space",
            b"new\nline",
            b"quote\"",
            "caf\u{e9}".as_bytes(),
            &[b'a'; MAX_LEN + 1],
        ] {
            let id = RequestId::from_header_or_new(Some(bad));
            assert_eq!(id.as_str().len(), 32, "{bad:?} gave {id}");
            assert!(id.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
        }
        assert_eq!(
            RequestId::parse(&[b'a'; MAX_LEN]).map(|id| id.as_str().len()),
            Some(MAX_LEN)
        );
        assert_ne!(RequestId::generate(), RequestId::generate());
    }
}
