//! Builds the application: database, schema, HTTP server. Tests use it with port 0.

use crate::auth::AuthState;
use crate::auth::jwt::{JwtKeys, SecretError, resolve_secret};
use crate::config::Config;
use crate::db::{DbSetupError, prepare};
use crate::graphql::build_schema;
use crate::graphql::documents::DocumentCache;
use crate::http::graphql::persisted::PersistedQueries;
use crate::http::{self, graphql::GraphqlState};
use crate::http::{headers, request_log};
use crate::rate_limit::{RateLimitSetupError, RateLimits};
use crate::service::editorial::EditorialSettings;
use crate::service::events::EditEventHub;
use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpServer, web};
use sea_orm::DatabaseConnection;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] DbSetupError),
    #[error("cannot listen for edit events")]
    Events(#[source] sea_orm::DbErr),
    #[error("no usable token secret")]
    Secret(#[from] SecretError),
    #[error(transparent)]
    RateLimits(#[from] RateLimitSetupError),
    #[error("cannot listen on {address}")]
    Listen {
        address: String,
        source: std::io::Error,
    },
}

/// Binds `listen`, giving the listener and the address actually bound (port 0 picks one).
fn bind(listen: &str) -> Result<(TcpListener, SocketAddr), StartupError> {
    let failed = |source| StartupError::Listen {
        address: listen.to_owned(),
        source,
    };
    let listener = TcpListener::bind(listen).map_err(failed)?;
    let address = listener.local_addr().map_err(failed)?;
    Ok((listener, address))
}

/// A built, bound, not yet running server.
pub struct Application {
    server: Server,
    address: SocketAddr,
    /// The Prometheus listener, when `STINGER_METRICS_LISTEN` asks for one.
    metrics: Option<(Server, SocketAddr)>,
    /// Set when a stop signal arrives (WebSockets watch it).
    stopping: tokio::sync::watch::Sender<bool>,
    db: DatabaseConnection,
    /// The read caches, when on.
    read_cache: Option<Arc<crate::cache::Caches>>,
    /// How long a stop waits for accepted requests.
    shutdown_grace: Duration,
}

impl Application {
    /// Connects (creating, migrating and filling a new database as configured), builds the
    /// schema once, and binds the listener.
    /// The address is bound first, so a port in use fails before any database is created.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let (listener, address) = bind(&config.listen)?;
        tracing::info!(
            version = env!("CARGO_PKG_VERSION"),
            "Stinger starts on {}; GraphiQL at http://{address}/graphql",
            config.database.describe()
        );
        let db = prepare(&config.database, config.migrate_on_start, config.demo_data).await?;
        Self::build_with_listener(config, db, listener, address).await
    }

    /// Builds the application over a database that is already prepared (tests use this to watch
    /// the connection, e.g. to count statements).
    pub async fn build_with_db(
        config: Config,
        db: DatabaseConnection,
    ) -> Result<Self, StartupError> {
        let (listener, address) = bind(&config.listen)?;
        Self::build_with_listener(config, db, listener, address).await
    }

    async fn build_with_listener(
        config: Config,
        db: DatabaseConnection,
        listener: TcpListener,
        address: SocketAddr,
    ) -> Result<Self, StartupError> {
        let read_cache = config
            .operations
            .read_cache
            .then(|| crate::cache::Caches::new(config.operations.read_cache_mb));
        let metrics = match &config.operations.metrics_listen {
            Some(listen) => {
                crate::metrics::enable();
                let metrics = crate::metrics::serve(listen, db.clone(), read_cache.clone())
                    .map_err(|source| StartupError::Listen {
                        address: listen.clone(),
                        source,
                    })?;
                tracing::info!(address = %metrics.1, "Prometheus metrics at http://{}/metrics", metrics.1);
                Some(metrics)
            }
            None => None,
        };
        let secret = resolve_secret(config.jwt_secret.as_deref(), &config.database.data_dir)?;
        let auth = Arc::new(AuthState {
            keys: JwtKeys::new(&secret, config.access_token_ttl),
            throttle: Default::default(),
        });
        let events = EditEventHub::start(&db)
            .await
            .map_err(StartupError::Events)?;
        if let Some(cache) = &read_cache {
            events.attach_cache(cache.clone());
            if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
                crate::cache::watch::watch(db.clone(), Arc::downgrade(cache));
            }
        }
        let settings = EditorialSettings {
            allow_self_review: config.allow_self_review,
        };
        let rate_limits = Arc::new(RateLimits::new(&config.operations.rate_limits).await?);
        let schema = build_schema(
            db.clone(),
            &config.limits,
            auth.clone(),
            settings,
            events,
            rate_limits.clone(),
        );
        let (stopping, stopping_rx) = tokio::sync::watch::channel(false);
        let state = web::Data::new(GraphqlState {
            schema,
            db: db.clone(),
            auth,
            limits: config.limits.clone(),
            documents: DocumentCache::new(DocumentCache::DEFAULT_CAPACITY),
            sockets: Default::default(),
            trusted_proxies: config.operations.rate_limits.trusted_proxies.clone(),
            persisted: PersistedQueries::new(
                PersistedQueries::DEFAULT_CAPACITY,
                config.operations.persisted_queries_only,
            ),
            read_cache: read_cache.as_ref().map(|caches| caches.answers.clone()),
            row_cache: read_cache.as_ref().map(|caches| caches.rows.clone()),
            rate_limits,
            stopping: stopping_rx,
        });
        let db_data = web::Data::new(db.clone());
        let body_limit = config.limits.max_body_bytes;
        let cors_origins = config.operations.cors_origins.clone();
        let server = HttpServer::new(move || {
            App::new()
                .wrap(Compress::default())
                .wrap(headers::security_headers())
                .wrap(headers::cors(&cors_origins))
                .wrap(from_fn(request_log::middleware))
                .app_data(web::PayloadConfig::new(body_limit))
                .app_data(state.clone())
                .app_data(db_data.clone())
                .configure(http::configure)
        })
        .listen(listener)
        .map_err(|source| StartupError::Listen {
            address: config.listen.clone(),
            source,
        })?
        .shutdown_timeout(config.operations.shutdown_grace.as_secs())
        // Signals are handled in `run`, which closes WebSockets before the graceful stop.
        .disable_signals()
        .run();
        tracing::info!(%address, "Stinger is listening: GraphiQL at http://{address}/graphql");
        Ok(Self {
            server,
            address,
            metrics,
            stopping,
            db,
            read_cache,
            shutdown_grace: config.operations.shutdown_grace,
        })
    }

    /// The read caches (`None` when they are off).
    pub fn read_cache(&self) -> Option<Arc<crate::cache::Caches>> {
        self.read_cache.clone()
    }

    /// The address actually bound (useful with port 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The database connection.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The metrics listener's address, when there is one.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().map(|(_, address)| *address)
    }

    /// Serves until the process is asked to stop (SIGTERM or Ctrl-C): then open WebSockets are
    /// closed with 1001 ("going away"), no new connection is accepted, and the requests
    /// accepted so far finish within `STINGER_SHUTDOWN_GRACE_SECS`. The metrics listener stops
    /// with the API.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.serve(stop_signal()).await
    }

    /// Serves until the server is dropped or aborted (tests; no signal handlers installed).
    pub async fn run(self) -> std::io::Result<()> {
        self.serve(std::future::pending()).await
    }

    async fn serve(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let handle = self.server.handle();
        let stopping = self.stopping;
        let grace = self.shutdown_grace;
        tokio::spawn(async move {
            stop.await;
            tracing::info!("stop signal: closing WebSockets, finishing accepted requests");
            crate::db::fault::note_stopping();
            let _ = stopping.send(true);
            // No new connections; the requests accepted finish while every worker still runs.
            // (A worker exits with its runtime, and the PostgreSQL connections it opened die
            // with it, even when another worker's request is using one.)
            handle.pause().await;
            let deadline = tokio::time::Instant::now() + grace;
            while request_log::in_flight() > 0 && tokio::time::Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            let graceful = request_log::in_flight() == 0;
            if !graceful {
                tracing::warn!("the grace period ended with requests still running: cutting them");
            }
            handle.stop(graceful).await;
        });
        let Some((metrics, _)) = self.metrics else {
            return self.server.await;
        };
        let metrics_handle = metrics.handle();
        let metrics = actix_web::rt::spawn(metrics);
        let served = self.server.await;
        metrics_handle.stop(true).await;
        let _ = metrics.await;
        served
    }
}

/// Resolves at the first SIGTERM or SIGINT (Ctrl-C).
async fn stop_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = terminate.recv() => {}
                    _ = interrupt => {}
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, "SIGTERM cannot be watched; Ctrl-C still stops");
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
