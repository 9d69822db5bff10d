//! `stinger-admin import …`: every source goes through the one import service
//! (`import_stream`), the same the server uses for its demo data: one bulk load in one
//! transaction, which Ctrl-C rolls back.

use crate::options::{ConnectOpts, JsonOpt, bytes_bar};
use anyhow::Context;
use clap::{Args, Subcommand};
use std::future::Future;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use stinger_api::service::import::{ImportError, ImportReport, ndjson};
use stinger_api::service::{demo, import};

/// What to import.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import Stinger's own NDJSON (one film per line, as `stinger-admin export` writes it).
    ///
    /// Streams the file: memory stays flat however large it is. All or nothing: a malformed
    /// line is reported with its number and nothing is imported; Ctrl-C leaves the database as
    /// it was. Films whose slug is already present are left unchanged.
    #[command(after_help = "Examples:\n  \
        stinger-admin import stinger films.ndjson\n  \
        stinger-admin export | DATABASE_URL=postgres://postgres@127.0.0.1/copy stinger-admin import stinger -\n  \
        stinger-admin import stinger films.ndjson --json")]
    Stinger(StingerArgs),
    /// Import a vega-datasets movies.json file.
    #[command(after_help = "Examples:\n  \
        stinger-admin import vega-movies api/data/vega-movies.json\n  \
        stinger-admin import vega-movies api/data/vega-movies.json --verbose --json")]
    VegaMovies(VegaArgs),
    /// Load the demo data (vega movies and M. Butterfly); adds nothing already present.
    #[command(after_help = "Example:\n  stinger-admin import demo --data-dir ./data")]
    Demo(DemoArgs),
}

/// Arguments of `import stinger`.
#[derive(Debug, Args)]
pub struct StingerArgs {
    /// The NDJSON file, or - for standard input.
    file: PathBuf,
    #[command(flatten)]
    json: JsonOpt,
    #[command(flatten)]
    connect: ConnectOpts,
}

/// Arguments of `import vega-movies`.
#[derive(Debug, Args)]
pub struct VegaArgs {
    /// The movies.json file.
    file: PathBuf,
    /// Print every skipped, doubtful or repaired record (to stderr).
    #[arg(long)]
    verbose: bool,
    #[command(flatten)]
    json: JsonOpt,
    #[command(flatten)]
    connect: ConnectOpts,
}

/// Arguments of `import demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    json: JsonOpt,
    #[command(flatten)]
    connect: ConnectOpts,
}

pub async fn run(command: ImportCommand) -> anyhow::Result<()> {
    match command {
        ImportCommand::Stinger(args) => {
            let (input, len) = open_input(&args.file)?;
            let conn = args.connect.connect().await?;
            let bar = bytes_bar(len, "Importing");
            let records = ndjson::records(BufReader::new(bar.wrap_read(input)));
            let source = format!("Stinger NDJSON {}", name(&args.file));
            let report =
                interruptible(import::import_stream(&conn, records, &source, &mut |_| {})).await;
            bar.finish_and_clear();
            let report = report?.map_err(|err| match err {
                ImportError::Ndjson(ndjson::NdjsonError::BadLines(_)) => anyhow::anyhow!(
                    "{}: {err}; fix the input and run the import again (nothing was imported)",
                    name(&args.file)
                ),
                err => anyhow::Error::new(err).context(format!(
                    "Failed to import {}; nothing was imported",
                    name(&args.file)
                )),
            })?;
            print_report(&report, args.json.json)?;
        }
        ImportCommand::VegaMovies(args) => {
            let bytes = std::fs::read(&args.file).map_err(|err| {
                anyhow::anyhow!(
                    "Failed to read {}: {err}; check the path",
                    args.file.display()
                )
            })?;
            let parsed = import::vega::parse(&bytes, chrono::Utc::now().date_naive())
                .with_context(|| {
                    format!("Failed to read {} as vega movies", args.file.display())
                })?;
            let conn = args.connect.connect().await?;
            let films = parsed.films.into_iter().map(Ok::<_, ImportError>);
            let mut report = interruptible(import::import_stream(
                &conn,
                films,
                "vega-datasets movies.json",
                &mut |_| {},
            ))
            .await?
            .context("Failed to import the films; nothing was imported")?;
            report.notes = parsed.notes;
            if args.verbose {
                for note in &report.notes {
                    eprintln!(
                        "record {} {:?} {:?}: {}",
                        note.record, note.title, note.kind, note.reason
                    );
                }
            }
            print_report(&report, args.json.json)?;
        }
        ImportCommand::Demo(args) => {
            let conn = args.connect.connect().await?;
            let report = interruptible(demo::load(&conn))
                .await?
                .context("Failed to load the demo data; nothing was imported")?;
            print_report(&report, args.json.json)?;
        }
    }
    Ok(())
}

/// The file's name for messages: `standard input` for `-`.
fn name(file: &Path) -> String {
    if file == Path::new("-") {
        "standard input".to_owned()
    } else {
        file.display().to_string()
    }
}

/// The input and its length (none for standard input).
fn open_input(file: &Path) -> anyhow::Result<(Box<dyn Read>, Option<u64>)> {
    if file == Path::new("-") {
        return Ok((Box::new(std::io::stdin().lock()), None));
    }
    let opened = std::fs::File::open(file).map_err(|err| {
        anyhow::anyhow!(
            "Failed to open {}: {err}; check the path, or pass - to read standard input",
            file.display()
        )
    })?;
    let len = opened.metadata().ok().map(|m| m.len());
    Ok((Box::new(opened), len))
}

/// Runs a database load, or stops it on Ctrl-C. Stopping drops the load's transaction, so the
/// database stays as it was.
pub async fn interruptible<T>(load: impl Future<Output = T>) -> anyhow::Result<T> {
    tokio::select! {
        result = load => Ok(result),
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!(
            "Interrupted: nothing was written, the database is as it was"
        )),
    }
}

/// Prints an import report on stdout: its status line, or one JSON object with `--json`.
pub fn print_report(report: &ImportReport, json: bool) -> anyhow::Result<()> {
    if json {
        let mut value = serde_json::to_value(report).context("Failed to describe the report")?;
        if let serde_json::Value::Object(map) = &mut value {
            map.insert(
                "elapsed_seconds".to_owned(),
                serde_json::Value::from(report.elapsed.as_secs_f64()),
            );
        }
        println!("{value}");
    } else {
        println!("{report}");
    }
    Ok(())
}
