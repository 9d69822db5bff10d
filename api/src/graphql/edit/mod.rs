//! The editorial workflow in GraphQL: proposing, following, withdrawing and reviewing edits.
//! Resolvers authorise and translate; `service::editorial` decides.
//!
//! One file per job: `object` (the `Edit` type), `changes` (the typed changes inputs), `inputs`
//! (the other inputs), `payload` (payloads and error mapping), and the `query`, `mutation` and
//! `subscription` roots.

mod changes;
mod inputs;
mod mutation;
mod object;
mod payload;
mod query;
mod subscription;

pub use changes::{
    CompanyChangesInput, CreditChangesInput, CreditSceneChangesInput, EditChangesInput,
    FilmChangesInput, FilmCompanyChangesInput, PersonChangesInput, ScoreChangesInput,
    TriviaChangesInput,
};
pub use inputs::{
    EditFilter, ProposeEditInput, RevertRevisionInput, ReviewEditInput, WithdrawEditInput,
};
pub use mutation::EditMutation;
pub use object::{Edit, EditChange};
pub use payload::{EditPayload, ProposeEditPayload};
pub use query::EditQuery;
pub use subscription::{EditEventObject, EditSubscription};

use super::ids;
use async_graphql::ID;

/// The number inside an edit id: a global id (`Edit:12`) or the bare number the CLI prints.
pub(super) fn edit_number(id: &ID) -> Option<i64> {
    ids::decode_kind(id, "Edit").or_else(|| id.trim_start_matches('#').parse().ok())
}
