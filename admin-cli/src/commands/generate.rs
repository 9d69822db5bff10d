//! `stinger-admin generate`: deterministic synthetic films for benchmarks, streamed through
//! the one import service as a single bulk load.

use crate::commands::import::{interruptible, print_report};
use crate::options::{ConnectOpts, JsonOpt, progress_bar};
use anyhow::Context;
use clap::Args;
use std::collections::HashSet;
use std::time::Instant;
use stinger_api::service::generate::Generator;
use stinger_api::service::import::{self, ImportError};

/// Films counted at a time by a dry run.
const BATCH: usize = 1_000;

/// Arguments of `generate` (its help text is on `Command::Generate`).
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    stinger-admin generate --films 10000 --seed 1 --data-dir /tmp/bench\n  \
    stinger-admin generate --films 100 --seed 7 --dry-run --json")]
pub struct GenerateArgs {
    /// How many films to generate.
    #[arg(long, value_name = "N")]
    films: usize,
    /// Seed of the random numbers: the same seed gives the same films.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// Generate and count, but write nothing to the database.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    json: JsonOpt,
    #[command(flatten)]
    connect: ConnectOpts,
}

/// What a dry run would write.
#[derive(Debug, Default, serde::Serialize)]
struct DryRun {
    dry_run: bool,
    films: usize,
    people: usize,
    companies: usize,
    credits: usize,
    company_links: usize,
    scores: usize,
    trivia: usize,
    credit_scenes: usize,
    elapsed_seconds: f64,
}

pub async fn run(args: GenerateArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut generator = Generator::new(args.films, args.seed);
    let bar = progress_bar(Some(args.films as u64), "Generating films");
    if args.dry_run {
        let summary = dry_run(&mut generator, &bar);
        bar.finish_and_clear();
        let summary = DryRun {
            elapsed_seconds: started.elapsed().as_secs_f64(),
            ..summary
        };
        if args.json.json {
            println!(
                "{}",
                serde_json::to_string(&summary).context("Failed to describe the summary")?
            );
        } else {
            println!(
                "Would generate {} films, {} people, {} companies, {} credits, {} scores, {} trivia, {} credit scenes (dry run: nothing written) in {:.1} s",
                summary.films,
                summary.people,
                summary.companies,
                summary.credits,
                summary.scores,
                summary.trivia,
                summary.credit_scenes,
                summary.elapsed_seconds
            );
        }
        return Ok(());
    }

    let conn = args.connect.connect().await?;
    let source = format!(
        "stinger-admin generate --films {} --seed {}",
        args.films, args.seed
    );
    let films = generator.map(Ok::<_, ImportError>);
    let report = interruptible(import::import_stream(&conn, films, &source, &mut |done| {
        bar.set_position(done as u64)
    }))
    .await;
    bar.finish_and_clear();
    let report = report?.context("Failed to write the films; nothing was written")?;
    print_report(&report, args.json.json)
}

fn dry_run(generator: &mut Generator, bar: &indicatif::ProgressBar) -> DryRun {
    let mut summary = DryRun {
        dry_run: true,
        ..DryRun::default()
    };
    let mut people = HashSet::new();
    let mut companies = HashSet::new();
    while generator.remaining() > 0 {
        let batch = generator.batch(BATCH);
        for film in &batch {
            summary.films += 1;
            summary.credits += film.credits.len();
            summary.company_links += film.companies.len();
            summary.scores += film.scores.len();
            summary.trivia += film.trivia.len();
            summary.credit_scenes += film.credit_scenes.len();
            people.extend(film.credits.iter().map(|c| import::person_slug(&c.person)));
            companies.extend(
                film.companies
                    .iter()
                    .map(|l| import::company_slug(&l.company)),
            );
        }
        bar.inc(batch.len() as u64);
    }
    summary.people = people.len();
    summary.companies = companies.len();
    summary
}
