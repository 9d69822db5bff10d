//! The test data itself, on both engines: fixture builders store what they describe, the
//! M. Butterfly dataset is the demo's M. Butterfly, and clones of one template never share writes.

use entity::{CompanyRole, CreditSceneKind, Role, ScoreKind, ScoreSource};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use stinger_tests::{Dataset, Engine, FilmFixture, TestDb, both_engines, insert_films, spawn_app};

/// Everything public about one film except its ids (which depend on insertion order). The
/// revisions' reasons name the import that created them, whose number depends on the order too.
const FILM_FACTS: &str = r#"query($slug: String!) { film(slug: $slug) {
    slug title year releaseDate runtimeMinutes mpaaRating genres tagline synopsis plot version
    creditScenes { answer confirmed scenes { kind hint } }
    cast(first: 50) { totalCount edges { node { billingOrder character person { slug name } } } }
    crew { totalCount edges { node { department job person { slug name } } } }
    companies { role company { slug name } }
    scores { source kind value scale normalized }
    trivia { question answer spoiler wrongChoices }
    revisions(first: 10) { totalCount edges { node { version reason diff { field after } } } }
} }"#;

async fn film_facts(app: &stinger_tests::TestApp, slug: &str) -> Value {
    let mut film = app.data(FILM_FACTS, json!({ "slug": slug })).await["film"].clone();
    if let Some(edges) = film["revisions"]["edges"].as_array_mut() {
        for edge in edges {
            let reason = &mut edge["node"]["reason"];
            if let Some((source, _import)) =
                reason.as_str().and_then(|r| r.rsplit_once(" (import "))
            {
                *reason = Value::from(source);
            }
        }
    }
    film
}

both_engines!(a_film_fixture_stores_everything_it_describes);
async fn a_film_fixture_stores_everything_it_describes(engine: Engine) {
    // Arrange
    let app = spawn_app(engine, Dataset::Empty).await;

    // Act
    let film = FilmFixture::new("Alien")
        .released("1979-05-25")
        .runtime_minutes(117)
        .mpaa_rating("R")
        .genre("Horror")
        .genre("Science Fiction")
        .tagline("In space no one can hear you scream.")
        .director("Ridley Scott")
        .writer("Dan O'Bannon")
        .cast("Sigourney Weaver", "Ripley")
        .cast("Tom Skerritt", "Dallas")
        .company("Brandywine Productions", CompanyRole::Production)
        .company("20th Century Fox", CompanyRole::Distribution)
        .score(ScoreSource::Imdb, ScoreKind::Audience, Some(8.5), 10)
        .score(ScoreSource::RottenTomatoes, ScoreKind::Critics, None, 100)
        .trivia("What is the ship called?", "Nostromo")
        .credit_scene(CreditSceneKind::PostCredits)
        .insert(&app.db)
        .await;

    // Assert
    assert_eq!(film.slug, "alien-1979", "{engine:?}");
    let facts = film_facts(&app, &film.slug).await;
    assert_eq!(facts["title"], "Alien");
    assert_eq!(facts["releaseDate"], "1979-05-25");
    assert_eq!(facts["runtimeMinutes"], 117);
    assert_eq!(facts["mpaaRating"], "R");
    assert_eq!(facts["genres"], json!(["Horror", "Science Fiction"]));
    assert_eq!(facts["tagline"], "In space no one can hear you scream.");
    assert_eq!(
        facts["cast"]["edges"],
        json!([
            {"node": {"billingOrder": 1, "character": "Ripley",
                      "person": {"slug": "sigourney-weaver", "name": "Sigourney Weaver"}}},
            {"node": {"billingOrder": 2, "character": "Dallas",
                      "person": {"slug": "tom-skerritt", "name": "Tom Skerritt"}}},
        ])
    );
    assert_eq!(facts["crew"]["totalCount"], 2, "a director and a writer");
    assert_eq!(
        facts["companies"].as_array().map(Vec::len),
        Some(2),
        "{facts}"
    );
    let scores = facts["scores"].as_array().unwrap();
    assert_eq!(scores.len(), 2);
    assert!(
        scores
            .iter()
            .any(|s| s["source"] == "IMDB" && s["value"] == 8.5 && s["scale"] == 10)
    );
    assert!(
        scores
            .iter()
            .any(|s| s["source"] == "ROTTEN_TOMATOES" && s["value"].is_null())
    );
    assert_eq!(facts["trivia"][0]["answer"], "Nostromo");
    assert_eq!(
        facts["creditScenes"],
        json!({"answer": "YES", "confirmed": true, "scenes": [{"kind": "POST_CREDITS", "hint": null}]})
    );
    assert_eq!(facts["revisions"]["totalCount"], 1, "imported, so recorded");
}

both_engines!(several_fixtures_share_their_people_and_companies);
async fn several_fixtures_share_their_people_and_companies(engine: Engine) {
    let app = spawn_app(engine, Dataset::Empty).await;

    let films = insert_films(
        &app.db,
        [
            FilmFixture::new("Alien")
                .released("1979-05-25")
                .director("Ridley Scott"),
            FilmFixture::new("Blade Runner")
                .released("1982-06-25")
                .director("Ridley Scott"),
            FilmFixture::new("Alien")
                .slug("alien-director-s-cut")
                .director("Ridley Scott"),
        ],
    )
    .await;

    let slugs: Vec<&str> = films.iter().map(|f| f.slug.as_str()).collect();
    assert_eq!(
        slugs,
        ["alien-1979", "blade-runner-1982", "alien-director-s-cut"],
        "{engine:?}"
    );
    let data = app
        .data(
            r#"{ person(slug: "ridley-scott") { credits(first: 10) { totalCount } } films { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["person"]["credits"]["totalCount"], 3, "{engine:?}");
    assert_eq!(data["films"]["totalCount"], 3);
    assert_eq!(
        entity::person::Entity::find().count(&app.db).await.unwrap(),
        1,
        "{engine:?}: one person, three credits"
    );
}

both_engines!(the_m_butterfly_dataset_is_the_demo_s_m_butterfly);
async fn the_m_butterfly_dataset_is_the_demo_s_m_butterfly(engine: Engine) {
    let alone = spawn_app(engine, Dataset::MButterfly).await;
    let demo = spawn_app(engine, Dataset::Demo).await;

    let expected = film_facts(&demo, "m-butterfly-1993").await;
    assert_eq!(expected["title"], "M. Butterfly", "{engine:?}");
    assert_eq!(
        film_facts(&alone, "m-butterfly-1993").await,
        expected,
        "{engine:?}"
    );
    let data = alone.data("{ films { totalCount } }", json!({})).await;
    assert_eq!(
        data["films"]["totalCount"], 1,
        "{engine:?}: and nothing else"
    );
}

both_engines!(the_empty_dataset_has_the_schema_and_no_rows);
async fn the_empty_dataset_has_the_schema_and_no_rows(engine: Engine) {
    let app = spawn_app(engine, Dataset::Empty).await;
    let data = app
        .data(
            "{ films { totalCount } people { totalCount } companies { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data,
        json!({"films": {"totalCount": 0}, "people": {"totalCount": 0}, "companies": {"totalCount": 0}}),
        "{engine:?}"
    );
    assert_eq!(
        entity::user::Entity::find().count(&app.db).await.unwrap(),
        0
    );
    assert_eq!(
        entity::revision::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        0
    );
}

both_engines!(clones_of_one_template_never_see_each_other_s_writes);
async fn clones_of_one_template_never_see_each_other_s_writes(engine: Engine) {
    // Arrange: two databases from the same template, open at the same time.
    let first = spawn_app(engine, Dataset::MButterfly).await;
    let second = spawn_app(engine, Dataset::MButterfly).await;
    assert_ne!(first.test_db.url, second.test_db.url, "{engine:?}");

    // Act: write to the first (a film, an account).
    FilmFixture::new("Only Here").insert(&first.db).await;
    first.user_token("ann", Role::Editor).await;

    // Assert: the second, and a third made afterwards, hold the template's data only.
    let third = TestDb::new(engine, Dataset::MButterfly).await;
    let third_db = third.connect().await;
    for db in [&second.db, &third_db] {
        assert_eq!(
            entity::film::Entity::find().count(db).await.unwrap(),
            1,
            "{engine:?}"
        );
        assert_eq!(entity::user::Entity::find().count(db).await.unwrap(), 0);
    }
    assert_eq!(
        entity::film::Entity::find().count(&first.db).await.unwrap(),
        2
    );
    third_db.close().await.unwrap();
}
