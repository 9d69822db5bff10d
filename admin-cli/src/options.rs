//! Option groups and output helpers shared by several commands.

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::PathBuf;
use stinger_api::config::{DEFAULT_DATA_DIR, DatabaseConfig};
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
}

impl ConnectOpts {
    /// Connects to the database and applies pending migrations, as the server does on start.
    pub async fn connect(&self) -> anyhow::Result<sea_orm::DatabaseConnection> {
        let conn = db::connect(&self.database()).await.map_err(|err| {
            anyhow::anyhow!(
                "Failed to connect to {}: {:#}; check --database-url / DATABASE_URL (or --data-dir)",
                self.describe(),
                anyhow::Error::new(err)
            )
        })?;
        db::migrate(&conn)
            .await
            .context("Failed to migrate the database; run `stinger-admin migrate` to see why")?;
        Ok(conn)
    }

    /// The database named without its password, for messages.
    fn describe(&self) -> String {
        match &self.database_url {
            Some(url) => match (url.find("://"), url.rfind('@')) {
                (Some(scheme), Some(at)) if at > scheme => {
                    format!("{}://…@{}", &url[..scheme], &url[at + 1..])
                }
                _ => url.clone(),
            },
            None => format!("the embedded database in {}", self.data_dir.display()),
        }
    }
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

/// Which Stinger server remote commands talk to.
#[derive(Debug, Clone, Args)]
pub struct RemoteOpts {
    /// The server's base URL.
    #[arg(long, env = "STINGER_SERVER", default_value = DEFAULT_SERVER)]
    pub server: String,
}
