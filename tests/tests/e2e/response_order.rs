//! Response maps come back in the order the query asked for its fields (the GraphQL spec's
//! "Serialized Map Ordering"), aliases and nested objects included — not sorted.

use serde_json::json;
use stinger_tests::{Dataset, Engine, both_engines, spawn_app};

/// The keys of every JSON object in `text`, in the order they appear (a tiny scanner, so the
/// test does not depend on how a JSON library orders maps).
fn keys_in_order(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'"' {
            let start = i + 1;
            let mut end = start;
            while bytes[end] != b'"' {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            let mut after = end + 1;
            while bytes[after].is_ascii_whitespace() {
                after += 1;
            }
            if bytes[after] == b':' {
                keys.push(text[start..end].to_owned());
            }
            i = end + 1;
        } else {
            i += 1;
        }
    }
    keys
}

both_engines!(response_fields_follow_the_query_order_on_every_engine);
async fn response_fields_follow_the_query_order_on_every_engine(engine: Engine) {
    let app = spawn_app(engine, Dataset::MButterfly).await;
    // Every level is out of alphabetical order, with aliases that sort differently from the
    // fields they rename, so an alphabetical serialiser cannot pass by accident; the fields that
    // go through DataLoaders come first, so one that emits fields as they resolve cannot either.
    let query = r#"{
        zFilm: film(slug: "m-butterfly-1993") {
            title
            runtimeMinutes
            directors { name id }
            cast(first: 1) { totalCount edges { node { person { name id } character } } }
            ...Later
            aTitle: title
        }
        __typename
    }
    fragment Later on Film { version slug }"#;
    let text = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": query }))
        .send()
        .await
        .expect("the server answers")
        .text()
        .await
        .expect("a body");
    let body: serde_json::Value = serde_json::from_str(&text).expect("the body is JSON");
    assert!(body.get("errors").is_none(), "{engine:?}: {body:#}");
    assert_eq!(
        keys_in_order(&text),
        [
            "data",
            "zFilm",
            "title",
            "runtimeMinutes",
            "directors",
            "name",
            "id",
            "cast",
            "totalCount",
            "edges",
            "node",
            "person",
            "name",
            "id",
            "character",
            "version",
            "slug",
            "aTitle",
            "__typename",
        ],
        "{engine:?}: {text}"
    );
}
