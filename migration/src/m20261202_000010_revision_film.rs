//! `revision.film_id`: the film a revision belongs to when it changed one of the film's parts
//! (a score, credit, trivia question, credit scene or company role), so a film's history can
//! include them. Filled for existing revisions from the parts' rows, or, for parts deleted
//! since, from the `film_id` their own revisions recorded.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, JsonValue, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Revision {
    Table,
    FilmId,
    Id,
}

/// The parts of a film: their target type and table.
const PARTS: [(&str, &str); 5] = [
    ("SCORE", "score"),
    ("CREDIT", "credit"),
    ("TRIVIA", "trivia"),
    ("CREDIT_SCENE", "credit_scene"),
    ("FILM_COMPANY", "film_company"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Revision::Table)
                    .add_column(ColumnDef::new(Revision::FilmId).big_integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_revision_film")
                    .table(Revision::Table)
                    .col(Revision::FilmId)
                    .col(Revision::Id)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for (target_type, table) in PARTS {
            db.execute_unprepared(&format!(
                "UPDATE revision SET film_id = (SELECT {table}.film_id FROM {table} \
                 WHERE {table}.id = revision.target_id) \
                 WHERE target_type = '{target_type}' AND film_id IS NULL"
            ))
            .await?;
        }
        backfill_deleted_parts(db).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_revision_film")
                    .table(Revision::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Revision::Table)
                    .drop_column(Revision::FilmId)
                    .to_owned(),
            )
            .await
    }
}

/// Parts deleted since: the film id their revisions' diffs recorded (`before` on the deletion,
/// `after` on the creation).
async fn backfill_deleted_parts<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let types = PARTS
        .iter()
        .map(|(t, _)| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT target_type, target_id, diff FROM revision \
                 WHERE film_id IS NULL AND target_type IN ({types})"
            ),
        ))
        .await?;
    let mut films: std::collections::BTreeMap<(String, i64), i64> = Default::default();
    for row in rows {
        let target_type: String = row.try_get("", "target_type")?;
        let target_id: i64 = row.try_get("", "target_id")?;
        let diff: JsonValue = row.try_get("", "diff")?;
        let film = diff.get("film_id").and_then(|c| {
            c.get("before")
                .and_then(JsonValue::as_i64)
                .or_else(|| c.get("after").and_then(JsonValue::as_i64))
        });
        if let Some(film) = film {
            films.insert((target_type, target_id), film);
        }
    }
    for ((target_type, target_id), film) in films {
        db.execute_raw(Statement::from_string(
            backend,
            format!(
                "UPDATE revision SET film_id = {film} \
                 WHERE target_type = '{target_type}' AND target_id = {target_id} AND film_id IS NULL"
            ),
        ))
        .await?;
    }
    Ok(())
}
