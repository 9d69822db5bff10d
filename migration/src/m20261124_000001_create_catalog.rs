//! The public catalogue: films, their genres, people, companies, credits, credit scenes, scores
//! and trivia.
//!
//! Deletion rules: removing a film removes what belongs only to it (genres, credits, scenes,
//! company links, scores, trivia); a person or company still credited on a film cannot be
//! removed (RESTRICT); a scene that teases a removed film simply stops pointing at it.

use crate::{editable, foreign_key};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Film {
    Table,
    Id,
    Slug,
    Title,
    OriginalTitle,
    ReleaseDate,
    RuntimeMinutes,
    MpaaRating,
    Tagline,
    Synopsis,
    Plot,
    CreditScenesConfirmed,
}

#[derive(DeriveIden)]
enum FilmGenre {
    Table,
    FilmId,
    Genre,
    Position,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
    Slug,
    Name,
    BirthDate,
    Biography,
}

#[derive(DeriveIden)]
enum Company {
    Table,
    Id,
    Slug,
    Name,
    Country,
}

#[derive(DeriveIden)]
enum Credit {
    Table,
    Id,
    FilmId,
    PersonId,
    Department,
    Job,
    Character,
    BillingOrder,
}

#[derive(DeriveIden)]
enum CreditScene {
    Table,
    Id,
    FilmId,
    Kind,
    Position,
    StartsAtSeconds,
    LengthSeconds,
    Hint,
    Description,
    TeasesFilmId,
}

#[derive(DeriveIden)]
enum FilmCompany {
    Table,
    Id,
    FilmId,
    CompanyId,
    Role,
}

#[derive(DeriveIden)]
enum Score {
    Table,
    Id,
    FilmId,
    Source,
    Kind,
    Value,
    Scale,
    VoteCount,
    AsOf,
    SourceUrl,
}

#[derive(DeriveIden)]
enum Trivia {
    Table,
    Id,
    FilmId,
    Question,
    Answer,
    WrongChoices,
    Difficulty,
    Spoiler,
    Source,
}

fn index(name: &str, table: impl IntoIden) -> IndexCreateStatement {
    Index::create().name(name).table(table).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(editable(
                Table::create()
                    .table(Film::Table)
                    .col(big_pk_auto(Film::Id))
                    .col(string_len(Film::Slug, 200))
                    .col(string_len(Film::Title, 500))
                    .col(string_len_null(Film::OriginalTitle, 500))
                    .col(date_null(Film::ReleaseDate))
                    .col(integer_null(Film::RuntimeMinutes))
                    .col(string_len_null(Film::MpaaRating, 16))
                    .col(string_len_null(Film::Tagline, 500))
                    .col(text_null(Film::Synopsis))
                    .col(text_null(Film::Plot))
                    .col(boolean(Film::CreditScenesConfirmed).default(false))
                    .to_owned(),
            ))
            .await?;
        manager
            .create_index(
                index("uq_film_slug", Film::Table)
                    .col(Film::Slug)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ix_film_release_date", Film::Table)
                    .col(Film::ReleaseDate)
                    .col(Film::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ix_film_title", Film::Table)
                    .col(Film::Title)
                    .col(Film::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FilmGenre::Table)
                    .col(big_integer(FilmGenre::FilmId))
                    .col(string_len(FilmGenre::Genre, 64))
                    .col(integer(FilmGenre::Position))
                    .primary_key(
                        Index::create()
                            .name("pk_film_genre")
                            .col(FilmGenre::FilmId)
                            .col(FilmGenre::Genre),
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_film_genre_film",
                        FilmGenre::Table,
                        FilmGenre::FilmId,
                        Film::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ix_film_genre_genre", FilmGenre::Table)
                    .col(FilmGenre::Genre)
                    .col(FilmGenre::FilmId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(editable(
                Table::create()
                    .table(Person::Table)
                    .col(big_pk_auto(Person::Id))
                    .col(string_len(Person::Slug, 200))
                    .col(string_len(Person::Name, 300))
                    .col(date_null(Person::BirthDate))
                    .col(text_null(Person::Biography))
                    .to_owned(),
            ))
            .await?;
        manager
            .create_index(
                index("uq_person_slug", Person::Table)
                    .col(Person::Slug)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ix_person_name", Person::Table)
                    .col(Person::Name)
                    .col(Person::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(editable(
                Table::create()
                    .table(Company::Table)
                    .col(big_pk_auto(Company::Id))
                    .col(string_len(Company::Slug, 200))
                    .col(string_len(Company::Name, 300))
                    .col(string_len_null(Company::Country, 2))
                    .to_owned(),
            ))
            .await?;
        manager
            .create_index(
                index("uq_company_slug", Company::Table)
                    .col(Company::Slug)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ix_company_name", Company::Table)
                    .col(Company::Name)
                    .col(Company::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(editable(
                Table::create()
                    .table(Credit::Table)
                    .col(big_pk_auto(Credit::Id))
                    .col(big_integer(Credit::FilmId))
                    .col(big_integer(Credit::PersonId))
                    .col(string_len(Credit::Department, 24))
                    .col(string_len_null(Credit::Job, 200))
                    .col(string_len_null(Credit::Character, 300))
                    .col(integer_null(Credit::BillingOrder))
                    .foreign_key(&mut foreign_key(
                        "fk_credit_film",
                        Credit::Table,
                        Credit::FilmId,
                        Film::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_credit_person",
                        Credit::Table,
                        Credit::PersonId,
                        Person::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        manager
            .create_index(
                index("ix_credit_film", Credit::Table)
                    .col(Credit::FilmId)
                    .col(Credit::Department)
                    .col(Credit::BillingOrder)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ix_credit_person", Credit::Table)
                    .col(Credit::PersonId)
                    .col(Credit::FilmId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(editable(
                Table::create()
                    .table(CreditScene::Table)
                    .col(big_pk_auto(CreditScene::Id))
                    .col(big_integer(CreditScene::FilmId))
                    .col(string_len(CreditScene::Kind, 16))
                    .col(integer(CreditScene::Position))
                    .col(integer_null(CreditScene::StartsAtSeconds))
                    .col(integer_null(CreditScene::LengthSeconds))
                    .col(string_len_null(CreditScene::Hint, 500))
                    .col(text_null(CreditScene::Description))
                    .col(big_integer_null(CreditScene::TeasesFilmId))
                    .foreign_key(&mut foreign_key(
                        "fk_credit_scene_film",
                        CreditScene::Table,
                        CreditScene::FilmId,
                        Film::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_credit_scene_teases_film",
                        CreditScene::Table,
                        CreditScene::TeasesFilmId,
                        Film::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            ))
            .await?;
        manager
            .create_index(
                index("uq_credit_scene_film_position", CreditScene::Table)
                    .col(CreditScene::FilmId)
                    .col(CreditScene::Position)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ix_credit_scene_teases_film", CreditScene::Table)
                    .col(CreditScene::TeasesFilmId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(editable(
                Table::create()
                    .table(FilmCompany::Table)
                    .col(big_pk_auto(FilmCompany::Id))
                    .col(big_integer(FilmCompany::FilmId))
                    .col(big_integer(FilmCompany::CompanyId))
                    .col(string_len(FilmCompany::Role, 16))
                    .foreign_key(&mut foreign_key(
                        "fk_film_company_film",
                        FilmCompany::Table,
                        FilmCompany::FilmId,
                        Film::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_film_company_company",
                        FilmCompany::Table,
                        FilmCompany::CompanyId,
                        Company::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        manager
            .create_index(
                index("uq_film_company", FilmCompany::Table)
                    .col(FilmCompany::FilmId)
                    .col(FilmCompany::CompanyId)
                    .col(FilmCompany::Role)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ix_film_company_company", FilmCompany::Table)
                    .col(FilmCompany::CompanyId)
                    .col(FilmCompany::FilmId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(editable(
                Table::create()
                    .table(Score::Table)
                    .col(big_pk_auto(Score::Id))
                    .col(big_integer(Score::FilmId))
                    .col(string_len(Score::Source, 24))
                    .col(string_len(Score::Kind, 16))
                    .col(double_null(Score::Value))
                    .col(integer(Score::Scale))
                    .col(big_integer_null(Score::VoteCount))
                    .col(date_null(Score::AsOf))
                    .col(string_len_null(Score::SourceUrl, 2000))
                    .check(Expr::col(Score::Scale).is_in([10, 100]))
                    .foreign_key(&mut foreign_key(
                        "fk_score_film",
                        Score::Table,
                        Score::FilmId,
                        Film::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            ))
            .await?;
        manager
            .create_index(
                index("uq_score_film_source_kind", Score::Table)
                    .col(Score::FilmId)
                    .col(Score::Source)
                    .col(Score::Kind)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ix_score_source_value", Score::Table)
                    .col(Score::Source)
                    .col(Score::Value)
                    .col(Score::FilmId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(editable(
                Table::create()
                    .table(Trivia::Table)
                    .col(big_pk_auto(Trivia::Id))
                    .col(big_integer(Trivia::FilmId))
                    .col(text(Trivia::Question))
                    .col(text(Trivia::Answer))
                    .col(json(Trivia::WrongChoices))
                    .col(integer_null(Trivia::Difficulty))
                    .col(boolean(Trivia::Spoiler).default(false))
                    .col(string_len_null(Trivia::Source, 2000))
                    .foreign_key(&mut foreign_key(
                        "fk_trivia_film",
                        Trivia::Table,
                        Trivia::FilmId,
                        Film::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            ))
            .await?;
        manager
            .create_index(
                index("ix_trivia_film", Trivia::Table)
                    .col(Trivia::FilmId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Trivia::Table.into_iden(),
            Score::Table.into_iden(),
            FilmCompany::Table.into_iden(),
            CreditScene::Table.into_iden(),
            Credit::Table.into_iden(),
            Company::Table.into_iden(),
            Person::Table.into_iden(),
            FilmGenre::Table.into_iden(),
            Film::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
