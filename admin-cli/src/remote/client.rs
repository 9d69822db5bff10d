//! The HTTP client for remote commands.

use super::credentials::{self, Session};
use super::ops::{self, Operation};
use crate::exit::Failure;
use anyhow::{Context, anyhow};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// A server and, when logged in, the session to use with it.
pub struct Remote {
    http: reqwest::Client,
    pub server: String,
    pub session: Option<Session>,
}

impl Remote {
    /// A client for `server` with the stored session, if any.
    pub fn new(server: &str) -> anyhow::Result<Self> {
        let server = server.trim_end_matches('/').to_owned();
        let session = credentials::load(&server)?;
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .context("Failed to set up the HTTP client")?;
        Ok(Self {
            http,
            server,
            session,
        })
    }

    /// The session, or a clear error telling how to log in.
    pub fn require_session(&self) -> anyhow::Result<&Session> {
        self.session.as_ref().ok_or_else(|| {
            Failure::Unauthenticated(format!(
                "not logged in to {}: run `stinger-admin login`",
                self.server
            ))
            .into()
        })
    }

    /// Runs operation `Q` with `variables`, as the logged-in user when there is a session
    /// (refreshing it first when it is about to expire). GraphQL errors become failures with
    /// the matching exit code.
    pub async fn run<Q: Operation>(&mut self, variables: Value) -> anyhow::Result<Q::Data> {
        self.refresh_if_needed().await?;
        let token = self.session.as_ref().map(|s| s.access_token.clone());
        let body = json!({"query": Q::QUERY, "operationName": Q::NAME, "variables": variables});
        let data = self.post(body, token.as_deref()).await?;
        serde_json::from_value(data)
            .context("The server's answer does not match this version of stinger-admin")
    }

    /// Refreshes the stored login when its access token is about to expire.
    pub async fn refresh_if_needed(&mut self) -> anyhow::Result<()> {
        let Some(session) = &self.session else {
            return Ok(());
        };
        if session.expires_at > Utc::now() + chrono::Duration::seconds(30) {
            return Ok(());
        }
        let body = json!({
            "query": ops::RefreshToken::QUERY,
            "operationName": ops::RefreshToken::NAME,
            "variables": {"input": {"refreshToken": session.refresh_token}},
        });
        let data = self.post(body, None).await?;
        let payload: ops::refresh_token::ResponseData = serde_json::from_value(data)?;
        let result = payload.refresh_token;
        match (result.access_token, result.refresh_token, result.expires_at) {
            (Some(access_token), Some(refresh_token), Some(expires_at)) => {
                let session = Session {
                    access_token,
                    refresh_token,
                    expires_at: parse_time(&expires_at)?,
                    ..session.clone()
                };
                credentials::save(&self.server, &session)?;
                self.session = Some(session);
                Ok(())
            }
            _ => {
                credentials::remove(&self.server)?;
                self.session = None;
                Err(Failure::Unauthenticated(format!(
                    "your login to {} has expired: run `stinger-admin login`",
                    self.server
                ))
                .into())
            }
        }
    }

    /// POSTs a GraphQL request and returns its `data`, mapping errors to failures.
    async fn post(&self, body: Value, token: Option<&str>) -> anyhow::Result<Value> {
        let mut request = self
            .http
            .post(format!("{}/graphql", self.server))
            .header(
                "accept",
                "application/graphql-response+json, application/json;q=0.9",
            )
            .json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|err| {
            Failure::Unreachable(format!(
                "cannot reach the Stinger server at {} ({}): is it running? Set --server or STINGER_SERVER",
                self.server,
                err.without_url()
            ))
        })?;
        let status = response.status();
        let body: Value = response.json().await.with_context(|| {
            format!(
                "The server at {} answered {status} without GraphQL JSON",
                self.server
            )
        })?;
        if let Some(error) = body["errors"].as_array().and_then(|e| e.first()) {
            let message = error["message"]
                .as_str()
                .unwrap_or("unknown error")
                .to_owned();
            let code = error["extensions"]["code"].as_str().unwrap_or("");
            return Err(match code {
                "UNAUTHENTICATED" => Failure::Unauthenticated(format!(
                    "{message}: run `stinger-admin login` (your login may have expired)"
                ))
                .into(),
                "FORBIDDEN" => Failure::Forbidden(message).into(),
                "NOT_FOUND" => Failure::NotFound(message).into(),
                _ => anyhow!("the server refused the request: {message}"),
            });
        }
        Ok(body["data"].clone())
    }
}

/// Reads an RFC 3339 time from the server.
pub fn parse_time(text: &str) -> anyhow::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .with_context(|| format!("the server sent an unreadable time {text:?}"))
}

/// Turns a payload's `userErrors` into a failure with the right exit code.
pub fn check_user_errors(errors: &Value) -> anyhow::Result<()> {
    let Some(first) = errors.as_array().and_then(|e| e.first()) else {
        return Ok(());
    };
    let message = first["message"].as_str().unwrap_or("refused").to_owned();
    let field = first["field"]
        .as_str()
        .map(|f| format!(" ({f})"))
        .unwrap_or_default();
    let text = format!("{message}{field}");
    Err(match first["code"].as_str().unwrap_or("") {
        "CONFLICT" | "NOT_PENDING" | "CONFLICTED" => Failure::Conflict(text).into(),
        "NOT_FOUND" => Failure::NotFound(text).into(),
        "FORBIDDEN" | "SELF_REVIEW" => Failure::Forbidden(text).into(),
        "INVALID_CREDENTIALS" | "RATE_LIMITED" => Failure::Unauthenticated(text).into(),
        _ => anyhow!(text),
    })
}
