//! The search index and each engine's full-text index over it: an FTS5 table (external content,
//! kept in step by triggers) on SQLite, a GIN `tsvector` index on PostgreSQL.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SearchEntry {
    Table,
    Id,
    TargetType,
    TargetId,
    Name,
    Folded,
    Weight,
}

const SQLITE_UP: [&str; 4] = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(
        folded, content = 'search_entry', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
    )",
    "CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN
        INSERT INTO search_fts (rowid, folded) VALUES (new.id, new.folded);
    END",
    "CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN
        INSERT INTO search_fts (search_fts, rowid, folded) VALUES ('delete', old.id, old.folded);
    END",
    "CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entry BEGIN
        INSERT INTO search_fts (search_fts, rowid, folded) VALUES ('delete', old.id, old.folded);
        INSERT INTO search_fts (rowid, folded) VALUES (new.id, new.folded);
    END",
];

const SQLITE_DOWN: [&str; 4] = [
    "DROP TRIGGER IF EXISTS search_entry_au",
    "DROP TRIGGER IF EXISTS search_entry_ad",
    "DROP TRIGGER IF EXISTS search_entry_ai",
    "DROP TABLE IF EXISTS search_fts",
];

const POSTGRES_UP: &str =
    "CREATE INDEX ix_search_entry_fts ON search_entry USING GIN (to_tsvector('simple', folded))";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SearchEntry::Table)
                    .col(big_pk_auto(SearchEntry::Id))
                    .col(string_len(SearchEntry::TargetType, 16))
                    .col(big_integer(SearchEntry::TargetId))
                    .col(string_len(SearchEntry::Name, 500))
                    .col(string_len(SearchEntry::Folded, 500))
                    .col(big_integer(SearchEntry::Weight).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_search_entry_target")
                    .table(SearchEntry::Table)
                    .col(SearchEntry::TargetType)
                    .col(SearchEntry::TargetId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_search_entry_folded")
                    .table(SearchEntry::Table)
                    .col(SearchEntry::Folded)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                for statement in SQLITE_UP {
                    db.execute_unprepared(statement).await?;
                }
            }
            DbBackend::Postgres => {
                db.execute_unprepared(POSTGRES_UP).await?;
            }
            _ => {}
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            for statement in SQLITE_DOWN {
                manager
                    .get_connection()
                    .execute_unprepared(statement)
                    .await?;
            }
        }
        manager
            .drop_table(Table::drop().table(SearchEntry::Table).to_owned())
            .await?;
        Ok(())
    }
}
