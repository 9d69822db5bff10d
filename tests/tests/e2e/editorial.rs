//! The editorial workflow over real HTTP: proposing, reviewing, conflicts, history, reverts,
//! permissions, and concurrency on PostgreSQL.

use entity::Role;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use stinger_api::service::account;
use stinger_tests::{Dataset, Engine, TestApp, both_engines, spawn_app, spawn_app_with};

const FILM: &str = r#"query($slug: String!) { film(slug: $slug) { id version title synopsis runtimeMinutes tagline genres
    scores { id source kind value version }
    revisions(first: 10) { totalCount edges { node { version diff { field before after } reason actor { username } author { username } reviewNote } } } } }"#;

const PROPOSE: &str = r#"mutation($input: ProposeEditInput!) { proposeEdit(input: $input) {
    edit { id number status operation targetType targetId reason author { username } changes { field from to current } }
    userErrors { field message code } } }"#;

const APPROVE: &str = r#"mutation($id: ID!, $note: String) { approveEdit(input: {editId: $id, note: $note}) {
    edit { id status reviewNote reviewer { username } changes { field from to current } revision { id version } }
    userErrors { field message code } } }"#;

const REJECT: &str = r#"mutation($id: ID!, $note: String) { rejectEdit(input: {editId: $id, note: $note}) {
    edit { id status reviewNote reviewer { username } } userErrors { field message code } } }"#;

const WITHDRAW: &str = r#"mutation($id: ID!) { withdrawEdit(input: {editId: $id}) {
    edit { id status } userErrors { field message code } } }"#;

const SLUG: &str = "m-butterfly-1993";

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
}

async fn film(app: &TestApp) -> Value {
    app.data(FILM, json!({"slug": SLUG})).await["film"].clone()
}

fn audience_score(film: &Value) -> Value {
    film["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "ROTTEN_TOMATOES" && s["kind"] == "AUDIENCE")
        .cloned()
        .expect("M. Butterfly has a Rotten Tomatoes audience score")
}

async fn propose(app: &TestApp, token: &str, input: Value) -> Value {
    app.data_as(token, PROPOSE, json!({"input": input})).await["proposeEdit"].clone()
}

async fn approve(app: &TestApp, token: &str, id: &Value, note: Option<&str>) -> Value {
    app.data_as(token, APPROVE, json!({"id": id, "note": note}))
        .await["approveEdit"]
        .clone()
}

both_engines!(an_approved_correction_is_public_a_rejected_one_is_not_and_a_revert_restores);
async fn an_approved_correction_is_public_a_rejected_one_is_not_and_a_revert_restores(
    engine: Engine,
) {
    let app = spawn_app(engine, Dataset::MButterfly).await;
    let editor = app.user_token("editor", Role::Editor).await;
    let admin = app.user_token("admin", Role::Admin).await;
    let before = film(&app).await;
    let score = audience_score(&before);
    assert_eq!(score["value"].as_f64(), Some(0.0), "{engine:?}");

    // The editor proposes the two corrections of the fact sheet.
    let synopsis = propose(&app, &editor, json!({
        "operation": "UPDATE", "targetId": before["id"],
        "changes": {"film": {"synopsis": "In 1964 Beijing, a French diplomat falls for a star of the Peking Opera."}},
        "reason": "The story starts in 1964, not the 1980s (plot summary and trivia agree).",
    })).await;
    assert_eq!(synopsis["userErrors"], json!([]), "{synopsis}");
    let synopsis_edit = synopsis["edit"].clone();
    assert_eq!(synopsis_edit["status"], "PENDING");
    assert_eq!(synopsis_edit["author"]["username"], "editor");
    assert_eq!(synopsis_edit["changes"][0]["field"], "synopsis");
    assert_eq!(synopsis_edit["changes"][0]["from"], before["synopsis"]);

    let correction = propose(
        &app,
        &editor,
        json!({
            "operation": "UPDATE", "targetId": score["id"],
            "changes": {"score": {"value": null}},
            "reason": "0% is a missing value shown as zero: the audience score is unknown.",
            "evidence": "https://www.rottentomatoes.com/m/m_butterfly",
        }),
    )
    .await;
    assert_eq!(correction["userErrors"], json!([]));
    let score_edit = correction["edit"].clone();
    assert_eq!(
        score_edit["changes"],
        json!([{"field": "value", "from": 0.0, "to": null, "current": 0.0}])
    );

    // Nothing is public before review.
    assert_eq!(
        audience_score(&film(&app).await)["value"].as_f64(),
        Some(0.0)
    );

    // The editor sees their two edits.
    let mine = app
        .data_as(
            &editor,
            "{ edits(first: 10) { totalCount edges { node { number status } } } }",
            json!({}),
        )
        .await;
    assert_eq!(mine["edits"]["totalCount"], 2);

    // The admin approves the score correction and rejects the synopsis.
    let approved = approve(
        &app,
        &admin,
        &score_edit["id"],
        Some("Agreed: unknown is not zero."),
    )
    .await;
    assert_eq!(approved["userErrors"], json!([]), "{approved}");
    assert_eq!(approved["edit"]["status"], "APPROVED");
    assert_eq!(approved["edit"]["reviewer"]["username"], "admin");
    assert_eq!(
        approved["edit"]["revision"]["version"],
        score["version"].as_i64().unwrap() + 1
    );
    let rejected = app
        .data_as(
            &admin,
            REJECT,
            json!({"id": synopsis_edit["number"].to_string(), "note": "Please cite a source."}),
        )
        .await;
    assert_eq!(rejected["rejectEdit"]["edit"]["status"], "REJECTED");
    assert_eq!(
        rejected["rejectEdit"]["edit"]["reviewNote"],
        "Please cite a source."
    );

    // Public read shows exactly the approved change.
    let after = film(&app).await;
    let new_score = audience_score(&after);
    assert_eq!(new_score["value"], Value::Null);
    assert_eq!(new_score["version"], score["version"].as_i64().unwrap() + 1);
    assert_eq!(after["synopsis"], before["synopsis"]);
    assert_eq!(after["version"], before["version"]);

    // Approving again changes nothing and says why.
    let again = approve(&app, &admin, &score_edit["id"], None).await;
    assert_eq!(again["userErrors"][0]["code"], "NOT_PENDING");
    assert_eq!(
        audience_score(&film(&app).await)["version"],
        new_score["version"]
    );

    // The history shows staff who, why and the reviewer's note.
    let recent = app
        .data_as(&admin, "{ recentChanges(first: 1) { totalCount edges { node { id version targetType targetId diff { field before after } reason selfReviewed actor { username } author { username } reviewNote } } } }", json!({}))
        .await;
    let revision = recent["recentChanges"]["edges"][0]["node"].clone();
    assert_eq!(revision["targetType"], "SCORE");
    assert_eq!(revision["targetId"], score["id"]);
    assert_eq!(
        revision["diff"],
        json!([{"field": "value", "before": 0.0, "after": null}])
    );
    assert_eq!(revision["author"]["username"], "editor");
    assert_eq!(revision["actor"]["username"], "admin");
    assert_eq!(revision["reviewNote"], "Agreed: unknown is not zero.");
    assert_eq!(revision["selfReviewed"], false);
    assert!(
        revision["reason"]
            .as_str()
            .unwrap()
            .contains("missing value")
    );

    // A revert restores the earlier value, through a recorded, approved edit.
    let revert = app
        .data_as(&admin, "mutation($id: ID!) { revertRevision(input: {revisionId: $id, reason: \"Checked again: the page really says 0.\"}) { edit { status operation } userErrors { code message } } }", json!({"id": revision["id"]}))
        .await;
    assert_eq!(
        revert["revertRevision"]["userErrors"],
        json!([]),
        "{revert}"
    );
    assert_eq!(revert["revertRevision"]["edit"]["status"], "APPROVED");
    let reverted = audience_score(&film(&app).await);
    assert_eq!(reverted["value"].as_f64(), Some(0.0));
    assert_eq!(
        reverted["version"],
        new_score["version"].as_i64().unwrap() + 1
    );
}

both_engines!(a_second_edit_of_the_same_field_conflicts_while_another_field_still_applies);
async fn a_second_edit_of_the_same_field_conflicts_while_another_field_still_applies(
    engine: Engine,
) {
    let app = spawn_app(engine, Dataset::MButterfly).await;
    let alice = app.user_token("alice", Role::Editor).await;
    let bob = app.user_token("bob", Role::Editor).await;
    let admin = app.user_token("admin", Role::Admin).await;
    let before = film(&app).await;
    let seen = before["runtimeMinutes"].clone();
    let edit = |runtime: i64| {
        json!({"operation": "UPDATE", "targetId": before["id"],
        "changes": {"film": {"runtimeMinutes": runtime}}, "reason": "Checked the DVD."})
    };
    let first = propose(&app, &alice, edit(98)).await["edit"].clone();
    let second = propose(&app, &bob, edit(99)).await["edit"].clone();
    let tagline = propose(
        &app,
        &bob,
        json!({"operation": "UPDATE", "targetId": before["id"],
        "changes": {"film": {"tagline": "Based on the true story"}}, "reason": "From the poster."}),
    )
    .await;
    assert_eq!(tagline["userErrors"], json!([]), "{tagline}");
    let tagline = tagline["edit"].clone();

    assert_eq!(
        approve(&app, &admin, &first["id"], None).await["edit"]["status"],
        "APPROVED",
        "{engine:?}"
    );
    // While pending, the reviewer sees that the field has moved since the author saw it.
    let pending = app
        .data_as(
            &admin,
            "query($id: ID!) { edit(id: $id) { status changes { field from to current } } }",
            json!({"id": second["id"]}),
        )
        .await;
    assert_eq!(
        pending["edit"]["changes"],
        json!([{"field": "runtimeMinutes", "from": seen, "to": 99, "current": 98}])
    );
    let conflicted = approve(&app, &admin, &second["id"], None).await;
    assert_eq!(conflicted["edit"]["status"], "CONFLICTED");
    assert_eq!(conflicted["userErrors"][0]["code"], "CONFLICT");
    assert_eq!(
        conflicted["edit"]["changes"],
        json!([{"field": "runtimeMinutes", "from": seen, "to": 99, "current": 98}])
    );
    assert_eq!(
        approve(&app, &admin, &tagline["id"], None).await["edit"]["status"],
        "APPROVED"
    );

    let after = film(&app).await;
    assert_eq!(after["runtimeMinutes"], 98);
    assert_eq!(after["tagline"], "Based on the true story");
    assert_eq!(after["version"], before["version"].as_i64().unwrap() + 2);
    assert_eq!(
        after["revisions"]["edges"][0]["node"]["diff"][0]["field"],
        "tagline"
    );
    // A conflicted edit is final.
    assert_eq!(
        approve(&app, &admin, &second["id"], None).await["userErrors"][0]["code"],
        "NOT_PENDING"
    );
}

both_engines!(proposals_are_validated_and_keep_the_mass_assignment_door_shut);
async fn proposals_are_validated_and_keep_the_mass_assignment_door_shut(engine: Engine) {
    let app = spawn_app(engine, Dataset::MButterfly).await;
    let editor = app.user_token("editor", Role::Editor).await;
    let before = film(&app).await;
    let score = audience_score(&before);
    let cases = [
        (
            json!({"operation": "UPDATE", "targetId": score["id"], "changes": {"score": {"value": 150}}, "reason": "x"}),
            "input.changes.score.value",
            "INVALID",
        ),
        (
            json!({"operation": "UPDATE", "targetId": score["id"], "changes": {"score": {"scale": 5}}, "reason": "x"}),
            "input.changes.score.scale",
            "INVALID",
        ),
        (
            json!({"operation": "UPDATE", "targetId": before["id"], "changes": {"film": {"title": "  "}}, "reason": "x"}),
            "input.changes.film.title",
            "INVALID",
        ),
        (
            json!({"operation": "UPDATE", "targetId": before["id"], "changes": {"film": {"synopsis": "x".repeat(20_001)}}, "reason": "x"}),
            "input.changes.film.synopsis",
            "INVALID",
        ),
        (
            json!({"operation": "UPDATE", "targetId": before["id"], "changes": {"film": {"releaseDate": "1492-01-01"}}, "reason": "x"}),
            "input.changes.film.releaseDate",
            "INVALID",
        ),
        (
            json!({"operation": "UPDATE", "targetId": before["id"], "changes": {"film": {"tagline": "ok"}}, "reason": " "}),
            "input.reason",
            "INVALID",
        ),
        (
            json!({"operation": "UPDATE", "targetId": before["id"], "changes": {"film": {"tagline": "ok"}}, "reason": "x", "evidence": "javascript:alert(1)"}),
            "input.evidence",
            "INVALID",
        ),
        (
            json!({"operation": "UPDATE", "targetId": before["id"], "changes": {"score": {"value": 1}}, "reason": "x"}),
            "input.changes",
            "INVALID",
        ),
        (
            json!({"operation": "UPDATE", "targetId": before["id"], "changes": {"film": {"title": before["title"]}}, "reason": "x"}),
            "<none>",
            "NO_CHANGES",
        ),
    ];
    for (input, field, expected) in cases {
        let payload = propose(&app, &editor, input.clone()).await;
        assert_eq!(
            payload["userErrors"][0]["code"], expected,
            "{engine:?} {input}: {payload}"
        );
        assert_eq!(
            payload["userErrors"][0]["field"]
                .as_str()
                .unwrap_or("<none>"),
            field,
            "{input}"
        );
        assert_eq!(payload["edit"], Value::Null);
    }
    // Fields that are not editable are not in the input types at all.
    let body = app
        .graphql_as(
            &editor,
            PROPOSE,
            json!({"input": {"operation": "UPDATE", "targetId": before["id"],
            "changes": {"film": {"version": 99}}, "reason": "x", "status": "APPROVED"}}),
        )
        .await;
    assert!(body["errors"].is_array(), "{body}");
    // Two targets at once breaks @oneOf.
    let body = app
        .graphql_as(
            &editor,
            PROPOSE,
            json!({"input": {"operation": "UPDATE", "targetId": before["id"],
            "changes": {"film": {"tagline": "a"}, "score": {"value": 1}}, "reason": "x"}}),
        )
        .await;
    assert!(body["errors"].is_array(), "{body}");
    assert_eq!(
        entity::edit::Entity::find().count(&app.db).await.unwrap(),
        0
    );
}

both_engines!(every_permission_boundary_holds);
async fn every_permission_boundary_holds(engine: Engine) {
    let app = spawn_app(engine, Dataset::MButterfly).await;
    let alice = app.user_token("alice", Role::Editor).await;
    let bob = app.user_token("bob", Role::Editor).await;
    let admin = app.user_token("admin", Role::Admin).await;
    let before = film(&app).await;
    let input = json!({"operation": "UPDATE", "targetId": before["id"],
        "changes": {"film": {"tagline": "A tagline"}}, "reason": "From the poster."});

    // Anonymous: no edit written.
    let body = app.graphql(PROPOSE, json!({"input": input})).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{engine:?} {body}");
    assert_eq!(
        entity::edit::Entity::find().count(&app.db).await.unwrap(),
        0
    );
    let body = app.graphql("{ edits { totalCount } }", json!({})).await;
    assert_eq!(code(&body), "UNAUTHENTICATED");

    let edit = propose(&app, &alice, input.clone()).await["edit"].clone();

    // Another editor can neither see nor withdraw it.
    let seen = app
        .data_as(
            &bob,
            "query($id: ID!) { edit(id: $id) { id } }",
            json!({"id": edit["id"]}),
        )
        .await;
    assert_eq!(seen["edit"], Value::Null);
    let listed = app
        .data_as(&bob, "{ edits { totalCount } }", json!({}))
        .await;
    assert_eq!(listed["edits"]["totalCount"], 0);
    let withdraw = app.data_as(&bob, WITHDRAW, json!({"id": edit["id"]})).await;
    assert_eq!(
        withdraw["withdrawEdit"]["userErrors"][0]["code"],
        "NOT_FOUND"
    );

    // Editors do not review.
    let body = app
        .graphql_as(&bob, APPROVE, json!({"id": edit["id"]}))
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
    let body = app
        .graphql_as(&alice, REJECT, json!({"id": edit["id"]}))
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
    let body = app.graphql_as(&alice, "mutation { revertRevision(input: {revisionId: \"UmV2aXNpb246MQ\", reason: \"x\"}) { userErrors { code } } }", json!({})).await;
    assert_eq!(code(&body), "FORBIDDEN");

    // Admins see everything, but do not approve their own edits.
    let all = app
        .data_as(&admin, "{ edits { totalCount } }", json!({}))
        .await;
    assert_eq!(all["edits"]["totalCount"], 1);
    let own = propose(
        &app,
        &admin,
        json!({"operation": "UPDATE", "targetId": before["id"],
        "changes": {"film": {"plot": "A long plot."}}, "reason": "Missing."}),
    )
    .await["edit"]
        .clone();
    let refused = approve(&app, &admin, &own["id"], None).await;
    assert_eq!(refused["userErrors"][0]["code"], "SELF_REVIEW");
    assert_eq!(film(&app).await["version"], before["version"]);

    // The author withdraws their own edit; it cannot be approved afterwards.
    let withdrawn = app
        .data_as(&alice, WITHDRAW, json!({"id": edit["id"]}))
        .await;
    assert_eq!(withdrawn["withdrawEdit"]["edit"]["status"], "WITHDRAWN");
    assert_eq!(
        approve(&app, &admin, &edit["id"], None).await["userErrors"][0]["code"],
        "NOT_PENDING"
    );

    // A disabled account's still-valid token no longer works for mutations.
    let bob_user = entity::user::Entity::find()
        .filter(entity::user::Column::UsernameKey.eq("bob"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    account::set_active(&app.db, bob_user.id, false)
        .await
        .unwrap();
    let body = app.graphql_as(&bob, PROPOSE, json!({"input": input})).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    // A demoted admin's token stops working at once too.
    let admin_user = entity::user::Entity::find()
        .filter(entity::user::Column::UsernameKey.eq("admin"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    account::set_role(&app.db, admin_user.id, Role::Editor)
        .await
        .unwrap();
    let body = app
        .graphql_as(&admin, APPROVE, json!({"id": own["id"]}))
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
}

both_engines!(self_review_is_allowed_by_configuration_and_recorded);
async fn self_review_is_allowed_by_configuration_and_recorded(engine: Engine) {
    let app = spawn_app_with(engine, Dataset::MButterfly, |c| c.allow_self_review = true).await;
    let admin = app.user_token("solo", Role::Admin).await;
    let before = film(&app).await;
    let own = propose(&app, &admin, json!({"operation": "UPDATE", "targetId": before["id"],
        "changes": {"film": {"genres": ["Drama", "Romance", "Biography"]}}, "reason": "Per the fact sheet."})).await["edit"].clone();
    let approved = approve(&app, &admin, &own["id"], None).await;
    assert_eq!(
        approved["edit"]["status"], "APPROVED",
        "{engine:?} {approved}"
    );
    let after = film(&app).await;
    assert_eq!(after["genres"], json!(["Drama", "Romance", "Biography"]));
    let revision = &after["revisions"]["edges"][0]["node"];
    assert_eq!(revision["diff"][0]["field"], "genres");
    let recent = app
        .data(
            "{ recentChanges(first: 1) { edges { node { selfReviewed } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        recent["recentChanges"]["edges"][0]["node"]["selfReviewed"],
        true
    );
}

both_engines!(creations_and_deletions_go_through_review_and_respect_dependents);
async fn creations_and_deletions_go_through_review_and_respect_dependents(engine: Engine) {
    let app = spawn_app(engine, Dataset::MButterfly).await;
    let editor = app.user_token("editor", Role::Editor).await;
    let admin = app.user_token("admin", Role::Admin).await;
    let before = film(&app).await;

    let created = propose(&app, &editor, json!({"operation": "CREATE", "changes": {"trivia": {
        "filmId": before["id"], "question": "Which opera gives the film its name?", "answer": "Madama Butterfly",
        "wrongChoices": ["Tosca", "Turandot"]}}, "reason": "A classic question."})).await;
    assert_eq!(created["userErrors"], json!([]), "{engine:?} {created}");
    assert_eq!(created["edit"]["targetId"], Value::Null);
    let approved = approve(&app, &admin, &created["edit"]["id"], None).await;
    assert_eq!(approved["edit"]["status"], "APPROVED", "{approved}");
    assert_eq!(approved["edit"]["revision"]["version"], 1);
    let trivia = app
        .data(
            "query($slug: String!) { film(slug: $slug) { trivia { id question answer } } }",
            json!({"slug": SLUG}),
        )
        .await;
    let new = trivia["film"]["trivia"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["answer"] == "Madama Butterfly")
        .cloned()
        .expect("the new trivia is public");

    // Deleting it works.
    let deletion = propose(
        &app,
        &editor,
        json!({"operation": "DELETE", "targetId": new["id"], "reason": "Duplicate."}),
    )
    .await;
    assert_eq!(deletion["userErrors"], json!([]), "{deletion}");
    assert_eq!(
        approve(&app, &admin, &deletion["edit"]["id"], None).await["edit"]["status"],
        "APPROVED"
    );
    assert_eq!(
        entity::trivia::Entity::find_by_id(
            stinger_api::graphql::ids::decode_kind(new["id"].as_str().unwrap(), "Trivia").unwrap()
        )
        .one(&app.db)
        .await
        .unwrap(),
        None
    );

    // A credited person cannot be deleted: a clear user error, nothing changed.
    let director = app
        .data(
            "query($slug: String!) { film(slug: $slug) { directors { id } } }",
            json!({"slug": SLUG}),
        )
        .await["film"]["directors"][0]["id"]
        .clone();
    let deletion = propose(
        &app,
        &editor,
        json!({"operation": "DELETE", "targetId": director, "reason": "Test."}),
    )
    .await;
    let refused = approve(&app, &admin, &deletion["edit"]["id"], None).await;
    assert_eq!(
        refused["userErrors"][0]["code"], "HAS_DEPENDENTS",
        "{refused}"
    );
    let status = app
        .data_as(
            &admin,
            "query($id: ID!) { edit(id: $id) { status } }",
            json!({"id": deletion["edit"]["id"]}),
        )
        .await;
    assert_eq!(status["edit"]["status"], "PENDING");

    // The person's own history shows an approved change to them.
    let bio = propose(
        &app,
        &editor,
        json!({"operation": "UPDATE", "targetId": director,
        "changes": {"person": {"biography": "Canadian director."}}, "reason": "Was empty."}),
    )
    .await;
    approve(&app, &admin, &bio["edit"]["id"], Some("Thanks.")).await;
    let person = app
        .data_as(&admin, "query($id: ID!) { person(id: $id) { revisions(first: 5) { totalCount edges { node { diff { field after } reviewNote } } } } }", json!({"id": director}))
        .await;
    let history = person["person"]["revisions"].clone();
    assert_eq!(
        history["edges"][0]["node"]["diff"],
        json!([{"field": "biography", "after": "Canadian director."}])
    );
    assert_eq!(history["edges"][0]["node"]["reviewNote"], "Thanks.");
}

both_engines!(two_simultaneous_approvals_apply_an_edit_once);
async fn two_simultaneous_approvals_apply_an_edit_once(engine: Engine) {
    let app = spawn_app(engine, Dataset::MButterfly).await;
    let editor = app.user_token("editor", Role::Editor).await;
    let admin1 = app.user_token("admin1", Role::Admin).await;
    let admin2 = app.user_token("admin2", Role::Admin).await;
    let before = film(&app).await;
    let edit = propose(
        &app,
        &editor,
        json!({"operation": "UPDATE", "targetId": before["id"],
        "changes": {"film": {"runtimeMinutes": 105}}, "reason": "DVD."}),
    )
    .await["edit"]
        .clone();

    let (a, b) = tokio::join!(
        approve(&app, &admin1, &edit["id"], None),
        approve(&app, &admin2, &edit["id"], None)
    );
    let statuses = [&a, &b].map(|p| p["edit"]["status"].as_str().unwrap_or("-").to_owned());
    let codes = [&a, &b].map(|p| {
        p["userErrors"][0]["code"]
            .as_str()
            .unwrap_or("-")
            .to_owned()
    });
    // PostgreSQL: the claim's row lock makes the second approval wait, then find the edit
    // no longer pending. SQLite: the claim takes the single write lock first.
    assert_eq!(
        statuses.iter().filter(|s| *s == "APPROVED").count(),
        1,
        "{engine:?} {a} {b}"
    );
    assert_eq!(
        codes.iter().filter(|c| *c == "NOT_PENDING").count(),
        1,
        "{engine:?} {a} {b}"
    );
    let after = film(&app).await;
    assert_eq!(
        after["version"],
        before["version"].as_i64().unwrap() + 1,
        "{engine:?} {a} {b}"
    );
    let revisions = entity::revision::Entity::find()
        .filter(entity::revision::Column::EditId.is_not_null())
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(revisions, 1);
}

both_engines!(many_editors_proposing_at_once_lose_nothing);
async fn many_editors_proposing_at_once_lose_nothing(engine: Engine) {
    let app = spawn_app(engine, Dataset::MButterfly).await;
    let before = film(&app).await;
    let mut tokens = Vec::new();
    for i in 0..8 {
        tokens.push(app.user_token(&format!("editor{i}"), Role::Editor).await);
    }
    let proposals = tokens.iter().enumerate().map(|(i, token)| {
        let input = json!({"operation": "UPDATE", "targetId": before["id"],
            "changes": {"film": {"tagline": format!("Tagline {i}")}}, "reason": "Poster."});
        let app = &app;
        async move { propose(app, token, input).await }
    });
    let results = futures_util::future::join_all(proposals).await;
    assert!(
        results.iter().all(|r| r["userErrors"] == json!([])),
        "{engine:?} {results:?}"
    );
    assert_eq!(
        entity::edit::Entity::find().count(&app.db).await.unwrap(),
        8
    );
    let numbers: std::collections::HashSet<i64> = results
        .iter()
        .map(|r| r["edit"]["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers.len(), 8);
}
