//! The validation of a proposed edit (`proposeEdit`, `stinger-admin submit`), everything it
//! checks before consulting the database: the reason, the evidence URL, shorthand fields, each
//! value against its field's description and the fields a creation must give. Any input gives
//! `Ok` or a user error, never a panic.
//!
//! The input is JSON: `{"target": "FILM", "create": false, "fields": {…}, "reason": "…",
//! "evidence": "…", "current": {…}}` (`current`: the object as stored, for an update).
#![no_main]

use entity::TargetType;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use stinger_api::service::editorial::{
    check_reason, check_url, fields::expand_shorthands, missing_on_create, validate,
};

#[derive(serde::Deserialize)]
struct Input {
    target: TargetType,
    #[serde(default)]
    create: bool,
    #[serde(default)]
    fields: Map<String, Value>,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    evidence: Option<String>,
    #[serde(default)]
    current: Option<Value>,
}

fuzz_target!(|data: &[u8]| {
    let Ok(mut input) = serde_json::from_slice::<Input>(data) else {
        return;
    };
    let _ = check_reason("reason", &input.reason, true);
    if let Some(evidence) = &input.evidence {
        let _ = check_url("evidence", evidence);
    }
    expand_shorthands(input.target, &mut input.fields);
    let current = if input.create {
        None
    } else {
        input.current.as_ref()
    };
    if let Err(err) = validate(input.target, &input.fields, current) {
        std::hint::black_box(err.to_string());
    }
    if input.create {
        std::hint::black_box(missing_on_create(input.target, &input.fields));
    }
});
