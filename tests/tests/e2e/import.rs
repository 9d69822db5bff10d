//! The demo-data import on both engines, checked against counts derived from the file itself.

use chrono::{NaiveDate, Utc};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::Value;
use std::collections::HashSet;
use stinger_api::service::demo;
use stinger_api::service::import::{NoteKind, import_films, vega};
use stinger_tests::{Dataset, Engine, TestDb, both_engines, spawn_app};

/// What the vega file holds, counted straight from the JSON without the importer.
struct Expected {
    films: usize,
    skipped: usize,
    /// Dates later than the file can hold: two-digit years a century late.
    century_late: usize,
    directors: usize,
    distributors: usize,
    scores: usize,
}

fn expected(today: NaiveDate) -> Expected {
    let rows: Vec<Value> = serde_json::from_slice(demo::VEGA_MOVIES).unwrap();
    let titled: Vec<&Value> = rows
        .iter()
        .filter(|r| match &r["Title"] {
            Value::String(s) => !s.trim().is_empty(),
            Value::Number(_) => true,
            _ => false,
        })
        .collect();
    let names = |key: &str| -> HashSet<String> {
        titled
            .iter()
            .filter_map(|r| r[key].as_str())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    };
    Expected {
        films: titled.len(),
        skipped: rows.len() - titled.len(),
        century_late: titled
            .iter()
            .filter_map(|r| r["Release Date"].as_str())
            .filter(|d| {
                NaiveDate::parse_from_str(d, "%b %d %Y")
                    .is_ok_and(|d| d > today.min(vega::DATASET_HORIZON))
            })
            .count(),
        directors: names("Director").len(),
        distributors: names("Distributor").len(),
        scores: titled
            .iter()
            .filter(|r| r["Rotten Tomatoes Rating"].is_number())
            .count()
            + titled
                .iter()
                .filter(|r| r["IMDB Rating"].is_number())
                .count(),
    }
}

async fn count(db: &DatabaseConnection, sql: &str) -> usize {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    usize::try_from(row.try_get_by_index::<i64>(0).unwrap()).unwrap()
}

async fn release_of(db: &DatabaseConnection, slug: &str) -> Option<String> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT CAST(release_date AS TEXT) FROM film WHERE slug = $1",
            [slug.into()],
        ))
        .await
        .unwrap()?;
    row.try_get_by_index::<Option<String>>(0).unwrap()
}

async fn title_of(db: &DatabaseConnection, slug: &str) -> Option<String> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT title FROM film WHERE slug = $1",
            [slug.into()],
        ))
        .await
        .unwrap()?;
    Some(row.try_get_by_index::<String>(0).unwrap())
}

both_engines!(the_whole_vega_file_imports_with_exact_counts_on_every_engine);
async fn the_whole_vega_file_imports_with_exact_counts_on_every_engine(engine: Engine) {
    let today = Utc::now().date_naive();
    let want = expected(today);
    assert_eq!(
        (want.films, want.skipped),
        (3200, 1),
        "the file is the one the issue describes"
    );
    assert_eq!(want.century_late, 22, "1915–1946 films dated 2015–2046");
    let test_db = TestDb::blank(engine).await;
    let db = test_db.connect().await;
    Migrator::up(&db, None).await.unwrap();

    let parsed = vega::parse(demo::VEGA_MOVIES, today).unwrap();
    let mut report = import_films(&db, parsed.films, "vega").await.unwrap();
    report.notes = parsed.notes;

    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM film").await,
        want.films,
        "{engine:?}: films"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM person").await,
        want.directors,
        "{engine:?}: people"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM company").await,
        want.distributors,
        "{engine:?}: companies"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM score").await,
        want.scores,
        "{engine:?}: scores"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM credit WHERE department = 'DIRECTING'").await,
        count(&db, "SELECT COUNT(*) FROM film f WHERE EXISTS (SELECT 1 FROM credit c WHERE c.film_id = f.id)").await,
        "{engine:?}: one DIRECTING credit per film with a director"
    );
    assert_eq!(report.skipped(), want.skipped, "{engine:?}: skipped");
    assert_eq!(report.doubtful(), 0, "{engine:?}: nothing is left doubtful");
    assert_eq!(
        report
            .notes
            .iter()
            .filter(|n| n.kind == NoteKind::Repaired && n.reason.contains("wrong century"))
            .count(),
        want.century_late,
        "{engine:?}: every date a century late is repaired and noted"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM film WHERE release_date > '2012-12-31'"
        )
        .await,
        0,
        "{engine:?}: no film is dated after the file was compiled"
    );
    assert_eq!(
        release_of(&db, "ben-hur-1925").await.as_deref(),
        Some("1925-12-30"),
        "{engine:?}: Ben-Hur (1925) is dated 1925, not 2025"
    );
    assert_eq!(
        release_of(&db, "ben-hur-1959").await.as_deref(),
        Some("1959-11-18"),
        "{engine:?}: the remake keeps its date"
    );
    assert_eq!(
        release_of(&db, "intolerance-1916").await.as_deref(),
        Some("1916-09-05")
    );
    assert!(
        report.notes.iter().all(|n| !n.reason.is_empty()),
        "{engine:?}: every note says why"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM revision").await,
        report.revisions_written,
        "{engine:?}: every created object has a revision"
    );

    // Spot checks: repaired accents, numbers as titles, remakes told apart by year.
    assert_eq!(
        title_of(&db, "deja-vu-2006").await.as_deref(),
        Some("Déjà Vu")
    );
    assert_eq!(
        title_of(&db, "le-fabuleux-destin-d-amelie-poulain-2001")
            .await
            .as_deref(),
        Some("Le Fabuleux destin d'Amélie Poulain")
    );
    assert_eq!(title_of(&db, "leon-1994").await.as_deref(), Some("Léon"));
    assert_eq!(
        title_of(&db, "alien3-1992").await.as_deref(),
        Some("Alien³"),
        "genuine symbols are kept"
    );
    assert_eq!(title_of(&db, "300-2007").await.as_deref(), Some("300"));
    assert_eq!(title_of(&db, "1776-1972").await.as_deref(), Some("1776"));
    assert_eq!(
        title_of(&db, "king-kong-1976").await.as_deref(),
        Some("King Kong")
    );
    assert_eq!(
        title_of(&db, "king-kong-2005").await.as_deref(),
        Some("King Kong")
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.title == "How Green Was My Valley"
                && n.kind == NoteKind::Repaired
                && n.reason.contains("1941")),
        "{engine:?}: dates expanded into the future are repaired and reported"
    );

    // A second run changes nothing and says so.
    let again = vega::parse(demo::VEGA_MOVIES, today).unwrap();
    let second = import_films(&db, again.films, "vega").await.unwrap();
    assert_eq!(second.films_added, 0);
    assert_eq!(second.films_unchanged, want.films);
    assert_eq!(second.revisions_written, 0);
    assert!(
        second.to_string().starts_with("Nothing to import"),
        "{second}"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM film").await,
        want.films,
        "{engine:?}: still the same films"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM score").await,
        want.scores,
        "{engine:?}: still the same scores"
    );
    db.close().await.unwrap();
}

both_engines!(m_butterfly_shares_people_and_companies_with_the_vega_films);
async fn m_butterfly_shares_people_and_companies_with_the_vega_films(engine: Engine) {
    let test_db = TestDb::blank(engine).await;
    let db = test_db.connect().await;
    Migrator::up(&db, None).await.unwrap();
    demo::load(&db).await.unwrap();

    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM person WHERE slug = 'david-cronenberg'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM company WHERE slug = 'warner-bros'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM credit c JOIN person p ON p.id = c.person_id JOIN film f ON f.id = c.film_id \
             WHERE p.slug = 'david-cronenberg' AND f.slug = 'm-butterfly-1993'"
        )
        .await,
        1
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM score s JOIN film f ON f.id = s.film_id WHERE f.slug = 'm-butterfly-1993'").await,
        6
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM score s JOIN film f ON f.id = s.film_id \
             WHERE f.slug = 'm-butterfly-1993' AND s.source = 'ROTTEN_TOMATOES' AND s.kind = 'CRITICS' AND s.value IS NULL"
        )
        .await,
        1,
        "{engine:?}: the unknown Tomatometer is stored as unknown"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM score s JOIN film f ON f.id = s.film_id \
             WHERE f.slug = 'm-butterfly-1993' AND s.source = 'ROTTEN_TOMATOES' AND s.kind = 'AUDIENCE' AND s.value = 0"
        )
        .await,
        1,
        "{engine:?}: the 0% audience score is kept as the page shows it"
    );

    let second = demo::load(&db).await.unwrap();
    assert!(
        !second.changed_anything(),
        "{engine:?}: loading the demo data twice changes nothing"
    );
    db.close().await.unwrap();
}

both_engines!(latest_films_start_with_recent_films_not_silent_ones);
async fn latest_films_start_with_recent_films_not_silent_ones(engine: Engine) {
    let app = spawn_app(engine, Dataset::Demo).await;
    let data = app
        .data(
            "{ latestFilms(first: 20) { edges { node { title releaseDate } } } }",
            serde_json::json!({}),
        )
        .await;
    let edges = data["latestFilms"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 20);
    for edge in edges {
        let date = edge["node"]["releaseDate"].as_str().unwrap();
        assert!(
            date >= "2009-01-01",
            "{engine:?}: the latest films are recent, not {} dated {date}",
            edge["node"]["title"]
        );
    }
    let data = app
        .data(
            "{ film(slug: \"ben-hur-1925\") { title releaseDate } }",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(
        data["film"]["releaseDate"], "1925-12-30",
        "{engine:?}: {data}"
    );
}
