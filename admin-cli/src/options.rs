//! Option groups shared by several commands.

use clap::Args;
use std::path::PathBuf;
use stinger_api::config::{DEFAULT_DATA_DIR, DatabaseConfig};

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
        }
    }
}
