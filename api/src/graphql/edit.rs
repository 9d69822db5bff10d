//! The editorial workflow in GraphQL: proposing, following, withdrawing and reviewing edits,
//! and the revision history. Resolvers authorise and translate; `service::editorial` decides.

use super::account::User;
use super::context::{db, settings, viewer};
use super::enums::{
    CompanyRole, CreditSceneKind, Department, EditOperation, EditStatus, ScoreKind, ScoreSource,
    TargetType,
};
use super::ids;
use super::loaders::Loaders;
use super::names::{camel, kind_name, target_of_kind};
use super::pagination::{self, TotalCount, decode_cursor, encode_cursor, page_size};
use super::revision::{Revision, revision_connection};
use super::scalars::Date;
use super::user_error::UserError;
use crate::error::{ApiError, ApiResult};
use crate::service::account::{self, AccountError};
use crate::service::editorial::{
    self, EditFilter as ServiceEditFilter, EditorialError, Proposal, ReviewOutcome,
};
use crate::service::events::{EditEvent, EditEventHub};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{
    Context, ID, InputObject, Json, MaybeUndefined, Object, OneofObject, SimpleObject, Subscription,
};
use chrono::{DateTime, Utc};
use entity::{Role, edit};
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::Arc;

/// The number inside an edit id: a global id (`Edit:12`) or the bare number the CLI prints.
fn edit_number(id: &ID) -> Option<i64> {
    ids::decode_kind(id, "Edit").or_else(|| id.trim_start_matches('#').parse().ok())
}

// ---------------------------------------------------------------------------------------------
// Output types.

/// One field of an edit: the value its author saw, the value proposed, and — for a
/// conflicted edit — the value it holds now.
#[derive(SimpleObject)]
pub struct EditChange {
    /// The field (camelCase, as on the target type).
    pub field: String,
    /// The value the author saw when proposing (null for a creation).
    pub from: Json<Value>,
    /// The proposed value (null to clear, or for a deletion).
    pub to: Json<Value>,
    /// While pending, the value the field holds now; for a conflicted edit, the value it held
    /// at review; otherwise null.
    pub current: Option<Json<Value>>,
}

/// A proposed change to public data, reviewed by an admin before it applies.
pub struct Edit(pub edit::Model);

/// A proposed change to public data, reviewed by an admin before it applies.
#[Object]
impl Edit {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("Edit", self.0.id)
    }

    /// The object edited (for a creation: once applied; null once deleted).
    async fn target(&self, ctx: &Context<'_>) -> ApiResult<Option<super::node::Node>> {
        let Some(id) = self.0.target_id else {
            return Ok(None);
        };
        let id = ids::encode(kind_name(self.0.target_type), id);
        Ok(super::node::load(ctx, &[id]).await?.pop().flatten())
    }

    /// The human-facing sequence number (#1, #2, …) the CLI takes and prints.
    async fn number(&self) -> i64 {
        self.0.id
    }

    /// Where the edit stands in review.
    async fn status(&self) -> EditStatus {
        self.0.status.into()
    }

    /// Create, update or delete.
    async fn operation(&self) -> EditOperation {
        self.0.operation.into()
    }

    /// The kind of object edited.
    async fn target_type(&self) -> TargetType {
        self.0.target_type.into()
    }

    /// The global id of the object edited (for a creation: once applied).
    async fn target_id(&self) -> Option<ID> {
        self.0
            .target_id
            .map(|id| ids::encode(kind_name(self.0.target_type), id))
    }

    /// Who proposed it.
    async fn author(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        Ok(Loaders::of(ctx)?
            .user
            .load_one(self.0.author_id)
            .await?
            .map(User))
    }

    /// Why, in the author's words.
    async fn reason(&self) -> &str {
        &self.0.reason
    }

    /// A source backing the edit.
    async fn evidence(&self) -> Option<&str> {
        self.0.evidence.as_deref()
    }

    /// Each field changed. `current` is the value the field holds now while the edit is
    /// pending (so a reviewer sees any drift), the value it held at review when the edit
    /// conflicted, and null otherwise.
    async fn changes(&self, ctx: &Context<'_>) -> ApiResult<Vec<EditChange>> {
        let live = match (self.0.status, self.0.target_id) {
            (entity::EditStatus::Pending, Some(id)) => {
                Loaders::of(ctx)?
                    .target_state
                    .load_one((self.0.target_type, id))
                    .await?
            }
            _ => None,
        };
        let current = match self.0.status {
            entity::EditStatus::Conflicted => self.0.conflict.as_ref(),
            _ => live.as_ref(),
        }
        .and_then(Value::as_object);
        Ok(self
            .0
            .changes
            .as_object()
            .into_iter()
            .flatten()
            .map(|(field, change)| EditChange {
                field: camel(field),
                from: Json(change.get("from").cloned().unwrap_or(Value::Null)),
                to: Json(change.get("to").cloned().unwrap_or(Value::Null)),
                current: current.and_then(|c| c.get(field)).cloned().map(Json),
            })
            .collect())
    }

    /// Who reviewed it.
    async fn reviewer(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        let Some(id) = self.0.reviewer_id else {
            return Ok(None);
        };
        Ok(Loaders::of(ctx)?.user.load_one(id).await?.map(User))
    }

    /// The reviewer's note.
    async fn review_note(&self) -> Option<&str> {
        self.0.review_note.as_deref()
    }

    /// When it was proposed.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was reviewed.
    async fn reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.reviewed_at
    }

    /// The revision it produced, once approved.
    async fn revision(&self, ctx: &Context<'_>) -> ApiResult<Option<Revision>> {
        let Some(id) = self.0.revision_id else {
            return Ok(None);
        };
        Ok(Loaders::of(ctx)?.revision.load_one(id).await?.map(Revision))
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs.

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
    fn split(self) -> ApiResult<(entity::TargetType, &'static str, Map<String, Value>)> {
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

/// A proposed edit.
#[derive(InputObject)]
pub struct ProposeEditInput {
    /// Create, update or delete.
    pub operation: EditOperation,
    /// The object to update or delete (its global `id`); leave out for a creation.
    pub target_id: Option<ID>,
    /// The proposed values; required for create and update, left out for delete.
    pub changes: Option<EditChangesInput>,
    /// Why: required.
    pub reason: String,
    /// A source backing the edit (an http(s) URL).
    pub evidence: Option<String>,
}

/// An edit to withdraw.
#[derive(InputObject)]
pub struct WithdrawEditInput {
    /// The edit's id or number.
    pub edit_id: ID,
}

/// A review decision.
#[derive(InputObject)]
pub struct ReviewEditInput {
    /// The edit's id or number.
    pub edit_id: ID,
    /// A note for the author and the history.
    pub note: Option<String>,
}

/// A revision to undo.
#[derive(InputObject)]
pub struct RevertRevisionInput {
    /// The revision's id.
    pub revision_id: ID,
    /// Why: required.
    pub reason: String,
}

/// Filters for `edits`.
#[derive(InputObject, Default)]
pub struct EditFilter {
    /// Only edits in this state.
    pub status: Option<EditStatus>,
    /// Only edits of this kind of object.
    pub target_type: Option<TargetType>,
    /// Only edits by this author (admins; editors always see only their own).
    pub author: Option<ID>,
    /// Only edits proposed at or after this time.
    pub since: Option<DateTime<Utc>>,
}

/// The result of `proposeEdit`.
#[derive(SimpleObject, Default)]
pub struct ProposeEditPayload {
    /// The pending edit.
    pub edit: Option<Edit>,
    /// Why it was refused, if it was.
    pub user_errors: Vec<UserError>,
}

/// The result of reviewing, withdrawing or reverting.
#[derive(SimpleObject, Default)]
pub struct EditPayload {
    /// The edit as it now stands.
    pub edit: Option<Edit>,
    /// Why it did not happen, or why it conflicted.
    pub user_errors: Vec<UserError>,
}

/// Turns an expected editorial failure into a user error, anything else into a GraphQL error.
fn user_error(err: EditorialError, prefix: &str) -> ApiResult<UserError> {
    match err {
        EditorialError::Account(AccountError::Unauthenticated) => Err(ApiError::Unauthenticated),
        EditorialError::Account(AccountError::Forbidden(m)) => Err(ApiError::Forbidden(m)),
        EditorialError::Db(_) | EditorialError::Account(_) => {
            Err(ApiError::internal(anyhow::Error::new(err)))
        }
        other => {
            let field = other.field().map(|f| {
                if f == "reason" || f == "evidence" || f == "note" {
                    format!("input.{f}")
                } else {
                    format!("{prefix}.{}", camel(f))
                }
            });
            Ok(UserError::new(
                field.as_deref(),
                other.to_string(),
                other.code(),
            ))
        }
    }
}

/// Tells this process's subscribers that an edit changed state (on SQLite; on PostgreSQL the
/// service's `NOTIFY` does).
fn announce(ctx: &Context<'_>, edit: &edit::Model) {
    if let Ok(hub) = ctx.data::<Arc<EditEventHub>>() {
        hub.announce(EditEvent::of(edit));
    }
}

fn review_payload(
    ctx: &Context<'_>,
    result: Result<ReviewOutcome, EditorialError>,
) -> ApiResult<EditPayload> {
    if let Ok(outcome) = &result {
        announce(ctx, outcome.edit());
    }
    match result {
        Ok(ReviewOutcome::Conflicted(edit)) => Ok(EditPayload {
            edit: Some(Edit(edit)),
            user_errors: vec![UserError::new(
                None,
                "fields changed since the author saw them; the edit was not applied",
                "CONFLICT",
            )],
        }),
        Ok(outcome) => Ok(EditPayload {
            edit: Some(Edit(outcome.edit().clone())),
            user_errors: Vec::new(),
        }),
        Err(err) => Ok(EditPayload {
            edit: None,
            user_errors: vec![user_error(err, "input")?],
        }),
    }
}

fn not_found_edit() -> ApiResult<EditPayload> {
    Ok(EditPayload {
        edit: None,
        user_errors: vec![UserError::new(
            Some("input.editId"),
            "no such edit",
            "NOT_FOUND",
        )],
    })
}

// ---------------------------------------------------------------------------------------------
// Roots.

/// Queries about edits and history.
#[derive(Default)]
pub struct EditQuery;

#[Object]
impl EditQuery {
    /// One edit, by global id or number. Editors see only their own.
    async fn edit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The edit's global id or its number.")] id: ID,
    ) -> ApiResult<Option<Edit>> {
        let db = db(ctx)?;
        let user = account::authorize(db, viewer(ctx), entity::Role::Editor).await?;
        let Some(number) = edit_number(&id) else {
            return Ok(None);
        };
        Ok(editorial::visible_edit(db, &user, number)
            .await
            .map_err(service_error)?
            .map(Edit))
    }

    /// Edits, newest first: all of them for admins, their own for editors.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn edits(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many edits to return (default 20, at most the page limit).")]
        first: Option<i32>,
        #[graphql(desc = "Return edits after this cursor.")] after: Option<String>,
        #[graphql(desc = "Which edits.")] filter: Option<EditFilter>,
    ) -> ApiResult<Connection<String, Edit, TotalCount>> {
        let db = db(ctx)?;
        let user = account::authorize(db, viewer(ctx), entity::Role::Editor).await?;
        let size = page_size(ctx, first)?;
        let after = after.map(|c| decode_cursor::<i64>(&c)).transpose()?;
        let filter = filter.unwrap_or_default();
        let author_id = filter
            .author
            .map(|id| {
                ids::decode_kind(&id, "User")
                    .ok_or_else(|| ApiError::BadInput("`author` must be a User id".to_owned()))
            })
            .transpose()?;
        let filter = ServiceEditFilter {
            status: filter.status.map(Into::into),
            target_type: filter.target_type.map(Into::into),
            author_id,
            since: filter.since,
        };
        let limit = u64::try_from(size).unwrap_or(0) + 1;
        let (mut rows, total) = editorial::list_edits(db, &user, filter, after, limit)
            .await
            .map_err(service_error)?;
        let has_next = rows.len() > size;
        rows.truncate(size);
        let mut connection =
            Connection::with_additional_fields(after.is_some(), has_next, TotalCount::Known(total));
        connection.edges.extend(
            rows.into_iter()
                .map(|e| Edge::new(encode_cursor(&e.id), Edit(e))),
        );
        Ok(connection)
    }

    /// Every change to public data, newest first.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn recent_changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many revisions to return (default 20, at most the page limit).")]
        first: Option<i32>,
        #[graphql(desc = "Return revisions after this cursor.")] after: Option<String>,
    ) -> ApiResult<Connection<String, Revision, TotalCount>> {
        revision_connection(ctx, None, first, after).await
    }
}

fn service_error(err: EditorialError) -> ApiError {
    match err {
        EditorialError::Account(err) => err.into(),
        EditorialError::Db(err) => err.into(),
        other => ApiError::BadInput(other.to_string()),
    }
}

/// Mutations of the editorial workflow.
#[derive(Default)]
pub struct EditMutation;

#[Object]
impl EditMutation {
    /// Proposes a change. Nothing reaches the public data until an admin approves it.
    async fn propose_edit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal.")] input: ProposeEditInput,
    ) -> ApiResult<ProposeEditPayload> {
        let db = db(ctx)?;
        let author = account::authorize(db, viewer(ctx), entity::Role::Editor).await?;
        let refuse = |field: &str, message: &str, code: &str| {
            Ok(ProposeEditPayload {
                edit: None,
                user_errors: vec![UserError::new(Some(field), message, code)],
            })
        };
        let target = match &input.target_id {
            Some(id) => {
                match ids::decode(id).and_then(|(kind, n)| Some((target_of_kind(&kind)?, n))) {
                    Some(target) => Some(target),
                    None => {
                        return refuse(
                            "input.targetId",
                            "not the id of an editable object",
                            "INVALID",
                        );
                    }
                }
            }
            None => None,
        };
        let (target_type, prefix, fields) = match input.changes {
            Some(changes) => {
                let (target_type, name, fields) = changes.split()?;
                (Some(target_type), format!("input.changes.{name}"), fields)
            }
            None => (None, "input.changes".to_owned(), Map::new()),
        };
        let target_type = match (target_type, target) {
            (Some(t), Some((k, _))) if t != k => {
                return refuse(
                    "input.changes",
                    "the changes are for another kind of object than `targetId`",
                    "INVALID",
                );
            }
            (Some(t), _) | (None, Some((t, _))) => t,
            (None, None) => {
                return refuse("input.changes", "say what to change", "INVALID");
            }
        };
        let operation: entity::EditOperation = input.operation.into();
        if operation != entity::EditOperation::Delete && fields.is_empty() {
            return refuse(&prefix, "give at least one field to change", "NO_CHANGES");
        }
        let proposal = Proposal {
            operation,
            target_type,
            target_id: target.map(|(_, id)| id),
            fields,
            reason: input.reason,
            evidence: input.evidence,
        };
        match editorial::propose(db, &author, proposal).await {
            Ok(edit) => {
                announce(ctx, &edit);
                Ok(ProposeEditPayload {
                    edit: Some(Edit(edit)),
                    user_errors: Vec::new(),
                })
            }
            Err(err) => Ok(ProposeEditPayload {
                edit: None,
                user_errors: vec![user_error(err, &prefix)?],
            }),
        }
    }

    /// Withdraws one of the viewer's own pending edits.
    async fn withdraw_edit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The edit to withdraw.")] input: WithdrawEditInput,
    ) -> ApiResult<EditPayload> {
        let db = db(ctx)?;
        let author = account::authorize(db, viewer(ctx), entity::Role::Editor).await?;
        let Some(number) = edit_number(&input.edit_id) else {
            return not_found_edit();
        };
        match editorial::withdraw(db, &author, number).await {
            Ok(edit) => {
                announce(ctx, &edit);
                Ok(EditPayload {
                    edit: Some(Edit(edit)),
                    user_errors: Vec::new(),
                })
            }
            Err(err) => Ok(EditPayload {
                edit: None,
                user_errors: vec![user_error(err, "input")?],
            }),
        }
    }

    /// Approves a pending edit (admins): applies it in one transaction, or marks it
    /// conflicted when a field it changes no longer holds the value its author saw.
    async fn approve_edit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The edit and a note.")] input: ReviewEditInput,
    ) -> ApiResult<EditPayload> {
        let db = db(ctx)?;
        let reviewer = account::authorize(db, viewer(ctx), entity::Role::Admin).await?;
        let Some(number) = edit_number(&input.edit_id) else {
            return not_found_edit();
        };
        review_payload(
            ctx,
            editorial::approve(db, settings(ctx), &reviewer, number, input.note).await,
        )
    }

    /// Rejects a pending edit (admins) with a note.
    async fn reject_edit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The edit and a note.")] input: ReviewEditInput,
    ) -> ApiResult<EditPayload> {
        let db = db(ctx)?;
        let reviewer = account::authorize(db, viewer(ctx), entity::Role::Admin).await?;
        let Some(number) = edit_number(&input.edit_id) else {
            return not_found_edit();
        };
        review_payload(
            ctx,
            editorial::reject(db, &reviewer, number, input.note).await,
        )
    }

    /// Undoes a revision (admins): an edit restoring its earlier values, approved at once
    /// through the same path as any edit (so it conflicts if those fields changed since).
    async fn revert_revision(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The revision and why.")] input: RevertRevisionInput,
    ) -> ApiResult<EditPayload> {
        let db = db(ctx)?;
        let admin = account::authorize(db, viewer(ctx), entity::Role::Admin).await?;
        let Some(id) = ids::decode_kind(&input.revision_id, "Revision") else {
            return Ok(EditPayload {
                edit: None,
                user_errors: vec![UserError::new(
                    Some("input.revisionId"),
                    "no such revision",
                    "NOT_FOUND",
                )],
            });
        };
        review_payload(ctx, editorial::revert(db, &admin, id, input.reason).await)
    }
}

/// An edit changed state.
pub struct EditEventObject(EditEvent);

#[Object(name = "EditEvent")]
impl EditEventObject {
    /// The edit's global id.
    async fn edit_id(&self) -> ID {
        ids::encode("Edit", self.0.edit_id)
    }

    /// The edit's number.
    async fn number(&self) -> i64 {
        self.0.edit_id
    }

    /// Its new state.
    async fn status(&self) -> EditStatus {
        self.0.status.into()
    }
}

/// Live updates of the editorial queue.
#[derive(Default)]
pub struct EditSubscription;

#[Subscription]
impl EditSubscription {
    /// Every change of an edit's state from now on: all edits for admins, their own for
    /// editors. Send the access token in `connection_init` as `{"Authorization": "Bearer …"}`.
    async fn edit_events(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = EditEventObject> + use<>> {
        // Subscriptions do not pass through the HTTP handler's masking: mask here.
        let masked = |err: ApiError| match err {
            ApiError::Internal(cause) => {
                tracing::error!(error = %format!("{cause:#}"), "internal error in a subscription");
                ApiError::internal(anyhow::anyhow!("Internal server error"))
            }
            other => other,
        };
        let db = db(ctx).map_err(masked)?;
        let user = account::authorize(db, viewer(ctx), entity::Role::Editor)
            .await
            .map_err(|e| masked(e.into()))?;
        let hub = ctx.data::<Arc<EditEventHub>>().map_err(|_| {
            masked(ApiError::internal(anyhow::anyhow!(
                "the schema has no edit event hub"
            )))
        })?;
        let receiver = hub.subscribe();
        let everything = user.role == Role::Admin;
        let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
            loop {
                match receiver.recv().await {
                    Ok(event) => return Some((event, receiver)),
                    // A slow subscriber misses events rather than holding memory.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                }
            }
        })
        .filter(move |event| std::future::ready(everything || event.author_id == user.id))
        .map(EditEventObject);
        Ok(stream)
    }
}
