//! The real `stinger-admin` binary's remote commands against a spawned server, on both engines:
//! the whole review story from the terminal, `--json` outputs, and the documented exit codes.

use serde_json::{Value, json};
use std::process::{Command, Output, Stdio};
use stinger_tests::process::{binary, run_with_stdin};
use stinger_tests::{
    Dataset, Engine, TEST_PASSWORD, TestApp, both_engines, spawn_app, spawn_app_with,
};
use tempfile::TempDir;

/// A terminal session: one config directory (where the login is kept, per server), one server
/// and one database (for the local commands).
pub(crate) struct Terminal<'a> {
    database_url: &'a str,
    pub(crate) config: TempDir,
    pub(crate) server: String,
}

impl<'a> Terminal<'a> {
    fn new(app: &'a TestApp) -> Self {
        Self::at(&app.url(""), &app.test_db.url)
    }

    /// A session talking to the server at `server` (`http://host:port`), local commands on
    /// `database_url`.
    pub(crate) fn at(server: &str, database_url: &'a str) -> Self {
        Self {
            database_url,
            config: tempfile::tempdir().unwrap(),
            server: server.to_owned(),
        }
    }

    /// Runs `stinger-admin ARGS`, feeding `stdin`.
    pub(crate) fn run(&self, args: &[&str], stdin: &str) -> Output {
        self.run_env(args, stdin, &[("NO_COLOR", "1")])
    }

    /// Runs `stinger-admin ARGS` with the extra environment `env`, feeding `stdin`.
    fn run_env(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
        run_with_stdin(
            Command::new(binary("stinger-admin"))
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .env("STINGER_CONFIG_DIR", self.config.path())
                .env("STINGER_SERVER", &self.server)
                .env("DATABASE_URL", self.database_url)
                .envs(env.iter().copied())
                .args(args),
            stdin,
        )
    }

    /// Runs and requires success; returns stdout.
    pub(crate) fn ok(&self, args: &[&str]) -> String {
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

    /// Logs `username` in to this session's server (each server keeps its own login).
    pub(crate) fn login(&self, username: &str) {
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

    /// Runs with `--json`, requiring success; returns the parsed output.
    pub(crate) fn json(&self, args: &[&str]) -> Value {
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

/// The audience score Rotten Tomatoes shows as 0% for M. Butterfly, as `show film --json` lists it.
fn audience_score_id(terminal: &Terminal) -> String {
    let film = terminal.json(&["show", "film", "m-butterfly-1993"]);
    film["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "ROTTEN_TOMATOES" && s["kind"] == "AUDIENCE")
        .unwrap_or_else(|| panic!("no audience score in {film}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn number_of(proposed: &Value) -> String {
    proposed["edit"]["number"]
        .as_i64()
        .unwrap_or_else(|| panic!("no edit number in {proposed}"))
        .to_string()
}

// Multi-threaded: the CLI runs as a blocking child process while the server answers it.
both_engines!(
    the_cli_names_what_edits_are_about_and_takes_names,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn the_cli_names_what_edits_are_about_and_takes_names(engine: Engine) {
    // Arrange: an admin and an editor, logged in side by side in one config directory.
    let app = spawn_app(engine, Dataset::MButterfly).await;
    app.user_token("ada", entity::Role::Admin).await;
    app.user_token("eddie", entity::Role::Editor).await;
    let admin = Terminal::new(&app);
    admin.login("ada");
    let output = admin.run(
        &[
            "login",
            "--username",
            "eddie",
            "--password-stdin",
            "--profile",
            "eddie",
        ],
        &format!("{TEST_PASSWORD}\n"),
    );
    assert!(output.status.success(), "{output:?}");
    assert_eq!(admin.json(&["whoami"])["username"], "ada", "{engine:?}");
    assert_eq!(
        admin.json(&["whoami", "--profile", "eddie"])["username"],
        "eddie",
        "{engine:?}: the second login sits beside the first"
    );
    let as_eddie = |args: &[&str]| {
        let mut args = args.to_vec();
        args.extend(["--profile", "eddie"]);
        admin.json(&args)
    };

    // `search` and `show film` give the slugs and ids edits take.
    let found = admin.ok(&["search", "butterfly"]);
    assert!(found.contains("m-butterfly-1993"), "{found}");
    let shown = admin.ok(&["show", "film", "m-butterfly-1993"]);
    for expected in [
        "Scores",
        "Credits",
        "Trivia",
        "Jeremy Irons",
        "as René Gallimard",
    ] {
        assert!(
            shown.contains(expected),
            "{engine:?}: {expected:?} in {shown}"
        );
    }
    let audience = audience_score_id(&admin);
    assert!(
        shown.contains(&audience),
        "the score's id is listed: {shown}"
    );

    // Act: proposals naming a score by id and a new trivia's film by slug.
    let score = as_eddie(&[
        "submit",
        "score",
        &audience,
        "--set",
        "value:=null",
        "--reason",
        "0% is a missing value shown as zero",
    ]);
    let score_edit = number_of(&score);
    let trivia = as_eddie(&[
        "submit",
        "trivia",
        "--create",
        "--set",
        "filmId=m-butterfly-1993",
        "--set",
        "question=Which opera gives the film its title?",
        "--set",
        "answer=Madama Butterfly",
        "--reason",
        "The title's source",
    ]);
    let tagline = as_eddie(&[
        "submit",
        "film",
        "m-butterfly-1993",
        "--set",
        "tagline=Desire has no boundaries",
        "--reason",
        "On the poster",
    ]);

    // Assert: the table, `show` and --json say what each edit is about.
    let label = "M. Butterfly (1993) · Rotten Tomatoes audience score";
    assert_eq!(score["edit"]["targetLabel"], label, "{engine:?}: {score}");
    assert_eq!(
        trivia["edit"]["targetLabel"],
        "M. Butterfly (1993) · trivia: Which opera gives the film its title?",
        "{engine:?}: a creation is named from its proposed values"
    );
    let table = admin.ok(&["edits", "list"]);
    assert!(table.contains(label), "{engine:?}: {table}");
    assert!(
        !table.contains("U2NvcmU"),
        "no raw ids in the table: {table}"
    );
    let text = admin.ok(&["edits", "show", &score_edit]);
    assert!(text.contains(label), "{engine:?}: {text}");
    assert_eq!(
        admin.json(&["edits", "show", &score_edit])["targetLabel"],
        label
    );
    let by_eddie = admin.json(&["edits", "list", "--author", "eddie"]);
    assert_eq!(by_eddie.as_array().unwrap().len(), 3, "{by_eddie}");
    let scores = admin.json(&["edits", "list", "--target", "score"]);
    assert_eq!(scores.as_array().unwrap().len(), 1, "{scores}");

    // `current` tells "now null" (the tagline is empty) from "not reported" (once reviewed).
    let pending = admin.json(&["edits", "show", &number_of(&tagline)]);
    assert_eq!(pending["changes"][0]["current"], Value::Null, "{pending}");
    assert_eq!(pending["changes"][0]["hasCurrent"], true, "{pending}");
    let pending = admin.json(&["edits", "show", &score_edit]);
    assert_eq!(pending["changes"][0]["current"], json!(0.0), "{pending}");

    let approved = admin.ok(&["edits", "approve", &score_edit]);
    assert_eq!(
        approved.trim(),
        format!("Approved edit #{score_edit}: {label}"),
        "{engine:?}"
    );
    let reviewed = admin.json(&["edits", "show", &score_edit]);
    assert_eq!(reviewed["changes"][0]["hasCurrent"], false, "{reviewed}");
    assert_eq!(reviewed["changes"][0]["current"], Value::Null, "{reviewed}");
}

// Multi-threaded: the CLI runs as a blocking child process while the server answers it.
both_engines!(
    a_films_history_shows_its_parts_word_diffs_and_revision_numbers,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn a_films_history_shows_its_parts_word_diffs_and_revision_numbers(engine: Engine) {
    // Arrange: approved changes to the film's synopsis (long text) and to one of its scores.
    let app = spawn_app(engine, Dataset::MButterfly).await;
    app.user_token("ada", entity::Role::Admin).await;
    app.user_token("eddie", entity::Role::Editor).await;
    let (admin, editor) = (Terminal::new(&app), Terminal::new(&app));
    admin.login("ada");
    editor.login("eddie");
    let synopsis = app
        .data(
            "{ film(slug: \"m-butterfly-1993\") { synopsis } }",
            json!({}),
        )
        .await["film"]["synopsis"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        synopsis.contains("1980s") && synopsis.len() > 80,
        "{synopsis}"
    );
    let corrected = synopsis.replace("1980s", "1964");
    let audience = audience_score_id(&admin);
    for args in [
        vec![
            "submit".to_owned(),
            "film".to_owned(),
            "m-butterfly-1993".to_owned(),
            "--set".to_owned(),
            format!("synopsis={corrected}"),
        ],
        vec![
            "submit".to_owned(),
            "score".to_owned(),
            audience.clone(),
            "--set".to_owned(),
            "value:=null".to_owned(),
        ],
    ] {
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        args.extend(["--reason", "The page is wrong"]);
        let edit = number_of(&editor.json(&args));
        admin.ok(&["edits", "approve", &edit]);
    }

    // Act
    let history = admin.ok(&["history", "m-butterfly-1993"]);
    let revisions = admin.json(&["history", "m-butterfly-1993"]);

    // Assert: the score's change is in the film's history, named; long text as a word diff.
    assert!(
        history.contains("M. Butterfly (1993) · Rotten Tomatoes audience score"),
        "{engine:?}: {history}"
    );
    assert!(
        history.contains("value: 0.0 → ∅") || history.contains("value: 0 → ∅"),
        "{history}"
    );
    let diff = history
        .lines()
        .find(|l| l.contains("[-1980s-]{+1964+}"))
        .unwrap_or_else(|| panic!("{engine:?}: no word diff in {history}"));
    assert_eq!(
        diff.matches("Peking Opera").count(),
        1,
        "the unchanged words once, not both versions whole: {diff}"
    );
    assert!(
        !history.lines().any(|l| l.trim_end().ends_with("∅ → ∅")),
        "no line says nothing changed: {history}"
    );
    assert_eq!(revisions[0]["targetType"], "SCORE", "{revisions}");
    assert_eq!(revisions[1]["targetType"], "FILM", "{revisions}");

    // Revert takes the number the history prints.
    let number = revisions[0]["number"].as_i64().unwrap().to_string();
    assert!(history.contains(&format!("revision {number}")), "{history}");
    let reverted = admin.ok(&["revert", &number, "--reason", "Testing a revert by number"]);
    assert!(
        reverted.contains(&format!("Reverted revision {number}")),
        "{reverted}"
    );
    let film = admin.json(&["show", "film", "m-butterfly-1993"]);
    let value = film["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == audience.as_str())
        .unwrap()["value"]
        .clone();
    assert_eq!(value, json!(0.0), "{engine:?}: the revert restored 0");
}

// Multi-threaded: the CLI runs as a blocking child process while the server answers it.
both_engines!(
    times_are_local_on_a_terminal_rfc3339_in_json_and_piped_output_is_whole,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn times_are_local_on_a_terminal_rfc3339_in_json_and_piped_output_is_whole(engine: Engine) {
    let app = spawn_app(engine, Dataset::MButterfly).await;
    app.user_token("eddie", entity::Role::Editor).await;
    let editor = Terminal::new(&app);
    editor.login("eddie");
    let reason = "A reason long enough to be cut by any terminal: ".repeat(4);
    let proposed = editor.json(&[
        "submit",
        "film",
        "m-butterfly-1993",
        "--set",
        "tagline=Desire has no boundaries",
        "--reason",
        reason.trim(),
    ]);
    let number = number_of(&proposed);

    // --json: RFC 3339.
    let created = proposed["edit"]["createdAt"].as_str().unwrap().to_owned();
    let at = chrono::DateTime::parse_from_rfc3339(&created)
        .unwrap_or_else(|e| panic!("{created:?} is not RFC 3339: {e}"));

    // Text: local time, in the zone TZ names; no colour codes even without NO_COLOR.
    let output = editor.run_env(&["edits", "show", &number], "", &[("TZ", "JST-9")]);
    let text = String::from_utf8(output.stdout).unwrap();
    let local = at
        .with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).unwrap())
        .format("%Y-%m-%d %H:%M +09:00")
        .to_string();
    assert!(text.contains(&local), "{engine:?}: {local} in {text}");
    assert!(
        !text.contains('\u{1b}'),
        "no escape codes when piped: {text:?}"
    );

    // Piped output is never cut to a width.
    let table = editor.ok(&["edits", "list"]);
    assert!(table.contains(reason.trim()), "{table}");
    assert!(!table.contains('…'), "{table}");
}

/// The exit codes `stinger-admin --help` documents.
/// A lock another session holds: on PostgreSQL the M. Butterfly row (`FOR UPDATE`), on SQLite
/// the database's write lock (`BEGIN IMMEDIATE`).
enum HeldLock {
    Sqlite(sea_orm::sqlx::SqliteConnection),
    Postgres(sea_orm::sqlx::PgConnection),
}

async fn hold_film_lock(db: &stinger_tests::TestDb) -> HeldLock {
    use sea_orm::sqlx::{self, Connection};
    match db.engine {
        Engine::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
            sqlx::raw_sql("BEGIN IMMEDIATE")
                .execute(&mut conn)
                .await
                .unwrap();
            HeldLock::Sqlite(conn)
        }
        Engine::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
            sqlx::raw_sql("BEGIN; SELECT id FROM film WHERE slug = 'm-butterfly-1993' FOR UPDATE")
                .execute(&mut conn)
                .await
                .unwrap();
            HeldLock::Postgres(conn)
        }
    }
}

async fn release(lock: HeldLock) {
    use sea_orm::sqlx::{self, Connection};
    match lock {
        HeldLock::Sqlite(mut conn) => {
            sqlx::raw_sql("ROLLBACK").execute(&mut conn).await.unwrap();
            conn.close().await.unwrap();
        }
        HeldLock::Postgres(mut conn) => {
            sqlx::raw_sql("ROLLBACK").execute(&mut conn).await.unwrap();
            conn.close().await.unwrap();
        }
    }
}

fn documented_exit_codes(help: &str) -> std::collections::BTreeSet<i32> {
    let (_, codes) = help
        .split_once("Exit codes:")
        .unwrap_or_else(|| panic!("--help documents no exit codes: {help}"));
    codes
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|word| word.len() == 1)
        .filter_map(|word| word.parse().ok())
        .collect()
}

// Multi-threaded: the CLI runs as a blocking child process while the server answers it.
both_engines!(
    every_documented_exit_code_means_what_the_help_says,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn every_documented_exit_code_means_what_the_help_says(engine: Engine) {
    // Short waits for a lock, so that "busy" comes quickly.
    let app = spawn_app_with(engine, Dataset::MButterfly, |config| {
        config.database.timeouts.lock = std::time::Duration::from_millis(300);
        config.database.timeouts.sqlite_busy = std::time::Duration::from_millis(300);
    })
    .await;
    app.user_token("ada", entity::Role::Admin).await;
    app.user_token("eddie", entity::Role::Editor).await;
    let (admin, editor) = (Terminal::new(&app), Terminal::new(&app));
    admin.login("ada");
    editor.login("eddie");
    let documented = documented_exit_codes(&admin.ok(&["--help"]));
    let mut seen = std::collections::BTreeSet::new();
    let mut expect = |terminal: &Terminal, args: &[&str], stdin: &str, code: i32, says: &[&str]| {
        let (got, message) = terminal.fails(args, stdin);
        assert_eq!(got, code, "{engine:?}: {args:?} exits {code}: {message}");
        for words in says {
            assert!(message.contains(words), "{args:?}: {words:?} in {message}");
        }
        assert!(
            message.trim().lines().count() <= 6,
            "{args:?}: a short message: {message}"
        );
        seen.insert(code);
    };

    // 0: ok.
    expect(&admin, &["whoami"], "", 0, &[]);
    // 1: any other failure.
    let bad = admin.config.path().join("bad.json");
    std::fs::write(&bad, "{ not json").unwrap();
    expect(
        &admin,
        &["submit", "--file", bad.to_str().unwrap()],
        "",
        1,
        &["not a valid edit file"],
    );
    // 2: usage, from clap (with the valid values) and from the fields the server describes.
    expect(
        &admin,
        &["edits", "list", "--status", "open"],
        "",
        2,
        &["pending", "approved", "rejected", "withdrawn", "conflicted"],
    );
    expect(
        &admin,
        &["edits", "list", "--target", "movie"],
        "",
        2,
        &["credit-scene", "film-company"],
    );
    let submit = |set: &'static str| {
        vec![
            "submit",
            "film",
            "m-butterfly-1993",
            "--set",
            set,
            "--reason",
            "A runtime from the DVD",
        ]
    };
    expect(
        &editor,
        &submit("runtimeMinutes=102"),
        "",
        2,
        &["--set runtimeMinutes:=102"],
    );
    expect(
        &editor,
        &submit("runtime:=102"),
        "",
        2,
        &["no field \"runtime\"", "runtimeMinutes", "tagline"],
    );
    expect(&admin, &["edits", "show", "x"], "", 2, &["42 or #42"]);
    // 3: not found, named.
    expect(
        &editor,
        &[
            "submit",
            "film",
            "m-butterfly-1933",
            "--set",
            "tagline=x",
            "--reason",
            "y",
        ],
        "",
        3,
        &[
            "there is no film \"m-butterfly-1933\"",
            "stinger-admin search",
        ],
    );
    expect(
        &admin,
        &["edits", "approve", "99999"],
        "",
        3,
        &["there is no edit #99999"],
    );
    expect(
        &admin,
        &["edits", "show", "99999"],
        "",
        3,
        &["there is no edit #99999"],
    );
    expect(
        &admin,
        &["revert", "99999", "--reason", "x"],
        "",
        3,
        &["no revision"],
    );
    expect(
        &admin,
        &["show", "film", "no-such-film"],
        "",
        3,
        &["no film"],
    );
    expect(
        &admin,
        &["edits", "list", "--author", "nobody"],
        "",
        3,
        &["no account \"nobody\""],
    );
    // 4: forbidden.
    let proposed = editor.json(&submit("tagline=Desire has no boundaries"));
    let number = number_of(&proposed);
    expect(&editor, &["edits", "approve", &number], "", 4, &[]);
    // 8: busy: another session holds the film's row (PostgreSQL) or the write lock (SQLite);
    // the approval waits the configured time, changes nothing, and says to retry.
    let lock = hold_film_lock(&app.test_db).await;
    expect(
        &admin,
        &["edits", "approve", &number],
        "",
        8,
        &["busy, retry"],
    );
    release(lock).await;
    // 5: conflict: no longer pending (approved once, after the lock went); a taken username.
    admin.ok(&["edits", "approve", &number]);
    let history = admin.json(&["history", "m-butterfly-1993"]);
    assert_eq!(
        history.as_array().map(|revisions| revisions
            .iter()
            .filter(|r| r["diff"][0]["after"] == "Desire has no boundaries")
            .count()),
        Some(1),
        "{engine:?}: the busy approval applied nothing, the retry applied it once: {history}"
    );
    expect(
        &admin,
        &["edits", "approve", &number],
        "",
        5,
        &["not pending"],
    );
    expect(
        &admin,
        &[
            "users",
            "create",
            "--username",
            "ADA",
            "--role",
            "editor",
            "--password-stdin",
        ],
        &format!("{TEST_PASSWORD}\n"),
        5,
        &["already an account", "users list"],
    );
    // 6: not logged in, or the wrong password.
    expect(
        &Terminal::new(&app),
        &["edits", "list"],
        "",
        6,
        &["stinger-admin login"],
    );
    expect(
        &Terminal::new(&app),
        &["login", "--username", "eddie", "--password-stdin"],
        "wrong password!!!\n",
        6,
        &["with that password"],
    );
    // 7: the server cannot be reached.
    let mut down = Terminal::new(&app);
    down.server = "http://127.0.0.1:9".to_owned();
    expect(
        &down,
        &["history", "m-butterfly-1993"],
        "",
        7,
        &["cannot reach"],
    );

    assert_eq!(
        seen, documented,
        "{engine:?}: every documented code, and only those"
    );
}
