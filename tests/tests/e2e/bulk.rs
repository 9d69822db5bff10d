//! Bulk loads through the real `stinger-admin` binary on both engines: a 10,000-film round trip
//! byte for byte, a second import that changes nothing, loads that stop half-way (a bad line,
//! Ctrl-C) leaving nothing written, and what an import records (one import run, a creation
//! revision per film, person and company, revertable).

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{Value, json};
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use stinger_tests::process::binary;
use stinger_tests::{Dataset, Engine, TestDb, both_engines, spawn_app};

fn admin_command(db: &TestDb, args: &[&str]) -> Command {
    let mut command = Command::new(binary("stinger-admin"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &db.url)
        .env("STINGER_DATA_DIR", db.dir.path())
        .args(args);
    command
}

fn admin(db: &TestDb, args: &[&str]) -> Output {
    admin_command(db, args)
        .output()
        .expect("stinger-admin runs")
}

fn admin_ok(db: &TestDb, args: &[&str]) -> String {
    let output = admin(db, args);
    assert!(
        output.status.success(),
        "stinger-admin {args:?} failed on {db:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("stdout is UTF-8")
}

/// Exports `db` to `name` in its directory; returns the file's bytes.
fn export_to(db: &TestDb, name: &str) -> (std::path::PathBuf, Vec<u8>) {
    let file = db.dir.path().join(name);
    admin_ok(db, &["export", "--output", file.to_str().unwrap()]);
    let bytes = std::fs::read(&file).unwrap();
    (file, bytes)
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// Rows in every table an import writes to.
async fn written(db: &DatabaseConnection) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for table in [
        "film",
        "person",
        "company",
        "credit",
        "film_company",
        "film_genre",
        "score",
        "trivia",
        "credit_scene",
        "search_entry",
        "revision",
        "import_run",
    ] {
        counts.push((
            table,
            count(db, &format!("SELECT COUNT(*) FROM {table}")).await,
        ));
    }
    counts
}

both_engines!(ten_thousand_films_round_trip_byte_for_byte_and_import_once);
async fn ten_thousand_films_round_trip_byte_for_byte_and_import_once(engine: Engine) {
    // Arrange: 10,000 generated films, exported.
    let source = TestDb::new(engine, Dataset::Empty).await;
    admin_ok(&source, &["generate", "--films", "10000", "--seed", "21"]);
    let (file, first) = export_to(&source, "first.ndjson");
    assert_eq!(first.iter().filter(|b| **b == b'\n').count(), 10_000);

    // Act: import into an empty database, export again.
    let target = TestDb::new(engine, Dataset::Empty).await;
    let report: Value = serde_json::from_str(&admin_ok(
        &target,
        &["import", "stinger", file.to_str().unwrap(), "--json"],
    ))
    .unwrap();
    let (_, second) = export_to(&target, "second.ndjson");

    // Assert: the same bytes.
    assert_eq!(report["films_added"], 10_000, "{engine:?}: {report}");
    assert!(
        first == second,
        "{engine:?}: the round trip changed the export"
    );

    // What the import recorded: one run, a creation revision per film, person and company.
    let db = target.connect().await;
    let objects = count(&db, "SELECT COUNT(*) FROM film").await
        + count(&db, "SELECT COUNT(*) FROM person").await
        + count(&db, "SELECT COUNT(*) FROM company").await;
    assert_eq!(count(&db, "SELECT COUNT(*) FROM revision").await, objects);
    assert_eq!(report["revisions_written"], objects);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM revision WHERE version <> 1 OR target_type NOT IN ('FILM', 'PERSON', 'COMPANY')").await,
        0,
        "{engine:?}: no revision per credit, score or trivia row"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM import_run").await, 1);
    assert_eq!(
        count(&db, "SELECT films_added FROM import_run").await,
        10_000
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM search_entry").await,
        objects,
        "{engine:?}: every film, person and company is searchable"
    );
    let before = written(&db).await;

    // A second import of the same file changes nothing and says so.
    let again: Value = serde_json::from_str(&admin_ok(
        &target,
        &["import", "stinger", file.to_str().unwrap(), "--json"],
    ))
    .unwrap();
    assert_eq!(again["films_added"], 0, "{engine:?}: {again}");
    assert_eq!(again["films_unchanged"], 10_000);
    assert_eq!(again["revisions_written"], 0);
    assert_eq!(written(&db).await, before, "{engine:?}: nothing written");
    let (_, third) = export_to(&target, "third.ndjson");
    assert!(first == third, "{engine:?}: the second import changed data");
    db.close().await.unwrap();
}

both_engines!(a_bad_line_after_thousands_of_good_ones_leaves_nothing_written);
async fn a_bad_line_after_thousands_of_good_ones_leaves_nothing_written(engine: Engine) {
    // Arrange: 2,500 good lines (more than two steps of the load), then a bad one.
    let source = TestDb::new(engine, Dataset::Empty).await;
    admin_ok(&source, &["generate", "--films", "2500", "--seed", "4"]);
    let (file, mut bytes) = export_to(&source, "films.ndjson");
    bytes.extend_from_slice(
        b"{\"slug\":\"broken\",\"title\":\"Broken\",\"runtime_minutes\":\"long\"}\n",
    );
    std::fs::write(&file, bytes).unwrap();
    let target = TestDb::new(engine, Dataset::MButterfly).await;
    let db = target.connect().await;
    let before = written(&db).await;

    // Act
    let output = admin(&target, &["import", "stinger", file.to_str().unwrap()]);

    // Assert
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 2501"), "{engine:?}: {stderr}");
    assert!(
        stderr.contains("nothing was imported"),
        "{engine:?}: {stderr}"
    );
    assert_eq!(
        written(&db).await,
        before,
        "{engine:?}: nothing half-written"
    );
    db.close().await.unwrap();
}

both_engines!(ctrl_c_during_a_load_leaves_the_database_as_it_was);
async fn ctrl_c_during_a_load_leaves_the_database_as_it_was(engine: Engine) {
    // Arrange: a load far too large to finish before the interrupt.
    let target = TestDb::new(engine, Dataset::MButterfly).await;
    let db = target.connect().await;
    let before = written(&db).await;
    let mut child = admin_command(&target, &["generate", "--films", "300000", "--seed", "5"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stinger-admin starts");

    // Act: wait until the load holds its lock (for a while: not a start-up statement's), then
    // Ctrl-C.
    let started = std::time::Instant::now();
    let mut held = 0;
    while held < 4 {
        held = if load_under_way(&target).await {
            held + 1
        } else {
            0
        };
        assert!(
            child.try_wait().unwrap().is_none(),
            "{engine:?}: the load ended before it could be interrupted"
        );
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{engine:?}: the load never started"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();

    // Assert
    assert!(
        !output.status.success(),
        "{engine:?}: an interrupted load fails"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Interrupted"), "{engine:?}: {stderr}");
    assert_eq!(
        written(&db).await,
        before,
        "{engine:?}: nothing half-written"
    );
    db.close().await.unwrap();
}

/// Is a load writing to `db`? On SQLite: another connection holds the write lock. On
/// PostgreSQL: another session has written to the film table (a load keeps that lock to its end).
async fn load_under_way(db: &TestDb) -> bool {
    use sea_orm::sqlx::{self, Connection};
    match db.engine {
        Engine::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
            sqlx::raw_sql("PRAGMA busy_timeout = 0")
                .execute(&mut conn)
                .await
                .unwrap();
            let locked = sqlx::raw_sql("BEGIN IMMEDIATE")
                .execute(&mut conn)
                .await
                .is_err();
            if !locked {
                sqlx::raw_sql("ROLLBACK").execute(&mut conn).await.unwrap();
            }
            conn.close().await.unwrap();
            locked
        }
        Engine::Postgres => {
            let conn = db.connect().await;
            let held = count(
                &conn,
                "SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation \
                 WHERE c.relname = 'film' AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid() \
                 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            )
            .await
                > 0;
            conn.close().await.unwrap();
            held
        }
    }
}

both_engines!(an_imported_film_has_a_creation_revision_and_reverting_it_deletes_the_film);
async fn an_imported_film_has_a_creation_revision_and_reverting_it_deletes_the_film(
    engine: Engine,
) {
    let app = spawn_app(engine, Dataset::MButterfly).await;
    let admin = app.user_token("admin", entity::Role::Admin).await;
    let film = "{ film(slug: \"m-butterfly-1993\") { id title directors { name } revisions(first: 5) { totalCount edges { node { id version targetType reason actor { username } diff { field before after } } } } } }";

    // The import's revision: version 1, by the system, naming the import, with the film's fields.
    let data = app.data(film, json!({})).await;
    let revisions = &data["film"]["revisions"];
    assert_eq!(revisions["totalCount"], 1, "{engine:?}: {data}");
    let revision = revisions["edges"][0]["node"].clone();
    assert_eq!(revision["version"], 1);
    assert_eq!(revision["targetType"], "FILM");
    assert_eq!(revision["actor"], Value::Null);
    assert!(
        revision["reason"]
            .as_str()
            .unwrap()
            .starts_with("Imported from"),
        "{revision}"
    );
    let diff = revision["diff"].as_array().unwrap();
    assert!(diff.contains(&json!({"field": "title", "before": null, "after": "M. Butterfly"})));
    assert!(!data["film"]["directors"].as_array().unwrap().is_empty());

    // Reverting the creation deletes the film and what came with it.
    let revert = app
        .data_as(&admin, "mutation($id: ID!) { revertRevision(input: {revisionId: $id, reason: \"Imported by mistake.\"}) { edit { status operation } userErrors { code message } } }", json!({"id": revision["id"]}))
        .await;
    assert_eq!(
        revert["revertRevision"]["userErrors"],
        json!([]),
        "{revert}"
    );
    assert_eq!(revert["revertRevision"]["edit"]["operation"], "DELETE");
    assert_eq!(revert["revertRevision"]["edit"]["status"], "APPROVED");
    let data = app.data(film, json!({})).await;
    assert_eq!(data["film"], Value::Null, "{engine:?}: {data}");
    let data = app
        .data(
            "{ search(query: \"butterfly\") { __typename } recentChanges(first: 1) { edges { node { targetType version reason } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["search"], json!([]), "{engine:?}: {data}");
    assert_eq!(
        data["recentChanges"]["edges"][0]["node"]["targetType"],
        "FILM"
    );
}

both_engines!(reads_keep_answering_while_a_load_runs);
/// A catalogue load by `stinger-admin` against the database a running server reads from: every
/// read answered during the load succeeds (WAL readers on SQLite, MVCC on PostgreSQL; the load's
/// one transaction never blocks them), and the films appear, all at once, when it commits.
async fn reads_keep_answering_while_a_load_runs(engine: Engine) {
    // Arrange: a server process on a database holding one film, and a load far larger.
    let target = TestDb::new(engine, Dataset::MButterfly).await;
    let data_dir = target.dir.path().display().to_string();
    let server = stinger_tests::ServerProcess::start(&[
        ("DATABASE_URL", target.url.as_str()),
        ("STINGER_DATA_DIR", &data_dir),
        ("STINGER_MIGRATE", "false"),
        ("STINGER_DEMO_DATA", "false"),
    ]);
    let client = reqwest::Client::new();
    let read = |query: &'static str| {
        let request = client
            .post(format!("{}/graphql", server.base_url))
            .json(&json!({ "query": query }));
        async move {
            let response = request.send().await.expect("the server answers");
            let status = response.status();
            let body: Value = response.json().await.expect("a JSON body");
            assert!(
                status.is_success() && body.get("errors").is_none(),
                "{engine:?}: a read failed during the load: {status} {body}"
            );
            body["data"].clone()
        }
    };
    const FILM: &str = "{ film(slug: \"m-butterfly-1993\") { title cast(first: 5) { edges { node { character } } } } }";
    const LATEST: &str = "{ films(first: 20) { totalCount edges { node { slug title year } } } latestFilms(first: 20) { edges { node { slug title } } } }";
    let before = read(LATEST).await["films"]["totalCount"].clone();
    let mut child = admin_command(&target, &["generate", "--films", "4000", "--seed", "11"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stinger-admin starts");

    // Act: read, alternating pages, for as long as the load runs.
    let mut reads_while_loading = 0;
    let mut counts_seen = Vec::new();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "{engine:?}: the load never ended"
        );
        let holding = load_under_way(&target).await;
        let film = read(FILM).await;
        assert_eq!(film["film"]["title"], "M. Butterfly", "{engine:?}");
        counts_seen.push(read(LATEST).await["films"]["totalCount"].clone());
        if holding {
            reads_while_loading += 1;
        }
    }
    let output = child.wait_with_output().unwrap();

    // Assert
    assert!(
        output.status.success(),
        "{engine:?}: the load succeeds: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        reads_while_loading >= 3,
        "{engine:?}: only {reads_while_loading} reads ran while the load held its lock"
    );
    let after = read(LATEST).await["films"]["totalCount"].clone();
    assert!(
        after.as_i64().unwrap() > before.as_i64().unwrap() + 3000,
        "{engine:?}: the loaded films are served once it commits ({before} → {after})"
    );
    assert!(
        counts_seen
            .iter()
            .all(|seen| *seen == before || *seen == after),
        "{engine:?}: a read saw the load half-done: {before} → {counts_seen:?} → {after}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_leaves_postgresql_with_fresh_planner_statistics() {
    if !stinger_tests::postgres_enabled(module_path!()) {
        return;
    }
    // A bulk load outruns autovacuum: without statistics (`reltuples` -1 after COPY) the planner
    // takes each table for nearly empty.
    let db = TestDb::new(Engine::Postgres, Dataset::Empty).await;
    admin_ok(&db, &["generate", "--films", "30", "--seed", "3"]);
    let connection = db.connect().await;
    for (table, at_least) in [("film", 30), ("credit", 30), ("score", 1), ("person", 1)] {
        let estimated = count(
            &connection,
            &format!("SELECT reltuples::bigint FROM pg_class WHERE relname = '{table}'"),
        )
        .await;
        assert!(
            estimated >= at_least,
            "{table}: the planner estimates {estimated} rows"
        );
    }
}
