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

/// A server with the read cache on, of `megabytes`.
async fn cached_app(engine: Engine, dataset: Dataset, megabytes: usize) -> TestApp {
    spawn_app_with(engine, dataset, |config| {
        config.operations.read_cache = true;
        config.operations.read_cache_mb = megabytes;
        // The scan of every film is one client's thousands of queries.
        config.operations.rate_limits.anonymous_per_minute = 1_000_000;
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

/// An editor's and an admin's tokens.
async fn reviewers(app: &TestApp) -> (String, String) {
    (
        app.user_token("editor", Role::Editor).await,
        app.user_token("admin", Role::Admin).await,
    )
}

/// Proposes and approves a new synopsis for the film with global id `id`; the revision's id.
async fn fix_synopsis(
    app: &TestApp,
    (editor, admin): &(String, String),
    id: &Value,
    synopsis: &str,
) -> Value {
    let proposed = app
        .data_as(
            editor,
            PROPOSE,
            json!({"input": {
                "operation": "UPDATE", "targetId": id,
                "changes": {"film": {"synopsis": synopsis}},
                "reason": "The synopsis had the wrong decade.",
            }}),
        )
        .await["proposeEdit"]
        .clone();
    assert_eq!(proposed["userErrors"], json!([]), "{proposed}");
    let approved = app
        .data_as(admin, APPROVE, json!({"id": proposed["edit"]["id"]}))
        .await["approveEdit"]
        .clone();
    assert_eq!(approved["edit"]["status"], "APPROVED", "{approved}");
    approved["edit"]["revision"]["id"].clone()
}

/// Another film of the demo catalogue than M. Butterfly.
async fn other_slug(app: &TestApp) -> String {
    let data = app
        .data("{ films(first: 2) { edges { node { slug } } } }", json!({}))
        .await;
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
    fix_synopsis(&app, &reviewers(&app).await, &before["id"], synopsis).await;

    // Read-your-writes: the approval's response came after the cache let go of the film.
    let (verdict, after) = film(&app, SLUG).await;
    assert_eq!(verdict, "MISS", "{engine:?}");
    assert_eq!(after["synopsis"], synopsis);
    assert_eq!(
        ask(&app, None, LATEST, json!({})).await.0,
        "MISS",
        "lists are dropped"
    );
    assert_eq!(
        film(&app, &other).await.0,
        "HIT",
        "an unrelated film stays cached"
    );
    assert_eq!(film(&app, SLUG).await.0, "HIT");
}

both_engines!(a_new_part_of_a_film_drops_that_film_not_another);
async fn a_new_part_of_a_film_drops_that_film_not_another(engine: Engine) {
    const TRIVIA: &str = "query($slug: String!) { film(slug: $slug) { id trivia { question } } }";
    let app = cached_app(engine, Dataset::Demo, 32).await;
    let other = other_slug(&app).await;
    let page = async |slug: &str| ask(&app, None, TRIVIA, json!({"slug": slug})).await;
    let (_, before) = page(SLUG).await;
    assert_eq!(page(SLUG).await.0, "HIT");
    assert_eq!(page(&other).await.0, "MISS");
    assert_eq!(page(&other).await.0, "HIT");
    assert_eq!(ask(&app, None, LATEST, json!({})).await.0, "MISS");

    let (editor, admin) = reviewers(&app).await;
    let proposed = app
        .data_as(
            &editor,
            PROPOSE,
            json!({"input": {"operation": "CREATE", "changes": {"trivia": {
                "filmId": before["data"]["film"]["id"], "question": "Which opera gives the film its name?",
                "answer": "Madama Butterfly", "wrongChoices": ["Tosca", "Turandot"]}},
                "reason": "A classic question."}}),
        )
        .await["proposeEdit"]
        .clone();
    assert_eq!(proposed["userErrors"], json!([]), "{proposed}");
    let approved = app
        .data_as(&admin, APPROVE, json!({"id": proposed["edit"]["id"]}))
        .await;
    assert_eq!(approved["approveEdit"]["edit"]["status"], "APPROVED");

    let (verdict, after) = page(SLUG).await;
    assert_eq!(verdict, "MISS", "{engine:?}: the film's page is dropped");
    assert!(
        after["data"]["film"]["trivia"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["question"] == "Which opera gives the film its name?"),
        "{after}"
    );
    assert_eq!(
        ask(&app, None, LATEST, json!({})).await.0,
        "MISS",
        "{engine:?}: lists (which show films' parts) are dropped"
    );
    assert_eq!(
        page(&other).await.0,
        "HIT",
        "{engine:?}: another film's page stays"
    );
}

both_engines!(a_revert_drops_what_it_changed);
async fn a_revert_drops_what_it_changed(engine: Engine) {
    let app = cached_app(engine, Dataset::MButterfly, 32).await;
    let (_, before) = film(&app, SLUG).await;
    let tokens = reviewers(&app).await;
    let revision = fix_synopsis(&app, &tokens, &before["id"], "A corrected synopsis.").await;
    let (_, fixed) = film(&app, SLUG).await;
    assert_eq!(fixed["synopsis"], "A corrected synopsis.");
    assert_eq!(film(&app, SLUG).await.0, "HIT");

    let reverted = app
        .data_as(&tokens.1, "mutation($id: ID!) { revertRevision(input: {revisionId: $id, reason: \"Checked again.\"}) { edit { status } userErrors { code } } }", json!({"id": revision}))
        .await;
    assert_eq!(
        reverted["revertRevision"]["edit"]["status"], "APPROVED",
        "{reverted}"
    );
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_answer_is_sent_gzip_compressed_to_clients_that_take_it() {
    let app = cached_app(Engine::Sqlite, Dataset::MButterfly, 32).await;
    let url = format!(
        "{}?query={}",
        app.url("/graphql"),
        "%7B%20film(slug%3A%20%22m-butterfly-1993%22)%20%7B%20title%20synopsis%20plot%20%7D%20%7D"
    );
    let get = async |gzip: bool, if_none_match: Option<&str>| {
        let mut request = app.client.get(&url);
        if gzip {
            request = request.header("accept-encoding", "gzip");
        }
        if let Some(etag) = if_none_match {
            request = request.header("if-none-match", etag);
        }
        let response = request.send().await.unwrap();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let facts = (
            response.status().as_u16(),
            header("x-stinger-cache"),
            header("content-encoding"),
            header("etag"),
        );
        (facts, response.bytes().await.unwrap())
    };

    let ((status, verdict, encoding, gzip_etag), first) = get(true, None).await;
    assert_eq!((status, verdict.as_deref()), (200, Some("MISS")));
    assert_eq!(encoding.as_deref(), Some("gzip"));
    let ((_, verdict, encoding, etag), again) = get(true, None).await;
    assert_eq!(verdict.as_deref(), Some("HIT"));
    assert_eq!(encoding.as_deref(), Some("gzip"), "kept compressed");
    assert_eq!((etag, &again), (gzip_etag.clone(), &first));
    let mut json = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&again[..]), &mut json).unwrap();

    let ((_, verdict, encoding, plain_etag), plain) = get(false, None).await;
    assert_eq!(verdict.as_deref(), Some("HIT"));
    assert_eq!(encoding, None, "plain for a client that does not take gzip");
    assert_eq!(plain, json, "the same answer either way");
    assert_ne!(
        plain_etag, gzip_etag,
        "each representation has its own ETag"
    );

    let ((status, _, _, _), body) = get(true, gzip_etag.as_deref()).await;
    assert_eq!(status, 304, "revalidated from the cache");
    assert!(body.is_empty());
}

both_engines!(authenticated_reads_keep_rows_and_a_write_drops_its_owner_s);
async fn authenticated_reads_keep_rows_and_a_write_drops_its_owner_s(engine: Engine) {
    const PAGE: &str = "query($id: ID!) { film(id: $id) { synopsis genres scores { value } trivia { question } } }";
    let app = cached_app(engine, Dataset::MButterfly, 32).await;
    let tokens = reviewers(&app).await;
    let id = film(&app, SLUG).await.1["id"].clone();
    let read = async || {
        let before = app.statements.load(std::sync::atomic::Ordering::SeqCst);
        let (verdict, body) = ask(&app, Some(&tokens.0), PAGE, json!({ "id": id })).await;
        assert_eq!(verdict, "BYPASS", "an account's answer is never kept whole");
        let statements = app.statements.load(std::sync::atomic::Ordering::SeqCst) - before;
        (statements, body["data"]["film"].clone())
    };

    let (cold, first) = read().await;
    let (warm, again) = read().await;
    assert_eq!(again, first);
    assert!(
        warm + 4 <= cold,
        "{engine:?}: the film, its genres, scores and trivia come from the row cache: {cold} then {warm} statements"
    );
    let rows = app.row_cache_stats();
    assert!(rows.hits >= 4 && rows.entries >= 4, "{engine:?}: {rows:?}");

    // Anonymous requests never read or fill it.
    film(&app, SLUG).await;
    ask(&app, None, PAGE, json!({ "id": id })).await;
    let after_anonymous = app.row_cache_stats();
    assert_eq!(
        (after_anonymous.hits, after_anonymous.misses),
        (rows.hits, rows.misses),
        "{engine:?}"
    );

    // A change to the film drops its rows: the next authenticated read sees it.
    fix_synopsis(&app, &tokens, &id, "Rows follow the approval.").await;
    let (_, after) = read().await;
    assert_eq!(after["synopsis"], "Rows follow the approval.", "{engine:?}");
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

/// Runs `stinger-admin` against `db`, asserting success; its standard output.
fn admin_ok(db: &stinger_tests::TestDb, args: &[&str]) -> String {
    let output = std::process::Command::new(stinger_tests::process::binary("stinger-admin"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &db.url)
        .env("STINGER_DATA_DIR", db.dir.path())
        .args(args)
        .output()
        .expect("stinger-admin runs");
    assert!(
        output.status.success(),
        "stinger-admin {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

const COUNT: &str = "{ films(first: 1) { totalCount } }";

/// How long another process may serve a value after the change committed (README, "Read
/// cache"): PostgreSQL notifies at once; on SQLite a server looks once a watch interval.
fn other_process_bound(engine: Engine) -> std::time::Duration {
    let slack = std::time::Duration::from_secs(1);
    match engine {
        Engine::Postgres => slack,
        Engine::Sqlite => stinger_api::cache::watch::INTERVAL + slack,
    }
}

both_engines!(
    an_import_by_stinger_admin_is_seen_by_a_running_server,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn an_import_by_stinger_admin_is_seen_by_a_running_server(engine: Engine) {
    let app = cached_app(engine, Dataset::MButterfly, 32).await;
    let (_, before) = ask(&app, None, COUNT, json!({})).await;
    assert_eq!(ask(&app, None, COUNT, json!({})).await.0, "HIT");

    let source = stinger_tests::TestDb::new(engine, Dataset::Empty).await;
    admin_ok(&source, &["generate", "--films", "3", "--seed", "13"]);
    let file = source.dir.path().join("three.ndjson");
    admin_ok(&source, &["export", "--output", file.to_str().unwrap()]);
    admin_ok(&app.test_db, &["import", "stinger", file.to_str().unwrap()]);

    let started = std::time::Instant::now();
    loop {
        let (verdict, now) = ask(&app, None, COUNT, json!({})).await;
        if now != before {
            assert_eq!(verdict, "MISS");
            let total = now["data"]["films"]["totalCount"].as_i64().unwrap();
            assert_eq!(
                total,
                before["data"]["films"]["totalCount"].as_i64().unwrap() + 3
            );
            break;
        }
        assert!(
            started.elapsed() < other_process_bound(engine),
            "{engine:?}: the import is still unseen after {:?}",
            started.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

both_engines!(
    a_second_process_serves_the_new_value_within_the_bound,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn a_second_process_serves_the_new_value_within_the_bound(engine: Engine) {
    let app = cached_app(engine, Dataset::MButterfly, 32).await;
    let data_dir = tempfile::tempdir().unwrap();
    let other = stinger_tests::ServerProcess::start(&[
        ("DATABASE_URL", app.test_db.url.as_str()),
        ("STINGER_DATA_DIR", &data_dir.path().display().to_string()),
        ("STINGER_MIGRATE", "false"),
        ("STINGER_DEMO_DATA", "false"),
        ("STINGER_READ_CACHE", "on"),
    ]);
    let client = reqwest::Client::new();
    let read = async || {
        let response = client
            .post(format!("{}/graphql", other.base_url))
            .json(&json!({"query": FILM, "variables": {"slug": SLUG}}))
            .send()
            .await
            .expect("the other process answers");
        let verdict = response.headers()["x-stinger-cache"]
            .to_str()
            .unwrap()
            .to_owned();
        let body: Value = response.json().await.unwrap();
        (verdict, body["data"]["film"].clone())
    };
    let (verdict, before) = read().await;
    assert_eq!(verdict, "MISS");
    assert_eq!(read().await.0, "HIT");

    fix_synopsis(
        &app,
        &reviewers(&app).await,
        &before["id"],
        "Seen by every process.",
    )
    .await;
    let started = std::time::Instant::now();
    loop {
        let (_, now) = read().await;
        if now["synopsis"] == "Seen by every process." {
            break;
        }
        assert!(
            started.elapsed() < other_process_bound(engine),
            "{engine:?}: the other process still serves the old synopsis after {:?}",
            started.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
