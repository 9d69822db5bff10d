//! Configuration of the server: one typed struct, read by clap from command-line flags and
//! environment variables (all prefixed `STINGER_`, plus the usual `DATABASE_URL`). Each field's
//! `///` comment is its `--help` text; `stinger-api --help` lists every flag with its variable and
//! default. An empty variable counts as unset.
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
//! | `STINGER_MAX_ROOT_FIELDS` | `20` | most top-level fields (aliases included) per operation |
//! | `STINGER_MAX_PAGE_SIZE` | `100` | largest `first` on a connection |
//! | `STINGER_REQUEST_TIMEOUT_MS` | `10000` | longest a GraphQL request may run |
//! | `STINGER_BODY_TIMEOUT_MS` | `10000` | longest a request body may take to arrive (408 after) |
//! | `STINGER_DB_MAX_CONNECTIONS` | `10` | database pool size |
//! | `STINGER_DB_STATEMENT_TIMEOUT_MS` | `10000` | PostgreSQL `statement_timeout` |
//! | `STINGER_DB_LOCK_TIMEOUT_MS` | `5000` | PostgreSQL `lock_timeout` |
//! | `STINGER_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS` | `30000` | PostgreSQL `idle_in_transaction_session_timeout` |
//! | `STINGER_SQLITE_BUSY_TIMEOUT_MS` | `5000` | SQLite `busy_timeout` |
//! | `STINGER_DB_ACQUIRE_TIMEOUT_MS` | `2000` | longest wait for a pooled connection (503 after) |
//! | `STINGER_LOADER_DELAY_MS` | `1` | how long DataLoaders collect keys before querying |
//! | `STINGER_CORS_ORIGINS` | none | origins whose pages may call the API (`https://a.example,…` or `*`) |
//! | `STINGER_SHUTDOWN_GRACE_SECS` | `30` | on SIGTERM, how long accepted requests may take to finish |
//! | `STINGER_METRICS_LISTEN` | none | address of the Prometheus `/metrics` listener (off when unset) |
//! | `STINGER_PERSISTED_QUERIES_ONLY` | `false` | anonymous requests run only persisted queries known by hash |
//! | `STINGER_READ_CACHE` | `on` | `off` turns off the in-process cache of anonymous responses |
//! | `STINGER_READ_CACHE_MB` | `32` | bytes the read caches may hold together, in MiB (¾ answers, ¼ rows; least recently used go first) |
//! | `STINGER_RATE_LIMIT_ANONYMOUS` | `3000` | anonymous requests per minute per client address (by cost; 0 = off) |
//! | `STINGER_RATE_LIMIT_ACCOUNT` | `120` | mutations per minute per account (by cost; 0 = off) |
//! | `STINGER_REDIS_URL` | none | Redis for limits shared across API processes |
//! | `STINGER_REDIS_PREFIX` | `stinger` | prefix of this deployment's Redis keys |
//! | `STINGER_TRUSTED_PROXIES` | none | proxies whose `X-Forwarded-For` names the client |
//! | `STINGER_INTROSPECTION` | `true` | answer `__schema` / `__type` |
//! | `STINGER_SUGGESTIONS` | `false` | "Did you mean …?" in errors |
//! | `STINGER_GRAPHIQL` | `true` | GraphiQL for browsers at GET /graphql |
//! | `STINGER_WS_INIT_TIMEOUT_MS` | `5000` | a WebSocket without `connection_init` by then is closed |
//! | `STINGER_WS_IDLE_TIMEOUT_SECS` | `60` | a WebSocket with no subscription for this long is closed |
//! | `STINGER_WS_MAX_PER_CLIENT` | `8` | WebSockets open at once per client address |
//!
//! To add a setting: add a field with `#[arg(long, env = "STINGER_…", default_value_t = …)]` and a
//! `///` line to the struct it belongs to, then a row to the table above and to the README.

use clap::builder::Resettable;
use clap::{Args, CommandFactory, FromArgMatches, Parser, ValueEnum};
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

/// Default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default data directory.
pub const DEFAULT_DATA_DIR: &str = "./data";
/// Default lifetime of an access token, in seconds (15 minutes).
pub const DEFAULT_ACCESS_TOKEN_TTL_SECS: u64 = 900;
/// Name of the embedded database file in the data directory.
pub const SQLITE_FILE: &str = "stinger.db";

/// A configuration that cannot be used: clap's error, which names the flag or variable and
/// the problem (and prints `--help` / `--version` when those were asked for).
pub type ConfigError = clap::Error;

/// Limits that keep one request from hurting the service.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Request limits")]
pub struct Limits {
    /// Largest request body, in bytes (413 beyond).
    #[arg(long, env = "STINGER_MAX_BODY_BYTES", value_name = "N", default_value_t = 100 * 1024)]
    pub max_body_bytes: usize,
    /// Deepest selection nesting of a query.
    #[arg(
        long,
        env = "STINGER_MAX_DEPTH",
        value_name = "N",
        default_value_t = 12
    )]
    pub max_depth: usize,
    /// Costliest query (a list costs `first` × its children).
    #[arg(
        long,
        env = "STINGER_MAX_COMPLEXITY",
        value_name = "N",
        default_value_t = 20_000
    )]
    pub max_complexity: usize,
    /// Most top-level fields (aliases included) one operation may ask for.
    #[arg(
        long,
        env = "STINGER_MAX_ROOT_FIELDS",
        value_name = "N",
        default_value_t = 20
    )]
    pub max_root_fields: usize,
    /// Deepest `[`/`{`/`(` nesting allowed in a query text, checked before parsing.
    #[arg(skip = 64_usize)]
    pub max_nesting: usize,
    /// Deepest recursion async-graphql's validation may follow (fragments included).
    #[arg(skip = 32_usize)]
    pub max_recursive_depth: usize,
    /// Most directives on one field.
    #[arg(skip = 5_usize)]
    pub max_directives: usize,
    /// Largest `first` on a connection.
    #[arg(
        long,
        env = "STINGER_MAX_PAGE_SIZE",
        value_name = "N",
        default_value_t = 100
    )]
    pub max_page_size: usize,
    /// Most errors one response carries; the rest are summarised in one.
    #[arg(skip = 50_usize)]
    pub max_errors: usize,
    /// Longest a GraphQL request may run, in milliseconds.
    #[arg(
        long = "request-timeout-ms",
        env = "STINGER_REQUEST_TIMEOUT_MS",
        default_value = "10000",
        value_name = "MS",
        value_parser = parse_millis
    )]
    pub request_timeout: Duration,
    /// Longest a client may take to send a request body, in milliseconds (408 after): a body
    /// trickled a byte at a time cannot hold a connection.
    #[arg(
        long = "body-timeout-ms",
        env = "STINGER_BODY_TIMEOUT_MS",
        default_value = "10000",
        value_name = "MS",
        value_parser = parse_millis
    )]
    pub body_timeout: Duration,
    /// How long DataLoaders collect keys before they query, in milliseconds. Longer batches
    /// more on a loaded machine at the cost of latency.
    #[arg(
        long = "loader-delay-ms",
        env = "STINGER_LOADER_DELAY_MS",
        default_value = "1",
        value_name = "MS",
        value_parser = parse_millis
    )]
    pub loader_delay: Duration,
    /// How long a new WebSocket may take to send `connection_init`, in milliseconds (closed
    /// with 4408 after).
    #[arg(
        long = "ws-init-timeout-ms",
        env = "STINGER_WS_INIT_TIMEOUT_MS",
        default_value = "5000",
        value_name = "MS",
        value_parser = parse_millis
    )]
    pub ws_init_timeout: Duration,
    /// How long a WebSocket may stay open with no subscription running, in seconds (closed
    /// with 4000 after).
    #[arg(
        long = "ws-idle-timeout-secs",
        env = "STINGER_WS_IDLE_TIMEOUT_SECS",
        default_value = "60",
        value_name = "SECS",
        value_parser = parse_secs
    )]
    pub ws_idle_timeout: Duration,
    /// Most WebSockets open at once from one client address (429 beyond).
    #[arg(
        long = "ws-max-per-client",
        env = "STINGER_WS_MAX_PER_CLIENT",
        value_name = "N",
        default_value_t = 8
    )]
    pub ws_max_per_client: usize,
    /// Most subscriptions running at once on one WebSocket.
    #[arg(skip = 10_usize)]
    pub ws_max_subscriptions: usize,
    /// Answer introspection (`__schema`, `__type`): GraphiQL and code generators need it; the
    /// schema is public anyway.
    #[arg(long, env = "STINGER_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL", help_heading = "Schema exposure")]
    pub introspection: bool,
    /// Suggest field names in errors ("Did you mean …?"); off, so probing a schema with
    /// introspection off learns nothing.
    #[arg(long, env = "STINGER_SUGGESTIONS", default_value_t = false, action = clap::ArgAction::Set, value_name = "BOOL", help_heading = "Schema exposure")]
    pub suggestions: bool,
    /// Serve GraphiQL to browsers at GET /graphql.
    #[arg(long, env = "STINGER_GRAPHIQL", default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL", help_heading = "Schema exposure")]
    pub graphiql: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Config::defaults().limits
    }
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Database")]
pub struct DatabaseConfig {
    /// Database URL, `sqlite://…` or `postgres://…` [default: SQLite file `stinger.db` in the
    /// data directory].
    #[arg(long = "database-url", env = "DATABASE_URL", value_name = "URL")]
    pub url: Option<String>,
    /// Directory of the embedded database and the generated token secret.
    #[arg(long, env = "STINGER_DATA_DIR", default_value = DEFAULT_DATA_DIR, value_name = "DIR")]
    pub data_dir: PathBuf,
    /// Database pool size.
    #[arg(
        long = "db-max-connections",
        env = "STINGER_DB_MAX_CONNECTIONS",
        default_value_t = 10,
        value_name = "N"
    )]
    pub max_connections: u32,
    #[command(flatten)]
    pub timeouts: DatabaseTimeouts,
}

/// How long database work may take or wait, set on every connection (the server's and the
/// CLI's alike). Zero turns one off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Args)]
pub struct DatabaseTimeouts {
    /// PostgreSQL `statement_timeout`: longest one statement may run, in milliseconds.
    #[arg(
        long = "db-statement-timeout-ms",
        env = "STINGER_DB_STATEMENT_TIMEOUT_MS",
        default_value = "10000",
        value_name = "MS",
        value_parser = parse_millis
    )]
    pub statement: Duration,
    /// PostgreSQL `lock_timeout`: longest a statement may wait for a lock, in milliseconds.
    #[arg(
        long = "db-lock-timeout-ms",
        env = "STINGER_DB_LOCK_TIMEOUT_MS",
        default_value = "5000",
        value_name = "MS",
        value_parser = parse_millis
    )]
    pub lock: Duration,
    /// PostgreSQL `idle_in_transaction_session_timeout`: longest a transaction may sit idle
    /// before its session is ended, in milliseconds.
    #[arg(
        long = "db-idle-in-transaction-timeout-ms",
        env = "STINGER_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS",
        default_value = "30000",
        value_name = "MS",
        value_parser = parse_millis
    )]
    pub idle_in_transaction: Duration,
    /// SQLite `busy_timeout`: longest a write waits for another writer, in milliseconds.
    #[arg(
        long = "sqlite-busy-timeout-ms",
        env = "STINGER_SQLITE_BUSY_TIMEOUT_MS",
        default_value = "5000",
        value_name = "MS",
        value_parser = parse_millis
    )]
    pub sqlite_busy: Duration,
    /// Longest a request waits for a free pooled connection, in milliseconds; after that it
    /// fails fast with `SERVICE_UNAVAILABLE` (HTTP 503) instead of queueing without bound.
    #[arg(
        long = "db-acquire-timeout-ms",
        env = "STINGER_DB_ACQUIRE_TIMEOUT_MS",
        default_value = "2000",
        value_name = "MS",
        value_parser = parse_millis
    )]
    pub acquire: Duration,
}

impl Default for DatabaseTimeouts {
    fn default() -> Self {
        Config::defaults().database.timeouts
    }
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

    /// The database named for people: the SQLite file's path, or the URL without its password.
    pub fn describe(&self) -> String {
        match &self.url {
            None => format!("SQLite {}", self.data_dir.join(SQLITE_FILE).display()),
            Some(url) => match (url.find("://"), url.rfind('@')) {
                (Some(scheme), Some(at)) if at > scheme => {
                    let credentials = &url[scheme + 3..at];
                    let user = credentials.split(':').next().unwrap_or("");
                    format!("{}://{user}@{}", &url[..scheme], &url[at + 1..])
                }
                _ => url.clone(),
            },
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Which other sites' pages may call the API from a browser (CORS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    /// Any origin (`*`): fine for a public read API, since credentials are bearer tokens that a
    /// page must hold itself, never cookies.
    Any,
    /// Exactly these origins (`scheme://host[:port]`); none by default.
    Listed(Vec<String>),
}

/// Settings an operator tunes for a public deployment.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Operations")]
pub struct Operations {
    /// Origins whose pages may call the API from a browser (CORS), comma-separated
    /// (`https://films.example,https://admin.films.example`), or `*` for any [default: none].
    #[arg(
        long = "cors-origins",
        env = "STINGER_CORS_ORIGINS",
        value_name = "ORIGINS",
        default_value = "",
        hide_default_value = true,
        value_parser = parse_cors_origins
    )]
    pub cors_origins: CorsOrigins,
    /// Address of a second listener serving Prometheus metrics at `/metrics`
    /// (`127.0.0.1:9100`; `:0` picks a free port) [default: none, no metrics].
    #[arg(long, env = "STINGER_METRICS_LISTEN", value_name = "ADDRESS")]
    pub metrics_listen: Option<String>,
    /// On SIGTERM or Ctrl-C, how long requests already accepted may take to finish, in
    /// seconds, before the process exits anyway (WebSockets are closed with 1001 at once).
    #[arg(
        long = "shutdown-grace-secs",
        env = "STINGER_SHUTDOWN_GRACE_SECS",
        default_value = "30",
        value_name = "SECS",
        value_parser = parse_secs
    )]
    pub shutdown_grace: Duration,
    /// Run only persisted queries already known by hash for anonymous requests (logged-in
    /// clients register them); anonymous clients cannot bring new queries.
    #[arg(long, env = "STINGER_PERSISTED_QUERIES_ONLY", default_value_t = false, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub persisted_queries_only: bool,
    /// Whether public data is cached in process (`on` or `off`): anonymous answers whole, and
    /// the rows behind authenticated requests.
    #[arg(long = "read-cache", env = "STINGER_READ_CACHE", default_value = "on", value_parser = parse_on_off, action = clap::ArgAction::Set, value_name = "on|off")]
    pub read_cache: bool,
    /// The read caches' size limit in MiB, together (¾ answers, ¼ rows).
    #[arg(
        long = "read-cache-mb",
        env = "STINGER_READ_CACHE_MB",
        default_value_t = 32,
        value_name = "MIB"
    )]
    pub read_cache_mb: usize,
    #[command(flatten)]
    pub rate_limits: RateLimitConfig,
}

/// Request rate limits (README, "Rate limits").
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Rate limits")]
pub struct RateLimitConfig {
    /// Anonymous requests per minute from one client address (a request costs 1, plus 1 per
    /// 1,000 of query complexity); 0 turns the limit off.
    #[arg(
        long = "rate-limit-anonymous",
        env = "STINGER_RATE_LIMIT_ANONYMOUS",
        value_name = "N",
        default_value_t = 3000
    )]
    pub anonymous_per_minute: u32,
    /// Mutations per minute by one account (costed the same way); 0 turns the limit off.
    #[arg(
        long = "rate-limit-account",
        env = "STINGER_RATE_LIMIT_ACCOUNT",
        value_name = "N",
        default_value_t = 120
    )]
    pub account_per_minute: u32,
    /// Redis holding the limits' state, shared by every API process of a deployment
    /// (`redis://127.0.0.1:6379`) [default: none, each process counts alone].
    #[arg(long = "redis-url", env = "STINGER_REDIS_URL", value_name = "URL")]
    pub redis_url: Option<String>,
    /// Prefix of this deployment's Redis keys.
    #[arg(
        long = "redis-prefix",
        env = "STINGER_REDIS_PREFIX",
        value_name = "PREFIX",
        default_value = "stinger"
    )]
    pub redis_prefix: String,
    /// Proxies (addresses or CIDR ranges, comma-separated: `127.0.0.1,10.0.0.0/8`) whose
    /// `X-Forwarded-For` names the client; from any other peer the header is ignored
    /// [default: none].
    #[arg(
        long = "trusted-proxies",
        env = "STINGER_TRUSTED_PROXIES",
        value_name = "ADDRESSES",
        default_value = "",
        hide_default_value = true,
        value_parser = parse_trusted_proxies
    )]
    pub trusted_proxies: TrustedProxies,
}

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(pub Vec<ipnet::IpNet>);

impl TrustedProxies {
    /// Whether `ip` is one of them.
    pub fn contains(&self, ip: &std::net::IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(ip))
    }
}

fn parse_trusted_proxies(raw: &str) -> Result<TrustedProxies, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            entry
                .parse::<ipnet::IpNet>()
                .or_else(|_| entry.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("`{entry}` is not an IP address or a CIDR range"))
        })
        .collect::<Result<_, _>>()
        .map(TrustedProxies)
}

/// The whole configuration of the server.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "stinger-api",
    version,
    about = "The Stinger GraphQL server.",
    long_about = "The Stinger GraphQL server.\n\nWith no configuration it keeps a SQLite database \
                  in ./data (created, migrated and filled with demo data on first start) and \
                  serves GraphQL at http://127.0.0.1:8080/graphql (GraphiQL in a browser).\n\n\
                  Every flag can also be set by the environment variable shown beside it.\n\n\
                  Endpoints: /graphql (POST, GET, WebSocket; GraphiQL in a browser), /healthz, \
                  /readyz."
)]
pub struct Config {
    /// Address to listen on (`127.0.0.1:0` picks a free port and prints it).
    #[arg(long, env = "STINGER_LISTEN", default_value = DEFAULT_LISTEN, value_name = "ADDRESS")]
    pub listen: String,
    /// Token signing secret, at least 32 bytes [default: generated into the data directory].
    #[arg(long, env = "STINGER_JWT_SECRET", value_name = "SECRET")]
    pub jwt_secret: Option<String>,
    /// Lifetime of an access token, in seconds.
    #[arg(
        long = "access-token-ttl-secs",
        env = "STINGER_ACCESS_TOKEN_TTL_SECS",
        default_value = "900",
        value_name = "SECS",
        value_parser = parse_secs
    )]
    pub access_token_ttl: Duration,
    /// Let an admin approve their own edit (the revision records it).
    #[arg(long, env = "STINGER_ALLOW_SELF_REVIEW", default_value_t = false, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub allow_self_review: bool,
    /// Run pending migrations on start.
    #[arg(long = "migrate", env = "STINGER_MIGRATE", default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub migrate_on_start: bool,
    /// Load the demo data when the database is new.
    #[arg(long, env = "STINGER_DEMO_DATA", default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub demo_data: bool,
    /// Log format (`RUST_LOG` filters the lines).
    #[arg(long, env = "STINGER_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[command(flatten)]
    pub database: DatabaseConfig,
    #[command(flatten)]
    pub limits: Limits,
    #[command(flatten)]
    pub operations: Operations,
}

impl Config {
    /// Reads the configuration from the command line and the process environment. `--help` and
    /// `--version` come back as errors whose `exit()` prints them and exits 0; a bad flag or
    /// value exits 2.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::parse_with(std::env::args_os(), |name| std::env::var(name).ok())
    }

    /// Reads the configuration from variables given by `lookup` only (tests pass a map);
    /// the process environment is not read.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Self::parse_with(["stinger-api"], lookup)
    }

    /// The defaults, whatever the environment holds.
    pub fn defaults() -> Self {
        match Self::from_lookup(|_| None) {
            Ok(config) => config,
            // Unreachable: every default is valid, which a unit test checks.
            Err(err) => err.exit(),
        }
    }

    /// Whether log lines are JSON.
    pub fn json_logs(&self) -> bool {
        self.log_format == LogFormat::Json
    }

    /// Parses `args`, taking a flag's value from `lookup(its variable)` when the flag is absent
    /// and the variable is set and not empty. clap reads variables itself only from the process
    /// environment and counts an empty one as a value; this keeps both rules in one place.
    fn parse_with<I, T>(
        args: I,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let mut from_variables = Vec::new();
        let command = Self::command().mut_args(|arg| {
            let Some(name) = arg.get_env().and_then(|n| n.to_str()).map(str::to_owned) else {
                return arg;
            };
            if let (Some(value), Some(long)) = (
                lookup(&name).filter(|v| !v.trim().is_empty()),
                arg.get_long(),
            ) {
                from_variables.push((long.to_owned(), value));
            }
            // Keep the variable's name in `--help`, but never let clap read it on its own.
            let help = with_variable(arg.get_help(), &name);
            let long_help = with_variable(arg.get_long_help().or(arg.get_help()), &name);
            arg.env(Resettable::Reset).help(help).long_help(long_help)
        });
        let mut command = command.args_override_self(true);
        let mut argv: Vec<OsString> = args.into_iter().map(Into::into).collect();
        // Values from variables go first, so the same flag on the command line wins.
        let rest = argv.split_off(argv.len().min(1));
        argv.extend(
            from_variables
                .into_iter()
                .map(|(long, value)| OsString::from(format!("--{long}={value}"))),
        );
        argv.extend(rest);
        let matches = command.try_get_matches_from_mut(argv)?;
        Self::from_arg_matches(&matches).map_err(|err| err.format(&mut command))
    }
}

/// A help text followed by `[env: NAME]`, as clap shows it when it reads the variable itself.
fn with_variable(help: Option<&clap::builder::StyledStr>, name: &str) -> String {
    match help {
        Some(help) => format!("{help} [env: {name}]"),
        None => format!("[env: {name}]"),
    }
}

fn parse_cors_origins(raw: &str) -> Result<CorsOrigins, String> {
    if raw.trim() == "*" {
        return Ok(CorsOrigins::Any);
    }
    raw.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(parse_origin)
        .collect::<Result<_, _>>()
        .map(CorsOrigins::Listed)
}

/// An origin as browsers send it: `http` or `https`, a host, an optional port, nothing else.
fn parse_origin(raw: &str) -> Result<String, String> {
    let refuse =
        || format!("{raw:?} is not an origin like https://films.example or http://localhost:3000");
    let rest = raw
        .strip_prefix("https://")
        .or_else(|| raw.strip_prefix("http://"))
        .ok_or_else(refuse)?;
    let (host, port) = match rest.rsplit_once(':') {
        // `[::1]` is a host whose last colon starts no port.
        Some((host, port)) if !port.contains(']') => (host, Some(port)),
        _ => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'[' | b']' | b':'));
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok());
    if host_ok && port_ok {
        Ok(raw.to_ascii_lowercase())
    } else {
        Err(refuse())
    }
}

fn parse_millis(raw: &str) -> Result<Duration, String> {
    raw.trim()
        .parse::<u64>()
        .map(Duration::from_millis)
        .map_err(|_| format!("expected a whole number of milliseconds, got {raw:?}"))
}
/// `on` or `off` (also `true`/`false`).
fn parse_on_off(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "on" | "true" | "1" => Ok(true),
        "off" | "false" | "0" => Ok(false),
        _ => Err(format!("expected on or off, got {value:?}")),
    }
}

fn parse_secs(raw: &str) -> Result<Duration, String> {
    raw.trim()
        .parse::<u64>()
        .map(Duration::from_secs)
        .map_err(|_| format!("expected a whole number of seconds, got {raw:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults_need_no_environment() {
        Config::command().debug_assert();
        let config = Config::from_lookup(|_| None).unwrap();
        assert_eq!(config.listen, DEFAULT_LISTEN);
        assert!(
            config
                .database
                .url()
                .starts_with("sqlite://./data/stinger.db")
        );
        assert!(config.demo_data);
        assert!(config.migrate_on_start);
        assert!(
            config.operations.read_cache,
            "the read cache is on by default"
        );
        assert_eq!(config.operations.read_cache_mb, 32);
        assert!(!config.allow_self_review);
        assert!(!config.json_logs());
        assert_eq!(config.access_token_ttl, Duration::from_secs(900));
        assert_eq!(config.limits.request_timeout, Duration::from_secs(10));
        assert_eq!(config.limits.max_nesting, 64);
        assert_eq!(config.database.timeouts.lock, Duration::from_secs(5));
        assert_eq!(DatabaseTimeouts::default(), config.database.timeouts);
        assert_eq!(config.operations.cors_origins, CorsOrigins::Listed(vec![]));
    }

    #[test]
    fn cors_origins_are_a_list_of_origins_or_any() {
        let read = |value: &str| {
            Config::from_lookup(lookup(&[("STINGER_CORS_ORIGINS", value)]))
                .map(|c| c.operations.cors_origins)
        };
        assert_eq!(
            read(" https://Films.example , http://localhost:3000,").unwrap(),
            CorsOrigins::Listed(vec![
                "https://films.example".to_owned(),
                "http://localhost:3000".to_owned()
            ])
        );
        assert_eq!(read("*").unwrap(), CorsOrigins::Any);
        for bad in [
            "films.example",
            "https://films.example/",
            "https://films.example/path",
            "ftp://films.example",
            "https://films.example:http",
            "https://user@films.example",
        ] {
            let err = read(bad).unwrap_err();
            assert!(err.to_string().contains("--cors-origins"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_bad_number_names_its_variable() {
        let err = Config::from_lookup(lookup(&[("STINGER_MAX_DEPTH", "deep")])).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ValueValidation);
        assert!(err.to_string().contains("--max-depth"), "{err}");
    }

    #[test]
    fn variables_are_read_and_empty_ones_ignored() {
        let config = Config::from_lookup(lookup(&[
            ("STINGER_MAX_DEPTH", "7"),
            ("STINGER_LISTEN", ""),
            ("STINGER_REQUEST_TIMEOUT_MS", "250"),
            ("STINGER_DEMO_DATA", "false"),
            ("STINGER_LOG_FORMAT", "json"),
            ("DATABASE_URL", "postgres://u:secret@h:5432/db"),
        ]))
        .unwrap();
        assert_eq!(config.limits.max_depth, 7);
        assert_eq!(config.listen, DEFAULT_LISTEN);
        assert_eq!(config.limits.request_timeout, Duration::from_millis(250));
        assert!(!config.demo_data);
        assert!(config.json_logs());
        assert_eq!(config.database.describe(), "postgres://u@h:5432/db");
    }

    #[test]
    fn a_flag_beats_its_variable_and_unknown_flags_are_refused() {
        let config = Config::parse_with(
            ["stinger-api", "--max-depth", "9"],
            lookup(&[("STINGER_MAX_DEPTH", "7")]),
        )
        .unwrap();
        assert_eq!(config.limits.max_depth, 9);
        let err = Config::parse_with(["stinger-api", "--port", "9000"], |_| None).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::UnknownArgument);
        assert_eq!(err.exit_code(), 2);
        let err = Config::parse_with(["stinger-api", "--version"], |_| None).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::DisplayVersion);
    }

    #[test]
    fn help_names_every_variable() {
        let help = Config::command()
            .mut_args(|a| a)
            .render_long_help()
            .to_string();
        let via_parse = Config::parse_with(["stinger-api", "--help"], |_| None)
            .unwrap_err()
            .to_string();
        for variable in ["DATABASE_URL", "STINGER_LISTEN", "STINGER_MAX_DEPTH"] {
            assert!(help.contains(variable), "{variable} missing from {help}");
            assert!(
                via_parse.contains(variable),
                "{variable} missing from {via_parse}"
            );
        }
    }
}
