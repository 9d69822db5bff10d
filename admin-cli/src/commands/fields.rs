//! Checking `submit`'s fields before they are sent, against the server's own description of
//! the editable fields (its schema, read by introspection), so mistakes get a precise answer:
//! an unknown field lists the valid ones, and `runtimeMinutes=102` (text for a number)
//! suggests `runtimeMinutes:=102`.

use crate::exit::Failure;
use crate::remote::Remote;
use serde_json::{Map, Value, json};

const INPUT_FIELDS: &str = "query($name: String!) { __type(name: $name) { inputFields { name \
    type { kind name ofType { kind name ofType { kind name } } } } } }";

/// One editable field: its name and the GraphQL type of its values.
struct Field {
    name: String,
    /// The named type inside any non-null or list wrappers (`String`, `Int`, `Date`, …).
    base: String,
    list: bool,
}

fn field_of(value: &Value) -> Option<Field> {
    let name = value["name"].as_str()?.to_owned();
    let mut ty = &value["type"];
    let mut list = false;
    while ty["name"].is_null() {
        list |= ty["kind"] == "LIST";
        ty = &ty["ofType"];
        if ty.is_null() {
            return None;
        }
    }
    Some(Field {
        name,
        base: ty["name"].as_str()?.to_owned(),
        list,
    })
}

/// The fields of input type `input_type`, or `None` when the server does not describe them.
async fn fields_of(remote: &mut Remote, input_type: &str) -> Option<Vec<Field>> {
    let data = remote
        .run_untyped(INPUT_FIELDS, json!({"name": input_type}))
        .await
        .ok()?;
    let fields = data["__type"]["inputFields"].as_array()?;
    Some(fields.iter().filter_map(field_of).collect())
}

/// Whether text given as `field=text` was meant as a JSON value of type `base`.
fn meant_as_json(base: &str, list: bool, text: &str) -> bool {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return false;
    };
    if list {
        return value.is_array();
    }
    match base {
        "Int" => value.is_i64() || value.is_u64(),
        "Float" => value.is_number(),
        "Boolean" => value.is_boolean(),
        _ => false,
    }
}

/// Checks `set` against the fields of `input_type`: an unknown field, or text for a field
/// that takes a number, true/false or a list, is a usage error saying what to write instead.
/// When the server does not describe its inputs, the server's own answer decides.
pub async fn check(
    remote: &mut Remote,
    input_type: String,
    set: &Map<String, Value>,
) -> anyhow::Result<()> {
    let Some(fields) = fields_of(remote, &input_type).await else {
        return Ok(());
    };
    for (name, value) in set {
        let Some(field) = fields.iter().find(|f| &f.name == name) else {
            let valid: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
            return Err(Failure::Usage(format!(
                "{input_type} has no field {name:?}; its fields are: {}",
                valid.join(", ")
            ))
            .into());
        };
        if let Value::String(text) = value
            && (field.list || field.base != "String")
            && meant_as_json(&field.base, field.list, text)
        {
            let kind = if field.list { "a list" } else { &field.base };
            return Err(Failure::Usage(format!(
                "{name} takes {kind}, not text: write --set {name}:={text}"
            ))
            .into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_given_as_text_are_recognised() {
        assert!(meant_as_json("Int", false, "102"));
        assert!(!meant_as_json("Int", false, "a hundred"));
        assert!(meant_as_json("Boolean", false, "true"));
        assert!(meant_as_json("String", true, "[\"Drama\"]"));
        assert!(!meant_as_json("Date", false, "1993-10-01"));
    }

    #[test]
    fn wrapped_types_are_unwrapped() {
        let field = field_of(&json!({"name": "genres", "type": {"kind": "LIST", "name": null,
            "ofType": {"kind": "NON_NULL", "name": null, "ofType": {"kind": "SCALAR", "name": "String"}}}}))
        .unwrap();
        assert_eq!(field.base, "String");
        assert!(field.list);
    }
}
