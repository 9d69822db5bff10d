//! `stinger-admin edits …`: the review queue.

use crate::exit::Failure;
use crate::options::{JsonOpt, RemoteOpts};
use crate::output::{self, ALERT, BOLD, GOOD, NOTE, OLD};
use crate::remote::client::check_user_errors;
use crate::remote::{Remote, ops};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

/// Review and follow edits.
#[derive(Debug, Subcommand)]
pub enum EditsCommand {
    /// List edits (admins see all, editors their own), newest first.
    #[command(
        after_help = "Examples:\n  stinger-admin edits list --status pending\n  stinger-admin edits list --target film --json"
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
    /// Only edits in this state: pending, approved, rejected, withdrawn, conflicted.
    #[arg(long)]
    status: Option<String>,
    /// Only edits of this kind of object: film, credit-scene, person, credit, company, film-company, score, trivia.
    #[arg(long)]
    target: Option<String>,
    /// Only edits by this author (a user id, as `whoami --json` shows).
    #[arg(long)]
    author: Option<String>,
    /// Only edits proposed at or after this time (RFC 3339, or a date YYYY-MM-DD).
    #[arg(long)]
    since: Option<String>,
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
    number: String,
    #[command(flatten)]
    remote: RemoteOpts,
    #[command(flatten)]
    output: JsonOpt,
}

/// An edit number and an optional note.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// The edit's number (`42` or `#42`).
    number: String,
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
    number: String,
    /// Why the edit is rejected: the author reads this.
    #[arg(long)]
    note: String,
    #[command(flatten)]
    remote: RemoteOpts,
    #[command(flatten)]
    output: JsonOpt,
}

/// `42` or `#42` → `"42"`.
fn number(text: &str) -> anyhow::Result<String> {
    let digits = text.trim().trim_start_matches('#');
    anyhow::ensure!(
        !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()),
        "{text:?} is not an edit number: give it as 42 or #42"
    );
    Ok(digits.to_owned())
}

/// `credit-scene` → `CREDIT_SCENE`.
fn enum_value(text: &str) -> String {
    text.trim().replace('-', "_").to_uppercase()
}

pub async fn run(command: EditsCommand) -> anyhow::Result<()> {
    match command {
        EditsCommand::List(args) => list(args).await,
        EditsCommand::Show(args) => show(args).await,
        EditsCommand::Approve(args) => {
            review::<ops::ApproveEdit>(
                args.number,
                args.note,
                args.remote,
                args.output,
                "approveEdit",
                "Approved",
            )
            .await
        }
        EditsCommand::Reject(args) => {
            review::<ops::RejectEdit>(
                args.number,
                Some(args.note),
                args.remote,
                args.output,
                "rejectEdit",
                "Rejected",
            )
            .await
        }
        EditsCommand::Watch(args) => super::watch::run(args).await,
        EditsCommand::Withdraw(args) => {
            let mut remote = Remote::new(&args.remote.server)?;
            remote.require_session()?;
            let data = remote
                .run::<ops::WithdrawEdit>(json!({"input": {"editId": number(&args.number)?}}))
                .await?;
            finish(
                serde_json::to_value(data)?,
                "withdrawEdit",
                "Withdrew",
                &args.output,
            )
        }
    }
}

async fn list(args: ListArgs) -> anyhow::Result<()> {
    let mut remote = Remote::new(&args.remote.server)?;
    remote.require_session()?;
    let mut filter = serde_json::Map::new();
    if let Some(status) = &args.status {
        filter.insert("status".into(), enum_value(status).into());
    }
    if let Some(target) = &args.target {
        filter.insert("targetType".into(), enum_value(target).into());
    }
    if let Some(author) = &args.author {
        filter.insert("author".into(), author.clone().into());
    }
    if let Some(since) = &args.since {
        let since = if since.len() == 10 {
            format!("{since}T00:00:00Z")
        } else {
            since.clone()
        };
        filter.insert("since".into(), since.into());
    }
    let data = remote
        .run::<ops::EditList>(json!({"first": args.limit, "filter": Value::Object(filter)}))
        .await?;
    let edits = serde_json::to_value(&data.edits)?;
    if args.output.json {
        let nodes: Vec<&Value> = edits["edges"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| &e["node"])
            .collect();
        return output::json(&nodes);
    }
    let rows: Vec<Vec<String>> = edits["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|edge| {
            let e = &edge["node"];
            vec![
                format!("#{}", output::short(&e["number"])),
                output::short(&e["status"]),
                output::short(&e["operation"]),
                output::short(&e["targetType"]),
                output::short(&e["author"]["username"]),
                output::short(&e["createdAt"])
                    .chars()
                    .take(16)
                    .collect::<String>()
                    .replace('T', " "),
                output::short(&e["reason"]),
            ]
        })
        .collect();
    if rows.is_empty() {
        eprintln!("No edits match.");
        return Ok(());
    }
    output::table(
        &[
            "EDIT", "STATUS", "OP", "TARGET", "AUTHOR", "PROPOSED", "REASON",
        ],
        &rows,
    );
    eprintln!(
        "{} of {} edits",
        rows.len(),
        output::short(&edits["totalCount"])
    );
    Ok(())
}

async fn show(args: ShowArgs) -> anyhow::Result<()> {
    let mut remote = Remote::new(&args.remote.server)?;
    remote.require_session()?;
    let wanted = number(&args.number)?;
    let data = remote.run::<ops::EditShow>(json!({"id": wanted})).await?;
    let Some(edit) = data.edit else {
        return Err(Failure::NotFound(format!(
            "there is no edit #{wanted} you can see: list them with `stinger-admin edits list`"
        ))
        .into());
    };
    let edit = serde_json::to_value(edit)?;
    if args.output.json {
        return output::json(&edit);
    }
    print_edit(&edit);
    Ok(())
}

/// Prints an edit as a coloured field diff.
fn print_edit(edit: &Value) {
    let status = output::short(&edit["status"]);
    let style = if status == "CONFLICTED" { ALERT } else { BOLD };
    anstream::println!(
        "{BOLD}Edit #{}{BOLD:#}  {style}{status}{style:#}  {} {} {}",
        output::short(&edit["number"]),
        output::short(&edit["operation"]),
        output::short(&edit["targetType"]),
        edit["targetId"].as_str().unwrap_or("(new)")
    );
    anstream::println!(
        "  by {} on {}",
        output::short(&edit["author"]["username"]),
        output::short(&edit["createdAt"])
    );
    anstream::println!("  reason: {}", output::short(&edit["reason"]));
    if let Some(evidence) = edit["evidence"].as_str() {
        anstream::println!("  evidence: {evidence}");
    }
    if edit["reviewer"].is_object() {
        anstream::println!(
            "  reviewed by {} on {}: {}",
            output::short(&edit["reviewer"]["username"]),
            output::short(&edit["reviewedAt"]),
            edit["reviewNote"].as_str().unwrap_or("(no note)")
        );
    }
    anstream::println!();
    for change in edit["changes"].as_array().into_iter().flatten() {
        anstream::println!("  {BOLD}{}{BOLD:#}", output::short(&change["field"]));
        anstream::println!(
            "    {OLD}- seen:     {}{OLD:#}",
            output::short(&change["from"])
        );
        anstream::println!(
            "    {GOOD}+ proposed: {}{GOOD:#}",
            output::short(&change["to"])
        );
        if !change["current"].is_null() {
            let conflict = change["current"] != change["from"];
            let style = if conflict { ALERT } else { NOTE };
            let mark = if conflict {
                "! current:  "
            } else {
                "  current:  "
            };
            anstream::println!(
                "    {style}{mark}{}{style:#}",
                output::short(&change["current"])
            );
        }
    }
    if status == "CONFLICTED" {
        anstream::println!(
            "\n  {ALERT}Conflict:{ALERT:#} a field changed after the author saw it; the author can propose a fresh edit."
        );
    }
}

async fn review<Q: crate::remote::ops::Operation>(
    number_text: String,
    note: Option<String>,
    remote_opts: RemoteOpts,
    output_opts: JsonOpt,
    field: &str,
    verb: &str,
) -> anyhow::Result<()> {
    let mut remote = Remote::new(&remote_opts.server)?;
    remote.require_session()?;
    let data = remote
        .run::<Q>(json!({"input": {"editId": number(&number_text)?, "note": note}}))
        .await?;
    finish(serde_json::to_value(data)?, field, verb, &output_opts)
}

/// Reports a mutation's payload: the edit's new state, or its user errors with exit codes.
fn finish(data: Value, field: &str, verb: &str, output_opts: &JsonOpt) -> anyhow::Result<()> {
    let payload = &data[field];
    if output_opts.json {
        output::json(payload)?;
    }
    let edit = &payload["edit"];
    if output::short(&edit["status"]) == "CONFLICTED" {
        if !output_opts.json {
            print_edit(edit);
        }
        return Err(Failure::Conflict(format!(
            "edit #{} conflicts with the current data and was not applied",
            output::short(&edit["number"])
        ))
        .into());
    }
    check_user_errors(&payload["userErrors"])?;
    if !output_opts.json {
        anstream::println!(
            "{GOOD}{verb}{GOOD:#} edit #{} ({})",
            output::short(&edit["number"]),
            output::short(&edit["status"])
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_numbers_may_carry_a_hash() {
        assert_eq!(number("#42").unwrap(), "42");
        assert_eq!(number("7").unwrap(), "7");
        assert!(number("x").is_err());
        assert_eq!(enum_value("credit-scene"), "CREDIT_SCENE");
    }
}
