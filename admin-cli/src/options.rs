//! Option groups and output helpers shared by several commands.

use crate::exit::Failure;
use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::PathBuf;
use stinger_api::config::{DEFAULT_DATA_DIR, DatabaseConfig, SQLITE_FILE};
use stinger_api::db;

/// Where the database is.
#[derive(Debug, Clone, Args)]
pub struct ConnectOpts {
    /// Database URL (sqlite://… or postgres://…); default: the embedded SQLite database.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// Data directory holding the embedded SQLite database.
    #[arg(long, env = "STINGER_DATA_DIR", default_value = DEFAULT_DATA_DIR)]
    pub data_dir: PathBuf,
}

impl ConnectOpts {
    /// The database configuration these options describe.
    pub fn database(&self) -> DatabaseConfig {
        DatabaseConfig {
            url: self.database_url.clone(),
            data_dir: self.data_dir.clone(),
            max_connections: 5,
            timeouts: Default::default(),
        }
    }

    /// The embedded database's file, when no URL names another database.
    fn embedded_file(&self) -> Option<PathBuf> {
        self.database_url
            .is_none()
            .then(|| self.data_dir.join(SQLITE_FILE))
    }

    /// Connects to an existing database and applies pending migrations, as the server does
    /// on start. Says which database on stderr. A missing embedded database is an error
    /// unless `create` (`--create`, or a command that obviously fills a database): a command
    /// run in the wrong folder must not start an empty database of its own.
    pub async fn connect(&self, create: bool) -> anyhow::Result<sea_orm::DatabaseConnection> {
        let conn = self.open(create).await?;
        db::migrate(&conn)
            .await
            .context("Failed to migrate the database; run `stinger-admin migrate` to see why")?;
        Ok(conn)
    }

    /// Like [`ConnectOpts::connect`], without migrating.
    pub async fn open(&self, create: bool) -> anyhow::Result<sea_orm::DatabaseConnection> {
        let database = self.database();
        let described = database.describe();
        if let Some(file) = self.embedded_file()
            && !create
            && !file.exists()
        {
            return Err(Failure::NotFound(format!(
                "there is no Stinger database at {}: run this where the server keeps its data, \
                 set --data-dir / STINGER_DATA_DIR or --database-url / DATABASE_URL, or pass \
                 --create to start a new, empty one",
                file.display()
            ))
            .into());
        }
        let created = self.embedded_file().is_some_and(|file| !file.exists());
        eprintln!(
            "{} database: {described}",
            if created { "New" } else { "Using" }
        );
        db::connect(&database).await.map_err(|err| {
            anyhow::anyhow!(
                "Failed to connect to {described}: {:#}; check --database-url / DATABASE_URL (or --data-dir)",
                anyhow::Error::new(err)
            )
        })
    }
}

/// `--create`: for commands that work on an existing database unless told otherwise.
#[derive(Debug, Clone, Copy, Args)]
pub struct CreateOpt {
    /// Create the embedded database if it does not exist yet (otherwise a missing database
    /// is an error, so a command run in the wrong folder does not start an empty one).
    #[arg(long)]
    pub create: bool,
}

/// Output as JSON instead of text.
#[derive(Debug, Clone, Copy, Args)]
pub struct JsonOpt {
    /// Print the result as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// A progress bar on stderr with rate and time left, drawn only when stderr is a terminal (hidden when piped or
/// redirected, so logs and CI output stay clean). Plain text, no colours.
pub fn progress_bar(len: Option<u64>, what: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
    let template = if len.is_some() {
        "{msg} [{wide_bar}] {human_pos}/{human_len} ({per_sec}, {eta} left)"
    } else {
        "{spinner} {msg} {pos} ({elapsed})"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar
}

/// A byte-counting progress bar with rate and time left, for reading files.
pub fn bytes_bar(len: Option<u64>, what: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
    let template = if len.is_some() {
        "{msg} [{wide_bar}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)"
    } else {
        "{spinner} {msg} {bytes} ({bytes_per_sec}, {elapsed})"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar
}

/// The default server of remote commands.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:8080";

/// Which Stinger server remote commands talk to, and as whom.
#[derive(Debug, Clone, Args)]
pub struct RemoteOpts {
    /// The server's base URL.
    #[arg(long, env = "STINGER_SERVER", default_value = DEFAULT_SERVER)]
    pub server: String,
    /// A named login, so several accounts stay logged in side by side (`login --profile
    /// review` once, then `edits list --profile review`); default: the unnamed one.
    #[arg(long, env = "STINGER_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
}
