//! The typed operations of `admin-cli/graphql/operations.graphql`, checked against
//! `api/schema.graphql` when the CLI is built.

#![allow(clippy::all, missing_docs)]

use graphql_client::GraphQLQuery;

/// `DateTime` scalar: RFC 3339 text.
pub type DateTime = String;
/// `Date` scalar: `YYYY-MM-DD`.
pub type Date = String;
/// `JSON` scalar.
pub type JSON = serde_json::Value;

/// An operation of `operations.graphql`: its text, name and typed answer.
pub trait Operation {
    const QUERY: &'static str;
    const NAME: &'static str;
    type Data: serde::de::DeserializeOwned + serde::Serialize;
}

macro_rules! operation {
    ($name:ident, $module:ident) => {
        #[derive(GraphQLQuery)]
        #[graphql(
            schema_path = "../api/schema.graphql",
            query_path = "graphql/operations.graphql",
            response_derives = "Debug, Serialize, Clone"
        )]
        pub struct $name;

        impl Operation for $name {
            const QUERY: &'static str = $module::QUERY;
            const NAME: &'static str = $module::OPERATION_NAME;
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
operation!(EditEvents, edit_events);
