//! Helpers for Stinger's end-to-end tests: per-test databases on both engines cloned from
//! per-process templates, fixture builders, an in-process server on a random port, the real
//! binaries, and a small GraphQL client.
//!
//! Every test that touches a database runs on SQLite, and on PostgreSQL too when
//! `STINGER_TEST_DATABASE_URL` points at a server (e.g. `postgres://postgres@127.0.0.1:5432/postgres`).
//! Each test gets its own database, cloned from a template this test process built (never from
//! anything a previous run left) and dropped afterwards.
//!
//! # Writing a test
//!
//! ```ignore
//! use serde_json::json;
//! use stinger_tests::{Dataset, Engine, FilmFixture, both_engines, spawn_app};
//!
//! both_engines!(an_editor_reads_the_film_they_correct);
//! async fn an_editor_reads_the_film_they_correct(engine: Engine) {
//!     // Arrange: the smallest dataset the assertions need, plus fixtures and accounts.
//!     let app = spawn_app(engine, Dataset::Empty).await;
//!     let film = FilmFixture::new("Alien")
//!         .released("1979-05-25")
//!         .director("Ridley Scott")
//!         .insert(&app.db)
//!         .await;
//!     let token = app.user_token("eddie", entity::Role::Editor).await;
//!
//!     // Act
//!     let query = "query($slug: String!) { film(slug: $slug) { title } }";
//!     let data = app.data_as(&token, query, json!({"slug": film.slug})).await;
//!
//!     // Assert (naming the engine in messages)
//!     assert_eq!(data["film"]["title"], "Alien", "{engine:?}");
//! }
//! ```
//!
//! - [`both_engines!`]`(name)` runs the async fn `name(engine)` as two tests, `name::sqlite` and
//!   `name::postgres`; the PostgreSQL one returns early (with a note) when
//!   `STINGER_TEST_DATABASE_URL` is unset. Further arguments go to `#[tokio::test(…)]`
//!   (`both_engines!(name, flavor = "multi_thread", worker_threads = 2)`). A test that makes sense
//!   on one engine only is a plain `#[tokio::test]` (with `if !postgres_enabled(..) { return; }`
//!   for PostgreSQL).
//! - [`Dataset`] says what the database holds at the start: `Empty` (the schema; the default
//!   choice), `MButterfly` (the one fully described film the editorial tests correct) or `Demo`
//!   (all 3,200 films: only for assertions about the catalogue itself). Each is cloned from a
//!   template this process builds once, so none costs an import per test.
//! - [`FilmFixture`] / [`insert_films`] create the films a test talks about, through the import
//!   service; [`TestApp::user_token`] creates an account and logs it in.
//! - [`spawn_app`] / [`spawn_app_with`] start the server in process. [`TestDb::new`] gives just a
//!   database (for the CLI), [`TestDb::blank`] one without even the schema (migrations, a first
//!   start). [`ServerProcess`] and [`process::binary`] run the real binaries, which
//!   `cargo test --workspace` builds (a narrower run needs `cargo build --workspace --bins` first).
//!
//! Run one area or one engine with `cargo test -p stinger-tests --test e2e editorial` or
//! `… -- ::sqlite`.

pub mod app;
pub mod browser;
pub mod db;
pub mod fixtures;
mod macros;
mod owner;
pub mod postgres_server;
pub mod process;
mod template;
pub mod ws;

pub use app::{TEST_PASSWORD, TestApp, spawn_app, spawn_app_with};
pub use db::{Dataset, Engine, TestDb, postgres_enabled};
pub use fixtures::{FilmFixture, insert_films};
pub use owner::POSTGRES_ENV;
pub use process::ServerProcess;
