//! The typed operations of `admin-cli/graphql/operations.graphql`, checked against
//! `api/schema.graphql` when the CLI is built, and the schema enums they share (defined once
//! here, so the command line takes them as values too).

#![allow(clippy::all, missing_docs)]

use clap::ValueEnum;
use graphql_client::GraphQLQuery;
use serde::{Deserialize, Serialize};

/// `DateTime` scalar: RFC 3339 time, read into UTC.
pub type DateTime = chrono::DateTime<chrono::Utc>;
/// `Date` scalar: `YYYY-MM-DD`.
pub type Date = String;
/// `JSON` scalar.
pub type JSON = serde_json::Value;

/// An operation of `operations.graphql`: its text, name, variables and typed answer.
pub trait Operation {
    const QUERY: &'static str;
    const NAME: &'static str;
    type Variables: Serialize;
    type Data: serde::de::DeserializeOwned + Serialize;
}

/// Where an edit stands in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EditStatus {
    Pending,
    Approved,
    Rejected,
    Withdrawn,
    Conflicted,
}

/// What an edit does to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EditOperation {
    Create,
    Update,
    Delete,
}

/// The kinds of object an edit can target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TargetType {
    Film,
    CreditScene,
    Person,
    Credit,
    Company,
    FilmCompany,
    Score,
    Trivia,
}

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    Editor,
    Admin,
}

/// The schema's name of a value (`PENDING`, `CREDIT_SCENE`, …), for text output.
pub fn name_of(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        Ok(other) => other.to_string(),
        Err(_) => "?".to_owned(),
    }
}

macro_rules! operation {
    ($name:ident, $module:ident) => {
        #[derive(GraphQLQuery)]
        #[graphql(
            schema_path = "../api/schema.graphql",
            query_path = "graphql/operations.graphql",
            response_derives = "Debug, Serialize, Clone",
            variables_derives = "Debug, Clone",
            extern_enums("EditStatus", "EditOperation", "TargetType", "Role")
        )]
        pub struct $name;

        impl Operation for $name {
            const QUERY: &'static str = $module::QUERY;
            const NAME: &'static str = $module::OPERATION_NAME;
            type Variables = $module::Variables;
            type Data = $module::ResponseData;
        }
    };
}

operation!(Login, login);
operation!(RefreshToken, refresh_token);
operation!(Logout, logout);
operation!(Whoami, whoami);
operation!(EditList, edit_list);
operation!(EditShow, edit_show);
operation!(ApproveEdit, approve_edit);
operation!(RejectEdit, reject_edit);
operation!(WithdrawEdit, withdraw_edit);
operation!(ProposeEdit, propose_edit);
operation!(RevertRevision, revert_revision);
operation!(TargetIds, target_ids);
operation!(History, history);
operation!(ShowFilm, show_film);
operation!(Search, search);
operation!(EditEvents, edit_events);

/// A `userError`: why the server did not do what a mutation asked.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub field: Option<String>,
    pub message: String,
    pub code: String,
}

/// Someone, by username.
#[derive(Debug, Clone, Serialize)]
pub struct UserName {
    pub username: String,
}

/// One field of an edit: what its author saw, what they propose, and what is there now
/// (`current`, when `hasCurrent`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub field: String,
    pub from: serde_json::Value,
    pub to: serde_json::Value,
    pub current: Option<serde_json::Value>,
    pub has_current: bool,
}

/// An edit as every command shows it (the `EditFields` fragment, whichever operation read it).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Edit {
    pub number: i64,
    pub status: EditStatus,
    pub operation: EditOperation,
    pub target_type: TargetType,
    pub target_id: Option<String>,
    pub target_label: Option<String>,
    pub reason: String,
    pub evidence: Option<String>,
    pub author: Option<UserName>,
    pub reviewer: Option<UserName>,
    pub review_note: Option<String>,
    pub created_at: DateTime,
    pub reviewed_at: Option<DateTime>,
    pub changes: Vec<Change>,
}

/// A mutation's answer about an edit: the edit, or why not.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EditPayload {
    pub edit: Option<Edit>,
    pub user_errors: Vec<Problem>,
}

/// Each operation module's copy of the shared fragments, turned into the one shape above.
macro_rules! shared_fragments {
    ($($module:ident),*) => {$(
        impl From<$module::Problem> for Problem {
            fn from(p: $module::Problem) -> Self {
                Problem { field: p.field, message: p.message, code: p.code }
            }
        }
    )*};
}

macro_rules! edit_fragments {
    ($($module:ident),*) => {$(
        impl From<$module::EditFields> for Edit {
            fn from(e: $module::EditFields) -> Self {
                Edit {
                    number: e.number,
                    status: e.status,
                    operation: e.operation,
                    target_type: e.target_type,
                    target_id: e.target_id,
                    target_label: e.target_label,
                    reason: e.reason,
                    evidence: e.evidence,
                    author: e.author.map(|a| UserName { username: a.username }),
                    reviewer: e.reviewer.map(|r| UserName { username: r.username }),
                    review_note: e.review_note,
                    created_at: e.created_at,
                    reviewed_at: e.reviewed_at,
                    changes: e
                        .changes
                        .into_iter()
                        .map(|c| Change {
                            field: c.field,
                            from: c.from,
                            to: c.to,
                            current: c.current,
                            has_current: c.has_current,
                        })
                        .collect(),
                }
            }
        }
    )*};
}

shared_fragments!(
    login,
    refresh_token,
    logout,
    approve_edit,
    reject_edit,
    withdraw_edit,
    propose_edit,
    revert_revision
);
edit_fragments!(
    edit_list,
    edit_show,
    approve_edit,
    reject_edit,
    withdraw_edit,
    propose_edit,
    revert_revision
);

/// The payload of an edit mutation (`approveEdit`, `proposeEdit`, …) in the shared shape.
macro_rules! edit_payloads {
    ($($module:ident :: $payload:ident . $field:ident),*) => {$(
        impl From<$module::ResponseData> for EditPayload {
            fn from(data: $module::ResponseData) -> Self {
                let payload: $module::$payload = data.$field;
                EditPayload {
                    edit: payload.edit.map(Into::into),
                    user_errors: payload
                        .user_errors
                        .into_iter()
                        .map(Into::into)
                        .collect(),
                }
            }
        }
    )*};
}

edit_payloads!(
    approve_edit::ApproveEditApproveEdit.approve_edit,
    reject_edit::RejectEditRejectEdit.reject_edit,
    withdraw_edit::WithdrawEditWithdrawEdit.withdraw_edit,
    propose_edit::ProposeEditProposeEdit.propose_edit,
    revert_revision::RevertRevisionRevertRevision.revert_revision
);
