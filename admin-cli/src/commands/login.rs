//! `stinger-admin login`, `logout` and `whoami`.

use crate::options::{JsonOpt, RemoteOpts};
use crate::remote::client::{check_user_errors, parse_time};
use crate::remote::credentials::{self, Session};
use crate::remote::{Remote, ops};
use anyhow::Context;
use clap::Args;
use serde_json::json;
use std::io::{BufRead, IsTerminal};

/// Log in to a Stinger server and keep the tokens for later commands.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  stinger-admin login --username ada\n  \
    printf '%s' \"$PASSWORD\" | stinger-admin login --username ada --password-stdin")]
pub struct LoginArgs {
    /// Your username.
    #[arg(long, short)]
    username: String,
    /// Read the password from standard input (for scripts) instead of prompting.
    #[arg(long)]
    password_stdin: bool,
    #[command(flatten)]
    remote: RemoteOpts,
}

/// Forget the stored login and revoke its refresh token on the server.
#[derive(Debug, Args)]
pub struct LogoutArgs {
    #[command(flatten)]
    remote: RemoteOpts,
}

/// Show who you are logged in as.
#[derive(Debug, Args)]
pub struct WhoamiArgs {
    #[command(flatten)]
    remote: RemoteOpts,
    #[command(flatten)]
    output: JsonOpt,
}

/// Reads a password: from stdin when asked (first line), else from a no-echo prompt.
pub fn read_password(from_stdin: bool, prompt: &str) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("Failed to read the password from stdin")?;
        let password = line.trim_end_matches(['\n', '\r']).to_owned();
        anyhow::ensure!(!password.is_empty(), "no password on stdin");
        return Ok(password);
    }
    anyhow::ensure!(
        std::io::stdin().is_terminal(),
        "no terminal to ask for the password: use --password-stdin"
    );
    rpassword::prompt_password(prompt).context("Failed to read the password")
}

pub async fn login(args: LoginArgs) -> anyhow::Result<()> {
    let password = read_password(args.password_stdin, "Password: ")?;
    let mut remote = Remote::new(&args.remote.server)?;
    remote.session = None;
    let data = remote
        .run::<ops::Login>(json!({"input": {"username": args.username, "password": password}}))
        .await?;
    let payload = data.login;
    check_user_errors(&serde_json::to_value(&payload.user_errors)?)?;
    let (Some(access_token), Some(refresh_token), Some(expires_at), Some(user)) = (
        payload.access_token,
        payload.refresh_token,
        payload.expires_at,
        payload.user,
    ) else {
        anyhow::bail!("the server accepted the login but sent no tokens");
    };
    let session = Session {
        username: user.username.clone(),
        role: serde_json::to_value(&user.role)?
            .as_str()
            .unwrap_or("")
            .to_owned(),
        access_token,
        refresh_token,
        expires_at: parse_time(&expires_at)?,
    };
    credentials::save(&remote.server, &session)?;
    eprintln!(
        "Logged in to {} as {} ({})",
        remote.server, session.username, session.role
    );
    Ok(())
}

pub async fn logout(args: LogoutArgs) -> anyhow::Result<()> {
    let mut remote = Remote::new(&args.remote.server)?;
    let Some(session) = remote.session.take() else {
        eprintln!("Not logged in to {}", remote.server);
        return Ok(());
    };
    let revoked = remote
        .run::<ops::Logout>(json!({"input": {"refreshToken": session.refresh_token}}))
        .await;
    credentials::remove(&remote.server)?;
    match revoked {
        Ok(_) => eprintln!("Logged out of {}", remote.server),
        Err(err) => eprintln!(
            "Forgot the login to {} (the server could not revoke it: {err:#})",
            remote.server
        ),
    }
    Ok(())
}

pub async fn whoami(args: WhoamiArgs) -> anyhow::Result<()> {
    let mut remote = Remote::new(&args.remote.server)?;
    remote.require_session()?;
    let data = remote.run::<ops::Whoami>(json!({})).await?;
    let Some(me) = data.me else {
        return Err(crate::exit::Failure::Unauthenticated(
            "the server does not know this login: run `stinger-admin login`".into(),
        )
        .into());
    };
    if args.output.json {
        return crate::output::json(&me);
    }
    let role = serde_json::to_value(&me.role)?;
    println!(
        "{} ({}) on {}",
        me.username,
        role.as_str().unwrap_or(""),
        remote.server
    );
    Ok(())
}
