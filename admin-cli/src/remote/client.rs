//! The HTTP client for remote commands.

use super::credentials::{self, Session};
use super::ops::{self, Operation, Problem};
use crate::exit::Failure;
use crate::options::RemoteOpts;
use anyhow::{Context, anyhow};
use chrono::Utc;
use serde::Serialize;
use serde_json::{Value, json};

/// A server and, when logged in, the session to use with it.
pub struct Remote {
    http: reqwest::Client,
    pub server: String,
    /// The named login profile (`--profile`), if not the default one.
    pub profile: Option<String>,
    pub session: Option<Session>,
}

impl Remote {
    /// A client for the server `opts` names, with the session stored for it (in its profile).
    pub fn new(opts: &RemoteOpts) -> anyhow::Result<Self> {
        let server = opts.server.trim_end_matches('/').to_owned();
        let profile = opts.profile.clone().filter(|p| !p.is_empty());
        let session = credentials::load(&server, profile.as_deref())?;
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .context("Failed to set up the HTTP client")?;
        Ok(Self {
            http,
            server,
            profile,
            session,
        })
    }

    /// `login` or `login --profile NAME`: the command that logs in where this client looks.
    pub fn login_command(&self) -> String {
        match &self.profile {
            Some(name) => format!("stinger-admin login --profile {name}"),
            None => "stinger-admin login".to_owned(),
        }
    }

    /// Where this client is logged in, for messages: the server, and the profile if named.
    pub fn place(&self) -> String {
        match &self.profile {
            Some(name) => format!("{} (profile {name})", self.server),
            None => self.server.clone(),
        }
    }

    /// The session, or a clear error telling how to log in.
    pub fn require_session(&self) -> anyhow::Result<&Session> {
        self.session.as_ref().ok_or_else(|| {
            Failure::Unauthenticated(format!(
                "not logged in to {}: run `{}`",
                self.place(),
                self.login_command()
            ))
            .into()
        })
    }

    /// Stores `session` as this client's login.
    pub fn keep(&mut self, session: Session) -> anyhow::Result<()> {
        credentials::save(&self.server, self.profile.as_deref(), &session)?;
        self.session = Some(session);
        Ok(())
    }

    /// Forgets this client's login; true if there was one.
    pub fn forget(&mut self) -> anyhow::Result<bool> {
        self.session = None;
        credentials::remove(&self.server, self.profile.as_deref())
    }

    /// Runs operation `Q`, as the logged-in user when there is a session (refreshing it first
    /// when it is about to expire). GraphQL errors become failures with the matching exit code.
    pub async fn run<Q: Operation>(&mut self, variables: Q::Variables) -> anyhow::Result<Q::Data> {
        self.run_with::<Q>(variables).await
    }

    /// Like [`Remote::run`], with variables built by hand: for inputs whose fields may be
    /// absent or null (a proposal's changes), which typed variables cannot tell apart.
    pub async fn run_with<Q: Operation>(
        &mut self,
        variables: impl Serialize,
    ) -> anyhow::Result<Q::Data> {
        self.refresh_if_needed().await?;
        let token = self.session.as_ref().map(|s| s.access_token.clone());
        let body = json!({"query": Q::QUERY, "operationName": Q::NAME, "variables": variables});
        let data = self.post(body, token.as_deref()).await?;
        serde_json::from_value(data)
            .context("The server's answer does not match this version of stinger-admin")
    }

    /// Sends a query that is not one of the typed operations (schema introspection), and
    /// returns its `data`.
    pub async fn run_untyped(&mut self, query: &str, variables: Value) -> anyhow::Result<Value> {
        self.refresh_if_needed().await?;
        let token = self.session.as_ref().map(|s| s.access_token.clone());
        self.post(
            json!({"query": query, "variables": variables}),
            token.as_deref(),
        )
        .await
    }

    /// Refreshes the stored login when its access token is about to expire.
    pub async fn refresh_if_needed(&mut self) -> anyhow::Result<()> {
        let Some(session) = &self.session else {
            return Ok(());
        };
        if session.expires_at > Utc::now() + chrono::Duration::seconds(30) {
            return Ok(());
        }
        let session = session.clone();
        let variables = ops::refresh_token::Variables {
            input: ops::refresh_token::RefreshTokenInput {
                refresh_token: session.refresh_token.clone(),
            },
        };
        let body = json!({
            "query": ops::RefreshToken::QUERY,
            "operationName": ops::RefreshToken::NAME,
            "variables": variables,
        });
        let data = self.post(body, None).await?;
        let payload: ops::refresh_token::ResponseData = serde_json::from_value(data)?;
        let result = payload.refresh_token;
        match (result.access_token, result.refresh_token, result.expires_at) {
            (Some(access_token), Some(refresh_token), Some(expires_at)) => self.keep(Session {
                access_token,
                refresh_token,
                expires_at,
                ..session
            }),
            _ => {
                self.forget()?;
                Err(Failure::Unauthenticated(format!(
                    "your login to {} has expired: run `{}`",
                    self.place(),
                    self.login_command()
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
                    "{message}: run `{}` (your login may have expired)",
                    self.login_command()
                ))
                .into(),
                "FORBIDDEN" => Failure::Forbidden(message).into(),
                "NOT_FOUND" => Failure::NotFound(message).into(),
                "BUSY" | "SERVICE_UNAVAILABLE" => Failure::Busy(format!(
                    "{message} (nothing was changed): busy, retry in a moment"
                ))
                .into(),
                _ => anyhow!("the server refused the request: {message}"),
            });
        }
        Ok(body["data"].clone())
    }
}

/// Turns a payload's `userErrors` into a failure with the right exit code.
pub fn check_user_errors(errors: &[Problem]) -> anyhow::Result<()> {
    let Some(first) = errors.first() else {
        return Ok(());
    };
    let field = first
        .field
        .as_deref()
        .map(|f| format!(" ({f})"))
        .unwrap_or_default();
    let text = format!("{}{field}", first.message);
    Err(match first.code.as_str() {
        "CONFLICT" | "NOT_PENDING" | "CONFLICTED" | "DUPLICATE" | "USERNAME_TAKEN"
        | "HAS_DEPENDENTS" => Failure::Conflict(text).into(),
        "NOT_FOUND" | "TARGET_NOT_FOUND" => Failure::NotFound(text).into(),
        "FORBIDDEN" | "SELF_REVIEW" => Failure::Forbidden(text).into(),
        "INVALID_CREDENTIALS" | "RATE_LIMITED" | "UNAUTHENTICATED" | "INVALID_REFRESH_TOKEN" => {
            Failure::Unauthenticated(text).into()
        }
        _ => anyhow!(text),
    })
}
