//! Response maps in the order the query asked for their fields, as the GraphQL specification's
//! "Serialized Map Ordering" requires. async-graphql resolves an object's fields concurrently and
//! inserts each as it completes, so a slow field (a DataLoader) lands after a quick one; this puts
//! every map back in the order of its selection set, aliases and fragments included.
//!
//! A response key that a selection set names more than once (directly or through fragments) takes
//! the place of its first mention, whichever type condition that mention sits under.

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Value};

/// Fragments nest no deeper than this (validation refuses cycles; this only bounds the walk).
const MAX_FRAGMENT_DEPTH: usize = 64;

/// Reorders `data` (the response of `operation` in `document`) into query order.
pub fn restore(data: &mut Value, document: &ExecutableDocument, operation: Option<&str>) {
    if let Some(operation) = selected(document, operation) {
        order(data, &[&operation.selection_set.node], document);
    }
}

fn selected<'d>(
    document: &'d ExecutableDocument,
    name: Option<&str>,
) -> Option<&'d OperationDefinition> {
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Some(&operation.node),
        (DocumentOperations::Multiple(operations), Some(name)) => {
            operations.get(name).map(|operation| &operation.node)
        }
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next().map(|operation| &operation.node)
        }
        _ => None,
    }
}

/// The response keys a value's selection sets ask for, in order, each with the selection sets
/// of its sub-fields.
type Keys<'d> = Vec<(&'d Name, Vec<&'d SelectionSet>)>;

fn order(value: &mut Value, sets: &[&SelectionSet], document: &ExecutableDocument) {
    match value {
        Value::List(items) => {
            for item in items {
                order(item, sets, document);
            }
        }
        Value::Object(map) => {
            let mut keys = Keys::new();
            for set in sets {
                collect(set, document, &mut keys, 0);
            }
            let position = |name: &Name| {
                keys.iter()
                    .position(|(key, _)| *key == name)
                    .unwrap_or(usize::MAX)
            };
            map.sort_by(|a, _, b, _| position(a).cmp(&position(b)));
            for (name, child) in map.iter_mut() {
                if let Some((_, sub)) = keys.iter().find(|(key, _)| *key == name)
                    && !sub.is_empty()
                {
                    order(child, sub, document);
                }
            }
        }
        _ => {}
    }
}

fn collect<'d>(
    set: &'d SelectionSet,
    document: &'d ExecutableDocument,
    keys: &mut Keys<'d>,
    depth: usize,
) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                let key = &field.node.response_key().node;
                let sub = &field.node.selection_set.node;
                let sub = (!sub.items.is_empty()).then_some(sub);
                match keys.iter_mut().find(|(known, _)| *known == key) {
                    Some((_, subs)) => subs.extend(sub),
                    None => keys.push((key, sub.into_iter().collect())),
                }
            }
            Selection::FragmentSpread(spread) if depth < MAX_FRAGMENT_DEPTH => {
                if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node) {
                    collect(&fragment.node.selection_set.node, document, keys, depth + 1);
                }
            }
            Selection::InlineFragment(inline) if depth < MAX_FRAGMENT_DEPTH => {
                collect(&inline.node.selection_set.node, document, keys, depth + 1);
            }
            _ => {}
        }
    }
}
