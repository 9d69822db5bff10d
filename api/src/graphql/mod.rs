//! The GraphQL layer: translates between the schema and the services, and authorises. One file
//! per domain; `schema` merges them.

pub mod account;
pub mod company;
pub mod context;
pub mod credit;
pub mod credit_scene;
pub mod documents;
pub mod edit;
pub mod enums;
pub mod error_kinds;
pub mod field_order;
pub mod film;
pub mod ids;
pub mod loaders;
pub mod names;
pub mod node;
pub mod observer;
pub mod pagination;
pub mod person;
pub mod rate_limit;
pub mod revision;
pub mod scalars;
pub mod schema;
pub mod score;
pub mod search;
pub mod trivia;
pub mod user_error;

pub use schema::{StingerSchema, build_schema};
