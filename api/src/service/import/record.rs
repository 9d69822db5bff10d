//! Stinger's own description of a film with everything around it: what every import source is
//! turned into, and one line of Stinger's NDJSON export format.

use chrono::NaiveDate;
use entity::{CompanyRole, CreditSceneKind, Department, ScoreKind, ScoreSource};
use serde::{Deserialize, Serialize};

/// A film and all that belongs to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilmRecord {
    /// Derived from the title and year when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_minutes: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mpaa_rating: Option<String>,
    #[serde(default)]
    pub genres: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tagline: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synopsis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plot: Option<String>,
    /// Both kinds of credit scene are confirmed complete, unless a per-kind field says otherwise.
    #[serde(default)]
    pub credit_scenes_confirmed: bool,
    /// Scenes during the credits confirmed complete (default: `credit_scenes_confirmed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub during_credits_confirmed: Option<bool>,
    /// Scenes after the credits confirmed complete (default: `credit_scenes_confirmed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_credits_confirmed: Option<bool>,
    #[serde(default)]
    pub credits: Vec<CreditRecord>,
    #[serde(default)]
    pub companies: Vec<FilmCompanyRecord>,
    #[serde(default)]
    pub scores: Vec<ScoreRecord>,
    #[serde(default)]
    pub trivia: Vec<TriviaRecord>,
    #[serde(default)]
    pub credit_scenes: Vec<CreditSceneRecord>,
}

impl FilmRecord {
    /// Whether scenes during, and after, the credits are confirmed complete.
    pub fn scenes_confirmed(&self) -> (bool, bool) {
        let all = self.credit_scenes_confirmed;
        (
            self.during_credits_confirmed.unwrap_or(all),
            self.after_credits_confirmed.unwrap_or(all),
        )
    }

    /// Records the two confirmations the way older files read them: one flag when they agree.
    pub fn set_scenes_confirmed(&mut self, during: bool, after: bool) {
        self.credit_scenes_confirmed = during && after;
        let split = during != after;
        self.during_credits_confirmed = split.then_some(during);
        self.after_credits_confirmed = split.then_some(after);
    }
}

/// A person named by a record; people are matched by slug.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biography: Option<String>,
}

/// A company named by a record; companies are matched by slug.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A credit of a person on the film.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditRecord {
    pub person: PersonRecord,
    pub department: Department,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub character: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_order: Option<i32>,
}

/// A company's role on the film.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilmCompanyRecord {
    pub company: CompanyRecord,
    pub role: CompanyRole,
}

/// A score; `value: null` means the source shows none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreRecord {
    pub source: ScoreSource,
    pub kind: ScoreKind,
    pub value: Option<f64>,
    pub scale: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vote_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
}

/// A trivia item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriviaRecord {
    pub question: String,
    pub answer: String,
    #[serde(default)]
    pub wrong_choices: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<i32>,
    #[serde(default)]
    pub spoiler: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A mid- or post-credits scene.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditSceneRecord {
    pub kind: CreditSceneKind,
    pub position: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at_seconds: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length_seconds: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Slug of the film this scene teases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teases_film: Option<String>,
}
