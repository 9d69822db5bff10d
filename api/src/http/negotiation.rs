//! Picking the response media type from the `Accept` header, as GraphQL over HTTP requires.
//! actix parses and ranks the header (q-factor, then specificity, then order); this module only
//! maps the ranked media types to what `/graphql` can send.

use actix_web::HttpRequest;
use actix_web::http::header::{Accept, AcceptEncoding, Encoding, Header, Quality};

/// The media types a GraphQL response can be sent as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseFormat {
    /// `application/graphql-response+json`: request errors get 4xx statuses.
    GraphqlResponseJson,
    /// `application/json`: the legacy type; every well-formed request gets 200.
    Json,
    /// The client asked for HTML and no query: show GraphiQL.
    Html,
}

impl ResponseFormat {
    /// The `Content-Type` header value.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
            Self::Html => "text/html; charset=utf-8",
        }
    }
}

/// Whether the client takes a gzip body (`Accept-Encoding` names `gzip` or `*` with a non-zero
/// quality), the one compression this build sends.
pub fn accepts_gzip(req: &HttpRequest) -> bool {
    AcceptEncoding::parse(req).is_ok_and(|accept| {
        accept.iter().any(|item| {
            item.quality > Quality::ZERO
                && match &item.item {
                    actix_web::http::header::Preference::Any => true,
                    actix_web::http::header::Preference::Specific(encoding) => {
                        *encoding == Encoding::gzip()
                    }
                }
        })
    })
}

/// The best format for the request's `Accept` header; `None` when the client accepts nothing we
/// can send. A missing, empty or unreadable header means `application/json`; `*/*` and
/// `application/*` too. Media types with `q=0` are refused, as RFC 9110 says.
pub fn negotiate(req: &HttpRequest, allow_html: bool) -> Option<ResponseFormat> {
    let accept = match Accept::parse(req) {
        Ok(accept) if !accept.is_empty() => accept,
        _ => return Some(ResponseFormat::Json),
    };
    let refused: Vec<String> = accept
        .iter()
        .filter(|item| item.quality == Quality::ZERO)
        .map(|item| item.item.essence_str().to_owned())
        .collect();
    let allowed = |media: &str| !refused.iter().any(|r| r == media);
    accept
        .ranked()
        .into_iter()
        .find_map(|media| match media.essence_str() {
            media if !allowed(media) => None,
            "application/graphql-response+json" => Some(ResponseFormat::GraphqlResponseJson),
            "application/json" => Some(ResponseFormat::Json),
            // A wildcard gets the legacy type, unless the client refused it by name.
            "application/*" | "*/*" if allowed("application/json") => Some(ResponseFormat::Json),
            "application/*" | "*/*" if allowed("application/graphql-response+json") => {
                Some(ResponseFormat::GraphqlResponseJson)
            }
            "text/html" if allow_html => Some(ResponseFormat::Html),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::{ResponseFormat::*, *};
    use actix_web::http::header::ACCEPT;
    use actix_web::test::TestRequest;

    fn negotiate_header(accept: Option<&str>, allow_html: bool) -> Option<ResponseFormat> {
        let mut req = TestRequest::default();
        if let Some(accept) = accept {
            req = req.insert_header((ACCEPT, accept));
        }
        negotiate(&req.to_http_request(), allow_html)
    }

    #[test]
    fn picks_by_quality_then_order() {
        assert_eq!(negotiate_header(None, false), Some(Json));
        assert_eq!(negotiate_header(Some(""), false), Some(Json));
        assert_eq!(
            negotiate_header(Some("application/graphql-response+json"), false),
            Some(GraphqlResponseJson)
        );
        assert_eq!(
            negotiate_header(Some("application/json"), false),
            Some(Json)
        );
        assert_eq!(negotiate_header(Some("*/*"), false), Some(Json));
        assert_eq!(
            negotiate_header(
                Some("application/graphql-response+json, application/json;q=0.9"),
                false
            ),
            Some(GraphqlResponseJson)
        );
        assert_eq!(
            negotiate_header(
                Some("application/json;q=0.5, application/graphql-response+json"),
                false
            ),
            Some(GraphqlResponseJson)
        );
        assert_eq!(
            negotiate_header(
                Some("application/json, application/graphql-response+json"),
                false
            ),
            Some(Json)
        );
        assert_eq!(negotiate_header(Some("text/html"), false), None);
        assert_eq!(
            negotiate_header(Some("text/html,application/xhtml+xml,*/*;q=0.8"), true),
            Some(Html)
        );
        assert_eq!(
            negotiate_header(Some("text/html,application/xhtml+xml,*/*;q=0.8"), false),
            Some(Json)
        );
    }

    #[test]
    fn a_refused_type_is_never_chosen() {
        assert_eq!(
            negotiate_header(Some("application/json;q=0, text/plain"), false),
            None
        );
        assert_eq!(
            negotiate_header(Some("application/json;q=0, */*;q=0.1"), false),
            Some(GraphqlResponseJson)
        );
    }
}
