//! Services: plain async functions over a connection. They own every query and transaction;
//! the GraphQL layer and the CLI call them and decide nothing themselves.

pub mod account;
pub mod catalog;
pub mod credits;
pub mod demo;
pub mod editorial;
pub mod events;
pub mod export;
pub mod generate;
pub mod import;
pub mod listing;
pub mod revision;
pub mod search;
