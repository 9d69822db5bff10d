//! Credit scenes answered per kind: "is there a scene during the credits?" and "after them?"
//! each get their own confirmation, replacing the one `credit_scenes_confirmed` flag.
//!
//! Today's data is kept: a film whose list of scenes was confirmed complete has both kinds
//! confirmed, so every answer (and the summary) reads as before. Pending edits of a film that
//! set the old flag are rewritten to set both kinds, so no proposed change is lost.
//! `down` folds the two back into one flag, confirmed only where both kinds were.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, JsonValue};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Film {
    Table,
    CreditScenesConfirmed,
    DuringCreditsConfirmed,
    AfterCreditsConfirmed,
}

#[derive(DeriveIden)]
enum Edit {
    Table,
    Id,
    TargetType,
    Status,
    Changes,
}

const OLD: &str = "credit_scenes_confirmed";
const DURING: &str = "during_credits_confirmed";
const AFTER: &str = "after_credits_confirmed";

/// Splits the old flag of a pending edit's changes into the two per-kind ones.
fn split_flag(changes: &mut serde_json::Map<String, JsonValue>) -> bool {
    let Some(change) = changes.remove(OLD) else {
        return false;
    };
    for field in [DURING, AFTER] {
        changes.entry(field).or_insert_with(|| change.clone());
    }
    true
}

/// Folds the per-kind flags of a pending edit's changes back into the old one (both must hold).
fn fold_flags(changes: &mut serde_json::Map<String, JsonValue>) -> bool {
    let during = changes.remove(DURING);
    let after = changes.remove(AFTER);
    let parts: Vec<JsonValue> = during.into_iter().chain(after).collect();
    if parts.is_empty() {
        return false;
    }
    let both = |side: &str| {
        parts
            .iter()
            .all(|change| change[side].as_bool().unwrap_or(false))
    };
    let folded = serde_json::json!({"from": both("from"), "to": both("to")});
    changes.insert(OLD.to_owned(), folded);
    true
}

/// Rewrites the changes of pending film edits with `rewrite`.
async fn rewrite_pending_edits(
    manager: &SchemaManager<'_>,
    rewrite: fn(&mut serde_json::Map<String, JsonValue>) -> bool,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let select = Query::select()
        .columns([Edit::Id, Edit::Changes])
        .from(Edit::Table)
        .and_where(Expr::col(Edit::Status).eq("PENDING"))
        .and_where(Expr::col(Edit::TargetType).eq("FILM"))
        .to_owned();
    for row in db.query_all(&select).await? {
        let id: i64 = row.try_get("", "id")?;
        let mut changes: JsonValue = row.try_get("", "changes")?;
        let Some(fields) = changes.as_object_mut() else {
            continue;
        };
        if rewrite(fields) {
            let update = Query::update()
                .table(Edit::Table)
                .value(Edit::Changes, changes)
                .and_where(Expr::col(Edit::Id).eq(id))
                .to_owned();
            db.execute(&update).await?;
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Film::DuringCreditsConfirmed, Film::AfterCreditsConfirmed] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Film::Table)
                        .add_column(boolean(column).default(false))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .exec_stmt(
                Query::update()
                    .table(Film::Table)
                    .value(
                        Film::DuringCreditsConfirmed,
                        Expr::col(Film::CreditScenesConfirmed),
                    )
                    .value(
                        Film::AfterCreditsConfirmed,
                        Expr::col(Film::CreditScenesConfirmed),
                    )
                    .to_owned(),
            )
            .await?;
        rewrite_pending_edits(manager, split_flag).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Film::Table)
                    .drop_column(Film::CreditScenesConfirmed)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Film::Table)
                    .add_column(boolean(Film::CreditScenesConfirmed).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(Film::Table)
                    .value(
                        Film::CreditScenesConfirmed,
                        Expr::col(Film::DuringCreditsConfirmed)
                            .and(Expr::col(Film::AfterCreditsConfirmed)),
                    )
                    .to_owned(),
            )
            .await?;
        rewrite_pending_edits(manager, fold_flags).await?;
        for column in [Film::DuringCreditsConfirmed, Film::AfterCreditsConfirmed] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Film::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_old_flag_becomes_both_kinds_and_back() {
        let mut changes =
            json!({"title": {"from": "A", "to": "B"}, OLD: {"from": false, "to": true}});
        let fields = changes.as_object_mut().unwrap();
        assert!(split_flag(fields));
        assert_eq!(
            changes,
            json!({"title": {"from": "A", "to": "B"}, DURING: {"from": false, "to": true}, AFTER: {"from": false, "to": true}})
        );
        assert!(fold_flags(changes.as_object_mut().unwrap()));
        assert_eq!(
            changes,
            json!({"title": {"from": "A", "to": "B"}, OLD: {"from": false, "to": true}})
        );
    }

    #[test]
    fn edits_without_the_flags_are_left_alone() {
        let mut changes = json!({"title": {"from": "A", "to": "B"}});
        assert!(!split_flag(changes.as_object_mut().unwrap()));
        assert!(!fold_flags(changes.as_object_mut().unwrap()));
        assert_eq!(changes, json!({"title": {"from": "A", "to": "B"}}));
    }
}
