//! Charges every operation to its rate limit once validation has measured its cost (HTTP and
//! WebSocket alike: the schema runs it): anonymous operations to the client's address,
//! mutations to the account. Authenticated queries and subscriptions are not limited.
//! An operation over its limit is refused before it runs, with `RATE_LIMITED` and
//! `extensions.retryAfter` (seconds), which HTTP turns into 429 and `Retry-After`.

use super::documents::selected_operation;
use crate::auth::{ClientInfo, Viewer};
use crate::cache::tags::Recorder;
use crate::error::{code, coded_error};
use crate::rate_limit::{RateLimits, Subject, cost};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest,
    NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Request, ServerError, ServerResult, ValidationResult, Variables};
use std::sync::{Arc, Mutex};

/// The schema extension (registered in `build_schema`, outside `ErrorKinds`, so a request
/// refused for its depth or cost is not charged).
#[derive(Debug, Default)]
pub struct RateLimit;

impl ExtensionFactory for RateLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Charge::default())
    }
}

/// One operation being charged.
#[derive(Default)]
struct Charge {
    operation_name: Mutex<Option<String>>,
    is_mutation: Mutex<bool>,
}

#[async_trait::async_trait]
impl Extension for Charge {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Ok(mut name) = self.operation_name.lock() {
            name.clone_from(&request.operation_name);
        }
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let name = self.operation_name.lock().ok().and_then(|n| n.clone());
        if let Ok(mut is_mutation) = self.is_mutation.lock() {
            *is_mutation = selected_operation(&document, name.as_deref())
                .is_some_and(|operation| operation.ty == OperationType::Mutation);
        }
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let Some(limits) = ctx.data_opt::<Arc<RateLimits>>() else {
            return Ok(result);
        };
        let is_mutation = self.is_mutation.lock().map(|m| *m).unwrap_or(false);
        let subject = match ctx.data_opt::<Viewer>() {
            None => Subject::Address(ctx.data_opt::<ClientInfo>().and_then(|c| c.ip)),
            Some(viewer) if is_mutation => Subject::Account(viewer.user_id),
            Some(_) => return Ok(result),
        };
        let cost = cost(result.complexity);
        if let Some(recorder) = ctx.data_opt::<Arc<Recorder>>() {
            // A cached answer is charged what computing it cost.
            recorder.note_cost(cost);
        }
        charge(limits, subject, cost).await.map(|()| result)
    }
}

/// Charges `cost` to `subject`'s limit: the refusal to answer (`RATE_LIMITED`, with
/// `retryAfter`) when it is over. Operations the schema runs are charged by the extension; an
/// answer from the read cache is charged here directly.
pub async fn charge(
    limits: &RateLimits,
    subject: Subject,
    cost: u32,
) -> Result<(), Vec<ServerError>> {
    limits.charge(subject, cost).await.map_err(|limited| {
        crate::metrics::rate_limited(match subject {
            Subject::Address(_) => "address",
            Subject::Account(_) => "account",
        });
        let wait = limited.retry_after_secs();
        let mut error = coded_error(
            format!("too many requests: retry in {wait} s"),
            code::RATE_LIMITED,
        );
        if let Some(extensions) = error.extensions.as_mut() {
            extensions.set("retryAfter", wait);
        }
        vec![error]
    })
}
