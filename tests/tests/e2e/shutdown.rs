//! A graceful stop under load, on the real `stinger-api` binary (README, "Operations"): on
//! SIGTERM every request already accepted is answered, open WebSockets get a close frame with
//! 1001 ("going away"), and the process exits 0 within `STINGER_SHUTDOWN_GRACE_SECS`.

use entity::Role;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use stinger_api::service::account;
use stinger_tests::ws::{close_code, initialised, send};
use stinger_tests::{Dataset, Engine, ServerProcess, TEST_PASSWORD, TestDb, both_engines};

/// The film-genre table behind a view that takes about a second to read, so a film page with
/// genres is still running when the signal comes.
async fn slowish_genres(db: &TestDb) {
    let connection = db.connect().await;
    let view = match db.engine {
        Engine::Sqlite => {
            "CREATE VIEW film_genre AS SELECT film_genre_rows.* FROM film_genre_rows WHERE \
             (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) \
              SELECT count(*) FROM n) > 0"
        }
        Engine::Postgres => {
            "CREATE VIEW film_genre AS SELECT r.* FROM film_genre_rows r, pg_sleep(1.5) s"
        }
    };
    for sql in ["ALTER TABLE film_genre RENAME TO film_genre_rows", view] {
        connection.execute_unprepared(sql).await.unwrap();
    }
    account::create_user(&connection, "eddie", TEST_PASSWORD, Role::Editor)
        .await
        .unwrap();
    connection.close().await.unwrap();
}

/// POSTs on a connection of its own (none kept alive across the stop).
async fn post(base: &str, query: &str, variables: Value) -> Result<(u16, Value), reqwest::Error> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let response = client
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await?))
}

both_engines!(
    sigterm_under_load_answers_what_was_accepted_closes_sockets_and_exits_0,
    flavor = "multi_thread",
    worker_threads = 4
);
async fn sigterm_under_load_answers_what_was_accepted_closes_sockets_and_exits_0(engine: Engine) {
    // Arrange: a server with a 5 s grace period, a subscriber, and steady load.
    let db = TestDb::new(engine, Dataset::MButterfly).await;
    slowish_genres(&db).await;
    let mut server = ServerProcess::on_database(
        &db,
        &[
            ("STINGER_RATE_LIMIT_ANONYMOUS", "0"),
            ("STINGER_SHUTDOWN_GRACE_SECS", "5"),
        ],
    );
    let base = server.base_url.clone();
    let (_, login) = post(
        &base,
        "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken } }",
        json!({"u": "eddie", "p": TEST_PASSWORD}),
    )
    .await
    .unwrap();
    let token = login["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut socket = initialised(&base, Some(&token)).await;
    send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { editEvents { number } }"}}),
    )
    .await;
    let signalled = Arc::new(AtomicBool::new(false));
    let load: Vec<_> = (0..3)
        .map(|_| {
            let (base, signalled) = (base.clone(), signalled.clone());
            tokio::spawn(async move {
                let mut answered = 0;
                let started = Instant::now();
                while started.elapsed() < Duration::from_secs(15) {
                    match post(
                        &base,
                        "{ film(slug: \"m-butterfly-1993\") { title scores { value } } }",
                        json!({}),
                    )
                    .await
                    {
                        Ok((status, body)) => {
                            assert_eq!(status, 200, "an accepted request is answered: {body}");
                            assert!(body["errors"].is_null(), "{body}");
                            answered += 1;
                        }
                        // Refused or cut before it was accepted: only once the stop began.
                        Err(err) => {
                            assert!(
                                signalled.load(Ordering::SeqCst),
                                "a request failed before the stop: {err}"
                            );
                            break;
                        }
                    }
                }
                answered
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let slow = {
        let base = base.clone();
        tokio::spawn(async move {
            post(
                &base,
                "{ film(slug: \"m-butterfly-1993\") { title genres } }",
                json!({}),
            )
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Act
    signalled.store(true, Ordering::SeqCst);
    let sent_at = Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());

    // Assert: the socket is told the server is going away; the slow request in flight is
    // answered in full; the process exits 0 within the grace period.
    assert_eq!(
        close_code(&mut socket, Duration::from_secs(5)).await,
        Some(1001),
        "{engine:?}: the WebSocket closes with 1001"
    );
    let (status, body) = slow
        .await
        .unwrap()
        .unwrap_or_else(|err| panic!("{engine:?}: the request in flight was cut: {err}"));
    assert_eq!(status, 200, "{engine:?}: {body}");
    assert!(
        body["data"]["film"]["genres"].is_array(),
        "{engine:?}: {body}"
    );
    let exit = tokio::task::spawn_blocking(move || {
        let exit = server.wait_exit(Duration::from_secs(10));
        (exit, server)
    })
    .await
    .unwrap()
    .0
    .expect("the process exits");
    assert!(exit.success(), "{engine:?}: exit status {exit}");
    assert!(
        sent_at.elapsed() < Duration::from_secs(7),
        "{engine:?}: exited within the grace period ({:?})",
        sent_at.elapsed()
    );
    let mut answered = 0;
    for task in load {
        answered += task.await.unwrap();
    }
    assert!(
        answered >= 3,
        "{engine:?}: the load ran ({answered} answers)"
    );
}
