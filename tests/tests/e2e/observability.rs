//! What an operator sees of the real `stinger-api` binary: one JSON log line per request, the
//! request id echoed in `X-Request-Id`, and no secret in the log.

use base64::Engine as _;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use stinger_tests::{Dataset, Engine, ServerProcess, TEST_PASSWORD, both_engines, spawn_app};

/// The server process sharing the test app's database and data directory (so its signing
/// secret: tokens the test app issues are valid there), logging JSON at `info`.
fn json_logging_server(app: &stinger_tests::TestApp, extra: &[(&str, &str)]) -> ServerProcess {
    let data_dir = app.test_db.dir.path().display().to_string();
    let mut env = vec![
        ("DATABASE_URL", app.test_db.url.as_str()),
        ("STINGER_DATA_DIR", data_dir.as_str()),
        ("STINGER_LOG_FORMAT", "json"),
        ("RUST_LOG", "info"),
        ("STINGER_DEMO_DATA", "false"),
    ];
    env.extend_from_slice(extra);
    ServerProcess::start_capturing(&env)
}

/// The `stinger::request` lines logged so far, waiting (a little) until there are `at_least`.
async fn request_lines(server: &ServerProcess, at_least: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let lines: Vec<Value> = server
            .log_lines()
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|l| l["target"] == "stinger::request")
            .collect();
        if lines.len() >= at_least || Instant::now() > deadline {
            return lines;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn account_id(token: &str) -> i64 {
    let payload = token.split('.').nth(1).expect("a JWT has a payload");
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("base64url"),
    )
    .expect("JSON claims");
    claims["sub"]
        .as_str()
        .map(|s| s.parse().expect("numeric sub"))
        .or_else(|| claims["sub"].as_i64())
        .expect("a subject")
}

both_engines!(
    each_request_logs_one_json_line_naming_its_id_operation_and_viewer_and_no_secret,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn each_request_logs_one_json_line_naming_its_id_operation_and_viewer_and_no_secret(
    engine: Engine,
) {
    let app = spawn_app(engine, Dataset::Empty).await;
    let token = app.user_token("eddie", entity::Role::Editor).await;
    let server = json_logging_server(&app, &[]);
    let client = reqwest::Client::new();
    let graphql = format!("{}/graphql", server.base_url);

    // An editor's named query, with the id a proxy gave it.
    let read = client
        .post(&graphql)
        .bearer_auth(&token)
        .header("x-request-id", "edge-7f3a:42")
        .json(&json!({"query": "query FilmCount { films { totalCount } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    assert_eq!(read.headers()["x-request-id"], "edge-7f3a:42");

    // A failed login: the password must never reach the log.
    let wrong_password = "hunter2-never-logged";
    let login = client
        .post(&graphql)
        .header("x-request-id", "not a sane id")
        .json(&json!({
            "query": "mutation SignIn($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken } }",
            "variables": {"u": "eddie", "p": wrong_password},
        }))
        .send()
        .await
        .unwrap();
    let login_id = login.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(login_id.len(), 32, "an insane id is replaced: {login_id}");
    assert!(login_id.bytes().all(|b| b.is_ascii_hexdigit()));
    let body: Value = login.json().await.unwrap();
    assert_eq!(body["data"]["login"]["accessToken"], Value::Null, "{body}");

    // A password in a query string (GET refuses mutations): the query string is not logged.
    let get = client
        .get(&graphql)
        .query(&[(
            "query",
            format!("mutation {{ login(input: {{username: \"eddie\", password: \"{wrong_password}\"}}) {{ accessToken }} }}"),
        )])
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 405);
    let get_id = get.headers()["x-request-id"].to_str().unwrap().to_owned();

    // A forged token: refused, and not logged.
    let forged = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.forged-signature-never-logged";
    let refused = client
        .post(&graphql)
        .bearer_auth(forged)
        .json(&json!({"query": "{ films { totalCount } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let refused_id = refused.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();

    // A request outside GraphQL gets a line too.
    let health = client
        .get(format!("{}/healthz", server.base_url))
        .send()
        .await
        .unwrap();
    let health_id = health.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();

    let lines = request_lines(&server, 5).await;
    let line = |id: &str| {
        let matching: Vec<&Value> = lines.iter().filter(|l| l["request_id"] == id).collect();
        assert_eq!(
            matching.len(),
            1,
            "{engine:?}: one line for {id}: {lines:#?}"
        );
        matching[0].clone()
    };

    let read = line("edge-7f3a:42");
    assert_eq!(read["level"], "INFO");
    assert_eq!(read["method"], "POST");
    assert_eq!(read["path"], "/graphql");
    assert_eq!(read["status"], 200);
    assert_eq!(read["operation"], "FilmCount");
    assert_eq!(read["outcome"], "ok");
    assert_eq!(read["viewer"], account_id(&token), "{read}");
    assert_eq!(read["client"], "127.0.0.1");
    assert!(
        read["duration_ms"].as_f64().is_some_and(|d| d > 0.0),
        "{read}"
    );
    assert!(read["timestamp"].is_string(), "{read}");

    let login = line(&login_id);
    assert_eq!(login["operation"], "SignIn");
    assert_eq!(login["status"], 200);
    assert!(login.get("viewer").is_none(), "anonymous: {login}");

    let get = line(&get_id);
    assert_eq!(get["status"], 405);
    assert_eq!(get["path"], "/graphql", "no query string: {get}");

    assert_eq!(line(&refused_id)["status"], 401);
    let health = line(&health_id);
    assert_eq!(health["path"], "/healthz");
    assert!(health.get("operation").is_none(), "{health}");

    let log = server.log_lines();
    let parsed: Vec<Value> = log
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert!(
        parsed.iter().any(|l| l["target"] != "stinger::request"
            && l["spans"][0]["name"] == "request"
            && l["spans"][0]["request_id"] == login_id.as_str()),
        "{engine:?}: what the login logged carries its request id: {log:#?}"
    );
    for line in &log {
        assert!(
            serde_json::from_str::<Value>(line).is_ok(),
            "{engine:?}: every log line is JSON: {line}"
        );
    }
    let whole = log.join("\n");
    for secret in [wrong_password, TEST_PASSWORD, token.as_str(), forged] {
        assert!(
            !whole.contains(secret),
            "{engine:?}: {secret} leaked into the log:\n{whole}"
        );
    }
}
