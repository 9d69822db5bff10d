//! One template database per [`Dataset`] and engine, built once per test process on first use
//! and cloned for every test: a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL.
//!
//! `Empty` is migrated from nothing; the others start as a clone of `Empty` and load their data
//! through the service layer (the demo loader, the fixture builders), exactly as a server would.

use crate::db::{Dataset, Engine, replace_database};
use crate::owner::{self, TEMPLATE_PREFIX};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use std::path::PathBuf;
use tokio::sync::OnceCell;

/// Where a template lives.
#[derive(Debug, Clone)]
pub(crate) enum Template {
    /// A SQLite file nobody has open (no WAL beside it): copying it is a consistent snapshot.
    Sqlite(PathBuf),
    /// A PostgreSQL database nobody is connected to (a condition of `CREATE DATABASE … TEMPLATE`).
    Postgres(String),
}

/// The template of `dataset` on `engine`, built on first use. Tests asking at the same time wait
/// for the one build; the template outlives every runtime (it holds no connection).
pub(crate) async fn template(engine: Engine, dataset: Dataset) -> Template {
    static CELLS: [OnceCell<Template>; 2 * Dataset::ALL.len()] =
        [const { OnceCell::const_new() }; 2 * Dataset::ALL.len()];
    let index = match engine {
        Engine::Sqlite => 0,
        Engine::Postgres => Dataset::ALL.len(),
    } + dataset as usize;
    CELLS[index]
        .get_or_init(|| build(engine, dataset))
        .await
        .clone()
}

/// Builds a template: `Empty` by migrating, the others from a clone of `Empty`.
async fn build(engine: Engine, dataset: Dataset) -> Template {
    let started = std::time::Instant::now();
    let template = match engine {
        Engine::Sqlite => {
            let path = owner::scratch_dir().join(format!("template-{}.db", dataset.name()));
            // What a build that panicked half-way left (the next test asking builds again).
            let _ = std::fs::remove_file(&path);
            if dataset != Dataset::Empty {
                let Template::Sqlite(empty) = Box::pin(template(engine, Dataset::Empty)).await
                else {
                    unreachable!("SQLite templates are files")
                };
                std::fs::copy(&empty, &path).expect("copy the empty template");
            }
            let url = format!("sqlite://{}?mode=rwc", path.display());
            fill(&url, dataset).await;
            Template::Sqlite(path)
        }
        Engine::Postgres => {
            let admin = owner::postgres_url().expect("a PostgreSQL template needs its server");
            let token = owner::postgres_owner(&admin).await.token;
            let name = format!("{TEMPLATE_PREFIX}{token:08x}_{}", dataset.name());
            let create = if dataset == Dataset::Empty {
                format!("CREATE DATABASE {name}")
            } else {
                let Template::Postgres(empty) = Box::pin(template(engine, Dataset::Empty)).await
                else {
                    unreachable!("PostgreSQL templates are databases")
                };
                format!("CREATE DATABASE {name} TEMPLATE {empty}")
            };
            let leftover = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            admin_execute(&admin, &[&leftover, &create]).await;
            fill(&replace_database(&admin, &name), dataset).await;
            Template::Postgres(name)
        }
    };
    eprintln!(
        "stinger-tests: built the {engine:?} {} template in {:.1?}",
        dataset.name(),
        started.elapsed()
    );
    template
}

/// Migrates (`Empty`) or loads `dataset` into the database at `url`, then closes every connection.
async fn fill(url: &str, dataset: Dataset) {
    // One connection: SQLite's journal stays in the main file (no WAL is ever switched on here),
    // so once it closes the file alone is the whole database.
    let mut options = ConnectOptions::new(url);
    options.max_connections(1).sqlx_logging(false);
    let db: DatabaseConnection = Database::connect(options)
        .await
        .unwrap_or_else(|e| panic!("connect to the template {url}: {e}"));
    // A template that a crash would lose is simply rebuilt by the next process: skip the waits
    // for durable commits while building it (the clones run with the engine's defaults).
    let no_durability = match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => "PRAGMA synchronous = OFF",
        _ => "SET synchronous_commit = off",
    };
    db.execute_unprepared(no_durability)
        .await
        .expect("the template's session settings apply");
    dataset.load(&db).await;
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA journal_mode=DELETE")
            .await
            .expect("the template keeps its journal in the main file");
    }
    db.close().await.expect("the template's connection closes");
}

/// Runs administrative statements (`CREATE DATABASE`, …) on the server, one by one (they
/// cannot share a transaction).
pub(crate) async fn admin_execute(admin_url: &str, statements: &[&str]) {
    let db = owner::connect_admin(admin_url)
        .await
        .unwrap_or_else(|e| panic!("connect to {} ({admin_url}): {e}", owner::POSTGRES_ENV));
    for sql in statements {
        db.execute_unprepared(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let _ = db.close().await;
}
