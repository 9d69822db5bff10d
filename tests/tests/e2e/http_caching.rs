//! HTTP caching of GET queries and automatic persisted queries on the real `stinger-api`
//! binary (README, "HTTP caching"): a strong `ETag` and `304 Not Modified`, `Cache-Control`
//! that never lets a shared cache keep an account's answer, and Apollo's persisted-query
//! protocol, optionally closed to anonymous clients bringing new queries.

use entity::Role;
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use stinger_api::service::account;
use stinger_tests::{Dataset, Engine, ServerProcess, TEST_PASSWORD, TestDb, both_engines};

const FILM: &str = "{ film(slug: \"m-butterfly-1993\") { title tagline } }";

fn start(db: &TestDb, extra: &[(&str, &str)]) -> ServerProcess {
    ServerProcess::on_database(db, extra)
}

async fn get(
    server: &ServerProcess,
    params: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .get(format!("{}/graphql", server.base_url))
        .header("accept", "application/graphql-response+json")
        .query(params);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

fn sha256(text: &str) -> String {
    stinger_api::http::graphql::persisted::sha256_hex(text)
}

fn persisted(hash: &str) -> String {
    json!({"persistedQuery": {"version": 1, "sha256Hash": hash}}).to_string()
}

async fn token(server: &ServerProcess, db: &TestDb) -> String {
    let connection = db.connect().await;
    account::create_user(&connection, "ada", TEST_PASSWORD, Role::Admin)
        .await
        .unwrap();
    let body: Value = reqwest::Client::new()
        .post(format!("{}/graphql", server.base_url))
        .json(&json!({"query": format!("mutation {{ login(input: {{username: \"ada\", password: \"{TEST_PASSWORD}\"}}) {{ accessToken }} }}")}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned()
}

both_engines!(
    get_answers_carry_an_etag_and_a_held_one_is_answered_304,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn get_answers_carry_an_etag_and_a_held_one_is_answered_304(engine: Engine) {
    let db = TestDb::new(engine, Dataset::MButterfly).await;
    let server = start(&db, &[]);

    let first = get(&server, &[("query", FILM)], &[]).await;
    assert_eq!(first.status(), StatusCode::OK);
    let etag = header(&first, "etag");
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() == 34,
        "a strong ETag: {etag}"
    );
    let cache_control = header(&first, "cache-control");
    assert!(
        cache_control.contains("public") && cache_control.contains("max-age"),
        "{cache_control}"
    );

    let again = get(&server, &[("query", FILM)], &[("if-none-match", &etag)]).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{engine:?}");
    assert_eq!(header(&again, "etag"), etag);
    assert!(again.bytes().await.unwrap().is_empty(), "no body with 304");

    // The data changes: the held ETag no longer matches.
    db.connect()
        .await
        .execute_unprepared(
            "UPDATE film SET tagline = 'Changed under the cache' WHERE slug = 'm-butterfly-1993'",
        )
        .await
        .unwrap();
    let changed = get(&server, &[("query", FILM)], &[("if-none-match", &etag)]).await;
    assert_eq!(changed.status(), StatusCode::OK, "{engine:?}");
    assert_ne!(header(&changed, "etag"), etag);
    let body: Value = changed.json().await.unwrap();
    assert_eq!(body["data"]["film"]["tagline"], "Changed under the cache");

    // An account's answer is never for a shared cache.
    let token = token(&server, &db).await;
    let mine = get(
        &server,
        &[("query", FILM)],
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await;
    assert_eq!(mine.status(), StatusCode::OK);
    let cache_control = header(&mine, "cache-control");
    assert!(
        cache_control.contains("private") && !cache_control.contains("public"),
        "{cache_control}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persisted_queries_follow_apollo_s_protocol() {
    let db = TestDb::new(Engine::Sqlite, Dataset::MButterfly).await;
    let server = start(&db, &[]);
    let hash = sha256(FILM);

    // Unknown hash: the client is told to send the query.
    let miss = get(&server, &[("extensions", &persisted(&hash))], &[]).await;
    let body: Value = miss.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["message"], "PersistedQueryNotFound",
        "{body}"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );

    // The query with its hash registers it (and runs).
    let body: Value = reqwest::Client::new()
        .post(format!("{}/graphql", server.base_url))
        .json(&json!({"query": FILM, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": hash}}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["film"]["title"], "M. Butterfly", "{body}");

    // From now on the hash alone, in a short GET.
    let hit = get(&server, &[("extensions", &persisted(&hash))], &[]).await;
    assert_eq!(hit.status(), StatusCode::OK);
    assert!(!header(&hit, "etag").is_empty(), "cacheable like any GET");
    let body: Value = hit.json().await.unwrap();
    assert_eq!(body["data"]["film"]["title"], "M. Butterfly", "{body}");

    // A hash that is not the query's is refused.
    let wrong = get(
        &server,
        &[
            ("query", "{ __typename }"),
            ("extensions", &persisted(&hash)),
        ],
        &[],
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let body: Value = wrong.json().await.unwrap();
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("does not match"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_persisted_queries_only_anonymous_clients_run_known_queries_alone() {
    let db = TestDb::new(Engine::Sqlite, Dataset::MButterfly).await;
    let server = start(&db, &[("STINGER_PERSISTED_QUERIES_ONLY", "true")]);
    let hash = sha256(FILM);
    // The login mutation itself must be registered first: by hash, from a logged-in client.
    // So log in over a second, open server on the same database.
    let open = start(&db, &[]);
    let token = token(&open, &db).await;

    let refused = get(&server, &[("query", FILM)], &[]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_ALLOWED",
        "{body}"
    );
    let refused = get(
        &server,
        &[("query", FILM), ("extensions", &persisted(&hash))],
        &[],
    )
    .await;
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "an anonymous client cannot register"
    );

    // A logged-in client (a frontend's build step) registers it …
    let registered = get(
        &server,
        &[("query", FILM), ("extensions", &persisted(&hash))],
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await;
    assert_eq!(registered.status(), StatusCode::OK);

    // … and anonymous clients run it, by hash or by its text.
    for params in [
        vec![("extensions", persisted(&hash))],
        vec![("query", FILM.to_owned())],
    ] {
        let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let answer = get(&server, &params, &[]).await;
        assert_eq!(answer.status(), StatusCode::OK);
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["data"]["film"]["title"], "M. Butterfly", "{body}");
    }
}
