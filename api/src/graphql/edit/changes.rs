//! The eight typed `*ChangesInput` inputs (one per editable target) and the `@oneOf`
//! `EditChangesInput` that holds one of them, turned into the field map the services take.

use crate::error::{ApiError, ApiResult};
use crate::graphql::enums::{CompanyRole, CreditSceneKind, Department, ScoreKind, ScoreSource};
use crate::graphql::ids;
use crate::graphql::names::camel;
use crate::graphql::scalars::Date;
use async_graphql::{ID, InputObject, MaybeUndefined, OneofObject};
use serde::Serialize;
use serde_json::{Map, Value};

/// Collects the fields an input gives, as the services expect them (snake_case → JSON).
#[derive(Default)]
struct Fields(Map<String, Value>);

impl Fields {
    fn json<T: Serialize>(value: T) -> ApiResult<Value> {
        serde_json::to_value(value).map_err(|e| ApiError::internal(e.into()))
    }

    /// A non-nullable field: absent means "unchanged".
    fn set<T: Serialize>(&mut self, name: &str, value: Option<T>) -> ApiResult<()> {
        if let Some(value) = value {
            self.0.insert(name.to_owned(), Self::json(value)?);
        }
        Ok(())
    }

    /// A nullable field: absent means "unchanged", null means "clear it".
    fn maybe<T: Serialize>(&mut self, name: &str, value: MaybeUndefined<T>) -> ApiResult<()> {
        match value {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => {
                self.0.insert(name.to_owned(), Value::Null);
            }
            MaybeUndefined::Value(value) => {
                self.0.insert(name.to_owned(), Self::json(value)?);
            }
        }
        Ok(())
    }

    fn id(&mut self, name: &str, value: Option<ID>, kind: &str) -> ApiResult<()> {
        self.set(
            name,
            value.map(|id| decode_ref(&id, kind, name)).transpose()?,
        )
    }

    fn maybe_id(&mut self, name: &str, value: MaybeUndefined<ID>, kind: &str) -> ApiResult<()> {
        let value = match value {
            MaybeUndefined::Value(id) => MaybeUndefined::Value(decode_ref(&id, kind, name)?),
            MaybeUndefined::Null => MaybeUndefined::Null,
            MaybeUndefined::Undefined => MaybeUndefined::Undefined,
        };
        self.maybe(name, value)
    }
}

fn decode_ref(id: &ID, kind: &str, name: &str) -> ApiResult<i64> {
    ids::decode_kind(id, kind)
        .ok_or_else(|| ApiError::BadInput(format!("`{}` must be the id of a {kind}", camel(name))))
}

/// Editable fields of a film. Leave a field out to keep it; send null to clear it.
#[derive(InputObject)]
pub struct FilmChangesInput {
    /// Stable identifier with the release year (creation only, normally).
    pub slug: Option<String>,
    /// Title as released in the US.
    pub title: Option<String>,
    /// Title in the original language.
    pub original_title: MaybeUndefined<String>,
    /// US release date.
    pub release_date: MaybeUndefined<Date>,
    /// Running time in minutes.
    pub runtime_minutes: MaybeUndefined<i32>,
    /// MPAA rating.
    pub mpaa_rating: MaybeUndefined<String>,
    /// Tagline from the poster.
    pub tagline: MaybeUndefined<String>,
    /// Short, spoiler-free summary.
    pub synopsis: MaybeUndefined<String>,
    /// The whole story (spoilers).
    pub plot: MaybeUndefined<String>,
    /// Someone verified that the list of credit scenes is complete.
    pub credit_scenes_confirmed: Option<bool>,
    /// Genres, most significant first (replaces the whole list).
    pub genres: Option<Vec<String>>,
}

impl FilmChangesInput {
    fn fields(self) -> ApiResult<Fields> {
        let mut f = Fields::default();
        f.set("slug", self.slug)?;
        f.set("title", self.title)?;
        f.maybe("original_title", self.original_title)?;
        f.maybe("release_date", self.release_date.map_value(|d| d.0))?;
        f.maybe("runtime_minutes", self.runtime_minutes)?;
        f.maybe("mpaa_rating", self.mpaa_rating)?;
        f.maybe("tagline", self.tagline)?;
        f.maybe("synopsis", self.synopsis)?;
        f.maybe("plot", self.plot)?;
        f.set("credit_scenes_confirmed", self.credit_scenes_confirmed)?;
        f.set("genres", self.genres)?;
        Ok(f)
    }
}

/// Editable fields of a credit scene.
#[derive(InputObject)]
pub struct CreditSceneChangesInput {
    /// The film (creation only).
    pub film_id: Option<ID>,
    /// During or after the credits.
    pub kind: Option<CreditSceneKind>,
    /// 1 for the first scene in the credits, 2 for the next, …
    pub position: Option<i32>,
    /// Seconds into the credits when it starts.
    pub starts_at_seconds: MaybeUndefined<i32>,
    /// Length in seconds.
    pub length_seconds: MaybeUndefined<i32>,
    /// A spoiler-free hint.
    pub hint: MaybeUndefined<String>,
    /// What happens (spoilers).
    pub description: MaybeUndefined<String>,
    /// The film it teases.
    pub teases_film_id: MaybeUndefined<ID>,
}

impl CreditSceneChangesInput {
    fn fields(self) -> ApiResult<Fields> {
        let mut f = Fields::default();
        f.id("film_id", self.film_id, "Film")?;
        f.set("kind", self.kind.map(entity::CreditSceneKind::from))?;
        f.set("position", self.position)?;
        f.maybe("starts_at_seconds", self.starts_at_seconds)?;
        f.maybe("length_seconds", self.length_seconds)?;
        f.maybe("hint", self.hint)?;
        f.maybe("description", self.description)?;
        f.maybe_id("teases_film_id", self.teases_film_id, "Film")?;
        Ok(f)
    }
}

/// Editable fields of a person.
#[derive(InputObject)]
pub struct PersonChangesInput {
    /// Stable identifier (creation only, normally).
    pub slug: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Date of birth.
    pub birth_date: MaybeUndefined<Date>,
    /// Biography.
    pub biography: MaybeUndefined<String>,
}

impl PersonChangesInput {
    fn fields(self) -> ApiResult<Fields> {
        let mut f = Fields::default();
        f.set("slug", self.slug)?;
        f.set("name", self.name)?;
        f.maybe("birth_date", self.birth_date.map_value(|d| d.0))?;
        f.maybe("biography", self.biography)?;
        Ok(f)
    }
}

/// Editable fields of a credit.
#[derive(InputObject)]
pub struct CreditChangesInput {
    /// The film.
    pub film_id: Option<ID>,
    /// The person.
    pub person_id: Option<ID>,
    /// The department.
    pub department: Option<Department>,
    /// The job within the department.
    pub job: MaybeUndefined<String>,
    /// The character played (cast).
    pub character: MaybeUndefined<String>,
    /// Order in the billing.
    pub billing_order: MaybeUndefined<i32>,
}

impl CreditChangesInput {
    fn fields(self) -> ApiResult<Fields> {
        let mut f = Fields::default();
        f.id("film_id", self.film_id, "Film")?;
        f.id("person_id", self.person_id, "Person")?;
        f.set("department", self.department.map(entity::Department::from))?;
        f.maybe("job", self.job)?;
        f.maybe("character", self.character)?;
        f.maybe("billing_order", self.billing_order)?;
        Ok(f)
    }
}

/// Editable fields of a company.
#[derive(InputObject)]
pub struct CompanyChangesInput {
    /// Stable identifier (creation only, normally).
    pub slug: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Country.
    pub country: MaybeUndefined<String>,
}

impl CompanyChangesInput {
    fn fields(self) -> ApiResult<Fields> {
        let mut f = Fields::default();
        f.set("slug", self.slug)?;
        f.set("name", self.name)?;
        f.maybe("country", self.country)?;
        Ok(f)
    }
}

/// Editable fields of a company's role on a film.
#[derive(InputObject)]
pub struct FilmCompanyChangesInput {
    /// The film.
    pub film_id: Option<ID>,
    /// The company.
    pub company_id: Option<ID>,
    /// What the company did.
    pub role: Option<CompanyRole>,
}

impl FilmCompanyChangesInput {
    fn fields(self) -> ApiResult<Fields> {
        let mut f = Fields::default();
        f.id("film_id", self.film_id, "Film")?;
        f.id("company_id", self.company_id, "Company")?;
        f.set("role", self.role.map(entity::CompanyRole::from))?;
        Ok(f)
    }
}

/// Editable fields of a score. `value: null` means "unknown" (not zero).
#[derive(InputObject)]
pub struct ScoreChangesInput {
    /// The film (creation only).
    pub film_id: Option<ID>,
    /// Where the score comes from.
    pub source: Option<ScoreSource>,
    /// Critics or audience.
    pub kind: Option<ScoreKind>,
    /// The score, 0 to `scale`; null when unknown.
    pub value: MaybeUndefined<f64>,
    /// The top of the scale: 10 or 100.
    pub scale: Option<i32>,
    /// How many votes it sums up.
    pub vote_count: MaybeUndefined<i64>,
    /// When it was read from its source.
    pub as_of: MaybeUndefined<Date>,
    /// The page it was read from.
    pub source_url: MaybeUndefined<String>,
}

impl ScoreChangesInput {
    fn fields(self) -> ApiResult<Fields> {
        let mut f = Fields::default();
        f.id("film_id", self.film_id, "Film")?;
        f.set("source", self.source.map(entity::ScoreSource::from))?;
        f.set("kind", self.kind.map(entity::ScoreKind::from))?;
        f.maybe("value", self.value)?;
        f.set("scale", self.scale)?;
        f.maybe("vote_count", self.vote_count)?;
        f.maybe("as_of", self.as_of.map_value(|d| d.0))?;
        f.maybe("source_url", self.source_url)?;
        Ok(f)
    }
}

/// Editable fields of a trivia question.
#[derive(InputObject)]
pub struct TriviaChangesInput {
    /// The film (creation only).
    pub film_id: Option<ID>,
    /// The question.
    pub question: Option<String>,
    /// The right answer.
    pub answer: Option<String>,
    /// Wrong choices, for quizzes (replaces the whole list).
    pub wrong_choices: Option<Vec<String>>,
    /// 1 (easy) to 5 (hard).
    pub difficulty: MaybeUndefined<i32>,
    /// Whether the question spoils the film.
    pub spoiler: Option<bool>,
    /// Where the fact comes from.
    pub source: MaybeUndefined<String>,
}

impl TriviaChangesInput {
    fn fields(self) -> ApiResult<Fields> {
        let mut f = Fields::default();
        f.id("film_id", self.film_id, "Film")?;
        f.set("question", self.question)?;
        f.set("answer", self.answer)?;
        f.set("wrong_choices", self.wrong_choices)?;
        f.maybe("difficulty", self.difficulty)?;
        f.set("spoiler", self.spoiler)?;
        f.maybe("source", self.source)?;
        Ok(f)
    }
}

/// The proposed values, for exactly one kind of target.
#[derive(OneofObject)]
pub enum EditChangesInput {
    /// Changes to a film.
    Film(FilmChangesInput),
    /// Changes to a credit scene.
    CreditScene(CreditSceneChangesInput),
    /// Changes to a person.
    Person(PersonChangesInput),
    /// Changes to a credit.
    Credit(CreditChangesInput),
    /// Changes to a company.
    Company(CompanyChangesInput),
    /// Changes to a company's role on a film.
    FilmCompany(FilmCompanyChangesInput),
    /// Changes to a score.
    Score(ScoreChangesInput),
    /// Changes to a trivia question.
    Trivia(TriviaChangesInput),
}

impl EditChangesInput {
    pub(super) fn split(self) -> ApiResult<(entity::TargetType, &'static str, Map<String, Value>)> {
        use entity::TargetType as T;
        let (target, name, fields) = match self {
            Self::Film(i) => (T::Film, "film", i.fields()?),
            Self::CreditScene(i) => (T::CreditScene, "creditScene", i.fields()?),
            Self::Person(i) => (T::Person, "person", i.fields()?),
            Self::Credit(i) => (T::Credit, "credit", i.fields()?),
            Self::Company(i) => (T::Company, "company", i.fields()?),
            Self::FilmCompany(i) => (T::FilmCompany, "filmCompany", i.fields()?),
            Self::Score(i) => (T::Score, "score", i.fields()?),
            Self::Trivia(i) => (T::Trivia, "trivia", i.fields()?),
        };
        Ok((target, name, fields.0))
    }
}

/// The typed inputs checked against the targets' description (`service::editorial::fields`):
/// every input field is described with the same type and nullability, and every described
/// field has its input field.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::names::{camel, kind_name};
    use crate::service::editorial::fields::{self, Field, FieldType};
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Request, Schema, Variables};
    use sea_orm::Iterable;
    use serde_json::json;

    struct Probe;

    #[Object]
    impl Probe {
        /// The target and the service's field map an input turns into.
        async fn probe(&self, changes: EditChangesInput) -> ApiResult<String> {
            let (target, _, fields) = changes.split()?;
            Ok(json!({"target": kind_name(target), "fields": fields}).to_string())
        }
    }

    type ProbeSchema = Schema<Probe, EmptyMutation, EmptySubscription>;

    async fn run(schema: &ProbeSchema, query: &str, variables: Value) -> Value {
        let request = Request::new(query).variables(Variables::from_json(variables));
        let response = schema.execute(request).await;
        assert!(response.errors.is_empty(), "{query}: {:?}", response.errors);
        response.data.into_json().expect("json data")
    }

    /// A GraphQL type reference written as in SDL (`[String!]`).
    fn type_name(ty: &Value) -> String {
        match ty["kind"].as_str() {
            Some("NON_NULL") => format!("{}!", type_name(&ty["ofType"])),
            Some("LIST") => format!("[{}]", type_name(&ty["ofType"])),
            _ => ty["name"].as_str().unwrap_or_default().to_owned(),
        }
    }

    /// The GraphQL type an input field of this description must have.
    fn expected_type(ty: FieldType) -> String {
        match ty {
            FieldType::Text { .. } | FieldType::Slug | FieldType::Url => "String".into(),
            FieldType::Date { .. } => "Date".into(),
            FieldType::Int { .. } | FieldType::IntOneOf(_) => "Int".into(),
            FieldType::Float => "Float".into(),
            FieldType::Bool => "Boolean".into(),
            FieldType::Enum { name, .. } => name.into(),
            FieldType::TextList { .. } => "[String!]".into(),
            FieldType::Reference(_) => "ID".into(),
        }
    }

    /// A valid value for a field (as a GraphQL variable), and what the services must receive.
    fn sample(field: &Field) -> (Value, Value) {
        match field.ty {
            FieldType::Text { .. } => (json!("text"), json!("text")),
            FieldType::Slug => (json!("a-1999"), json!("a-1999")),
            FieldType::Url => (json!("https://example.org/"), json!("https://example.org/")),
            FieldType::Date { .. } => (json!("1999-01-02"), json!("1999-01-02")),
            FieldType::Int { min, .. } => (json!(min.max(1)), json!(min.max(1))),
            FieldType::IntOneOf(allowed) => (json!(allowed[0]), json!(allowed[0])),
            FieldType::Float => (json!(7.5), json!(7.5)),
            FieldType::Bool => (json!(true), json!(true)),
            FieldType::Enum { values, .. } => {
                let value = values().pop().expect("an enum has values");
                (json!(value), json!(value))
            }
            FieldType::TextList { .. } => (json!(["a", "b"]), json!(["a", "b"])),
            FieldType::Reference(target) => (
                json!(crate::graphql::ids::encode(kind_name(target), 42).to_string()),
                json!(42),
            ),
        }
    }

    #[tokio::test]
    async fn every_changes_input_matches_the_description_of_its_target() {
        let schema = Schema::new(Probe, EmptyMutation, EmptySubscription);
        let oneof = run(
            &schema,
            "{ __type(name: \"EditChangesInput\") { inputFields { name type { name } } } }",
            json!({}),
        )
        .await;
        let variants = oneof["__type"]["inputFields"].as_array().expect("variants");
        let mut seen = Vec::new();
        for variant in variants {
            let key = variant["name"].as_str().expect("name");
            let input = variant["type"]["name"].as_str().expect("input type");
            let empty = run(
                &schema,
                "query($c: EditChangesInput!) { probe(changes: $c) }",
                json!({"c": {key: {}}}),
            )
            .await;
            let empty: Value =
                serde_json::from_str(empty["probe"].as_str().expect("probe")).expect("probe json");
            let target = entity::TargetType::iter()
                .find(|t| kind_name(*t) == empty["target"])
                .expect("a target type");
            seen.push(target);
            let described = fields::described(target);
            let typed = run(
                &schema,
                &format!(
                    "{{ __type(name: \"{input}\") {{ inputFields {{ name \
                     type {{ kind name ofType {{ kind name ofType {{ kind name }} }} }} }} }} }}"
                ),
                json!({}),
            )
            .await;
            let typed = typed["__type"]["inputFields"].as_array().expect("fields");
            let typed_names: Vec<&str> = typed.iter().filter_map(|f| f["name"].as_str()).collect();
            let described_names: Vec<String> = described.iter().map(|f| camel(f.name)).collect();
            assert_eq!(typed_names, described_names, "{input}: fields differ");
            for (input_field, field) in typed.iter().zip(described) {
                let name = camel(field.name);
                assert_eq!(
                    type_name(&input_field["type"]),
                    expected_type(field.ty),
                    "{input}.{name}: type"
                );
                let query = "query($c: EditChangesInput!) { probe(changes: $c) }";
                let (given, stored) = sample(field);
                let out = run(&schema, query, json!({"c": {key: {&name: given}}})).await;
                let out: Value = serde_json::from_str(out["probe"].as_str().expect("probe"))
                    .expect("probe json");
                assert_eq!(
                    out["fields"],
                    json!({field.name: stored}),
                    "{input}.{name}: a value reaches the service as `{}`",
                    field.name
                );
                let out = run(&schema, query, json!({"c": {key: {&name: null}}})).await;
                let out: Value = serde_json::from_str(out["probe"].as_str().expect("probe"))
                    .expect("probe json");
                let cleared = if field.nullable {
                    json!({field.name: null})
                } else {
                    json!({})
                };
                assert_eq!(
                    out["fields"], cleared,
                    "{input}.{name}: null must clear a nullable field and leave others unchanged"
                );
            }
        }
        let all: Vec<_> = entity::TargetType::iter().collect();
        assert_eq!(seen, all, "one changes input per target type");
    }
}
