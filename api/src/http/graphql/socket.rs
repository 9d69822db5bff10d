//! `/graphql` over WebSocket (`graphql-transport-ws`, or the older `graphql-ws`): subscriptions
//! only, with the HTTP path's guards.
//!
//! The stock actix integration appended continuation frames without a cap and ran any operation
//! without the checks HTTP makes. This driver reads frames through `actix-ws` with the body
//! limit as the largest frame and the largest assembled message (closing with 1009 beyond),
//! feeds them to async-graphql's protocol state machine, and owns the connection's life:
//!
//! - at most `ws_max_per_client` sockets per client address (429 on the upgrade beyond);
//! - `connection_init` within `ws_init_timeout` (4408 after), or the socket closes;
//! - a socket with no subscription running for `ws_idle_timeout` closes (4000), and one whose
//!   peer stops answering pings closes (1001);
//! - the socket closes when the access token it was opened with expires (4401);
//! - every operation passes [`check_document`] (nesting scan before the parser, syntax) and must
//!   be a subscription: queries and mutations are refused with `BAD_REQUEST` (send them over
//!   HTTP, where the request timeout and the rest apply);
//! - each operation gets its context from [`with_context`], as over HTTP, and its errors are
//!   masked by [`shape_errors`], as over HTTP.

use super::GraphqlState;
use super::auth::{self, Bearer};
use super::request::{check_document, with_context};
use super::response::{Refusal, shape_errors};
use crate::auth::{AuthState, ClientInfo};
use crate::error::coded_error;
use crate::http::negotiation::ResponseFormat;
use crate::http::request_id::RequestId;
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, ProtocolError};
use async_graphql::http::{WebSocket, WebSocketProtocols, WsMessage};
use async_graphql::parser::types::OperationType;
use async_graphql::{Data, Executor, Request, Response, ServerError};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use serde_json::Value;
use std::collections::HashMap;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::{Instant, sleep_until};

/// How often the server pings a socket; a peer silent for two intervals is gone.
const HEARTBEAT: Duration = Duration::from_secs(15);
/// Client messages waiting for the protocol state machine (it reads them while a
/// `connection_init` is being checked); a client that sends more at once is closed.
const INBOX: usize = 16;

/// `GET /graphql` upgraded to a WebSocket. The access token comes in `connection_init` as
/// `{"Authorization": "Bearer …"}`: a bad one refuses the connection, none runs
/// subscriptions anonymously (and `editEvents` then answers UNAUTHENTICATED).
pub async fn subscriptions(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<GraphqlState>,
    request_id: RequestId,
) -> HttpResponse {
    let Some(protocol) = requested_protocol(&req) else {
        return Refusal::bad_request(
            "ask for the `graphql-transport-ws` (or `graphql-ws`) WebSocket subprotocol",
        )
        .respond(ResponseFormat::Json);
    };
    let client = crate::http::client::client_info(&req, &state.trusted_proxies);
    let max = state.limits.ws_max_per_client;
    let Some(slot) = state.sockets.open(client.ip, max) else {
        tracing::warn!(ip = ?client.ip, "WebSocket refused: too many open from this address");
        return Refusal::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            format!("at most {max} WebSockets may be open at once from one address"),
        )
        .respond(ResponseFormat::Json);
    };
    let (response, session, messages) = match actix_ws::handle_with_protocols(
        &req,
        payload,
        &[protocol.sec_websocket_protocol()],
    ) {
        Ok(upgrade) => upgrade,
        Err(err) => return HttpResponse::from_error(err),
    };
    let max_message = state.limits.max_body_bytes;
    let messages = messages
        .max_frame_size(max_message)
        .aggregate_continuations()
        .max_continuation_size(max_message);
    let connection = Connection {
        state: state.into_inner(),
        client,
        request_id,
        protocol,
        running: Arc::new(AtomicUsize::new(0)),
    };
    actix_web::rt::spawn(async move {
        // Whatever database work the socket's subscriptions started stops when it closes.
        crate::db::request_scope::scope(connection.run(session, messages)).await;
        drop(slot);
    });
    response
}

/// The first subprotocol the client offers that this server speaks.
fn requested_protocol(req: &HttpRequest) -> Option<WebSocketProtocols> {
    req.headers()
        .get_all(actix_web::http::header::SEC_WEBSOCKET_PROTOCOL)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .find_map(|name| WebSocketProtocols::from_str(name.trim()).ok())
}

/// One open socket.
#[derive(Clone)]
struct Connection {
    state: Arc<GraphqlState>,
    client: ClientInfo,
    request_id: RequestId,
    protocol: WebSocketProtocols,
    /// Subscriptions running now.
    running: Arc<AtomicUsize>,
}

fn close(code: impl Into<CloseCode>, reason: &str) -> Option<CloseReason> {
    Some(CloseReason {
        code: code.into(),
        description: Some(reason.to_owned()),
    })
}

impl Connection {
    /// Serves the socket until either side ends it or a limit does, then closes it.
    async fn run(self, mut session: actix_ws::Session, mut messages: AggregatedMessageStream) {
        let limits = self.state.limits.clone();
        let expires_at: Arc<Mutex<Option<i64>>> = Arc::default();
        let init = {
            let auth = self.state.auth.clone();
            let expires_at = expires_at.clone();
            move |payload: Value| async move { connection_data(&auth, &payload, &expires_at) }
        };
        let (inbox, inbox_rx) = tokio::sync::mpsc::channel::<Bytes>(INBOX);
        let incoming = futures_util::stream::unfold(inbox_rx, |mut rx| async move {
            rx.recv().await.map(|message| (message, rx))
        });
        let running = self.running.clone();
        let request_id = self.request_id;
        let mut graphql = Box::pin(
            WebSocket::new(self.clone(), incoming, self.protocol).on_connection_init(init),
        );

        let far = Instant::now() + Duration::from_secs(86_400 * 365);
        let init_deadline = Instant::now() + limits.ws_init_timeout;
        let mut acked = false;
        let mut token_deadline = far;
        let mut idle_deadline = Instant::now() + limits.ws_idle_timeout;
        let mut last_heard = Instant::now();
        let mut heartbeat = tokio::time::interval_at(Instant::now() + HEARTBEAT, HEARTBEAT);
        let mut stopping = self.state.stopping.clone();
        let server_stops = async move {
            // A dropped sender (the server gone) is not a stop signal: wait forever then.
            if stopping.wait_for(|stopping| *stopping).await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        tokio::pin!(server_stops);

        let reason = loop {
            tokio::select! {
                message = messages.recv() => {
                    last_heard = Instant::now();
                    let text = match message {
                        None => break None,
                        Some(Ok(AggregatedMessage::Text(text))) => text.into_bytes(),
                        Some(Ok(AggregatedMessage::Binary(bytes))) => bytes,
                        Some(Ok(AggregatedMessage::Ping(bytes))) => {
                            if session.pong(&bytes).await.is_err() {
                                break None;
                            }
                            continue;
                        }
                        Some(Ok(AggregatedMessage::Pong(_))) => continue,
                        Some(Ok(AggregatedMessage::Close(_))) => break close(CloseCode::Normal, ""),
                        // A frame over the limit, or continuations adding up past it (actix-ws
                        // reports those as an I/O error of kind `Other`).
                        Some(Err(ProtocolError::Overflow)) => {
                            break close(CloseCode::Size, "message too big");
                        }
                        Some(Err(ProtocolError::Io(err))) if err.kind() == std::io::ErrorKind::Other => {
                            tracing::info!(request_id = %request_id, error = %err, "WebSocket message refused");
                            break close(CloseCode::Size, "message too big");
                        }
                        Some(Err(err)) => {
                            tracing::info!(request_id = %request_id, error = %err, "WebSocket protocol error");
                            break close(CloseCode::Protocol, "protocol error");
                        }
                    };
                    if inbox.try_send(text).is_err() {
                        break close(CloseCode::Policy, "too many messages at once");
                    }
                }
                reply = graphql.next() => match reply {
                    Some(WsMessage::Text(text)) => {
                        if !acked && is_ack(&text) {
                            acked = true;
                            if let Some(at) = *expires_at.lock().unwrap_or_else(|e| e.into_inner()) {
                                let left = (at - chrono::Utc::now().timestamp()).max(0);
                                token_deadline = Instant::now()
                                    + Duration::from_secs(u64::try_from(left).unwrap_or(0));
                            }
                        }
                        if session.text(text).await.is_err() {
                            break None;
                        }
                    }
                    Some(WsMessage::Close(code, reason)) => break close(code, &reason),
                    None => break close(CloseCode::Normal, ""),
                },
                () = sleep_until(init_deadline), if !acked => {
                    break close(4408, "Connection initialisation timeout");
                }
                () = sleep_until(token_deadline) => {
                    break close(4401, "the access token expired: reconnect with a new one");
                }
                () = sleep_until(idle_deadline) => {
                    if running.load(Ordering::SeqCst) > 0 {
                        idle_deadline = Instant::now() + limits.ws_idle_timeout;
                    } else {
                        break close(4000, "no subscription for too long");
                    }
                }
                () = &mut server_stops => {
                    break close(CloseCode::Away, "the server is shutting down: reconnect");
                }
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > 2 * HEARTBEAT {
                        break close(CloseCode::Away, "no answer to pings");
                    }
                    if session.ping(b"").await.is_err() {
                        break None;
                    }
                }
            }
        };
        // The peer may be gone already; nothing to do then.
        let _ = session.close(reason).await;
    }
}

/// Whether a server message is the `connection_ack`.
fn is_ack(text: &str) -> bool {
    serde_json::from_str::<Value>(text).is_ok_and(|v| v["type"] == "connection_ack")
}

/// The connection's data from the `connection_init` payload: the viewer of a valid bearer token
/// (noting when it expires), nothing for none, a refusal for a bad one.
fn connection_data(
    auth_state: &AuthState,
    payload: &Value,
    expires_at: &Mutex<Option<i64>>,
) -> async_graphql::Result<Data> {
    let mut data = Data::default();
    let header = payload
        .as_object()
        .and_then(|o| o.get("Authorization").or_else(|| o.get("authorization")))
        .and_then(Value::as_str);
    match header.map(auth::parse) {
        None => {}
        Some(Bearer::Token(token)) => {
            let viewer = auth_state
                .keys
                .verify(token)
                .map_err(|_| async_graphql::Error::new("the access token is invalid or expired"))?;
            *expires_at.lock().unwrap_or_else(|e| e.into_inner()) = Some(viewer.expires_at);
            data.insert(viewer);
        }
        Some(_) => return Err(async_graphql::Error::new("send `Bearer <token>`")),
    }
    Ok(data)
}

/// A response holding one refusal.
fn refused(error: ServerError) -> BoxStream<'static, Response> {
    futures_util::stream::once(async move { Response::from_errors(vec![error]) }).boxed()
}

/// Counts a running subscription while it lives.
struct RunningGuard(Arc<AtomicUsize>);

impl Drop for RunningGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Executor for Connection {
    /// Never called by the WebSocket protocol; refuses, as queries are not served here.
    async fn execute(&self, _request: Request) -> Response {
        Response::from_errors(vec![not_a_subscription()])
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let limits = &self.state.limits;
        match check_document(
            &mut request,
            ResponseFormat::GraphqlResponseJson,
            limits,
            false,
        ) {
            Err(refusal) => return refused(refusal.into_error()),
            Ok(Some(OperationType::Subscription)) => {}
            Ok(_) => return refused(not_a_subscription()),
        }
        let max = limits.ws_max_subscriptions;
        if self.running.fetch_add(1, Ordering::SeqCst) >= max {
            self.running.fetch_sub(1, Ordering::SeqCst);
            return refused(coded_error(
                format!("at most {max} subscriptions may run at once on one socket"),
                "LIMIT_EXCEEDED",
            ));
        }
        let guard = RunningGuard(self.running.clone());
        // Subscriptions follow edits, which are never cached: no row cache.
        let request = with_context(request, &self.state, self.client.clone(), None);
        let request_id = self.request_id;
        let max_errors = limits.max_errors;
        Executor::execute_stream(&self.state.schema, request, session_data)
            .map(move |mut response| {
                let _running = &guard;
                shape_errors(&mut response, max_errors, &request_id);
                response
            })
            .boxed()
    }
}

fn not_a_subscription() -> ServerError {
    coded_error(
        "only subscriptions run over the WebSocket: send queries and mutations with POST /graphql"
            .to_owned(),
        "BAD_REQUEST",
    )
}

/// WebSockets open now, per client address.
#[derive(Debug, Default)]
pub struct OpenSockets(Arc<Mutex<HashMap<Option<IpAddr>, usize>>>);

/// One open socket counted in [`OpenSockets`] until dropped.
pub struct SocketSlot {
    sockets: Arc<Mutex<HashMap<Option<IpAddr>, usize>>>,
    ip: Option<IpAddr>,
    /// Counts the socket in `stinger_websocket_connections` while it lives.
    _counted: crate::metrics::OpenWebSocket,
}

impl OpenSockets {
    /// Counts a new socket from `ip`, unless `max` are open from it already.
    pub fn open(&self, ip: Option<IpAddr>, max: usize) -> Option<SocketSlot> {
        let mut open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(ip).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(SocketSlot {
            sockets: self.0.clone(),
            ip,
            _counted: crate::metrics::OpenWebSocket::opened(),
        })
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut open = self.sockets.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.ip) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}
