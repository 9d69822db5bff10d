//! Revisions: how changes to public data are recorded.

use serde_json::{Map, Value};

/// Bookkeeping columns that are not part of an object's editable state: never edited directly,
/// left out of diffs.
pub const BOOKKEEPING: [&str; 4] = ["id", "version", "created_at", "updated_at"];

/// The diff of an object's creation: every editable field from `null` to its value.
pub fn creation_diff(snapshot: Value) -> Value {
    let Value::Object(fields) = snapshot else {
        return Value::Object(Map::new());
    };
    let diff = fields
        .into_iter()
        .filter(|(field, _)| !BOOKKEEPING.contains(&field.as_str()))
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
        let diff = creation_diff(json!({"id": 1, "version": 1, "title": "M", "created_at": "x"}));
        assert_eq!(diff, json!({"title": {"before": null, "after": "M"}}));
    }
}
