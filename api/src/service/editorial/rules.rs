//! What a proposal must satisfy: text and number limits, dates, URLs, slugs, fields required
//! on creation and their defaults, and references to other objects.

use super::EditorialError;
use super::targets::{current_state, editable_fields};
use chrono::{NaiveDate, Utc};
use entity::TargetType;
use sea_orm::ConnectionTrait;
use serde_json::{Map, Value, json};

/// Longest reason or review note.
pub const MAX_REASON_CHARS: usize = 2_000;
/// Longest long text (synopsis, plot, biography, description, question, answer).
pub const MAX_LONG_TEXT_CHARS: usize = 20_000;
/// Longest short text (titles, names, jobs, URLs).
pub const MAX_SHORT_TEXT_CHARS: usize = 500;

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

pub(super) fn check_url(field: &str, url: &str) -> Result<(), EditorialError> {
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

pub(super) fn int_in(
    field: &str,
    value: &Value,
    range: std::ops::RangeInclusive<i64>,
) -> Result<(), EditorialError> {
    match value {
        Value::Null => Ok(()),
        v => match v.as_i64() {
            Some(n) if range.contains(&n) => Ok(()),
            _ => Err(EditorialError::invalid(
                field,
                format!(
                    "`{field}` must be between {} and {}",
                    range.start(),
                    range.end()
                ),
            )),
        },
    }
}

pub(super) const REQUIRED_TEXT: [&str; 5] = ["slug", "title", "name", "question", "answer"];
pub(super) const LONG_TEXT: [&str; 6] = [
    "synopsis",
    "plot",
    "biography",
    "description",
    "question",
    "answer",
];

/// Checks proposed values, given the object's current state (`None` for a creation).
pub(super) fn validate(
    target: TargetType,
    fields: &Map<String, Value>,
    current: Option<&Value>,
) -> Result<(), EditorialError> {
    let allowed = editable_fields(target);
    for (field, value) in fields {
        if !allowed.contains(&field.as_str()) {
            return Err(EditorialError::invalid(
                field,
                format!("`{field}` cannot be edited on this kind of object"),
            ));
        }
        if REQUIRED_TEXT.contains(&field.as_str())
            && value.as_str().is_none_or(|s| s.trim().is_empty())
        {
            return Err(EditorialError::invalid(
                field,
                format!("`{field}` cannot be empty"),
            ));
        }
        match (field.as_str(), value) {
            ("source_url", Value::String(url)) => check_url(field, url)?,
            ("slug", Value::String(slug)) => {
                let ok = slug.split('-').all(|w| {
                    !w.is_empty()
                        && w.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                });
                if !ok || slug.len() > 200 {
                    return Err(EditorialError::invalid(
                        field,
                        "slugs are lowercase ASCII words and digits joined by `-`",
                    ));
                }
            }
            (_, Value::String(text)) => {
                let max = if LONG_TEXT.contains(&field.as_str()) {
                    MAX_LONG_TEXT_CHARS
                } else {
                    MAX_SHORT_TEXT_CHARS
                };
                check_text(field, text, max)?;
                if text.trim().is_empty() {
                    return Err(EditorialError::invalid(
                        field,
                        format!("`{field}` cannot be blank: send null to clear it"),
                    ));
                }
            }
            ("genres" | "wrong_choices", Value::Array(items)) => {
                if items.len() > 20 {
                    return Err(EditorialError::invalid(
                        field,
                        format!("`{field}` has too many entries"),
                    ));
                }
                let mut seen = std::collections::HashSet::new();
                for item in items {
                    let text = item.as_str().unwrap_or_default();
                    if text.trim().is_empty() || !seen.insert(text.to_lowercase()) {
                        return Err(EditorialError::invalid(
                            field,
                            format!("`{field}` entries must be non-empty and distinct"),
                        ));
                    }
                    check_text(field, text, MAX_SHORT_TEXT_CHARS)?;
                }
            }
            _ => {}
        }
        match field.as_str() {
            "runtime_minutes" => int_in(field, value, 1..=1_500)?,
            "position" => int_in(field, value, 1..=50)?,
            "starts_at_seconds" | "length_seconds" => int_in(field, value, 0..=36_000)?,
            "billing_order" => int_in(field, value, 0..=100_000)?,
            "difficulty" => int_in(field, value, 1..=5)?,
            "vote_count" => int_in(field, value, 0..=i64::MAX)?,
            "scale" if !matches!(value.as_i64(), Some(10 | 100)) => {
                return Err(EditorialError::invalid(field, "`scale` must be 10 or 100"));
            }
            "release_date" | "birth_date" | "as_of" => {
                if let Some(text) = value.as_str() {
                    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
                        EditorialError::invalid(field, format!("`{field}` is not a date"))
                    })?;
                    let today = Utc::now().date_naive();
                    let earliest = NaiveDate::from_ymd_opt(1870, 1, 1).unwrap_or(date);
                    let latest = if field == "release_date" {
                        today + chrono::Duration::days(3_660)
                    } else {
                        today
                    };
                    if date < earliest || date > latest {
                        return Err(EditorialError::invalid(
                            field,
                            format!("`{field}` must be between 1870-01-01 and {latest}"),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    if target == TargetType::Score {
        let get = |name: &str| {
            fields
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

pub(super) fn check_reason(
    field: &str,
    reason: &str,
    required: bool,
) -> Result<(), EditorialError> {
    if required && reason.trim().is_empty() {
        return Err(EditorialError::invalid(
            field,
            format!("`{field}` is required: say why"),
        ));
    }
    check_text(field, reason, MAX_REASON_CHARS)
}

/// Fields a creation must give, per target.
pub(super) fn required_on_create(target: TargetType) -> &'static [&'static str] {
    match target {
        TargetType::Film => &["slug", "title"],
        TargetType::CreditScene => &["film_id", "kind", "position"],
        TargetType::Person | TargetType::Company => &["slug", "name"],
        TargetType::Credit => &["film_id", "person_id", "department"],
        TargetType::FilmCompany => &["film_id", "company_id", "role"],
        TargetType::Score => &["film_id", "source", "kind", "scale"],
        TargetType::Trivia => &["film_id", "question", "answer"],
    }
}

/// Defaults of non-null columns a creation may leave out.
pub(super) fn defaults_on_create(target: TargetType) -> Map<String, Value> {
    let mut defaults = Map::new();
    match target {
        TargetType::Film => {
            defaults.insert("credit_scenes_confirmed".to_owned(), json!(false));
            defaults.insert("genres".to_owned(), json!([]));
        }
        TargetType::Trivia => {
            defaults.insert("spoiler".to_owned(), json!(false));
            defaults.insert("wrong_choices".to_owned(), json!([]));
        }
        _ => {}
    }
    defaults
}

/// The objects a creation refers to must exist.
pub(super) async fn check_references<C: ConnectionTrait>(
    db: &C,
    fields: &Map<String, Value>,
) -> Result<(), EditorialError> {
    for (field, target) in [
        ("film_id", TargetType::Film),
        ("teases_film_id", TargetType::Film),
        ("person_id", TargetType::Person),
        ("company_id", TargetType::Company),
    ] {
        if let Some(id) = fields.get(field).and_then(Value::as_i64)
            && current_state(db, target, id, false).await?.is_none()
        {
            return Err(EditorialError::invalid(
                field,
                format!("`{field}` refers to nothing"),
            ));
        }
    }
    Ok(())
}
