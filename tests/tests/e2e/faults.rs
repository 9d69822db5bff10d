//! Database faults survived, over real `stinger-api` processes (README, "Database faults"): a
//! pool with no free connection answers 503 at once instead of queueing, a statement over its
//! time is `TIMEOUT`, a PostgreSQL restart fails at most what was in flight (masked), `/readyz`
//! says 503 while the database is down, approvals across a restart are applied once or not at
//! all, a transaction left idle is ended (its locks released), and the server and
//! `stinger-admin` writing one SQLite file at once both finish every write. (A held lock making an approval fail as `BUSY`, and the
//! CLI's "busy, retry", is in `cli_remote::every_documented_exit_code_means_what_the_help_says`.)

use entity::Role;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use stinger_api::service::account;
use stinger_tests::postgres_server::PostgresServer;
use stinger_tests::process::binary;
use stinger_tests::{
    Dataset, Engine, ServerProcess, TEST_PASSWORD, TestDb, both_engines, postgres_enabled,
};

/// The film-genre table behind a view that takes long to read: a film page asking for genres
/// holds its connection for seconds (SQLite: a counting loop; PostgreSQL: `pg_sleep`).
async fn slow_genres(db: &TestDb, seconds: u32) {
    let connection = db.connect().await;
    let view = match db.engine {
        Engine::Sqlite => {
            "CREATE VIEW film_genre AS SELECT film_genre_rows.* FROM film_genre_rows WHERE \
             (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000000) \
              SELECT count(*) FROM n) > 0"
                .to_owned()
        }
        Engine::Postgres => format!(
            "CREATE VIEW film_genre AS SELECT r.* FROM film_genre_rows r, pg_sleep({seconds}) s"
        ),
    };
    for sql in [
        "ALTER TABLE film_genre RENAME TO film_genre_rows",
        view.as_str(),
    ] {
        connection.execute_unprepared(sql).await.unwrap();
    }
    connection.close().await.unwrap();
}

fn start(db: &TestDb, extra: &[(&str, &str)]) -> ServerProcess {
    let mut env = vec![("STINGER_RATE_LIMIT_ANONYMOUS", "0")];
    env.extend_from_slice(extra);
    ServerProcess::on_database(db, &env)
}

/// A PostgreSQL of the test's own (never the shared server), and Stinger on it with `data` as its
/// data directory: no rate limits, and a connection waited for 500 ms at most.
fn on_own_postgres(data: &tempfile::TempDir) -> (PostgresServer, ServerProcess) {
    let postgres = PostgresServer::start();
    let server = ServerProcess::start(&[
        ("DATABASE_URL", postgres.url().as_str()),
        ("STINGER_DATA_DIR", &data.path().display().to_string()),
        ("STINGER_DEMO_DATA", "false"),
        ("STINGER_RATE_LIMIT_ANONYMOUS", "0"),
        ("STINGER_RATE_LIMIT_ACCOUNT", "0"),
        ("STINGER_DB_ACQUIRE_TIMEOUT_MS", "500"),
    ]);
    (postgres, server)
}

/// POSTs `query`: status, `Retry-After`, body, and how long the answer took.
async fn post(
    base: &str,
    query: &str,
) -> Result<(StatusCode, Option<String>, Value, Duration), reqwest::Error> {
    let started = Instant::now();
    let response = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": query }))
        .send()
        .await?;
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = response.json().await?;
    Ok((status, retry_after, body, started.elapsed()))
}

fn first_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

const SLOW: &str = "{ films(first: 1) { edges { node { title genres } } } }";
const FAST: &str = "{ films(first: 1) { edges { node { title } } } }";

both_engines!(
    an_exhausted_pool_answers_503_at_once_and_recovers,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn an_exhausted_pool_answers_503_at_once_and_recovers(engine: Engine) {
    // Arrange: 10 connections, each slow request holding one for 2 s (the request timeout).
    let db = TestDb::new(engine, Dataset::MButterfly).await;
    slow_genres(&db, 30).await;
    let server = start(
        &db,
        &[
            ("STINGER_DB_MAX_CONNECTIONS", "10"),
            ("STINGER_DB_ACQUIRE_TIMEOUT_MS", "300"),
            ("STINGER_REQUEST_TIMEOUT_MS", "2000"),
            // PostgreSQL ends a timed-out request's statement at its statement timeout.
            ("STINGER_DB_STATEMENT_TIMEOUT_MS", "2000"),
        ],
    );

    // Act: 50 slow requests at once.
    let requests: Vec<_> = (0..50)
        .map(|_| {
            let base = server.base_url.clone();
            tokio::spawn(async move { post(&base, SLOW).await.expect("an answer") })
        })
        .collect();
    let mut unavailable = 0;
    let mut timed_out = 0;
    for request in requests {
        let (status, retry_after, body, took) = request.await.unwrap();
        match first_code(&body) {
            "SERVICE_UNAVAILABLE" => {
                unavailable += 1;
                assert_eq!(
                    status,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "{engine:?}: {body}"
                );
                assert_eq!(retry_after.as_deref(), Some("1"), "{engine:?}");
                assert!(
                    took < Duration::from_millis(1900),
                    "{engine:?}: failed fast, not after {took:?}"
                );
            }
            "TIMEOUT" => timed_out += 1,
            other => panic!("{engine:?}: {other}: {status} {body}"),
        }
    }

    // Assert: most were turned away at once, the rest ran to the time limit; fast queries
    // are served again right after.
    assert!(
        unavailable >= 30,
        "{engine:?}: {unavailable} answered 503, {timed_out} timed out"
    );
    assert!(
        timed_out >= 1,
        "{engine:?}: the connections that were free ran their requests"
    );
    let started = Instant::now();
    loop {
        let (status, _, body, _) = post(&server.base_url, FAST).await.unwrap();
        if status == StatusCode::OK && body["errors"].is_null() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{engine:?}: fast queries recover once the slow ones are stopped: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_over_the_postgres_statement_timeout_is_a_timeout() {
    if !postgres_enabled(module_path!()) {
        return;
    }
    let db = TestDb::new(Engine::Postgres, Dataset::MButterfly).await;
    slow_genres(&db, 5).await;
    let server = start(&db, &[("STINGER_DB_STATEMENT_TIMEOUT_MS", "300")]);
    let (status, _, body, took) = post(&server.base_url, SLOW).await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(first_code(&body), "TIMEOUT", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("longer than allowed"),
        "{body}"
    );
    assert!(took < Duration::from_secs(4), "{took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_postgres_restart_fails_at_most_what_was_in_flight() {
    if !postgres_enabled(module_path!()) {
        return;
    }
    // Arrange: Stinger on a PostgreSQL of this test's own, under steady load.
    let data = tempfile::tempdir().unwrap();
    let (postgres, server) = on_own_postgres(&data);
    let base = server.base_url.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load: Vec<_> = (0..4)
        .map(|_| {
            let (base, stop) = (base.clone(), stop.clone());
            tokio::spawn(async move {
                let mut outcomes = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let (status, _, body, _) = post(&base, "{ films(first: 3) { totalCount } }")
                        .await
                        .expect("Stinger itself stays up");
                    outcomes.push((Instant::now(), status, first_code(&body).to_owned()));
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                outcomes
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Act: stop the database, check readiness while it is down, start it again.
    let stopped_at = Instant::now();
    postgres.stop();
    let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(
        ready.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "/readyz while the database is down"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    postgres.resume();
    let resumed_at = Instant::now();
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut outcomes: Vec<_> = Vec::new();
    for task in load {
        outcomes.extend(task.await.unwrap());
    }

    // Assert: failures are masked database faults, only around the outage; after it, every
    // request succeeds, without restarting Stinger.
    let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(
        ready.status(),
        StatusCode::OK,
        "/readyz once the database is back"
    );
    let mut failed_during = 0;
    for (at, status, code) in &outcomes {
        if code.is_empty() {
            assert_eq!(*status, StatusCode::OK);
            continue;
        }
        assert_eq!(
            code, "SERVICE_UNAVAILABLE",
            "a clear, masked error, never INTERNAL"
        );
        assert!(
            *at >= stopped_at && *at < resumed_at + Duration::from_millis(500),
            "a failure {:?} after the database came back",
            at.duration_since(resumed_at)
        );
        failed_during += 1;
    }
    let after = outcomes
        .iter()
        .filter(|(at, _, _)| *at > resumed_at + Duration::from_millis(500))
        .count();
    assert!(after >= 8, "requests ran after the restart: {after}");
    assert!(failed_during >= 1, "the outage was noticed by some request");

    // A restart while Stinger is idle fails nothing at all: the pooled connections, dead now,
    // are found out before a request draws them.
    let warm: Vec<_> = (0..4)
        .map(|_| {
            let base = base.clone();
            tokio::spawn(async move { post(&base, "{ films(first: 3) { totalCount } }").await })
        })
        .collect();
    for request in warm {
        request.await.unwrap().unwrap();
    }
    postgres.stop();
    postgres.resume();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for _ in 0..10 {
        let (status, _, body, _) = post(&base, "{ films(first: 3) { totalCount } }")
            .await
            .unwrap();
        assert!(
            status == StatusCode::OK && body["errors"].is_null(),
            "a request after a quiet restart: {body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_and_the_admin_tool_writing_one_sqlite_file_lose_nothing() {
    // Arrange
    let db = TestDb::new(Engine::Sqlite, Dataset::MButterfly).await;
    let connection = db.connect().await;
    account::create_user(&connection, "eddie", TEST_PASSWORD, Role::Editor)
        .await
        .unwrap();
    let server = start(&db, &[]);
    let base = server.base_url.clone();
    let (_, _, login, _) = post(
        &base,
        &format!("mutation {{ login(input: {{username: \"eddie\", password: \"{TEST_PASSWORD}\"}}) {{ accessToken }} }}"),
    )
    .await
    .unwrap();
    let token = login["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, _, film, _) = post(&base, "{ film(slug: \"m-butterfly-1993\") { id } }")
        .await
        .unwrap();
    let film_id = film["data"]["film"]["id"].as_str().unwrap().to_owned();

    // Act: the server takes 20 proposals while stinger-admin creates 10 accounts in the file.
    let proposals = tokio::spawn(async move {
        let client = reqwest::Client::new();
        for n in 0..20 {
            let body: Value = client
                .post(format!("{base}/graphql"))
                .bearer_auth(&token)
                .json(&json!({
                    "query": "mutation($input: ProposeEditInput!) { proposeEdit(input: $input) { edit { number } } }",
                    "variables": {"input": {"operation": "UPDATE", "targetId": film_id,
                        "changes": {"film": {"tagline": format!("Tagline {n}")}}, "reason": "concurrency"}},
                }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert!(
                body["data"]["proposeEdit"]["edit"]["number"].is_number(),
                "{body}"
            );
        }
    });
    let dir = db.dir.path().display().to_string();
    let url = db.url.clone();
    let accounts = tokio::task::spawn_blocking(move || {
        for n in 0..10 {
            let output = stinger_tests::process::run_with_stdin(
                std::process::Command::new(binary("stinger-admin"))
                    .env_clear()
                    .env("DATABASE_URL", &url)
                    .env("STINGER_DATA_DIR", &dir)
                    .args([
                        "users",
                        "create",
                        "--username",
                        &format!("writer{n}"),
                        "--role",
                        "editor",
                        "--password-stdin",
                    ]),
                &format!("{TEST_PASSWORD}\n"),
            );
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    });
    proposals.await.unwrap();
    accounts.await.unwrap();

    // Assert: every write is there.
    assert_eq!(
        entity::edit::Entity::find()
            .count(&connection)
            .await
            .unwrap(),
        20
    );
    assert_eq!(
        entity::user::Entity::find()
            .count(&connection)
            .await
            .unwrap(),
        11
    );
}

/// An editor (`eddie`) and an admin (`ada`), both with the test password.
async fn create_reviewers(connection: &sea_orm::DatabaseConnection) {
    for (name, role) in [("eddie", Role::Editor), ("ada", Role::Admin)] {
        account::create_user(connection, name, TEST_PASSWORD, role)
            .await
            .unwrap();
    }
}

/// M. Butterfly's global id, as `server` gives it.
async fn film_id(server: &ServerProcess) -> Value {
    server
        .graphql(
            None,
            "{ film(slug: \"m-butterfly-1993\") { id } }",
            json!({}),
        )
        .await["data"]["film"]["id"]
        .clone()
}

const APPROVE: &str = "mutation($id: ID!) { approveEdit(input: {editId: $id}) { edit { status } userErrors { code } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_left_idle_is_ended_and_its_row_locks_released() {
    if !postgres_enabled(module_path!()) {
        return;
    }
    // Arrange: an edit waiting for approval, and a connection made as Stinger makes its own
    // (`db::connect`, an idle-in-transaction timeout of 300 ms) whose transaction locks every
    // film and is then abandoned.
    let db = TestDb::new(Engine::Postgres, Dataset::MButterfly).await;
    let connection = db.connect().await;
    create_reviewers(&connection).await;
    let server = start(&db, &[("STINGER_DB_LOCK_TIMEOUT_MS", "3000")]);
    let (editor, admin) = (server.login("eddie").await, server.login("ada").await);
    let film = film_id(&server).await;
    let proposed = server
        .graphql(
            Some(&editor),
            "mutation($input: ProposeEditInput!) { proposeEdit(input: $input) { edit { id } } }",
            json!({"input": {"operation": "UPDATE", "targetId": film,
                "changes": {"film": {"tagline": "Not held for ever"}}, "reason": "From the poster."}}),
        )
        .await;
    let edit = proposed["data"]["proposeEdit"]["edit"]["id"].clone();
    let config = stinger_api::config::DatabaseConfig {
        url: Some(db.url.clone()),
        data_dir: db.dir.path().to_owned(),
        max_connections: 1,
        timeouts: stinger_api::config::DatabaseTimeouts {
            idle_in_transaction: Duration::from_millis(300),
            ..Default::default()
        },
    };
    let stuck = stinger_api::db::connect(&config).await.unwrap();
    let transaction = sea_orm::TransactionTrait::begin(&stuck).await.unwrap();
    transaction
        .execute_unprepared("SELECT id FROM film FOR UPDATE")
        .await
        .unwrap();

    // Act: the transaction sits idle past its timeout; then the edit is approved.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let started = Instant::now();
    let approved = server
        .graphql(Some(&admin), APPROVE, json!({ "id": edit }))
        .await;

    // Assert: PostgreSQL ended the idle transaction, so the approval did not wait on its lock;
    // its owner's next statement fails as "unavailable, retry", never as an internal error.
    assert_eq!(
        approved["data"]["approveEdit"]["edit"]["status"], "APPROVED",
        "{approved}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the approval waited {:?} on an abandoned lock",
        started.elapsed()
    );
    let error = transaction
        .execute_unprepared("SELECT 1")
        .await
        .expect_err("the idle transaction was ended");
    assert_eq!(
        stinger_api::db::fault::code_of(&error),
        "SERVICE_UNAVAILABLE",
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn approvals_across_a_postgres_restart_are_applied_once_or_not_at_all() {
    if !postgres_enabled(module_path!()) {
        return;
    }
    // Arrange: Stinger on a PostgreSQL of this test's own, with 40 proposed trivia questions.
    let data = tempfile::tempdir().unwrap();
    let (postgres, server) = on_own_postgres(&data);
    let connection = sea_orm::Database::connect(postgres.url()).await.unwrap();
    stinger_tests::fixtures::m_butterfly(&connection).await;
    create_reviewers(&connection).await;
    let (editor, admin) = (server.login("eddie").await, server.login("ada").await);
    let film = film_id(&server).await;
    let mut edits = Vec::new();
    for n in 0..40 {
        let proposed = server
            .graphql(
                Some(&editor),
                "mutation($input: ProposeEditInput!) { proposeEdit(input: $input) { edit { id } } }",
                json!({"input": {"operation": "CREATE", "changes": {"trivia": {"filmId": film,
                    "question": format!("Restart question {n}?"), "answer": "Yes",
                    "wrongChoices": ["No", "Maybe"]}}, "reason": "Across a restart."}}),
            )
            .await;
        edits.push(
            proposed["data"]["proposeEdit"]["edit"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{proposed}"))
                .to_owned(),
        );
    }

    // Act: four reviewers approve them one after another while the database restarts; each
    // approval that failed is tried again once the database is back.
    let server = std::sync::Arc::new(server);
    let reviewers: Vec<_> = edits
        .chunks(10)
        .map(|chunk| {
            let (server, admin, chunk) = (server.clone(), admin.clone(), chunk.to_vec());
            tokio::spawn(async move {
                let mut failed = Vec::new();
                for edit in chunk {
                    let body = server
                        .graphql(Some(&admin), APPROVE, json!({ "id": edit }))
                        .await;
                    if body["data"]["approveEdit"]["edit"]["status"] != "APPROVED" {
                        assert_eq!(
                            first_code(&body),
                            "SERVICE_UNAVAILABLE",
                            "a masked database fault: {body}"
                        );
                        failed.push(edit);
                    }
                    tokio::time::sleep(Duration::from_millis(30)).await;
                }
                failed
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    postgres.stop();
    tokio::time::sleep(Duration::from_millis(300)).await;
    postgres.resume();
    let mut failed = Vec::new();
    for reviewer in reviewers {
        failed.extend(reviewer.await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for edit in &failed {
        let body = server
            .graphql(Some(&admin), APPROVE, json!({ "id": edit }))
            .await;
        let approved = body["data"]["approveEdit"]["edit"]["status"] == "APPROVED";
        // An approval whose commit went through before its answer was lost is not pending.
        let already = body["data"]["approveEdit"]["userErrors"][0]["code"] == "NOT_PENDING";
        assert!(approved || already, "retried approval: {body}");
    }

    // Assert: every edit is approved, with exactly one revision and one new question each.
    let connection = sea_orm::Database::connect(postgres.url()).await.unwrap();
    let count = |sql: &'static str| {
        let connection = connection.clone();
        async move {
            connection
                .query_one_raw(sea_orm::Statement::from_string(
                    sea_orm::DbBackend::Postgres,
                    sql,
                ))
                .await
                .unwrap()
                .unwrap()
                .try_get_by_index::<i64>(0)
                .unwrap()
        }
    };
    assert_eq!(
        count("SELECT count(*) FROM edit WHERE status = 'APPROVED' AND revision_id IS NOT NULL")
            .await,
        40,
        "every edit approved ({} retried)",
        failed.len()
    );
    assert_eq!(
        count("SELECT count(*) FROM trivia WHERE question LIKE 'Restart question %'").await,
        40,
        "each question created once"
    );
    assert_eq!(
        count(
            "SELECT count(DISTINCT question) FROM trivia WHERE question LIKE 'Restart question %'"
        )
        .await,
        40
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM revision r JOIN edit e ON e.revision_id = r.id \
             WHERE r.edit_id = e.id AND r.target_type = 'TRIVIA'"
        )
        .await,
        40,
        "one revision per approval, pointing both ways"
    );
    assert_eq!(
        count("SELECT count(*) FROM revision WHERE target_type = 'TRIVIA'").await,
        40,
        "no revision of an approval that did not happen"
    );
}
