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
    ///
    /// One film per line with its credits, companies, scores, trivia and credit scenes; films in
    /// slug order and everything inside a film in a fixed order, so equal databases give equal
    /// files and `import stinger` reads it back exactly.
    Export(export::ExportArgs),
    /// Generate deterministic synthetic films for benchmarks.
    ///
    /// Films with people, companies, credits, scores, trivia and credit scenes; the same --films
    /// and --seed always give the same data. Each batch of 1,000 films is its own transaction:
    /// an interrupted run keeps the batches written, and running it again with the same seed
    /// adds only what is missing.
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
