//! Configuration, read from environment variables (all prefixed `STINGER_`, plus the usual
//! `DATABASE_URL`):
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `DATABASE_URL` | SQLite file `stinger.db` in the data directory | `sqlite://…` or `postgres://…` |
//! | `STINGER_DATA_DIR` | `./data` | where the embedded database and generated secrets live |
//! | `STINGER_LISTEN` | `127.0.0.1:8080` | address to listen on (`:0` picks a free port) |
//! | `STINGER_JWT_SECRET` | generated into the data directory | HMAC secret, at least 32 bytes |
//! | `STINGER_ACCESS_TOKEN_TTL_SECS` | `900` | lifetime of an access token |
//! | `STINGER_ALLOW_SELF_REVIEW` | `false` | let an admin approve their own edit (recorded) |
//! | `STINGER_MIGRATE` | `true` | run pending migrations on start |
//! | `STINGER_DEMO_DATA` | `true` | load the demo data when the database is created |
//! | `STINGER_LOG_FORMAT` | `text` | `text` or `json` |
//! | `STINGER_MAX_BODY_BYTES` | `102400` | largest request body accepted (413 beyond) |
//! | `STINGER_MAX_DEPTH` | `12` | deepest selection nesting |
//! | `STINGER_MAX_COMPLEXITY` | `20000` | largest query cost (lists count `first` × children) |
//! | `STINGER_MAX_PAGE_SIZE` | `100` | largest `first` on a connection |
//! | `STINGER_REQUEST_TIMEOUT_MS` | `10000` | longest a GraphQL request may run |
//! | `STINGER_DB_MAX_CONNECTIONS` | `10` | database pool size |
//! | `STINGER_LOADER_DELAY_MS` | `1` | how long DataLoaders collect keys before querying |

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// Default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default data directory.
pub const DEFAULT_DATA_DIR: &str = "./data";
/// Default lifetime of an access token, in seconds (15 minutes).
pub const DEFAULT_ACCESS_TOKEN_TTL_SECS: u64 = 900;
/// Name of the embedded database file in the data directory.
pub const SQLITE_FILE: &str = "stinger.db";

/// A configuration value that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

/// Limits that keep one request from hurting the service.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_body_bytes: usize,
    pub max_depth: usize,
    pub max_complexity: usize,
    /// Deepest `[`/`{`/`(` nesting allowed in a query text, checked before parsing.
    pub max_nesting: usize,
    pub max_recursive_depth: usize,
    pub max_directives: usize,
    pub max_page_size: usize,
    pub max_errors: usize,
    pub request_timeout: Duration,
    /// How long a DataLoader waits to collect keys before it queries. Longer batches more on a
    /// loaded machine at the cost of latency.
    pub loader_delay: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 100 * 1024,
            max_depth: 12,
            max_complexity: 20_000,
            max_nesting: 64,
            max_recursive_depth: 32,
            max_directives: 5,
            max_page_size: 100,
            max_errors: 50,
            request_timeout: Duration::from_secs(10),
            loader_delay: Duration::from_millis(1),
        }
    }
}

/// Where the data lives.
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// `None`: the embedded SQLite file in `data_dir`.
    pub url: Option<String>,
    pub data_dir: PathBuf,
    pub max_connections: u32,
}

impl DatabaseConfig {
    /// The URL to connect to.
    pub fn url(&self) -> String {
        match &self.url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join(SQLITE_FILE).display()
            ),
        }
    }
}

/// The whole configuration of the server.
#[derive(Debug, Clone)]
pub struct Config {
    pub database: DatabaseConfig,
    pub listen: String,
    pub jwt_secret: Option<String>,
    /// Lifetime of an access token.
    pub access_token_ttl: Duration,
    /// Whether an author may approve their own edit (single-person installations).
    pub allow_self_review: bool,
    pub migrate_on_start: bool,
    pub demo_data: bool,
    pub json_logs: bool,
    pub limits: Limits,
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let defaults = Limits::default();
        let limits = Limits {
            max_body_bytes: parse(&var, "STINGER_MAX_BODY_BYTES", defaults.max_body_bytes)?,
            max_depth: parse(&var, "STINGER_MAX_DEPTH", defaults.max_depth)?,
            max_complexity: parse(&var, "STINGER_MAX_COMPLEXITY", defaults.max_complexity)?,
            max_page_size: parse(&var, "STINGER_MAX_PAGE_SIZE", defaults.max_page_size)?,
            request_timeout: Duration::from_millis(parse(
                &var,
                "STINGER_REQUEST_TIMEOUT_MS",
                u64::try_from(defaults.request_timeout.as_millis()).unwrap_or(10_000),
            )?),
            loader_delay: Duration::from_millis(parse(&var, "STINGER_LOADER_DELAY_MS", 1)?),
            ..defaults
        };
        let json_logs = match var("STINGER_LOG_FORMAT").as_deref() {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => {
                return Err(ConfigError {
                    variable: "STINGER_LOG_FORMAT",
                    problem: format!("expected `text` or `json`, got {other:?}"),
                });
            }
        };
        Ok(Self {
            database: DatabaseConfig {
                url: var("DATABASE_URL"),
                data_dir: PathBuf::from(
                    var("STINGER_DATA_DIR").unwrap_or_else(|| DEFAULT_DATA_DIR.to_owned()),
                ),
                max_connections: parse(&var, "STINGER_DB_MAX_CONNECTIONS", 10)?,
            },
            listen: var("STINGER_LISTEN").unwrap_or_else(|| DEFAULT_LISTEN.to_owned()),
            jwt_secret: var("STINGER_JWT_SECRET"),
            access_token_ttl: Duration::from_secs(parse(
                &var,
                "STINGER_ACCESS_TOKEN_TTL_SECS",
                DEFAULT_ACCESS_TOKEN_TTL_SECS,
            )?),
            allow_self_review: parse(&var, "STINGER_ALLOW_SELF_REVIEW", false)?,
            migrate_on_start: parse(&var, "STINGER_MIGRATE", true)?,
            demo_data: parse(&var, "STINGER_DEMO_DATA", true)?,
            json_logs,
            limits,
        })
    }
}

fn parse<T: FromStr>(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(raw) => raw.trim().parse().map_err(|_| ConfigError {
            variable: name,
            problem: format!("cannot read {raw:?} as a {}", std::any::type_name::<T>()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_need_no_environment() {
        let config = Config::from_lookup(|_| None).unwrap();
        assert_eq!(config.listen, DEFAULT_LISTEN);
        assert!(
            config
                .database
                .url()
                .starts_with("sqlite://./data/stinger.db")
        );
        assert!(config.demo_data);
    }

    #[test]
    fn a_bad_number_names_its_variable() {
        let err = Config::from_lookup(|k| (k == "STINGER_MAX_DEPTH").then(|| "deep".to_owned()))
            .unwrap_err();
        assert_eq!(err.variable, "STINGER_MAX_DEPTH");
    }
}
