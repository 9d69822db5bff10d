//! `stinger-admin history` and `revert`.

use crate::exit::Failure;
use crate::options::{JsonOpt, RemoteOpts};
use crate::output::{self, BOLD, GOOD, OLD};
use crate::remote::client::check_user_errors;
use crate::remote::{Remote, ops};
use clap::Args;
use serde_json::json;

/// Show the revisions of a film, person or company, newest first.
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
#[command(after_help = "Example:\n  stinger-admin revert UmV2aXNpb246MTI --reason \"Vandalism\"")]
pub struct RevertArgs {
    /// The revision's id, as `history` shows it.
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
    let mut remote = Remote::new(&args.remote.server)?;
    let data = remote
        .run::<ops::History>(json!({"slug": args.slug, "first": args.limit}))
        .await?;
    let data = serde_json::to_value(data)?;
    let Some(target) = ["film", "person", "company"]
        .iter()
        .map(|kind| &data[*kind])
        .find(|target| target.is_object())
    else {
        return Err(Failure::NotFound(format!(
            "there is no film, person or company {:?}: check the slug with a search",
            args.slug
        ))
        .into());
    };
    let revisions: Vec<&serde_json::Value> = target["revisions"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| &e["node"])
        .collect();
    if args.output.json {
        return output::json(&revisions);
    }
    let name = if target["title"].is_string() {
        &target["title"]
    } else {
        &target["name"]
    };
    anstream::println!("{BOLD}{}{BOLD:#}", output::short(name));
    for revision in revisions {
        let who = revision["actor"]["username"].as_str().unwrap_or("system");
        let edit = revision["edit"]["number"]
            .as_i64()
            .map(|n| format!(" (edit #{n})"))
            .unwrap_or_default();
        anstream::println!(
            "\n{BOLD}v{}{BOLD:#} {} by {who}{edit}  id {}",
            output::short(&revision["version"]),
            output::short(&revision["createdAt"]),
            output::short(&revision["id"])
        );
        anstream::println!("  {}", output::short(&revision["reason"]));
        if let Some(note) = revision["edit"]["reviewNote"].as_str() {
            anstream::println!("  review note: {note}");
        }
        for diff in revision["diff"].as_array().into_iter().flatten() {
            anstream::println!(
                "  {}: {OLD}{}{OLD:#} → {GOOD}{}{GOOD:#}",
                output::short(&diff["field"]),
                clip(&output::short(&diff["before"])),
                clip(&output::short(&diff["after"]))
            );
        }
    }
    Ok(())
}

pub async fn revert(args: RevertArgs) -> anyhow::Result<()> {
    let mut remote = Remote::new(&args.remote.server)?;
    remote.require_session()?;
    let data = remote
        .run::<ops::RevertRevision>(
            json!({"input": {"revisionId": args.revision, "reason": args.reason}}),
        )
        .await?;
    let payload = serde_json::to_value(&data.revert_revision)?;
    if args.output.json {
        output::json(&payload)?;
    }
    check_user_errors(&payload["userErrors"])?;
    if !args.output.json {
        anstream::println!(
            "{GOOD}Reverted{GOOD:#} through edit #{} ({})",
            output::short(&payload["edit"]["number"]),
            output::short(&payload["edit"]["status"])
        );
    }
    Ok(())
}

/// A value cut to fit on a line.
fn clip(text: &str) -> String {
    let room = output::width().saturating_sub(30).max(20) / 2;
    if text.chars().count() > room {
        text.chars()
            .take(room.saturating_sub(1))
            .chain(['…'])
            .collect()
    } else {
        text.to_owned()
    }
}
