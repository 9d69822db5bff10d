//! Stinger's end-to-end tests: one binary, a module per area.

mod cli;
mod import;
mod migrations;
mod server_process;
