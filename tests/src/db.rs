//! Per-test databases on both engines, cloned from this process's templates: a SQLite file in a
//! temporary directory, or a PostgreSQL database of its own, dropped when the test ends.

use crate::owner::{self, POSTGRES_ENV, TEST_DB_PREFIX};
use crate::template::{self, Template, admin_execute};
use sea_orm::{Database, DatabaseConnection};
use std::sync::atomic::{AtomicUsize, Ordering};
use tempfile::TempDir;

/// Which engine a test database runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Is PostgreSQL configured (`STINGER_TEST_DATABASE_URL`)? When it is not, says that `test` is
/// skipped there. [`both_engines!`](crate::both_engines) asks before each PostgreSQL run.
pub fn postgres_enabled(test: &str) -> bool {
    let enabled = owner::postgres_url().is_some();
    if !enabled {
        eprintln!("{test}: skipped on PostgreSQL ({POSTGRES_ENV} is not set)");
    }
    enabled
}

/// What a test's database holds when the test starts. Each is a template built once per test
/// process and cloned per test, so even [`Dataset::Demo`] costs a file copy, not an import; still,
/// pick the smallest that your assertions need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    /// The schema and no rows: no films, no accounts. Add what the test needs with
    /// [`FilmFixture`](crate::FilmFixture) and [`TestApp::user_token`](crate::TestApp::user_token).
    Empty = 0,
    /// M. Butterfly (1993), fully described as in the demo data (six cast members, a director and
    /// a writer, two companies, six scores including the known-wrong 0 % audience score, trivia, a
    /// confirmed "no credit scenes"), and nothing else: the film the editorial tests correct.
    MButterfly = 1,
    /// The whole demo catalogue: 3,200 vega films and M. Butterfly. For tests that assert facts
    /// of the catalogue (counts derived from the vega file, search ranking over real titles).
    Demo = 2,
}

impl Dataset {
    pub(crate) const ALL: [Dataset; 3] = [Dataset::Empty, Dataset::MButterfly, Dataset::Demo];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Dataset::Empty => "empty",
            Dataset::MButterfly => "m_butterfly",
            Dataset::Demo => "demo",
        }
    }

    /// Builds this dataset into `db`, which holds `Empty` already unless this is `Empty`.
    pub(crate) async fn load(self, db: &DatabaseConnection) {
        match self {
            Dataset::Empty => {
                stinger_api::db::migrate(db)
                    .await
                    .expect("the template migrates");
            }
            Dataset::MButterfly => {
                crate::fixtures::m_butterfly(db).await;
            }
            Dataset::Demo => {
                stinger_api::service::demo::load(db)
                    .await
                    .expect("the demo data loads into the template");
            }
        }
    }
}

/// A database that exists for one test.
pub struct TestDb {
    pub engine: Engine,
    /// The URL to give the server (`DATABASE_URL`).
    pub url: String,
    /// An empty directory of the test's own (for SQLite it holds the database file); usable as
    /// `STINGER_DATA_DIR`.
    pub dir: TempDir,
    /// For PostgreSQL: this database's name, to drop it.
    postgres_name: Option<String>,
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} database {}", self.engine, self.url)
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl TestDb {
    /// A database holding `dataset`, cloned from this process's template (built on first use).
    pub async fn new(engine: Engine, dataset: Dataset) -> Self {
        let template = template::template(engine, dataset).await;
        Self::create(engine, Some(template)).await
    }

    /// A database without even the schema: for tests of migrations, of a first start, and of
    /// commands that must create everything themselves.
    pub async fn blank(engine: Engine) -> Self {
        Self::create(engine, None).await
    }

    async fn create(engine: Engine, template: Option<Template>) -> Self {
        let dir = tempfile::tempdir_in(owner::scratch_dir()).expect("a temporary directory");
        match engine {
            Engine::Sqlite => {
                let file = dir.path().join("test.db");
                if let Some(Template::Sqlite(template)) = &template {
                    std::fs::copy(template, &file).expect("copy the SQLite template");
                }
                let url = format!("sqlite://{}?mode=rwc", file.display());
                Self {
                    engine,
                    url,
                    dir,
                    postgres_name: None,
                }
            }
            Engine::Postgres => {
                let admin = owner::postgres_url()
                    .unwrap_or_else(|| panic!("{POSTGRES_ENV} is not set: no PostgreSQL tests"));
                let owner = owner::postgres_owner(&admin).await;
                owner.wait_for_drops().await;
                let token = owner.token;
                let name = format!(
                    "{TEST_DB_PREFIX}{token:08x}_{}",
                    COUNTER.fetch_add(1, Ordering::Relaxed)
                );
                let create = match &template {
                    Some(Template::Postgres(template)) => {
                        format!("CREATE DATABASE {name} TEMPLATE {template}")
                    }
                    _ => format!("CREATE DATABASE {name}"),
                };
                admin_execute(&admin, &[&create]).await;
                let url = replace_database(&admin, &name);
                Self {
                    engine,
                    url,
                    dir,
                    postgres_name: Some(name),
                }
            }
        }
    }

    /// A connection to this database.
    pub async fn connect(&self) -> DatabaseConnection {
        Database::connect(&self.url)
            .await
            .expect("connect to the test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.postgres_name.take() {
            // Queued to this process's owner thread (see `owner`), which drops it shortly.
            if let Some(owner) = owner::postgres_owner_if_started() {
                owner.drop_later(name);
            }
        }
    }
}

/// `url` with its database name replaced by `name`.
pub(crate) fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_database_name_is_replaced() {
        assert_eq!(
            super::replace_database("postgres://u@h:5432/postgres", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            super::replace_database("postgres://u@h/postgres?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
