//! `editEvents`: the live editorial queue.

use crate::error::ApiError;
use crate::graphql::context::{db, viewer};
use crate::graphql::enums::EditStatus;
use crate::graphql::ids;
use crate::service::account;
use crate::service::events::{EditEvent, EditEventHub, Event};
use async_graphql::{Context, ID, Object, Subscription};
use entity::Role;
use futures_util::{Stream, StreamExt};
use std::sync::Arc;

/// An edit changed state.
pub struct EditEventObject(EditEvent);

#[Object(name = "EditEvent")]
impl EditEventObject {
    /// The edit's global id.
    async fn edit_id(&self) -> ID {
        ids::encode("Edit", self.0.edit_id)
    }

    /// The edit's number.
    async fn number(&self) -> i64 {
        self.0.edit_id
    }

    /// Its new state.
    async fn status(&self) -> EditStatus {
        self.0.status.into()
    }
}

/// Live updates of the editorial queue.
#[derive(Default)]
pub struct EditSubscription;

#[Subscription]
impl EditSubscription {
    /// Every change of an edit's state from now on: all edits for admins, their own for
    /// editors. Send the access token in `connection_init` as `{"Authorization": "Bearer …"}`.
    async fn edit_events(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = EditEventObject> + use<>> {
        // Subscriptions do not pass through the HTTP handler's masking: mask here.
        let masked = |err: ApiError| match err {
            ApiError::Internal(cause) => {
                tracing::error!(error = %format!("{cause:#}"), "internal error in a subscription");
                ApiError::internal(anyhow::anyhow!("Internal server error"))
            }
            other => other,
        };
        let db = db(ctx).map_err(masked)?;
        let user = account::authorize(db, viewer(ctx), entity::Role::Editor)
            .await
            .map_err(|e| masked(e.into()))?;
        let hub = ctx.data::<Arc<EditEventHub>>().map_err(|_| {
            masked(ApiError::internal(anyhow::anyhow!(
                "the schema has no edit event hub"
            )))
        })?;
        let receiver = hub.subscribe();
        let everything = user.role == Role::Admin;
        let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
            loop {
                match receiver.recv().await {
                    Ok(Event::Edit(event)) => return Some((event, receiver)),
                    // Other kinds of change are not this subscription's business.
                    Ok(_) => continue,
                    // A slow subscriber misses events rather than holding memory.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                }
            }
        })
        .filter(move |event| std::future::ready(everything || event.author_id == user.id))
        .map(EditEventObject);
        Ok(stream)
    }
}
