//! The real `stinger-api` binary, started as a child process and stopped on drop.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A running `stinger-api` process.
pub struct ServerProcess {
    child: Child,
    pub base_url: String,
    /// `http://ADDRESS/metrics`, when started with `STINGER_METRICS_LISTEN`.
    pub metrics_url: Option<String>,
    /// What it wrote to stderr so far, line by line (only with [`ServerProcess::start_capturing`]).
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Path of a workspace binary (package and binary share its name) in `target/<profile>/`, beside
/// the test executable's `deps/`. `cargo test --workspace` builds it there before any test runs:
/// each binary crate has an integration test of its own (`api/tests/`, `admin-cli/tests/`), and
/// cargo builds a package's binaries for its integration tests. A narrower command (`cargo test -p
/// stinger-tests`) does not, and then this panics saying what to run; it never builds anything
/// itself (a cargo inside `cargo test` would wait on the lock of the target directory it runs in).
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is not built. `cargo test --workspace` builds it; for a narrower run build it first: \
         `cargo build --workspace --bins`, then `cargo test -p stinger-tests …`",
        path.display()
    );
    path
}

/// Runs `command` to its end with `stdin` written to its standard input, capturing stdout and
/// stderr. A process may exit before it reads its input (a usage error refused by the argument
/// parser, say): the broken pipe that leaves is not a failure of the test, the exit status tells.
pub fn run_with_stdin(command: &mut Command, stdin: &str) -> Output {
    use std::io::Write;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("{command:?} starts: {error}"));
    let mut input = child.stdin.take().expect("stdin is piped");
    match input.write_all(stdin.as_bytes()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            panic!("writing to the standard input of {command:?}: {error}")
        }
        _ => {}
    }
    drop(input);
    child.wait_with_output().expect("the process's output")
}

impl ServerProcess {
    /// Starts `stinger-api` with `env` (and port 0), waiting until it says where it listens.
    pub fn start(env: &[(&str, &str)]) -> Self {
        Self::spawn(env, false)
    }

    /// Starts `stinger-api` on a test database (its directory as the data directory, no demo
    /// data), with `extra` settings.
    pub fn on_database(db: &crate::TestDb, extra: &[(&str, &str)]) -> Self {
        let dir = db.dir.path().display().to_string();
        let mut env = vec![
            ("DATABASE_URL", db.url.as_str()),
            ("STINGER_DATA_DIR", dir.as_str()),
            ("STINGER_DEMO_DATA", "false"),
        ];
        env.extend_from_slice(extra);
        Self::start(&env)
    }

    /// Like [`ServerProcess::start`], keeping the process's stderr (its log) for
    /// [`ServerProcess::log_lines`]; each line is also echoed to the test's stderr.
    pub fn start_capturing(env: &[(&str, &str)]) -> Self {
        Self::spawn(env, true)
    }

    /// The lines the process has logged so far (empty unless started with
    /// [`ServerProcess::start_capturing`]).
    pub fn log_lines(&self) -> Vec<String> {
        self.stderr.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// POSTs a GraphQL request to `/graphql`, as `token`'s account when one is given; the JSON
    /// body of the answer, whatever its status.
    pub async fn graphql(
        &self,
        token: Option<&str>,
        query: &str,
        variables: serde_json::Value,
    ) -> serde_json::Value {
        let mut request = reqwest::Client::new()
            .post(format!("{}/graphql", self.base_url))
            .json(&serde_json::json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request
            .send()
            .await
            .expect("the server answers")
            .json()
            .await
            .expect("a JSON body")
    }

    /// Logs `username` in with [`TEST_PASSWORD`](crate::TEST_PASSWORD); the access token.
    pub async fn login(&self, username: &str) -> String {
        let body = self
            .graphql(
                None,
                "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken } }",
                serde_json::json!({ "u": username, "p": crate::TEST_PASSWORD }),
            )
            .await;
        body["data"]["login"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("no access token for {username}: {body}"))
            .to_owned()
    }

    /// The process id (to send it a signal).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `within` for the process to exit; its status, or `None` if it is still
    /// running then.
    pub fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let started = std::time::Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if started.elapsed() >= within {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn spawn(env: &[(&str, &str)], capture: bool) -> Self {
        let mut command = Command::new(binary("stinger-api"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("STINGER_LISTEN", "127.0.0.1:0")
            .env("RUST_LOG", "warn")
            // Tests arrange data straight in the database; the read cache's tests turn it on.
            .env("STINGER_READ_CACHE", "off")
            .stdout(Stdio::piped())
            .stderr(if capture {
                Stdio::piped()
            } else {
                Stdio::inherit()
            });
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("stinger-api starts");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        if let Some(pipe) = child.stderr.take() {
            let lines = stderr.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    eprintln!("stinger-api: {line}");
                    if let Ok(mut lines) = lines.lock() {
                        lines.push(line);
                    }
                }
            });
        }
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            // The metrics line, if any, comes before the listening line.
            let mut metrics_url = None;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("stinger-api metrics on ") {
                    metrics_url = Some(url.to_owned());
                }
                if let Some(url) = line.strip_prefix("stinger-api listening on ") {
                    let _ = sender.send((url.to_owned(), metrics_url.take()));
                }
            }
        });
        let (base_url, metrics_url) = match receiver.recv_timeout(Duration::from_secs(120)) {
            Ok(urls) => urls,
            Err(_) => {
                let _ = child.kill();
                panic!("stinger-api did not start listening within 120 s");
            }
        };
        Self {
            child,
            base_url,
            metrics_url,
            stderr,
        }
    }
}
