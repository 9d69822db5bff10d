//! Revisions: how changes to public data are recorded.

use super::editorial::fields::diffable;
use entity::TargetType;
use serde_json::{Map, Value};

/// The diff of an object's creation: every described field (see `editorial::fields`) from
/// `null` to its value; the id, version and times are bookkeeping, left out.
pub fn creation_diff(target: TargetType, snapshot: Value) -> Value {
    let diff = diffable(target, snapshot)
        .into_iter()
        .map(|(field, after)| {
            let mut change = Map::new();
            change.insert("before".to_owned(), Value::Null);
            change.insert("after".to_owned(), after);
            (field, Value::Object(change))
        })
        .collect();
    Value::Object(diff)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_creation_diff_leaves_out_bookkeeping() {
        let diff = creation_diff(
            TargetType::Film,
            json!({"id": 1, "version": 1, "title": "M", "created_at": "x"}),
        );
        assert_eq!(diff, json!({"title": {"before": null, "after": "M"}}));
    }
}
