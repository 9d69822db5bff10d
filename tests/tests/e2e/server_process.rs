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
