//! The read cache: whole anonymous responses kept in process, each tagged with what it read, so
//! a write drops exactly the entries whose tags it touched (issue 13).
//!
//! `tags` names what a read touched, `key` identifies a request, `store` keeps entries within a
//! byte budget, `stats` counts what happened for the operator.

pub mod key;
pub mod stats;
pub mod store;
pub mod tags;
