//! A `graphql-transport-ws` client for tests: connecting, the `connection_init` handshake, and
//! reading the server's protocol messages (pings skipped) or its close code.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// An open client socket.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long [`next_message`] waits for the server.
const ANSWER_WITHIN: Duration = Duration::from_secs(10);

/// Opens a `graphql-transport-ws` socket to `base` (`http://host:port`).
pub async fn connect(base: &str) -> Result<Socket, WsError> {
    let mut request = format!("{}/graphql", base.replacen("http", "ws", 1))
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(ws, _)| ws)
}

/// Opens a socket to `base` and completes `connection_init` (logged in with `token`, if any).
pub async fn initialised(base: &str, token: Option<&str>) -> Socket {
    let mut ws = connect(base).await.expect("the upgrade succeeds");
    let payload = match token {
        Some(token) => json!({"Authorization": format!("Bearer {token}")}),
        None => json!({}),
    };
    send(
        &mut ws,
        json!({"type": "connection_init", "payload": payload}),
    )
    .await;
    assert_eq!(next_message(&mut ws).await["type"], "connection_ack");
    ws
}

/// Sends one protocol message.
pub async fn send(ws: &mut Socket, message: Value) {
    ws.send(Message::Text(message.to_string().into()))
        .await
        .unwrap();
}

/// What the server sent next: a protocol message, or the socket closing.
#[derive(Debug)]
pub enum Received {
    Message(Value),
    Closed(Option<u16>),
}

/// The server's next protocol message (pings and pongs skipped) or its closing, within `within`.
pub async fn receive(ws: &mut Socket, within: Duration) -> Received {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let next = tokio::time::timeout_at(deadline, ws.next())
            .await
            .expect("the server answers in time");
        match next {
            None | Some(Err(_)) => return Received::Closed(None),
            Some(Ok(Message::Close(frame))) => {
                return Received::Closed(frame.map(|f: CloseFrame| u16::from(f.code)));
            }
            Some(Ok(Message::Text(text))) => {
                let value: Value = serde_json::from_str(&text).unwrap();
                if value["type"] != "ping" && value["type"] != "pong" {
                    return Received::Message(value);
                }
            }
            Some(Ok(_)) => {}
        }
    }
}

/// The server's next protocol message; panics if the socket closes instead.
pub async fn next_message(ws: &mut Socket) -> Value {
    match receive(ws, ANSWER_WITHIN).await {
        Received::Message(value) => value,
        Received::Closed(code) => panic!("the socket closed ({code:?}) instead of answering"),
    }
}

/// The code the server closes the socket with, skipping messages before it.
pub async fn close_code(ws: &mut Socket, within: Duration) -> Option<u16> {
    loop {
        match receive(ws, within).await {
            Received::Closed(code) => return code,
            Received::Message(_) => {}
        }
    }
}
