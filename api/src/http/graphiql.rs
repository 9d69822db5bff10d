//! GraphiQL, served from the binary: the page and every asset it loads are embedded at build
//! time (pinned production builds, see `api/assets/graphiql/README.md`), so it works offline.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

/// The page `GET /graphql` shows a browser.
const PAGE: &str = include_str!("../../assets/graphiql/index.html");

/// Scripts and styles only from this server; styles and fonts inline as GraphiQL writes them;
/// requests (HTTP and the subscription WebSocket) only to this server.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// An embedded file under `/graphiql/`.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
    /// Its name carries the version it pins, so it may be cached for good.
    versioned: bool,
}

macro_rules! asset {
    ($name:literal, $type:expr, $versioned:literal) => {
        Asset {
            name: $name,
            content_type: $type,
            body: include_bytes!(concat!("../../assets/graphiql/", $name)),
            versioned: $versioned,
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

static ASSETS: &[Asset] = &[
    asset!("graphiql-4.1.2.min.js", JS, true),
    asset!("graphiql-4.1.2.min.css", CSS, true),
    asset!("react-18.3.1.production.min.js", JS, true),
    asset!("react-dom-18.3.1.production.min.js", JS, true),
    asset!("stinger-graphiql.js", JS, false),
    asset!("stinger-graphiql.css", CSS, false),
];

/// The GraphiQL page.
pub fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(PAGE)
}

/// `GET /graphiql/{file}`: one of the embedded assets, or 404.
pub async fn asset(file: web::Path<String>) -> HttpResponse {
    let Some(asset) = ASSETS.iter().find(|a| a.name == file.as_str()) else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no such GraphiQL asset\n");
    };
    let cache = if asset.versioned {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    HttpResponse::Ok()
        .content_type(asset.content_type)
        .insert_header((header::CACHE_CONTROL, cache))
        .body(asset.body)
}
