//! `stinger-admin users …`: accounts, managed straight on the database.

use crate::commands::login::{read_new_password, read_password};
use crate::exit::Failure;
use crate::options::{ConnectOpts, CreateOpt, JsonOpt};
use crate::output;
use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use entity::Role;
use serde_json::json;
use stinger_api::auth::password::MIN_PASSWORD_BYTES;
use stinger_api::service::account::{self, AccountError};

/// Manage accounts (runs on the database: DATABASE_URL or the embedded data directory).
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create an account; the password (at least 15 bytes) is asked for twice, or read from
    /// stdin. The first admin is created this way, on the database the server uses.
    #[command(
        after_help = "Examples:\n  stinger-admin users create --username ada --role admin\n  \
        printf '%s' \"$PASSWORD\" | stinger-admin users create --username bob --role editor --password-stdin"
    )]
    Create(CreateArgs),
    /// List accounts.
    List(ListArgs),
    /// Disable an account: its tokens stop working at its next request.
    Disable(NameArgs),
    /// Enable a disabled account.
    Enable(NameArgs),
    /// Change an account's role; it must log in again.
    SetRole(SetRoleArgs),
}

/// A role, as typed on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Editor,
    Admin,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Editor => Role::Editor,
            RoleArg::Admin => Role::Admin,
        }
    }
}

/// Arguments of `users create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// 3 to 64 letters, digits, `_`, `.` or `-`; unique whatever the case.
    #[arg(long, short)]
    username: String,
    /// What the account may do.
    #[arg(long, value_enum)]
    role: RoleArg,
    /// Read the password from standard input instead of prompting.
    #[arg(long)]
    password_stdin: bool,
    #[command(flatten)]
    create: CreateOpt,
    #[command(flatten)]
    connect: ConnectOpts,
    #[command(flatten)]
    output: JsonOpt,
}

/// Arguments of `users list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    connect: ConnectOpts,
    #[command(flatten)]
    output: JsonOpt,
}

/// An account by username.
#[derive(Debug, Args)]
pub struct NameArgs {
    /// The account's username.
    username: String,
    #[command(flatten)]
    connect: ConnectOpts,
    #[command(flatten)]
    output: JsonOpt,
}

/// Arguments of `users set-role`.
#[derive(Debug, Args)]
pub struct SetRoleArgs {
    /// The account's username.
    username: String,
    /// The new role.
    #[arg(value_enum)]
    role: RoleArg,
    #[command(flatten)]
    connect: ConnectOpts,
    #[command(flatten)]
    output: JsonOpt,
}

fn describe(user: &entity::user::Model) -> serde_json::Value {
    json!({
        "id": user.id,
        "username": user.username,
        "role": user.role,
        "active": user.active,
        "createdAt": user.created_at,
    })
}

fn report(user: &entity::user::Model, output_opts: &JsonOpt, verb: &str) -> anyhow::Result<()> {
    if output_opts.json {
        output::json(&describe(user))
    } else {
        eprintln!(
            "{verb} {} ({:?}, {})",
            user.username,
            user.role,
            if user.active { "active" } else { "disabled" }
        );
        Ok(())
    }
}

async fn find(
    conn: &sea_orm::DatabaseConnection,
    username: &str,
) -> anyhow::Result<entity::user::Model> {
    account::find_by_username(conn, username)
        .await
        .context("Failed to look the account up")?
        .ok_or_else(|| {
            Failure::NotFound(format!(
                "there is no account {username:?}: see `stinger-admin users list`"
            ))
            .into()
        })
}

pub async fn run(command: UsersCommand) -> anyhow::Result<()> {
    match command {
        UsersCommand::Create(args) => {
            account::username_key(&args.username)
                .map_err(|err| Failure::Usage(format!("{:?}: {err}", args.username)))?;
            let password = if args.password_stdin {
                read_password(true, "")?
            } else {
                read_new_password(&format!(
                    "Password for {} (at least {MIN_PASSWORD_BYTES} bytes): ",
                    args.username
                ))?
            };
            account::check_password(&password).map_err(|err| Failure::Usage(err.to_string()))?;
            let conn = args.connect.connect(args.create.create).await?;
            let user = account::create_user(&conn, &args.username, &password, args.role.into())
                .await
                .map_err(|err| match err {
                    AccountError::UsernameTaken => Failure::Conflict(format!(
                        "there is already an account {:?} (usernames ignore case): pick \
                         another, or see `stinger-admin users list`",
                        args.username
                    ))
                    .into(),
                    other => anyhow::anyhow!("cannot create {:?}: {other}", args.username),
                })?;
            report(&user, &args.output, "Created")
        }
        UsersCommand::List(args) => {
            let conn = args.connect.connect(false).await?;
            let users = account::list_users(&conn)
                .await
                .context("Failed to list the accounts")?;
            if args.output.json {
                return output::json(&users.iter().map(describe).collect::<Vec<_>>());
            }
            let rows: Vec<Vec<String>> = users
                .iter()
                .map(|u| {
                    vec![
                        u.id.to_string(),
                        u.username.clone(),
                        format!("{:?}", u.role).to_uppercase(),
                        if u.active { "active" } else { "disabled" }.to_owned(),
                    ]
                })
                .collect();
            output::table(&["ID", "USERNAME", "ROLE", "STATE"], &rows);
            Ok(())
        }
        UsersCommand::Disable(args) => set_active(args, false).await,
        UsersCommand::Enable(args) => set_active(args, true).await,
        UsersCommand::SetRole(args) => {
            let conn = args.connect.connect(false).await?;
            let user = find(&conn, &args.username).await?;
            let user = account::set_role(&conn, user.id, args.role.into())
                .await
                .context("Failed to change the role")?;
            report(&user, &args.output, "Changed the role of")
        }
    }
}

async fn set_active(args: NameArgs, active: bool) -> anyhow::Result<()> {
    let conn = args.connect.connect(false).await?;
    let user = find(&conn, &args.username).await?;
    if user.active == active {
        return report(
            &user,
            &args.output,
            if active {
                "Nothing to do: already enabled:"
            } else {
                "Nothing to do: already disabled:"
            },
        );
    }
    let user = account::set_active(&conn, user.id, active)
        .await
        .context("Failed to update the account")?;
    report(
        &user,
        &args.output,
        if active { "Enabled" } else { "Disabled" },
    )
}
