//! SeaORM entities of Stinger and the domain enums they use.
//!
//! This crate does no I/O: it describes tables. The schema itself is created by the `migration`
//! crate; services in `stinger-api` own every query.

pub mod company;
pub mod credit;
pub mod credit_scene;
pub mod edit;
pub mod enums;
pub mod film;
pub mod film_company;
pub mod film_genre;
pub mod person;
pub mod refresh_token;
pub mod revision;
pub mod score;
pub mod search_entry;
pub mod trivia;
pub mod user;

pub use enums::*;
