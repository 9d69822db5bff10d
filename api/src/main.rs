//! `stinger-api`: the Stinger GraphQL server. Configuration comes from the environment; see
//! `stinger-api --help` or the README.

use stinger_api::config::Config;
use stinger_api::startup::Application;
use stinger_api::telemetry;

const HELP: &str = "stinger-api: the Stinger GraphQL server

Usage: stinger-api

With no configuration it keeps a SQLite database in ./data (created, migrated and filled with
demo data on first start) and serves GraphQL at http://127.0.0.1:8080/graphql.

Environment:
  DATABASE_URL                 sqlite://… or postgres://… (default: SQLite in the data directory)
  STINGER_DATA_DIR             data directory (default ./data)
  STINGER_LISTEN               listen address (default 127.0.0.1:8080)
  STINGER_JWT_SECRET           token signing secret, 32 bytes or more
  STINGER_ACCESS_TOKEN_TTL_SECS access-token lifetime in seconds (default 900)
  STINGER_ALLOW_SELF_REVIEW    let an author approve their own edit (default false)
  STINGER_MIGRATE              run migrations on start (default true)
  STINGER_DEMO_DATA            load demo data into a new database (default true)
  STINGER_LOG_FORMAT           text or json (default text); RUST_LOG filters
  STINGER_MAX_BODY_BYTES       largest request body (default 102400)
  STINGER_MAX_DEPTH            deepest query (default 12)
  STINGER_MAX_COMPLEXITY       costliest query (default 20000)
  STINGER_MAX_PAGE_SIZE        largest `first` (default 100)
  STINGER_REQUEST_TIMEOUT_MS   longest request (default 10000)
  STINGER_DB_MAX_CONNECTIONS   database pool size (default 10)
  STINGER_LOADER_DELAY_MS      how long DataLoaders collect keys before querying (default 1)

Endpoints: /graphql (POST, GET, GraphiQL in a browser), /healthz, /readyz
";

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        print!("{HELP}");
        return std::process::ExitCode::SUCCESS;
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("stinger-api: configuration error: {err}");
            return std::process::ExitCode::from(2);
        }
    };
    telemetry::init(config.json_logs);
    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(err) => {
            tracing::error!(error = ?anyhow::Error::new(err), "stinger-api could not start");
            return std::process::ExitCode::FAILURE;
        }
    };
    // One plain line on stdout, so scripts and tests can find the bound address (port 0 works).
    println!("stinger-api listening on http://{}", app.address());
    match app.run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "stinger-api stopped with an error");
            std::process::ExitCode::FAILURE
        }
    }
}
