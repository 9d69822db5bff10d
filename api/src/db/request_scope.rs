//! One request's database work: counted, and stopped with the request.
//!
//! A request runs its work inside [`scope`] (HTTP and WebSocket handlers; DataLoaders keep the
//! scope through [`spawn`]). Every statement run inside it is counted ([`count_statement`],
//! read back with [`statements`], for the metrics), and its SQLite statements stop with it:
//!
//! PostgreSQL ends a statement whose future is dropped (and `statement_timeout` bounds it
//! anyway); SQLite runs a statement on the connection's own thread, which keeps stepping after
//! the request that started it timed out or its client went away, holding a pooled connection
//! and a core. So a request runs its work inside [`scope`], which marks it cancelled when the
//! work is dropped before it finished; every SQLite connection, as it is handed out of the
//! pool, gets a progress handler that interrupts its statement once the scope it was handed to
//! is cancelled. Work outside any scope (the CLI's local commands, migrations, start-up) runs
//! without one, as before.

use sea_orm::sqlx::sqlite::SqliteConnection;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// SQLite virtual-machine steps between two looks at the cancellation flag: a look is one
/// atomic load, and this many steps take well under a millisecond.
const STEPS_PER_CHECK: i32 = 10_000;

/// What a scope knows of its work.
#[derive(Debug, Default)]
struct Work {
    cancelled: Arc<AtomicBool>,
    statements: AtomicU64,
}

tokio::task_local! {
    static WORK: Arc<Work>;
}

/// Marks its scope cancelled when dropped, whether the work finished or was abandoned (once it
/// finished, nothing of it runs any more, so the mark stops nothing).
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Counts a statement run by the current scope's work (nothing outside a scope).
pub fn count_statement() {
    let _ = WORK.try_with(|work| work.statements.fetch_add(1, Ordering::Relaxed));
}

/// Statements the current scope's work has run so far; `None` outside a scope.
pub fn statements() -> Option<u64> {
    WORK.try_with(|work| work.statements.load(Ordering::Relaxed))
        .ok()
}

/// Runs `work` as one request's database work: once `work` is dropped (a timeout, a client that
/// left), the SQLite statements it started, itself or through tasks it spawned with [`spawn`],
/// are interrupted.
pub async fn scope<F: Future>(work: F) -> F::Output {
    let work_state = Arc::new(Work::default());
    let _guard = CancelOnDrop(work_state.cancelled.clone());
    WORK.scope(work_state, work).await
}

/// `tokio::spawn`, keeping the caller's [`scope`]: what a request's DataLoaders use, so their
/// batched queries stop with the request too.
pub fn spawn<F>(work: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match WORK.try_with(Arc::clone) {
        Ok(state) => tokio::spawn(WORK.scope(state, work)),
        Err(_) => tokio::spawn(work),
    }
}

/// Binds a SQLite connection being handed out to the current [`scope`] (or to none): its
/// statements are interrupted once that scope is cancelled. Runs in the task that acquires the
/// connection, so it sees that task's scope.
pub async fn bind(conn: &mut SqliteConnection) -> Result<(), sea_orm::sqlx::Error> {
    let cancelled = WORK.try_with(|work| work.cancelled.clone()).ok();
    let mut handle = conn.lock_handle().await?;
    match cancelled {
        Some(cancelled) => {
            handle.set_progress_handler(STEPS_PER_CHECK, move || !cancelled.load(Ordering::Relaxed))
        }
        None => handle.remove_progress_handler(),
    }
    Ok(())
}
