//! GraphiQL in a real (headless Chromium) browser that can reach nothing but the server: the
//! page and its assets come from the binary, a query typed in the editor runs and its result
//! shows, and a subscription runs over the WebSocket with the token from the Headers tab.

use entity::Role;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use stinger_tests::browser::Browser;
use stinger_tests::{Dataset, Engine, TestApp, spawn_app};

const QUERY_EDITOR: &str = ".graphiql-query-editor .CodeMirror";

/// Replaces the text of GraphiQL's query editor (CodeMirror keeps its instance on the element).
async fn type_query(browser: &Client, query: &str) {
    browser
        .execute(
            "document.querySelector(arguments[0]).CodeMirror.setValue(arguments[1]);",
            vec![json!(QUERY_EDITOR), json!(query)],
        )
        .await
        .expect("the query editor takes the query");
}

/// Clicks GraphiQL's run button.
async fn run(browser: &Client) {
    browser
        .find(Locator::Css(".graphiql-execute-button"))
        .await
        .expect("GraphiQL shows a run button")
        .click()
        .await
        .expect("the run button can be clicked");
}

/// The text of the result pane once it contains `expected`, or `None` after `within`.
async fn result_with(browser: &Client, expected: &str, within: Duration) -> Option<String> {
    let started = Instant::now();
    loop {
        if let Ok(pane) = browser.find(Locator::Css(".result-window")).await {
            let text = pane.text().await.unwrap_or_default();
            if text.contains(expected) {
                return Some(text);
            }
        }
        if started.elapsed() > within {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn result_text(browser: &Client) -> String {
    match browser.find(Locator::Css(".result-window")).await {
        Ok(pane) => pane.text().await.unwrap_or_default(),
        Err(_) => "(no result pane)".to_owned(),
    }
}

async fn propose_tagline(app: &TestApp, token: &str, film_id: &Value, tagline: &str) -> i64 {
    let data = app
        .data_as(
            token,
            "mutation($input: ProposeEditInput!) { proposeEdit(input: $input) { edit { number } userErrors { code } } }",
            json!({"input": {"operation": "UPDATE", "targetId": film_id,
                "changes": {"film": {"tagline": tagline}}, "reason": "From the poster."}}),
        )
        .await;
    data["proposeEdit"]["edit"]["number"]
        .as_i64()
        .unwrap_or_else(|| panic!("the edit is proposed: {data}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_runs_queries_and_subscriptions_offline() {
    let Some(browser) = Browser::start("graphiql_runs_queries_and_subscriptions_offline").await
    else {
        return;
    };
    let app = spawn_app(Engine::Sqlite, Dataset::MButterfly).await;
    let client = &browser.client;

    // The page loads, from this server only (the browser resolves no other host).
    client
        .goto(&app.url("/graphql"))
        .await
        .expect("the page opens");
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(QUERY_EDITOR))
        .await
        .unwrap_or_else(|_| panic!("GraphiQL starts (no query editor appeared)"));
    let resources = client
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name);",
            vec![],
        )
        .await
        .expect("the page lists what it loaded");
    let resources: Vec<String> = serde_json::from_value(resources).expect("a list of URLs");
    assert!(
        resources.iter().any(|r| r.ends_with(".min.js")),
        "the page loads its scripts: {resources:?}"
    );
    let origin = app.url("/");
    for resource in &resources {
        assert!(
            resource.starts_with(&origin) || resource.starts_with("data:"),
            "{resource} is not served by Stinger"
        );
    }

    // A query typed in the editor runs, and its result shows.
    type_query(
        client,
        r#"{ film(slug: "m-butterfly-1993") { title runtimeMinutes } }"#,
    )
    .await;
    run(client).await;
    let shown = result_with(client, "M. Butterfly", Duration::from_secs(20)).await;
    let shown = shown
        .unwrap_or_else(|| panic!("the query's result never showed: the result pane has no title"));
    assert!(shown.contains(r#""title": "M. Butterfly""#), "{shown}");

    // A subscription runs over the WebSocket, authenticated by the Headers tab's token.
    let admin = app.user_token("ada", Role::Admin).await;
    let editor = app.user_token("eddie", Role::Editor).await;
    let film_id = app
        .data(r#"{ film(slug: "m-butterfly-1993") { id } }"#, json!({}))
        .await["film"]["id"]
        .clone();
    client
        .execute(
            "localStorage.setItem('graphiql:headers', arguments[0]);",
            vec![json!(
                json!({"Authorization": format!("Bearer {admin}")}).to_string()
            )],
        )
        .await
        .expect("the headers are saved");
    client.refresh().await.expect("the page reloads");
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(QUERY_EDITOR))
        .await
        .unwrap_or_else(|_| panic!("GraphiQL starts again"));
    type_query(client, "subscription { editEvents { number status } }").await;
    run(client).await;
    // The subscription starts when the socket is up, which the page does not show: propose
    // until an event arrives (each proposal is a new edit, so a late start misses only some).
    // On a loaded machine the browser may take long to open the socket: keep proposing for up
    // to a minute, giving each proposal a longer wait as time goes on.
    let mut event = None;
    let started = Instant::now();
    let mut attempt = 0;
    while event.is_none() && started.elapsed() < Duration::from_secs(60) {
        attempt += 1;
        let number = propose_tagline(&app, &editor, &film_id, &format!("Take {attempt}.")).await;
        let expected = format!(r#""number": {number}"#);
        let wait = Duration::from_secs(2 + attempt.min(6));
        event = result_with(client, &expected, wait).await;
        // Run before GraphiQL had the schema, the subscription went over HTTP (GraphiQL picks
        // the WebSocket from the parsed document, which it has only once the schema loaded):
        // run it again, as a person would.
        if event.is_none()
            && result_text(client)
                .await
                .contains("not supported on this transport")
        {
            run(client).await;
        }
    }
    let shown = result_text(client).await;
    let event = event.unwrap_or_else(|| {
        panic!("no edit event showed after {attempt} proposals; result pane: {shown}")
    });
    assert!(event.contains(r#""status": "PENDING""#), "{event}");

    browser.close().await;
}
