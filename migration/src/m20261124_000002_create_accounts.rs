//! Accounts and their refresh tokens.

use crate::foreign_key;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
    Username,
    UsernameKey,
    PasswordHash,
    Role,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RefreshToken {
    Table,
    Id,
    UserId,
    TokenHash,
    FamilyId,
    ExpiresAt,
    UsedAt,
    RevokedAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AppUser::Table)
                    .col(big_pk_auto(AppUser::Id))
                    .col(string_len(AppUser::Username, 64))
                    .col(string_len(AppUser::UsernameKey, 64))
                    .col(string_len(AppUser::PasswordHash, 200))
                    .col(string_len(AppUser::Role, 16))
                    .col(boolean(AppUser::Active).default(true))
                    .col(timestamp_with_time_zone(AppUser::CreatedAt))
                    .col(timestamp_with_time_zone(AppUser::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_app_user_username_key")
                    .table(AppUser::Table)
                    .col(AppUser::UsernameKey)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RefreshToken::Table)
                    .col(big_pk_auto(RefreshToken::Id))
                    .col(big_integer(RefreshToken::UserId))
                    .col(string_len(RefreshToken::TokenHash, 64))
                    .col(string_len(RefreshToken::FamilyId, 64))
                    .col(timestamp_with_time_zone(RefreshToken::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RefreshToken::UsedAt))
                    .col(timestamp_with_time_zone_null(RefreshToken::RevokedAt))
                    .col(timestamp_with_time_zone(RefreshToken::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_refresh_token_user",
                        RefreshToken::Table,
                        RefreshToken::UserId,
                        AppUser::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_refresh_token_hash")
                    .table(RefreshToken::Table)
                    .col(RefreshToken::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_refresh_token_family")
                    .table(RefreshToken::Table)
                    .col(RefreshToken::FamilyId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_refresh_token_user")
                    .table(RefreshToken::Table)
                    .col(RefreshToken::UserId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RefreshToken::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AppUser::Table).to_owned())
            .await?;
        Ok(())
    }
}
