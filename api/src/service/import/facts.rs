//! Reads a film fact sheet (the `*.facts.json` format of `shared/data`) into a [`FilmRecord`].

use super::ImportError;
use super::record::{
    CompanyRecord, CreditRecord, FilmCompanyRecord, FilmRecord, PersonRecord, ScoreRecord,
    TriviaRecord,
};
use chrono::NaiveDate;
use entity::{CompanyRole, Department, ScoreKind, ScoreSource};
use serde::Deserialize;

#[derive(Deserialize)]
struct FactSheet {
    title: String,
    us_release_date: Option<NaiveDate>,
    runtime_minutes: Option<i32>,
    mpaa_rating: Option<String>,
    #[serde(default)]
    genres: Vec<String>,
    #[serde(default)]
    directors: Vec<String>,
    #[serde(default)]
    writers: Vec<String>,
    #[serde(default)]
    cast: Vec<CastFact>,
    #[serde(default)]
    companies: Vec<CompanyFact>,
    end_credit_scenes: Option<CreditScenesFact>,
    #[serde(default)]
    scores: Vec<ScoreFact>,
    #[serde(default)]
    trivia: Vec<TriviaFact>,
}

#[derive(Deserialize)]
struct CastFact {
    person: String,
    character: Option<String>,
    billing: Option<i32>,
}

#[derive(Deserialize)]
struct CompanyFact {
    company: String,
    role: String,
}

#[derive(Deserialize)]
struct CreditScenesFact {
    mid_credits: bool,
    post_credits: bool,
    confirmed: bool,
}

#[derive(Deserialize)]
struct ScoreFact {
    source: String,
    kind: String,
    value: Option<f64>,
    scale: i32,
}

#[derive(Deserialize)]
struct TriviaFact {
    question: String,
    answer: String,
}

/// Parses a fact sheet. Unknown score sources, kinds or company roles are errors: a fact sheet
/// is curated, so a surprise there is a mistake to fix, not to skip.
pub fn parse(bytes: &[u8]) -> Result<FilmRecord, ImportError> {
    let sheet: FactSheet = serde_json::from_slice(bytes).map_err(ImportError::Json)?;
    let person = |name: &str| PersonRecord {
        slug: None,
        name: name.to_owned(),
        birth_date: None,
        biography: None,
    };
    let mut credits = Vec::new();
    for name in &sheet.directors {
        credits.push(CreditRecord {
            person: person(name),
            department: Department::Directing,
            job: Some("Director".to_owned()),
            character: None,
            billing_order: None,
        });
    }
    for name in &sheet.writers {
        credits.push(CreditRecord {
            person: person(name),
            department: Department::Writing,
            job: Some("Writer".to_owned()),
            character: None,
            billing_order: None,
        });
    }
    for cast in &sheet.cast {
        credits.push(CreditRecord {
            person: person(&cast.person),
            department: Department::Cast,
            job: None,
            character: cast.character.clone(),
            billing_order: cast.billing,
        });
    }
    let companies = sheet
        .companies
        .iter()
        .map(|c| {
            let role = match c.role.to_ascii_lowercase().as_str() {
                "production" => CompanyRole::Production,
                "distribution" => CompanyRole::Distribution,
                other => {
                    return Err(ImportError::Invalid(format!(
                        "unknown company role {other:?}"
                    )));
                }
            };
            Ok(FilmCompanyRecord {
                company: CompanyRecord {
                    slug: None,
                    name: c.company.clone(),
                    country: None,
                },
                role,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let scores = sheet
        .scores
        .iter()
        .map(|s| {
            let source = match s.source.to_ascii_lowercase().as_str() {
                "imdb" => ScoreSource::Imdb,
                "metacritic" => ScoreSource::Metacritic,
                "rotten_tomatoes" => ScoreSource::RottenTomatoes,
                "tmdb" => ScoreSource::Tmdb,
                "letterboxd" => ScoreSource::Letterboxd,
                other => {
                    return Err(ImportError::Invalid(format!(
                        "unknown score source {other:?}"
                    )));
                }
            };
            let kind = match s.kind.to_ascii_lowercase().as_str() {
                "critics" => ScoreKind::Critics,
                "users" | "audience" => ScoreKind::Audience,
                other => {
                    return Err(ImportError::Invalid(format!(
                        "unknown score kind {other:?}"
                    )));
                }
            };
            Ok(ScoreRecord {
                source,
                kind,
                value: s.value,
                scale: s.scale,
                vote_count: None,
                as_of: None,
                source_url: None,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let scenes = sheet.end_credit_scenes.as_ref();
    if scenes.is_some_and(|s| s.mid_credits || s.post_credits) {
        return Err(ImportError::Invalid(
            "the fact sheet says there are credit scenes but does not describe them".to_owned(),
        ));
    }
    Ok(FilmRecord {
        slug: None,
        title: sheet.title,
        original_title: None,
        release_date: sheet.us_release_date,
        runtime_minutes: sheet.runtime_minutes,
        mpaa_rating: sheet.mpaa_rating,
        genres: sheet.genres,
        tagline: None,
        synopsis: None,
        plot: None,
        credit_scenes_confirmed: scenes.is_some_and(|s| s.confirmed),
        during_credits_confirmed: None,
        after_credits_confirmed: None,
        credits,
        companies,
        scores,
        trivia: sheet
            .trivia
            .into_iter()
            .map(|t| TriviaRecord {
                question: t.question,
                answer: t.answer,
                wrong_choices: Vec::new(),
                difficulty: None,
                spoiler: false,
                source: None,
            })
            .collect(),
        credit_scenes: Vec::new(),
    })
}
