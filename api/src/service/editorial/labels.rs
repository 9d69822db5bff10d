//! Names people recognise for the objects edits and revisions point at:
//! "M. Butterfly (1993) · Rotten Tomatoes audience score" instead of `SCORE U2NvcmU6NTMxMQ`.
//!
//! A label is built from the object's state (its row as JSON, as `current_states` gives it, or
//! the values an edit or revision recorded when the row is gone) and the names of the film,
//! person or company that state refers to.

use super::current_states;
use entity::{TargetType, company, film, person};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// One object to label: its kind, its id if it exists, and the state to fall back on when it
/// does not (a creation not yet applied, a deleted row).
#[derive(Debug, Clone)]
pub struct LabelRequest {
    pub target_type: TargetType,
    pub target_id: Option<i64>,
    pub fallback: Option<Value>,
}

/// The label of each request, in order; `None` when nothing is known about the object.
pub async fn target_labels<C: ConnectionTrait>(
    db: &C,
    requests: &[LabelRequest],
) -> Result<Vec<Option<String>>, DbErr> {
    let keys: Vec<(TargetType, i64)> = requests
        .iter()
        .filter_map(|r| r.target_id.map(|id| (r.target_type, id)))
        .collect();
    let live = current_states(db, &keys).await?;
    let states: Vec<Option<&Value>> = requests
        .iter()
        .map(|r| {
            r.target_id
                .and_then(|id| live.get(&(r.target_type, id)))
                .or(r.fallback.as_ref())
        })
        .collect();
    let names = Names::load(db, requests, &states).await?;
    Ok(requests
        .iter()
        .zip(&states)
        .map(|(request, state)| {
            state.map(|state| names.label(request.target_type, request.target_id, state))
        })
        .collect())
}

/// The names of the films, people and companies the states refer to.
#[derive(Default)]
struct Names {
    films: HashMap<i64, String>,
    people: HashMap<i64, String>,
    companies: HashMap<i64, String>,
}

fn id_of(state: &Value, field: &str) -> Option<i64> {
    state.get(field).and_then(Value::as_i64)
}

fn text_of<'a>(state: &'a Value, field: &str) -> Option<&'a str> {
    state
        .get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// "Title (1993)", or the title alone when the release date is unknown.
fn film_name(title: &str, release_date: Option<&str>) -> String {
    match release_date.and_then(|d| d.get(..4)) {
        Some(year) => format!("{title} ({year})"),
        None => title.to_owned(),
    }
}

impl Names {
    async fn load<C: ConnectionTrait>(
        db: &C,
        requests: &[LabelRequest],
        states: &[Option<&Value>],
    ) -> Result<Self, DbErr> {
        let (mut films, mut people, mut companies) =
            (HashSet::new(), HashSet::new(), HashSet::new());
        for (request, state) in requests.iter().zip(states) {
            let Some(state) = state else { continue };
            if request.target_type == TargetType::Film {
                continue; // labelled from its own state
            }
            films.extend(id_of(state, "film_id"));
            people.extend(id_of(state, "person_id"));
            companies.extend(id_of(state, "company_id"));
        }
        let mut names = Self::default();
        if !films.is_empty() {
            for f in film::Entity::find()
                .filter(film::Column::Id.is_in(films))
                .all(db)
                .await?
            {
                let date = f.release_date.map(|d| d.to_string());
                names
                    .films
                    .insert(f.id, film_name(&f.title, date.as_deref()));
            }
        }
        if !people.is_empty() {
            for p in person::Entity::find()
                .filter(person::Column::Id.is_in(people))
                .all(db)
                .await?
            {
                names.people.insert(p.id, p.name);
            }
        }
        if !companies.is_empty() {
            for c in company::Entity::find()
                .filter(company::Column::Id.is_in(companies))
                .all(db)
                .await?
            {
                names.companies.insert(c.id, c.name);
            }
        }
        Ok(names)
    }

    fn name(map: &HashMap<i64, String>, kind: &str, id: Option<i64>) -> String {
        match id {
            Some(id) => map
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("{kind} {id}")),
            None => format!("a new {kind}"),
        }
    }

    fn film(&self, state: &Value) -> String {
        Self::name(&self.films, "film", id_of(state, "film_id"))
    }

    /// The label of one object of kind `target` whose state is `state`.
    fn label(&self, target: TargetType, id: Option<i64>, state: &Value) -> String {
        let part = |what: String| format!("{} · {what}", self.film(state));
        match target {
            TargetType::Film => film_name(
                text_of(state, "title").unwrap_or("(untitled film)"),
                text_of(state, "release_date"),
            ),
            TargetType::Person => text_of(state, "name").unwrap_or("(unnamed person)").into(),
            TargetType::Company => text_of(state, "name").unwrap_or("(unnamed company)").into(),
            TargetType::Score => part(format!(
                "{} {} score",
                words(text_of(state, "source").unwrap_or("")),
                words(text_of(state, "kind").unwrap_or("")).to_lowercase()
            )),
            TargetType::Credit => {
                let person = Self::name(&self.people, "person", id_of(state, "person_id"));
                let role = text_of(state, "character")
                    .map(|c| format!("as {c}"))
                    .or_else(|| text_of(state, "job").map(str::to_owned))
                    .unwrap_or_else(|| words(text_of(state, "department").unwrap_or("")));
                part(format!("{person}, {role}"))
            }
            TargetType::FilmCompany => {
                let company = Self::name(&self.companies, "company", id_of(state, "company_id"));
                let role = words(text_of(state, "role").unwrap_or("")).to_lowercase();
                part(format!("{company} ({role})"))
            }
            TargetType::CreditScene => {
                let kind = words(text_of(state, "kind").unwrap_or("credit")).to_lowercase();
                let position = id_of(state, "position").map_or(String::new(), |p| format!(" {p}"));
                part(format!("{kind} scene{position}"))
            }
            TargetType::Trivia => match text_of(state, "question") {
                Some(question) => part(format!("trivia: {question}")),
                None => part(format!(
                    "trivia {}",
                    id.map_or("(new)".to_owned(), |i| i.to_string())
                )),
            },
        }
    }
}

/// `ROTTEN_TOMATOES` → "Rotten Tomatoes", `IMDB` → "IMDb", `MID_CREDITS` → "Mid credits".
fn words(code: &str) -> String {
    match code {
        "IMDB" => return "IMDb".to_owned(),
        "TMDB" => return "TMDB".to_owned(),
        _ => {}
    }
    code.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.to_lowercase();
            let mut chars = lower.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_name_the_film_and_the_part() {
        let mut names = Names::default();
        names.films.insert(1, "M. Butterfly (1993)".into());
        names.people.insert(2, "Jeremy Irons".into());
        let score = json!({"film_id": 1, "source": "ROTTEN_TOMATOES", "kind": "AUDIENCE"});
        assert_eq!(
            names.label(TargetType::Score, Some(9), &score),
            "M. Butterfly (1993) · Rotten Tomatoes audience score"
        );
        let credit = json!({"film_id": 1, "person_id": 2, "department": "CAST", "character": "René Gallimard"});
        assert_eq!(
            names.label(TargetType::Credit, Some(3), &credit),
            "M. Butterfly (1993) · Jeremy Irons, as René Gallimard"
        );
        let film = json!({"title": "M. Butterfly", "release_date": "1993-10-01"});
        assert_eq!(
            names.label(TargetType::Film, Some(1), &film),
            "M. Butterfly (1993)"
        );
        assert_eq!(
            names.label(
                TargetType::Score,
                None,
                &json!({"source": "IMDB", "kind": "CRITICS"})
            ),
            "a new film · IMDb critics score"
        );
    }
}
