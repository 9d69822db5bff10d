//! Records what an operation reads, from the shape of what it resolves: the schema extension
//! sees every field, its depth and its type. Root fields outside [`ROOTS`] make the answer
//! uncacheable; below the root, any field returning a film, person or company (or a list or
//! connection of them) tags the answer with that kind, so a change to any object of the kind
//! drops it. The root `film`, `person` and `company` resolvers record their object's id
//! themselves ([`record`]), so a page of one object is dropped only by its own changes and by
//! changes to the kinds it reaches. Answers showing accounts or edits, which change outside
//! approvals, reverts and imports, are never kept.

use super::tags::{Recorder, Tag};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{Context, ServerResult, Value};
use std::sync::Arc;

/// Root fields whose answers can be kept, with the tags each records beyond its object's id.
const ROOTS: &[(&str, &[Tag])] = &[
    ("film", &[]),
    ("person", &[]),
    ("company", &[]),
    ("films", &[Tag::FilmList, Tag::AnyFilm]),
    ("latestFilms", &[Tag::FilmList, Tag::AnyFilm]),
    (
        "search",
        &[Tag::Search, Tag::AnyFilm, Tag::AnyPerson, Tag::AnyCompany],
    ),
];

/// Notes that this request read `tag` (nothing when it is not recorded).
pub fn record(ctx: &Context<'_>, tag: Tag) {
    if let Some(recorder) = ctx.data_opt::<Arc<Recorder>>() {
        recorder.record(tag);
    }
}

/// The schema extension.
#[derive(Debug, Default)]
pub struct Recording;

impl ExtensionFactory for Recording {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Recording)
    }
}

#[async_trait::async_trait]
impl Extension for Recording {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if let Some(recorder) = ctx.data_opt::<Arc<Recorder>>() {
            observe(recorder, &info);
        }
        next.run(ctx, info).await
    }
}

fn observe(recorder: &Recorder, info: &ResolveInfo<'_>) {
    if info.is_for_introspection || info.name == "__typename" {
        return;
    }
    if info.path_node.parent.is_none() {
        match ROOTS.iter().find(|(name, _)| *name == info.name) {
            Some((_, tags)) => tags.iter().cloned().for_each(|t| recorder.record(t)),
            None => recorder.untracked(),
        }
        return;
    }
    let kind = info
        .return_type
        .trim_matches(|c| c == '[' || c == ']' || c == '!');
    match kind {
        "Film" => recorder.record(Tag::AnyFilm),
        "Person" => recorder.record(Tag::AnyPerson),
        "Company" => recorder.record(Tag::AnyCompany),
        "Node" | "SearchResult" => {
            recorder.record(Tag::AnyFilm);
            recorder.record(Tag::AnyPerson);
            recorder.record(Tag::AnyCompany);
        }
        // Accounts and edits change outside the three write paths: never kept.
        "User" | "Edit" => recorder.untracked(),
        _ => {}
    }
}
