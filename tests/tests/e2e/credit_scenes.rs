//! "During the credits? After them?": per-kind answers, corrected through the editorial
//! workflow, filtered in SQL by the same rule, and kept by the migration that introduced them.

use entity::{CreditSceneKind, Role, credit_scene, film};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement};
use serde_json::{Value, json};
use stinger_api::service::listing::{self, FilmFilter};
use stinger_api::service::scenes::{SceneAnswer, SceneAnswers};
use stinger_tests::{Dataset, Engine, FilmFixture, TestApp, TestDb, both_engines, spawn_app};

const SCENES: &str = r#"query($slug: String!) { film(slug: $slug) { id creditScenes {
    answer confirmed duringCredits afterCredits duringCreditsConfirmed afterCreditsConfirmed
    scenes { kind } } } }"#;

const PROPOSE: &str = r#"mutation($input: ProposeEditInput!) { proposeEdit(input: $input) {
    edit { id changes { field from to } } userErrors { field message code } } }"#;

const APPROVE: &str = r#"mutation($id: ID!) { approveEdit(input: {editId: $id}) {
    edit { status } userErrors { field message code } } }"#;

async fn scenes(app: &TestApp, slug: &str) -> Value {
    app.data(SCENES, json!({"slug": slug})).await["film"].clone()
}

/// The four answers of a film: summary, during, after, and whether both kinds are confirmed.
fn answers(film: &Value) -> [&Value; 4] {
    let s = &film["creditScenes"];
    [
        &s["answer"],
        &s["duringCredits"],
        &s["afterCredits"],
        &s["confirmed"],
    ]
}

/// Proposes `input` as the editor, approves it as the admin; returns the edit's changes.
async fn propose_and_approve(app: &TestApp, editor: &str, admin: &str, input: Value) -> Value {
    let proposed =
        app.data_as(editor, PROPOSE, json!({"input": input})).await["proposeEdit"].clone();
    assert_eq!(proposed["userErrors"], json!([]), "{proposed}");
    let approved = app
        .data_as(admin, APPROVE, json!({"id": proposed["edit"]["id"]}))
        .await["approveEdit"]
        .clone();
    assert_eq!(approved["userErrors"], json!([]), "{approved}");
    assert_eq!(approved["edit"]["status"], "APPROVED");
    proposed["edit"]["changes"].clone()
}

both_engines!(each_kind_is_answered_and_corrected_through_review);
async fn each_kind_is_answered_and_corrected_through_review(engine: Engine) {
    let app = spawn_app(engine, Dataset::Empty).await;
    FilmFixture::new("Stay Put")
        .released("2001-05-04")
        .insert(&app.db)
        .await;
    let editor = app.user_token("editor", Role::Editor).await;
    let admin = app.user_token("admin", Role::Admin).await;
    let film = scenes(&app, "stay-put-2001").await;
    assert_eq!(
        answers(&film),
        [
            &json!("UNKNOWN"),
            &json!("UNKNOWN"),
            &json!("UNKNOWN"),
            &json!(false)
        ],
        "{engine:?}: nothing known yet"
    );

    // "After the credits: no" — confirmed by an editor, public once approved.
    let changes = propose_and_approve(
        &app,
        &editor,
        &admin,
        json!({"operation": "UPDATE", "targetId": film["id"],
               "changes": {"film": {"afterCreditsConfirmed": true}},
               "reason": "Watched to the very end: nothing after the credits."}),
    )
    .await;
    assert_eq!(
        changes,
        json!([{"field": "afterCreditsConfirmed", "from": false, "to": true}])
    );
    let film = scenes(&app, "stay-put-2001").await;
    assert_eq!(
        answers(&film),
        [
            &json!("UNKNOWN"),
            &json!("UNKNOWN"),
            &json!("NO"),
            &json!(false)
        ],
        "{engine:?}: after the credits: no; during: unknown"
    );
    assert_eq!(film["creditScenes"]["afterCreditsConfirmed"], true);
    assert_eq!(film["creditScenes"]["duringCreditsConfirmed"], false);

    // A scene during the credits, added through review: during YES, the summary YES.
    propose_and_approve(
        &app,
        &editor,
        &admin,
        json!({"operation": "CREATE",
               "changes": {"creditScene": {"filmId": film["id"], "kind": "MID_CREDITS", "position": 1}},
               "reason": "A short gag halfway through the credits."}),
    )
    .await;
    let film = scenes(&app, "stay-put-2001").await;
    assert_eq!(
        answers(&film),
        [&json!("YES"), &json!("YES"), &json!("NO"), &json!(false)],
        "{engine:?}"
    );

    // The SQL filters follow the same rule, per kind and in summary.
    let lists = app
        .data(
            "{ yes: films(filter: { creditScenes: YES }) { totalCount } \
               unknown: films(filter: { creditScenes: UNKNOWN }) { totalCount } \
               duringYes: films(filter: { duringCredits: YES }) { totalCount } \
               duringNo: films(filter: { duringCredits: NO }) { totalCount } \
               afterNo: films(filter: { afterCredits: NO }) { totalCount } \
               afterUnknown: films(filter: { afterCredits: UNKNOWN }) { totalCount } }",
            json!({}),
        )
        .await;
    let counts = [
        "yes",
        "unknown",
        "duringYes",
        "duringNo",
        "afterNo",
        "afterUnknown",
    ]
    .map(|list| lists[list]["totalCount"].as_i64().unwrap_or(-1));
    assert_eq!(counts, [1, 0, 1, 0, 1, 0], "{engine:?}: {lists}");
}

both_engines!(confirming_the_whole_list_confirms_both_kinds);
async fn confirming_the_whole_list_confirms_both_kinds(engine: Engine) {
    let app = spawn_app(engine, Dataset::Empty).await;
    FilmFixture::new("Quiet Ending")
        .released("1999-03-03")
        .insert(&app.db)
        .await;
    let editor = app.user_token("editor", Role::Editor).await;
    let admin = app.user_token("admin", Role::Admin).await;
    let film = scenes(&app, "quiet-ending-1999").await;
    let changes = propose_and_approve(
        &app,
        &editor,
        &admin,
        json!({"operation": "UPDATE", "targetId": film["id"],
               "changes": {"film": {"creditScenesConfirmed": true}},
               "reason": "Nothing during or after the credits."}),
    )
    .await;
    assert_eq!(
        changes,
        json!([
            {"field": "afterCreditsConfirmed", "from": false, "to": true},
            {"field": "duringCreditsConfirmed", "from": false, "to": true},
        ])
    );
    let film = scenes(&app, "quiet-ending-1999").await;
    assert_eq!(
        answers(&film),
        [&json!("NO"), &json!("NO"), &json!("NO"), &json!(true)],
        "{engine:?}"
    );
    let no = app
        .data(
            "{ films(filter: { creditScenes: NO }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(no["films"]["totalCount"], 1, "{engine:?}: {no}");
}

/// Before the per-kind migration: one `credit_scenes_confirmed` flag per film.
struct OldFilm {
    slug: &'static str,
    confirmed: bool,
    scene: Option<CreditSceneKind>,
    /// The answers it must have after the migration: summary, during, after.
    expected: [SceneAnswer; 3],
}

const OLD_FILMS: [OldFilm; 4] = [
    OldFilm {
        slug: "none-confirmed-2000",
        confirmed: true,
        scene: None,
        expected: [SceneAnswer::No, SceneAnswer::No, SceneAnswer::No],
    },
    OldFilm {
        slug: "nothing-known-2000",
        confirmed: false,
        scene: None,
        expected: [SceneAnswer::Unknown; 3],
    },
    OldFilm {
        slug: "post-confirmed-2000",
        confirmed: true,
        scene: Some(CreditSceneKind::PostCredits),
        expected: [SceneAnswer::Yes, SceneAnswer::No, SceneAnswer::Yes],
    },
    OldFilm {
        slug: "mid-unconfirmed-2000",
        confirmed: false,
        scene: Some(CreditSceneKind::MidCredits),
        expected: [SceneAnswer::Yes, SceneAnswer::Yes, SceneAnswer::Unknown],
    },
];

both_engines!(the_per_kind_migration_keeps_every_answer_and_pending_edit);
async fn the_per_kind_migration_keeps_every_answer_and_pending_edit(engine: Engine) {
    let test_db = TestDb::blank(engine).await;
    let db = test_db.connect().await;
    // Stop just before the per-kind migration, wherever later migrations put it.
    let migrations = Migrator::migrations();
    let before_scenes = migrations
        .iter()
        .position(|m| m.name().contains("credit_scene_answers"))
        .expect("the per-kind migration exists");
    let from_scenes_on = u32::try_from(migrations.len() - before_scenes).unwrap();
    Migrator::up(&db, Some(u32::try_from(before_scenes).unwrap()))
        .await
        .unwrap();
    let now = "'2026-01-01 00:00:00+00:00'";
    for old in &OLD_FILMS {
        db.execute_unprepared(&format!(
            "INSERT INTO film (slug, title, credit_scenes_confirmed, version, created_at, updated_at) \
             VALUES ('{}', 'T', {}, 1, {now}, {now})",
            old.slug, old.confirmed
        ))
        .await
        .unwrap();
        if let Some(kind) = old.scene {
            let kind = sea_orm::ActiveEnum::to_value(&kind);
            db.execute_unprepared(&format!(
                "INSERT INTO credit_scene (film_id, kind, position, version, created_at, updated_at) \
                 SELECT id, '{kind}', 1, 1, {now}, {now} FROM film WHERE slug = '{}'",
                old.slug
            ))
            .await
            .unwrap();
        }
    }
    // A pending correction of the old flag must survive as a correction of both kinds.
    db.execute_unprepared(&format!(
        "INSERT INTO app_user (username, username_key, password_hash, role, active, created_at, updated_at) \
         VALUES ('ed', 'ed', 'x', 'EDITOR', true, {now}, {now})"
    ))
    .await
    .unwrap();
    db.execute_unprepared(&format!(
        "INSERT INTO edit (author_id, target_type, target_id, operation, changes, reason, status, created_at, updated_at) \
         SELECT u.id, 'FILM', f.id, 'UPDATE', '{{\"credit_scenes_confirmed\": {{\"from\": false, \"to\": true}}}}', 'checked', 'PENDING', {now}, {now} \
         FROM app_user u, film f WHERE u.username = 'ed' AND f.slug = 'nothing-known-2000'"
    ))
    .await
    .unwrap();

    Migrator::up(&db, None).await.unwrap();

    for old in &OLD_FILMS {
        let film = film::Entity::find()
            .filter(film::Column::Slug.eq(old.slug))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let scenes = credit_scene::Entity::find()
            .filter(credit_scene::Column::FilmId.eq(film.id))
            .all(&db)
            .await
            .unwrap();
        let a = SceneAnswers::of(&film, &scenes);
        assert_eq!(
            [a.summary, a.during_credits, a.after_credits],
            old.expected,
            "{engine:?}: {}",
            old.slug
        );
    }
    // The SQL filters agree with the loaded answers, question by question.
    for question in 0..3 {
        for answer in [SceneAnswer::Yes, SceneAnswer::No, SceneAnswer::Unknown] {
            let mut filter = FilmFilter::default();
            *[
                &mut filter.credit_scenes,
                &mut filter.during_credits,
                &mut filter.after_credits,
            ][question] = Some(answer);
            let n = listing::count_films(&db, &filter).await.unwrap();
            let expected = OLD_FILMS
                .iter()
                .filter(|old| old.expected[question] == answer)
                .count();
            assert_eq!(
                n,
                u64::try_from(expected).unwrap(),
                "{engine:?}: question {question}, answer {answer:?}"
            );
        }
    }
    let changes = pending_changes(&db).await;
    assert_eq!(
        changes,
        json!({"during_credits_confirmed": {"from": false, "to": true},
               "after_credits_confirmed": {"from": false, "to": true}}),
        "{engine:?}"
    );

    // And back: one flag again, confirmed where both kinds were, the edit folded back.
    Migrator::down(&db, Some(from_scenes_on)).await.unwrap();
    let backend = db.get_database_backend();
    for old in &OLD_FILMS {
        let row = db
            .query_one_raw(Statement::from_string(
                backend,
                format!(
                    "SELECT credit_scenes_confirmed FROM film WHERE slug = '{}'",
                    old.slug
                ),
            ))
            .await
            .unwrap()
            .unwrap();
        let confirmed: bool = row.try_get("", "credit_scenes_confirmed").unwrap();
        assert_eq!(
            confirmed, old.confirmed,
            "{engine:?}: {} after down",
            old.slug
        );
    }
    assert_eq!(
        pending_changes(&db).await,
        json!({"credit_scenes_confirmed": {"from": false, "to": true}}),
        "{engine:?}"
    );
    db.close().await.unwrap();
}

async fn pending_changes(db: &sea_orm::DatabaseConnection) -> Value {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT changes FROM edit WHERE status = 'PENDING'",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "changes").unwrap()
}
