//! Login throttling in memory: consecutive failures per username (NIST: at most 100; we lock
//! after 10 for a while) and attempts per client IP per minute (password spraying). Every
//! attempt counts, including each aliased `login` in one request.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Consecutive failures on one username before it is locked.
pub const MAX_FAILURES_PER_USERNAME: u32 = 10;
/// How long a locked username stays locked.
pub const USERNAME_LOCK: Duration = Duration::from_secs(15 * 60);
/// Login attempts one IP may make per minute.
pub const MAX_ATTEMPTS_PER_IP_PER_MINUTE: u32 = 50;

const WINDOW: Duration = Duration::from_secs(60);
/// Entries kept at most per map, so memory stays bounded under attack.
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug)]
struct Failures {
    count: u32,
    last: Instant,
}

#[derive(Debug)]
struct Window {
    start: Instant,
    count: u32,
}

/// The throttle state of one process.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    usernames: Mutex<HashMap<String, Failures>>,
    ips: Mutex<HashMap<IpAddr, Window>>,
}

impl LoginThrottle {
    /// Counts an attempt for `username_key` from `ip`; `false` if it must be refused.
    pub fn admit(&self, username_key: &str, ip: Option<IpAddr>) -> bool {
        let now = Instant::now();
        if let Some(ip) = ip {
            let Ok(mut ips) = self.ips.lock() else {
                return false;
            };
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
                return false;
            }
        }
        let Ok(usernames) = self.usernames.lock() else {
            return false;
        };
        !usernames.get(username_key).is_some_and(|f| {
            f.count >= MAX_FAILURES_PER_USERNAME && now.duration_since(f.last) < USERNAME_LOCK
        })
    }

    /// Records a failed attempt on `username_key`.
    pub fn failed(&self, username_key: &str) {
        let now = Instant::now();
        if let Ok(mut usernames) = self.usernames.lock() {
            if usernames.len() >= MAX_ENTRIES {
                usernames.retain(|_, f| now.duration_since(f.last) < USERNAME_LOCK);
            }
            let entry = usernames
                .entry(username_key.to_owned())
                .or_insert(Failures {
                    count: 0,
                    last: now,
                });
            if now.duration_since(entry.last) >= USERNAME_LOCK {
                entry.count = 0;
            }
            entry.count = entry.count.saturating_add(1);
            entry.last = now;
        }
    }

    /// Clears the failures of `username_key` after a successful login.
    pub fn succeeded(&self, username_key: &str) {
        if let Ok(mut usernames) = self.usernames.lock() {
            usernames.remove(username_key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_username_is_locked_after_consecutive_failures_from_any_ip() {
        let throttle = LoginThrottle::default();
        for i in 0..MAX_FAILURES_PER_USERNAME {
            let ip = IpAddr::from([10, 0, 0, u8::try_from(i).unwrap()]);
            assert!(throttle.admit("ann", Some(ip)));
            throttle.failed("ann");
        }
        assert!(!throttle.admit("ann", Some(IpAddr::from([10, 0, 1, 1]))));
        assert!(throttle.admit("bob", None));
    }

    #[test]
    fn one_ip_gets_a_limited_number_of_attempts_per_minute() {
        let throttle = LoginThrottle::default();
        let ip = Some(IpAddr::from([10, 0, 0, 1]));
        for i in 0..MAX_ATTEMPTS_PER_IP_PER_MINUTE {
            assert!(throttle.admit(&format!("user{i}"), ip));
        }
        assert!(!throttle.admit("another", ip));
    }
}
