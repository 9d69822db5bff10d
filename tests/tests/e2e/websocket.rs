//! The WebSocket path of `/graphql` has the HTTP path's guards (issue 8, findings 1–3):
//! subscriptions only, the nesting scan before the parser, a cap on message size and on sockets
//! per client, closing sockets that never initialise, sit idle, or outlive their token, and the
//! viewer's account re-checked on every event.

use entity::Role;
use futures_util::SinkExt;
use serde_json::{Value, json};
use std::time::Duration;
use stinger_api::service::account;
use stinger_tests::ws::{Socket, close_code, connect, initialised, next_message, send};
use stinger_tests::{
    Dataset, Engine, ServerProcess, TestApp, TestDb, both_engines, spawn_app_with,
};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

async fn subscribe(ws: &mut Socket, id: &str, query: &str) {
    send(
        ws,
        json!({"id": id, "type": "subscribe", "payload": {"query": query}}),
    )
    .await;
}

fn code_of(message: &Value) -> String {
    let errors = match message["type"].as_str() {
        Some("error") => &message["payload"],
        _ => &message["payload"]["errors"],
    };
    errors[0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The real server binary on a fresh database of `engine`.
async fn server_process(engine: Engine) -> (ServerProcess, TestDb) {
    let db = TestDb::new(engine, Dataset::Empty).await;
    let dir = db.dir.path().display().to_string();
    let server = ServerProcess::start(&[
        ("DATABASE_URL", db.url.as_str()),
        ("STINGER_DATA_DIR", dir.as_str()),
        ("STINGER_DEMO_DATA", "false"),
    ]);
    (server, db)
}

async fn assert_serving(base: &str) {
    let body: Value = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .json(&json!({"query": "{ __typename }"}))
        .send()
        .await
        .expect("the server process is still up")
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["__typename"], "Query", "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deeply_nested_subscription_is_refused_before_the_parser_and_the_process_survives() {
    let (server, _db) = server_process(Engine::Sqlite).await;
    let mut ws = initialised(&server.base_url, None).await;
    for (open, close) in [("[", "]"), ("{a:", "}")] {
        let query = format!(
            "subscription {{ editEvents(x: {}1{}) {{ number }} }}",
            open.repeat(5_000),
            close.repeat(5_000)
        );
        subscribe(&mut ws, "deep", &query).await;
        let reply = next_message(&mut ws).await;
        assert_eq!(code_of(&reply), "LIMIT_EXCEEDED", "{reply}");
        if reply["type"] == "next" {
            assert_eq!(next_message(&mut ws).await["type"], "complete");
        }
    }
    assert_serving(&server.base_url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_assembled_from_endless_continuations_is_refused_with_1009() {
    let (server, _db) = server_process(Engine::Sqlite).await;
    let mut ws = initialised(&server.base_url, None).await;
    // A text frame without FIN, then 64 KB continuations: far past the 100 KB body limit.
    let chunk = vec![b' '; 64 * 1024];
    let mut frames = vec![Frame::message(
        b"{\"type\":\"ping\",\"payload\":\"".to_vec(),
        OpCode::Data(Data::Text),
        false,
    )];
    frames.extend(
        (0..160).map(|_| Frame::message(chunk.clone(), OpCode::Data(Data::Continue), false)),
    );
    for frame in frames {
        if ws.send(Message::Frame(frame)).await.is_err() {
            break; // the server closed the socket already
        }
    }
    assert_eq!(
        close_code(&mut ws, Duration::from_secs(10)).await,
        Some(1009)
    );
    assert_serving(&server.base_url).await;
}

both_engines!(queries_and_mutations_are_refused_over_the_socket);
async fn queries_and_mutations_are_refused_over_the_socket(engine: Engine) {
    let app = spawn_app_with(engine, Dataset::Empty, |_| {}).await;
    let admin = app.user_token("ada", Role::Admin).await;
    let mut ws = initialised(&app.url(""), Some(&admin)).await;
    for (id, query) in [
        ("q", "{ films(first: 1) { totalCount } }"),
        (
            "m",
            "mutation { login(input: {username: \"ada\", password: \"wrong wrong wrong\"}) { accessToken } }",
        ),
    ] {
        subscribe(&mut ws, id, query).await;
        let reply = next_message(&mut ws).await;
        assert_eq!(code_of(&reply), "BAD_REQUEST", "{engine:?} {id}: {reply}");
        assert!(reply["payload"]["data"].is_null(), "{reply}");
        assert_eq!(next_message(&mut ws).await["type"], "complete");
    }
    // The refused login never ran: no failure was counted against the account.
    assert!(app.login("ada", stinger_tests::TEST_PASSWORD).await["accessToken"].is_string());
}

async fn propose(app: &TestApp, token: &str, film_id: &Value) -> i64 {
    let data = app
        .data_as(
            token,
            "mutation($input: ProposeEditInput!) { proposeEdit(input: $input) { edit { number } } }",
            json!({"input": {"operation": "UPDATE", "targetId": film_id,
                "changes": {"film": {"tagline": "New"}}, "reason": "From the poster."}}),
        )
        .await;
    data["proposeEdit"]["edit"]["number"].as_i64().unwrap()
}

both_engines!(a_demoted_admin_stops_receiving_events_at_once);
async fn a_demoted_admin_stops_receiving_events_at_once(engine: Engine) {
    let app = spawn_app_with(engine, Dataset::MButterfly, |_| {}).await;
    let admin = app.user_token("ada", Role::Admin).await;
    let editor = app.user_token("eddie", Role::Editor).await;
    let film = app
        .data("{ film(slug: \"m-butterfly-1993\") { id } }", json!({}))
        .await["film"]["id"]
        .clone();
    let mut ws = initialised(&app.url(""), Some(&admin)).await;
    subscribe(&mut ws, "1", "subscription { editEvents { number } }").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let first = propose(&app, &editor, &film).await;
    let event = next_message(&mut ws).await;
    assert_eq!(
        event["payload"]["data"]["editEvents"]["number"], first,
        "{event}"
    );

    // Demoted while the socket is open, with a token that still says admin.
    let ada = account::find_by_username(&app.db, "ada")
        .await
        .unwrap()
        .unwrap();
    account::set_role(&app.db, ada.id, Role::Editor)
        .await
        .unwrap();
    propose(&app, &editor, &film).await;
    let refused = next_message(&mut ws).await;
    assert_eq!(
        code_of(&refused),
        "UNAUTHENTICATED",
        "{engine:?}: {refused}"
    );
    assert!(refused["payload"]["data"].is_null(), "{refused}");
    assert_eq!(next_message(&mut ws).await["type"], "complete");
}

#[tokio::test]
async fn sockets_per_client_address_are_capped() {
    let app = spawn_app_with(Engine::Sqlite, Dataset::Empty, |c| {
        c.limits.ws_max_per_client = 2;
    })
    .await;
    let base = app.url("");
    let first = initialised(&base, None).await;
    let _second = initialised(&base, None).await;
    match connect(&base).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 429)
        }
        other => panic!("a third socket was not refused: {:?}", other.map(|_| ())),
    }
    // Closing one makes room again.
    drop(first);
    tokio::time::sleep(Duration::from_millis(300)).await;
    initialised(&base, None).await;
}

#[tokio::test]
async fn a_socket_that_never_initialises_is_closed() {
    let app = spawn_app_with(Engine::Sqlite, Dataset::Empty, |c| {
        c.limits.ws_init_timeout = Duration::from_millis(300);
    })
    .await;
    let mut ws = connect(&app.url("")).await.unwrap();
    assert_eq!(
        close_code(&mut ws, Duration::from_secs(5)).await,
        Some(4408)
    );
}

#[tokio::test]
async fn a_socket_without_subscriptions_is_closed_when_idle() {
    let app = spawn_app_with(Engine::Sqlite, Dataset::Empty, |c| {
        c.limits.ws_idle_timeout = Duration::from_secs(1);
    })
    .await;
    let mut ws = initialised(&app.url(""), None).await;
    assert_eq!(
        close_code(&mut ws, Duration::from_secs(5)).await,
        Some(4000)
    );
}

both_engines!(the_socket_closes_when_its_token_expires);
async fn the_socket_closes_when_its_token_expires(engine: Engine) {
    let app = spawn_app_with(engine, Dataset::Empty, |c| {
        c.access_token_ttl = Duration::from_secs(2);
    })
    .await;
    let admin = app.user_token("ada", Role::Admin).await;
    let mut ws = initialised(&app.url(""), Some(&admin)).await;
    subscribe(&mut ws, "1", "subscription { editEvents { number } }").await;
    assert_eq!(
        close_code(&mut ws, Duration::from_secs(6)).await,
        Some(4401),
        "{engine:?}"
    );
}
