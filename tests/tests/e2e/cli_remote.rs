//! The real `stinger-admin` binary's remote commands against a spawned server, on both engines:
//! the whole review story from the terminal, `--json` outputs, and the documented exit codes.

use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Output, Stdio};
use stinger_tests::process::binary;
use stinger_tests::{Dataset, Engine, TEST_PASSWORD, TestApp, both_engines, spawn_app};
use tempfile::TempDir;

/// A terminal session: one config directory (where the login is kept) and one server.
struct Terminal<'a> {
    app: &'a TestApp,
    config: TempDir,
    server: String,
}

impl<'a> Terminal<'a> {
    fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            config: tempfile::tempdir().unwrap(),
            server: app.url(""),
        }
    }

    /// Runs `stinger-admin ARGS`, feeding `stdin`.
    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = Command::new(binary("stinger-admin"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("STINGER_CONFIG_DIR", self.config.path())
            .env("STINGER_SERVER", &self.server)
            .env("DATABASE_URL", &self.app.test_db.url)
            .env("NO_COLOR", "1")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("stinger-admin runs");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    /// Runs and requires success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args, "");
        assert!(
            output.status.success(),
            "stinger-admin {args:?} failed ({:?}): {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs and returns the exit code and stderr.
    fn fails(&self, args: &[&str], stdin: &str) -> (i32, String) {
        let output = self.run(args, stdin);
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    fn login(&self, username: &str) {
        let output = self.run(
            &["login", "--username", username, "--password-stdin"],
            &format!("{TEST_PASSWORD}\n"),
        );
        assert!(
            output.status.success(),
            "login failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        serde_json::from_str(&self.ok(&args))
            .unwrap_or_else(|e| panic!("{args:?} printed no JSON: {e}"))
    }
}

// Multi-threaded: the CLI runs as a blocking child process while the server answers it.
both_engines!(
    the_review_story_runs_from_the_terminal_on_every_engine,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn the_review_story_runs_from_the_terminal_on_every_engine(engine: Engine) {
    let app = spawn_app(engine, Dataset::MButterfly).await;
    let editor = Terminal::new(&app);
    let admin = Terminal::new(&app);

    // Accounts are created locally, straight on the database.
    for (name, role) in [("ada", "admin"), ("eddie", "editor")] {
        let output = editor.run(
            &[
                "users",
                "create",
                "--username",
                name,
                "--role",
                role,
                "--password-stdin",
                "--json",
            ],
            &format!("{TEST_PASSWORD}\n"),
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let created: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(created["username"], name);
    }
    let users = admin.json(&["users", "list"]);
    assert_eq!(users.as_array().unwrap().len(), 2);

    editor.login("eddie");
    admin.login("ada");
    assert_eq!(editor.json(&["whoami"])["username"], "eddie");
    let credentials = editor.config.path().join("credentials.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&credentials)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the stored login is readable by its owner only"
        );
    }

    // The editor proposes the two corrections of the fact sheet.
    let data = app
        .data(
            "{ film(slug: \"m-butterfly-1993\") { scores { id source kind } } }",
            json!({}),
        )
        .await;
    let audience = data["film"]["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "ROTTEN_TOMATOES" && s["kind"] == "AUDIENCE")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let synopsis = editor.json(&[
        "submit",
        "film",
        "m-butterfly-1993",
        "--set",
        "synopsis=In 1964 Beijing, a French diplomat falls for a Peking Opera star.",
        "--reason",
        "The story starts in 1964, as the plot and the trivia say",
    ]);
    let synopsis_edit = synopsis["edit"]["number"].as_i64().unwrap().to_string();
    // TOML has no null: an unknown value is proposed from a JSON file instead.
    let file = editor.config.path().join("score.json");
    std::fs::write(
        &file,
        json!({"kind": "score", "target": audience, "reason": "0% is a missing value shown as zero", "set": {"value": null}})
            .to_string(),
    )
    .unwrap();
    let score = editor.json(&["submit", "--file", file.to_str().unwrap()]);
    let score_edit = score["edit"]["number"].as_i64().unwrap().to_string();

    // The admin reviews them.
    let pending = admin.json(&["edits", "list", "--status", "pending"]);
    assert_eq!(pending.as_array().unwrap().len(), 2);
    let shown = admin.json(&["edits", "show", &format!("#{score_edit}")]);
    assert_eq!(shown["changes"][0]["field"], "value");
    assert_eq!(shown["changes"][0]["to"], Value::Null);
    let table = admin.ok(&["edits", "list"]);
    assert!(
        table.contains("PENDING") && table.contains("eddie"),
        "{table}"
    );

    let (code, message) = editor.fails(&["edits", "approve", &score_edit], "");
    assert_eq!(code, 4, "an editor may not approve: {message}");
    admin.ok(&[
        "edits",
        "approve",
        &score_edit,
        "--note",
        "Rotten Tomatoes shows no audience score",
    ]);
    admin.ok(&[
        "edits",
        "reject",
        &synopsis_edit,
        "--note",
        "Keep the page's wording until we have a source",
    ]);
    let (code, message) = admin.fails(&["edits", "approve", &score_edit], "");
    assert_eq!(code, 5, "an edit is not applied twice: {message}");
    assert!(message.contains("not pending"), "{message}");

    // The public read shows exactly the approved change.
    let data = app
        .data(
            "{ film(slug: \"m-butterfly-1993\") { synopsis scores { source kind value } } }",
            json!({}),
        )
        .await;
    assert!(data["film"]["synopsis"].as_str().unwrap().contains("1980s"));
    let value = data["film"]["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "ROTTEN_TOMATOES" && s["kind"] == "AUDIENCE")
        .unwrap()["value"]
        .clone();
    assert_eq!(value, Value::Null);

    // History, and a revert of the latest film revision.
    let tagline = editor.json(&[
        "submit",
        "film",
        "m-butterfly-1993",
        "--set",
        "tagline=Desire has no boundaries",
        "--reason",
        "On the poster",
    ]);
    let tagline_edit = tagline["edit"]["number"].as_i64().unwrap().to_string();
    admin.ok(&["edits", "approve", &tagline_edit]);
    let history = admin.json(&["history", "m-butterfly-1993"]);
    assert_eq!(
        history[0]["diff"][0]["after"], "Desire has no boundaries",
        "{history}"
    );
    assert!(!history.as_array().unwrap().is_empty());
    let revision = history[0]["id"].as_str().unwrap().to_owned();
    let reverted = admin.json(&["revert", &revision, "--reason", "Testing the revert path"]);
    assert!(reverted["edit"]["number"].is_number(), "{reverted}");
    let data = app
        .data(
            "{ film(slug: \"m-butterfly-1993\") { tagline } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["film"]["tagline"],
        Value::Null,
        "the revert restored the earlier value"
    );

    // People and companies have histories too.
    let person = admin.json(&["history", "david-cronenberg"]);
    assert_eq!(person[0]["targetType"], "PERSON", "{person}");
    let company = admin.json(&["history", "warner-bros"]);
    assert_eq!(company[0]["targetType"], "COMPANY", "{company}");
    let (code, _) = admin.fails(&["history", "no-such-slug"], "");
    assert_eq!(code, 3, "unknown slug → not found");

    // Failures and their exit codes.
    let (code, _) = admin.fails(&["edits", "show", "99999"], "");
    assert_eq!(code, 3, "unknown edit → not found");
    let (code, message) = Terminal::new(&app).fails(&["edits", "list"], "");
    assert_eq!(code, 6, "not logged in: {message}");
    assert!(message.contains("stinger-admin login"), "{message}");
    let (code, message) = editor.fails(
        &["login", "--username", "eddie", "--password-stdin"],
        "wrong password!!!\n",
    );
    assert_eq!(code, 6, "wrong password: {message}");
    let bad = editor.config.path().join("bad.json");
    std::fs::write(&bad, "{ not json").unwrap();
    let (code, message) = admin.fails(&["submit", "--file", bad.to_str().unwrap()], "");
    assert_eq!(code, 1, "{message}");
    assert!(message.contains("not a valid edit file"), "{message}");
    let (code, _) = admin.fails(&["edits", "frobnicate"], "");
    assert_eq!(code, 2, "usage error");
    let mut down = Terminal::new(&app);
    down.server = "http://127.0.0.1:9".to_owned();
    let (code, message) = down.fails(&["whoami"], "");
    assert_eq!(code, 6, "no login for that server: {message}");
    let (code, message) = down.fails(&["history", "m-butterfly-1993"], "");
    assert_eq!(code, 7, "server down: {message}");
    assert!(message.contains("cannot reach"), "{message}");

    // Logout forgets the login.
    editor.ok(&["logout"]);
    let (code, _) = editor.fails(&["whoami"], "");
    assert_eq!(code, 6);
}

// Multi-threaded: the CLI runs as a blocking child process while the server answers it.
both_engines!(
    logins_refresh_themselves_expire_clearly_and_watch_follows_events_on_every_engine,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn logins_refresh_themselves_expire_clearly_and_watch_follows_events_on_every_engine(
    engine: Engine,
) {
    // Access tokens that live one second: every command must refresh first.
    let app = stinger_tests::spawn_app_with(engine, Dataset::MButterfly, |c| {
        c.access_token_ttl = std::time::Duration::from_secs(1)
    })
    .await;
    app.user_token("ada", entity::Role::Admin).await;
    app.user_token("eddie", entity::Role::Editor).await;
    let admin = Terminal::new(&app);
    admin.login("ada");
    let stored = || std::fs::read_to_string(admin.config.path().join("credentials.json")).unwrap();
    let before = stored();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(
        admin.json(&["whoami"])["username"],
        "ada",
        "{engine:?}: refreshed transparently"
    );
    assert_ne!(stored(), before, "{engine:?}: the rotated tokens were kept");

    // `edits watch` prints events as they happen.
    let mut watch = Command::new(binary("stinger-admin"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("STINGER_CONFIG_DIR", admin.config.path())
        .env("STINGER_SERVER", &admin.server)
        .args(["edits", "watch", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = watch.stdout.take().unwrap();
    let (lines, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = lines.send(line);
        }
    });
    let film = app
        .data("{ film(slug: \"m-butterfly-1993\") { id } }", json!({}))
        .await["film"]["id"]
        .clone();
    let mut event = None;
    for _ in 0..20 {
        // The watcher may still be connecting: propose until it reports one (with a fresh
        // token each time, as they live one second).
        let token = app.login("eddie", TEST_PASSWORD).await["accessToken"]
            .as_str()
            .unwrap()
            .to_owned();
        app.data_as(
            &token,
            "mutation($input: ProposeEditInput!) { proposeEdit(input: $input) { edit { number } } }",
            json!({"input": {"operation": "UPDATE", "targetId": film, "reason": "watch test",
                              "changes": {"film": {"tagline": "Watched"}}}}),
        )
        .await;
        if let Ok(line) = received.recv_timeout(std::time::Duration::from_millis(500)) {
            event = Some(line);
            break;
        }
    }
    watch.kill().ok();
    watch.wait().ok();
    let event: Value = serde_json::from_str(&event.expect("edits watch printed an event")).unwrap();
    assert_eq!(event["status"], "PENDING", "{engine:?}: {event}");

    // A login whose refresh token no longer works says so, with its exit code.
    let path = admin.config.path().join("credentials.json");
    let mut credentials: Value = serde_json::from_str(&stored()).unwrap();
    for session in credentials["servers"].as_object_mut().unwrap().values_mut() {
        session["refresh_token"] = json!("revoked-or-forged");
    }
    std::fs::write(&path, credentials.to_string()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (code, message) = admin.fails(&["edits", "list"], "");
    assert_eq!(code, 6, "{engine:?}: expired login: {message}");
    assert!(message.contains("stinger-admin login"), "{message}");
}
