//! `stinger-api`: the Stinger GraphQL server. Configuration comes from flags and the
//! environment; `stinger-api --help` lists both.

use stinger_api::config::Config;
use stinger_api::startup::Application;
use stinger_api::telemetry;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        // `--help` and `--version` print and exit 0; a bad flag or value exits 2, like cargo.
        Err(err) => err.exit(),
    };
    telemetry::init(config.json_logs());
    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(err) => {
            tracing::error!(error = ?anyhow::Error::new(err), "stinger-api could not start");
            return std::process::ExitCode::FAILURE;
        }
    };
    // One plain line on stdout, so scripts and tests can find the bound address (port 0 works).
    if let Some(metrics) = app.metrics_address() {
        println!("stinger-api metrics on http://{metrics}/metrics");
    }
    println!("stinger-api listening on http://{}", app.address());
    match app.run_until_stopped().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "stinger-api stopped with an error");
            std::process::ExitCode::FAILURE
        }
    }
}
