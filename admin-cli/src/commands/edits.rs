//! `stinger-admin edits …`: the review queue.

use crate::exit::Failure;
use crate::options::{JsonOpt, RemoteOpts};
use crate::output::{self, ALERT, BOLD, GOOD, NOTE, OLD};
use crate::remote::Remote;
use crate::remote::client::check_user_errors;
use crate::remote::ops::{self, Edit, EditPayload, EditStatus, TargetType, name_of};
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};

/// Review and follow edits.
#[derive(Debug, Subcommand)]
pub enum EditsCommand {
    /// List edits (admins see all, editors their own), newest first.
    #[command(
        after_help = "Examples:\n  stinger-admin edits list --status pending\n  stinger-admin edits list --author eddie --target score --json"
    )]
    List(ListArgs),
    /// Show one edit as a field diff: what its author saw, what they propose, what is there now.
    #[command(after_help = "Example:\n  stinger-admin edits show 42")]
    Show(ShowArgs),
    /// Approve a pending edit: it applies at once, or is marked conflicted if its fields changed.
    #[command(
        after_help = "Example:\n  stinger-admin edits approve 42 --note \"Checked against the poster\""
    )]
    Approve(ReviewArgs),
    /// Reject a pending edit; the note tells the author why.
    #[command(
        after_help = "Example:\n  stinger-admin edits reject 43 --note \"The source says otherwise\""
    )]
    Reject(RejectArgs),
    /// Withdraw one of your own pending edits.
    Withdraw(ShowArgs),
    /// Follow edit events live until interrupted.
    Watch(super::watch::WatchArgs),
}

/// Arguments of `edits list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only edits in this state.
    #[arg(long, value_enum)]
    status: Option<EditStatus>,
    /// Only edits of this kind of object.
    #[arg(long, value_enum)]
    target: Option<TargetType>,
    /// Only edits by this author (a username).
    #[arg(long, value_name = "USERNAME")]
    author: Option<String>,
    /// Only edits proposed at or after this time (RFC 3339, or a date YYYY-MM-DD meaning its
    /// start in UTC).
    #[arg(long, value_parser = parse_since, value_name = "TIME")]
    since: Option<DateTime<Utc>>,
    /// How many edits to show.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100))]
    limit: u32,
    #[command(flatten)]
    remote: RemoteOpts,
    #[command(flatten)]
    output: JsonOpt,
}

/// An edit number.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The edit's number (`42` or `#42`).
    #[arg(value_parser = parse_number)]
    number: i64,
    #[command(flatten)]
    remote: RemoteOpts,
    #[command(flatten)]
    output: JsonOpt,
}

/// An edit number and an optional note.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// The edit's number (`42` or `#42`).
    #[arg(value_parser = parse_number)]
    number: i64,
    /// A note for the author and the history.
    #[arg(long)]
    note: Option<String>,
    #[command(flatten)]
    remote: RemoteOpts,
    #[command(flatten)]
    output: JsonOpt,
}

/// An edit number and the (required) note.
#[derive(Debug, Args)]
pub struct RejectArgs {
    /// The edit's number (`42` or `#42`).
    #[arg(value_parser = parse_number)]
    number: i64,
    /// Why the edit is rejected: the author reads this.
    #[arg(long)]
    note: String,
    #[command(flatten)]
    remote: RemoteOpts,
    #[command(flatten)]
    output: JsonOpt,
}

/// `42` or `#42` → 42 (also the number of a revision).
pub fn parse_number(text: &str) -> Result<i64, String> {
    let digits = text.trim().trim_start_matches('#');
    digits
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("{text:?} is not a number: give it as 42 or #42"))
}

/// RFC 3339, or `YYYY-MM-DD` for the start of that day in UTC.
fn parse_since(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            format!("{text:?} is not a time: give 2026-12-01 or 2026-12-01T09:30:00+01:00")
        })
}

pub async fn run(command: EditsCommand) -> anyhow::Result<()> {
    match command {
        EditsCommand::List(args) => list(args).await,
        EditsCommand::Show(args) => show(args).await,
        EditsCommand::Approve(args) => {
            let mut remote = Remote::new(&args.remote)?;
            remote.require_session()?;
            let variables = ops::approve_edit::Variables {
                input: ops::approve_edit::ReviewEditInput {
                    edit_id: args.number.to_string(),
                    note: args.note,
                },
            };
            let data = remote.run::<ops::ApproveEdit>(variables).await?;
            finish(data.into(), args.number, "Approved", &args.output)
        }
        EditsCommand::Reject(args) => {
            let mut remote = Remote::new(&args.remote)?;
            remote.require_session()?;
            let variables = ops::reject_edit::Variables {
                input: ops::reject_edit::ReviewEditInput {
                    edit_id: args.number.to_string(),
                    note: Some(args.note),
                },
            };
            let data = remote.run::<ops::RejectEdit>(variables).await?;
            finish(data.into(), args.number, "Rejected", &args.output)
        }
        EditsCommand::Watch(args) => super::watch::run(args).await,
        EditsCommand::Withdraw(args) => {
            let mut remote = Remote::new(&args.remote)?;
            remote.require_session()?;
            let variables = ops::withdraw_edit::Variables {
                input: ops::withdraw_edit::WithdrawEditInput {
                    edit_id: args.number.to_string(),
                },
            };
            let data = remote.run::<ops::WithdrawEdit>(variables).await?;
            finish(data.into(), args.number, "Withdrew", &args.output)
        }
    }
}

async fn list(args: ListArgs) -> anyhow::Result<()> {
    let mut remote = Remote::new(&args.remote)?;
    remote.require_session()?;
    let filter = ops::edit_list::EditFilter {
        status: args.status,
        target_type: args.target,
        author: None,
        author_username: args.author.clone(),
        since: args.since,
    };
    let variables = ops::edit_list::Variables {
        first: Some(i64::from(args.limit)),
        after: None,
        filter: Some(filter),
    };
    let data = remote
        .run::<ops::EditList>(variables)
        .await
        .map_err(|err| match (&args.author, crate::exit::code_of(&err)) {
            (Some(author), crate::exit::NOT_FOUND) => Failure::NotFound(format!(
                "there is no account {author:?}: give the author's username"
            ))
            .into(),
            _ => err,
        })?;
    let total = data.edits.total_count;
    let edits: Vec<Edit> = data
        .edits
        .edges
        .into_iter()
        .map(|e| e.node.into())
        .collect();
    if args.output.json {
        return output::json(&edits);
    }
    if edits.is_empty() {
        eprintln!("No edits match.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = edits
        .iter()
        .map(|e| {
            vec![
                format!("#{}", e.number),
                name_of(&e.status),
                name_of(&e.operation),
                target_text(e),
                e.author
                    .as_ref()
                    .map_or("?".to_owned(), |a| a.username.clone()),
                output::time(&e.created_at),
                e.reason.clone(),
            ]
        })
        .collect();
    output::table(
        &[
            "EDIT", "STATUS", "OP", "TARGET", "AUTHOR", "PROPOSED", "REASON",
        ],
        &rows,
    );
    eprintln!("{} of {total} edits", rows.len());
    Ok(())
}

/// What an edit is about: its label, else its kind.
fn target_text(edit: &Edit) -> String {
    edit.target_label
        .clone()
        .unwrap_or_else(|| format!("a {}", name_of(&edit.target_type).to_lowercase()))
}

/// The failure for an edit that does not exist or that the viewer may not see.
fn no_such_edit(number: i64) -> anyhow::Error {
    Failure::NotFound(format!(
        "there is no edit #{number} you can see: list them with `stinger-admin edits list`"
    ))
    .into()
}

async fn show(args: ShowArgs) -> anyhow::Result<()> {
    let mut remote = Remote::new(&args.remote)?;
    remote.require_session()?;
    let variables = ops::edit_show::Variables {
        id: args.number.to_string(),
    };
    let data = remote.run::<ops::EditShow>(variables).await?;
    let Some(edit) = data.edit else {
        return Err(no_such_edit(args.number));
    };
    let edit: Edit = edit.into();
    if args.output.json {
        return output::json(&edit);
    }
    print_edit(&edit);
    Ok(())
}

/// Prints an edit as a coloured field diff.
fn print_edit(edit: &Edit) {
    let status = name_of(&edit.status);
    let style = if edit.status == EditStatus::Conflicted {
        ALERT
    } else {
        BOLD
    };
    anstream::println!(
        "{BOLD}Edit #{}{BOLD:#}  {style}{status}{style:#}  {} {}",
        edit.number,
        name_of(&edit.operation),
        target_text(edit),
    );
    anstream::println!(
        "  {} {}",
        name_of(&edit.target_type).to_lowercase(),
        edit.target_id.as_deref().unwrap_or("(new)")
    );
    anstream::println!(
        "  by {} on {}",
        edit.author.as_ref().map_or("?", |a| a.username.as_str()),
        output::time(&edit.created_at)
    );
    anstream::println!("  reason: {}", edit.reason);
    if let Some(evidence) = &edit.evidence {
        anstream::println!("  evidence: {evidence}");
    }
    if let Some(reviewer) = &edit.reviewer {
        anstream::println!(
            "  reviewed by {}{}: {}",
            reviewer.username,
            edit.reviewed_at
                .map(|t| format!(" on {}", output::time(&t)))
                .unwrap_or_default(),
            edit.review_note.as_deref().unwrap_or("(no note)")
        );
    }
    anstream::println!();
    for change in &edit.changes {
        anstream::println!("  {BOLD}{}{BOLD:#}", change.field);
        anstream::println!(
            "    {OLD}- seen:     {}{OLD:#}",
            output::short(&change.from)
        );
        anstream::println!(
            "    {GOOD}+ proposed: {}{GOOD:#}",
            output::short(&change.to)
        );
        if change.has_current {
            let now = change.current.clone().unwrap_or_default();
            let conflict = now != change.from;
            let style = if conflict { ALERT } else { NOTE };
            let mark = if conflict {
                "! current:  "
            } else {
                "  current:  "
            };
            anstream::println!("    {style}{mark}{}{style:#}", output::short(&now));
        }
    }
    if edit.status == EditStatus::Conflicted {
        anstream::println!(
            "\n  {ALERT}Conflict:{ALERT:#} a field changed after the author saw it; the author can propose a fresh edit."
        );
    }
}

/// Reports a review's payload: the edit's new state, or its user errors with exit codes.
fn finish(
    payload: EditPayload,
    number: i64,
    verb: &str,
    output_opts: &JsonOpt,
) -> anyhow::Result<()> {
    if output_opts.json {
        output::json(&payload)?;
    }
    if let Some(edit) = payload.edit.as_ref()
        && edit.status == EditStatus::Conflicted
    {
        if !output_opts.json {
            print_edit(edit);
        }
        return Err(Failure::Conflict(format!(
            "edit #{} conflicts with the current data and was not applied",
            edit.number
        ))
        .into());
    }
    if payload
        .user_errors
        .first()
        .is_some_and(|p| p.code == "NOT_FOUND")
    {
        return Err(no_such_edit(number));
    }
    check_user_errors(&payload.user_errors)?;
    if !output_opts.json {
        let about = payload
            .edit
            .as_ref()
            .map(|e| format!(": {}", target_text(e)))
            .unwrap_or_default();
        anstream::println!("{GOOD}{verb}{GOOD:#} edit #{number}{about}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_may_carry_a_hash() {
        assert_eq!(parse_number("#42"), Ok(42));
        assert_eq!(parse_number("7"), Ok(7));
        assert!(parse_number("x").is_err());
        assert!(parse_number("0").is_err());
    }

    #[test]
    fn since_takes_a_date_or_a_time() {
        assert_eq!(
            parse_since("2026-12-01").unwrap().to_rfc3339(),
            "2026-12-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_since("2026-12-01T10:00:00+01:00")
                .unwrap()
                .to_rfc3339(),
            "2026-12-01T09:00:00+00:00"
        );
        assert!(parse_since("yesterday").is_err());
    }
}
