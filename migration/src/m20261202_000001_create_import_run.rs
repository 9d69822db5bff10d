//! One row per bulk import: what was imported, from where, and what it added. The revisions
//! an import writes (one per film, person and company it creates) name it in their reason.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ImportRun {
    Table,
    Id,
    Source,
    FilmsAdded,
    FilmsUnchanged,
    PeopleAdded,
    CompaniesAdded,
    RowsAdded,
    RevisionsWritten,
    StartedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ImportRun::Table)
                    .col(big_pk_auto(ImportRun::Id))
                    .col(text(ImportRun::Source))
                    .col(big_integer(ImportRun::FilmsAdded).default(0))
                    .col(big_integer(ImportRun::FilmsUnchanged).default(0))
                    .col(big_integer(ImportRun::PeopleAdded).default(0))
                    .col(big_integer(ImportRun::CompaniesAdded).default(0))
                    .col(big_integer(ImportRun::RowsAdded).default(0))
                    .col(big_integer(ImportRun::RevisionsWritten).default(0))
                    .col(timestamp_with_time_zone(ImportRun::StartedAt))
                    .col(timestamp_with_time_zone_null(ImportRun::FinishedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ImportRun::Table).to_owned())
            .await
    }
}
