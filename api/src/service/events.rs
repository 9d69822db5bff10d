//! Edit events: every change of an edit's state is announced, so reviewers and authors can
//! follow the queue live (`subscription { editEvents }`).
//!
//! On PostgreSQL the services `NOTIFY` inside the transaction that made the change (so an
//! event is delivered only if the change commits, and reaches every API process, including
//! changes made by the CLI); each API process `LISTEN`s and re-broadcasts in process. On
//! SQLite (one embedded process) the GraphQL layer broadcasts in process after the change.

use entity::EditStatus;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::sync::broadcast;

/// The PostgreSQL channel edit events travel on.
pub const CHANNEL: &str = "stinger_edit_events";
/// Events buffered per subscriber before a slow one starts missing some.
const CAPACITY: usize = 256;

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

/// Announces `event` through the database when it can carry it (PostgreSQL `NOTIFY`, sent
/// when the surrounding transaction commits); does nothing on SQLite.
pub async fn notify(db: &impl ConnectionTrait, event: &EditEvent) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let payload = serde_json::to_string(event).map_err(|e| DbErr::Custom(format!("event: {e}")))?;
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [CHANNEL.into(), payload.into()],
    ))
    .await?;
    Ok(())
}

/// The in-process side: subscribers of this process and where their events come from.
#[derive(Debug)]
pub struct EditEventHub {
    sender: broadcast::Sender<EditEvent>,
    /// Events arrive through `LISTEN` (PostgreSQL) rather than from [`EditEventHub::announce`].
    listening: bool,
}

impl EditEventHub {
    /// A hub fed by [`EditEventHub::announce`] only (SQLite, tests).
    pub fn local() -> Arc<Self> {
        Arc::new(Self {
            sender: broadcast::channel(CAPACITY).0,
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
            listening: true,
        });
        // The task holds the hub weakly: when the application goes away, so does the listener.
        let weak = Arc::downgrade(&hub);
        tokio::spawn(async move {
            loop {
                let received = listener.recv().await;
                let Some(hub) = weak.upgrade() else {
                    break;
                };
                match received {
                    Ok(notification) => {
                        match serde_json::from_str::<EditEvent>(notification.payload()) {
                            // No subscriber is not an error.
                            Ok(event) => drop(hub.sender.send(event)),
                            Err(err) => tracing::warn!(error = %err, "unreadable edit event"),
                        }
                    }
                    Err(err) => {
                        // PgListener reconnects on the next recv; don't spin meanwhile.
                        tracing::warn!(error = %err, "edit event listener lost its connection");
                        drop(hub);
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(hub)
    }

    /// Broadcasts an event in process, unless events already arrive through the database.
    pub fn announce(&self, event: EditEvent) {
        if !self.listening {
            let _ = self.sender.send(event);
        }
    }

    /// A receiver of every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<EditEvent> {
        self.sender.subscribe()
    }
}
