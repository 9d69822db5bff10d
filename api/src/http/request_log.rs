//! One log line per HTTP request, and the request's id.
//!
//! The middleware gives each request its [`RequestId`] (echoed in `X-Request-Id`), runs it
//! inside a `request` span carrying that id (so every line logged while serving it names it),
//! and, once the response is ready, writes one line at target `stinger::request`: method, path
//! (never the query string, which may hold variables), status, duration, client address and,
//! for GraphQL, the operation's name, its outcome (`ok` or the first error's code) and the
//! viewer's account id. The client address is the one every per-client rule uses
//! (`http::client`: a trusted proxy's `X-Forwarded-For`, else the peer). Nothing else from the request is logged: no header, no body, no token.
//!
//! What only GraphQL execution knows (operation, outcome, viewer) reaches the line through
//! [`note_graphql`], which `graphql::observer` calls for every operation; the facts are held in a
//! task-local slot the middleware opens around the request, so the handlers pass nothing along.
//! Operations outside an HTTP request (WebSocket subscriptions) note nothing here.

use super::graphql::GraphqlState;
use super::request_id::{self, RequestId};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tracing::Instrument;

/// Target of the per-request line (filter it with `RUST_LOG=stinger::request=off`).
pub const TARGET: &str = "stinger::request";

/// What a GraphQL operation tells the request line.
#[derive(Debug, Clone, Default)]
pub struct GraphqlFacts {
    /// The operation's name (`anonymous` without one).
    pub operation: String,
    /// `ok`, or the first error's code.
    pub outcome: &'static str,
    /// The account the request ran as.
    pub viewer: Option<i64>,
}

tokio::task_local! {
    static FACTS: Arc<Mutex<Option<GraphqlFacts>>>;
}

/// Notes what a GraphQL operation did, for the line of the HTTP request running it (if any).
pub fn note_graphql(facts: GraphqlFacts) {
    let _ = FACTS.try_with(|slot| {
        if let Ok(mut slot) = slot.lock() {
            *slot = Some(facts);
        }
    });
}

/// HTTP requests being served now (until their response starts), across every worker.
static IN_FLIGHT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many HTTP requests are being served now (a graceful stop waits for none).
pub fn in_flight() -> usize {
    IN_FLIGHT.load(std::sync::atomic::Ordering::SeqCst)
}

/// Counts a request in [`IN_FLIGHT`] while it lives.
struct Serving;

impl Serving {
    fn start() -> Self {
        IN_FLIGHT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Serving
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The middleware (`actix_web::middleware::from_fn(request_log::middleware)`); wrap it outermost
/// so the line sees every other middleware's answer.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, Error> {
    let _serving = Serving::start();
    let started = Instant::now();
    let id = RequestId::from_header_or_new(
        req.headers()
            .get(request_id::HEADER)
            .map(HeaderValue::as_bytes),
    );
    req.extensions_mut().insert(id);
    let line = Line {
        id,
        method: req.method().clone(),
        path: req.path().to_owned(),
        client: match req.app_data::<actix_web::web::Data<GraphqlState>>() {
            Some(state) => super::client::client_info(req.request(), &state.trusted_proxies).ip,
            None => req.peer_addr().map(|a| a.ip()),
        },
        started,
    };
    let slot = Arc::new(Mutex::new(None));
    let span = tracing::info_span!("request", request_id = %id);
    let outcome = FACTS
        .scope(slot.clone(), next.call(req))
        .instrument(span)
        .await;
    let graphql = slot.lock().ok().and_then(|mut slot| slot.take());
    match outcome {
        Ok(mut response) => {
            if let Ok(value) = HeaderValue::from_str(id.as_str()) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static(request_id::HEADER), value);
            }
            line.write(response.status(), graphql.as_ref());
            Ok(response)
        }
        Err(err) => {
            line.write(err.as_response_error().status_code(), graphql.as_ref());
            Err(err)
        }
    }
}

/// What the request line says about the request itself.
struct Line {
    id: RequestId,
    method: Method,
    path: String,
    client: Option<IpAddr>,
    started: Instant,
}

impl Line {
    fn write(&self, status: StatusCode, graphql: Option<&GraphqlFacts>) {
        let duration_ms = (self.started.elapsed().as_secs_f64() * 1e6).round() / 1e3;
        macro_rules! line {
            ($level:expr) => {
                tracing::event!(
                    target: TARGET,
                    $level,
                    request_id = %self.id,
                    method = %self.method,
                    path = %self.path,
                    status = status.as_u16(),
                    duration_ms,
                    client = self.client.map(tracing::field::display),
                    operation = graphql.map(|g| g.operation.as_str()),
                    outcome = graphql.map(|g| g.outcome),
                    viewer = graphql.and_then(|g| g.viewer),
                    "request"
                )
            };
        }
        if status.is_server_error() {
            line!(tracing::Level::WARN);
        } else {
            line!(tracing::Level::INFO);
        }
    }
}
