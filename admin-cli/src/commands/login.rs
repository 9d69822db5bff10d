//! `stinger-admin login`, `logout` and `whoami`.

use crate::exit::Failure;
use crate::options::{JsonOpt, RemoteOpts};
use crate::remote::client::check_user_errors;
use crate::remote::credentials::Session;
use crate::remote::ops::{Problem, name_of};
use crate::remote::{Remote, ops};
use anyhow::Context;
use clap::Args;
use std::io::{BufRead, IsTerminal};

/// Log in to a Stinger server and keep the tokens for later commands.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  stinger-admin login --username ada\n  \
    printf '%s' \"$PASSWORD\" | stinger-admin login --username ada --password-stdin\n  \
    stinger-admin login --username eddie --profile editor   (a second login beside the first)")]
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

/// Asks for a new password twice on the terminal (it is not shown, so a typo would go
/// unnoticed); they must match.
pub fn read_new_password(prompt: &str) -> anyhow::Result<String> {
    let password = read_password(false, prompt)?;
    let again = read_password(false, "Repeat the password: ")?;
    if password != again {
        return Err(Failure::Usage("the two passwords differ: nothing was changed".into()).into());
    }
    Ok(password)
}

pub async fn login(args: LoginArgs) -> anyhow::Result<()> {
    let password = read_password(args.password_stdin, "Password: ")?;
    let mut remote = Remote::new(&args.remote)?;
    remote.session = None;
    let variables = ops::login::Variables {
        input: ops::login::LoginInput {
            username: args.username.clone(),
            password,
        },
    };
    let payload = remote.run::<ops::Login>(variables).await?.login;
    let problems: Vec<Problem> = payload.user_errors.into_iter().map(Into::into).collect();
    if problems
        .first()
        .is_some_and(|p| p.code == "INVALID_CREDENTIALS")
    {
        return Err(Failure::Unauthenticated(format!(
            "{} has no account {:?} with that password (or the account is disabled): check \
             both; an admin sees accounts with `stinger-admin users list`",
            remote.server, args.username
        ))
        .into());
    }
    check_user_errors(&problems)?;
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
        role: name_of(&user.role),
        access_token,
        refresh_token,
        expires_at,
    };
    let (username, role) = (session.username.clone(), session.role.clone());
    remote.keep(session)?;
    eprintln!("Logged in to {} as {username} ({role})", remote.place());
    Ok(())
}

pub async fn logout(args: LogoutArgs) -> anyhow::Result<()> {
    let mut remote = Remote::new(&args.remote)?;
    let Some(session) = remote.session.take() else {
        eprintln!("Not logged in to {}", remote.place());
        return Ok(());
    };
    let variables = ops::logout::Variables {
        input: ops::logout::LogoutInput {
            refresh_token: session.refresh_token,
        },
    };
    let revoked = remote.run::<ops::Logout>(variables).await;
    remote.forget()?;
    match revoked {
        Ok(_) => eprintln!("Logged out of {}", remote.place()),
        Err(err) => eprintln!(
            "Forgot the login to {} (the server could not revoke it: {err:#})",
            remote.place()
        ),
    }
    Ok(())
}

pub async fn whoami(args: WhoamiArgs) -> anyhow::Result<()> {
    let mut remote = Remote::new(&args.remote)?;
    remote.require_session()?;
    let data = remote.run::<ops::Whoami>(ops::whoami::Variables).await?;
    let Some(me) = data.me else {
        return Err(Failure::Unauthenticated(format!(
            "the server does not know this login: run `{}`",
            remote.login_command()
        ))
        .into());
    };
    if args.output.json {
        return crate::output::json(&me);
    }
    println!(
        "{} ({}) on {}",
        me.username,
        name_of(&me.role),
        remote.place()
    );
    Ok(())
}
