//! Reads of the public catalogue. Batch functions take many keys and run one `IN (…)` query,
//! so the GraphQL DataLoaders can keep the statement count independent of row counts.

use entity::{
    company, credit, credit_scene, film, film_company, film_genre, person, score, trivia,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use std::hash::Hash;

/// A film by slug.
pub async fn film_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<film::Model>, DbErr> {
    film::Entity::find()
        .filter(film::Column::Slug.eq(slug))
        .one(db)
        .await
}

/// A person by slug.
pub async fn person_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<person::Model>, DbErr> {
    person::Entity::find()
        .filter(person::Column::Slug.eq(slug))
        .one(db)
        .await
}

/// A company by slug.
pub async fn company_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<company::Model>, DbErr> {
    company::Entity::find()
        .filter(company::Column::Slug.eq(slug))
        .one(db)
        .await
}

/// Groups rows by a key, keeping their order.
fn group<K: Eq + Hash, V>(rows: Vec<V>, key: impl Fn(&V) -> K) -> HashMap<K, Vec<V>> {
    let mut groups: HashMap<K, Vec<V>> = HashMap::new();
    for row in rows {
        groups.entry(key(&row)).or_default().push(row);
    }
    groups
}

/// Genres of films, in their given order.
pub async fn genres_by_films(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<String>>, DbErr> {
    let rows = film_genre::Entity::find()
        .filter(film_genre::Column::FilmId.is_in(ids.iter().copied()))
        .order_by_asc(film_genre::Column::FilmId)
        .order_by_asc(film_genre::Column::Position)
        .all(db)
        .await?;
    Ok(group(rows, |g| g.film_id)
        .into_iter()
        .map(|(k, v)| (k, v.into_iter().map(|g| g.genre).collect()))
        .collect())
}

/// Credit scenes of films, in credits order.
pub async fn scenes_by_films(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<credit_scene::Model>>, DbErr> {
    let rows = credit_scene::Entity::find()
        .filter(credit_scene::Column::FilmId.is_in(ids.iter().copied()))
        .order_by_asc(credit_scene::Column::Position)
        .all(db)
        .await?;
    Ok(group(rows, |s| s.film_id))
}

/// Scores of films, by source and kind.
pub async fn scores_by_films(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<score::Model>>, DbErr> {
    let rows = score::Entity::find()
        .filter(score::Column::FilmId.is_in(ids.iter().copied()))
        .order_by_asc(score::Column::Source)
        .order_by_asc(score::Column::Kind)
        .all(db)
        .await?;
    Ok(group(rows, |s| s.film_id))
}

/// Trivia of films.
pub async fn trivia_by_films(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<trivia::Model>>, DbErr> {
    let rows = trivia::Entity::find()
        .filter(trivia::Column::FilmId.is_in(ids.iter().copied()))
        .order_by_asc(trivia::Column::Id)
        .all(db)
        .await?;
    Ok(group(rows, |t| t.film_id))
}

/// Credits of films, in billing order (unbilled last), then by id.
pub async fn credits_by_films(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<credit::Model>>, DbErr> {
    let mut rows = credit::Entity::find()
        .filter(credit::Column::FilmId.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    rows.sort_by_key(|c| (c.billing_order.is_none(), c.billing_order, c.id));
    Ok(group(rows, |c| c.film_id))
}

/// Credits of people.
pub async fn credits_by_people(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<credit::Model>>, DbErr> {
    let rows = credit::Entity::find()
        .filter(credit::Column::PersonId.is_in(ids.iter().copied()))
        .order_by_asc(credit::Column::Id)
        .all(db)
        .await?;
    Ok(group(rows, |c| c.person_id))
}

/// Company links of films.
pub async fn company_links_by_films(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<film_company::Model>>, DbErr> {
    let rows = film_company::Entity::find()
        .filter(film_company::Column::FilmId.is_in(ids.iter().copied()))
        .order_by_asc(film_company::Column::Role)
        .order_by_asc(film_company::Column::Id)
        .all(db)
        .await?;
    Ok(group(rows, |l| l.film_id))
}

/// Company links of companies.
pub async fn company_links_by_companies(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<film_company::Model>>, DbErr> {
    let rows = film_company::Entity::find()
        .filter(film_company::Column::CompanyId.is_in(ids.iter().copied()))
        .order_by_asc(film_company::Column::Id)
        .all(db)
        .await?;
    Ok(group(rows, |l| l.company_id))
}

/// Rows of any table with an `i64` primary key, by id: one `WHERE id IN (…)` query.
pub async fn by_ids<E: EntityTrait>(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, E::Model>, DbErr> {
    use sea_orm::{Iterable, ModelTrait, PrimaryKeyToColumn, Value};
    let Some(key) = E::PrimaryKey::iter().next() else {
        return Ok(HashMap::new());
    };
    let column = key.into_column();
    let rows = E::find()
        .filter(column.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| match row.get(column) {
            Value::BigInt(Some(id)) => Some((id, row)),
            _ => None,
        })
        .collect())
}
