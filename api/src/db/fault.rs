//! What a database failure means to a client: the database is busy (retry), unavailable (retry
//! shortly), too slow (a statement timed out), or something else (internal). One
//! classification, used by every service error that wraps a [`DbErr`]. A lost connection seen
//! here also puts the pool in [`recovering`] mode for a while (`db::connect` pings every
//! connection before use then).

use crate::service::error::code;
use sea_orm::sqlx;
use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// After a lost connection, how long every pooled connection is pinged before use: the others
/// opened before the loss are likely dead too (a restarted server), and a ping replaces them
/// without failing a request.
const RECOVERY: Duration = Duration::from_secs(30);

/// Milliseconds since [`epoch`] of the last lost connection, plus one (0: never).
static LAST_LOSS: AtomicU64 = AtomicU64::new(0);

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Notes that a connection was lost (the database went away or restarted).
fn note_connection_lost() {
    let now = u64::try_from(epoch().elapsed().as_millis()).unwrap_or(u64::MAX);
    LAST_LOSS.store(now.saturating_add(1), Ordering::Relaxed);
}

/// Set once the server begins to stop.
static STOPPING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Notes that the server is stopping. Its HTTP workers then exit one by one, each with the
/// runtime its PostgreSQL connections were opened on: a pooled connection of an exited worker
/// is dead ("Tokio context … being shutdown"), so every connection is checked before use from
/// now on, and a dead one replaced, instead of failing a request still being finished.
pub fn note_stopping() {
    STOPPING.store(true, Ordering::Relaxed);
}

/// Whether pooled connections should be checked before use: a connection was lost recently
/// (a restarted database), or the server is stopping.
pub fn check_before_use() -> bool {
    STOPPING.load(Ordering::Relaxed) || recovering()
}

/// Whether a connection was lost recently enough that pooled connections should be checked
/// before use.
pub fn recovering() -> bool {
    match LAST_LOSS.load(Ordering::Relaxed) {
        0 => false,
        lost => {
            let since = epoch()
                .elapsed()
                .saturating_sub(Duration::from_millis(lost - 1));
            since < RECOVERY
        }
    }
}

/// The public code of a database failure: [`code::BUSY`], [`code::SERVICE_UNAVAILABLE`],
/// [`code::TIMEOUT`] or [`code::INTERNAL`].
pub fn code_of(err: &DbErr) -> &'static str {
    match err {
        DbErr::ConnectionAcquire(ConnAcquireErr::Timeout | ConnAcquireErr::ConnectionClosed) => {
            code::SERVICE_UNAVAILABLE
        }
        DbErr::Conn(runtime) | DbErr::Exec(runtime) | DbErr::Query(runtime) => match runtime {
            RuntimeErr::SqlxError(sqlx_err) => sqlx_code(sqlx_err),
            _ => code::INTERNAL,
        },
        _ => code::INTERNAL,
    }
}

fn sqlx_code(err: &sqlx::Error) -> &'static str {
    match err {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => code::SERVICE_UNAVAILABLE,
        sqlx::Error::Io(_) => {
            note_connection_lost();
            code::SERVICE_UNAVAILABLE
        }
        sqlx::Error::Database(db_err) => match db_err.code().as_deref() {
            // PostgreSQL: lock_not_available (lock_timeout), serialization_failure,
            // deadlock_detected.
            Some("55P03" | "40001" | "40P01") => code::BUSY,
            // query_canceled (statement_timeout, or a cancelled request).
            Some("57014") => code::TIMEOUT,
            // admin_shutdown, crash_shutdown, cannot_connect_now, idle-in-transaction
            // session timeout: the server went away or is not there yet.
            Some("57P01" | "57P02" | "57P03" | "25P03") => {
                note_connection_lost();
                code::SERVICE_UNAVAILABLE
            }
            // SQLite: SQLITE_BUSY, SQLITE_LOCKED and their extended codes (5, 6, 261, 517, …).
            Some(sqlite) if is_sqlite_busy(sqlite) => code::BUSY,
            _ => code::INTERNAL,
        },
        _ => code::INTERNAL,
    }
}

/// SQLite result codes whose primary code (the low byte) is BUSY (5) or LOCKED (6).
fn is_sqlite_busy(code: &str) -> bool {
    code.parse::<i32>()
        .is_ok_and(|code| matches!(code & 0xff, 5 | 6))
}

/// A message for a client, by code (the cause goes to the log).
pub fn public_message(code: &str) -> &'static str {
    match code {
        code::BUSY => "the database is busy with a conflicting change: retry",
        code::SERVICE_UNAVAILABLE => "the database is unavailable: retry shortly",
        code::TIMEOUT => "the database took longer than allowed to answer",
        _ => "Internal server error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_timeouts_are_unavailability() {
        let err = DbErr::ConnectionAcquire(ConnAcquireErr::Timeout);
        assert_eq!(code_of(&err), code::SERVICE_UNAVAILABLE);
        assert_eq!(code_of(&DbErr::Custom("x".into())), code::INTERNAL);
    }

    #[test]
    fn sqlite_busy_codes_include_extended_ones() {
        assert!(is_sqlite_busy("5"));
        assert!(is_sqlite_busy("517"));
        assert!(is_sqlite_busy("6"));
        assert!(!is_sqlite_busy("19"));
        assert!(!is_sqlite_busy("55P03"));
    }
}
