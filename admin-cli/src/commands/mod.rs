//! One module per subcommand, each with its clap arguments and a `run` function.

mod export;
mod generate;
mod import;
mod migrate;

use clap::Subcommand;

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending database migrations.
    Migrate(migrate::MigrateArgs),
    /// Import films into the database.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Export every film as Stinger NDJSON.
    Export(export::ExportArgs),
    /// Generate deterministic synthetic films for benchmarks.
    Generate(generate::GenerateArgs),
}

/// Runs a subcommand.
pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Migrate(args) => migrate::run(args).await,
        Command::Import(command) => import::run(command).await,
        Command::Export(args) => export::run(args).await,
        Command::Generate(args) => generate::run(args).await,
    }
}
