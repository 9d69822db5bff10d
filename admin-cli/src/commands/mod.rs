//! One module per subcommand, each with its clap arguments and a `run` function.

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
}

/// Runs a subcommand.
pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Migrate(args) => migrate::run(args).await,
        Command::Import(command) => import::run(command).await,
    }
}
