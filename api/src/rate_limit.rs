//! Request rate limits: anonymous requests per client address, mutations per account, each
//! request weighed by its cost (README, "Rate limits").
//!
//! The algorithm is GCRA (the generic cell rate algorithm: one "theoretical arrival time" per
//! key, no counters to reset), with a burst of a whole minute's allowance. In one process the
//! state lives in `governor`'s keyed limiters; with `STINGER_REDIS_URL` it lives in Redis, where
//! one Lua script reads and moves a key's arrival time atomically, so every API process of a
//! deployment draws on the same allowance. Should Redis be unreachable, requests are let
//! through (and a warning logged): an outage of the limiter must not become an outage of the API.

use crate::config::RateLimitConfig;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Complexity bought by one unit of allowance beyond the first: a request costs
/// `1 + complexity / COMPLEXITY_PER_UNIT`.
pub const COMPLEXITY_PER_UNIT: usize = 1_000;

/// Whom a request is charged to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// An anonymous request, by client address (`None`: the address is unknown, one shared key).
    Address(Option<IpAddr>),
    /// A mutation by this account.
    Account(i64),
}

/// A request over its limit: when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub retry_after: Duration,
}

impl Limited {
    /// Whole seconds to wait (at least 1), for `Retry-After`.
    pub fn retry_after_secs(&self) -> u64 {
        self.retry_after.as_secs_f64().ceil().max(1.0) as u64
    }
}

/// The cost of a request of this complexity.
pub fn cost(complexity: usize) -> u32 {
    u32::try_from(1 + complexity / COMPLEXITY_PER_UNIT).unwrap_or(u32::MAX)
}

/// The limits of one process (sharing their state through Redis when configured).
pub struct RateLimits {
    anonymous: Option<NonZeroU32>,
    account: Option<NonZeroU32>,
    store: Store,
}

enum Store {
    Local {
        addresses: DefaultKeyedRateLimiter<Option<IpAddr>>,
        accounts: DefaultKeyedRateLimiter<i64>,
        /// Checks since the last sweep of keys back at their starting state.
        checks: AtomicU64,
    },
    Redis {
        connection: redis::aio::ConnectionManager,
        prefix: String,
        script: redis::Script,
    },
}

/// Keys swept from the in-process limiters once every this many checks.
const SWEEP_EVERY: u64 = 10_000;

/// GCRA over one Redis key, atomically. KEYS[1]: the key; ARGV: the emission interval (ms per
/// unit), the burst tolerance (ms), the cost (units). Returns 0 when admitted, otherwise the
/// milliseconds to wait.
const GCRA_SCRIPT: &str = r"
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now_ms)
if tat < now_ms then tat = now_ms end
local new_tat = tat + cost * interval
local allowed_at = new_tat - tolerance - interval
if allowed_at > now_ms then
  return math.ceil(allowed_at - now_ms)
end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil(new_tat - now_ms) + 1000)
return 0
";

/// Why the limits could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("the Redis URL for rate limits is not usable")]
pub struct RateLimitSetupError(#[source] redis::RedisError);

impl RateLimits {
    /// The limits as configured. A Redis URL is checked here; the connection itself is made
    /// on first use (and remade after a loss), so the API starts while Redis is down.
    pub async fn new(config: &RateLimitConfig) -> Result<Self, RateLimitSetupError> {
        let anonymous = NonZeroU32::new(config.anonymous_per_minute);
        let account = NonZeroU32::new(config.account_per_minute);
        let store = match &config.redis_url {
            Some(url) => {
                let client = redis::Client::open(url.as_str()).map_err(RateLimitSetupError)?;
                let settings = redis::aio::ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(Duration::from_millis(500)))
                    .set_response_timeout(Some(Duration::from_millis(500)))
                    .set_number_of_retries(1);
                let connection =
                    redis::aio::ConnectionManager::new_lazy_with_config(client, settings)
                        .map_err(RateLimitSetupError)?;
                Store::Redis {
                    connection,
                    prefix: config.redis_prefix.clone(),
                    script: redis::Script::new(GCRA_SCRIPT),
                }
            }
            None => Store::Local {
                addresses: governor::RateLimiter::keyed(Quota::per_minute(
                    anonymous.unwrap_or(NonZeroU32::MIN),
                )),
                accounts: governor::RateLimiter::keyed(Quota::per_minute(
                    account.unwrap_or(NonZeroU32::MIN),
                )),
                checks: AtomicU64::new(0),
            },
        };
        Ok(Self {
            anonymous,
            account,
            store,
        })
    }

    /// Charges `cost` to `subject`: `Err` when that is beyond its allowance (nothing is
    /// charged then). A cost above a whole minute's allowance is charged as that allowance.
    pub async fn charge(&self, subject: Subject, cost: u32) -> Result<(), Limited> {
        let Some(per_minute) = (match subject {
            Subject::Address(_) => self.anonymous,
            Subject::Account(_) => self.account,
        }) else {
            return Ok(());
        };
        let cost = NonZeroU32::new(cost.min(per_minute.get())).unwrap_or(NonZeroU32::MIN);
        match &self.store {
            Store::Local {
                addresses,
                accounts,
                checks,
            } => {
                if checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
                    addresses.retain_recent();
                    accounts.retain_recent();
                }
                let outcome = match subject {
                    Subject::Address(ip) => addresses.check_key_n(&ip, cost),
                    Subject::Account(id) => accounts.check_key_n(&id, cost),
                };
                match outcome {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(not_until)) => Err(Limited {
                        retry_after: not_until.wait_time_from(DefaultClock::default().now()),
                    }),
                    // The cost is capped at the burst, so this cannot happen; refuse for a minute.
                    Err(_) => Err(Limited {
                        retry_after: Duration::from_secs(60),
                    }),
                }
            }
            Store::Redis {
                connection,
                prefix,
                script,
            } => {
                let key = match subject {
                    Subject::Address(Some(ip)) => format!("{prefix}:rate:address:{ip}"),
                    Subject::Address(None) => format!("{prefix}:rate:address:unknown"),
                    Subject::Account(id) => format!("{prefix}:rate:account:{id}"),
                };
                let interval_ms = 60_000.0 / f64::from(per_minute.get());
                let tolerance_ms = 60_000.0 - interval_ms;
                let mut connection = connection.clone();
                let waited: Result<u64, _> = script
                    .key(key)
                    .arg(interval_ms)
                    .arg(tolerance_ms)
                    .arg(cost.get())
                    .invoke_async(&mut connection)
                    .await;
                match waited {
                    Ok(0) => Ok(()),
                    Ok(wait_ms) => Err(Limited {
                        retry_after: Duration::from_millis(wait_ms),
                    }),
                    Err(err) => {
                        tracing::warn!(error = %err, "rate limit not checked: Redis is unreachable");
                        Ok(())
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(anonymous: u32, account: u32) -> RateLimitConfig {
        RateLimitConfig {
            anonymous_per_minute: anonymous,
            account_per_minute: account,
            redis_url: None,
            redis_prefix: "test".to_owned(),
            trusted_proxies: Default::default(),
        }
    }

    #[tokio::test]
    async fn a_minute_s_allowance_then_a_wait_per_key() {
        let limits = RateLimits::new(&config(3, 0)).await.unwrap();
        let a = Subject::Address(Some("192.0.2.1".parse().unwrap()));
        let b = Subject::Address(Some("192.0.2.2".parse().unwrap()));
        for _ in 0..3 {
            assert!(limits.charge(a, 1).await.is_ok());
        }
        let limited = limits.charge(a, 1).await.unwrap_err();
        assert!(
            limited.retry_after <= Duration::from_secs(20),
            "{limited:?}"
        );
        assert!(limited.retry_after_secs() >= 1);
        assert!(
            limits.charge(b, 1).await.is_ok(),
            "another address is unaffected"
        );
        assert!(
            limits.charge(Subject::Account(1), 1000).await.is_ok(),
            "0 turns a limit off"
        );
    }

    #[tokio::test]
    async fn costly_requests_use_more_of_the_allowance() {
        let limits = RateLimits::new(&config(10, 10)).await.unwrap();
        let subject = Subject::Account(7);
        assert!(limits.charge(subject, cost(8_500)).await.is_ok());
        assert!(limits.charge(subject, cost(1_500)).await.is_err());
        assert_eq!(cost(0), 1);
        assert_eq!(cost(999), 1);
        assert_eq!(cost(20_000), 21);
    }
}
