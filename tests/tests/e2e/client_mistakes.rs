//! Every mistake a client can make is answered as its mistake: a `BAD_USER_INPUT`, validation,
//! parse or limit error with a message that says what is wrong, never `INTERNAL`, and never an
//! ERROR line in the server's log. Sent to the real binary, whose log the test reads.

use entity::Role;
use serde_json::{Value, json};
use stinger_tests::{Dataset, Engine, ServerProcess, both_engines, spawn_app};

/// A mistake, the codes that may answer it, and words its message must contain.
struct Mistake {
    what: &'static str,
    query: &'static str,
    variables: Value,
    codes: &'static [&'static str],
    says: &'static [&'static str],
}

const INPUT: &[&str] = &["BAD_USER_INPUT"];
const INPUT_OR_INVALID: &[&str] = &["BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"];
const INVALID: &[&str] = &["GRAPHQL_VALIDATION_FAILED"];

fn catalogue() -> Vec<Mistake> {
    vec![
        Mistake {
            what: "a required variable not sent",
            query: "query($s: String!) { film(slug: $s) { title } }",
            variables: json!({}),
            codes: INPUT_OR_INVALID,
            says: &["s"],
        },
        Mistake {
            what: "null for a required variable",
            query: "query($s: String!) { film(slug: $s) { title } }",
            variables: json!({"s": null}),
            codes: INPUT_OR_INVALID,
            says: &["slug"],
        },
        Mistake {
            what: "a malformed DateTime literal",
            query: r#"{ edits(filter: { since: "yesterday" }) { totalCount } }"#,
            variables: json!({}),
            codes: INPUT_OR_INVALID,
            says: &["DateTime"],
        },
        Mistake {
            what: "a malformed DateTime in a variable",
            query: "query($f: EditFilter) { edits(filter: $f) { totalCount } }",
            variables: json!({"f": {"since": "yesterday"}}),
            codes: INPUT_OR_INVALID,
            says: &["DateTime"],
        },
        Mistake {
            what: "a string for an Int variable",
            query: "query($n: Int) { films(first: $n) { totalCount } }",
            variables: json!({"n": "ten"}),
            codes: INPUT_OR_INVALID,
            says: &["Int"],
        },
        Mistake {
            what: "an Int beyond 32 bits",
            query: "{ films(first: 99999999999) { totalCount } }",
            variables: json!({}),
            codes: INPUT_OR_INVALID,
            says: &["Int"],
        },
        Mistake {
            what: "an unknown enum value",
            query: "{ films(orderBy: { field: POPULARITY }) { totalCount } }",
            variables: json!({}),
            codes: INPUT_OR_INVALID,
            says: &["POPULARITY"],
        },
        Mistake {
            what: "an unknown enum value in a variable",
            query: "query($s: EditStatus) { edits(filter: { status: $s }) { totalCount } }",
            variables: json!({"s": "OPEN"}),
            codes: INPUT_OR_INVALID,
            says: &["OPEN"],
        },
        Mistake {
            what: "an unknown field of an input object in a variable",
            query: "query($f: FilmFilter) { films(filter: $f) { totalCount } }",
            variables: json!({"f": {"director": "Cronenberg"}}),
            codes: INPUT_OR_INVALID,
            says: &["director"],
        },
        Mistake {
            what: "an object where a list of ids is expected",
            query: "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            variables: json!({"ids": {"a": 1}}),
            codes: INPUT_OR_INVALID,
            says: &["ID"],
        },
        Mistake {
            what: "an id of the wrong kind",
            query: r#"{ edits(filter: { author: "RmlsbToxMjM" }) { totalCount } }"#,
            variables: json!({}),
            codes: INPUT,
            says: &["author"],
        },
        Mistake {
            what: "a cursor that is not one",
            query: r#"{ films(after: "not a cursor") { totalCount } }"#,
            variables: json!({}),
            codes: INPUT,
            says: &["cursor"],
        },
        Mistake {
            what: "a negative page size",
            query: "{ films(first: -1) { totalCount } }",
            variables: json!({}),
            codes: INPUT,
            says: &["between 0 and"],
        },
        Mistake {
            what: "an unknown field",
            query: "{ film(slug: \"m-butterfly-1993\") { title budget } }",
            variables: json!({}),
            codes: INVALID,
            says: &["budget"],
        },
        Mistake {
            what: "an unknown argument",
            query: "{ film(slugg: \"m-butterfly-1993\") { title } }",
            variables: json!({}),
            codes: INVALID,
            says: &["slugg"],
        },
        Mistake {
            what: "a subscription over HTTP",
            query: "subscription { editEvents { number } }",
            variables: json!({}),
            codes: INPUT_OR_INVALID,
            says: &["ubscription"],
        },
        Mistake {
            what: "a syntax error",
            query: "{ film(slug: ",
            variables: json!({}),
            codes: &["GRAPHQL_PARSE_FAILED"],
            says: &["line 1", "expected"],
        },
        Mistake {
            what: "a query beyond the cost limit",
            query: "{ films(first: 100) { edges { node { cast(first: 100) { edges { node { person { credits(first: 100) { totalCount } } } } } } } } }",
            variables: json!({}),
            codes: &["LIMIT_EXCEEDED"],
            says: &["too complex", "costs", "limit is 20000"],
        },
    ]
}

async fn post(base: &str, token: &str, body: Value) -> Value {
    reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("the body is JSON")
}

both_engines!(
    client_mistakes_are_never_internal_errors,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn client_mistakes_are_never_internal_errors(engine: Engine) {
    // The real binary on this test's database and data directory (so its signing secret).
    let app = spawn_app(engine, Dataset::MButterfly).await;
    let data_dir = app.test_db.dir.path().display().to_string();
    let server = ServerProcess::start_capturing(&[
        ("DATABASE_URL", app.test_db.url.as_str()),
        ("STINGER_DATA_DIR", data_dir.as_str()),
        ("RUST_LOG", "info"),
        ("STINGER_LOG_FORMAT", "json"),
    ]);
    let editor = app.user_token("eddie", Role::Editor).await;

    let mut wrong = Vec::new();
    for mistake in catalogue() {
        let body = post(
            &server.base_url,
            &editor,
            json!({"query": mistake.query, "variables": mistake.variables}),
        )
        .await;
        let what = mistake.what;
        let Some(errors) = body["errors"].as_array().filter(|e| !e.is_empty()) else {
            wrong.push(format!("{what}: no errors in {body}"));
            continue;
        };
        for error in errors {
            let code = error["extensions"]["code"].as_str().unwrap_or("(none)");
            if !mistake.codes.contains(&code) {
                wrong.push(format!(
                    "{what}: code {code}, expected one of {:?}: {body}",
                    mistake.codes
                ));
            }
        }
        let message = errors[0]["message"].as_str().unwrap_or("");
        for words in mistake.says {
            if !message.contains(words) {
                wrong.push(format!(
                    "{what}: the message does not say {words:?}: {message}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{engine:?}:\n{}", wrong.join("\n"));

    // The server is not troubled: nothing logged as an error.
    let log = server.log_lines();
    let errors: Vec<&String> = log
        .iter()
        .filter(|line| {
            serde_json::from_str::<Value>(line).is_ok_and(|entry| entry["level"] == "ERROR")
        })
        .collect();
    assert!(
        errors.is_empty(),
        "{engine:?}: client mistakes logged errors: {errors:#?}"
    );
    assert!(
        log.iter().any(|line| line.contains("listening")),
        "{engine:?}: the log was captured: {log:#?}"
    );
}
