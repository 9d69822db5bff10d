//! Structured logs through `tracing`, filtered by `RUST_LOG` (default `info`).
//!
//! With `STINGER_LOG_FORMAT=json` every line is one JSON object with the event's fields at the
//! top level (`timestamp`, `level`, `target`, `message`, then the fields) and the spans it was
//! logged in under `spans`, outermost first (while serving a request, the first is `request`
//! with its `request_id`). Each HTTP
//! request ends with one line at target `stinger::request` (see `http::request_log`).

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls do nothing.
pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour only on a terminal: never escape codes in a log file or a journal.
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none());
    let _ = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(true)
            .try_init()
    } else {
        builder.try_init()
    };
}
