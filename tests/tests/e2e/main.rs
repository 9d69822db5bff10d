//! Stinger's end-to-end tests: one binary, a module per area.

mod accounts;
mod bulk;
mod cli;
mod cli_remote;
mod client_mistakes;
mod cluster;
mod credit_scenes;
mod datasets;
mod editorial;
mod events;
mod faults;
mod graphiql;
mod http_headers;
mod import;
mod limits;
mod metrics;
mod migrations;
mod observability;
mod rate_limits;
mod read_api;
mod response_order;
mod security;
mod server_process;
mod shutdown;
mod statements;
mod websocket;
