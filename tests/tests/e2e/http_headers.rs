//! Security headers and CORS on the real `stinger-api` binary: closed to other sites by default,
//! open to the origins an operator lists, and never framed or sniffed.

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::json;
use stinger_tests::ServerProcess;

const FILMS: &str = "{ films(first: 1) { totalCount } }";

fn server(extra: &[(&str, &str)]) -> (ServerProcess, tempfile::TempDir) {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().display().to_string();
    let mut env = vec![
        ("STINGER_DATA_DIR", data_dir.as_str()),
        ("STINGER_DEMO_DATA", "false"),
    ];
    env.extend_from_slice(extra);
    (ServerProcess::start(&env), data)
}

async fn preflight(base: &str, origin: &str) -> reqwest::Response {
    reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, format!("{base}/graphql"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap()
}

async fn post_from(base: &str, origin: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .header("origin", origin)
        .json(&json!({"query": FILMS}))
        .send()
        .await
        .unwrap()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v: &HeaderValue| v.to_str().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_default_no_other_site_may_read_and_every_response_carries_the_security_headers() {
    let (server, _data) = server(&[]);
    let base = server.base_url.as_str();

    let preflight = preflight(base, "https://films.example").await;
    assert!(
        header(preflight.headers(), "access-control-allow-origin").is_none(),
        "no CORS grant by default: {:?}",
        preflight.headers()
    );
    let post = post_from(base, "https://films.example").await;
    assert_eq!(post.status(), 200, "the request itself is served");
    let headers = post.headers().clone();
    assert!(header(&headers, "access-control-allow-origin").is_none());

    for response in [
        post,
        reqwest::get(format!("{base}/healthz")).await.unwrap(),
        reqwest::get(format!("{base}/nowhere")).await.unwrap(),
    ] {
        let headers = response.headers();
        assert_eq!(header(headers, "x-content-type-options"), Some("nosniff"));
        assert_eq!(header(headers, "referrer-policy"), Some("no-referrer"));
        assert_eq!(header(headers, "x-frame-options"), Some("DENY"));
        let csp = header(headers, "content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listed_origins_may_call_the_api_from_a_browser_and_others_may_not() {
    let (server, _data) = server(&[(
        "STINGER_CORS_ORIGINS",
        "https://films.example, https://admin.films.example",
    )]);
    let base = server.base_url.as_str();

    let granted = preflight(base, "https://films.example").await;
    assert!(granted.status().is_success(), "{}", granted.status());
    let headers = granted.headers();
    assert_eq!(
        header(headers, "access-control-allow-origin"),
        Some("https://films.example")
    );
    let methods = header(headers, "access-control-allow-methods").unwrap_or_default();
    assert!(
        methods.contains("POST") && methods.contains("GET"),
        "{methods}"
    );
    let allowed = header(headers, "access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("content-type"),
        "{allowed}"
    );
    assert!(header(headers, "access-control-max-age").is_some());

    let post = post_from(base, "https://admin.films.example").await;
    assert_eq!(post.status(), 200);
    let headers = post.headers();
    assert_eq!(
        header(headers, "access-control-allow-origin"),
        Some("https://admin.films.example")
    );
    let exposed = header(headers, "access-control-expose-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(exposed.contains("x-request-id"), "{exposed}");
    assert!(
        header(headers, "vary")
            .unwrap_or_default()
            .to_ascii_lowercase()
            .contains("origin")
    );

    let refused = preflight(base, "https://evil.example").await;
    assert!(header(refused.headers(), "access-control-allow-origin").is_none());
    let post = post_from(base, "https://evil.example").await;
    assert!(header(post.headers(), "access-control-allow-origin").is_none());
    // No grant, but not an error either: the browser is what refuses to hand the answer over.
    assert_eq!(post.status(), 200);
    // A request without Origin (curl, another server) is untouched.
    let plain = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .json(&json!({"query": FILMS}))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 200);
}

#[test]
fn an_origin_that_is_not_an_origin_is_refused_at_start() {
    let data = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(stinger_tests::process::binary("stinger-api"))
        .env_clear()
        .env("STINGER_DATA_DIR", data.path())
        .env("STINGER_CORS_ORIGINS", "https://films.example/path")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--cors-origins"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_accepts_gzip_gets_a_compressed_answer_and_others_plain_json() {
    let (server, _data) = server(&[]);
    let schema =
        json!({"query": "{ __schema { types { name description fields { name description } } } }"});
    let fetch = |encoding: Option<&'static str>| {
        let mut request = reqwest::Client::new()
            .post(format!("{}/graphql", server.base_url))
            .json(&schema);
        if let Some(encoding) = encoding {
            request = request.header("accept-encoding", encoding);
        }
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200);
            let encoding = header(response.headers(), "content-encoding").map(str::to_owned);
            (encoding, response.bytes().await.unwrap())
        }
    };

    let (plain_encoding, plain) = fetch(None).await;
    let (gzip_encoding, gzipped) = fetch(Some("gzip")).await;

    assert_eq!(plain_encoding, None, "no encoding unless asked for");
    assert!(
        serde_json::from_slice::<serde_json::Value>(&plain).is_ok(),
        "plain JSON by default"
    );
    assert_eq!(gzip_encoding.as_deref(), Some("gzip"));
    assert_eq!(&gzipped[..2], &[0x1f, 0x8b], "a gzip stream");
    assert!(
        gzipped.len() * 3 < plain.len(),
        "the schema compresses well: {} → {} bytes",
        plain.len(),
        gzipped.len()
    );
}
