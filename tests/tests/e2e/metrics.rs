//! Prometheus metrics on the real `stinger-api` binary (README, "Operations"): off unless
//! `STINGER_METRICS_LISTEN` names a listener, never on the API's own, and every series an
//! operator needs moves with the traffic that should move it.

use entity::Role;
use serde_json::{Value, json};
use stinger_api::service::account;
use stinger_tests::{Dataset, Engine, ServerProcess, TEST_PASSWORD, TestDb, both_engines};

/// A server on `db` with metrics on a listener of their own.
fn start(db: &TestDb) -> ServerProcess {
    ServerProcess::on_database(db, &[("STINGER_METRICS_LISTEN", "127.0.0.1:0")])
}

async fn post(server: &ServerProcess, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request = reqwest::Client::new()
        .post(format!("{}/graphql", server.base_url))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().json().await.unwrap()
}

/// The scrape, as `(series with its labels, value)` lines.
async fn scrape(server: &ServerProcess) -> Vec<(String, f64)> {
    let url = server.metrics_url.as_deref().expect("a metrics listener");
    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    response
        .text()
        .await
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            Some((series.to_owned(), value.parse().ok()?))
        })
        .collect()
}

/// The value of the one series named `name` whose labels include every one of `labels`
/// (`key="value"`); 0 when there is none.
fn value(metrics: &[(String, f64)], name: &str, labels: &[&str]) -> f64 {
    let matching: Vec<f64> = metrics
        .iter()
        .filter(|(series, _)| {
            let (series_name, series_labels) =
                series.split_once('{').unwrap_or((series.as_str(), ""));
            series_name == name && labels.iter().all(|l| series_labels.contains(l))
        })
        .map(|(_, v)| *v)
        .collect();
    assert!(
        matching.len() <= 1,
        "{name} {labels:?} is ambiguous: {matching:?}"
    );
    matching.first().copied().unwrap_or(0.0)
}

async fn login(server: &ServerProcess, username: &str, password: &str) -> Value {
    post(
        server,
        None,
        "mutation Login($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken } }",
        json!({ "u": username, "p": password }),
    )
    .await
}

both_engines!(
    metrics_count_operations_errors_statements_logins_edits_and_sockets,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn metrics_count_operations_errors_statements_logins_edits_and_sockets(engine: Engine) {
    // Arrange
    let db = TestDb::new(engine, Dataset::MButterfly).await;
    let connection = db.connect().await;
    account::create_user(&connection, "eddie", TEST_PASSWORD, Role::Editor)
        .await
        .unwrap();
    let film_id = {
        let server = start(&db);
        post(
            &server,
            None,
            "{ film(slug: \"m-butterfly-1993\") { id } }",
            json!({}),
        )
        .await["data"]["film"]["id"]
            .clone()
    };
    let server = start(&db);
    let before = scrape(&server).await;
    assert_eq!(
        value(&before, "stinger_edits", &["status=\"PENDING\""]),
        0.0,
        "{engine:?}: every status is reported, none pending yet"
    );

    // Act: named and anonymous reads, a client mistake, a wrong password, a login, an edit,
    // and a socket left open.
    for _ in 0..3 {
        let body = post(
            &server,
            None,
            "query FilmPage { film(slug: \"m-butterfly-1993\") { title genres scores { value } } }",
            json!({}),
        )
        .await;
        assert!(body["errors"].is_null(), "{body}");
    }
    post(
        &server,
        None,
        "{ films(first: 2) { edges { node { title } } } }",
        json!({}),
    )
    .await;
    post(
        &server,
        None,
        "query Broken { film(slug: 5) { title } }",
        json!({}),
    )
    .await;
    let refused = login(&server, "eddie", "not the password at all").await;
    assert!(
        refused["data"]["login"]["accessToken"].is_null(),
        "{refused}"
    );
    let token = login(&server, "eddie", TEST_PASSWORD).await["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut socket = stinger_tests::ws::initialised(&server.base_url, Some(&token)).await;
    stinger_tests::ws::send(
        &mut socket,
        json!({"id": "1", "type": "subscribe",
            "payload": {"query": "subscription Queue { editEvents { number } }", "operationName": "Queue"}}),
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let proposed = post(
        &server,
        Some(&token),
        "mutation Propose($input: ProposeEditInput!) { proposeEdit(input: $input) { edit { number } } }",
        json!({"input": {"operation": "UPDATE", "targetId": film_id,
            "changes": {"film": {"tagline": "Counted"}}, "reason": "From the poster."}}),
    )
    .await;
    assert!(proposed["errors"].is_null(), "{proposed}");
    let event = stinger_tests::ws::next_message(&mut socket).await;
    assert!(
        event["type"] == "next" && event["payload"]["errors"].is_null(),
        "{engine:?}: {event}"
    );

    // Assert
    let after = scrape(&server).await;
    let ops = "stinger_graphql_operations_total";
    assert_eq!(
        value(&after, ops, &["operation=\"FilmPage\"", "outcome=\"ok\""]),
        3.0,
        "{engine:?}"
    );
    assert_eq!(
        value(&after, ops, &["operation=\"anonymous\"", "outcome=\"ok\""]),
        1.0,
        "{engine:?}"
    );
    assert_eq!(
        value(&after, ops, &["operation=\"Propose\"", "outcome=\"ok\""]),
        1.0,
        "{engine:?}"
    );
    assert!(
        value(&after, ops, &["operation=\"Broken\""]) >= 1.0
            && value(&after, ops, &["operation=\"Broken\"", "outcome=\"ok\""]) == 0.0,
        "{engine:?}: the mistake is counted by its code"
    );
    let broken_code = after
        .iter()
        .find(|(series, _)| series.starts_with(ops) && series.contains("operation=\"Broken\""))
        .and_then(|(series, _)| series.split("outcome=\"").nth(1)?.split('"').next())
        .expect("the mistake's series");
    assert!(
        value(
            &after,
            "stinger_graphql_errors_total",
            &[&format!("code=\"{broken_code}\"")]
        ) >= 1.0,
        "{engine:?}: errors are counted by code"
    );
    assert_eq!(
        value(
            &after,
            "stinger_graphql_operation_duration_seconds_count",
            &["operation=\"FilmPage\"", "outcome=\"ok\""]
        ),
        3.0,
        "{engine:?}"
    );
    // The film page's statements, each time: film, genres, scores.
    assert_eq!(
        value(
            &after,
            "stinger_graphql_statements_count",
            &["operation=\"FilmPage\""]
        ),
        3.0
    );
    let statements = value(
        &after,
        "stinger_graphql_statements_sum",
        &["operation=\"FilmPage\""],
    );
    assert!(
        (6.0..=15.0).contains(&statements),
        "{engine:?}: {statements} statements for three pages"
    );
    assert!(
        value(&after, "stinger_db_statements_total", &["outcome=\"ok\""])
            > value(&before, "stinger_db_statements_total", &["outcome=\"ok\""]) + statements - 1.0,
        "{engine:?}"
    );
    assert_eq!(
        value(&after, "stinger_login_failures_total", &[]),
        1.0,
        "{engine:?}"
    );
    assert_eq!(
        value(&after, "stinger_edits", &["status=\"PENDING\""]),
        1.0,
        "{engine:?}"
    );
    assert_eq!(
        value(&after, "stinger_websocket_connections", &[]),
        1.0,
        "{engine:?}"
    );
    assert_eq!(
        value(&after, "stinger_graphql_subscriptions", &[]),
        1.0,
        "{engine:?}"
    );
    assert_eq!(
        value(
            &after,
            "stinger_graphql_subscription_responses_total",
            &["operation=\"Queue\"", "outcome=\"ok\""]
        ),
        1.0,
        "{engine:?}: the event sent"
    );
    assert_eq!(
        value(&after, "stinger_db_pool_max_connections", &[]),
        10.0,
        "{engine:?}"
    );
    assert!(
        value(&after, "stinger_db_pool_connections", &["state=\"idle\""]) >= 1.0,
        "{engine:?}"
    );

    drop(socket);
    let mut closed = false;
    for _ in 0..50 {
        let now = scrape(&server).await;
        if value(&now, "stinger_websocket_connections", &[]) == 0.0
            && value(&now, "stinger_graphql_subscriptions", &[]) == 0.0
        {
            closed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        closed,
        "{engine:?}: a closed socket and its subscription are no longer counted"
    );
}

/// The labels of the answer cache's series.
const ANSWERS: &[&str] = &["layer=\"answers\""];

both_engines!(
    read_cache_hits_count_as_operations_and_the_cache_reports_its_figures,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn read_cache_hits_count_as_operations_and_the_cache_reports_its_figures(engine: Engine) {
    // Arrange
    let db = TestDb::new(engine, Dataset::MButterfly).await;
    let server = ServerProcess::on_database(
        &db,
        &[
            ("STINGER_METRICS_LISTEN", "127.0.0.1:0"),
            ("STINGER_READ_CACHE", "on"),
            ("STINGER_READ_CACHE_MB", "8"),
        ],
    );

    // Act: one film page asked three times (a miss, then two hits).
    for _ in 0..3 {
        let body = post(
            &server,
            None,
            "query CachedPage { film(slug: \"m-butterfly-1993\") { title genres } }",
            json!({}),
        )
        .await;
        assert!(body["errors"].is_null(), "{body}");
    }

    // Assert: every answer is an operation; only the miss ran statements.
    let after = scrape(&server).await;
    let page = ["operation=\"CachedPage\"", "outcome=\"ok\""];
    assert_eq!(
        value(&after, "stinger_graphql_operations_total", &page),
        3.0,
        "{engine:?}"
    );
    assert_eq!(
        value(
            &after,
            "stinger_graphql_statements_count",
            &["operation=\"CachedPage\""]
        ),
        3.0,
        "{engine:?}"
    );
    let statements = value(
        &after,
        "stinger_graphql_statements_sum",
        &["operation=\"CachedPage\""],
    );
    assert!(
        (2.0..=4.0).contains(&statements),
        "{engine:?}: {statements} statements, all from the one miss"
    );
    assert_eq!(
        value(&after, "stinger_read_cache_hits_total", ANSWERS),
        2.0,
        "{engine:?}"
    );
    assert_eq!(
        value(&after, "stinger_read_cache_misses_total", ANSWERS),
        1.0,
        "{engine:?}"
    );
    assert_eq!(
        value(&after, "stinger_read_cache_entries", ANSWERS),
        1.0,
        "{engine:?}"
    );
    assert!(value(&after, "stinger_read_cache_bytes", ANSWERS) > 0.0);
    assert_eq!(
        value(&after, "stinger_read_cache_max_bytes", ANSWERS)
            + value(&after, "stinger_read_cache_max_bytes", &["layer=\"rows\""]),
        8.0 * 1024.0 * 1024.0,
        "the budget is shared by answers and rows"
    );
    assert_eq!(
        value(&after, "stinger_read_cache_evictions_total", ANSWERS),
        0.0
    );
    assert_eq!(
        value(&after, "stinger_read_cache_invalidations_total", ANSWERS),
        0.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_off_by_default_and_never_on_the_api_listener() {
    let db = TestDb::new(Engine::Sqlite, Dataset::Empty).await;
    let server = ServerProcess::on_database(&db, &[]);
    assert!(
        server.metrics_url.is_none(),
        "no metrics listener unless asked"
    );
    let response = reqwest::get(format!("{}/metrics", server.base_url))
        .await
        .unwrap();
    assert_eq!(response.status(), 404);

    let with_metrics = start(&db);
    let response = reqwest::get(format!("{}/metrics", with_metrics.base_url))
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        404,
        "not on the API's listener even when on"
    );
}
