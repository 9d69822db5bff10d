//! Connecting to the database, migrating it, and filling a new one with the demo data.

use crate::config::DatabaseConfig;
use crate::service::demo;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};
use std::time::Duration;

pub mod fault;
pub mod request_scope;

/// SQLite's page cache for the whole pool, in KiB, split evenly between its connections.
const SQLITE_PAGE_CACHE_KIB: i64 = 32 * 1024;

/// A pooled connection idle this long is pinged before it is handed out.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(1);

/// Why the database could not be made ready.
#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("cannot create the data directory {path}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot connect to the database")]
    Connect(#[source] DbErr),
    #[error("cannot migrate the database")]
    Migrate(#[source] DbErr),
    #[error("cannot load the demo data")]
    Demo(#[source] crate::service::import::ImportError),
}

/// Connects, creating the embedded SQLite file (and its directory) when needed. Every
/// connection gets the configured timeouts: on PostgreSQL `statement_timeout`, `lock_timeout`
/// and `idle_in_transaction_session_timeout`, on SQLite `busy_timeout` and an interruption
/// when the request it serves ends early ([`request_scope`]).
pub async fn connect(config: &DatabaseConfig) -> Result<DatabaseConnection, DbSetupError> {
    if config.url.is_none() {
        private_files(config).map_err(|source| DbSetupError::DataDir {
            path: config.data_dir.display().to_string(),
            source,
        })?;
    }
    let timeouts = config.timeouts;
    let millis = |d: Duration| d.as_millis().to_string();
    let mut options = ConnectOptions::new(config.url());
    options
        .max_connections(config.max_connections)
        .min_connections(0)
        .acquire_timeout(timeouts.acquire)
        .connect_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(600))
        // sqlx pings a connection on every checkout by default: a round trip per statement on
        // PostgreSQL. Only connections idle for a second are pinged: under load none are (no
        // cost), and after a database restart, which takes longer, the dead ones are found
        // and replaced before a request draws them.
        .test_before_acquire_if_idle_for(IDLE_BEFORE_PING)
        .sqlx_logging(false)
        // After a lost connection (a restarted server) every connection is checked for a while,
        // and while the server stops: the dead ones are replaced instead of failing the request
        // that draws them.
        .map_sqlx_postgres_before_acquire(|conn, _| {
            Box::pin(async move {
                if self::fault::check_before_use() {
                    sea_orm::sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
        .map_sqlx_postgres_opts(move |pg| {
            pg.options([
                ("statement_timeout", millis(timeouts.statement)),
                ("lock_timeout", millis(timeouts.lock)),
                (
                    "idle_in_transaction_session_timeout",
                    millis(timeouts.idle_in_transaction),
                ),
            ])
        });
    let per_connection_kib = SQLITE_PAGE_CACHE_KIB / i64::from(config.max_connections.max(1));
    options.map_sqlx_sqlite_opts(move |sqlite| {
        // Each SQLite connection has its own page cache; the pool shares one budget. The file
        // is read through the OS page cache rather than mapped: a mapping counts its pages in
        // the server's resident memory, which would grow with the database.
        sqlite
            .busy_timeout(timeouts.sqlite_busy)
            .pragma("cache_size", format!("-{per_connection_kib}"))
            .pragma("mmap_size", "0")
    });
    // Every connection handed out, idle or new, is bound to the request taking it, so a
    // request that ends early interrupts its statements (see `request_scope`).
    options.map_sqlx_sqlite_before_acquire(|conn, _| {
        Box::pin(async move { request_scope::bind(conn).await.map(|()| true) })
    });
    options.map_sqlx_sqlite_pool_opts(|pool| {
        pool.after_connect(|conn, _| Box::pin(request_scope::bind(conn)))
    });
    let mut db = Database::connect(options)
        .await
        .map_err(DbSetupError::Connect)?;
    // Every statement is counted for its request and for the metrics.
    db.set_metric_callback(|info| {
        request_scope::count_statement();
        crate::metrics::statement_ran(info);
    });
    if db.get_database_backend() == DbBackend::Sqlite {
        // WAL lets readers run beside the one writer; the setting is stored in the file.
        db.execute_unprepared("PRAGMA journal_mode=WAL")
            .await
            .map_err(DbSetupError::Connect)?;
    }
    Ok(db)
}

/// The embedded database holds password hashes: its directory is the owner's alone (0700) and
/// its file (with the WAL and shared-memory files SQLite creates beside it, which take the
/// file's mode) is owner read-write only (0600). Tightens an existing directory or file too.
#[cfg(unix)]
fn private_files(config: &DatabaseConfig) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    let dir = &config.data_dir;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    let file = dir.join(crate::config::SQLITE_FILE);
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&file)?;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn private_files(config: &DatabaseConfig) -> std::io::Result<()> {
    std::fs::create_dir_all(&config.data_dir)
}

/// Runs pending migrations. Returns true when the database was new (no migration had run).
pub async fn migrate(db: &DatabaseConnection) -> Result<bool, DbSetupError> {
    let applied = Migrator::get_applied_migrations(db)
        .await
        .map_err(DbSetupError::Migrate)?;
    Migrator::up(db, None)
        .await
        .map_err(DbSetupError::Migrate)?;
    Ok(applied.is_empty())
}

/// Has public data never been written? Every write leaves a revision, so a database without
/// any is new (even if `stinger-admin migrate` created its schema), and one whose films were
/// all deleted is not.
async fn never_written(db: &DatabaseConnection) -> Result<bool, DbErr> {
    use sea_orm::{EntityTrait, PaginatorTrait};
    Ok(entity::revision::Entity::find().count(db).await? == 0)
}

/// Connects, migrates (if `migrate`), and loads the demo data into a database that has never
/// held public data (if `demo`).
pub async fn prepare(
    config: &DatabaseConfig,
    migrate_on_start: bool,
    demo_data: bool,
) -> Result<DatabaseConnection, DbSetupError> {
    let db = connect(config).await?;
    if migrate_on_start {
        migrate(&db).await?;
        if demo_data && never_written(&db).await.map_err(DbSetupError::Migrate)? {
            let report = demo::load(&db).await.map_err(DbSetupError::Demo)?;
            tracing::info!(%report, "loaded the demo data into the new database");
        }
    }
    Ok(db)
}
