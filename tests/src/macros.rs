//! `both_engines!`: one test body, one `#[tokio::test]` per engine.

/// Runs the async function `name(engine: Engine)` as two tests, `name::sqlite` and
/// `name::postgres`, so each engine passes or fails on its own. The PostgreSQL test returns at
/// once, with a note, when `STINGER_TEST_DATABASE_URL` is unset.
///
/// ```ignore
/// use stinger_tests::{Dataset, Engine, both_engines, spawn_app};
///
/// both_engines!(anonymous_readers_see_no_account);
/// async fn anonymous_readers_see_no_account(engine: Engine) {
///     let app = spawn_app(engine, Dataset::Empty).await;
///     let data = app.data("{ me { username } }", json!({})).await;
///     assert_eq!(data["me"], Value::Null, "{engine:?}");
/// }
///
/// // Arguments after the name go to `#[tokio::test(…)]`, for both tests.
/// both_engines!(a_child_process_talks_to_the_server, flavor = "multi_thread", worker_threads = 2);
/// async fn a_child_process_talks_to_the_server(engine: Engine) { /* … */ }
/// ```
///
/// The body stays an ordinary function (rustfmt formats it, rust-analyzer follows it); the macro
/// adds a module of the same name (modules and functions do not clash) holding the two tests.
/// Filter with `cargo test name` (both), `cargo test ::sqlite` (every SQLite test) or
/// `cargo test -- --skip ::postgres`.
#[macro_export]
macro_rules! both_engines {
    ($name:ident $(, $($runtime:tt)*)?) => {
        mod $name {
            #[tokio::test($($($runtime)*)?)]
            async fn sqlite() {
                super::$name($crate::Engine::Sqlite).await;
            }

            #[tokio::test($($($runtime)*)?)]
            async fn postgres() {
                if $crate::postgres_enabled(module_path!()) {
                    super::$name($crate::Engine::Postgres).await;
                }
            }
        }
    };
}
