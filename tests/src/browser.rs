//! Debian's headless Chromium driven over WebDriver (`chromedriver`), for tests of what a person
//! sees in a browser (GraphiQL). `.ci/run` installs the `chromium` and `chromium-driver` packages.

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder};
use serde_json::json;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A headless Chromium session. [`Browser::close`] ends it; the driver (and with it the
/// browser) stops on drop in any case.
pub struct Browser {
    pub client: Client,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

/// The `chromedriver` process, in a process group of its own that the browsers it starts join;
/// the whole group is killed on drop (a killed driver leaves its browser running otherwise).
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The first of `names` found on `PATH`.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

impl Browser {
    /// Starts `chromedriver` and a headless Chromium that can reach 127.0.0.1 and nothing else
    /// (every other host name fails to resolve), so a page that needs the internet fails here.
    /// `None`, with the reason printed, only when Chromium or its driver is not installed, and
    /// then a panic instead if `STINGER_REQUIRE_BROWSER` is set (`.ci/run` sets it).
    pub async fn start(test: &str) -> Option<Self> {
        let (Some(chromium), Some(chromedriver)) = (
            on_path(&["chromium", "chromium-browser", "google-chrome"]),
            on_path(&["chromedriver"]),
        ) else {
            assert!(
                std::env::var_os("STINGER_REQUIRE_BROWSER").is_none(),
                "{test}: Chromium or chromedriver is not installed, and STINGER_REQUIRE_BROWSER \
                 is set (`apt-get install chromium chromium-driver`)"
            );
            eprintln!(
                "SKIPPED {test}: Chromium or chromedriver is not installed \
                 (`apt-get install chromium chromium-driver`; `.ci/run` installs them)"
            );
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port for chromedriver")
            .port();
        let driver = Driver(
            Command::new(chromedriver)
                .arg(format!("--port={port}"))
                .process_group(0)
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("chromedriver starts"),
        );
        let profile = tempfile::tempdir().expect("a profile directory");
        let mut capabilities = Capabilities::new();
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--no-first-run",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                ],
            }),
        );
        Some(Self {
            client: connect(port, capabilities).await,
            _driver: driver,
            _profile: profile,
        })
    }

    /// Ends the session: the browser quits.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// Opens a session, waiting for the driver to listen.
async fn connect(port: u16, capabilities: Capabilities) -> Client {
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let started = Instant::now();
    loop {
        match ClientBuilder::new(connector.clone())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return client,
            Err(_) if started.elapsed() < Duration::from_secs(30) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(err) => panic!("no WebDriver session with chromedriver: {err}"),
        }
    }
}
