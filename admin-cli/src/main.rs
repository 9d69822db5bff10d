//! `stinger-admin`: Stinger's command-line tool for admins and contributors.

mod commands;
mod options;

use clap::Parser;
use std::process::ExitCode;

/// Stinger's command-line tool for admins and contributors.
///
/// Local operator commands work straight on the database (DATABASE_URL, or the embedded SQLite
/// database in STINGER_DATA_DIR); no server is needed.
#[derive(Debug, Parser)]
#[command(
    name = "stinger-admin",
    version,
    propagate_version = true,
    after_help = "Examples:\n  \
        stinger-admin migrate\n  \
        stinger-admin export --output films.ndjson\n  \
        stinger-admin import stinger films.ndjson --json\n  \
        stinger-admin generate --films 10000 --seed 1\n\n\
        Results go to stdout, progress and messages to stderr. Exit codes: 0 ok, 1 failure, 2 usage."
)]
struct Cli {
    #[command(subcommand)]
    command: commands::Command,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
