//! The authorisation and abuse findings of issue 8 (4–11), each over a real server: what the
//! public sees of revisions, edits shown only to the re-loaded account that may see them, login
//! and password throttles, refresh rotation under concurrency, bounded search, timeouts, files.

use entity::Role;
use serde_json::{Value, json};
use stinger_api::service::account;
use stinger_tests::{Dataset, Engine, TestApp, both_engines, spawn_app};

const SLUG: &str = "m-butterfly-1993";

async fn film_id(app: &TestApp) -> Value {
    app.data(
        "query($s: String!) { film(slug: $s) { id } }",
        json!({"s": SLUG}),
    )
    .await["film"]["id"]
        .clone()
}

/// An editor's approved tagline correction; returns the edit's global id.
async fn approved_edit(app: &TestApp, editor: &str, admin: &str) -> Value {
    let film = film_id(app).await;
    let proposed = app
        .data_as(
            editor,
            "mutation($input: ProposeEditInput!) { proposeEdit(input: $input) { edit { id } } }",
            json!({"input": {"operation": "UPDATE", "targetId": film,
                "changes": {"film": {"tagline": "Corrected"}}, "reason": "From the poster."}}),
        )
        .await;
    let id = proposed["proposeEdit"]["edit"]["id"].clone();
    app.data_as(
        admin,
        "mutation($id: ID!) { approveEdit(input: {editId: $id, note: \"Checked the poster.\"}) { edit { status } } }",
        json!({"id": id}),
    )
    .await;
    id
}

const HISTORY: &str = "{ recentChanges(first: 1) { edges { node { diff { field after } reason createdAt actor { username role active } author { username role } reviewNote edit { id } } } } }";

both_engines!(anonymous_readers_see_what_changed_and_when_but_not_who_or_the_notes);
async fn anonymous_readers_see_what_changed_and_when_but_not_who_or_the_notes(engine: Engine) {
    let app = spawn_app(engine, Dataset::MButterfly).await;
    let editor = app.user_token("eddie", Role::Editor).await;
    let admin = app.user_token("ada", Role::Admin).await;
    approved_edit(&app, &editor, &admin).await;

    let public = app.data(HISTORY, json!({})).await["recentChanges"]["edges"][0]["node"].clone();
    assert_eq!(
        public["diff"],
        json!([{"field": "tagline", "after": "Corrected"}]),
        "{engine:?}"
    );
    assert!(public["createdAt"].is_string(), "{public}");
    assert_eq!(public["reason"], "From the poster.");
    for staff_only in ["actor", "author", "reviewNote", "edit"] {
        assert!(
            public[staff_only].is_null(),
            "{engine:?}: {staff_only} is public: {public}"
        );
    }

    // Staff still see who and why.
    let staff =
        app.data_as(&admin, HISTORY, json!({})).await["recentChanges"]["edges"][0]["node"].clone();
    assert_eq!(staff["actor"]["username"], "ada", "{staff}");
    assert_eq!(staff["author"]["username"], "eddie");
    assert_eq!(staff["reviewNote"], "Checked the poster.");
    assert!(staff["edit"]["id"].is_string());
}

const NODE: &str = "query($id: ID!) { node(id: $id) { ... on Edit { number status } } nodes(ids: [$id]) { ... on Edit { number } } }";
const REVISION_EDIT: &str =
    "{ recentChanges(first: 1) { edges { node { edit { number } reviewNote } } } }";

both_engines!(a_demoted_admin_or_disabled_editor_reads_no_edit_with_an_old_token);
async fn a_demoted_admin_or_disabled_editor_reads_no_edit_with_an_old_token(engine: Engine) {
    let app = spawn_app(engine, Dataset::MButterfly).await;
    let editor = app.user_token("eddie", Role::Editor).await;
    let admin = app.user_token("ada", Role::Admin).await;
    let edit = approved_edit(&app, &editor, &admin).await;

    // Before: each sees the edit through every path.
    for token in [&admin, &editor] {
        let data = app.data_as(token, NODE, json!({"id": edit})).await;
        assert!(data["node"]["number"].is_i64(), "{engine:?}: {data}");
        assert!(data["nodes"][0]["number"].is_i64(), "{data}");
        let data = app.data_as(token, REVISION_EDIT, json!({})).await;
        assert!(
            data["recentChanges"]["edges"][0]["node"]["edit"]["number"].is_i64(),
            "{data}"
        );
    }

    // The admin is demoted and the editor disabled; their tokens are still within their TTL.
    let ada = account::find_by_username(&app.db, "ada")
        .await
        .unwrap()
        .unwrap();
    account::set_role(&app.db, ada.id, Role::Editor)
        .await
        .unwrap();
    let eddie = account::find_by_username(&app.db, "eddie")
        .await
        .unwrap()
        .unwrap();
    account::set_active(&app.db, eddie.id, false).await.unwrap();

    for (who, token) in [("demoted admin", &admin), ("disabled editor", &editor)] {
        let data = app.data_as(token, NODE, json!({"id": edit})).await;
        assert!(
            data["node"].is_null(),
            "{engine:?} {who}: node shows {data}"
        );
        assert!(
            data["nodes"][0].is_null(),
            "{engine:?} {who}: nodes shows {data}"
        );
        let data = app.data_as(token, REVISION_EDIT, json!({})).await;
        let revision = &data["recentChanges"]["edges"][0]["node"];
        assert!(
            revision["edit"].is_null(),
            "{engine:?} {who}: Revision.edit shows {data}"
        );
        assert!(revision["reviewNote"].is_null(), "{engine:?} {who}: {data}");
    }
}

fn codes(data: &Value, field_prefix: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            data[format!("{field_prefix}{i}")]["userErrors"][0]["code"]
                .as_str()
                .unwrap_or("none")
                .to_owned()
        })
        .collect()
}

/// A client whose requests come from 127.0.0.2: another address than the owner's 127.0.0.1.
fn stranger() -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap()
}

async fn post_from(
    client: &reqwest::Client,
    app: &TestApp,
    token: Option<&str>,
    query: &str,
) -> Value {
    let mut request = client
        .post(app.url("/graphql"))
        .json(&json!({"query": query}));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().json().await.unwrap()
}

fn login_guess(n: usize) -> String {
    format!(
        "mutation {{ login(input: {{username: \"ada\", password: \"wrong guess number {n}\"}}) {{ accessToken userErrors {{ code }} }} }}"
    )
}

#[tokio::test]
async fn a_stranger_guessing_an_admin_password_cannot_lock_the_owner_out() {
    let app = spawn_app(Engine::Sqlite, Dataset::Empty).await;
    app.user_token("ada", Role::Admin).await;
    let stranger = stranger();

    // Ten aliased guesses in one request: one is checked, the rest refused unchecked.
    let aliases: String = (0..10)
        .map(|i| format!("a{i}: login(input: {{username: \"ada\", password: \"wrong guess number {i}\"}}) {{ accessToken userErrors {{ code }} }} "))
        .collect();
    let body = post_from(&stranger, &app, None, &format!("mutation {{ {aliases} }}")).await;
    let codes = codes(&body["data"], "a", 10);
    assert_eq!(
        codes.iter().filter(|c| *c == "INVALID_CREDENTIALS").count(),
        1,
        "{codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|c| *c == "RATE_LIMITED").count(),
        9,
        "{codes:?}"
    );

    // The stranger's next guesses back off: after three failures they are refused unchecked.
    let mut last = String::new();
    for n in 0..4 {
        let body = post_from(&stranger, &app, None, &login_guess(n)).await;
        last = body["data"]["login"]["userErrors"][0]["code"]
            .as_str()
            .unwrap()
            .to_owned();
    }
    assert_eq!(last, "RATE_LIMITED");

    // The owner, from their own address, logs in at once.
    let owner = app.login("ada", stinger_tests::TEST_PASSWORD).await;
    assert!(
        owner["accessToken"].is_string(),
        "the owner is locked out: {owner}"
    );
}

/// Issue 8, finding 5: a botnet, each address staying under the per-address backoff, can reach
/// the account-wide limit. That limit then refuses new addresses, bounding the distributed guess
/// rate, but not the owner's address, which logged in before.
#[tokio::test]
async fn guesses_from_many_addresses_do_not_lock_the_owner_out() {
    let app = spawn_app(Engine::Sqlite, Dataset::Empty).await;
    app.user_token("ada", Role::Admin).await;
    let from = |address: [u8; 4]| {
        reqwest::Client::builder()
            .local_address(std::net::IpAddr::from(address))
            .build()
            .unwrap()
    };
    let limit = stinger_api::auth::throttle::MAX_FAILURES_PER_ACCOUNT as usize;
    let free = stinger_api::auth::throttle::FREE_FAILURES as usize;
    let bots = limit.div_ceil(free);
    let mut checked = 0;
    for bot in 0..bots {
        let client = from([127, 0, 1 + (bot / 200) as u8, 1 + (bot % 200) as u8]);
        for n in 0..free {
            let body = post_from(&client, &app, None, &login_guess(n)).await;
            match body["data"]["login"]["userErrors"][0]["code"].as_str() {
                Some("INVALID_CREDENTIALS") => checked += 1,
                Some("RATE_LIMITED") => {}
                _ => panic!("bot {bot}, guess {n}: {body}"),
            }
        }
    }
    assert_eq!(
        checked, limit,
        "guesses checked before the account-wide limit"
    );
    let right = format!(
        "mutation {{ login(input: {{username: \"ada\", password: \"{}\"}}) {{ accessToken userErrors {{ code }} }} }}",
        stinger_tests::TEST_PASSWORD
    );
    let newcomer = post_from(&from([127, 0, 9, 9]), &app, None, &right).await;
    assert_eq!(
        newcomer["data"]["login"]["userErrors"][0]["code"], "RATE_LIMITED",
        "a new address is refused while the account is under attack: {newcomer}"
    );
    for _ in 0..2 {
        let owner = app.login("ada", stinger_tests::TEST_PASSWORD).await;
        assert!(
            owner["accessToken"].is_string(),
            "the owner is locked out: {owner}"
        );
    }
}

const CHANGE: &str = "mutation($c: String!, $n: String!) { changePassword(input: {currentPassword: $c, newPassword: $n}) { ok userErrors { field code } } }";

#[tokio::test]
async fn change_password_answers_nothing_about_the_current_password_and_is_throttled() {
    let app = spawn_app(Engine::Sqlite, Dataset::Empty).await;
    let token = app.user_token("eddie", Role::Editor).await;

    // A too-short new password gets the same answer whether the current one is right or not.
    for current in [stinger_tests::TEST_PASSWORD, "a wrong guess at it"] {
        let data = app
            .data_as(&token, CHANGE, json!({"c": current, "n": "short"}))
            .await;
        assert_eq!(
            data["changePassword"]["userErrors"][0]["code"], "PASSWORD_TOO_SHORT",
            "current {current:?}: {data}"
        );
    }

    // Fifteen aliased guesses in one request: one is checked.
    let aliases: String = (0..15)
        .map(|i| format!("g{i}: changePassword(input: {{currentPassword: \"guess {i} of the password\", newPassword: \"a brand new long password\"}}) {{ ok userErrors {{ code }} }} "))
        .collect();
    let data = app
        .data_as(&token, &format!("mutation {{ {aliases} }}"), json!({}))
        .await;
    let codes = codes(&data, "g", 15);
    assert_eq!(
        codes.iter().filter(|c| *c == "INVALID_CREDENTIALS").count(),
        1,
        "{codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|c| *c == "RATE_LIMITED").count(),
        14,
        "{codes:?}"
    );

    // Guesses one request at a time back off too.
    let mut last = Value::Null;
    for n in 0..3 {
        last = app
            .data_as(
                &token,
                CHANGE,
                json!({"c": format!("another guess {n} at it"), "n": "a brand new long password"}),
            )
            .await;
    }
    assert_eq!(
        last["changePassword"]["userErrors"][0]["code"], "RATE_LIMITED",
        "{last}"
    );
}

const REFRESH: &str = "mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { refreshToken userErrors { code } } }";

async fn refresh(app: &TestApp, token: &str) -> Option<String> {
    let data = app.data(REFRESH, json!({"t": token})).await;
    data["refreshToken"]["refreshToken"]
        .as_str()
        .map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_refreshes_of_one_token_leave_no_working_token_on_postgres() {
    if !stinger_tests::postgres_enabled(module_path!()) {
        return;
    }
    let app = spawn_app(Engine::Postgres, Dataset::Empty).await;
    app.user_token("eddie", Role::Editor).await;
    for round in 0..12 {
        let login = app.login("eddie", stinger_tests::TEST_PASSWORD).await;
        let token = login["refreshToken"].as_str().unwrap().to_owned();
        let results = futures_util::future::join_all((0..3).map(|_| refresh(&app, &token))).await;
        let winners: Vec<String> = results.into_iter().flatten().collect();
        assert!(
            winners.len() <= 1,
            "round {round}: {} refreshes won",
            winners.len()
        );
        // The token was used more than once, so its family is revoked: nothing issued works.
        for winner in winners {
            assert_eq!(
                refresh(&app, &winner).await,
                None,
                "round {round}: the winner's token survived the reuse"
            );
        }
    }
}

const SEARCH: &str = "query($q: String!) { search(query: $q) { __typename } }";

both_engines!(search_text_and_fan_out_are_bounded);
async fn search_text_and_fan_out_are_bounded(engine: Engine) {
    let app = spawn_app(engine, Dataset::MButterfly).await;
    let started = std::time::Instant::now();

    let eight = "m butterfly a b c d e f";
    assert!(
        app.graphql(SEARCH, json!({"q": eight}))
            .await
            .get("errors")
            .is_none()
    );
    for (what, text) in [
        ("nine words", "m butterfly a b c d e f g".to_owned()),
        ("201 characters", "b".repeat(201)),
        ("90 KB of one-letter words", "a ".repeat(45_000)),
    ] {
        let body = app.graphql(SEARCH, json!({"q": text})).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{engine:?} {what}: {body}"
        );
    }

    // Forty aliased searches in one request are refused before any runs.
    let aliases: String = (0..40)
        .map(|i| format!("s{i}: search(query: $q) {{ __typename }} "))
        .collect();
    let body = app
        .graphql(
            &format!("query($q: String!) {{ {aliases} }}"),
            json!({"q": "butterfly"}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED",
        "{engine:?}: {body}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );

    let data = app.data(SEARCH, json!({"q": "butterfly"})).await;
    assert_eq!(data["search"][0]["__typename"], "Film", "{engine:?}");
}

async fn show(app: &TestApp, sql: &str) -> String {
    use sea_orm::{ConnectionTrait, Statement};
    let row = app
        .db
        .query_one_raw(Statement::from_string(app.db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<String>(0)
        .or_else(|_| row.try_get_by_index::<i64>(0).map(|n| n.to_string()))
        .unwrap()
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_database_and_its_directory_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let scratch = tempfile::tempdir().unwrap();
    let data = scratch.path().join("data");
    let dir = data.display().to_string();
    let server = stinger_tests::ServerProcess::start(&[
        ("STINGER_DATA_DIR", dir.as_str()),
        ("STINGER_DEMO_DATA", "false"),
    ]);
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700, "data directory");
    assert_eq!(mode(&data.join("stinger.db")), 0o600, "database file");
    drop(server);
}

#[tokio::test]
async fn every_postgres_connection_has_statement_lock_and_idle_transaction_timeouts() {
    if !stinger_tests::postgres_enabled(module_path!()) {
        return;
    }
    let app = stinger_tests::spawn_app_with(Engine::Postgres, Dataset::MButterfly, |c| {
        c.database.timeouts.statement = std::time::Duration::from_millis(4000);
        c.database.timeouts.lock = std::time::Duration::from_millis(500);
        c.database.timeouts.idle_in_transaction = std::time::Duration::from_millis(20_000);
    })
    .await;
    assert_eq!(show(&app, "SHOW statement_timeout").await, "4s");
    assert_eq!(show(&app, "SHOW lock_timeout").await, "500ms");
    assert_eq!(
        show(&app, "SHOW idle_in_transaction_session_timeout").await,
        "20s"
    );

    // An approval that waits on a row someone else holds gives up after the lock timeout
    // instead of hanging, and works once the row is free.
    let editor = app.user_token("eddie", Role::Editor).await;
    let admin = app.user_token("ada", Role::Admin).await;
    let film = film_id(&app).await;
    let proposed = app
        .data_as(
            &editor,
            "mutation($input: ProposeEditInput!) { proposeEdit(input: $input) { edit { id } } }",
            json!({"input": {"operation": "UPDATE", "targetId": film,
                "changes": {"film": {"tagline": "Held"}}, "reason": "From the poster."}}),
        )
        .await;
    let edit = proposed["proposeEdit"]["edit"]["id"].clone();
    let holder = app.test_db.connect().await;
    let txn = sea_orm::TransactionTrait::begin(&holder).await.unwrap();
    sea_orm::ConnectionTrait::execute_unprepared(&txn, "SELECT * FROM film FOR UPDATE")
        .await
        .unwrap();
    let approve = "mutation($id: ID!) { approveEdit(input: {editId: $id}) { edit { status } } }";
    let started = std::time::Instant::now();
    let body = app.graphql_as(&admin, approve, json!({"id": edit})).await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(body.get("errors").is_some(), "{body}");
    txn.rollback().await.unwrap();
    let data = app.data_as(&admin, approve, json!({"id": edit})).await;
    assert_eq!(data["approveEdit"]["edit"]["status"], "APPROVED");
}

#[tokio::test]
async fn sqlite_connections_wait_the_configured_busy_timeout() {
    let app = stinger_tests::spawn_app_with(Engine::Sqlite, Dataset::Empty, |c| {
        c.database.timeouts.sqlite_busy = std::time::Duration::from_millis(1234);
    })
    .await;
    assert_eq!(show(&app, "PRAGMA busy_timeout").await, "1234");
}

#[tokio::test]
async fn a_body_trickled_slowly_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = stinger_tests::spawn_app_with(Engine::Sqlite, Dataset::Empty, |c| {
        c.limits.body_timeout = std::time::Duration::from_millis(500);
    })
    .await;
    let mut stream = tokio::net::TcpStream::connect(app.address).await.unwrap();
    stream
        .write_all(b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut response = Vec::new();
    let read = async {
        let mut buffer = [0u8; 1024];
        loop {
            // One more byte a while, as a slow client would, until the server answers.
            let _ = stream.write_all(b" ").await;
            match tokio::time::timeout(
                std::time::Duration::from_millis(200),
                stream.read(&mut buffer),
            )
            .await
            {
                Ok(Ok(0)) | Ok(Err(_)) => break,
                Ok(Ok(n)) => {
                    response.extend_from_slice(&buffer[..n]);
                    break;
                }
                Err(_) => {}
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(5), read)
        .await
        .expect("the server answered a slow body in time");
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
}

#[tokio::test]
async fn introspection_suggestions_and_graphiql_follow_the_configuration() {
    // Defaults: introspection and GraphiQL on, suggestions off.
    let app = spawn_app(Engine::Sqlite, Dataset::Empty).await;
    let data = app
        .data("{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(data["__schema"]["queryType"]["name"], "Query");
    let body = app
        .graphql("{ flms(first: 1) { totalCount } }", json!({}))
        .await;
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains("Did you mean"), "{message}");
    let html = app
        .client
        .get(app.url("/graphql"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(
        html.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );

    let app = stinger_tests::spawn_app_with(Engine::Sqlite, Dataset::Empty, |c| {
        c.limits.introspection = false;
        c.limits.suggestions = true;
        c.limits.graphiql = false;
    })
    .await;
    let body = app
        .graphql("{ __schema { queryType { name } } }", json!({}))
        .await;
    assert!(body["data"]["__schema"].is_null(), "{body}");
    let body = app
        .graphql("{ flms(first: 1) { totalCount } }", json!({}))
        .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Did you mean"),
        "{body}"
    );
    let page = app
        .client
        .get(app.url("/graphql"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(
        !page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}
