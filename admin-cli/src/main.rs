//! `stinger-admin`: Stinger's command-line tool for admins and contributors.

mod commands;
mod exit;
mod options;
mod output;
mod remote;

use clap::Parser;
use std::process::ExitCode;

/// Stinger's command-line tool for admins and contributors.
///
/// Remote commands (login, edits, submit, show, search, history, revert) talk to a Stinger
/// server (--server or STINGER_SERVER; --profile for a second login). Local operator commands
/// (users, migrate, import, export, generate) work straight on the database (DATABASE_URL, or
/// the embedded SQLite database in STINGER_DATA_DIR, ./data by default): they say which on
/// stderr, and only migrate, import, generate and --create start a new embedded database.
#[derive(Debug, Parser)]
#[command(
    name = "stinger-admin",
    version,
    propagate_version = true,
    after_help = "Examples:\n  \
        stinger-admin users create --username ada --role admin   (beside the server's ./data)\n  \
        stinger-admin login --username ada\n  \
        stinger-admin search butterfly\n  \
        stinger-admin show film m-butterfly-1993\n  \
        stinger-admin edits list --status pending\n  \
        stinger-admin edits show 42\n  \
        stinger-admin edits approve 42 --note \"Checked\"\n  \
        stinger-admin history m-butterfly-1993\n  \
        stinger-admin export --output films.ndjson\n\n\
        Results go to stdout, progress and messages to stderr. Times show in local time;\n\
        --json prints RFC 3339.\n\
        Exit codes: 0 ok, 1 failure, 2 usage (a wrong command line or field), 3 not found\n\
        (edit, revision, film, account or database), 4 forbidden, 5 conflict (not pending,\n\
        changed since, name taken), 6 not logged in (or login expired, or wrong password),\n\
        7 server unreachable, 8 busy (the database is busy or briefly unavailable: nothing was\n\
        done, retry)."
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
            ExitCode::from(exit::code_of(&err))
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
