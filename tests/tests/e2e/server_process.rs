//! The real `stinger-api` binary on a fresh data directory: it creates, migrates and fills its
//! database, then answers over HTTP.

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use stinger_tests::{Engine, ServerProcess, TestDb, both_engines};

const FILM_PAGE: &str = r#"{
  film(slug: "m-butterfly-1993") {
    title year runtimeMinutes
    creditScenes { answer confirmed scenes { kind } }
    scores { source kind value scale normalized voteCount }
    trivia { question answer }
    directors { slug name }
  }
  films { totalCount }
  person(slug: "david-cronenberg") {
    credits(first: 100) { totalCount edges { node { department film { slug title } } } }
  }
}"#;

async fn post(client: &reqwest::Client, base: &str, query: &str) -> Value {
    client
        .post(format!("{base}/graphql"))
        .json(&json!({"query": query}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

both_engines!(a_first_start_creates_fills_and_serves_the_database_on_every_engine);
async fn a_first_start_creates_fills_and_serves_the_database_on_every_engine(engine: Engine) {
    let test_db = TestDb::blank(engine).await;
    let data_dir = test_db.dir.path().join("data");
    let data_dir_text = data_dir.display().to_string();
    let mut env = vec![("STINGER_DATA_DIR", data_dir_text.as_str())];
    if engine == Engine::Postgres {
        env.push(("DATABASE_URL", test_db.url.as_str()));
    }
    let started = Instant::now();
    let server = ServerProcess::start(&env);
    let client = reqwest::Client::new();

    let health = client
        .get(format!("{}/healthz", server.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let ready_after = started.elapsed();
    eprintln!("{engine:?}: stinger-api ready {ready_after:?} after a first start");
    assert!(
        ready_after < Duration::from_secs(60),
        "{engine:?}: took {ready_after:?}"
    );
    if engine == Engine::Sqlite {
        assert!(
            data_dir.join("stinger.db").exists(),
            "the embedded database is in the data directory"
        );
    }

    let body = post(&client, &server.base_url, FILM_PAGE).await;
    assert!(body.get("errors").is_none(), "{engine:?}: {body:#}");
    let film = &body["data"]["film"];
    assert_eq!(film["title"], "M. Butterfly");
    assert_eq!(film["year"], 1993);
    assert_eq!(film["runtimeMinutes"], 101);
    assert_eq!(
        film["creditScenes"],
        json!({"answer": "NO", "confirmed": true, "scenes": []})
    );
    assert_eq!(
        film["directors"],
        json!([{"slug": "david-cronenberg", "name": "David Cronenberg"}])
    );
    assert_eq!(film["trivia"][0]["answer"], "1964");

    let scores = film["scores"].as_array().unwrap();
    assert_eq!(scores.len(), 6, "{engine:?}: six scores");
    let score = |source: &str, kind: &str| {
        scores
            .iter()
            .find(|s| s["source"] == source && s["kind"] == kind)
            .unwrap_or_else(|| panic!("a {source} {kind} score"))
            .clone()
    };
    assert_eq!(
        score("ROTTEN_TOMATOES", "CRITICS")["value"],
        Value::Null,
        "the Tomatometer is unknown"
    );
    assert_eq!(
        score("ROTTEN_TOMATOES", "CRITICS")["normalized"],
        Value::Null
    );
    assert_eq!(score("ROTTEN_TOMATOES", "AUDIENCE")["value"], 0.0);
    assert_eq!(score("METACRITIC", "CRITICS")["value"], 43.0);
    assert_eq!(score("METACRITIC", "AUDIENCE")["normalized"], 68.0);
    assert_eq!(score("IMDB", "AUDIENCE")["value"], 6.7);
    assert_eq!(score("TMDB", "AUDIENCE")["value"], 66.0);

    assert_eq!(body["data"]["films"]["totalCount"], 3201);

    let credits = &body["data"]["person"]["credits"];
    let slugs: Vec<&str> = credits["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["film"]["slug"].as_str().unwrap())
        .collect();
    assert!(slugs.contains(&"m-butterfly-1993"), "{engine:?}: {slugs:?}");
    let vega_films: Vec<Value> =
        serde_json::from_slice::<Vec<Value>>(stinger_api::service::demo::VEGA_MOVIES)
            .unwrap()
            .into_iter()
            .filter(|r| r["Director"] == "David Cronenberg")
            .collect();
    assert!(!vega_films.is_empty());
    assert_eq!(
        credits["totalCount"],
        vega_films.len() + 1,
        "{engine:?}: his vega films and M. Butterfly"
    );
    for film in &vega_films {
        let title = film["Title"].as_str().unwrap();
        assert!(
            credits["edges"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["node"]["film"]["title"] == title),
            "{engine:?}: Cronenberg's credits include {title}"
        );
    }
    drop(server);
}

#[tokio::test]
async fn a_restart_keeps_the_data_and_loads_nothing_twice() {
    let test_db = TestDb::blank(Engine::Sqlite).await;
    let data_dir = test_db.dir.path().join("data").display().to_string();
    let env = [("STINGER_DATA_DIR", data_dir.as_str())];
    let client = reqwest::Client::new();
    for _ in 0..2 {
        let server = ServerProcess::start(&env);
        let body = post(&client, &server.base_url, "{ films { totalCount } }").await;
        assert_eq!(body["data"]["films"]["totalCount"], 3201);
    }
}

/// `stinger-api` is a real command-line program: `--version` and `--help` answer and exit 0,
/// an unknown flag is refused with exit 2, and neither starts a server or creates `./data`.
#[test]
fn the_server_binary_refuses_unknown_flags_and_prints_its_version() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(stinger_tests::process::binary("stinger-api"))
            .args(args)
            .current_dir(dir.path())
            .env_clear()
            .output()
            .unwrap()
    };
    let version = run(&["--version"]);
    assert_eq!(version.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("stinger-api {}", env!("CARGO_PKG_VERSION"))
    );
    let help = run(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("STINGER_LISTEN") && help.contains("--database-url"),
        "{help}"
    );
    let unknown = run(&["--port", "9000"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("--port"));
    let bad_value = run(&["--max-depth", "deep"]);
    assert_eq!(bad_value.status.code(), Some(2));
    assert!(
        !dir.path().join("data").exists(),
        "no data directory may be created by a refused start"
    );
}

/// The root points a lost visitor to `/graphql`.
#[tokio::test]
async fn the_root_points_to_the_graphql_endpoint() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().display().to_string();
    let server = ServerProcess::start(&[
        ("STINGER_DATA_DIR", data_dir.as_str()),
        ("STINGER_DEMO_DATA", "false"),
    ]);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let root = client
        .get(format!("{}/", server.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(root.status(), 302);
    assert_eq!(root.headers()["location"], "/graphql");
}

/// A log that goes to a file or a pipe (a journal, `> stinger.log`) carries no colour codes;
/// text logs still name the level in plain words.
#[tokio::test]
async fn text_logs_written_to_a_file_carry_no_colour_codes() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().display().to_string();
    let server = ServerProcess::start_capturing(&[
        ("STINGER_DATA_DIR", data_dir.as_str()),
        ("STINGER_DEMO_DATA", "false"),
        ("STINGER_LOG_FORMAT", "text"),
        ("RUST_LOG", "info"),
    ]);
    let answer = post(&reqwest::Client::new(), &server.base_url, "{ __typename }").await;
    assert_eq!(answer["data"]["__typename"], "Query", "{answer}");
    let lines = server.log_lines();
    assert!(
        lines.iter().any(|l| l.contains("INFO")),
        "the log names levels: {lines:?}"
    );
    let coloured: Vec<&String> = lines.iter().filter(|l| l.contains('\u{1b}')).collect();
    assert!(
        coloured.is_empty(),
        "colour codes in a piped log: {coloured:?}"
    );
}

both_engines!(the_first_log_line_names_the_database_without_its_password_and_graphiql_s_address);
async fn the_first_log_line_names_the_database_without_its_password_and_graphiql_s_address(
    engine: Engine,
) {
    let db = TestDb::new(engine, stinger_tests::Dataset::Empty).await;
    let dir = db.dir.path().display().to_string();
    // PostgreSQL here trusts local connections, so a password in the URL is ignored: it is
    // there to be kept out of the log.
    let url = match engine {
        Engine::Sqlite => None,
        Engine::Postgres => Some(db.url.replacen("postgres@", "postgres:hunter2-secret@", 1)),
    };
    let mut env = vec![
        ("STINGER_DATA_DIR", dir.as_str()),
        ("STINGER_DEMO_DATA", "false"),
        ("RUST_LOG", "info"),
        ("STINGER_LOG_FORMAT", "text"),
    ];
    if let Some(url) = &url {
        env.push(("DATABASE_URL", url.as_str()));
    }
    let server = ServerProcess::start_capturing(&env);
    let lines = server.log_lines();
    let first = lines.first().expect("a log line");
    let database = match engine {
        Engine::Sqlite => format!("SQLite {dir}/stinger.db"),
        Engine::Postgres => "postgres://postgres@127.0.0.1".to_owned(),
    };
    assert!(first.contains(&database), "{engine:?}: {first}");
    assert!(
        first.contains(&format!("GraphiQL at {}/graphql", server.base_url)),
        "{engine:?}: {first}"
    );
    assert!(
        lines.iter().all(|line| !line.contains("hunter2")),
        "{engine:?}: no password in the log: {lines:?}"
    );
}
