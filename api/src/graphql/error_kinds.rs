//! The errors async-graphql raises itself get their code from the stage that raised them, not
//! from their wording, so the edge masks by code alone (`http::graphql::response::mask`):
//!
//! - parsing: `GRAPHQL_PARSE_FAILED`, or `LIMIT_EXCEEDED` when the document parses and the
//!   parse stage refused it for a limit (recursion depth, directives on a field);
//! - validation: `GRAPHQL_VALIDATION_FAILED`; the depth and cost limits are checked here, after
//!   validation, from the numbers it measured, and say both (`LIMIT_EXCEEDED`);
//! - execution: every resolver error carries a code (`ApiError` has no other way out), so an
//!   error without one is async-graphql coercing the client's input (a variable not sent, a value
//!   of the wrong type, a malformed `DateTime`, an unknown enum value): `BAD_USER_INPUT` with the
//!   parser's message. One without a path arose before any field ran (choosing the operation, a
//!   subscription sent over HTTP): `GRAPHQL_VALIDATION_FAILED`.
//!
//! The extension runs for every operation, HTTP and WebSocket alike.

use crate::config::Limits;
use crate::error::{code, coded_error, error_code, with_code};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextSubscribe,
    NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection};
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Variables};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use std::sync::Arc;

/// Request data marking a document that asks only about the schema (`__schema`, `__type`,
/// `__typename` at the root of every operation): GraphiQL's introspection query nests
/// `ofType` nine levels deep, past the depth limit meant for data queries.
pub struct IntrospectionOnly;

/// The depth an introspection-only document may reach (the standard introspection query needs 15).
const INTROSPECTION_MAX_DEPTH: usize = 20;

/// Whether every operation of `document` selects only introspection fields at its root.
pub fn is_introspection_only(document: &ExecutableDocument) -> bool {
    document.operations.iter().all(|(_, operation)| {
        operation
            .node
            .selection_set
            .node
            .items
            .iter()
            .all(|item| match &item.node {
                Selection::Field(field) => field.node.name.node.starts_with("__"),
                Selection::FragmentSpread(_) | Selection::InlineFragment(_) => false,
            })
    })
}

/// The extension factory: give it to the schema builder.
pub struct ErrorKinds {
    max_depth: usize,
    max_complexity: usize,
}

impl ErrorKinds {
    pub fn new(limits: &Limits) -> Self {
        Self {
            max_depth: limits.max_depth,
            max_complexity: limits.max_complexity,
        }
    }
}

impl ExtensionFactory for ErrorKinds {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Classify {
            max_depth: self.max_depth,
            max_complexity: self.max_complexity,
        })
    }
}

struct Classify {
    max_depth: usize,
    max_complexity: usize,
}

/// Gives an error that reached the end of an operation without a code the code of its stage.
fn classify_execution_error(error: ServerError) -> ServerError {
    if error_code(&error).is_some() {
        return error;
    }
    let code = if error.path.is_empty() {
        code::GRAPHQL_VALIDATION_FAILED
    } else {
        code::BAD_USER_INPUT
    };
    with_code(error, code)
}

fn classify_response(mut response: Response) -> Response {
    response.errors = std::mem::take(&mut response.errors)
        .into_iter()
        .map(classify_execution_error)
        .collect();
    response
}

#[async_trait::async_trait]
impl Extension for Classify {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        classify_response(next.run(ctx).await)
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        next.run(ctx, stream).map(classify_response).boxed()
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables).await.map_err(|error| {
            let code = if async_graphql::parser::parse_query(query).is_ok() {
                code::LIMIT_EXCEEDED
            } else {
                code::GRAPHQL_PARSE_FAILED
            };
            with_code(error, code)
        })
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|e| with_code(e, code::GRAPHQL_VALIDATION_FAILED))
                .collect::<Vec<_>>()
        })?;
        let max_depth = if ctx.data_opt::<IntrospectionOnly>().is_some() {
            INTROSPECTION_MAX_DEPTH.max(self.max_depth)
        } else {
            self.max_depth
        };
        if result.depth > max_depth {
            return Err(vec![coded_error(
                format!(
                    "Query is nested too deep: {} levels, the limit is {}",
                    result.depth, max_depth
                ),
                code::LIMIT_EXCEEDED,
            )]);
        }
        if result.complexity > self.max_complexity {
            return Err(vec![coded_error(
                format!(
                    "Query is too complex: it costs {}, the limit is {} (a list costs `first` × \
                     what it selects)",
                    result.complexity, self.max_complexity
                ),
                code::LIMIT_EXCEEDED,
            )]);
        }
        Ok(result)
    }
}
