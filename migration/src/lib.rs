//! Stinger's schema, one migration step per file. Every step runs on SQLite and PostgreSQL and
//! has a real `down`.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_create_catalog;
mod m20261124_000002_create_accounts;
mod m20261124_000003_create_editorial;
mod m20261124_000004_create_search;
mod m20261202_000001_create_import_run;

/// Runs Stinger's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_create_catalog::Migration),
            Box::new(m20261124_000002_create_accounts::Migration),
            Box::new(m20261124_000003_create_editorial::Migration),
            Box::new(m20261124_000004_create_search::Migration),
            Box::new(m20261202_000001_create_import_run::Migration),
        ]
    }
}

/// `created_at`, `updated_at` and `version`: the columns every editable table carries.
fn editable(mut table: TableCreateStatement) -> TableCreateStatement {
    use sea_orm_migration::schema::{integer, timestamp_with_time_zone};
    table
        .col(integer(Alias::new("version")).default(1))
        .col(timestamp_with_time_zone(Alias::new("created_at")))
        .col(timestamp_with_time_zone(Alias::new("updated_at")));
    table
}

/// A named foreign key from `from_table.from_col` to `to_table.id`.
fn foreign_key(
    name: &str,
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from_table, from_col)
        .to(to_table, Alias::new("id"))
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::Cascade)
        .take()
}
