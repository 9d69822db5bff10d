//! `stinger-admin edits watch`: follows live edit events over graphql-transport-ws.

use crate::exit::Failure;
use crate::options::{JsonOpt, RemoteOpts};
use crate::output::{self, BOLD};
use crate::remote::Remote;
use crate::remote::ops::{self, Operation};
use anyhow::{Context, anyhow};
use clap::Args;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// Follow edits as they are proposed, approved, rejected or withdrawn, until interrupted
/// (admins see every edit, editors their own).
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stinger-admin edits watch\n  stinger-admin edits watch --json | jq ."
)]
pub struct WatchArgs {
    #[command(flatten)]
    remote: RemoteOpts,
    #[command(flatten)]
    output: JsonOpt,
}

/// The close code the server uses when the access token a socket was opened with expires.
const TOKEN_EXPIRED: u16 = 4401;

pub async fn run(args: WatchArgs) -> anyhow::Result<()> {
    let mut remote = Remote::new(&args.remote)?;
    if !args.output.json {
        eprintln!("Watching edits on {} (Ctrl-C to stop)…", remote.server);
    }
    // The server closes a live connection when its access token expires: refresh the login and
    // open another.
    loop {
        remote.refresh_if_needed().await?;
        if !follow(&remote, &args).await? {
            return Ok(());
        }
    }
}

/// Follows events on one connection. `Ok(true)` when the server closed it because the access
/// token expired (open another with a fresh one), `Ok(false)` when the watch is over.
async fn follow(remote: &Remote, args: &WatchArgs) -> anyhow::Result<bool> {
    let token = remote.require_session()?.access_token.clone();
    let url = format!("{}/graphql", remote.server.replacen("http", "ws", 1));
    let mut request = url
        .as_str()
        .into_client_request()
        .with_context(|| format!("{url} is not a server URL"))?;
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .map_err(|err| {
            Failure::Unreachable(format!(
                "cannot open a live connection to {}: {err}",
                remote.server
            ))
        })?;
    let send = |value: Value| Message::text(value.to_string());
    socket
        .send(send(json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {token}")}})))
        .await?;
    socket
        .send(send(
            json!({"id": "1", "type": "subscribe", "payload": {"query": ops::EditEvents::QUERY, "operationName": ops::EditEvents::NAME}}),
        ))
        .await?;
    loop {
        let message = tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(false),
            message = socket.next() => message,
        };
        let Some(message) = message else {
            return Err(anyhow!("the server closed the live connection"));
        };
        let text = match message.context("the live connection failed")? {
            Message::Text(text) => text.to_string(),
            Message::Close(Some(frame)) if u16::from(frame.code) == TOKEN_EXPIRED => {
                return Ok(true);
            }
            Message::Close(_) => return Err(anyhow!("the server closed the live connection")),
            _ => continue,
        };
        let frame: Value =
            serde_json::from_str(&text).context("the server sent an unreadable frame")?;
        match frame["type"].as_str().unwrap_or("") {
            "connection_ack" | "pong" => {}
            "ping" => socket.send(send(json!({"type": "pong"}))).await?,
            "next" => {
                if let Some(error) = frame["payload"]["errors"]
                    .as_array()
                    .and_then(|e| e.first())
                {
                    let message = error["message"].as_str().unwrap_or("refused").to_owned();
                    return Err(match error["extensions"]["code"].as_str() {
                        Some("UNAUTHENTICATED") => Failure::Unauthenticated(format!(
                            "{message}: run `stinger-admin login`"
                        ))
                        .into(),
                        Some("FORBIDDEN") => Failure::Forbidden(message).into(),
                        _ => anyhow!(message),
                    });
                }
                let event = &frame["payload"]["data"]["editEvents"];
                if args.output.json {
                    anstream::println!("{event}");
                } else {
                    anstream::println!(
                        "{BOLD}#{}{BOLD:#} {}",
                        output::short(&event["number"]),
                        output::short(&event["status"])
                    );
                }
            }
            "error" => {
                return Err(anyhow!(
                    "the server refused the subscription: {}",
                    frame["payload"]
                ));
            }
            "complete" => return Ok(false),
            other => tracing::debug!(frame = other, "ignored frame"),
        }
    }
}
