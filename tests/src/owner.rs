//! What this test process owns outside itself, and how the leftovers of dead test processes are
//! swept away.
//!
//! A test process cannot run code when it exits (statics are never dropped), so its templates and
//! any database a killed test left behind outlive it. Each process therefore marks what it owns
//! with a lock the operating system (or PostgreSQL) releases when the process dies, and the next
//! process to start removes whatever is no longer locked:
//!
//! - files: a scratch directory `$TMPDIR/stinger-tests/<id>/` (SQLite templates, per-test
//!   databases and data directories), owned while `<id>.lock` beside it is locked;
//! - PostgreSQL: databases named `stinger_tpl_<token>_…` (templates) and `stinger_tdb_<token>_…`
//!   (per-test), owned while a session holds the advisory lock `(LOCK_CLASS, token)`.
//!
//! The PostgreSQL side is one thread per process (the "owner"), on a connection of its own: it
//! holds the lock, sweeps the dead processes' databases, and drops this process's per-test
//! databases in the background (`DROP DATABASE` waits for a checkpoint; a test should not), a few
//! at once, with at most four pending: a new test database waits for the backlog first.
//!
//! So at most the last run's templates and a few of its test databases stay behind until the
//! next run, and nothing a live process still uses is ever removed.

use sea_orm::sqlx::postgres::PgPoolOptions;
use sea_orm::sqlx::{Connection, PgConnection, PgPool};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// The variable naming the PostgreSQL server tests may create databases on.
pub const POSTGRES_ENV: &str = "STINGER_TEST_DATABASE_URL";

/// Prefix of the per-process template databases on PostgreSQL.
pub(crate) const TEMPLATE_PREFIX: &str = "stinger_tpl_";
/// Prefix of the per-test databases on PostgreSQL.
pub(crate) const TEST_DB_PREFIX: &str = "stinger_tdb_";
/// First key of the advisory locks that mark a live test process ("ST").
const LOCK_CLASS: i32 = 0x5354;

/// The PostgreSQL server URL from [`POSTGRES_ENV`], when set.
pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_ENV).ok().filter(|v| !v.is_empty())
}

/// The per-process scratch directory, created (after sweeping dead processes' ones) on first use.
pub(crate) fn scratch_dir() -> &'static Path {
    static SCRATCH: OnceLock<Scratch> = OnceLock::new();
    &SCRATCH.get_or_init(Scratch::create).dir
}

struct Scratch {
    dir: PathBuf,
    /// Held (locked) until the process exits.
    _lock: File,
}

impl Scratch {
    fn create() -> Self {
        let root = std::env::temp_dir().join("stinger-tests");
        std::fs::create_dir_all(&root)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", root.display()));
        sweep_dead_scratch_dirs(&root);
        let id = format!("{}-{:08x}", std::process::id(), rand::random::<u32>());
        let lock_path = root.join(format!("{id}.lock"));
        let lock = File::create_new(&lock_path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", lock_path.display()));
        lock.lock()
            .unwrap_or_else(|e| panic!("cannot lock {}: {e}", lock_path.display()));
        let dir = root.join(id);
        std::fs::create_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        Self { dir, _lock: lock }
    }
}

/// Removes the scratch directories whose `.lock` no live process holds.
fn sweep_dead_scratch_dirs(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "lock") {
            continue;
        }
        let Ok(file) = File::options().write(true).open(&path) else {
            continue;
        };
        if file.try_lock().is_ok() {
            // Its owner is gone (a live owner keeps the lock): its files are leftovers.
            let _ = std::fs::remove_dir_all(path.with_extension(""));
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// How many of its databases a process may have waiting to be dropped: about the most it can
/// leave behind (for the next run to sweep) when it exits.
const MAX_PENDING_DROPS: usize = 4;
/// How many drops run at once. Each `DROP DATABASE` waits for a checkpoint, and drops waiting
/// together share one: their throughput grows with this.
const DROP_CONNECTIONS: u32 = 4;

/// This process's owner thread on the PostgreSQL server: its token is the suffix of every
/// database the process creates there. Started (and the token taken) on first use.
pub(crate) struct PostgresOwner {
    pub token: u32,
    drops: tokio::sync::mpsc::UnboundedSender<String>,
    pending: Arc<PendingDrops>,
}

/// The drops sent to the owner thread and not done yet.
#[derive(Default)]
struct PendingDrops {
    count: AtomicUsize,
    done: tokio::sync::Notify,
}

impl PostgresOwner {
    /// Drops the database `name` in the background. `DROP DATABASE` waits for a checkpoint, which
    /// can take seconds while other tests write: a test should not wait for its own.
    pub fn drop_later(&self, name: String) {
        self.pending.count.fetch_add(1, Ordering::SeqCst);
        if self.drops.send(name).is_err() {
            self.pending.count.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Waits until at most [`MAX_PENDING_DROPS`] drops are pending: called before creating a
    /// database, so the drops keep up with the tests and an exiting process leaves few behind.
    pub async fn wait_for_drops(&self) {
        loop {
            // Created before the check, so a drop finishing in between still wakes it.
            let done = self.pending.done.notified();
            if self.pending.count.load(Ordering::SeqCst) <= MAX_PENDING_DROPS {
                return;
            }
            done.await;
        }
    }
}

static OWNER: tokio::sync::OnceCell<PostgresOwner> = tokio::sync::OnceCell::const_new();

/// The owner thread of this process on the server at `admin_url` (one server per process).
pub(crate) async fn postgres_owner(admin_url: &str) -> &'static PostgresOwner {
    OWNER
        .get_or_init(|| start_owner(admin_url.to_owned()))
        .await
}

/// The owner thread, if a PostgreSQL database was made (every one is made after it starts).
pub(crate) fn postgres_owner_if_started() -> Option<&'static PostgresOwner> {
    OWNER.get()
}

/// Starts the owner thread: on a connection of its own it takes an unused token's advisory lock
/// and keeps it until the process exits, and drops the databases it is sent; beside it, on a
/// second connection, it sweeps the dead processes' databases. (It has a runtime of its own:
/// each `#[tokio::test]` runtime ends with its test.)
async fn start_owner(admin_url: String) -> PostgresOwner {
    let (token_sender, token_receiver) = tokio::sync::oneshot::channel();
    let (drops, mut to_drop) = tokio::sync::mpsc::unbounded_channel::<String>();
    let pending = Arc::new(PendingDrops::default());
    let progress = pending.clone();
    std::thread::Builder::new()
        .name("stinger-tests-owner".to_owned())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the owner thread");
            runtime.block_on(async move {
                let mut conn = PgConnection::connect(&admin_url).await.unwrap_or_else(|e| {
                    panic!("cannot connect to {POSTGRES_ENV} ({admin_url}): {e}")
                });
                let token = loop {
                    // 31 bits: the token fits PostgreSQL's int4 and prints as 8 hex digits.
                    let token = rand::random::<u32>() >> 1;
                    if try_lock(&mut conn, token).await {
                        break token;
                    }
                };
                let _ = token_sender.send(token);
                let Ok(droppers) = PgPoolOptions::new()
                    .max_connections(DROP_CONNECTIONS)
                    .connect_lazy(&admin_url)
                else {
                    return;
                };
                let sweep_droppers = droppers.clone();
                tokio::spawn(async move {
                    if let Ok(mut sweeper) = PgConnection::connect(&admin_url).await {
                        sweep_dead_owners(&mut sweeper, &sweep_droppers, token).await;
                    }
                });
                while let Some(name) = to_drop.recv().await {
                    let droppers = droppers.clone();
                    let progress = progress.clone();
                    tokio::spawn(async move {
                        drop_database(&droppers, &name).await;
                        progress.count.fetch_sub(1, Ordering::SeqCst);
                        progress.done.notify_waiters();
                    });
                }
            });
        })
        .expect("a thread for the owner");
    let token = token_receiver
        .await
        .expect("the owner thread takes a token");
    PostgresOwner {
        token,
        drops,
        pending,
    }
}

/// Takes the advisory lock of `token` for this session, if no other session holds it.
async fn try_lock(conn: &mut PgConnection, token: u32) -> bool {
    sea_orm::sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)")
        .bind(LOCK_CLASS)
        .bind(token as i32)
        .fetch_one(conn)
        .await
        .unwrap_or(false)
}

/// Drops the database `name` (made by this module, so a plain identifier).
async fn drop_database(droppers: &PgPool, name: &str) {
    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    let _ = sea_orm::sqlx::raw_sql(sea_orm::sqlx::AssertSqlSafe(sql))
        .execute(droppers)
        .await;
}

/// Drops the `stinger_tpl_*` and `stinger_tdb_*` databases of the processes that no longer hold
/// their token's lock (taking it meanwhile, so that no new process picks that token).
async fn sweep_dead_owners(conn: &mut PgConnection, droppers: &PgPool, own: u32) {
    let names: Vec<String> = sea_orm::sqlx::query_scalar(
        "SELECT datname::text FROM pg_database \
         WHERE starts_with(datname, $1) OR starts_with(datname, $2)",
    )
    .bind(TEMPLATE_PREFIX)
    .bind(TEST_DB_PREFIX)
    .fetch_all(&mut *conn)
    .await
    .unwrap_or_default();
    drop_dead_owners_databases(conn, droppers, own, names).await;
}

/// Drops those of `names` whose owner's token no session but this one could lock (this
/// session's own token, which it holds, excepted).
async fn drop_dead_owners_databases(
    conn: &mut PgConnection,
    droppers: &PgPool,
    own: u32,
    names: Vec<String>,
) {
    let mut by_token: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for name in names {
        if let Some(token) = token_of(&name).filter(|t| *t != own) {
            by_token.entry(token).or_default().push(name);
        }
    }
    for (token, names) in by_token {
        if !try_lock(conn, token).await {
            continue; // a live process owns them
        }
        futures_util::future::join_all(names.iter().map(|name| drop_database(droppers, name)))
            .await;
        let _ = sea_orm::sqlx::query("SELECT pg_advisory_unlock($1, $2)")
            .bind(LOCK_CLASS)
            .bind(token as i32)
            .execute(&mut *conn)
            .await;
    }
}

/// The owner's token in a database name made by this module (`<prefix><8 hex digits>_…`).
fn token_of(name: &str) -> Option<u32> {
    let rest = name
        .strip_prefix(TEMPLATE_PREFIX)
        .or_else(|| name.strip_prefix(TEST_DB_PREFIX))?;
    let hex = rest.get(..8).filter(|_| rest[8..].starts_with('_'))?;
    u32::from_str_radix(hex, 16).ok()
}

/// A one-connection pool on the PostgreSQL server's administrative database.
pub(crate) async fn connect_admin(admin_url: &str) -> Result<DatabaseConnection, sea_orm::DbErr> {
    let mut options = ConnectOptions::new(admin_url);
    options
        .max_connections(1)
        .min_connections(0)
        .sqlx_logging(false);
    Database::connect(options).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_processes_scratch_dir_is_swept_and_a_live_ones_is_kept() {
        let root = tempfile::tempdir().unwrap();
        let make = |id: &str| {
            std::fs::create_dir(root.path().join(id)).unwrap();
            std::fs::write(root.path().join(id).join("test.db"), "x").unwrap();
            File::create(root.path().join(format!("{id}.lock"))).unwrap()
        };
        drop(make("1-dead"));
        let live = make("2-live");
        live.lock().unwrap();

        sweep_dead_scratch_dirs(root.path());

        assert!(!root.path().join("1-dead").exists());
        assert!(!root.path().join("1-dead.lock").exists());
        assert!(root.path().join("2-live").join("test.db").exists());
        assert!(root.path().join("2-live.lock").exists());
    }

    /// A token no session holds.
    async fn free_token(conn: &mut PgConnection) -> u32 {
        loop {
            let token = rand::random::<u32>() >> 1;
            if try_lock(conn, token).await {
                sea_orm::sqlx::query("SELECT pg_advisory_unlock($1, $2)")
                    .bind(LOCK_CLASS)
                    .bind(token as i32)
                    .execute(&mut *conn)
                    .await
                    .unwrap();
                return token;
            }
        }
    }

    async fn exists(conn: &mut PgConnection, name: &str) -> bool {
        sea_orm::sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(conn)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_dead_processes_databases_are_swept_and_a_live_ones_are_kept() {
        let Some(url) = postgres_url() else {
            eprintln!("skipped: {POSTGRES_ENV} is not set");
            return;
        };
        let mut conn = PgConnection::connect(&url).await.unwrap();
        let droppers = PgPool::connect(&url).await.unwrap();
        let mut live_owner = PgConnection::connect(&url).await.unwrap();
        let live = free_token(&mut conn).await;
        assert!(try_lock(&mut live_owner, live).await);
        let dead = free_token(&mut conn).await;
        let own = free_token(&mut conn).await;
        let names = [
            format!("{TEMPLATE_PREFIX}{dead:08x}_empty"),
            format!("{TEST_DB_PREFIX}{dead:08x}_0"),
            format!("{TEST_DB_PREFIX}{live:08x}_0"),
            format!("{TEST_DB_PREFIX}{own:08x}_0"),
        ];
        for name in &names {
            let sql = format!("CREATE DATABASE {name}");
            sea_orm::sqlx::raw_sql(sea_orm::sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .unwrap();
        }

        // (Only these names: the whole server's leftovers are the owner thread's business.)
        assert!(
            try_lock(&mut conn, own).await,
            "the sweeper holds its own token"
        );
        drop_dead_owners_databases(&mut conn, &droppers, own, names.to_vec()).await;

        let mut found = Vec::new();
        for name in &names {
            found.push(exists(&mut conn, name).await);
        }
        for name in &names[2..] {
            drop_database(&droppers, name).await;
        }
        assert_eq!(found, [false, false, true, true], "{names:?}");
        assert!(
            try_lock(&mut live_owner, dead).await,
            "the sweeper let the dead token go"
        );
    }

    #[test]
    fn tokens_are_read_back_from_database_names_and_nothing_else_matches() {
        assert_eq!(token_of("stinger_tpl_0000beef_empty"), Some(0xbeef));
        assert_eq!(token_of("stinger_tdb_7fffffff_12"), Some(0x7fff_ffff));
        assert_eq!(token_of("stinger_test_123_4_567"), None, "the old naming");
        assert_eq!(token_of("stinger_tdb_beef_1"), None);
        assert_eq!(token_of("postgres"), None);
    }
}
