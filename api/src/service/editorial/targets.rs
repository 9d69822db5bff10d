//! The editable targets, generically: each target's current state as JSON (film genres
//! included), and writing, inserting and deleting its row. Which fields an edit may set is
//! described in `fields`.

use entity::{
    TargetType, company, credit, credit_scene, film, film_company, film_genre, person, score,
    trivia,
};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    IntoActiveModel, PrimaryKeyTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::str::FromStr;

/// Dispatches a generic function over the entity of a target type.
macro_rules! with_entity {
    ($target:expr, $f:ident ( $($arg:expr),* )) => {
        match $target {
            TargetType::Film => $f::<film::Entity, _>($($arg),*).await,
            TargetType::CreditScene => $f::<credit_scene::Entity, _>($($arg),*).await,
            TargetType::Person => $f::<person::Entity, _>($($arg),*).await,
            TargetType::Credit => $f::<credit::Entity, _>($($arg),*).await,
            TargetType::Company => $f::<company::Entity, _>($($arg),*).await,
            TargetType::FilmCompany => $f::<film_company::Entity, _>($($arg),*).await,
            TargetType::Score => $f::<score::Entity, _>($($arg),*).await,
            TargetType::Trivia => $f::<trivia::Entity, _>($($arg),*).await,
        }
    };
}

/// The current state of an object as JSON (film genres included), locked for update where
/// the engine supports it.
pub(super) async fn snapshot<E, C>(db: &C, id: i64, lock: bool) -> Result<Option<Value>, DbErr>
where
    E: EntityTrait,
    E::Model: Serialize,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i64>,
    C: ConnectionTrait,
{
    let mut query = E::find_by_id(id);
    if lock {
        query = query.lock_exclusive();
    }
    let Some(model) = query.one(db).await? else {
        return Ok(None);
    };
    serde_json::to_value(&model)
        .map(Some)
        .map_err(|e| DbErr::Custom(format!("cannot serialise a row: {e}")))
}

/// Current rows of one type as JSON, by id.
pub(super) async fn snapshots<E, C>(db: &C, ids: Vec<i64>) -> Result<Vec<(i64, Value)>, DbErr>
where
    E: EntityTrait,
    E::Model: Serialize,
    E::Column: FromStr,
    C: ConnectionTrait,
{
    let Ok(id_column) = E::Column::from_str("id") else {
        return Ok(Vec::new());
    };
    let rows = E::find().filter(id_column.is_in(ids)).all(db).await?;
    rows.iter()
        .map(|row| {
            let value = serde_json::to_value(row)
                .map_err(|e| DbErr::Custom(format!("cannot serialise a row: {e}")))?;
            Ok((value["id"].as_i64().unwrap_or_default(), value))
        })
        .collect()
}

/// The current state of many objects (as edits see them: film genres included), one query
/// per target type; missing objects are left out.
pub async fn current_states<C: ConnectionTrait>(
    db: &C,
    keys: &[(TargetType, i64)],
) -> Result<std::collections::HashMap<(TargetType, i64), Value>, DbErr> {
    let mut by_type: std::collections::HashMap<TargetType, Vec<i64>> = Default::default();
    for (target, id) in keys {
        by_type.entry(*target).or_default().push(*id);
    }
    let mut states = std::collections::HashMap::new();
    for (target, ids) in by_type {
        for (id, mut state) in with_entity!(target, snapshots(db, ids.clone()))? {
            if target == TargetType::Film {
                state["genres"] = json!([]);
            }
            states.insert((target, id), state);
        }
        if target == TargetType::Film {
            let genres = film_genre::Entity::find()
                .filter(film_genre::Column::FilmId.is_in(ids))
                .order_by_asc(film_genre::Column::Position)
                .all(db)
                .await?;
            for genre in genres {
                if let Some(Value::Array(list)) = states
                    .get_mut(&(TargetType::Film, genre.film_id))
                    .map(|s| &mut s["genres"])
                {
                    list.push(Value::String(genre.genre));
                }
            }
        }
    }
    Ok(states)
}

pub(super) async fn current_state<C: ConnectionTrait>(
    db: &C,
    target: TargetType,
    id: i64,
    lock: bool,
) -> Result<Option<Value>, DbErr> {
    let Some(mut state) = with_entity!(target, snapshot(db, id, lock))? else {
        return Ok(None);
    };
    if target == TargetType::Film {
        let genres: Vec<Value> = film_genre::Entity::find()
            .filter(film_genre::Column::FilmId.eq(id))
            .order_by_asc(film_genre::Column::Position)
            .all(db)
            .await?
            .into_iter()
            .map(|g| Value::String(g.genre))
            .collect();
        state["genres"] = Value::Array(genres);
    }
    Ok(Some(state))
}

/// Writes `state` (a full row as JSON) over the row: the columns in `changed` are set.
async fn write_row<E, C>(db: &C, state: Value, changed: Vec<String>) -> Result<(), DbErr>
where
    E: EntityTrait,
    E::Model: DeserializeOwned + IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
    E::Column: FromStr,
    C: ConnectionTrait,
{
    let model: E::Model = serde_json::from_value(state)
        .map_err(|e| DbErr::Custom(format!("cannot rebuild a row: {e}")))?;
    let mut active = model.into_active_model();
    for name in changed {
        if let Ok(column) = E::Column::from_str(&name) {
            active.reset(column);
        }
    }
    active.update(db).await?;
    Ok(())
}

/// Inserts `state` (a full row as JSON without an id); returns the new id.
async fn insert_row<E, C>(db: &C, mut state: Value) -> Result<i64, DbErr>
where
    E: EntityTrait,
    E::Model: DeserializeOwned + Serialize + IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
    E::Column: FromStr,
    C: ConnectionTrait,
{
    state["id"] = json!(0);
    let model: E::Model = serde_json::from_value(state)
        .map_err(|e| DbErr::Custom(format!("cannot build a row: {e}")))?;
    let mut active = model.into_active_model();
    for column in <E::Column as sea_orm::Iterable>::iter() {
        active.reset(column);
    }
    if let Ok(id) = E::Column::from_str("id") {
        active.not_set(id);
    }
    let inserted = active.insert(db).await?;
    let value = serde_json::to_value(&inserted)
        .map_err(|e| DbErr::Custom(format!("cannot serialise a row: {e}")))?;
    value["id"]
        .as_i64()
        .ok_or_else(|| DbErr::Custom("the new row has no id".to_owned()))
}

async fn delete_row<E, C>(db: &C, id: i64) -> Result<(), DbErr>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i64>,
    C: ConnectionTrait,
{
    E::delete_by_id(id).exec(db).await?;
    Ok(())
}

pub(super) async fn replace_genres<C: ConnectionTrait>(
    db: &C,
    film_id: i64,
    genres: &Value,
) -> Result<(), DbErr> {
    film_genre::Entity::delete_many()
        .filter(film_genre::Column::FilmId.eq(film_id))
        .exec(db)
        .await?;
    let rows: Vec<film_genre::ActiveModel> = genres
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .zip(1..)
        .map(|(genre, position)| film_genre::ActiveModel {
            film_id: Set(film_id),
            genre: Set(genre.to_owned()),
            position: Set(position),
        })
        .collect();
    if !rows.is_empty() {
        film_genre::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// Equal as stored values (numbers compare by value: `0` and `0.0` are the same).
pub(super) fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// Writes `state` (a full row as JSON) over the target's row: the columns in `changed` are set.
pub(super) async fn write_target<C: ConnectionTrait>(
    db: &C,
    target: TargetType,
    state: Value,
    changed: Vec<String>,
) -> Result<(), DbErr> {
    with_entity!(target, write_row(db, state, changed))
}

/// Inserts `state` (a full row as JSON without an id) as a new target; returns its id.
pub(super) async fn insert_target<C: ConnectionTrait>(
    db: &C,
    target: TargetType,
    state: Value,
) -> Result<i64, DbErr> {
    with_entity!(target, insert_row(db, state))
}

/// Deletes the target's row.
pub(super) async fn delete_target<C: ConnectionTrait>(
    db: &C,
    target: TargetType,
    id: i64,
) -> Result<(), DbErr> {
    with_entity!(target, delete_row(db, id))
}
