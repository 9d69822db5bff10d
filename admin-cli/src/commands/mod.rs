//! One module per subcommand, each with its clap arguments and a `run` function.

mod edits;
mod export;
mod generate;
mod history;
mod import;
pub(crate) mod login;
mod migrate;
mod submit;
mod users;
mod watch;

use clap::Subcommand;

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in to a Stinger server (tokens are kept in your config directory).
    Login(login::LoginArgs),
    /// Log out of a Stinger server.
    Logout(login::LogoutArgs),
    /// Show who you are logged in as.
    Whoami(login::WhoamiArgs),
    /// Review and follow edits: list, show, approve, reject, withdraw.
    #[command(subcommand)]
    Edits(edits::EditsCommand),
    /// Propose an edit from flags or from a JSON or TOML file.
    Submit(submit::SubmitArgs),
    /// Show the revisions of a film, person or company.
    History(history::HistoryArgs),
    /// Undo a revision (admins).
    Revert(history::RevertArgs),
    /// Manage accounts, straight on the database.
    #[command(subcommand)]
    Users(users::UsersCommand),
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
    /// and --seed always give the same data. One bulk load in one transaction: an interrupted
    /// run (Ctrl-C) writes nothing, and running it again adds only what is missing.
    Generate(generate::GenerateArgs),
}

/// Runs a subcommand.
pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Login(args) => login::login(args).await,
        Command::Logout(args) => login::logout(args).await,
        Command::Whoami(args) => login::whoami(args).await,
        Command::Edits(command) => edits::run(command).await,
        Command::Submit(args) => submit::run(args).await,
        Command::History(args) => history::history(args).await,
        Command::Revert(args) => history::revert(args).await,
        Command::Users(command) => users::run(command).await,
        Command::Migrate(args) => migrate::run(args).await,
        Command::Import(command) => import::run(command).await,
        Command::Export(args) => export::run(args).await,
        Command::Generate(args) => generate::run(args).await,
    }
}
