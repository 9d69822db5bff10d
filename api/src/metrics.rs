//! Prometheus metrics, served as text at `/metrics` on a listener of their own
//! (`STINGER_METRICS_LISTEN`; off when unset, so they are never public by accident).
//!
//! Every metric is named and recorded here, through the `metrics` facade: the rest of the code
//! calls the functions below, never `metrics::counter!` with a name of its own. Values are kept
//! by `metrics-exporter-prometheus`'s recorder, installed once per process; what can be read
//! when scraped (the pool's connections, edits by status) is read then.
//!
//! | metric | type | labels | what |
//! |---|---|---|---|
//! | `stinger_graphql_operations_total` | counter | operation, outcome | GraphQL operations run (HTTP and WebSocket), by name and by `ok` or the first error's code |
//! | `stinger_graphql_operation_duration_seconds` | histogram | operation, outcome | how long they took |
//! | `stinger_graphql_errors_total` | counter | code | errors answered, by public code |
//! | `stinger_graphql_statements` | histogram | operation | SQL statements one HTTP operation ran |
//! | `stinger_db_statements_total` | counter | outcome | SQL statements run (`ok`, `error`) |
//! | `stinger_db_statement_duration_seconds` | histogram | | how long each took on its connection |
//! | `stinger_db_pool_connections` | gauge | state | pooled connections `in_use` and `idle` (read when scraped) |
//! | `stinger_db_pool_max_connections` | gauge | | the pool's size limit |
//! | `stinger_db_pool_acquire_seconds` | histogram | | time to get a connection from the pool, sampled once a second |
//! | `stinger_edits` | gauge | status | edits by status (read when scraped) |
//! | `stinger_login_failures_total` | counter | | wrong passwords (`login`, `changePassword`) |
//! | `stinger_login_throttled_total` | counter | | password checks refused by the throttle |
//! | `stinger_websocket_connections` | gauge | | WebSockets open |
//! | `stinger_graphql_subscriptions` | gauge | | subscriptions running |
//! | `stinger_graphql_subscription_responses_total` | counter | operation, outcome | responses sent on subscriptions (events, or the error that ended one) |
//! | `stinger_rate_limited_total` | counter | by | operations refused by a rate limit (`address`, `account`) |
//! | `stinger_read_cache_hits_total`, `_misses_total`, `_evictions_total`, `_invalidations_total` | counter | layer | the read caches' lookups answered and not, entries evicted for room, entries dropped by writes (read when scraped); `layer` is `answers` or `rows` |
//! | `stinger_read_cache_entries`, `_bytes`, `_max_bytes` | gauge | layer | what each holds, and its budget (from `STINGER_READ_CACHE_MB`) |

use crate::cache::Caches;
use crate::cache::stats::Snapshot;
use actix_web::dev::Server;
use actix_web::{App, HttpResponse, HttpServer, web};
use async_graphql::ServerError;
use entity::edit;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::{
    ActiveEnum, DatabaseConnection, DbBackend, EntityTrait, Iterable, QuerySelect,
    sea_query::{Expr, Func},
};
use std::collections::HashSet;
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Operation names kept as labels; later new names count as [`OTHER`], so clients choosing
/// names cannot grow the metrics without bound.
const MAX_OPERATION_NAMES: usize = 200;
/// The label of operations beyond [`MAX_OPERATION_NAMES`].
pub const OTHER: &str = "other";

/// Histogram buckets for request and statement times, in seconds.
const SECONDS_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Histogram buckets for statements per operation.
const STATEMENT_BUCKETS: &[f64] = &[0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0, 20.0, 50.0, 100.0];

/// The process's recorder, installed by the first call. `None` when another recorder was
/// installed first (a test harness, say): recording then goes there.
fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), SECONDS_BUCKETS)
                .and_then(|builder| {
                    builder.set_buckets_for_metric(
                        Matcher::Full("stinger_graphql_statements".to_owned()),
                        STATEMENT_BUCKETS,
                    )
                })
                .map_err(|err| tracing::warn!(error = %err, "metrics buckets refused"))
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder)
                .map_err(|err| tracing::warn!(error = %err, "a metrics recorder is installed"))
                .ok()?;
            Some(handle)
        })
        .as_ref()
}

/// The label for an operation name: itself while few names are known, [`OTHER`] after.
fn operation_label(name: &str) -> String {
    static KNOWN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let mut known = KNOWN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if known.contains(name) {
        return name.to_owned();
    }
    if known.len() < MAX_OPERATION_NAMES {
        known.insert(name.to_owned());
        name.to_owned()
    } else {
        OTHER.to_owned()
    }
}

/// Records a finished GraphQL operation: its count and time by name and outcome, its errors by
/// code, and (for an HTTP operation) the statements it ran.
pub fn operation_finished(
    operation: &str,
    outcome: &'static str,
    errors: &[ServerError],
    elapsed: Duration,
    statements: Option<u64>,
) {
    let operation = operation_label(operation);
    metrics::counter!("stinger_graphql_operations_total", "operation" => operation.clone(), "outcome" => outcome)
        .increment(1);
    metrics::histogram!("stinger_graphql_operation_duration_seconds", "operation" => operation.clone(), "outcome" => outcome)
        .record(elapsed.as_secs_f64());
    count_errors(errors);
    if let Some(statements) = statements {
        metrics::histogram!("stinger_graphql_statements", "operation" => operation)
            .record(statements as f64);
    }
}

/// Records one response sent on a subscription; its errors count by code like an operation's.
pub fn subscription_sent(operation: &str, outcome: &'static str, errors: &[ServerError]) {
    let operation = operation_label(operation);
    metrics::counter!("stinger_graphql_subscription_responses_total", "operation" => operation, "outcome" => outcome)
        .increment(1);
    count_errors(errors);
}

/// Counts a running subscription for as long as its stream lives.
#[derive(Debug)]
pub struct RunningSubscription(());

impl RunningSubscription {
    /// Counts a subscription that just started.
    pub fn started() -> Self {
        metrics::gauge!("stinger_graphql_subscriptions").increment(1.0);
        Self(())
    }
}

impl Drop for RunningSubscription {
    fn drop(&mut self) {
        metrics::gauge!("stinger_graphql_subscriptions").decrement(1.0);
    }
}

fn count_errors(errors: &[ServerError]) {
    for error in errors {
        metrics::counter!("stinger_graphql_errors_total", "code" => crate::graphql::observer::error_code(error))
            .increment(1);
    }
}

/// Records one SQL statement (the database connection's metric callback).
pub fn statement_ran(info: &sea_orm::metric::Info<'_>) {
    let outcome = if info.failed { "error" } else { "ok" };
    metrics::counter!("stinger_db_statements_total", "outcome" => outcome).increment(1);
    metrics::histogram!("stinger_db_statement_duration_seconds").record(info.elapsed.as_secs_f64());
}

/// Records an operation refused by its rate limit (`by`: `address` or `account`).
pub fn rate_limited(by: &'static str) {
    metrics::counter!("stinger_rate_limited_total", "by" => by).increment(1);
}

/// Records a wrong password.
pub fn login_failed() {
    metrics::counter!("stinger_login_failures_total").increment(1);
}

/// Records a password check the throttle refused.
pub fn login_throttled() {
    metrics::counter!("stinger_login_throttled_total").increment(1);
}

/// Counts an open WebSocket for as long as it lives.
#[derive(Debug)]
pub struct OpenWebSocket(());

impl OpenWebSocket {
    /// Counts a socket that just opened.
    pub fn opened() -> Self {
        metrics::gauge!("stinger_websocket_connections").increment(1.0);
        Self(())
    }
}

impl Drop for OpenWebSocket {
    fn drop(&mut self) {
        metrics::gauge!("stinger_websocket_connections").decrement(1.0);
    }
}

/// Installs the recorder (so that what happens from now on is counted) when metrics are on.
pub fn enable() -> bool {
    handle().is_some()
}

/// Binds the metrics listener at `listen` and builds its server (run it beside the API's), and
/// starts sampling the pool's acquire time. Call [`enable`] first.
pub fn serve(
    listen: &str,
    db: DatabaseConnection,
    read_cache: Option<Arc<Caches>>,
) -> std::io::Result<(Server, SocketAddr)> {
    let listener = TcpListener::bind(listen)?;
    let address = listener.local_addr()?;
    let sampler_db = db.clone();
    actix_web::rt::spawn(sample_acquire_time(sampler_db));
    let db = web::Data::new(db);
    let read_cache = web::Data::new(read_cache);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(db.clone())
            .app_data(read_cache.clone())
            .route("/metrics", web::get().to(scrape))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .shutdown_timeout(1)
    .run();
    Ok((server, address))
}

/// `GET /metrics`: reads the gauges known only when asked, then renders every metric.
async fn scrape(
    db: web::Data<DatabaseConnection>,
    read_cache: web::Data<Option<Arc<Caches>>>,
) -> HttpResponse {
    let Some(handle) = handle() else {
        return HttpResponse::ServiceUnavailable().body("metrics are not recorded here\n");
    };
    read_pool(&db);
    if let Some(caches) = read_cache.as_ref() {
        read_cache_figures("answers", caches.answers.stats(), caches.answers.limit());
        read_cache_figures("rows", caches.rows.stats(), caches.rows.limit());
    }
    if let Err(err) = read_edits(&db).await {
        tracing::warn!(error = %err, "edits by status could not be counted for /metrics");
    }
    handle.run_upkeep();
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(handle.render())
}

/// The pool's connections in use and idle, and its limit.
fn read_pool(db: &DatabaseConnection) {
    let (size, idle, max) = match db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        _ => {
            let pool = db.get_sqlite_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
    };
    let idle = idle as f64;
    metrics::gauge!("stinger_db_pool_connections", "state" => "in_use")
        .set((f64::from(size) - idle).max(0.0));
    metrics::gauge!("stinger_db_pool_connections", "state" => "idle").set(idle);
    metrics::gauge!("stinger_db_pool_max_connections").set(f64::from(max));
}

/// A read cache's counters and size.
fn read_cache_figures(layer: &'static str, stats: Snapshot, limit: usize) {
    metrics::counter!("stinger_read_cache_hits_total", "layer" => layer).absolute(stats.hits);
    metrics::counter!("stinger_read_cache_misses_total", "layer" => layer).absolute(stats.misses);
    metrics::counter!("stinger_read_cache_evictions_total", "layer" => layer)
        .absolute(stats.evictions);
    metrics::counter!("stinger_read_cache_invalidations_total", "layer" => layer)
        .absolute(stats.invalidations);
    metrics::gauge!("stinger_read_cache_entries", "layer" => layer).set(stats.entries as f64);
    metrics::gauge!("stinger_read_cache_bytes", "layer" => layer).set(stats.bytes as f64);
    metrics::gauge!("stinger_read_cache_max_bytes", "layer" => layer).set(limit as f64);
}

/// Edits by status, every status present (0 when none).
async fn read_edits(db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    let counts: Vec<(entity::EditStatus, i64)> = edit::Entity::find()
        .select_only()
        .column(edit::Column::Status)
        .column_as(
            Expr::from(Func::count(Expr::col(edit::Column::Id))),
            "count",
        )
        .group_by(edit::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    for status in entity::EditStatus::iter() {
        let count = counts
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, c)| *c);
        metrics::gauge!("stinger_edits", "status" => status.to_value()).set(count as f64);
    }
    Ok(())
}

/// Once a second, how long a connection takes to get from the pool: the wait a request would
/// see before its first statement (the driver does not time its own acquisitions).
async fn sample_acquire_time(db: DatabaseConnection) {
    let mut ticks = tokio::time::interval(Duration::from_secs(1));
    loop {
        ticks.tick().await;
        let started = Instant::now();
        let acquired = match db.get_database_backend() {
            DbBackend::Postgres => db.get_postgres_connection_pool().acquire().await.map(drop),
            _ => db.get_sqlite_connection_pool().acquire().await.map(drop),
        };
        match acquired {
            Ok(()) => metrics::histogram!("stinger_db_pool_acquire_seconds")
                .record(started.elapsed().as_secs_f64()),
            Err(sea_orm::sqlx::Error::PoolClosed) => return,
            Err(_) => {}
        }
    }
}
