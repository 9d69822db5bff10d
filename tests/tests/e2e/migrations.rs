//! Migrations run up, down and up again on both engines.

use migration::{Migrator, MigratorTrait};
use sea_orm::ConnectionTrait;
use stinger_tests::{Dataset, Engine, TestDb, both_engines};

const TABLES: [&str; 13] = [
    "film",
    "film_genre",
    "person",
    "company",
    "credit",
    "credit_scene",
    "film_company",
    "score",
    "trivia",
    "app_user",
    "refresh_token",
    "edit",
    "revision",
];

async fn table_exists(db: &sea_orm::DatabaseConnection, table: &str) -> bool {
    // A query that works on both engines and fails only when the table is missing.
    db.execute_unprepared(&format!("SELECT 1 FROM {table} WHERE 1 = 0"))
        .await
        .is_ok()
}

both_engines!(migrations_go_up_down_and_up_again_on_every_engine);
async fn migrations_go_up_down_and_up_again_on_every_engine(engine: Engine) {
    let test_db = TestDb::blank(engine).await;
    let db = test_db.connect().await;

    Migrator::up(&db, None).await.unwrap();
    for table in TABLES {
        assert!(
            table_exists(&db, table).await,
            "{engine:?}: {table} exists after up"
        );
    }
    assert!(
        Migrator::get_pending_migrations(&db)
            .await
            .unwrap()
            .is_empty()
    );

    Migrator::down(&db, None).await.unwrap();
    for table in TABLES {
        assert!(
            !table_exists(&db, table).await,
            "{engine:?}: {table} is gone after down"
        );
    }

    Migrator::up(&db, None).await.unwrap();
    for table in TABLES {
        assert!(
            table_exists(&db, table).await,
            "{engine:?}: {table} exists after the second up"
        );
    }
    db.close().await.unwrap();
}

both_engines!(constraints_protect_the_data_on_every_engine);
async fn constraints_protect_the_data_on_every_engine(engine: Engine) {
    let test_db = TestDb::new(engine, Dataset::Empty).await;
    let db = test_db.connect().await;
    let now = "'2026-01-01 00:00:00+00:00'";
    db.execute_unprepared(&format!(
        "INSERT INTO film (slug, title, version, created_at, updated_at) VALUES ('a-2000', 'A', 1, {now}, {now})"
    ))
    .await
    .unwrap();
    let duplicate_slug = db
        .execute_unprepared(&format!(
            "INSERT INTO film (slug, title, version, created_at, updated_at) VALUES ('a-2000', 'B', 1, {now}, {now})"
        ))
        .await;
    assert!(duplicate_slug.is_err(), "{engine:?}: film slugs are unique");

    let score = |value: &str, scale: i32| {
        format!(
            "INSERT INTO score (film_id, source, kind, value, scale, version, created_at, updated_at) \
             SELECT id, 'IMDB', 'AUDIENCE', {value}, {scale}, 1, {now}, {now} FROM film WHERE slug = 'a-2000'"
        )
    };
    db.execute_unprepared(&score("7.1", 10)).await.unwrap();
    assert!(
        db.execute_unprepared(&score("7.2", 10)).await.is_err(),
        "{engine:?}: one score per film, source and kind"
    );

    let orphan = db
        .execute_unprepared(&format!(
            "INSERT INTO credit (film_id, person_id, department, version, created_at, updated_at) VALUES (999, 999, 'CAST', 1, {now}, {now})"
        ))
        .await;
    assert!(orphan.is_err(), "{engine:?}: foreign keys are enforced");

    db.execute_unprepared(&format!(
        "INSERT INTO app_user (username, username_key, password_hash, role, active, created_at, updated_at) VALUES ('Ann', 'ann', 'x', 'EDITOR', true, {now}, {now})"
    ))
    .await
    .unwrap();
    let same_name = db
        .execute_unprepared(&format!(
            "INSERT INTO app_user (username, username_key, password_hash, role, active, created_at, updated_at) VALUES ('ANN', 'ann', 'x', 'EDITOR', true, {now}, {now})"
        ))
        .await;
    assert!(
        same_name.is_err(),
        "{engine:?}: usernames are unique whatever their case"
    );

    db.execute_unprepared("DELETE FROM film WHERE slug = 'a-2000'")
        .await
        .unwrap();
    let scores = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM score",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        scores.try_get::<i64>("", "n").unwrap(),
        0,
        "{engine:?}: a film's scores go with it"
    );
    db.close().await.unwrap();
}
