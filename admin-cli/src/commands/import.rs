//! `stinger-admin import …`: the same import service the server uses for its demo data.

use crate::options::ConnectOpts;
use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use stinger_api::db;
use stinger_api::service::{demo, import};

/// What to import.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import a vega-datasets movies.json file.
    #[command(
        after_help = "Example:\n  stinger-admin import vega-movies api/data/vega-movies.json"
    )]
    VegaMovies(VegaArgs),
    /// Load the demo data (vega movies and M. Butterfly); adds nothing already present.
    Demo(DemoArgs),
}

/// Arguments of `import vega-movies`.
#[derive(Debug, Args)]
pub struct VegaArgs {
    /// The movies.json file.
    file: PathBuf,
    /// Print every skipped, doubtful or repaired record.
    #[arg(long)]
    verbose: bool,
    #[command(flatten)]
    connect: ConnectOpts,
}

/// Arguments of `import demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    connect: ConnectOpts,
}

pub async fn run(command: ImportCommand) -> anyhow::Result<()> {
    match command {
        ImportCommand::VegaMovies(args) => {
            let bytes = std::fs::read(&args.file)
                .with_context(|| format!("Failed to read {}", args.file.display()))?;
            let parsed = import::vega::parse(&bytes, chrono::Utc::now().date_naive())
                .with_context(|| {
                    format!("Failed to read {} as vega movies", args.file.display())
                })?;
            let conn = connect(&args.connect).await?;
            let mut report = import::import_films(&conn, parsed.films, "vega-datasets movies.json")
                .await
                .context("Failed to import the films")?;
            report.notes = parsed.notes;
            if args.verbose {
                for note in &report.notes {
                    eprintln!(
                        "record {} {:?} {:?}: {}",
                        note.record, note.title, note.kind, note.reason
                    );
                }
            }
            println!("{report}");
        }
        ImportCommand::Demo(args) => {
            let conn = connect(&args.connect).await?;
            let report = demo::load(&conn)
                .await
                .context("Failed to load the demo data")?;
            println!("{report}");
        }
    }
    Ok(())
}

async fn connect(opts: &ConnectOpts) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let conn = db::connect(&opts.database())
        .await
        .context("Failed to connect to the database")?;
    db::migrate(&conn)
        .await
        .context("Failed to migrate the database")?;
    Ok(conn)
}
