//! Stinger's end-to-end tests: one binary, a module per area.

mod accounts;
mod editorial;
mod events;
mod import;
mod migrations;
mod server_process;
