//! `stinger-admin migrate`.

use crate::options::ConnectOpts;
use anyhow::Context;
use clap::Args;
use stinger_api::db;

/// Apply pending migrations (the server also does this on start unless STINGER_MIGRATE=false).
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stinger-admin migrate\n  DATABASE_URL=postgres://postgres@127.0.0.1/stinger stinger-admin migrate"
)]
pub struct MigrateArgs {
    #[command(flatten)]
    connect: ConnectOpts,
}

pub async fn run(args: MigrateArgs) -> anyhow::Result<()> {
    let conn = db::connect(&args.connect.database())
        .await
        .context("Failed to connect to the database")?;
    let created = db::migrate(&conn)
        .await
        .context("Failed to migrate the database")?;
    if created {
        eprintln!("Created the schema in a new database");
    } else {
        eprintln!("The schema is up to date");
    }
    Ok(())
}
