//! Picking the response media type from the `Accept` header, as GraphQL over HTTP requires.

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

/// The best format for `accept`; `None` when the client accepts nothing we can send.
/// A missing or empty header means `application/json`; `*/*` and `application/*` too.
pub fn negotiate(accept: Option<&str>, allow_html: bool) -> Option<ResponseFormat> {
    let Some(accept) = accept.map(str::trim).filter(|a| !a.is_empty()) else {
        return Some(ResponseFormat::Json);
    };
    let mut best: Option<(f32, usize, ResponseFormat)> = None;
    for (index, range) in accept.split(',').enumerate() {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
            })
            .next()
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        let format = match media.as_str() {
            "application/graphql-response+json" => ResponseFormat::GraphqlResponseJson,
            "application/json" | "application/*" | "*/*" => ResponseFormat::Json,
            "text/html" if allow_html => ResponseFormat::Html,
            _ => continue,
        };
        // Highest q wins; on a tie the earlier range wins.
        if best.is_none_or(|(bq, _, _)| q > bq) {
            best = Some((q, index, format));
        }
    }
    best.map(|(_, _, format)| format)
}

#[cfg(test)]
mod tests {
    use super::{ResponseFormat::*, negotiate};

    #[test]
    fn picks_by_quality_then_order() {
        assert_eq!(negotiate(None, false), Some(Json));
        assert_eq!(
            negotiate(Some("application/graphql-response+json"), false),
            Some(GraphqlResponseJson)
        );
        assert_eq!(negotiate(Some("application/json"), false), Some(Json));
        assert_eq!(negotiate(Some("*/*"), false), Some(Json));
        assert_eq!(
            negotiate(
                Some("application/graphql-response+json, application/json;q=0.9"),
                false
            ),
            Some(GraphqlResponseJson)
        );
        assert_eq!(
            negotiate(
                Some("application/json;q=0.5, application/graphql-response+json"),
                false
            ),
            Some(GraphqlResponseJson)
        );
        assert_eq!(negotiate(Some("text/html"), false), None);
        assert_eq!(
            negotiate(Some("text/html,application/xhtml+xml,*/*;q=0.8"), true),
            Some(Html)
        );
    }
}
