//! `stinger-admin history` and `revert`.

use super::edits::parse_number;
use crate::exit::Failure;
use crate::options::{JsonOpt, RemoteOpts};
use crate::output::{self, BOLD, GOOD, OLD};
use crate::remote::Remote;
use crate::remote::client::check_user_errors;
use crate::remote::ops::{self, EditPayload, history::RevisionPage, name_of};
use clap::Args;
use serde_json::Value;
use similar::{ChangeTag, TextDiff};

/// Show the revisions of a film (with its scores, credits, trivia, credit scenes and
/// companies), a person or a company, newest first.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  stinger-admin history m-butterfly-1993")]
pub struct HistoryArgs {
    /// The slug of a film, person or company.
    slug: String,
    /// How many revisions to show.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100))]
    limit: u32,
    #[command(flatten)]
    remote: RemoteOpts,
    #[command(flatten)]
    output: JsonOpt,
}

/// Undo a revision: creates an edit restoring the earlier values and applies it (admins).
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stinger-admin revert 12 --reason \"Vandalism\"\n  \
    stinger-admin revert UmV2aXNpb246MTI --reason \"Vandalism\""
)]
pub struct RevertArgs {
    /// The revision: its number (as `history` and revert notes show it) or its id.
    revision: String,
    /// Why: required.
    #[arg(long)]
    reason: String,
    #[command(flatten)]
    remote: RemoteOpts,
    #[command(flatten)]
    output: JsonOpt,
}

pub async fn history(args: HistoryArgs) -> anyhow::Result<()> {
    let mut remote = Remote::new(&args.remote)?;
    let variables = ops::history::Variables {
        slug: args.slug.clone(),
        first: Some(i64::from(args.limit)),
    };
    let data = remote.run::<ops::History>(variables).await?;
    let (name, page) = if let Some(film) = data.film {
        let name = match film.year {
            Some(year) => format!("{} ({year})", film.title),
            None => film.title,
        };
        (name, film.revisions)
    } else if let Some(person) = data.person {
        (person.name, person.revisions)
    } else if let Some(company) = data.company {
        (company.name, company.revisions)
    } else {
        return Err(Failure::NotFound(format!(
            "there is no film, person or company {:?}: find its slug with `stinger-admin search <name>`",
            args.slug
        ))
        .into());
    };
    if args.output.json {
        let revisions: Vec<_> = page.edges.into_iter().map(|e| e.node).collect();
        return output::json(&revisions);
    }
    print_history(&name, page);
    Ok(())
}

fn print_history(name: &str, page: RevisionPage) {
    anstream::println!("{BOLD}{name}{BOLD:#}");
    let shown = page.edges.len();
    for revision in page.edges.into_iter().map(|e| e.node) {
        let who = revision
            .actor
            .as_ref()
            .map_or("the system", |a| a.username.as_str());
        let edit = revision
            .edit
            .as_ref()
            .map(|e| format!(", edit #{}", e.number))
            .unwrap_or_default();
        anstream::println!(
            "\n{BOLD}revision {}{BOLD:#}  {}  by {who}{edit}",
            revision.number,
            output::time(&revision.created_at),
        );
        let label = revision
            .target_label
            .clone()
            .unwrap_or_else(|| name_of(&revision.target_type).to_lowercase());
        anstream::println!("  {label} (v{})", revision.version);
        anstream::println!("  {}", revision.reason);
        if let Some(note) = revision
            .edit
            .as_ref()
            .and_then(|e| e.review_note.as_deref())
        {
            anstream::println!("  review note: {note}");
        }
        for diff in &revision.diff {
            if let Some(line) = change_line(&diff.field, &diff.before, &diff.after) {
                anstream::println!("{line}");
            }
        }
    }
    if page.total_count > i64::try_from(shown).unwrap_or(i64::MAX) {
        eprintln!(
            "\n{shown} of {} revisions: see more with --limit",
            page.total_count
        );
    }
}

/// Text longer than this is shown as a word diff rather than whole.
const LONG_TEXT: usize = 60;

/// One field's change as a line (`  field: before → after`), or as a word diff for long text;
/// `None` when nothing changed (so no `∅ → ∅`).
fn change_line(field: &str, before: &Value, after: &Value) -> Option<String> {
    if before == after {
        return None;
    }
    if let (Value::String(old), Value::String(new)) = (before, after)
        && old.chars().count().max(new.chars().count()) > LONG_TEXT
    {
        return Some(format!("  {field}: {}", word_diff(old, new)));
    }
    Some(format!(
        "  {field}: {OLD}{}{OLD:#} → {GOOD}{}{GOOD:#}",
        output::short(before),
        output::short(after)
    ))
}

/// Where two texts differ, word by word: unchanged words as they are, removed ones as
/// `[-words-]` and added ones as `{+words+}` (as `git diff --word-diff` writes them), coloured
/// on a terminal.
fn word_diff(old: &str, new: &str) -> String {
    let diff = TextDiff::from_words(old, new);
    let mut out = String::new();
    let mut run: Option<(ChangeTag, String)> = None;
    let flush = |out: &mut String, run: Option<(ChangeTag, String)>| {
        if let Some((tag, text)) = run {
            match tag {
                ChangeTag::Equal => out.push_str(&text),
                ChangeTag::Delete => out.push_str(&format!("{OLD}[-{text}-]{OLD:#}")),
                ChangeTag::Insert => out.push_str(&format!("{GOOD}{{+{text}+}}{GOOD:#}")),
            }
        }
    };
    for change in diff.iter_all_changes() {
        let tag = change.tag();
        let text = change.value();
        match &mut run {
            Some((current, buffer)) if *current == tag => buffer.push_str(text),
            _ => {
                flush(&mut out, run.take());
                run = Some((tag, text.to_owned()));
            }
        }
    }
    flush(&mut out, run);
    out
}

pub async fn revert(args: RevertArgs) -> anyhow::Result<()> {
    let mut remote = Remote::new(&args.remote)?;
    remote.require_session()?;
    // A number (`12`, `#12`) as revert notes and `history` print it, or a global id.
    let revision = parse_number(&args.revision)
        .map(|n| n.to_string())
        .unwrap_or_else(|_| args.revision.clone());
    let variables = ops::revert_revision::Variables {
        input: ops::revert_revision::RevertRevisionInput {
            revision_id: revision,
            reason: args.reason,
        },
    };
    let data = remote.run::<ops::RevertRevision>(variables).await?;
    let payload: EditPayload = data.into();
    if args.output.json {
        output::json(&payload)?;
    }
    if payload
        .user_errors
        .first()
        .is_some_and(|p| p.code == "NOT_FOUND")
    {
        return Err(Failure::NotFound(format!(
            "there is no revision {}: `stinger-admin history <slug>` lists them with their numbers",
            args.revision
        ))
        .into());
    }
    check_user_errors(&payload.user_errors)?;
    if !args.output.json
        && let Some(edit) = &payload.edit
    {
        anstream::println!(
            "{GOOD}Reverted{GOOD:#} revision {} through edit #{}",
            args.revision.trim_start_matches('#'),
            edit.number
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unchanged_values_print_nothing() {
        assert_eq!(change_line("value", &Value::Null, &Value::Null), None);
        assert!(change_line("value", &json!(0), &Value::Null).is_some());
    }

    #[test]
    fn long_text_shows_where_it_differs() {
        let old = "In 1980s Beijing, a French diplomat falls in love with a Peking Opera singer.";
        let new = "In 1964 Beijing, a French diplomat falls in love with a Peking Opera singer.";
        let line = change_line("synopsis", &json!(old), &json!(new)).unwrap();
        let line = anstream::adapter::strip_str(&line).to_string();
        assert!(line.contains("[-1980s-]{+1964+}"), "{line}");
        assert!(line.contains("Peking Opera singer."), "{line}");
    }
}
