//! The production shape (README, "Deployment"; files in `deploy/`): several `stinger-api`
//! processes behind a load balancer on one PostgreSQL database. A client's requests land on
//! any of them, so whatever one process does the others must serve and announce at once: a
//! login made through one works on the other, an edit proposed and approved through one is heard
//! by a subscriber of the other and shows on its film page, and `stinger-admin` may talk to
//! either.

use crate::cli_remote::Terminal;
use crate::events::{next_event, subscribe_at};
use entity::Role;
use serde_json::{Value, json};
use stinger_api::service::account;
use stinger_tests::ws::Socket;
use stinger_tests::{Dataset, Engine, ServerProcess, TEST_PASSWORD, TestDb, postgres_enabled};

/// The token-signing secret every process of the cluster shares (as the deployment's
/// environment file gives it to each of them).
const SHARED_SECRET: &str = "one-signing-secret-for-every-process-of-the-cluster";

/// Starts `stinger-api` on `db` as a host of its own would run it: its own data directory,
/// the cluster's secret, no migrations (the deployment runs `stinger-admin migrate` once).
fn start_process(db: &TestDb, data_dir: &tempfile::TempDir) -> ServerProcess {
    ServerProcess::start(&[
        ("DATABASE_URL", db.url.as_str()),
        ("STINGER_DATA_DIR", &data_dir.path().display().to_string()),
        ("STINGER_JWT_SECRET", SHARED_SECRET),
        ("STINGER_MIGRATE", "false"),
        ("STINGER_DEMO_DATA", "false"),
    ])
}

/// The film page a frontend fetches (GET, as browsers and caches do) from `base`.
async fn tagline(base: &str) -> Value {
    let body: Value = reqwest::Client::new()
        .get(format!("{base}/graphql"))
        .query(&[(
            "query",
            "{ film(slug: \"m-butterfly-1993\") { tagline version } }",
        )])
        .send()
        .await
        .expect("the process answers")
        .json()
        .await
        .expect("a JSON body");
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["film"]["tagline"].clone()
}

/// Logs `username` in over HTTP at `base`; returns the access token.
async fn login(base: &str, username: &str) -> String {
    let body: Value = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .json(&json!({
            "query": "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken } }",
            "variables": {"u": username, "p": TEST_PASSWORD},
        }))
        .send()
        .await
        .expect("the process answers")
        .json()
        .await
        .expect("a JSON body");
    body["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("no access token: {body}"))
        .to_owned()
}

/// Submits a new tagline through `terminal`'s server; returns the edit's number.
fn submit_tagline(terminal: &Terminal, tagline: &str) -> i64 {
    let submitted = terminal.json(&[
        "submit",
        "film",
        "m-butterfly-1993",
        "--set",
        &format!("tagline={tagline}"),
        "--reason",
        "On the poster",
    ]);
    submitted["edit"]["number"]
        .as_i64()
        .unwrap_or_else(|| panic!("no edit number: {submitted}"))
}

async fn expect_event(ws: &mut Socket, number: i64, status: &str, seen_by: &str) {
    assert_eq!(
        next_event(ws).await,
        (number, status.to_owned()),
        "the subscriber on {seen_by}"
    );
}

// Multi-threaded: the CLI runs as blocking child processes while the sockets stay open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_api_processes_on_one_postgres_database_serve_and_announce_each_others_changes() {
    if !postgres_enabled(module_path!()) {
        return;
    }
    let db = TestDb::new(Engine::Postgres, Dataset::MButterfly).await;
    let connection = db.connect().await;
    for (name, role) in [("ada", Role::Admin), ("eddie", Role::Editor)] {
        account::create_user(&connection, name, TEST_PASSWORD, role)
            .await
            .expect("the account is created");
    }
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = start_process(&db, &dir_a);
    let b = start_process(&db, &dir_b);
    let (a_url, b_url) = (a.base_url.as_str(), b.base_url.as_str());

    // A login made through A works on B (one secret, sessions in the shared database): the
    // admin's live queue is a socket on B opened with A's token, and the editor's on A.
    let admin_token = login(a_url, "ada").await;
    let editor_token = login(b_url, "eddie").await;
    let mut queue_on_b = subscribe_at(b_url, Some(&admin_token)).await;
    let mut editor_on_a = subscribe_at(a_url, Some(&editor_token)).await;
    let before = tagline(b_url).await;

    // Proposed and approved through A, from the terminal …
    let (editor, admin) = (Terminal::at(a_url, &db.url), Terminal::at(a_url, &db.url));
    editor.login("eddie");
    admin.login("ada");
    let first = submit_tagline(&editor, "Heard across processes");
    expect_event(&mut queue_on_b, first, "PENDING", "B").await;
    admin.ok(&["edits", "approve", &first.to_string(), "--note", "ok"]);
    expect_event(&mut queue_on_b, first, "APPROVED", "B").await;
    expect_event(&mut editor_on_a, first, "PENDING", "A").await;
    expect_event(&mut editor_on_a, first, "APPROVED", "A").await;
    // … shows on B's film page, which B had served before the change.
    assert_ne!(before, json!("Heard across processes"));
    assert_eq!(tagline(b_url).await, "Heard across processes");
    assert_eq!(tagline(a_url).await, "Heard across processes");

    // The same terminals talk to B: the edit A approved is there with its revision, and an edit
    // proposed and reviewed through B is heard on both.
    let (mut editor, mut admin) = (editor, admin);
    editor.server = b_url.to_owned();
    admin.server = b_url.to_owned();
    editor.login("eddie");
    admin.login("ada");
    let shown = admin.json(&["edits", "show", &first.to_string()]);
    assert_eq!(shown["status"], "APPROVED", "{shown}");
    let history = admin.json(&["history", "m-butterfly-1993"]);
    assert_eq!(
        history[0]["diff"][0]["after"], "Heard across processes",
        "{history}"
    );
    let second = submit_tagline(&editor, "Rejected through B");
    admin.ok(&["edits", "reject", &second.to_string(), "--note", "no"]);
    for (socket, seen_by) in [(&mut queue_on_b, "B"), (&mut editor_on_a, "A")] {
        expect_event(socket, second, "PENDING", seen_by).await;
        expect_event(socket, second, "REJECTED", seen_by).await;
    }
    assert_eq!(tagline(a_url).await, "Heard across processes");
}
