//! The committed SDL (`api/schema.graphql`) must match the code, so every API change shows in
//! review. Regenerate with `STINGER_WRITE_SCHEMA=1 cargo test -p stinger-api --test schema`.

#[test]
fn the_committed_schema_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let sdl = stinger_api::graphql::schema::sdl();
    if std::env::var("STINGER_WRITE_SCHEMA").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &sdl).expect("write api/schema.graphql");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == sdl,
        "api/schema.graphql is stale: run `STINGER_WRITE_SCHEMA=1 cargo test -p stinger-api --test schema` and commit the file"
    );
}
