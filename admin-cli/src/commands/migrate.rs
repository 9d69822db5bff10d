//! `stinger-admin migrate`.

use crate::options::{ConnectOpts, JsonOpt};
use anyhow::Context;
use clap::Args;
use stinger_api::db;

/// Apply pending migrations (the server also does this on start unless STINGER_MIGRATE=false).
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stinger-admin migrate\n  DATABASE_URL=postgres://postgres@127.0.0.1/stinger stinger-admin migrate --json"
)]
pub struct MigrateArgs {
    #[command(flatten)]
    json: JsonOpt,
    #[command(flatten)]
    connect: ConnectOpts,
}

pub async fn run(args: MigrateArgs) -> anyhow::Result<()> {
    let conn = args.connect.open(true).await?;
    let created = db::migrate(&conn)
        .await
        .context("Failed to migrate the database")?;
    if args.json.json {
        println!("{}", serde_json::json!({ "created": created }));
    } else if created {
        println!("Created the schema in a new database");
    } else {
        println!("The schema is up to date");
    }
    Ok(())
}
