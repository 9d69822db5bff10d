//! An in-process server on a random port, with its own database holding a chosen [`Dataset`].

use crate::db::{Dataset, Engine, TestDb};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use stinger_api::config::{Config, DatabaseConfig};
use stinger_api::startup::Application;

/// The password test accounts get.
pub const TEST_PASSWORD: &str = "correct horse battery staple";

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    pub address: SocketAddr,
    pub client: reqwest::Client,
    /// The server's own connection pool: for arranging data (fixtures, accounts) and checking it.
    pub db: sea_orm::DatabaseConnection,
    pub test_db: TestDb,
    /// SQL statements the server has run (every statement on its connection pool).
    pub statements: Arc<AtomicUsize>,
    /// The server's read caches, when on.
    pub read_cache: Option<Arc<stinger_api::cache::Caches>>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Starts a server on `engine` with a fresh database holding `dataset`.
pub async fn spawn_app(engine: Engine, dataset: Dataset) -> TestApp {
    spawn_app_with(engine, dataset, |_| {}).await
}

/// Like [`spawn_app`], letting the test adjust the configuration first. The server neither
/// migrates nor loads demo data on its own unless `adjust` asks for it: the dataset is the data.
pub async fn spawn_app_with(
    engine: Engine,
    dataset: Dataset,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    let test_db = TestDb::new(engine, dataset).await;
    let mut config = Config::from_lookup(|_| None).expect("default configuration");
    config.listen = "127.0.0.1:0".to_owned();
    config.database = DatabaseConfig {
        url: Some(test_db.url.clone()),
        data_dir: test_db.dir.path().to_owned(),
        max_connections: 5,
        timeouts: Default::default(),
    };
    config.migrate_on_start = false;
    config.demo_data = false;
    // Tests arrange data straight in the database; the read cache's tests turn it back on.
    config.operations.read_cache = false;
    adjust(&mut config);
    let mut db =
        stinger_api::db::prepare(&config.database, config.migrate_on_start, config.demo_data)
            .await
            .expect("the test database is prepared");
    let statements = Arc::new(AtomicUsize::new(0));
    let counter = statements.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let app = Application::build_with_db(config, db)
        .await
        .expect("the application starts");
    let address = app.address();
    let db = app.db().clone();
    let read_cache = app.read_cache();
    let server = tokio::spawn(app.run());
    TestApp {
        address,
        client: reqwest::Client::new(),
        db,
        test_db,
        statements,
        read_cache,
        server,
    }
}

impl TestApp {
    /// The answer cache's counters and size (zeros when it is off).
    pub fn read_cache_stats(&self) -> stinger_api::cache::stats::Snapshot {
        self.read_cache
            .as_ref()
            .map(|caches| caches.answers.stats())
            .unwrap_or_default()
    }

    /// The row cache's counters and size (zeros when it is off).
    pub fn row_cache_stats(&self) -> stinger_api::cache::stats::Snapshot {
        self.read_cache
            .as_ref()
            .map(|caches| caches.rows.stats())
            .unwrap_or_default()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// POSTs a query and returns the parsed body (whatever the status).
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.client
            .post(self.url("/graphql"))
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .expect("the server answers")
            .json()
            .await
            .expect("the body is JSON")
    }

    /// How many SQL statements the server runs to answer `query`.
    pub async fn count_statements(&self, query: &str) -> usize {
        let before = self.statements.load(Ordering::SeqCst);
        self.data(query, json!({})).await;
        self.statements.load(Ordering::SeqCst) - before
    }

    /// POSTs a query with `Authorization: Bearer <token>` and returns the parsed body.
    pub async fn graphql_as(&self, token: &str, query: &str, variables: Value) -> Value {
        self.client
            .post(self.url("/graphql"))
            .bearer_auth(token)
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .expect("the server answers")
            .json()
            .await
            .expect("the body is JSON")
    }

    /// Like [`TestApp::graphql_as`], failing the test on any error; returns `data`.
    pub async fn data_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let body = self.graphql_as(token, query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// Creates an account through the service and logs it in; returns its access token.
    pub async fn user_token(&self, username: &str, role: entity::Role) -> String {
        stinger_api::service::account::create_user(&self.db, username, TEST_PASSWORD, role)
            .await
            .expect("the account is created");
        self.login(username, TEST_PASSWORD).await["accessToken"]
            .as_str()
            .expect("login gives an access token")
            .to_owned()
    }

    /// Runs `login` and returns its payload.
    pub async fn login(&self, username: &str, password: &str) -> Value {
        let data = self
            .data(
                "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken refreshToken expiresAt user { username role } userErrors { field message code } } }",
                json!({"u": username, "p": password}),
            )
            .await;
        data["login"].clone()
    }

    /// POSTs a query and returns its `data`, failing the test on any error.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.graphql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }
}
