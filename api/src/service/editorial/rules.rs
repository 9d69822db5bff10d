//! What a proposal must satisfy, derived from the targets' description (`fields`): each value
//! checked against its field's type and limits, fields required on creation, references to
//! objects that exist, and the one rule across fields (a score within its scale).

use super::EditorialError;
use super::fields::{self, Field, FieldType, Latest, MAX_SHORT_TEXT_CHARS};
use super::targets::current_state;
use chrono::{NaiveDate, Utc};
use entity::TargetType;
use sea_orm::ConnectionTrait;
use serde_json::{Map, Value};

/// Longest reason or review note.
pub const MAX_REASON_CHARS: usize = 2_000;

pub(super) fn check_text(field: &str, text: &str, max: usize) -> Result<(), EditorialError> {
    if text.chars().count() > max {
        return Err(EditorialError::invalid(
            field,
            format!("`{field}` is longer than {max} characters"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return Err(EditorialError::invalid(
            field,
            format!("`{field}` contains control characters"),
        ));
    }
    Ok(())
}

/// An http(s) URL of at most [`MAX_SHORT_TEXT_CHARS`], without whitespace.
pub fn check_url(field: &str, url: &str) -> Result<(), EditorialError> {
    check_text(field, url, MAX_SHORT_TEXT_CHARS)?;
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > "https://".len()
        && !url.contains(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(EditorialError::invalid(
            field,
            format!("`{field}` must be an http(s) URL"),
        ))
    }
}

/// Checks proposed values against the target's description (see `fields`), given the object's
/// current state (`None` for a creation). Needs no database: whether referenced objects
/// exist is checked apart.
pub fn validate(
    target: TargetType,
    proposed: &Map<String, Value>,
    current: Option<&Value>,
) -> Result<(), EditorialError> {
    for (name, value) in proposed {
        let Some(field) = fields::field(target, name) else {
            return Err(EditorialError::invalid(
                name,
                format!("`{name}` cannot be edited on this kind of object"),
            ));
        };
        check_field(field, value)?;
    }
    if target == TargetType::Score {
        let get = |name: &str| {
            proposed
                .get(name)
                .or_else(|| current.and_then(|c| c.get(name)))
                .cloned()
                .unwrap_or(Value::Null)
        };
        let scale = get("scale").as_f64().unwrap_or(100.0);
        if let Value::Number(n) = get("value") {
            let v = n.as_f64().unwrap_or(-1.0);
            if !(0.0..=scale).contains(&v) {
                return Err(EditorialError::invalid(
                    "value",
                    format!("`value` must be between 0 and the scale ({scale})"),
                ));
            }
        }
    }
    Ok(())
}

/// Checks one proposed value against its field's description.
fn check_field(field: &Field, value: &Value) -> Result<(), EditorialError> {
    let name = field.name;
    let invalid = |message: String| Err(EditorialError::invalid(name, message));
    let texty = matches!(field.ty, FieldType::Text { .. } | FieldType::Slug);
    if value.is_null() {
        return match (field.nullable, texty) {
            (true, _) => Ok(()),
            (false, true) => invalid(format!("`{name}` cannot be empty")),
            (false, false) => invalid(format!("`{name}` cannot be null")),
        };
    }
    if texty && !field.nullable && value.as_str().is_none_or(|s| s.trim().is_empty()) {
        return invalid(format!("`{name}` cannot be empty"));
    }
    match field.ty {
        FieldType::Text { max_chars } => {
            let Some(text) = value.as_str() else {
                return invalid(format!("`{name}` must be text"));
            };
            check_text(name, text, max_chars)?;
            if text.trim().is_empty() {
                return invalid(format!("`{name}` cannot be blank: send null to clear it"));
            }
        }
        FieldType::Slug => {
            let slug = value.as_str().unwrap_or_default();
            let ok = slug.split('-').all(|w| {
                !w.is_empty()
                    && w.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            });
            if !ok || slug.len() > 200 {
                return Err(EditorialError::invalid(
                    name,
                    "slugs are lowercase ASCII words and digits joined by `-`",
                ));
            }
        }
        FieldType::Url => match value.as_str() {
            Some(url) => check_url(name, url)?,
            None => return invalid(format!("`{name}` must be an http(s) URL")),
        },
        FieldType::Date { latest } => {
            let date = value
                .as_str()
                .and_then(|text| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok());
            let Some(date) = date else {
                return invalid(format!("`{name}` is not a date"));
            };
            let today = Utc::now().date_naive();
            let earliest = NaiveDate::from_ymd_opt(1870, 1, 1).unwrap_or(date);
            let latest = match latest {
                Latest::Today => today,
                Latest::TenYearsAhead => today + chrono::Duration::days(3_660),
            };
            if date < earliest || date > latest {
                return invalid(format!("`{name}` must be between 1870-01-01 and {latest}"));
            }
        }
        FieldType::Int { min, max } => {
            if !value.as_i64().is_some_and(|n| (min..=max).contains(&n)) {
                return invalid(format!("`{name}` must be between {min} and {max}"));
            }
        }
        FieldType::IntOneOf(allowed) => {
            if !value.as_i64().is_some_and(|n| allowed.contains(&n)) {
                let listed: Vec<String> = allowed.iter().map(i64::to_string).collect();
                return invalid(format!("`{name}` must be {}", listed.join(" or ")));
            }
        }
        FieldType::Float => {
            if !value.is_number() {
                return invalid(format!("`{name}` must be a number"));
            }
        }
        FieldType::Bool => {
            if !value.is_boolean() {
                return invalid(format!("`{name}` must be true or false"));
            }
        }
        FieldType::Enum { values, .. } => {
            let known = values();
            if !value.as_str().is_some_and(|v| known.iter().any(|k| k == v)) {
                return invalid(format!("`{name}` must be one of {}", known.join(", ")));
            }
        }
        FieldType::TextList { max_items } => {
            let Some(items) = value.as_array() else {
                return invalid(format!("`{name}` must be a list of texts"));
            };
            if items.len() > max_items {
                return invalid(format!("`{name}` has too many entries"));
            }
            let mut seen = std::collections::HashSet::new();
            for item in items {
                let text = item.as_str().unwrap_or_default();
                if text.trim().is_empty() || !seen.insert(text.to_lowercase()) {
                    return invalid(format!("`{name}` entries must be non-empty and distinct"));
                }
                check_text(name, text, MAX_SHORT_TEXT_CHARS)?;
            }
        }
        FieldType::Reference(_) => {
            if value.as_i64().is_none() {
                return invalid(format!("`{name}` must be the id of an object"));
            }
        }
    }
    Ok(())
}

/// A reason or review note: at most [`MAX_REASON_CHARS`] characters of text, not blank when
/// `required`.
pub fn check_reason(field: &str, reason: &str, required: bool) -> Result<(), EditorialError> {
    if required && reason.trim().is_empty() {
        return Err(EditorialError::invalid(
            field,
            format!("`{field}` is required: say why"),
        ));
    }
    check_text(field, reason, MAX_REASON_CHARS)
}

/// The first field a creation must give but leaves out (or sends as null), if any.
pub fn missing_on_create(
    target: TargetType,
    proposed: &Map<String, Value>,
) -> Option<&'static str> {
    fields::described(target)
        .iter()
        .filter(|f| f.required_on_create)
        .map(|f| f.name)
        .find(|name| proposed.get(*name).is_none_or(Value::is_null))
}

/// The objects a proposal refers to (its reference fields, per the description) must exist.
pub(super) async fn check_references<C: ConnectionTrait>(
    db: &C,
    target: TargetType,
    proposed: &Map<String, Value>,
) -> Result<(), EditorialError> {
    for (field, refers_to) in fields::described(target)
        .iter()
        .filter_map(|f| Some((f.name, f.reference()?)))
    {
        if let Some(id) = proposed.get(field).and_then(Value::as_i64)
            && current_state(db, refers_to, id, false).await?.is_none()
        {
            return Err(EditorialError::invalid(
                field,
                format!("`{field}` refers to nothing"),
            ));
        }
    }
    Ok(())
}
