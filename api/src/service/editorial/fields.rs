//! The editable targets, described once: per target, every field an edit may set, with its
//! type and limits, whether it may be null, whether a creation must give it, its default on
//! creation and the kind of object it refers to.
//!
//! Everything else is derived from these tables: validation (`rules`), creation defaults and
//! reference checks (`propose`), which fields a diff records (`apply`, `history`, revisions of
//! imports), and a test that the typed GraphQL `*ChangesInput` inputs match them field by field.

use entity::{CompanyRole, CreditSceneKind, Department, ScoreKind, ScoreSource, TargetType};
use sea_orm::{ActiveEnum, Iterable};
use serde_json::{Value, json};

/// Longest long text (synopsis, plot, biography, description, question, answer).
pub const MAX_LONG_TEXT_CHARS: usize = 20_000;
/// Longest short text (titles, names, jobs, URLs).
pub const MAX_SHORT_TEXT_CHARS: usize = 500;
/// Most entries in a list of texts (genres, wrong choices).
pub const MAX_LIST_ITEMS: usize = 20;
/// The scales a score may be given on.
pub const SCORE_SCALES: &[i64] = &[10, 100];

/// Whether `scale` is one a score may be given on (edits and imports alike).
pub fn is_score_scale(scale: i64) -> bool {
    SCORE_SCALES.contains(&scale)
}

/// The latest day a date field accepts (the earliest is always 1870-01-01).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Latest {
    /// Today: the day has happened.
    Today,
    /// About ten years from now: announced release dates.
    TenYearsAhead,
}

/// What a field holds, with its limits.
#[derive(Debug, Clone, Copy)]
pub enum FieldType {
    /// Text of at most `max_chars` characters, without control characters other than line
    /// breaks and tabs.
    Text { max_chars: usize },
    /// Lowercase ASCII words and digits joined by `-`, at most 200 bytes.
    Slug,
    /// An http(s) URL of at most [`MAX_SHORT_TEXT_CHARS`].
    Url,
    /// A day, `YYYY-MM-DD`, from 1870-01-01 to `latest`.
    Date { latest: Latest },
    /// A whole number in `min..=max`.
    Int { min: i64, max: i64 },
    /// One of a few whole numbers.
    IntOneOf(&'static [i64]),
    /// A number (its range, if any, is a rule of the target: see `rules`).
    Float,
    /// True or false.
    Bool,
    /// A value of a domain enum, named as in `entity` (and mirrored in GraphQL under that name).
    Enum {
        name: &'static str,
        values: fn() -> Vec<String>,
    },
    /// Distinct, non-empty short texts, at most `max_items` of them (the whole list is replaced).
    TextList { max_items: usize },
    /// The id of an existing object of this type.
    Reference(TargetType),
}

/// A value a creation gets for a field it leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Initial {
    False,
    EmptyList,
}

impl Initial {
    /// The value as stored in an edit.
    pub fn value(self) -> Value {
        match self {
            Self::False => json!(false),
            Self::EmptyList => json!([]),
        }
    }
}

/// One editable field of a target.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The column (snake_case; `genres` for a film's genres).
    pub name: &'static str,
    pub ty: FieldType,
    /// Null clears it; otherwise it always has a value.
    pub nullable: bool,
    /// A creation must give it.
    pub required_on_create: bool,
    /// What a creation that leaves it out stores.
    pub default: Option<Initial>,
}

impl Field {
    /// The object this field refers to, if it is a reference.
    pub fn reference(&self) -> Option<TargetType> {
        match self.ty {
            FieldType::Reference(target) => Some(target),
            _ => None,
        }
    }
}

/// A nullable field, optional on creation.
const fn optional(name: &'static str, ty: FieldType) -> Field {
    Field {
        name,
        ty,
        nullable: true,
        required_on_create: false,
        default: None,
    }
}

/// A field that is never null and that a creation must give.
const fn required(name: &'static str, ty: FieldType) -> Field {
    Field {
        name,
        ty,
        nullable: false,
        required_on_create: true,
        default: None,
    }
}

/// A field that is never null, with a default on creation.
const fn defaulted(name: &'static str, ty: FieldType, default: Initial) -> Field {
    Field {
        name,
        ty,
        nullable: false,
        required_on_create: false,
        default: Some(default),
    }
}

/// The stored values of a domain enum.
fn values<E>() -> Vec<String>
where
    E: ActiveEnum<Value = String> + Iterable,
{
    E::iter().map(|v| v.to_value()).collect()
}

const SHORT: FieldType = FieldType::Text {
    max_chars: MAX_SHORT_TEXT_CHARS,
};
const LONG: FieldType = FieldType::Text {
    max_chars: MAX_LONG_TEXT_CHARS,
};
const TEXTS: FieldType = FieldType::TextList {
    max_items: MAX_LIST_ITEMS,
};
const FILM: FieldType = FieldType::Reference(TargetType::Film);
const SECONDS: FieldType = FieldType::Int {
    min: 0,
    max: 36_000,
};

const FILM_FIELDS: &[Field] = &[
    required("slug", FieldType::Slug),
    required("title", SHORT),
    optional("original_title", SHORT),
    optional(
        "release_date",
        FieldType::Date {
            latest: Latest::TenYearsAhead,
        },
    ),
    optional("runtime_minutes", FieldType::Int { min: 1, max: 1_500 }),
    optional("mpaa_rating", SHORT),
    optional("tagline", SHORT),
    optional("synopsis", LONG),
    optional("plot", LONG),
    defaulted("credit_scenes_confirmed", FieldType::Bool, Initial::False),
    defaulted("genres", TEXTS, Initial::EmptyList),
];

const CREDIT_SCENE_FIELDS: &[Field] = &[
    required("film_id", FILM),
    required(
        "kind",
        FieldType::Enum {
            name: "CreditSceneKind",
            values: values::<CreditSceneKind>,
        },
    ),
    required("position", FieldType::Int { min: 1, max: 50 }),
    optional("starts_at_seconds", SECONDS),
    optional("length_seconds", SECONDS),
    optional("hint", SHORT),
    optional("description", LONG),
    optional("teases_film_id", FILM),
];

const PERSON_FIELDS: &[Field] = &[
    required("slug", FieldType::Slug),
    required("name", SHORT),
    optional(
        "birth_date",
        FieldType::Date {
            latest: Latest::Today,
        },
    ),
    optional("biography", LONG),
];

const CREDIT_FIELDS: &[Field] = &[
    required("film_id", FILM),
    required("person_id", FieldType::Reference(TargetType::Person)),
    required(
        "department",
        FieldType::Enum {
            name: "Department",
            values: values::<Department>,
        },
    ),
    optional("job", SHORT),
    optional("character", SHORT),
    optional(
        "billing_order",
        FieldType::Int {
            min: 0,
            max: 100_000,
        },
    ),
];

const COMPANY_FIELDS: &[Field] = &[
    required("slug", FieldType::Slug),
    required("name", SHORT),
    optional("country", SHORT),
];

const FILM_COMPANY_FIELDS: &[Field] = &[
    required("film_id", FILM),
    required("company_id", FieldType::Reference(TargetType::Company)),
    required(
        "role",
        FieldType::Enum {
            name: "CompanyRole",
            values: values::<CompanyRole>,
        },
    ),
];

const SCORE_FIELDS: &[Field] = &[
    required("film_id", FILM),
    required(
        "source",
        FieldType::Enum {
            name: "ScoreSource",
            values: values::<ScoreSource>,
        },
    ),
    required(
        "kind",
        FieldType::Enum {
            name: "ScoreKind",
            values: values::<ScoreKind>,
        },
    ),
    optional("value", FieldType::Float),
    required("scale", FieldType::IntOneOf(SCORE_SCALES)),
    optional(
        "vote_count",
        FieldType::Int {
            min: 0,
            max: i64::MAX,
        },
    ),
    optional(
        "as_of",
        FieldType::Date {
            latest: Latest::Today,
        },
    ),
    optional("source_url", FieldType::Url),
];

const TRIVIA_FIELDS: &[Field] = &[
    required("film_id", FILM),
    required("question", LONG),
    required("answer", LONG),
    defaulted("wrong_choices", TEXTS, Initial::EmptyList),
    optional("difficulty", FieldType::Int { min: 1, max: 5 }),
    defaulted("spoiler", FieldType::Bool, Initial::False),
    optional("source", SHORT),
];

/// The fields an edit may set on a target, in the order editors see them.
pub fn described(target: TargetType) -> &'static [Field] {
    match target {
        TargetType::Film => FILM_FIELDS,
        TargetType::CreditScene => CREDIT_SCENE_FIELDS,
        TargetType::Person => PERSON_FIELDS,
        TargetType::Credit => CREDIT_FIELDS,
        TargetType::Company => COMPANY_FIELDS,
        TargetType::FilmCompany => FILM_COMPANY_FIELDS,
        TargetType::Score => SCORE_FIELDS,
        TargetType::Trivia => TRIVIA_FIELDS,
    }
}

/// The description of one field of a target, if an edit may set it.
pub fn field(target: TargetType, name: &str) -> Option<&'static Field> {
    described(target).iter().find(|f| f.name == name)
}

/// The names of the fields an edit may set on a target (snake_case).
pub fn editable_fields(target: TargetType) -> impl Iterator<Item = &'static str> {
    described(target).iter().map(|f| f.name)
}

/// What a creation stores for the fields it leaves out.
pub fn defaults_on_create(target: TargetType) -> serde_json::Map<String, Value> {
    described(target)
        .iter()
        .filter_map(|f| Some((f.name.to_owned(), f.default?.value())))
        .collect()
}

/// An object's state as a diff sees it: the described fields only (no id, version or times).
pub fn diffable(target: TargetType, state: Value) -> serde_json::Map<String, Value> {
    match state {
        Value::Object(fields) => fields
            .into_iter()
            .filter(|(name, _)| field(target, name).is_some())
            .collect(),
        _ => serde_json::Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_is_described_with_distinct_names() {
        for target in TargetType::iter() {
            let names: Vec<_> = editable_fields(target).collect();
            let distinct: std::collections::HashSet<_> = names.iter().collect();
            assert_eq!(names.len(), distinct.len(), "{target:?}: {names:?}");
            assert!(!names.is_empty(), "{target:?}");
        }
    }

    #[test]
    fn required_fields_are_never_null_and_defaults_only_where_optional() {
        for target in TargetType::iter() {
            for f in described(target) {
                if f.required_on_create {
                    assert!(!f.nullable && f.default.is_none(), "{target:?}.{}", f.name);
                }
                if f.default.is_some() {
                    assert!(!f.required_on_create, "{target:?}.{}", f.name);
                }
            }
        }
    }

    #[test]
    fn creation_defaults_come_from_the_description() {
        assert_eq!(
            Value::Object(defaults_on_create(TargetType::Trivia)),
            json!({"spoiler": false, "wrong_choices": []})
        );
        assert!(defaults_on_create(TargetType::Score).is_empty());
    }

    #[test]
    fn enum_fields_list_the_stored_values() {
        let Some(FieldType::Enum { values, .. }) =
            field(TargetType::CreditScene, "kind").map(|f| f.ty)
        else {
            panic!("credit scene kind is not an enum");
        };
        assert_eq!(values(), ["MID_CREDITS", "POST_CREDITS"]);
    }

    #[test]
    fn diffs_keep_only_described_fields() {
        let state = json!({"id": 3, "version": 2, "title": "M", "created_at": "x", "genres": []});
        assert_eq!(
            Value::Object(diffable(TargetType::Film, state)),
            json!({"title": "M", "genres": []})
        );
    }
}
