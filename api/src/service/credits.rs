//! Pages of credits, cut in SQL: a film's cast or crew in billing order with each credit's
//! person, and a person's credits newest film first with each credit's film.
//!
//! A page costs what its size costs, however long the whole list is: the statement numbers each
//! owner's rows (`ROW_NUMBER() OVER (PARTITION BY owner …)`) after the keyset condition and keeps
//! the first `limit`. Many owners with the same page arguments are one statement, so the
//! DataLoaders above keep statement counts independent of row counts.

use chrono::NaiveDate;
use entity::{Department, credit, film, person};
use sea_orm::sea_query::{
    Alias, Asterisk, Cond, Expr, ExprTrait, NullOrdering, Order, Query, SelectStatement,
    SimpleExpr, WindowStatement,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, FromQueryResult, IdenStatic, Iterable, QueryResult,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Which credits of a film.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CreditScope {
    /// The cast.
    Cast,
    /// Everyone but the cast, or one crew department.
    Crew(Option<Department>),
}

impl CreditScope {
    fn condition(self) -> SimpleExpr {
        match self {
            Self::Cast => credit::Column::Department.eq(Department::Cast),
            Self::Crew(None) => credit::Column::Department.ne(Department::Cast),
            Self::Crew(Some(department)) => {
                let crew = credit::Column::Department.ne(Department::Cast);
                crew.and(credit::Column::Department.eq(department))
            }
        }
    }
}

/// Where a page of a film's credits ended: billing order (unbilled last), then id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FilmCreditCursor {
    pub billing_order: Option<i32>,
    pub id: i64,
}

impl FilmCreditCursor {
    /// The cursor of a credit in its film's list.
    pub fn of(credit: &credit::Model) -> Self {
        Self {
            billing_order: credit.billing_order,
            id: credit.id,
        }
    }

    /// Rows after this cursor, in billing order with unbilled credits last.
    fn after(self) -> Cond {
        let id = Expr::col((credit::Entity, credit::Column::Id)).gt(self.id);
        let billing = || Expr::col((credit::Entity, credit::Column::BillingOrder));
        match self.billing_order {
            Some(order) => Cond::any()
                .add(billing().gt(order))
                .add(billing().eq(order).and(id))
                .add(billing().is_null()),
            None => Cond::all().add(billing().is_null()).add(id),
        }
    }
}

/// Where a page of a person's credits ended: release date (newest first, unknown last), film
/// id, credit id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PersonCreditCursor {
    pub release_date: Option<NaiveDate>,
    pub film_id: i64,
    pub id: i64,
}

impl PersonCreditCursor {
    /// The cursor of a credit (on `film`) in its person's list.
    pub fn of(credit: &credit::Model, film: &film::Model) -> Self {
        Self {
            release_date: film.release_date,
            film_id: credit.film_id,
            id: credit.id,
        }
    }

    /// Rows after this cursor, newest film first with unknown dates last.
    fn after(self) -> Cond {
        let film_id = || Expr::col((credit::Entity, credit::Column::FilmId));
        let same_date_after = Cond::any().add(film_id().gt(self.film_id)).add(
            film_id()
                .eq(self.film_id)
                .and(Expr::col((credit::Entity, credit::Column::Id)).gt(self.id)),
        );
        let released = || Expr::col((film::Entity, film::Column::ReleaseDate));
        match self.release_date {
            Some(day) => Cond::any()
                .add(released().lt(day))
                .add(Cond::all().add(released().eq(day)).add(same_date_after))
                .add(released().is_null()),
            None => Cond::all().add(released().is_null()).add(same_date_after),
        }
    }
}

/// The rows of one page per owner: `select` numbered per `owner`, the first `limit` kept.
async fn first_per_owner(
    db: &impl ConnectionTrait,
    mut select: SelectStatement,
    owner: credit::Column,
    window: WindowStatement,
    limit: u64,
) -> Result<Vec<QueryResult>, DbErr> {
    select.expr_window_as(Expr::cust("ROW_NUMBER()"), window, Alias::new("rn"));
    let rows = Alias::new("t");
    let rank = Expr::col((rows.clone(), Alias::new("rn")));
    let page = Query::select()
        .column(Asterisk)
        .from_subquery(select, rows.clone())
        .and_where(rank.clone().lte(i64::try_from(limit).unwrap_or(i64::MAX)))
        .order_by((rows, owner), Order::Asc)
        .order_by_expr(rank, Order::Asc)
        .to_owned();
    db.query_all_raw(db.get_database_backend().build(&page))
        .await
}

/// Every column of `E`'s table, named `{prefix}{column}`.
fn prefixed<E: sea_orm::EntityTrait>(select: &mut SelectStatement, prefix: &str) {
    for column in E::Column::iter() {
        select.expr_as(
            Expr::col((E::default(), column)),
            Alias::new(format!("{prefix}{}", column.as_str())),
        );
    }
}

/// The columns of the person or film joined to a credit are named with this prefix.
const JOINED: &str = "j_";

/// One page of credits (with their people) per film: `limit` credits in `scope` after `after`.
pub async fn film_credit_pages(
    db: &impl ConnectionTrait,
    film_ids: &[i64],
    scope: CreditScope,
    after: Option<FilmCreditCursor>,
    limit: u64,
) -> Result<HashMap<i64, Vec<(credit::Model, person::Model)>>, DbErr> {
    let mut select = Query::select();
    select
        .column((credit::Entity, Asterisk))
        .from(credit::Entity)
        .inner_join(
            person::Entity,
            Expr::col((person::Entity, person::Column::Id))
                .equals((credit::Entity, credit::Column::PersonId)),
        )
        .and_where(credit::Column::FilmId.is_in(film_ids.iter().copied()))
        .and_where(scope.condition());
    prefixed::<person::Entity>(&mut select, JOINED);
    if let Some(after) = after {
        select.cond_where(after.after());
    }
    let window = WindowStatement::partition_by((credit::Entity, credit::Column::FilmId))
        .order_by_with_nulls(
            (credit::Entity, credit::Column::BillingOrder),
            Order::Asc,
            NullOrdering::Last,
        )
        .order_by((credit::Entity, credit::Column::Id), Order::Asc)
        .to_owned();
    let rows = first_per_owner(db, select, credit::Column::FilmId, window, limit).await?;
    let mut pages: HashMap<i64, Vec<_>> = HashMap::new();
    for row in rows {
        let credit = credit::Model::from_query_result(&row, "")?;
        let person = person::Model::from_query_result(&row, JOINED)?;
        pages
            .entry(credit.film_id)
            .or_default()
            .push((credit, person));
    }
    Ok(pages)
}

/// One page of credits (with their films) per person: `limit` credits after `after`, newest
/// film first, films without a release date last.
pub async fn person_credit_pages(
    db: &impl ConnectionTrait,
    person_ids: &[i64],
    after: Option<PersonCreditCursor>,
    limit: u64,
) -> Result<HashMap<i64, Vec<(credit::Model, film::Model)>>, DbErr> {
    let mut select = Query::select();
    select
        .column((credit::Entity, Asterisk))
        .from(credit::Entity)
        .inner_join(
            film::Entity,
            Expr::col((film::Entity, film::Column::Id))
                .equals((credit::Entity, credit::Column::FilmId)),
        )
        .and_where(credit::Column::PersonId.is_in(person_ids.iter().copied()));
    prefixed::<film::Entity>(&mut select, JOINED);
    if let Some(after) = after {
        select.cond_where(after.after());
    }
    let window = WindowStatement::partition_by((credit::Entity, credit::Column::PersonId))
        .order_by_with_nulls(
            (film::Entity, film::Column::ReleaseDate),
            Order::Desc,
            NullOrdering::Last,
        )
        .order_by((credit::Entity, credit::Column::FilmId), Order::Asc)
        .order_by((credit::Entity, credit::Column::Id), Order::Asc)
        .to_owned();
    let rows = first_per_owner(db, select, credit::Column::PersonId, window, limit).await?;
    let mut pages: HashMap<i64, Vec<_>> = HashMap::new();
    for row in rows {
        let credit = credit::Model::from_query_result(&row, "")?;
        let film = film::Model::from_query_result(&row, JOINED)?;
        pages
            .entry(credit.person_id)
            .or_default()
            .push((credit, film));
    }
    Ok(pages)
}

/// How many credits in `scope` each film has.
pub async fn count_film_credits(
    db: &impl ConnectionTrait,
    film_ids: &[i64],
    scope: CreditScope,
) -> Result<HashMap<i64, u64>, DbErr> {
    let select = Query::select()
        .column(credit::Column::FilmId)
        .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
        .from(credit::Entity)
        .and_where(credit::Column::FilmId.is_in(film_ids.iter().copied()))
        .and_where(scope.condition())
        .group_by_col(credit::Column::FilmId)
        .to_owned();
    counts(db, &select, credit::Column::FilmId.as_str()).await
}

/// How many credits each person has.
pub async fn count_person_credits(
    db: &impl ConnectionTrait,
    person_ids: &[i64],
) -> Result<HashMap<i64, u64>, DbErr> {
    let select = Query::select()
        .column(credit::Column::PersonId)
        .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
        .from(credit::Entity)
        .and_where(credit::Column::PersonId.is_in(person_ids.iter().copied()))
        .group_by_col(credit::Column::PersonId)
        .to_owned();
    counts(db, &select, credit::Column::PersonId.as_str()).await
}

async fn counts(
    db: &impl ConnectionTrait,
    select: &SelectStatement,
    key: &str,
) -> Result<HashMap<i64, u64>, DbErr> {
    let rows = db
        .query_all_raw(db.get_database_backend().build(select))
        .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("", key)?;
            let n: i64 = row.try_get("", "n")?;
            Ok((id, u64::try_from(n).unwrap_or(0)))
        })
        .collect()
}
