//! The inputs of the editorial queries and mutations (other than the changes themselves).

use super::EditChangesInput;
use crate::graphql::enums::{EditOperation, EditStatus, TargetType};
use async_graphql::{ID, InputObject};
use chrono::{DateTime, Utc};

/// A proposed edit.
#[derive(InputObject)]
pub struct ProposeEditInput {
    /// Create, update or delete.
    pub operation: EditOperation,
    /// The object to update or delete (its global `id`); leave out for a creation.
    pub target_id: Option<ID>,
    /// The proposed values; required for create and update, left out for delete.
    pub changes: Option<EditChangesInput>,
    /// Why: required.
    pub reason: String,
    /// A source backing the edit (an http(s) URL).
    pub evidence: Option<String>,
}

/// An edit to withdraw.
#[derive(InputObject)]
pub struct WithdrawEditInput {
    /// The edit's id or number.
    pub edit_id: ID,
}

/// A review decision.
#[derive(InputObject)]
pub struct ReviewEditInput {
    /// The edit's id or number.
    pub edit_id: ID,
    /// A note for the author and the history.
    pub note: Option<String>,
}

/// A revision to undo.
#[derive(InputObject)]
pub struct RevertRevisionInput {
    /// The revision's id or number.
    pub revision_id: ID,
    /// Why: required.
    pub reason: String,
}

/// Filters for `edits`.
#[derive(InputObject, Default)]
pub struct EditFilter {
    /// Only edits in this state.
    pub status: Option<EditStatus>,
    /// Only edits of this kind of object.
    pub target_type: Option<TargetType>,
    /// Only edits by this author (admins; editors always see only their own).
    pub author: Option<ID>,
    /// Only edits by the author with this username (as `author`; not both).
    pub author_username: Option<String>,
    /// Only edits proposed at or after this time.
    pub since: Option<DateTime<Utc>>,
}
