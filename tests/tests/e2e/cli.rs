//! The real `stinger-admin` binary's local commands (export, import stinger, generate, migrate)
//! on both engines: round trips, determinism, JSON output, and how it fails.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};
use stinger_tests::process::binary;
use stinger_tests::{Dataset, Engine, TestDb, both_engines};

/// `stinger-admin ARGS` on `db`, with a clean environment.
fn admin(db: &TestDb, args: &[&str]) -> Output {
    Command::new(binary("stinger-admin"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &db.url)
        .env("STINGER_DATA_DIR", db.dir.path())
        .args(args)
        .output()
        .expect("stinger-admin runs")
}

/// Like [`admin`], failing the test unless the command succeeds; returns its stdout.
fn admin_ok(db: &TestDb, args: &[&str]) -> String {
    let output = admin(db, args);
    assert!(
        output.status.success(),
        "stinger-admin {args:?} failed on {db:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("stdout is UTF-8")
}

fn export(db: &TestDb) -> String {
    admin_ok(db, &["export"])
}

fn slug_of(line: &str) -> String {
    let record: Value = serde_json::from_str(line).expect("each exported line is JSON");
    record["slug"]
        .as_str()
        .expect("an explicit slug")
        .to_owned()
}

both_engines!(an_export_imported_into_an_empty_database_exports_the_same_lines);
async fn an_export_imported_into_an_empty_database_exports_the_same_lines(engine: Engine) {
    // Arrange: real-world demo data (odd titles, missing values) plus generated films with
    // every kind of record, credit scenes teasing other films included.
    let source = TestDb::new(engine, Dataset::Empty).await;
    admin_ok(&source, &["import", "demo"]);
    admin_ok(&source, &["generate", "--films", "120", "--seed", "11"]);
    let first = export(&source);
    let file = source.dir.path().join("films.ndjson");
    std::fs::write(&file, &first).unwrap();

    // Act
    let target = TestDb::new(engine, Dataset::Empty).await;
    let report = admin_ok(
        &target,
        &["import", "stinger", file.to_str().unwrap(), "--json"],
    );
    let second = export(&target);

    // Assert
    let lines: Vec<&str> = first.lines().collect();
    let report: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["films_added"].as_u64(), Some(lines.len() as u64));
    assert!(lines.len() > 3_000, "{engine:?}: {} films", lines.len());
    let slugs: Vec<String> = lines.iter().map(|l| slug_of(l)).collect();
    let mut sorted = slugs.clone();
    sorted.sort();
    assert_eq!(slugs, sorted, "{engine:?}: films are in slug order");
    assert!(
        first.contains("\"teases_film\":"),
        "the data covers teasers"
    );
    assert!(
        first == second,
        "{engine:?}: the round trip changed the export"
    );
}

both_engines!(an_export_can_be_written_to_a_file_and_read_from_standard_input);
async fn an_export_can_be_written_to_a_file_and_read_from_standard_input(engine: Engine) {
    let source = TestDb::new(engine, Dataset::Empty).await;
    admin_ok(&source, &["generate", "--films", "30", "--seed", "2"]);
    let file = source.dir.path().join("out.ndjson");
    let exported = admin(&source, &["export", "--output", file.to_str().unwrap()]);
    assert!(exported.status.success(), "{exported:?}");
    assert!(exported.stdout.is_empty(), "results went to the file");
    // No progress bar when stderr is not a terminal: only the status line.
    let status = String::from_utf8_lossy(&exported.stderr);
    assert_eq!(status.lines().count(), 1, "{status}");
    assert!(status.starts_with("Exported 30 films in "), "{status}");

    let target = TestDb::new(engine, Dataset::Empty).await;
    let output = Command::new(binary("stinger-admin"))
        .env_clear()
        .env("DATABASE_URL", &target.url)
        .args(["import", "stinger", "-"])
        .stdin(std::fs::File::open(&file).unwrap())
        .output()
        .unwrap();

    assert!(output.status.success(), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stdout).starts_with("Imported 30 films"),
        "{output:?}"
    );
    assert_eq!(export(&target), std::fs::read_to_string(&file).unwrap());
}

/// The export of `films` films generated from `seed` into a new database on `engine`.
async fn generated(engine: Engine, films: &str, seed: &str) -> String {
    let db = TestDb::new(engine, Dataset::Empty).await;
    admin_ok(&db, &["generate", "--films", films, "--seed", seed]);
    export(&db)
}

both_engines!(the_same_seed_generates_the_same_films_and_another_seed_does_not);
async fn the_same_seed_generates_the_same_films_and_another_seed_does_not(engine: Engine) {
    let mut exports = Vec::new();
    for seed in ["5", "5", "6"] {
        exports.push(generated(engine, "150", seed).await);
    }
    assert_eq!(exports[0].lines().count(), 150);
    assert!(
        exports[0] == exports[1],
        "{engine:?}: same seed, other data"
    );
    assert!(
        exports[0] != exports[2],
        "{engine:?}: another seed, same data"
    );
    if engine == Engine::Postgres {
        // Compared with SQLite here, so each engine's own run stays independent.
        assert!(
            exports[0] == generated(Engine::Sqlite, "150", "5").await,
            "SQLite and PostgreSQL export the same films alike"
        );
    }
}

both_engines!(json_outputs_parse_as_json);
async fn json_outputs_parse_as_json(engine: Engine) {
    let db = TestDb::blank(engine).await;
    let outputs = [
        admin_ok(&db, &["migrate", "--json"]),
        admin_ok(
            &db,
            &[
                "generate",
                "--films",
                "10",
                "--seed",
                "1",
                "--dry-run",
                "--json",
            ],
        ),
        admin_ok(&db, &["generate", "--films", "10", "--seed", "1", "--json"]),
        admin_ok(&db, &["import", "demo", "--json"]),
    ];
    for output in outputs {
        let value: Value = serde_json::from_str(&output)
            .unwrap_or_else(|e| panic!("{engine:?}: not JSON ({e}): {output}"));
        assert!(value.is_object());
    }
}

both_engines!(a_dry_run_writes_nothing);
async fn a_dry_run_writes_nothing(engine: Engine) {
    let db = TestDb::new(engine, Dataset::Empty).await;
    let summary = admin_ok(
        &db,
        &[
            "generate",
            "--films",
            "25",
            "--seed",
            "3",
            "--dry-run",
            "--json",
        ],
    );
    let summary: Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(summary["films"], 25);
    assert_eq!(export(&db), "");
}

both_engines!(a_malformed_line_fails_naming_the_line_and_imports_nothing);
async fn a_malformed_line_fails_naming_the_line_and_imports_nothing(engine: Engine) {
    // Arrange: two good lines, then a bad one.
    let source = TestDb::new(engine, Dataset::Empty).await;
    admin_ok(&source, &["generate", "--films", "2", "--seed", "9"]);
    let mut input = export(&source);
    input.push_str("{\"slug\":\"broken\",\"title\":\"Broken\",\"runtime_minutes\":\"long\"}\n");
    let file = source.dir.path().join("bad.ndjson");
    std::fs::write(&file, input).unwrap();

    // Act
    let target = TestDb::new(engine, Dataset::Empty).await;
    let output = admin(&target, &["import", "stinger", file.to_str().unwrap()]);

    // Assert
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("line 3"), "{stderr}");
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one-line error: {stderr}");
    assert_eq!(export(&target), "", "nothing was written");
}

#[tokio::test]
async fn a_missing_file_fails_with_a_message_saying_what_to_do() {
    let db = TestDb::blank(Engine::Sqlite).await;
    let missing = db.dir.path().join("missing.ndjson");
    let output = admin(&db, &["import", "stinger", missing.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("missing.ndjson"), "{stderr}");
    assert!(stderr.contains("check the path"), "{stderr}");
    assert!(!Path::new(&missing).exists());
}

#[tokio::test]
async fn an_unknown_flag_is_a_usage_error() {
    let db = TestDb::blank(Engine::Sqlite).await;
    for args in [
        &["export", "--no-such-flag"][..],
        &["generate", "--seed", "1"][..],
        &["import", "stinger"][..],
    ] {
        let output = admin(&db, args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
    }
}

#[tokio::test]
async fn help_shows_examples() {
    let db = TestDb::blank(Engine::Sqlite).await;
    for command in ["export", "generate", "migrate"] {
        let help = admin_ok(&db, &[command, "--help"]);
        assert!(help.contains("Examples:"), "{command}: {help}");
    }
    let help = admin_ok(&db, &["import", "stinger", "--help"]);
    assert!(help.contains("Examples:"), "{help}");
}
