//! Rate limits on the real `stinger-api` binary (README, "Rate limits"): anonymous requests per
//! client address and mutations per account, weighed by cost, answered 429 with `Retry-After`
//! and `RATE_LIMITED` on HTTP and refused the same way on the WebSocket; `X-Forwarded-For`
//! believed only from a trusted proxy; one allowance shared by several processes through Redis.

use entity::Role;
use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use stinger_api::service::account;
use stinger_tests::ws::{initialised, next_message, send};
use stinger_tests::{Dataset, Engine, ServerProcess, TEST_PASSWORD, TestDb, both_engines};

const CHEAP: &str = "{ film(slug: \"m-butterfly-1993\") { title } }";

fn start(db: &TestDb, extra: &[(&str, &str)]) -> ServerProcess {
    ServerProcess::on_database(db, extra)
}

/// POSTs `query` (as `token`, from `forwarded_for` if given): the status, `Retry-After` and body.
async fn post(
    server: &ServerProcess,
    query: &str,
    variables: Value,
    token: Option<&str>,
    forwarded_for: Option<&str>,
) -> (StatusCode, Option<u64>, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}/graphql", server.base_url))
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(address) = forwarded_for {
        request = request.header("x-forwarded-for", address);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    (status, retry_after, response.json().await.unwrap())
}

/// How many `query` requests pass before the first refusal (at most `up_to`); checks the
/// refusal's shape.
async fn passed_before_refusal(
    server: &ServerProcess,
    query: &str,
    forwarded_for: Option<&str>,
    up_to: usize,
) -> usize {
    for passed in 0..up_to {
        let (status, retry_after, body) = post(server, query, json!({}), None, forwarded_for).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "RATE_LIMITED",
                "{body}"
            );
            let wait = retry_after.expect("Retry-After");
            assert!((1..=60).contains(&wait), "{wait}");
            assert_eq!(
                body["errors"][0]["extensions"]["retryAfter"], wait,
                "{body}"
            );
            assert!(body.get("data").is_none(), "nothing ran: {body}");
            return passed;
        }
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["errors"].is_null(), "{body}");
    }
    up_to
}

both_engines!(
    anonymous_requests_beyond_the_address_limit_get_429_by_cost,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn anonymous_requests_beyond_the_address_limit_get_429_by_cost(engine: Engine) {
    let db = TestDb::new(engine, Dataset::MButterfly).await;
    let server = start(&db, &[("STINGER_RATE_LIMIT_ANONYMOUS", "5")]);
    assert_eq!(
        passed_before_refusal(&server, CHEAP, None, 20).await,
        5,
        "{engine:?}"
    );
    // X-Forwarded-For from an untrusted peer changes nothing: the limit is the peer's.
    assert_eq!(
        passed_before_refusal(&server, CHEAP, Some("203.0.113.7"), 3).await,
        0,
        "{engine:?}: a forged X-Forwarded-For buys no new allowance"
    );

    // A costly query uses the allowance faster.
    let server = start(&db, &[("STINGER_RATE_LIMIT_ANONYMOUS", "40")]);
    // Eight searches cost 8,000 of complexity: 9 units each.
    let costly = "{ a: search(query: \"butterfly\") { __typename } b: search(query: \"madame\") { __typename } c: search(query: \"love\") { __typename } d: search(query: \"night\") { __typename } e: search(query: \"war\") { __typename } f: search(query: \"day\") { __typename } g: search(query: \"man\") { __typename } h: search(query: \"city\") { __typename } }";
    let passed = passed_before_refusal(&server, costly, None, 40).await;
    assert!(
        (1..=10).contains(&passed),
        "{engine:?}: {passed} costly requests passed of 40"
    );

    // Answers from the read cache are charged the same as the runs they repeat.
    let server = start(
        &db,
        &[
            ("STINGER_RATE_LIMIT_ANONYMOUS", "5"),
            ("STINGER_READ_CACHE", "on"),
        ],
    );
    assert_eq!(
        passed_before_refusal(&server, CHEAP, None, 20).await,
        5,
        "{engine:?}: cached answers"
    );
    let server = start(
        &db,
        &[
            ("STINGER_RATE_LIMIT_ANONYMOUS", "40"),
            ("STINGER_READ_CACHE", "on"),
        ],
    );
    let passed = passed_before_refusal(&server, costly, None, 40).await;
    assert!(
        (1..=10).contains(&passed),
        "{engine:?}: {passed} costly cached requests passed of 40"
    );

    // 0 turns the limit off.
    let server = start(&db, &[("STINGER_RATE_LIMIT_ANONYMOUS", "0")]);
    assert_eq!(passed_before_refusal(&server, CHEAP, None, 30).await, 30);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trusted_proxy_s_forwarded_address_is_the_client() {
    let db = TestDb::new(Engine::Sqlite, Dataset::MButterfly).await;
    let server = start(
        &db,
        &[
            ("STINGER_RATE_LIMIT_ANONYMOUS", "3"),
            ("STINGER_TRUSTED_PROXIES", "127.0.0.1,10.0.0.0/8"),
        ],
    );
    assert_eq!(
        passed_before_refusal(&server, CHEAP, Some("203.0.113.7"), 10).await,
        3
    );
    assert_eq!(
        passed_before_refusal(&server, CHEAP, Some("203.0.113.8"), 10).await,
        3,
        "another client behind the proxy has its own allowance"
    );
    assert_eq!(
        passed_before_refusal(&server, CHEAP, Some("6.6.6.6, 203.0.113.7, 10.0.0.2"), 10).await,
        0,
        "the nearest untrusted hop is the client, whatever it wrote before"
    );
}

both_engines!(
    mutations_are_limited_per_account_and_the_socket_obeys_the_same_limit,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn mutations_are_limited_per_account_and_the_socket_obeys_the_same_limit(engine: Engine) {
    let db = TestDb::new(engine, Dataset::MButterfly).await;
    let connection = db.connect().await;
    account::create_user(&connection, "eddie", TEST_PASSWORD, Role::Editor)
        .await
        .unwrap();
    let server = start(
        &db,
        &[
            ("STINGER_RATE_LIMIT_ACCOUNT", "2"),
            ("STINGER_RATE_LIMIT_ANONYMOUS", "3"),
        ],
    );
    let (_, _, login) = post(
        &server,
        "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken } }",
        json!({"u": "eddie", "p": TEST_PASSWORD}),
        None,
        None,
    )
    .await;
    let token = login["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, _, film) = post(
        &server,
        "{ film(slug: \"m-butterfly-1993\") { id } }",
        json!({}),
        None,
        None,
    )
    .await;
    let film_id = film["data"]["film"]["id"].clone();

    // Authenticated queries are not limited, though the address's anonymous allowance is spent.
    assert_eq!(passed_before_refusal(&server, CHEAP, None, 5).await, 1);
    for _ in 0..5 {
        let (status, _, body) = post(&server, CHEAP, json!({}), Some(&token), None).await;
        assert_eq!(status, StatusCode::OK, "{engine:?}: {body}");
    }
    // Mutations by the account: two, then 429.
    let propose =
        "mutation($input: ProposeEditInput!) { proposeEdit(input: $input) { edit { number } } }";
    let input = |tagline: &str| {
        json!({"input": {"operation": "UPDATE", "targetId": film_id,
            "changes": {"film": {"tagline": tagline}}, "reason": "From the poster."}})
    };
    for tagline in ["One", "Two"] {
        let (status, _, body) = post(&server, propose, input(tagline), Some(&token), None).await;
        assert_eq!(status, StatusCode::OK, "{engine:?}: {body}");
        assert!(
            body["data"]["proposeEdit"]["edit"]["number"].is_number(),
            "{body}"
        );
    }
    let (status, retry_after, body) =
        post(&server, propose, input("Three"), Some(&token), None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{engine:?}: {body}");
    assert!(retry_after.is_some());
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    let edits = entity::edit::Entity::find()
        .count(&connection)
        .await
        .unwrap();
    assert_eq!(edits, 2, "{engine:?}: the refused mutation did not run");

    // The WebSocket path charges the same limit: this address has no anonymous allowance left.
    let mut socket = initialised(&server.base_url, None).await;
    send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { editEvents { number } }"}}),
    )
    .await;
    let refused = next_message(&mut socket).await;
    let errors = match refused["type"].as_str() {
        Some("error") => &refused["payload"],
        _ => &refused["payload"]["errors"],
    };
    assert_eq!(errors[0]["extensions"]["code"], "RATE_LIMITED", "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_one_allowance_through_redis() {
    let db = TestDb::new(Engine::Sqlite, Dataset::MButterfly).await;
    // A prefix of this run's own: other tests and runs never share its keys.
    let prefix = format!(
        "stinger-test-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let env = [
        ("STINGER_RATE_LIMIT_ANONYMOUS", "4"),
        ("STINGER_REDIS_URL", "redis://127.0.0.1:6379"),
        ("STINGER_REDIS_PREFIX", prefix.as_str()),
    ];
    let (a, b) = (start(&db, &env), start(&db, &env));
    assert_eq!(passed_before_refusal(&a, CHEAP, None, 2).await, 2);
    assert_eq!(passed_before_refusal(&b, CHEAP, None, 2).await, 2);
    assert_eq!(
        passed_before_refusal(&a, CHEAP, None, 2).await,
        0,
        "A refuses: B spent the rest of the shared allowance"
    );
    assert_eq!(passed_before_refusal(&b, CHEAP, None, 2).await, 0);

    // Without Redis each process counts alone.
    let env = [("STINGER_RATE_LIMIT_ANONYMOUS", "4")];
    let (a, b) = (start(&db, &env), start(&db, &env));
    assert_eq!(passed_before_refusal(&a, CHEAP, None, 4).await, 4);
    assert_eq!(passed_before_refusal(&b, CHEAP, None, 4).await, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_redis_lets_requests_through() {
    let db = TestDb::new(Engine::Sqlite, Dataset::MButterfly).await;
    let server = start(
        &db,
        &[
            ("STINGER_RATE_LIMIT_ANONYMOUS", "2"),
            // Nothing listens on port 1.
            ("STINGER_REDIS_URL", "redis://127.0.0.1:1"),
        ],
    );
    assert_eq!(
        passed_before_refusal(&server, CHEAP, None, 4).await,
        4,
        "an outage of the limiter is not an outage of the API"
    );
}
