//! Global object identification: the `Node` interface and `node(id:)` / `nodes(ids:)`.

use super::company::{Company, FilmCompany};
use super::credit::Credit;
use super::credit_scene::CreditScene;
use super::edit::Edit;
use super::film::Film;
use super::ids;
use super::loaders::Loaders;
use super::person::Person;
use super::score::Score;
use super::trivia::Trivia;
use crate::error::{ApiError, ApiResult};
use async_graphql::{Context, ID, Interface, Object};
use std::collections::HashMap;

/// An object with a global id, fetchable with `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Global id."))]
pub enum Node {
    Film(Film),
    CreditScene(CreditScene),
    Person(Person),
    Credit(Credit),
    Company(Company),
    FilmCompany(FilmCompany),
    Score(Score),
    Trivia(Trivia),
    Edit(Edit),
}

/// Most ids `nodes(ids:)` takes at once.
const MAX_NODES: usize = 100;

/// Loads the objects behind global ids, one batched query per kind; unknown ids give `None`,
/// and so do edits the viewer may not see (admins see all, editors their own, anonymous none).
pub async fn load(ctx: &Context<'_>, ids: &[ID]) -> ApiResult<Vec<Option<Node>>> {
    let loaders = Loaders::of(ctx)?;
    let decoded: Vec<Option<(String, i64)>> = ids.iter().map(|id| ids::decode(id)).collect();
    let of_kind = |kind: &str| -> Vec<i64> {
        decoded
            .iter()
            .flatten()
            .filter(|(k, _)| k == kind)
            .map(|(_, n)| *n)
            .collect()
    };
    let films = loaders.film.load_many(of_kind("Film")).await?;
    let scenes = loaders
        .credit_scene
        .load_many(of_kind("CreditScene"))
        .await?;
    let people = loaders.person.load_many(of_kind("Person")).await?;
    let credits = loaders.credit.load_many(of_kind("Credit")).await?;
    let companies = loaders.company.load_many(of_kind("Company")).await?;
    let links = loaders
        .film_company
        .load_many(of_kind("FilmCompany"))
        .await?;
    let scores = loaders.score.load_many(of_kind("Score")).await?;
    let trivia = loaders.trivia_item.load_many(of_kind("Trivia")).await?;
    let viewer = super::context::viewer(ctx);
    let edits: HashMap<i64, entity::edit::Model> = match viewer {
        Some(viewer) => loaders
            .edit
            .load_many(of_kind("Edit"))
            .await?
            .into_iter()
            .filter(|(_, e)| viewer.role == entity::Role::Admin || e.author_id == viewer.user_id)
            .collect(),
        None => HashMap::new(),
    };
    fn take<M: Clone, N>(map: &HashMap<i64, M>, id: i64, wrap: impl Fn(M) -> N) -> Option<N> {
        map.get(&id).cloned().map(wrap)
    }
    Ok(decoded
        .into_iter()
        .map(|entry| {
            let (kind, id) = entry?;
            match kind.as_str() {
                "Film" => take(&films, id, |m| Node::Film(Film(m))),
                "CreditScene" => take(&scenes, id, |m| Node::CreditScene(CreditScene(m))),
                "Person" => take(&people, id, |m| Node::Person(Person(m))),
                "Credit" => take(&credits, id, |m| Node::Credit(Credit(m))),
                "Company" => take(&companies, id, |m| Node::Company(Company(m))),
                "FilmCompany" => take(&links, id, |m| Node::FilmCompany(FilmCompany(m))),
                "Score" => take(&scores, id, |m| Node::Score(Score(m))),
                "Trivia" => take(&trivia, id, |m| Node::Trivia(Trivia(m))),
                "Edit" => take(&edits, id, |m| Node::Edit(Edit(m))),
                _ => None,
            }
        })
        .collect())
}

/// Queries by global id.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this global id, or null.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id.")] id: ID,
    ) -> ApiResult<Option<Node>> {
        Ok(load(ctx, &[id]).await?.pop().flatten())
    }

    /// The objects with these global ids, in the same order; null for an unknown id.
    #[graphql(complexity = "1 + ids.len() * child_complexity")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids (at most 100).")] ids: Vec<ID>,
    ) -> ApiResult<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(ApiError::BadInput(format!(
                "`ids` holds {} ids; at most {MAX_NODES} are allowed",
                ids.len()
            )));
        }
        load(ctx, &ids).await
    }
}
