//! The real `stinger-admin` binary's local commands (export, import stinger, generate, migrate)
//! on both engines: round trips, determinism, JSON output, and how it fails.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};
use stinger_tests::process::{binary, run_with_stdin};
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
    // No progress bar when stderr is not a terminal: the database used, then the status line.
    let status = String::from_utf8_lossy(&exported.stderr);
    assert_eq!(status.lines().count(), 2, "{status}");
    assert!(status.starts_with("Using database: "), "{status}");
    assert!(
        status
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("Exported 30 films in "),
        "{status}"
    );

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
    let error: Vec<&str> = stderr
        .trim()
        .lines()
        .filter(|l| !l.starts_with("Using database: "))
        .collect();
    assert_eq!(
        error.len(),
        1,
        "one-line error after the database used: {stderr}"
    );
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

/// `stinger-admin ARGS` on the embedded database in `data_dir` (no DATABASE_URL), feeding
/// `stdin`.
fn embedded(data_dir: &Path, args: &[&str], stdin: &str) -> Output {
    run_with_stdin(
        Command::new(binary("stinger-admin"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("STINGER_DATA_DIR", data_dir)
            .args(args),
        stdin,
    )
}

const PASSWORD: &str = "a long enough password\n";

#[tokio::test]
async fn local_commands_name_their_database_and_start_one_only_when_asked() {
    // Arrange: a folder where the server never ran.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = data.join("stinger.db");
    let create_ada = [
        "users",
        "create",
        "--username",
        "ada",
        "--role",
        "admin",
        "--password-stdin",
    ];

    // Act and assert: no database is started unasked, whatever the command.
    for (args, stdin) in [(&create_ada[..], PASSWORD), (&["users", "list"][..], "")] {
        let output = embedded(&data, args, stdin);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(stderr.contains("no Stinger database at"), "{stderr}");
        assert!(stderr.contains(&file.display().to_string()), "{stderr}");
        assert!(stderr.contains("--create"), "{stderr}");
        assert!(!file.exists(), "{args:?} created {}", file.display());
    }
    // A refused password is refused before the database is touched.
    let output = embedded(&data, &create_ada, "short\n");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("at least 15 bytes"), "{stderr}");

    // `migrate` starts one, and every local command says which database it uses.
    let output = embedded(&data, &["migrate"], "");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("database: SQLite {}", file.display())),
        "{stderr}"
    );
    assert!(file.exists());
    let output = embedded(&data, &create_ada, PASSWORD);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("Using database: SQLite {}", file.display())),
        "{stderr}"
    );

    // `--create` starts one where asked.
    let other = dir.path().join("elsewhere");
    let mut args = create_ada.to_vec();
    args.push("--create");
    let output = embedded(&other, &args, PASSWORD);
    assert!(output.status.success(), "{output:?}");
    assert!(other.join("stinger.db").exists());
}

both_engines!(local_commands_name_the_database_without_its_password);
async fn local_commands_name_the_database_without_its_password(engine: Engine) {
    let db = TestDb::new(engine, Dataset::Empty).await;
    let output = admin(&db, &["users", "list"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("Using database: "),
        "{engine:?}: {stderr}"
    );
    match engine {
        Engine::Sqlite => assert!(first.contains("test.db"), "{first}"),
        Engine::Postgres => assert!(first.contains("postgres://"), "{first}"),
    }
}

#[tokio::test]
async fn local_account_commands_answer_mistakes_with_their_exit_codes() {
    let db = TestDb::new(Engine::Sqlite, Dataset::Empty).await;
    let create = |name: &str, role: &str| {
        let output = run_with_stdin(
            Command::new(binary("stinger-admin"))
                .env_clear()
                .env("DATABASE_URL", &db.url)
                .args([
                    "users",
                    "create",
                    "--username",
                    name,
                    "--role",
                    role,
                    "--password-stdin",
                ]),
            PASSWORD,
        );
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    assert_eq!(create("ada", "admin").0, Some(0));
    let (code, message) = create("Ada", "admin");
    assert_eq!(code, Some(5), "a taken username: {message}");
    assert!(message.contains("already an account"), "{message}");
    let (code, message) = create("bob", "boss");
    assert_eq!(code, Some(2), "{message}");
    assert!(
        message.contains("editor") && message.contains("admin"),
        "{message}"
    );
    let output = admin(&db, &["users", "disable", "nobody"]);
    assert_eq!(output.status.code(), Some(3), "{output:?}");
    admin_ok(&db, &["users", "disable", "ada"]);
    let output = admin(&db, &["users", "disable", "ada"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("already disabled"), "{stderr}");
}

/// Runs `stinger-admin ARGS` in a pseudo-terminal (util-linux `script`), typing `keys`; returns
/// whether it succeeded and what the terminal showed.
fn in_terminal(data_dir: &Path, args: &str, keys: &str) -> (bool, String) {
    use std::io::Write;
    let command = format!("{} {args}", binary("stinger-admin").display());
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("STINGER_DATA_DIR", data_dir)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs");
    let mut stdin = child.stdin.take().unwrap();
    for line in keys.lines() {
        // One line per prompt, as a person types them.
        std::thread::sleep(std::time::Duration::from_millis(300));
        stdin.write_all(format!("{line}\r").as_bytes()).unwrap();
        stdin.flush().unwrap();
    }
    let output = child.wait_with_output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[tokio::test]
async fn the_password_prompt_states_the_minimum_and_asks_twice() {
    let dir = tempfile::tempdir().unwrap();
    let args = "users create --username ada --role admin --create";
    let (ok, screen) = in_terminal(
        dir.path(),
        args,
        "a long enough password\nanother long password\n",
    );
    assert!(!ok, "{screen}");
    assert!(screen.contains("at least 15 bytes"), "{screen}");
    assert!(screen.contains("Repeat the password"), "{screen}");
    assert!(screen.contains("differ"), "{screen}");
    assert!(
        !dir.path().join("stinger.db").exists(),
        "nothing was written"
    );

    let (ok, screen) = in_terminal(
        dir.path(),
        args,
        "a long enough password\na long enough password\n",
    );
    assert!(ok, "{screen}");
    assert!(screen.contains("Created ada"), "{screen}");
}
