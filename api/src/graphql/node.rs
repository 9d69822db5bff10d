//! Global object identification: the `Node` interface, `node(id:)` / `nodes(ids:)`, and
//! `load_targets`, the one loader of objects by kind and id.

use super::company::{Company, FilmCompany};
use super::context::account;
use super::credit::Credit;
use super::credit_scene::CreditScene;
use super::edit::Edit;
use super::film::Film;
use super::ids;
use super::loaders::Loaders;
use super::names::target_of_kind;
use super::person::Person;
use super::score::Score;
use super::trivia::Trivia;
use crate::error::{ApiError, ApiResult};
use crate::service::editorial;
use async_graphql::{Context, ID, Interface, Object};
use entity::TargetType;
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

/// What a global id can point at: an editable target, or an edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// A film, credit scene, person, credit, company, film–company link, score or trivia item.
    Target(TargetType),
    /// A proposed edit.
    Edit,
}

impl NodeKind {
    /// The kind a global id's type name stands for, if it is one `node(id:)` serves.
    pub fn of_name(name: &str) -> Option<Self> {
        match name {
            "Edit" => Some(Self::Edit),
            _ => target_of_kind(name).map(Self::Target),
        }
    }
}

/// Turns (kind, id) pairs into loaded objects, in the same order, one batched query per kind:
/// the one way `node`, `nodes`, `search` and `Edit.target` load what they point at. Missing
/// objects give `None`, and so do edits the viewer's re-loaded account may not see
/// (`editorial::can_see`; anonymous readers see none).
pub async fn load_targets(
    ctx: &Context<'_>,
    keys: &[(NodeKind, i64)],
) -> ApiResult<Vec<Option<Node>>> {
    let loaders = Loaders::of(ctx)?;
    let of_kind = |kind: NodeKind| -> Vec<i64> {
        keys.iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, id)| *id)
            .collect()
    };
    let target = |t: TargetType| of_kind(NodeKind::Target(t));
    let films = loaders.film.load_many(target(TargetType::Film)).await?;
    let scenes = loaders
        .credit_scene
        .load_many(target(TargetType::CreditScene))
        .await?;
    let people = loaders.person.load_many(target(TargetType::Person)).await?;
    let credits = loaders.credit.load_many(target(TargetType::Credit)).await?;
    let companies = loaders
        .company
        .load_many(target(TargetType::Company))
        .await?;
    let links = loaders
        .film_company
        .load_many(target(TargetType::FilmCompany))
        .await?;
    let scores = loaders.score.load_many(target(TargetType::Score)).await?;
    let trivia = loaders
        .trivia_item
        .load_many(target(TargetType::Trivia))
        .await?;
    let edit_ids = of_kind(NodeKind::Edit);
    // Only a request for edits pays for re-loading the account.
    let viewer_account = if edit_ids.is_empty() {
        None
    } else {
        account(ctx).await?
    };
    let edits: HashMap<i64, entity::edit::Model> = match viewer_account {
        Some(account) => loaders
            .edit
            .load_many(edit_ids)
            .await?
            .into_iter()
            .filter(|(_, e)| editorial::can_see(&account, e.author_id))
            .collect(),
        None => HashMap::new(),
    };
    fn take<M: Clone, N>(map: &HashMap<i64, M>, id: i64, wrap: impl Fn(M) -> N) -> Option<N> {
        map.get(&id).cloned().map(wrap)
    }
    Ok(keys
        .iter()
        .map(|&(kind, id)| match kind {
            NodeKind::Target(TargetType::Film) => take(&films, id, |m| Node::Film(Film(m))),
            NodeKind::Target(TargetType::CreditScene) => {
                take(&scenes, id, |m| Node::CreditScene(CreditScene(m)))
            }
            NodeKind::Target(TargetType::Person) => take(&people, id, |m| Node::Person(Person(m))),
            NodeKind::Target(TargetType::Credit) => {
                take(&credits, id, |m| Node::Credit(Credit::new(m)))
            }
            NodeKind::Target(TargetType::Company) => {
                take(&companies, id, |m| Node::Company(Company(m)))
            }
            NodeKind::Target(TargetType::FilmCompany) => {
                take(&links, id, |m| Node::FilmCompany(FilmCompany(m)))
            }
            NodeKind::Target(TargetType::Score) => take(&scores, id, |m| Node::Score(Score(m))),
            NodeKind::Target(TargetType::Trivia) => take(&trivia, id, |m| Node::Trivia(Trivia(m))),
            NodeKind::Edit => take(&edits, id, |m| Node::Edit(Edit(m))),
        })
        .collect())
}

/// Loads the objects behind global ids, in the same order; ids that are not global ids of a
/// kind `node` serves give `None`, as do the cases [`load_targets`] leaves out.
async fn load_ids(ctx: &Context<'_>, ids: &[ID]) -> ApiResult<Vec<Option<Node>>> {
    let keys: Vec<Option<(NodeKind, i64)>> = ids
        .iter()
        .map(|id| {
            let (name, n) = ids::decode(id)?;
            Some((NodeKind::of_name(&name)?, n))
        })
        .collect();
    let known: Vec<(NodeKind, i64)> = keys.iter().flatten().copied().collect();
    let mut loaded = load_targets(ctx, &known).await?.into_iter();
    Ok(keys
        .iter()
        .map(|key| key.and_then(|_| loaded.next().flatten()))
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
        Ok(load_ids(ctx, &[id]).await?.pop().flatten())
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
        load_ids(ctx, &ids).await
    }
}
