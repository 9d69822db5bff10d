//! Reads the vega-datasets `movies.json` (3,201 films) into [`FilmRecord`]s, repairing what can
//! be repaired and noting every record it skips or doubts.

use super::record::{
    CompanyRecord, CreditRecord, FilmCompanyRecord, FilmRecord, PersonRecord, ScoreRecord,
};
use super::{ImportError, Note, NoteKind};
use crate::text::repair_mojibake;
use chrono::{Datelike, NaiveDate};
use entity::{CompanyRole, Department, ScoreKind, ScoreSource};
use serde_json::Value;

/// The vega file as parsed: the films to import and what was noticed on the way.
#[derive(Debug, Default)]
pub struct VegaParse {
    pub films: Vec<FilmRecord>,
    pub notes: Vec<Note>,
}

/// The newest date a genuine release in the vega movies data can have: the data were compiled
/// around 2010, and the latest real releases in it are from 2011. Later dates (1915–1946 films
/// dated 2015–2046) are two-digit years expanded into the wrong century.
pub const DATASET_HORIZON: NaiveDate = match NaiveDate::from_ymd_opt(2012, 12, 31) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

/// A release date as the file means it: a date later than the file's compilation
/// ([`DATASET_HORIZON`]) is a two-digit year expanded a century late, so it moves back 100
/// years (Ben-Hur's "Dec 30 2025" is 1925-12-30). `None` when the date is already plausible.
pub fn repair_century(date: NaiveDate) -> Option<NaiveDate> {
    if date <= DATASET_HORIZON {
        return None;
    }
    date.with_year(date.year() - 100)
}

/// Parses the vega movies file. Fails only if it is not a JSON array; bad records are noted.
/// Release dates later than the data can hold are repaired (see [`repair_century`]) and noted;
/// a date after `today` that is still left after that is kept but noted as doubtful.
pub fn parse(bytes: &[u8], today: NaiveDate) -> Result<VegaParse, ImportError> {
    let rows: Vec<Value> = serde_json::from_slice(bytes).map_err(ImportError::Json)?;
    let mut parse = VegaParse::default();
    for (index, row) in rows.iter().enumerate() {
        let record = index + 1;
        let Some(title) = title(row.get("Title")) else {
            parse.notes.push(Note::new(
                record,
                "",
                NoteKind::Skipped,
                "the record has no title",
            ));
            continue;
        };
        let mut film = FilmRecord {
            slug: None,
            title: title.clone(),
            original_title: None,
            release_date: None,
            runtime_minutes: None,
            mpaa_rating: None,
            genres: Vec::new(),
            tagline: None,
            synopsis: None,
            plot: None,
            credit_scenes_confirmed: false,
            credits: Vec::new(),
            companies: Vec::new(),
            scores: Vec::new(),
            trivia: Vec::new(),
            credit_scenes: Vec::new(),
        };
        let mut note =
            |kind, reason: String| parse.notes.push(Note::new(record, &title, kind, &reason));

        if let Some(Value::Number(_)) = row.get("Title") {
            note(
                NoteKind::Repaired,
                "the title is a number; kept as text".to_owned(),
            );
        }
        if let Some(repaired) = repair_mojibake(&film.title) {
            note(
                NoteKind::Repaired,
                format!("mangled accents repaired: {:?} → {repaired:?}", film.title),
            );
            film.title = repaired;
        }

        match text(row.get("Release Date")) {
            None => {}
            Some(raw) => match NaiveDate::parse_from_str(&raw, "%b %d %Y") {
                Ok(date) => {
                    let date = match repair_century(date) {
                        Some(repaired) => {
                            note(
                                NoteKind::Repaired,
                                format!(
                                    "release date {date} is later than this data (compiled around 2010) can hold: \
                                     a two-digit year expanded into the wrong century; repaired to {repaired}"
                                ),
                            );
                            repaired
                        }
                        None => date,
                    };
                    if date > today {
                        note(
                            NoteKind::Doubtful,
                            format!("release date {date} is in the future; kept as given"),
                        );
                    }
                    film.release_date = Some(date);
                }
                Err(_) => note(
                    NoteKind::Doubtful,
                    format!("unreadable release date {raw:?}; left unknown"),
                ),
            },
        }

        match integer(row.get("Running Time min")) {
            Some(minutes) if (1..=1000).contains(&minutes) => {
                film.runtime_minutes = i32::try_from(minutes).ok()
            }
            Some(minutes) => note(
                NoteKind::Doubtful,
                format!("implausible running time {minutes} min; left unknown"),
            ),
            None => {}
        }
        film.mpaa_rating = text(row.get("MPAA Rating"));
        film.genres.extend(text(row.get("Major Genre")));

        if let Some(name) = text(row.get("Director")) {
            let name = repair_mojibake(&name).unwrap_or(name);
            film.credits.push(CreditRecord {
                person: PersonRecord {
                    slug: None,
                    name,
                    birth_date: None,
                    biography: None,
                },
                department: Department::Directing,
                job: Some("Director".to_owned()),
                character: None,
                billing_order: None,
            });
        }
        if let Some(name) = text(row.get("Distributor")) {
            let name = repair_mojibake(&name).unwrap_or(name);
            film.companies.push(FilmCompanyRecord {
                company: CompanyRecord {
                    slug: None,
                    name,
                    country: None,
                },
                role: CompanyRole::Distribution,
            });
        }

        match number(row.get("Rotten Tomatoes Rating")) {
            Some(value) if (0.0..=100.0).contains(&value) => film.scores.push(ScoreRecord {
                source: ScoreSource::RottenTomatoes,
                kind: ScoreKind::Critics,
                value: Some(value),
                scale: 100,
                vote_count: None,
                as_of: None,
                source_url: None,
            }),
            Some(value) => note(
                NoteKind::Doubtful,
                format!("Rotten Tomatoes rating {value} is outside 0–100; not imported"),
            ),
            None => {}
        }
        match number(row.get("IMDB Rating")) {
            Some(value) if (0.0..=10.0).contains(&value) => film.scores.push(ScoreRecord {
                source: ScoreSource::Imdb,
                kind: ScoreKind::Audience,
                value: Some(value),
                scale: 10,
                vote_count: integer(row.get("IMDB Votes")),
                as_of: None,
                source_url: None,
            }),
            Some(value) => note(
                NoteKind::Doubtful,
                format!("IMDb rating {value} is outside 0–10; not imported"),
            ),
            None => {}
        }
        parse.films.push(film);
    }
    Ok(parse)
}

/// A title: text as given, a number turned into text, anything empty or missing is none.
fn title(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Number(n) => Some(n.to_string()),
        other => text(Some(other)),
    }
}

/// Trimmed, non-empty text.
fn text(value: Option<&Value>) -> Option<String> {
    value?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn number(value: Option<&Value>) -> Option<f64> {
    value?.as_f64()
}

fn integer(value: Option<&Value>) -> Option<i64> {
    let value = value?;
    value.as_i64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.fract() == 0.0)
            .map(|f| f as i64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn years_after_the_compilation_move_back_a_century() {
        assert_eq!(repair_century(date(2025, 12, 30)), Some(date(1925, 12, 30)));
        assert_eq!(repair_century(date(2016, 9, 5)), Some(date(1916, 9, 5)));
        assert_eq!(repair_century(date(2012, 12, 31)), None);
        assert_eq!(repair_century(date(1959, 11, 18)), None);
    }

    #[test]
    fn a_repaired_date_is_noted_and_the_slug_follows_it() {
        let input = br#"[{"Title": "Ben-Hur", "Release Date": "Dec 30 2025"}]"#;
        let parsed = parse(input, date(2026, 12, 2)).unwrap_or_default();
        assert_eq!(parsed.films[0].release_date, Some(date(1925, 12, 30)));
        assert_eq!(parsed.notes.len(), 1);
        assert_eq!(parsed.notes[0].kind, NoteKind::Repaired);
        assert!(
            parsed.notes[0].reason.contains("1925-12-30"),
            "{:?}",
            parsed.notes
        );
    }
}
