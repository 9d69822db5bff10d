//! Stinger: the GraphQL gateway of a film-facts service.
//!
//! `config` reads the environment, `db` connects and migrates, `service` holds every rule and
//! query, `graphql` translates and authorises, `http` serves it, `startup` wires it together.

pub mod auth;
pub mod cache;
pub mod config;
pub mod db;
pub mod error;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod rate_limit;
pub mod service;
pub mod startup;
pub mod telemetry;
pub mod text;
