//! The rows behind the loaders of authenticated requests (whose whole answers are never kept):
//! films, people and companies by id, and a film's genres, scores, trivia, credit scenes and
//! company links, each kept tagged with its owner, so the writes that drop answers drop these
//! rows alike. Anonymous requests never read it: their answers are kept whole instead, and the
//! two never share an entry. Accounts, edits and revisions, which change outside the three write
//! paths, are never kept.

use super::key::Key;
use super::store::Store;
use super::tags::Tag;
use entity::{company, credit_scene, film, film_company, person, score, trivia};
use sea_orm::DbErr;
use std::collections::HashMap;
use std::sync::Arc;

/// One kept value.
#[derive(Debug, Clone)]
pub enum Row {
    Film(film::Model),
    Person(person::Model),
    Company(company::Model),
    Genres(Vec<String>),
    Scores(Vec<score::Model>),
    Trivia(Vec<trivia::Model>),
    Scenes(Vec<credit_scene::Model>),
    CompanyLinks(Vec<film_company::Model>),
}

/// The process's row cache.
pub type RowCache = Store<Row>;

/// A value a loader keeps in the row cache.
pub trait Kept: Clone + serde::Serialize + Sized {
    /// Wraps the value for the cache.
    fn into_row(self) -> Row;
    /// The value, if `row` holds one of this type.
    fn from_row(row: &Row) -> Option<Self>;
    /// What a loader answers for an id without rows: nothing for a single row (not found),
    /// an empty list for a list (kept too, so a film without trivia is not asked again).
    fn absent() -> Option<Self> {
        None
    }
}

macro_rules! kept {
    ($value:ty, $variant:ident $(, absent = $absent:expr)?) => {
        impl Kept for $value {
            fn into_row(self) -> Row {
                Row::$variant(self)
            }
            fn from_row(row: &Row) -> Option<Self> {
                match row {
                    Row::$variant(value) => Some(value.clone()),
                    _ => None,
                }
            }
            $(fn absent() -> Option<Self> {
                $absent
            })?
        }
    };
}

kept!(film::Model, Film);
kept!(person::Model, Person);
kept!(company::Model, Company);
kept!(Vec<String>, Genres, absent = Some(Vec::new()));
kept!(Vec<score::Model>, Scores, absent = Some(Vec::new()));
kept!(Vec<trivia::Model>, Trivia, absent = Some(Vec::new()));
kept!(Vec<credit_scene::Model>, Scenes, absent = Some(Vec::new()));
kept!(
    Vec<film_company::Model>,
    CompanyLinks,
    absent = Some(Vec::new())
);

/// What one loader keeps: its name (part of the key) and the tag of an id's owner.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    pub name: &'static str,
    pub owner: fn(i64) -> Tag,
}

fn key(kind: Kind, id: i64) -> Key {
    Key::new(kind.name, None, &id.to_string())
}

/// Loads `ids` through `cache` (straight from `fetch` without one): the kept ones from the
/// cache, the rest with one call of `fetch`, kept afterwards unless a write happened meanwhile.
pub async fn load<V, F>(
    cache: Option<&RowCache>,
    kind: Kind,
    ids: &[i64],
    fetch: F,
) -> Result<HashMap<i64, V>, Arc<DbErr>>
where
    V: Kept,
    F: AsyncFnOnce(&[i64]) -> Result<HashMap<i64, V>, DbErr>,
{
    let Some(cache) = cache else {
        return fetch(ids).await.map_err(Arc::new);
    };
    let mut found = HashMap::with_capacity(ids.len());
    let mut missing = Vec::new();
    for &id in ids {
        match cache.get(&key(kind, id)).and_then(|row| V::from_row(&row)) {
            Some(value) => {
                found.insert(id, value);
            }
            None => missing.push(id),
        }
    }
    if missing.is_empty() {
        return Ok(found);
    }
    let generation = cache.generation();
    let mut fetched = fetch(&missing).await.map_err(Arc::new)?;
    for id in missing {
        let Some(value) = fetched.remove(&id).or_else(V::absent) else {
            continue;
        };
        let bytes = serde_json::to_vec(&value).map_or(1024, |json| json.len());
        cache.insert(
            key(kind, id),
            value.clone().into_row(),
            bytes,
            vec![(kind.owner)(id)],
            generation,
        );
        found.insert(id, value);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENRES: Kind = Kind {
        name: "genres",
        owner: Tag::Film,
    };

    #[tokio::test]
    async fn kept_rows_are_not_fetched_again_until_their_owner_changes() {
        let cache = RowCache::new(1 << 20);
        let fetches = std::sync::atomic::AtomicUsize::new(0);
        let fetch = async |ids: &[i64]| {
            fetches.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(ids
                .iter()
                .filter(|&&id| id != 2)
                .map(|&id| (id, vec![format!("genre {id}")]))
                .collect())
        };
        let first = load(Some(&cache), GENRES, &[1, 2], fetch).await.unwrap();
        assert_eq!(first[&1], vec!["genre 1"]);
        assert_eq!(first[&2], Vec::<String>::new(), "an empty list is kept too");
        let again = load(Some(&cache), GENRES, &[1, 2], fetch).await.unwrap();
        assert_eq!(again, first);
        assert_eq!(fetches.load(std::sync::atomic::Ordering::SeqCst), 1);

        cache.invalidate(&[Tag::Film(1)]);
        load(Some(&cache), GENRES, &[1, 2], fetch).await.unwrap();
        assert_eq!(
            fetches.load(std::sync::atomic::Ordering::SeqCst),
            2,
            "film 1's genres are fetched again"
        );
    }
}
