//! Live edit events over graphql-transport-ws: admins see every edit, editors their own; on
//! PostgreSQL changes made outside the API process (the CLI's path) arrive too (changes made
//! through another API process: `cluster`).

use entity::Role;
use futures_util::SinkExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::time::Duration;
use stinger_api::service::editorial;
use stinger_api::service::events::Events;
use stinger_tests::ws::{Socket, initialised, next_message};
use stinger_tests::{Dataset, Engine, TestApp, both_engines, spawn_app};
use tokio_tungstenite::tungstenite::Message;

/// The next `editEvents` item, as `(number, status)`.
pub(crate) async fn next_event(ws: &mut Socket) -> (i64, String) {
    let message = next_message(ws).await;
    assert_eq!(message["type"], "next", "{message}");
    let event = &message["payload"]["data"]["editEvents"];
    (
        event["number"].as_i64().unwrap(),
        event["status"].as_str().unwrap().to_owned(),
    )
}

async fn subscribe(app: &TestApp, token: Option<&str>) -> Socket {
    subscribe_at(&app.url(""), token).await
}

/// Subscribes to `editEvents` on the server at `base` (`http://host:port`), logged in with
/// `token` (anonymous without one).
pub(crate) async fn subscribe_at(base: &str, token: Option<&str>) -> Socket {
    let mut ws = initialised(base, token).await;
    ws.send(Message::Text(
        json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { editEvents { editId number status } }"}})
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    // The protocol does not acknowledge a subscription; give the server a moment to start it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    ws
}

async fn propose(app: &TestApp, token: &str, film_id: &Value, tagline: &str) -> i64 {
    let data = app
        .data_as(
            token,
            "mutation($input: ProposeEditInput!) { proposeEdit(input: $input) { edit { number } userErrors { code } } }",
            json!({"input": {"operation": "UPDATE", "targetId": film_id,
                "changes": {"film": {"tagline": tagline}}, "reason": "From the poster."}}),
        )
        .await;
    data["proposeEdit"]["edit"]["number"].as_i64().unwrap()
}

both_engines!(reviewers_see_every_edit_change_and_editors_their_own);
async fn reviewers_see_every_edit_change_and_editors_their_own(engine: Engine) {
    let app = spawn_app(engine, Dataset::MButterfly).await;
    let alice = app.user_token("alice", Role::Editor).await;
    let bob = app.user_token("bob", Role::Editor).await;
    let admin = app.user_token("admin", Role::Admin).await;
    let film = app
        .data("{ film(slug: \"m-butterfly-1993\") { id } }", json!({}))
        .await["film"]["id"]
        .clone();

    let mut admin_ws = subscribe(&app, Some(&admin)).await;
    let mut alice_ws = subscribe(&app, Some(&alice)).await;
    let mut bob_ws = subscribe(&app, Some(&bob)).await;

    let first = propose(&app, &alice, &film, "First").await;
    let second = propose(&app, &bob, &film, "Second").await;
    let approved = app
        .data_as(
            &admin,
            "mutation($id: ID!) { approveEdit(input: {editId: $id}) { edit { status } } }",
            json!({"id": first.to_string()}),
        )
        .await;
    assert_eq!(approved["approveEdit"]["edit"]["status"], "APPROVED");

    assert_eq!(
        next_event(&mut admin_ws).await,
        (first, "PENDING".to_owned()),
        "{engine:?}"
    );
    assert_eq!(
        next_event(&mut admin_ws).await,
        (second, "PENDING".to_owned())
    );
    assert_eq!(
        next_event(&mut admin_ws).await,
        (first, "APPROVED".to_owned())
    );
    // Alice sees only her edit; Bob's first event is his own.
    assert_eq!(
        next_event(&mut alice_ws).await,
        (first, "PENDING".to_owned())
    );
    assert_eq!(
        next_event(&mut alice_ws).await,
        (first, "APPROVED".to_owned())
    );
    assert_eq!(
        next_event(&mut bob_ws).await,
        (second, "PENDING".to_owned())
    );

    if engine == Engine::Postgres {
        // A change made straight through the service (as the CLI does, from another
        // process) reaches subscribers through LISTEN/NOTIFY.
        let reviewer = entity::user::Entity::find()
            .filter(entity::user::Column::UsernameKey.eq("admin"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        editorial::reject(
            &app.db,
            &Events::database_only(),
            &reviewer,
            second,
            Some("No.".to_owned()),
        )
        .await
        .unwrap();
        assert_eq!(
            next_event(&mut bob_ws).await,
            (second, "REJECTED".to_owned())
        );
    }
}

both_engines!(anonymous_subscribers_are_refused);
async fn anonymous_subscribers_are_refused(engine: Engine) {
    let app = spawn_app(engine, Dataset::Empty).await;
    let mut ws = subscribe(&app, None).await;
    let message = next_message(&mut ws).await;
    assert!(
        message.to_string().contains("UNAUTHENTICATED"),
        "{engine:?}: {message}"
    );
}
