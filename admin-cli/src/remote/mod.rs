//! Talking to a Stinger server: typed GraphQL operations, the stored login, and the client
//! that sends them (refreshing the login when it is about to expire).

pub mod client;
pub mod credentials;
pub mod ops;

pub use client::Remote;
