//! Per-request DataLoaders, one per access path, named by their key. Each batches the keys a
//! request asks for into one `IN (…)` query through `service::catalog`.

use crate::cache::rows::{self, Kind, RowCache};
use crate::cache::tags::Tag;
use crate::error::{ApiError, ApiResult};
use crate::service::credits::{self, CreditScope, FilmCreditCursor, PersonCreditCursor};
use crate::service::{catalog, editorial};
use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use entity::{
    company, credit, credit_scene, edit, film, film_company, person, revision, score, trivia, user,
};
use sea_orm::{DatabaseConnection, DbErr};
use std::collections::HashMap;
use std::sync::Arc;

/// A loader whose rows the row cache keeps for authenticated requests (`cache::rows`), each
/// tagged with its owner (`$owner`: the tag of the id's film, person or company).
macro_rules! kept_loader {
    ($(#[$doc:meta])* $name:ident => $value:ty, $fetch:path, $owner:path) => {
        $(#[$doc])*
        pub struct $name(DatabaseConnection, Option<Arc<RowCache>>);

        impl Loader<i64> for $name {
            type Value = $value;
            type Error = Arc<DbErr>;

            async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, $value>, Self::Error> {
                let kind = Kind {
                    name: stringify!($name),
                    owner: $owner,
                };
                rows::load(self.1.as_deref(), kind, keys, async |ids: &[i64]| {
                    $fetch(&self.0, ids).await
                })
                .await
            }
        }
    };
}

macro_rules! batch_loader {
    ($(#[$doc:meta])* $name:ident => $value:ty, $fetch:path) => {
        $(#[$doc])*
        pub struct $name(DatabaseConnection);

        impl Loader<i64> for $name {
            type Value = $value;
            type Error = Arc<DbErr>;

            async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, $value>, Self::Error> {
                $fetch(&self.0, keys).await.map_err(Arc::new)
            }
        }
    };
}

kept_loader!(/// Films by id.
    FilmById => film::Model, catalog::by_ids::<film::Entity>, Tag::Film);
kept_loader!(/// People by id.
    PersonById => person::Model, catalog::by_ids::<person::Entity>, Tag::Person);
kept_loader!(/// Companies by id.
    CompanyById => company::Model, catalog::by_ids::<company::Entity>, Tag::Company);
kept_loader!(/// Genres of a film.
    GenresByFilm => Vec<String>, catalog::genres_by_films, Tag::Film);
kept_loader!(/// Credit scenes of a film.
    ScenesByFilm => Vec<credit_scene::Model>, catalog::scenes_by_films, Tag::Film);
kept_loader!(/// Scores of a film.
    ScoresByFilm => Vec<score::Model>, catalog::scores_by_films, Tag::Film);
kept_loader!(/// Trivia of a film.
    TriviaByFilm => Vec<trivia::Model>, catalog::trivia_by_films, Tag::Film);
batch_loader!(/// How many credits a person has.
    CreditCountByPerson => u64, credits::count_person_credits);
kept_loader!(/// Company links of a film.
    CompanyLinksByFilm => Vec<film_company::Model>, catalog::company_links_by_films, Tag::Film);
kept_loader!(/// Company links of a company.
    CompanyLinksByCompany => Vec<film_company::Model>, catalog::company_links_by_companies, Tag::Company);
batch_loader!(/// Accounts by id.
    UserById => user::Model, catalog::by_ids::<user::Entity>);
batch_loader!(/// Edits by id.
    EditById => edit::Model, catalog::by_ids::<edit::Entity>);
batch_loader!(/// Revisions by id.
    RevisionById => revision::Model, catalog::by_ids::<revision::Entity>);

batch_loader!(/// Credit scenes by id.
    CreditSceneById => credit_scene::Model, catalog::by_ids::<credit_scene::Entity>);
batch_loader!(/// Credits by id.
    CreditById => credit::Model, catalog::by_ids::<credit::Entity>);
batch_loader!(/// Company links by id.
    FilmCompanyById => film_company::Model, catalog::by_ids::<film_company::Entity>);
batch_loader!(/// Scores by id.
    ScoreById => score::Model, catalog::by_ids::<score::Entity>);
batch_loader!(/// Trivia by id.
    TriviaById => trivia::Model, catalog::by_ids::<trivia::Entity>);
/// One page of a film's credits: whose, which, after which cursor, how many rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FilmCreditPage {
    pub film_id: i64,
    pub scope: CreditScope,
    pub after: Option<FilmCreditCursor>,
    pub limit: u64,
}

/// Pages of films' credits, each credit with its person: one statement per distinct
/// (scope, cursor, size) in the batch.
pub struct FilmCreditPages(DatabaseConnection);

impl Loader<FilmCreditPage> for FilmCreditPages {
    type Value = Vec<(credit::Model, person::Model)>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[FilmCreditPage],
    ) -> Result<HashMap<FilmCreditPage, Self::Value>, Self::Error> {
        let mut pages = HashMap::new();
        for ((scope, after, limit), ids) in
            group_keys(keys, |k| (k.film_id, (k.scope, k.after, k.limit)))
        {
            let mut found = credits::film_credit_pages(&self.0, &ids, scope, after, limit)
                .await
                .map_err(Arc::new)?;
            for film_id in ids {
                let page = found.remove(&film_id).unwrap_or_default();
                let key = FilmCreditPage {
                    film_id,
                    scope,
                    after,
                    limit,
                };
                pages.insert(key, page);
            }
        }
        Ok(pages)
    }
}

/// One page of a person's credits: whose, after which cursor, how many rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PersonCreditPage {
    pub person_id: i64,
    pub after: Option<PersonCreditCursor>,
    pub limit: u64,
}

/// Pages of people's credits, each credit with its film: one statement per distinct
/// (cursor, size) in the batch.
pub struct PersonCreditPages(DatabaseConnection);

impl Loader<PersonCreditPage> for PersonCreditPages {
    type Value = Vec<(credit::Model, film::Model)>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[PersonCreditPage],
    ) -> Result<HashMap<PersonCreditPage, Self::Value>, Self::Error> {
        let mut pages = HashMap::new();
        for ((after, limit), ids) in group_keys(keys, |k| (k.person_id, (k.after, k.limit))) {
            let mut found = credits::person_credit_pages(&self.0, &ids, after, limit)
                .await
                .map_err(Arc::new)?;
            for person_id in ids {
                let page = found.remove(&person_id).unwrap_or_default();
                let key = PersonCreditPage {
                    person_id,
                    after,
                    limit,
                };
                pages.insert(key, page);
            }
        }
        Ok(pages)
    }
}

/// How many credits in a scope a film has.
pub struct CreditCountByFilm(DatabaseConnection);

impl Loader<(i64, CreditScope)> for CreditCountByFilm {
    type Value = u64;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[(i64, CreditScope)],
    ) -> Result<HashMap<(i64, CreditScope), u64>, Self::Error> {
        let mut counts = HashMap::new();
        for (scope, ids) in group_keys(keys, |&(id, scope)| (id, scope)) {
            let found = credits::count_film_credits(&self.0, &ids, scope)
                .await
                .map_err(Arc::new)?;
            for id in ids {
                counts.insert((id, scope), found.get(&id).copied().unwrap_or(0));
            }
        }
        Ok(counts)
    }
}

/// The directors of a film, in billing order: one statement joining credits and people.
pub struct DirectorsByFilm(DatabaseConnection);

impl Loader<i64> for DirectorsByFilm {
    type Value = Vec<person::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Vec<person::Model>>, Self::Error> {
        let directing = CreditScope::Crew(Some(entity::Department::Directing));
        let pages = credits::film_credit_pages(&self.0, keys, directing, None, u64::MAX)
            .await
            .map_err(Arc::new)?;
        Ok(pages
            .into_iter()
            .map(|(film_id, credits)| {
                let mut seen = std::collections::HashSet::new();
                let people = credits
                    .into_iter()
                    .map(|(_, person)| person)
                    .filter(|p| seen.insert(p.id))
                    .collect();
                (film_id, people)
            })
            .collect())
    }
}

/// Owner ids grouped by the rest of their key (page arguments), each group one statement.
fn group_keys<K, G: Eq + std::hash::Hash>(
    keys: &[K],
    split: impl Fn(&K) -> (i64, G),
) -> HashMap<G, Vec<i64>> {
    let mut groups: HashMap<G, Vec<i64>> = HashMap::new();
    for key in keys {
        let (id, group) = split(key);
        groups.entry(group).or_default().push(id);
    }
    groups
}

/// The current state of edit targets (as JSON), by target type and id.
pub struct TargetStateByKey(DatabaseConnection);

impl Loader<(entity::TargetType, i64)> for TargetStateByKey {
    type Value = serde_json::Value;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[(entity::TargetType, i64)],
    ) -> Result<HashMap<(entity::TargetType, i64), serde_json::Value>, Self::Error> {
        editorial::current_states(&self.0, keys)
            .await
            .map_err(Arc::new)
    }
}

/// The loaders of one request. Created per request so no cache is shared between users.
pub struct Loaders {
    pub film: DataLoader<FilmById>,
    pub person: DataLoader<PersonById>,
    pub company: DataLoader<CompanyById>,
    pub genres: DataLoader<GenresByFilm>,
    pub scenes: DataLoader<ScenesByFilm>,
    pub scores: DataLoader<ScoresByFilm>,
    pub trivia: DataLoader<TriviaByFilm>,
    pub film_credits: DataLoader<FilmCreditPages>,
    pub person_credits: DataLoader<PersonCreditPages>,
    pub film_credit_count: DataLoader<CreditCountByFilm>,
    pub person_credit_count: DataLoader<CreditCountByPerson>,
    pub directors: DataLoader<DirectorsByFilm>,
    pub links_by_film: DataLoader<CompanyLinksByFilm>,
    pub links_by_company: DataLoader<CompanyLinksByCompany>,
    pub credit_scene: DataLoader<CreditSceneById>,
    pub credit: DataLoader<CreditById>,
    pub film_company: DataLoader<FilmCompanyById>,
    pub score: DataLoader<ScoreById>,
    pub trivia_item: DataLoader<TriviaById>,
    pub user: DataLoader<UserById>,
    pub edit: DataLoader<EditById>,
    pub revision: DataLoader<RevisionById>,
    pub target_state: DataLoader<TargetStateByKey>,
}

impl Loaders {
    /// Fresh loaders over `db`, each waiting `delay` to collect keys before it queries; the
    /// public rows through `rows` when given (authenticated requests).
    pub fn new(
        db: &DatabaseConnection,
        delay: std::time::Duration,
        rows: Option<Arc<RowCache>>,
    ) -> Self {
        fn make<T: Send + Sync + 'static>(loader: T, delay: std::time::Duration) -> DataLoader<T> {
            DataLoader::new(loader, crate::db::request_scope::spawn).delay(delay)
        }
        Self {
            film: make(FilmById(db.clone(), rows.clone()), delay),
            person: make(PersonById(db.clone(), rows.clone()), delay),
            company: make(CompanyById(db.clone(), rows.clone()), delay),
            genres: make(GenresByFilm(db.clone(), rows.clone()), delay),
            scenes: make(ScenesByFilm(db.clone(), rows.clone()), delay),
            scores: make(ScoresByFilm(db.clone(), rows.clone()), delay),
            trivia: make(TriviaByFilm(db.clone(), rows.clone()), delay),
            film_credits: make(FilmCreditPages(db.clone()), delay),
            person_credits: make(PersonCreditPages(db.clone()), delay),
            film_credit_count: make(CreditCountByFilm(db.clone()), delay),
            person_credit_count: make(CreditCountByPerson(db.clone()), delay),
            directors: make(DirectorsByFilm(db.clone()), delay),
            links_by_film: make(CompanyLinksByFilm(db.clone(), rows.clone()), delay),
            links_by_company: make(CompanyLinksByCompany(db.clone(), rows.clone()), delay),
            credit_scene: make(CreditSceneById(db.clone()), delay),
            credit: make(CreditById(db.clone()), delay),
            film_company: make(FilmCompanyById(db.clone()), delay),
            score: make(ScoreById(db.clone()), delay),
            trivia_item: make(TriviaById(db.clone()), delay),
            user: make(UserById(db.clone()), delay),
            edit: make(EditById(db.clone()), delay),
            revision: make(RevisionById(db.clone()), delay),
            target_state: make(TargetStateByKey(db.clone()), delay),
        }
    }

    /// The loaders of the current request.
    pub fn of<'a>(ctx: &Context<'a>) -> ApiResult<&'a Loaders> {
        ctx.data::<Loaders>()
            .map_err(|_| ApiError::internal(anyhow::anyhow!("the request has no loaders")))
    }
}

/// Loads one key, treating a missing row as "none".
pub async fn load_vec<T, V>(loader: &DataLoader<T>, key: i64) -> ApiResult<Vec<V>>
where
    T: Loader<i64, Value = Vec<V>, Error = Arc<DbErr>>,
    V: Clone + Send + Sync + 'static,
{
    Ok(loader.load_one(key).await?.unwrap_or_default())
}

/// Loads a row a foreign key points at; its absence is a broken invariant, not a user error.
pub async fn load_required<T, V>(loader: &DataLoader<T>, key: i64, what: &str) -> ApiResult<V>
where
    T: Loader<i64, Value = V, Error = Arc<DbErr>>,
    V: Clone + Send + Sync + 'static,
{
    loader
        .load_one(key)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("{what} {key} is missing")))
}
