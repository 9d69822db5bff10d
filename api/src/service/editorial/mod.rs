//! The editorial workflow: proposing, withdrawing, reviewing edits, and reverting revisions.
//! `approve` is the only way an edit reaches public data: one transaction that claims the
//! edit, locks the target, compares every changed field with the value its author saw, and
//! either applies the change with a revision or marks the edit conflicted.
//!
//! Every function that changes an edit's state publishes it through the `Events` handle its
//! caller passes (see `service::events`): callers never announce anything themselves.
//!
//! One file per job: `fields` (the editable targets described once: every field's type,
//! limits, default and reference), `targets` (row-as-JSON snapshots, writing rows), `rules`
//! (validation derived from `fields`), `propose`, `queue` (reading edits), `review` (approve as named steps, reject,
//! withdraw), `apply` (an approved change written to its target, with its diff), `history`
//! (revisions, revert), `labels` (names people recognise for targets), and `error`.

mod apply;
mod error;
pub mod fields;
mod history;
mod labels;
mod propose;
mod queue;
mod review;
mod rules;
mod targets;

pub use error::EditorialError;
pub use fields::{MAX_LONG_TEXT_CHARS, MAX_SHORT_TEXT_CHARS, editable_fields};
pub use history::{RevisionScope, film_of_part, list_revisions, revert};
pub use labels::{LabelRequest, target_labels};
pub use propose::propose;
pub use queue::{EditFilter, can_see, list_edits, visible_edit};
pub use review::{approve, reject, withdraw};
pub use rules::{MAX_REASON_CHARS, check_reason, check_url, missing_on_create, validate};
pub use targets::current_states;

use entity::{EditOperation, TargetType, edit};
use serde_json::{Map, Value};

/// Editorial settings from the configuration.
#[derive(Debug, Clone, Copy, Default)]
pub struct EditorialSettings {
    /// Whether an author may approve their own edit (recorded on the revision).
    pub allow_self_review: bool,
}

/// A proposal as the services see it: target, operation, and the proposed value of each
/// field (snake_case column names; `genres` for a film's genres).
#[derive(Debug, Clone)]
pub struct Proposal {
    pub operation: EditOperation,
    pub target_type: TargetType,
    /// The object to update or delete; `None` for a creation.
    pub target_id: Option<i64>,
    pub fields: Map<String, Value>,
    pub reason: String,
    pub evidence: Option<String>,
}

/// What a review did.
#[derive(Debug, Clone)]
pub enum ReviewOutcome {
    /// The change is public; the edit carries its revision.
    Applied(edit::Model),
    /// Not applied: fields changed since the author saw them (stored in `edit.conflict`).
    Conflicted(edit::Model),
    /// Rejected with a note.
    Rejected(edit::Model),
}

impl ReviewOutcome {
    /// The edit after the review.
    pub fn edit(&self) -> &edit::Model {
        match self {
            Self::Applied(e) | Self::Conflicted(e) | Self::Rejected(e) => e,
        }
    }
}
