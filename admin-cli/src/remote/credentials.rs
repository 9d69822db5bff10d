//! The stored logins in `credentials.json` in the user's config directory
//! (`$STINGER_CONFIG_DIR`, else e.g. `~/.config/stinger`), readable by the owner only: one
//! session per server, and one per server in each named profile (`--profile`), so several
//! accounts can stay logged in side by side.

use anyhow::{Context, anyhow};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// A logged-in session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub username: String,
    pub role: String,
    pub access_token: String,
    pub refresh_token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Store {
    /// The default profile's sessions, by server.
    #[serde(default)]
    servers: BTreeMap<String, Session>,
    /// Named profiles' sessions, by profile then server.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    profiles: BTreeMap<String, BTreeMap<String, Session>>,
}

impl Store {
    /// The sessions of `profile` (`None`: the default one).
    fn sessions(&mut self, profile: Option<&str>) -> &mut BTreeMap<String, Session> {
        match profile {
            None => &mut self.servers,
            Some(name) => self.profiles.entry(name.to_owned()).or_default(),
        }
    }
}

/// The directory holding the credentials.
pub fn config_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("STINGER_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::config_dir()
        .map(|d| d.join("stinger"))
        .ok_or_else(|| anyhow!("cannot find a config directory: set STINGER_CONFIG_DIR"))
}

fn path() -> anyhow::Result<PathBuf> {
    Ok(config_dir()?.join("credentials.json"))
}

fn read() -> anyhow::Result<Store> {
    let path = path()?;
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "Failed to read {}: delete it and log in again",
                path.display()
            )
        }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Store::default()),
        Err(err) => Err(err).with_context(|| format!("Failed to read {}", path.display())),
    }
}

fn write(store: &Store) -> anyhow::Result<()> {
    let path = path()?;
    let dir = path
        .parent()
        .ok_or_else(|| anyhow!("{} has no parent directory", path.display()))?;
    std::fs::create_dir_all(dir).with_context(|| format!("Failed to create {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("Failed to make {} private", dir.display()))?;
    }
    let tmp = dir.join(".credentials.json.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(&tmp)
        .with_context(|| format!("Failed to write {}", tmp.display()))?;
    file.write_all(&serde_json::to_vec_pretty(store)?)?;
    file.sync_all()?;
    std::fs::rename(&tmp, &path).with_context(|| format!("Failed to write {}", path.display()))?;
    Ok(())
}

/// The session stored for `server` in `profile`, if any.
pub fn load(server: &str, profile: Option<&str>) -> anyhow::Result<Option<Session>> {
    Ok(read()?.sessions(profile).remove(server))
}

/// Stores the session for `server` in `profile`.
pub fn save(server: &str, profile: Option<&str>, session: &Session) -> anyhow::Result<()> {
    let mut store = read()?;
    store
        .sessions(profile)
        .insert(server.to_owned(), session.clone());
    write(&store)
}

/// Forgets the session for `server` in `profile`; true if there was one.
pub fn remove(server: &str, profile: Option<&str>) -> anyhow::Result<bool> {
    let mut store = read()?;
    let had = store.sessions(profile).remove(server).is_some();
    if let Some(name) = profile
        && store.profiles.get(name).is_some_and(BTreeMap::is_empty)
    {
        store.profiles.remove(name);
    }
    if had {
        write(&store)?;
    }
    Ok(had)
}
