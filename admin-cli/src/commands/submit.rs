//! `stinger-admin submit`: propose an edit from flags or from a JSON or TOML file.

use super::fields;
use crate::exit::Failure;
use crate::options::{JsonOpt, RemoteOpts};
use crate::output::{self, GOOD};
use crate::remote::client::check_user_errors;
use crate::remote::ops::EditPayload;
use crate::remote::{Remote, ops};
use anyhow::{Context, anyhow};
use clap::{Args, ValueEnum};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::path::PathBuf;

/// The kinds of object an edit can target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Film,
    CreditScene,
    Person,
    Credit,
    Company,
    FilmCompany,
    Score,
    Trivia,
}

impl Kind {
    /// The member of `EditChangesInput` for this kind.
    fn input_field(self) -> &'static str {
        match self {
            Self::Film => "film",
            Self::CreditScene => "creditScene",
            Self::Person => "person",
            Self::Credit => "credit",
            Self::Company => "company",
            Self::FilmCompany => "filmCompany",
            Self::Score => "score",
            Self::Trivia => "trivia",
        }
    }

    /// The GraphQL type of this kind's objects.
    fn type_name(self) -> &'static str {
        match self {
            Self::Film => "Film",
            Self::CreditScene => "CreditScene",
            Self::Person => "Person",
            Self::Credit => "Credit",
            Self::Company => "Company",
            Self::FilmCompany => "FilmCompany",
            Self::Score => "Score",
            Self::Trivia => "Trivia",
        }
    }

    /// The GraphQL input type of this kind's editable fields.
    fn input_type(self) -> String {
        format!("{}ChangesInput", self.type_name())
    }

    /// Kinds with slugs can be named by slug; the others by global id.
    fn has_slug(self) -> bool {
        matches!(self, Self::Film | Self::Person | Self::Company)
    }
}

/// Propose a correction or addition. It applies only once an admin approves it.
///
/// Fields are the target type's editable fields as the GraphQL schema names them (camelCase).
/// `--set field=text` sets text; `--set field:=json` sets a JSON value (numbers, true/false,
/// lists, or null to mark a value unknown). Reference fields (filmId, personId, companyId,
/// teasesFilmId) take a slug or a global id.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    stinger-admin submit film m-butterfly-1993 --set tagline=\"Desire has no boundaries\" --reason \"On the poster\"\n  \
    stinger-admin submit score U2NvcmU6NA --set value:=null --reason \"0% was a missing value\"\n  \
    stinger-admin submit trivia --create --set filmId=m-butterfly-1993 --set question=\"…\" --set answer=\"…\" --reason \"…\"\n  \
    stinger-admin submit person --create --set name=\"Jane Doe\" --reason \"Credited editor\"\n  \
    stinger-admin submit --file edit.toml\n\n\
    A file holds: kind, target (slug or id; absent to create), operation (UPDATE, CREATE, DELETE),\n\
    set (a table of field values), reason and optionally evidence.")]
pub struct SubmitArgs {
    /// What kind of object (not needed with --file).
    #[arg(value_enum, required_unless_present = "file")]
    kind: Option<Kind>,
    /// The object: a slug (films, people, companies) or a global id; leave out with --create.
    #[arg(required_unless_present_any = ["file", "create"])]
    target: Option<String>,
    /// A field value: `field=text` or `field:=json` (repeatable).
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    set: Vec<String>,
    /// Why: required, and shown to reviewers.
    #[arg(long, required_unless_present = "file")]
    reason: Option<String>,
    /// A source backing the edit (a URL).
    #[arg(long)]
    evidence: Option<String>,
    /// Propose a new object instead of changing one.
    #[arg(long, conflicts_with_all = ["delete", "target"])]
    create: bool,
    /// Propose removing the object.
    #[arg(long)]
    delete: bool,
    /// Read the whole edit from a JSON or TOML file instead.
    #[arg(long, conflicts_with_all = ["kind", "target", "set", "reason", "create", "delete"])]
    file: Option<PathBuf>,
    #[command(flatten)]
    remote: RemoteOpts,
    #[command(flatten)]
    output: JsonOpt,
}

/// An edit as a file describes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EditFile {
    kind: Kind,
    target: Option<String>,
    #[serde(default = "update")]
    operation: String,
    #[serde(default)]
    set: Map<String, Value>,
    reason: String,
    evidence: Option<String>,
}

fn update() -> String {
    "UPDATE".to_owned()
}

/// Parses `field=text` or `field:=json`.
pub fn parse_assignment(text: &str) -> anyhow::Result<(String, Value)> {
    let usage = |message: String| anyhow::Error::new(Failure::Usage(message));
    if let Some((field, json)) = text.split_once(":=")
        && !field.contains('=')
    {
        let value = serde_json::from_str(json).map_err(|_| {
            usage(format!(
                "--set {text:?}: {json:?} is not JSON (a number, true, false, null, a list or \
                 a \"quoted string\"); write text as {field}=text"
            ))
        })?;
        return Ok((field.trim().to_owned(), value));
    }
    let (field, value) = text.split_once('=').ok_or_else(|| {
        usage(format!(
            "--set {text:?} needs the form field=text or field:=json"
        ))
    })?;
    if field.trim().is_empty() {
        return Err(usage(format!("--set {text:?} names no field")));
    }
    Ok((field.trim().to_owned(), Value::String(value.to_owned())))
}

fn read_file(path: &PathBuf) -> anyhow::Result<EditFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("Failed to read {}", path.display()))?;
    let is_toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    if is_toml {
        toml::from_str(&text)
            .with_context(|| format!("{} is not a valid edit file (TOML)", path.display()))
    } else {
        serde_json::from_str(&text)
            .with_context(|| format!("{} is not a valid edit file (JSON)", path.display()))
    }
}

pub async fn run(args: SubmitArgs) -> anyhow::Result<()> {
    let edit = match &args.file {
        Some(path) => read_file(path)?,
        None => {
            let mut set = Map::new();
            for assignment in &args.set {
                let (field, value) = parse_assignment(assignment)?;
                set.insert(field, value);
            }
            let operation = if args.create {
                "CREATE"
            } else if args.delete {
                "DELETE"
            } else {
                "UPDATE"
            };
            EditFile {
                kind: args
                    .kind
                    .ok_or_else(|| anyhow!("name the kind of object"))?,
                target: args.target.clone(),
                operation: operation.to_owned(),
                set,
                reason: args.reason.clone().unwrap_or_default(),
                evidence: args.evidence.clone(),
            }
        }
    };
    let operation = edit.operation.to_uppercase();
    if !["CREATE", "UPDATE", "DELETE"].contains(&operation.as_str()) {
        return Err(Failure::Usage(format!(
            "operation {:?} is not CREATE, UPDATE or DELETE",
            edit.operation
        ))
        .into());
    }
    if operation != "DELETE" && edit.set.is_empty() {
        return Err(Failure::Usage("nothing to change: give --set field=value".into()).into());
    }

    let mut remote = Remote::new(&args.remote)?;
    remote.require_session()?;
    let target_id = match (&edit.target, operation.as_str()) {
        (_, "CREATE") => None,
        (None, _) => {
            return Err(
                Failure::Usage("name the object to change (a slug or a global id)".into()).into(),
            );
        }
        (Some(target), _) => Some(resolve(&mut remote, edit.kind, target).await?),
    };
    let mut fields = edit.set;
    if operation != "DELETE" {
        fields::check(&mut remote, edit.kind.input_type(), &fields).await?;
        resolve_references(&mut remote, &mut fields).await?;
    }
    let mut input =
        json!({"operation": operation, "reason": edit.reason, "evidence": edit.evidence});
    if let Some(id) = target_id {
        input["targetId"] = id.into();
    }
    if operation != "DELETE" {
        input["changes"] = json!({ edit.kind.input_field(): Value::Object(fields) });
    }
    let data = remote
        .run_with::<ops::ProposeEdit>(json!({"input": input}))
        .await?;
    let payload: EditPayload = data.into();
    if args.output.json {
        output::json(&payload)?;
    }
    check_user_errors(&payload.user_errors)?;
    if !args.output.json
        && let Some(edit) = &payload.edit
    {
        let about = edit
            .target_label
            .as_deref()
            .map(|l| format!(" about {l}"))
            .unwrap_or_default();
        anstream::println!(
            "{GOOD}Proposed{GOOD:#} edit #{}{about}; an admin will review it",
            edit.number
        );
    }
    Ok(())
}

/// The global id inside `text` if it is one of an object of `kind` (a GraphQL type name).
fn global_id_of(text: &str, kind: &str) -> Option<String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .ok()?;
    let decoded = String::from_utf8(bytes).ok()?;
    let (found, number) = decoded.split_once(':')?;
    (found == kind && number.parse::<i64>().is_ok()).then(|| text.to_owned())
}

/// A slug or global id → the global id of an object of `kind`, or a not-found failure saying
/// how to find the right one.
async fn resolve(remote: &mut Remote, kind: Kind, target: &str) -> anyhow::Result<String> {
    if let Some(id) = global_id_of(target, kind.type_name()) {
        return Ok(id);
    }
    let what = kind.type_name().to_lowercase();
    if !kind.has_slug() {
        return Err(Failure::NotFound(format!(
            "{target:?} is not the id of a {what}: `stinger-admin show film <slug>` lists a \
             film's scores, credits, trivia and credit scenes with their ids"
        ))
        .into());
    }
    let variables = ops::target_ids::Variables {
        slug: target.to_owned(),
    };
    let data = remote.run::<ops::TargetIds>(variables).await?;
    let id = match kind {
        Kind::Film => data.film.map(|f| f.id),
        Kind::Person => data.person.map(|p| p.id),
        _ => data.company.map(|c| c.id),
    };
    id.ok_or_else(|| {
        Failure::NotFound(format!(
            "there is no {what} {target:?}: find its slug with `stinger-admin search <name>`"
        ))
        .into()
    })
}

/// Reference fields (`filmId`, `teasesFilmId`, `personId`, `companyId`) take a slug as well
/// as a global id: slugs are replaced by the id they name.
async fn resolve_references(
    remote: &mut Remote,
    fields: &mut Map<String, Value>,
) -> anyhow::Result<()> {
    for (field, kind) in [
        ("filmId", Kind::Film),
        ("teasesFilmId", Kind::Film),
        ("personId", Kind::Person),
        ("companyId", Kind::Company),
    ] {
        if let Some(Value::String(text)) = fields.get(field) {
            let id = resolve(remote, kind, &text.clone()).await?;
            fields.insert(field.to_owned(), Value::String(id));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_read_text_and_json() {
        assert_eq!(
            parse_assignment("tagline=Hi there").unwrap(),
            ("tagline".into(), json!("Hi there"))
        );
        assert_eq!(
            parse_assignment("title=1776").unwrap(),
            ("title".into(), json!("1776"))
        );
        assert_eq!(
            parse_assignment("value:=null").unwrap(),
            ("value".into(), Value::Null)
        );
        assert_eq!(
            parse_assignment("genres:=[\"Drama\"]").unwrap(),
            ("genres".into(), json!(["Drama"]))
        );
        assert_eq!(
            parse_assignment("plot=a:=b").unwrap(),
            ("plot".into(), json!("a:=b"))
        );
        assert!(parse_assignment("novalue").is_err());
        assert!(parse_assignment("value:=nope").is_err());
    }
}
