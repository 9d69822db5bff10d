//! Throttling of password checks (`login`, `changePassword`), in memory, so a stranger can
//! neither guess quickly nor lock the owner out:
//!
//! - **per address and account**: after [`FREE_FAILURES`] consecutive failures from one address
//!   on one account, that address must wait before its next try on that account, twice as long
//!   after each further failure (1 s, 2 s, 4 s … at most [`MAX_BACKOFF`]). Other addresses —
//!   the owner's — are not slowed by it;
//! - **per account**, from any address: at most [`MAX_FAILURES_PER_ACCOUNT`] consecutive
//!   failures (NIST SP 800-63B's bound), then [`ACCOUNT_LOCK`] of refusals. With the backoff
//!   above, one address makes about a dozen tries in that time, so reaching it takes many
//!   addresses. The lock bounds a distributed guess rate without locking the owner out: it does
//!   not apply to the last [`KNOWN_ADDRESSES_PER_ACCOUNT`] addresses that logged in to the
//!   account successfully (since the process started), which only the per-address limits slow;
//! - **per address**: at most [`MAX_ATTEMPTS_PER_IP_PER_MINUTE`] attempts a minute across all
//!   accounts (password spraying).
//!
//! A success clears the failures of that address on that account; the account's count of
//! failures from anywhere is left to expire, so the owner logging in during an attack does not
//! hand the attackers a fresh allowance. Every
//! attempt counts, including each aliased field in one request (and a request may make only
//! [`MAX_PASSWORD_CHECKS_PER_REQUEST`]).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Consecutive failures from one address on one account before it must wait.
pub const FREE_FAILURES: u32 = 3;
/// The longest wait the backoff imposes.
pub const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);
/// Consecutive failures on one account, from anywhere, before it is locked.
pub const MAX_FAILURES_PER_ACCOUNT: u32 = 100;
/// How long an account stays locked after [`MAX_FAILURES_PER_ACCOUNT`].
pub const ACCOUNT_LOCK: Duration = Duration::from_secs(15 * 60);
/// Addresses per account that the account-wide lock spares, the latest to have logged in.
pub const KNOWN_ADDRESSES_PER_ACCOUNT: usize = 16;
/// Password checks one address may ask for per minute.
pub const MAX_ATTEMPTS_PER_IP_PER_MINUTE: u32 = 50;
/// Password checks (`login`, `changePassword`) one GraphQL request may make; aliased extras
/// are refused without being checked.
pub const MAX_PASSWORD_CHECKS_PER_REQUEST: usize = 1;

const WINDOW: Duration = Duration::from_secs(60);
/// Entries kept at most per map, so memory stays bounded under attack.
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

#[derive(Debug)]
struct Window {
    start: Instant,
    count: u32,
}

/// The wait after `count` consecutive failures from one address on one account.
fn backoff(count: u32) -> Duration {
    match count.checked_sub(FREE_FAILURES) {
        None => Duration::ZERO,
        Some(extra) => Duration::from_secs(1u64 << extra.min(20)).min(MAX_BACKOFF),
    }
}

/// Why an attempt was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Too many attempts from this address, or on this account: wait this long.
    Wait(Duration),
}

impl Refused {
    /// Whole seconds to wait before trying again (at least 1).
    pub fn retry_after_secs(self) -> u64 {
        match self {
            Self::Wait(wait) => wait.as_secs_f64().ceil().max(1.0) as u64,
        }
    }
}

/// The throttle state of one process.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    pairs: Mutex<HashMap<(Option<IpAddr>, String), Failures>>,
    accounts: Mutex<HashMap<String, Failures>>,
    ips: Mutex<HashMap<IpAddr, Window>>,
    /// Per account, the addresses that last logged in to it, oldest first. Only a right
    /// password adds one, so a stranger cannot grow it.
    known: Mutex<HashMap<String, Vec<Option<IpAddr>>>>,
}

fn record(map: &mut HashMap<impl std::hash::Hash + Eq, Failures>, now: Instant) {
    if map.len() >= MAX_ENTRIES {
        map.retain(|_, f| now.duration_since(f.last) < MAX_BACKOFF.max(ACCOUNT_LOCK));
    }
}

impl LoginThrottle {
    /// Counts an attempt on `account_key` from `ip`; `Err` if it must be refused unchecked.
    pub fn admit(&self, account_key: &str, ip: Option<IpAddr>) -> Result<(), Refused> {
        let admitted = self.check(account_key, ip);
        if admitted.is_err() {
            crate::metrics::login_throttled();
        }
        admitted
    }

    fn check(&self, account_key: &str, ip: Option<IpAddr>) -> Result<(), Refused> {
        let now = Instant::now();
        if let Some(ip) = ip {
            let mut ips = self.ips.lock().unwrap_or_else(|e| e.into_inner());
            if ips.len() >= MAX_ENTRIES {
                ips.retain(|_, w| now.duration_since(w.start) < WINDOW);
            }
            let window = ips.entry(ip).or_insert(Window {
                start: now,
                count: 0,
            });
            if now.duration_since(window.start) >= WINDOW {
                window.start = now;
                window.count = 0;
            }
            window.count = window.count.saturating_add(1);
            if window.count > MAX_ATTEMPTS_PER_IP_PER_MINUTE {
                return Err(Refused::Wait(WINDOW - now.duration_since(window.start)));
            }
        }
        let pair = self
            .pairs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&(ip, account_key.to_owned()))
            .copied();
        if let Some(f) = pair {
            let wait = backoff(f.count);
            let waited = now.duration_since(f.last);
            if waited < wait {
                return Err(Refused::Wait(wait - waited));
            }
        }
        let account = self
            .accounts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(account_key)
            .copied();
        if let Some(f) = account {
            let waited = now.duration_since(f.last);
            if f.count >= MAX_FAILURES_PER_ACCOUNT
                && waited < ACCOUNT_LOCK
                && !self.is_known(account_key, ip)
            {
                return Err(Refused::Wait(ACCOUNT_LOCK - waited));
            }
        }
        Ok(())
    }

    /// Records a failed attempt on `account_key` from `ip`.
    pub fn failed(&self, account_key: &str, ip: Option<IpAddr>) {
        crate::metrics::login_failed();
        let now = Instant::now();
        let bump = |f: &mut Failures, forget_after: Duration| {
            if now.duration_since(f.last) >= forget_after {
                f.count = 0;
            }
            f.count = f.count.saturating_add(1);
            f.last = now;
        };
        let fresh = Failures {
            count: 0,
            last: now,
        };
        {
            let mut pairs = self.pairs.lock().unwrap_or_else(|e| e.into_inner());
            record(&mut pairs, now);
            let entry = pairs.entry((ip, account_key.to_owned())).or_insert(fresh);
            bump(entry, MAX_BACKOFF);
        }
        let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        record(&mut accounts, now);
        bump(
            accounts.entry(account_key.to_owned()).or_insert(fresh),
            ACCOUNT_LOCK,
        );
    }

    /// Has `ip` logged in to `account_key` lately?
    fn is_known(&self, account_key: &str, ip: Option<IpAddr>) -> bool {
        self.known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(account_key)
            .is_some_and(|addresses| addresses.contains(&ip))
    }

    /// Clears the failures on `account_key` after a successful check from `ip`, and remembers
    /// `ip` as one the account-wide lock spares.
    pub fn succeeded(&self, account_key: &str, ip: Option<IpAddr>) {
        {
            let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
            let addresses = known.entry(account_key.to_owned()).or_default();
            addresses.retain(|known| *known != ip);
            if addresses.len() >= KNOWN_ADDRESSES_PER_ACCOUNT {
                addresses.remove(0);
            }
            addresses.push(ip);
        }
        self.pairs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&(ip, account_key.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([10, 0, 0, last]))
    }

    #[test]
    fn failures_from_one_address_back_off_without_slowing_another() {
        let throttle = LoginThrottle::default();
        for _ in 0..FREE_FAILURES {
            assert!(throttle.admit("ann", ip(1)).is_ok());
            throttle.failed("ann", ip(1));
        }
        assert!(
            matches!(throttle.admit("ann", ip(1)), Err(Refused::Wait(w)) if w <= Duration::from_secs(1))
        );
        assert!(
            throttle.admit("ann", ip(2)).is_ok(),
            "the owner's address is not slowed"
        );
        assert!(
            throttle.admit("bob", ip(1)).is_ok(),
            "other accounts are not slowed"
        );
        assert_eq!(backoff(FREE_FAILURES + 3), Duration::from_secs(8));
        assert_eq!(backoff(60), MAX_BACKOFF);
    }

    #[test]
    fn an_account_is_locked_after_too_many_failures_from_anywhere() {
        let throttle = LoginThrottle::default();
        for i in 0..MAX_FAILURES_PER_ACCOUNT {
            let from = Some(IpAddr::from([10, 1, (i / 200) as u8, (i % 200) as u8]));
            assert!(throttle.admit("ann", from).is_ok());
            throttle.failed("ann", from);
        }
        assert!(throttle.admit("ann", ip(250)).is_err());
    }

    #[test]
    fn the_account_lock_spares_addresses_that_logged_in_before() {
        let throttle = LoginThrottle::default();
        throttle.succeeded("ann", ip(250));
        for i in 0..MAX_FAILURES_PER_ACCOUNT {
            let from = Some(IpAddr::from([10, 1, (i / 200) as u8, (i % 200) as u8]));
            throttle.failed("ann", from);
        }
        assert!(throttle.admit("ann", ip(251)).is_err(), "a new address");
        assert!(
            throttle.admit("ann", ip(250)).is_ok(),
            "the owner's address"
        );
        throttle.succeeded("ann", ip(250));
        assert!(
            throttle.admit("ann", ip(251)).is_err(),
            "the owner's login leaves the lock on for others"
        );
    }

    #[test]
    fn one_ip_gets_a_limited_number_of_attempts_per_minute() {
        let throttle = LoginThrottle::default();
        for i in 0..MAX_ATTEMPTS_PER_IP_PER_MINUTE {
            assert!(throttle.admit(&format!("user{i}"), ip(1)).is_ok());
        }
        assert!(throttle.admit("another", ip(1)).is_err());
    }
}
