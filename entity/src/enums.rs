//! Domain enums, stored as short upper-case strings so both engines read them the same way.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where in the credits a credit scene sits.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CreditSceneKind {
    /// During the credits (often after the stylised main-on-end titles).
    #[sea_orm(string_value = "MID_CREDITS")]
    MidCredits,
    /// After the last credit card.
    #[sea_orm(string_value = "POST_CREDITS")]
    PostCredits,
}

/// The department of a film credit.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Department {
    /// Actors; `character` names the role played.
    #[sea_orm(string_value = "CAST")]
    Cast,
    /// Directors.
    #[sea_orm(string_value = "DIRECTING")]
    Directing,
    /// Screenwriters and authors of the source material.
    #[sea_orm(string_value = "WRITING")]
    Writing,
    /// Producers.
    #[sea_orm(string_value = "PRODUCTION")]
    Production,
    /// Editors.
    #[sea_orm(string_value = "EDITING")]
    Editing,
    /// Cinematography.
    #[sea_orm(string_value = "CAMERA")]
    Camera,
    /// Composers and sound.
    #[sea_orm(string_value = "SOUND")]
    Sound,
    /// Production design and art direction.
    #[sea_orm(string_value = "ART")]
    Art,
    /// Costume and make-up.
    #[sea_orm(string_value = "COSTUME_AND_MAKEUP")]
    CostumeAndMakeup,
    /// Visual effects.
    #[sea_orm(string_value = "VISUAL_EFFECTS")]
    VisualEffects,
    /// Anyone else on the crew.
    #[sea_orm(string_value = "CREW")]
    Crew,
}

/// What a company did for a film.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CompanyRole {
    /// Produced the film.
    #[sea_orm(string_value = "PRODUCTION")]
    Production,
    /// Distributed the film.
    #[sea_orm(string_value = "DISTRIBUTION")]
    Distribution,
}

/// Where a score comes from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScoreSource {
    /// IMDb user rating.
    #[sea_orm(string_value = "IMDB")]
    Imdb,
    /// Metacritic (Metascore and user score).
    #[sea_orm(string_value = "METACRITIC")]
    Metacritic,
    /// Rotten Tomatoes (Tomatometer and audience score).
    #[sea_orm(string_value = "ROTTEN_TOMATOES")]
    RottenTomatoes,
    /// The Movie Database user score.
    #[sea_orm(string_value = "TMDB")]
    Tmdb,
    /// Letterboxd average rating.
    #[sea_orm(string_value = "LETTERBOXD")]
    Letterboxd,
}

/// Whose opinion a score sums up.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScoreKind {
    /// Professional critics.
    #[sea_orm(string_value = "CRITICS")]
    Critics,
    /// Users or audiences.
    #[sea_orm(string_value = "AUDIENCE")]
    Audience,
}

/// An account's role.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// Proposes edits and follows their own.
    #[sea_orm(string_value = "EDITOR")]
    Editor,
    /// Also reviews edits, manages accounts, reverts revisions.
    #[sea_orm(string_value = "ADMIN")]
    Admin,
}

/// The state of a proposed edit.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EditStatus {
    /// Waiting for review.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// Applied to public data (final).
    #[sea_orm(string_value = "APPROVED")]
    Approved,
    /// Turned down by a reviewer (final).
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
    /// Taken back by its author (final).
    #[sea_orm(string_value = "WITHDRAWN")]
    Withdrawn,
    /// A field it changes no longer holds the value its author saw.
    #[sea_orm(string_value = "CONFLICTED")]
    Conflicted,
}

/// What an edit does to its target.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EditOperation {
    /// Creates a new object.
    #[sea_orm(string_value = "CREATE")]
    Create,
    /// Changes fields of an existing object.
    #[sea_orm(string_value = "UPDATE")]
    Update,
    /// Removes an object.
    #[sea_orm(string_value = "DELETE")]
    Delete,
}

/// The kinds of object an edit or a revision can target.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TargetType {
    /// A film.
    #[sea_orm(string_value = "FILM")]
    Film,
    /// A mid- or post-credits scene.
    #[sea_orm(string_value = "CREDIT_SCENE")]
    CreditScene,
    /// A person.
    #[sea_orm(string_value = "PERSON")]
    Person,
    /// A person's credit on a film.
    #[sea_orm(string_value = "CREDIT")]
    Credit,
    /// A company.
    #[sea_orm(string_value = "COMPANY")]
    Company,
    /// A company's role on a film.
    #[sea_orm(string_value = "FILM_COMPANY")]
    FilmCompany,
    /// A score.
    #[sea_orm(string_value = "SCORE")]
    Score,
    /// A trivia item.
    #[sea_orm(string_value = "TRIVIA")]
    Trivia,
}
