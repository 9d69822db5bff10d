//! SQLite has no channel between processes: a server finds the changes another process
//! committed to its file (`stinger-admin import`, or an approval or revert run by
//! `stinger-admin` itself) by looking, once every [`INTERVAL`], at the newest import run and
//! revision, and drops from its read cache what they touched. On PostgreSQL the same changes
//! arrive through `LISTEN/NOTIFY` instead (`service::events`).

use super::Caches;
use super::tags::Touched;
use entity::{TargetType, revision};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};
use std::sync::Weak;
use std::time::Duration;

/// How often the file is looked at: the bound on how long another process's change may go
/// unseen.
pub const INTERVAL: Duration = Duration::from_secs(1);

/// New revisions read one by one at most; beyond, the whole cache is dropped.
const MAX_REVISIONS: u64 = 1_000;

/// The newest import run and revision committed so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Marks {
    import_run: i64,
    revision: i64,
}

/// Watches `db` for changes committed by other processes while `cache` lives.
pub fn watch(db: DatabaseConnection, cache: Weak<Caches>) {
    tokio::spawn(async move {
        let mut seen = marks(&db).await.ok();
        let mut ticks = tokio::time::interval(INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let Some(cache) = cache.upgrade() else {
                return;
            };
            seen = match look(&db, &cache, seen).await {
                Ok(marks) => Some(marks),
                Err(err) => {
                    // What changed is unknown: nothing cached can be trusted.
                    tracing::warn!(error = %err, "the read cache could not look for changes");
                    cache.clear();
                    None
                }
            };
        }
    });
}

/// Drops what changed since `seen` (everything when `seen` is unknown); the marks now.
async fn look(
    db: &DatabaseConnection,
    cache: &Caches,
    seen: Option<Marks>,
) -> Result<Marks, DbErr> {
    let now = marks(db).await?;
    let Some(seen) = seen else {
        cache.clear();
        return Ok(now);
    };
    if now == seen {
        return Ok(now);
    }
    if now.import_run != seen.import_run {
        cache.clear();
        return Ok(now);
    }
    let changed: Vec<(TargetType, i64)> = revision::Entity::find()
        .select_only()
        .column(revision::Column::TargetType)
        .column(revision::Column::TargetId)
        .filter(revision::Column::Id.gt(seen.revision))
        .filter(revision::Column::Id.lte(now.revision))
        .order_by_asc(revision::Column::Id)
        .limit(MAX_REVISIONS + 1)
        .into_tuple()
        .all(db)
        .await?;
    if changed.len() as u64 > MAX_REVISIONS {
        cache.clear();
        return Ok(now);
    }
    for (target, id) in changed {
        // A revision names its object but not every link of a film's part: those drop all.
        cache.invalidate(&Touched::of_change(target, id));
    }
    Ok(now)
}

async fn marks(db: &DatabaseConnection) -> Result<Marks, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT (SELECT coalesce(max(id), 0) FROM import_run), \
                    (SELECT coalesce(max(id), 0) FROM revision)",
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the change marks".to_owned()))?;
    Ok(Marks {
        import_run: row.try_get_by_index(0)?,
        revision: row.try_get_by_index(1)?,
    })
}
