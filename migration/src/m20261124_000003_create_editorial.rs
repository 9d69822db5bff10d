//! The editorial workflow: proposed edits and the revisions that applied changes leave.

use crate::foreign_key;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AppUser {
    Table,
}

#[derive(DeriveIden)]
enum Edit {
    Table,
    Id,
    AuthorId,
    TargetType,
    TargetId,
    Operation,
    Changes,
    Reason,
    Evidence,
    Status,
    ReviewerId,
    ReviewNote,
    Conflict,
    RevisionId,
    CreatedAt,
    UpdatedAt,
    ReviewedAt,
}

#[derive(DeriveIden)]
enum Revision {
    Table,
    Id,
    TargetType,
    TargetId,
    Version,
    Diff,
    EditId,
    ActorId,
    Reason,
    SelfReviewed,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Edit::Table)
                    .col(big_pk_auto(Edit::Id))
                    .col(big_integer(Edit::AuthorId))
                    .col(string_len(Edit::TargetType, 16))
                    .col(big_integer_null(Edit::TargetId))
                    .col(string_len(Edit::Operation, 8))
                    .col(json(Edit::Changes))
                    .col(text(Edit::Reason))
                    .col(string_len_null(Edit::Evidence, 2000))
                    .col(string_len(Edit::Status, 16))
                    .col(big_integer_null(Edit::ReviewerId))
                    .col(text_null(Edit::ReviewNote))
                    .col(json_null(Edit::Conflict))
                    .col(big_integer_null(Edit::RevisionId))
                    .col(timestamp_with_time_zone(Edit::CreatedAt))
                    .col(timestamp_with_time_zone(Edit::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Edit::ReviewedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_edit_author",
                        Edit::Table,
                        Edit::AuthorId,
                        AppUser::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_edit_reviewer",
                        Edit::Table,
                        Edit::ReviewerId,
                        AppUser::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "ix_edit_status_created",
                vec![Edit::Status, Edit::CreatedAt],
            ),
            ("ix_edit_author", vec![Edit::AuthorId, Edit::CreatedAt]),
            ("ix_edit_target", vec![Edit::TargetType, Edit::TargetId]),
        ] {
            let mut index = Index::create().name(name).table(Edit::Table).to_owned();
            for col in cols {
                index.col(col);
            }
            manager.create_index(index).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Revision::Table)
                    .col(big_pk_auto(Revision::Id))
                    .col(string_len(Revision::TargetType, 16))
                    .col(big_integer(Revision::TargetId))
                    .col(integer(Revision::Version))
                    .col(json(Revision::Diff))
                    .col(big_integer_null(Revision::EditId))
                    .col(big_integer_null(Revision::ActorId))
                    .col(text(Revision::Reason))
                    .col(boolean(Revision::SelfReviewed).default(false))
                    .col(timestamp_with_time_zone(Revision::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_revision_edit",
                        Revision::Table,
                        Revision::EditId,
                        Edit::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_revision_actor",
                        Revision::Table,
                        Revision::ActorId,
                        AppUser::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_revision_target_version")
                    .table(Revision::Table)
                    .col(Revision::TargetType)
                    .col(Revision::TargetId)
                    .col(Revision::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_revision_created")
                    .table(Revision::Table)
                    .col(Revision::CreatedAt)
                    .col(Revision::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Revision::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Edit::Table).to_owned())
            .await?;
        Ok(())
    }
}
