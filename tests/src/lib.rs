//! Helpers for Stinger's end-to-end tests: per-test databases on both engines, an in-process
//! server on a random port, the real `stinger-api` binary, and a small GraphQL client.
//!
//! Every test that touches a database runs on SQLite, and on PostgreSQL too when
//! `STINGER_TEST_DATABASE_URL` points at a server (e.g. `postgres://postgres@127.0.0.1:5432/postgres`).
//! Each test gets its own database, created fresh and dropped afterwards.

pub mod app;
pub mod db;
pub mod process;

pub use app::{TEST_PASSWORD, TestApp, spawn_app, spawn_app_with};
pub use db::{Engine, TestDb, engines};
pub use process::ServerProcess;
