//! Change events: what the services announce when they change something, so others can follow
//! live. Today there is one kind, an edit changing state (`subscription { editEvents }`); the
//! channel and its wire format are made for more (a read cache's "these objects changed").
//!
//! The services are the only publishers, on both engines, through the [`Events`] handle their
//! callers pass in: inside the transaction that made a change they `NOTIFY` on PostgreSQL (so
//! the event is delivered only if the change commits, and reaches every API process, including
//! changes made by the CLI); once the change has committed they broadcast to this process's
//! [`EditEventHub`], unless that hub already hears the database through `LISTEN`. Callers
//! (resolvers, CLI commands) never announce anything themselves.
//!
//! On the wire an event is a JSON object tagged with its `kind` (`{"kind": "edit", …}`). A
//! reader skips kinds it does not know, so a newer process can add kinds on the same channel
//! while older ones keep running.

use entity::EditStatus;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::sync::broadcast;

/// The PostgreSQL channel every change event travels on.
pub const CHANNEL: &str = "stinger_edit_events";
/// Events buffered per subscriber before a slow one starts missing some.
const CAPACITY: usize = 256;

/// Something the services changed, as published on [`CHANNEL`] and by [`EditEventHub`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// An edit changed state.
    Edit(EditEvent),
    /// Public data changed: read caches drop what it touched.
    Changed(crate::cache::tags::Touched),
    /// A kind this build does not know (sent by a newer process): readers skip it.
    #[serde(other)]
    Unknown,
}

impl Event {
    /// The event for an edit as it now stands.
    pub fn of_edit(edit: &entity::edit::Model) -> Self {
        Self::Edit(EditEvent::of(edit))
    }
}

/// An edit changed state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditEvent {
    /// The edit (its number).
    pub edit_id: i64,
    /// Its author: editors only see events of their own edits.
    pub author_id: i64,
    /// Its new state.
    pub status: EditStatus,
}

impl EditEvent {
    /// The event for an edit as it now stands.
    pub fn of(edit: &entity::edit::Model) -> Self {
        Self {
            edit_id: edit.id,
            author_id: edit.author_id,
            status: edit.status,
        }
    }
}

/// Where a service publishes the events of its changes: the database channel always, and this
/// process's [`EditEventHub`] when it has one. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Events {
    hub: Option<Arc<EditEventHub>>,
}

/// An event sent inside a transaction, still to broadcast in process once that commits.
#[must_use = "hand it to `Events::committed` once the change has committed"]
#[derive(Debug)]
pub struct Notified(Vec<Event>);

impl Notified {
    /// Both events, to broadcast together.
    pub fn and(mut self, other: Notified) -> Notified {
        self.0.extend(other.0);
        self
    }
}

impl Events {
    /// Through the database only, for a process with no subscribers of its own (the CLI's
    /// local commands): on PostgreSQL every API process hears it; SQLite has no such channel.
    pub fn database_only() -> Self {
        Self::default()
    }

    /// Through the database and to `hub`'s subscribers.
    pub fn with_hub(hub: Arc<EditEventHub>) -> Self {
        Self { hub: Some(hub) }
    }

    /// Sends `event` inside the transaction (or statement) that made the change: on PostgreSQL
    /// a `NOTIFY`, delivered when that commits; nothing yet on SQLite. Hand the result to
    /// [`Events::committed`] after the commit.
    pub async fn notify(&self, db: &impl ConnectionTrait, event: Event) -> Result<Notified, DbErr> {
        if db.get_database_backend() == DbBackend::Postgres {
            let payload =
                serde_json::to_string(&event).map_err(|e| DbErr::Custom(format!("event: {e}")))?;
            db.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), payload.into()],
            ))
            .await?;
        }
        Ok(Notified(vec![event]))
    }

    /// Broadcasts a notified event to this process's subscribers, now that its change has
    /// committed (unless the hub receives it through `LISTEN`).
    pub fn committed(&self, notified: Notified) {
        if let Some(hub) = &self.hub {
            // Before the caller answers, even when the event also comes back through LISTEN:
            // the writer reads its own write.
            for event in notified.0 {
                hub.drop_cached(&event);
                hub.announce(event);
            }
        }
    }

    /// Publishes the event of a change that is already committed (a single statement run
    /// outside any transaction): [`Events::notify`] then [`Events::committed`].
    pub async fn publish(&self, db: &impl ConnectionTrait, event: Event) -> Result<(), DbErr> {
        let notified = self.notify(db, event).await?;
        self.committed(notified);
        Ok(())
    }
}

/// The in-process side: subscribers of this process and where their events come from.
#[derive(Debug)]
pub struct EditEventHub {
    sender: broadcast::Sender<Event>,
    /// The process's read caches, which change events invalidate.
    cache: std::sync::OnceLock<Arc<crate::cache::Caches>>,
    /// Events arrive through `LISTEN` (PostgreSQL) rather than from [`Events::committed`].
    listening: bool,
}

impl EditEventHub {
    /// A hub fed by the services of this process only (SQLite, tests).
    pub fn local() -> Arc<Self> {
        Arc::new(Self {
            sender: broadcast::channel(CAPACITY).0,
            cache: Default::default(),
            listening: false,
        })
    }

    /// A hub for `db`: on PostgreSQL it listens on [`CHANNEL`] (the listener is connected before
    /// this returns, so no event committed afterwards is missed) and re-broadcasts.
    pub async fn start(db: &DatabaseConnection) -> Result<Arc<Self>, DbErr> {
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(Self::local());
        }
        let mut listener =
            sea_orm::sqlx::postgres::PgListener::connect_with(db.get_postgres_connection_pool())
                .await
                .map_err(|e| DbErr::Custom(format!("cannot listen for edit events: {e}")))?;
        listener
            .listen(CHANNEL)
            .await
            .map_err(|e| DbErr::Custom(format!("cannot listen for edit events: {e}")))?;
        let hub = Arc::new(Self {
            sender: broadcast::channel(CAPACITY).0,
            cache: Default::default(),
            listening: true,
        });
        // The task holds the hub weakly: when the application goes away, so does the listener.
        let weak = Arc::downgrade(&hub);
        tokio::spawn(async move {
            let mut lost = false;
            loop {
                let received = listener.recv().await;
                let Some(hub) = weak.upgrade() else {
                    break;
                };
                if lost && received.is_ok() {
                    // Reconnected: drop again what was cached while nothing was heard.
                    lost = false;
                    if let Some(cache) = hub.cache.get() {
                        cache.clear();
                    }
                }
                match received {
                    Ok(notification) => match serde_json::from_str::<Event>(notification.payload())
                    {
                        Ok(Event::Unknown) => {
                            tracing::debug!("skipped an event of a kind this build does not know");
                        }
                        Ok(event) => {
                            hub.drop_cached(&event);
                            // No subscriber is not an error.
                            drop(hub.sender.send(event));
                        }
                        Err(err) => tracing::warn!(error = %err, "unreadable change event"),
                    },
                    Err(err) => {
                        // PgListener reconnects on the next recv; don't spin meanwhile.
                        tracing::warn!(error = %err, "change event listener lost its connection");
                        // What changed meanwhile is unknown: nothing cached can be trusted.
                        lost = true;
                        if let Some(cache) = hub.cache.get() {
                            cache.clear();
                        }
                        drop(hub);
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(hub)
    }

    /// Makes change events invalidate `cache` (once, at startup).
    pub fn attach_cache(&self, cache: Arc<crate::cache::Caches>) {
        let _ = self.cache.set(cache);
    }

    /// Drops from the read caches what a change event touched.
    fn drop_cached(&self, event: &Event) {
        if let (Event::Changed(touched), Some(cache)) = (event, self.cache.get()) {
            cache.invalidate(touched);
        }
    }

    /// Broadcasts an event in process, unless events already arrive through the database.
    fn announce(&self, event: Event) {
        if !self.listening {
            // No subscriber is not an error.
            let _ = self.sender.send(event);
        }
    }

    /// A receiver of every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pending(edit_id: i64) -> Event {
        Event::Edit(EditEvent {
            edit_id,
            author_id: 7,
            status: EditStatus::Pending,
        })
    }

    #[test]
    fn an_event_travels_as_json_tagged_with_its_kind() {
        let wire = serde_json::to_value(pending(3)).unwrap();
        assert_eq!(
            wire,
            json!({"kind": "edit", "edit_id": 3, "author_id": 7, "status": "PENDING"})
        );
        assert_eq!(serde_json::from_value::<Event>(wire).unwrap(), pending(3));
    }

    #[test]
    fn an_event_of_an_unknown_kind_reads_as_unknown() {
        let newer = json!({"kind": "objects_changed", "targets": [["Film", 1]]});
        assert_eq!(
            serde_json::from_value::<Event>(newer).unwrap(),
            Event::Unknown
        );
    }

    #[tokio::test]
    async fn a_local_hub_hears_what_its_services_publish_once_committed() {
        let hub = EditEventHub::local();
        let mut receiver = hub.subscribe();
        let events = Events::with_hub(hub.clone());
        let db = sea_orm::Database::connect("sqlite::memory:").await.unwrap();

        let notified = events.notify(&db, pending(1)).await.unwrap();
        assert!(receiver.try_recv().is_err(), "nothing before the commit");
        events.committed(notified);
        events.publish(&db, pending(2)).await.unwrap();

        assert_eq!(receiver.try_recv().unwrap(), pending(1));
        assert_eq!(receiver.try_recv().unwrap(), pending(2));
    }
}
