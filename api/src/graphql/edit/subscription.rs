//! `editEvents`: the live editorial queue.

use crate::auth::Viewer;
use crate::error::ApiError;
use crate::graphql::context::{db, viewer};
use crate::graphql::enums::EditStatus;
use crate::graphql::ids;
use crate::service::events::{EditEvent, EditEventHub, Event};
use crate::service::{account, editorial};
use async_graphql::{Context, ID, Object, Subscription};
use entity::Role;
use futures_util::Stream;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

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

/// What an `editEvents` stream carries between events.
struct Listener {
    receiver: tokio::sync::broadcast::Receiver<Event>,
    db: DatabaseConnection,
    viewer: Option<Viewer>,
    /// The account stopped passing the check: the stream ends after saying so.
    ended: bool,
}

impl Listener {
    /// The next event the viewer may see. The account is re-loaded for every event, so a
    /// disabled or demoted account stops receiving at once (and the stream ends with the
    /// error), whatever its token still says.
    async fn next(mut self) -> Option<(async_graphql::Result<EditEventObject>, Self)> {
        if self.ended {
            return None;
        }
        loop {
            let event = match self.receiver.recv().await {
                Ok(Event::Edit(event)) => event,
                // Other kinds of change are not this subscription's business.
                Ok(_) => continue,
                // A slow subscriber misses events rather than holding memory.
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return None,
            };
            match account::authorize(&self.db, self.viewer.as_ref(), Role::Editor).await {
                Ok(account) if editorial::can_see(&account, event.author_id) => {
                    return Some((Ok(EditEventObject(event)), self));
                }
                Ok(_) => continue,
                Err(err) => {
                    self.ended = true;
                    return Some((Err(ApiError::from(err).into()), self));
                }
            }
        }
    }
}

#[Subscription]
impl EditSubscription {
    /// Every change of an edit's state from now on: all edits for admins, their own for
    /// editors. Send the access token in `connection_init` as `{"Authorization": "Bearer …"}`.
    async fn edit_events(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<EditEventObject>> + use<>>
    {
        let db = db(ctx)?.clone();
        let viewer = viewer(ctx).copied();
        account::authorize(&db, viewer.as_ref(), Role::Editor)
            .await
            .map_err(ApiError::from)?;
        let hub = ctx
            .data::<Arc<EditEventHub>>()
            .map_err(|_| ApiError::internal(anyhow::anyhow!("the schema has no edit event hub")))?;
        let listener = Listener {
            receiver: hub.subscribe(),
            db,
            viewer,
            ended: false,
        };
        Ok(futures_util::stream::unfold(listener, Listener::next))
    }
}
