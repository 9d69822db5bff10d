//! Why an editorial operation did not happen: the error every editorial service returns.

use crate::service::account::AccountError;
use crate::service::error::{ServiceError, code};
use entity::EditStatus;
use sea_orm::{DbErr, SqlErr};

/// Why an editorial operation did not happen. Each variant has a public `code`.
#[derive(Debug, thiserror::Error)]
pub enum EditorialError {
    /// `INVALID`: a value breaks a rule; `field` names it (snake_case column or `reason`).
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// `TARGET_NOT_FOUND`.
    #[error("the object to edit does not exist")]
    TargetNotFound,
    /// `NO_CHANGES`: every proposed value equals the current one.
    #[error("the edit changes nothing")]
    NoChanges,
    /// `NOT_FOUND`: no such edit (or not one the viewer may see).
    #[error("no such edit")]
    EditNotFound,
    /// `NOT_FOUND`: no such revision.
    #[error("no such revision")]
    RevisionNotFound,
    /// `NOT_PENDING`: the edit was already reviewed, withdrawn or conflicted.
    #[error("the edit is {0:?}, not pending: nothing was changed")]
    NotPending(EditStatus),
    /// `SELF_REVIEW`: four eyes: authors do not approve their own edits.
    #[error("you cannot approve your own edit; another admin must review it")]
    SelfReview,
    /// `HAS_DEPENDENTS`: other rows still refer to the object.
    #[error("other records still refer to this object; remove or change them first")]
    HasDependents,
    /// `DUPLICATE`: the change would break a uniqueness rule.
    #[error("another record already has these values")]
    Duplicate,
    /// Authentication or permission.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// Internal.
    #[error("database error")]
    Db(#[from] DbErr),
}

impl ServiceError for EditorialError {
    fn code(&self) -> &'static str {
        match self {
            Self::Invalid { .. } => "INVALID",
            Self::TargetNotFound => "TARGET_NOT_FOUND",
            Self::NoChanges => "NO_CHANGES",
            Self::EditNotFound | Self::RevisionNotFound => code::NOT_FOUND,
            Self::NotPending(_) => "NOT_PENDING",
            Self::SelfReview => "SELF_REVIEW",
            Self::HasDependents => "HAS_DEPENDENTS",
            Self::Duplicate => "DUPLICATE",
            Self::Account(err) => err.code(),
            Self::Db(err) => err.code(),
        }
    }

    /// The snake_case column or `reason`.
    fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl EditorialError {
    pub(super) fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// A failed write of a target row as the error its author can act on.
pub(super) fn map_write_error(err: DbErr) -> EditorialError {
    match err.sql_err() {
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => EditorialError::HasDependents,
        Some(SqlErr::UniqueConstraintViolation(_)) => EditorialError::Duplicate,
        // SQLite reports a RESTRICT action as a trigger constraint (extended code 1811), which
        // SeaORM does not classify; its message still names the foreign key.
        _ if err.to_string().contains("FOREIGN KEY constraint failed") => {
            EditorialError::HasDependents
        }
        _ => EditorialError::Db(err),
    }
}
