//! The read cache (issue 13): anonymous answers are kept, tagged with what they read, and a
//! write drops exactly what it touched before its response returns.

use entity::Role;
use serde_json::{Value, json};
use stinger_tests::{Dataset, Engine, TestApp, both_engines, spawn_app_with};

const FILM: &str = "query($slug: String!) { film(slug: $slug) { id title synopsis version } }";
const LATEST: &str = "{ films(first: 5) { edges { node { title synopsis } } } }";
const PROPOSE: &str = r#"mutation($input: ProposeEditInput!) { proposeEdit(input: $input) {
    edit { id } userErrors { code message } } }"#;
const APPROVE: &str = r#"mutation($id: ID!) { approveEdit(input: {editId: $id}) {
    edit { status revision { id } } userErrors { code message } } }"#;
const SLUG: &str = "m-butterfly-1993";

async fn cached_app(engine: Engine, dataset: Dataset, megabytes: usize) -> TestApp {
    spawn_app_with(engine, dataset, |config| {
        config.operations.read_cache = true;
        config.operations.read_cache_mb = megabytes;
    })
    .await
}

/// Posts a query, with a token or without; the cache's verdict and the body.
async fn ask(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> (String, Value) {
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({"query": query, "variables": variables}));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the server answers");
    let verdict = response
        .headers()
        .get("x-stinger-cache")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("<none>")
        .to_owned();
    let body: Value = response.json().await.expect("a JSON body");
    assert!(body.get("errors").is_none(), "{body}");
    (verdict, body)
}

async fn film(app: &TestApp, slug: &str) -> (String, Value) {
    let (verdict, body) = ask(app, None, FILM, json!({"slug": slug})).await;
    (verdict, body["data"]["film"].clone())
}

/// Proposes and approves a new synopsis for the film with global id `id`; the revision's id.
async fn fix_synopsis(app: &TestApp, id: &Value, synopsis: &str) -> Value {
    let editor = app.user_token("editor", Role::Editor).await;
    let admin = app.user_token("admin", Role::Admin).await;
    let proposed = app
        .data_as(&editor, PROPOSE, json!({"input": {
            "operation": "UPDATE", "targetId": id,
            "changes": {"film": {"synopsis": synopsis}},
            "reason": "The synopsis had the wrong decade.",
        }}))
        .await["proposeEdit"]
        .clone();
    assert_eq!(proposed["userErrors"], json!([]), "{proposed}");
    let approved = app
        .data_as(&admin, APPROVE, json!({"id": proposed["edit"]["id"]}))
        .await["approveEdit"]
        .clone();
    assert_eq!(approved["edit"]["status"], "APPROVED", "{approved}");
    approved["edit"]["revision"]["id"].clone()
}

/// Another film of the demo catalogue than M. Butterfly.
async fn other_slug(app: &TestApp) -> String {
    let data = app.data("{ films(first: 2) { edges { node { slug } } } }", json!({})).await;
    data["films"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["slug"].as_str().unwrap().to_owned())
        .find(|slug| slug != SLUG)
        .expect("the demo catalogue has other films")
}

both_engines!(an_approval_drops_that_film_and_its_lists_but_not_another_film);
async fn an_approval_drops_that_film_and_its_lists_but_not_another_film(engine: Engine) {
    let app = cached_app(engine, Dataset::Demo, 32).await;
    let other = other_slug(&app).await;

    let (verdict, before) = film(&app, SLUG).await;
    assert_eq!(verdict, "MISS");
    let (verdict, again) = film(&app, SLUG).await;
    assert_eq!((verdict.as_str(), &again), ("HIT", &before));
    assert_eq!(film(&app, &other).await.0, "MISS");
    assert_eq!(film(&app, &other).await.0, "HIT");
    assert_eq!(ask(&app, None, LATEST, json!({})).await.0, "MISS");
    assert_eq!(ask(&app, None, LATEST, json!({})).await.0, "HIT");

    let synopsis = "In 1964 Beijing, a French diplomat falls for a star of the Peking Opera.";
    fix_synopsis(&app, &before["id"], synopsis).await;

    // Read-your-writes: the approval's response came after the cache let go of the film.
    let (verdict, after) = film(&app, SLUG).await;
    assert_eq!(verdict, "MISS", "{engine:?}");
    assert_eq!(after["synopsis"], synopsis);
    assert_eq!(ask(&app, None, LATEST, json!({})).await.0, "MISS", "lists are dropped");
    assert_eq!(film(&app, &other).await.0, "HIT", "an unrelated film stays cached");
    assert_eq!(film(&app, SLUG).await.0, "HIT");
}

both_engines!(a_revert_drops_what_it_changed);
async fn a_revert_drops_what_it_changed(engine: Engine) {
    let app = cached_app(engine, Dataset::MButterfly, 32).await;
    let (_, before) = film(&app, SLUG).await;
    let revision = fix_synopsis(&app, &before["id"], "A corrected synopsis.").await;
    let (_, fixed) = film(&app, SLUG).await;
    assert_eq!(fixed["synopsis"], "A corrected synopsis.");
    assert_eq!(film(&app, SLUG).await.0, "HIT");

    let admin = app.user_token("admin", Role::Admin).await;
    let reverted = app
        .data_as(&admin, "mutation($id: ID!) { revertRevision(input: {revisionId: $id, reason: \"Checked again.\"}) { edit { status } userErrors { code } } }", json!({"id": revision}))
        .await;
    assert_eq!(reverted["revertRevision"]["edit"]["status"], "APPROVED", "{reverted}");
    let (verdict, after) = film(&app, SLUG).await;
    assert_eq!(verdict, "MISS");
    assert_eq!(after["synopsis"], before["synopsis"]);
}

both_engines!(authenticated_requests_bypass_and_never_share);
async fn authenticated_requests_bypass_and_never_share(engine: Engine) {
    let app = cached_app(engine, Dataset::MButterfly, 32).await;
    let editor = app.user_token("editor", Role::Editor).await;
    assert_eq!(film(&app, SLUG).await.0, "MISS");
    assert_eq!(film(&app, SLUG).await.0, "HIT");
    let (verdict, _) = ask(&app, Some(&editor), FILM, json!({"slug": SLUG})).await;
    assert_eq!(verdict, "BYPASS");
    let (verdict, _) = ask(&app, Some(&editor), "{ me { username } }", json!({})).await;
    assert_eq!(verdict, "BYPASS");
    // Mutations are never cached either.
    let (verdict, _) = ask(&app, None, "mutation { logout { ok } }", json!({}))
        .await
        .clone();
    assert_ne!(verdict, "HIT");
}

both_engines!(turned_off_it_bypasses);
async fn turned_off_it_bypasses(engine: Engine) {
    let app = spawn_app_with(engine, Dataset::MButterfly, |config| {
        config.operations.read_cache = false;
    })
    .await;
    assert_eq!(film(&app, SLUG).await.0, "BYPASS");
    assert_eq!(film(&app, SLUG).await.0, "BYPASS");
}

both_engines!(a_scan_of_every_film_stays_within_the_size_limit);
async fn a_scan_of_every_film_stays_within_the_size_limit(engine: Engine) {
    let app = cached_app(engine, Dataset::Demo, 1).await;
    let mut after = None;
    let mut seen = 0;
    loop {
        let data = app
            .data(
                "query($after: String) { films(first: 100, after: $after) { pageInfo { endCursor hasNextPage } edges { node { slug } } } }",
                json!({"after": after}),
            )
            .await;
        for edge in data["films"]["edges"].as_array().unwrap() {
            let slug = edge["node"]["slug"].as_str().unwrap();
            film(&app, slug).await;
            seen += 1;
        }
        if data["films"]["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        after = Some(data["films"]["pageInfo"]["endCursor"].clone());
    }
    assert!(seen > 3000, "{seen}");
    let stats = app.read_cache_stats();
    assert!(stats.bytes <= 1024 * 1024, "{stats:?}");
    assert!(stats.evictions > 0, "{stats:?}");
    assert!(stats.entries > 0, "{stats:?}");
}
