//! `stinger-admin generate`: deterministic synthetic films for benchmarks, written through the
//! one import service in batches.

use crate::commands::import::print_report;
use crate::options::{ConnectOpts, JsonOpt, progress_bar};
use anyhow::Context;
use clap::Args;
use std::collections::HashSet;
use std::time::Instant;
use stinger_api::service::generate::Generator;
use stinger_api::service::import::{self, ImportReport};

/// Films per `import_films` call: one transaction each, small enough to keep memory flat.
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
    let bar = progress_bar(Some(args.films as u64), "Generating");
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

    let conn = args.connect.connect(true).await?;
    let source = format!(
        "stinger-admin generate --films {} --seed {}",
        args.films, args.seed
    );
    let mut total = ImportReport::default();
    while generator.remaining() > 0 {
        let batch = generator.batch(BATCH);
        let n = batch.len();
        let report = import::import_films(&conn, batch, &source)
            .await
            .with_context(|| {
                format!(
                    "Failed to write films {}–{}; the batches before are kept, run the same command again to finish",
                    total.films_added + total.films_unchanged + 1,
                    total.films_added + total.films_unchanged + n
                )
            })?;
        add(&mut total, report);
        bar.inc(n as u64);
    }
    bar.finish_and_clear();
    total.elapsed = started.elapsed();
    print_report(&total, args.json.json)
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

/// Adds one batch's report to the running total.
fn add(total: &mut ImportReport, batch: ImportReport) {
    total.films_added += batch.films_added;
    total.films_unchanged += batch.films_unchanged;
    total.people_added += batch.people_added;
    total.companies_added += batch.companies_added;
    total.credits_added += batch.credits_added;
    total.company_links_added += batch.company_links_added;
    total.scores_added += batch.scores_added;
    total.trivia_added += batch.trivia_added;
    total.credit_scenes_added += batch.credit_scenes_added;
    total.revisions_written += batch.revisions_written;
    total.notes.extend(batch.notes);
}
