//! `stinger-admin import …`: every source goes through the one import service
//! (`import_films`), the same the server uses for its demo data.

use crate::options::{ConnectOpts, JsonOpt, bytes_bar, progress_bar};
use anyhow::Context;
use clap::{Args, Subcommand};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;
use stinger_api::service::import::{ImportReport, ndjson};
use stinger_api::service::{demo, import};

/// What to import.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import Stinger's own NDJSON (one film per line, as `stinger-admin export` writes it).
    ///
    /// All or nothing: a malformed line is reported with its number and nothing is imported.
    /// Films whose slug is already present are left unchanged.
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
            let records = read_ndjson(&args.file)?;
            let conn = args.connect.connect(true).await?;
            let spinner = progress_bar(None, &format!("Importing {} films", records.len()));
            spinner.enable_steady_tick(Duration::from_millis(120));
            let source = format!("Stinger NDJSON {}", name(&args.file));
            let report = import::import_films(&conn, records, &source).await;
            spinner.finish_and_clear();
            let report = report.context("Failed to import the films; nothing was imported")?;
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
            let conn = args.connect.connect(true).await?;
            let mut report = import::import_films(&conn, parsed.films, "vega-datasets movies.json")
                .await
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
            let conn = args.connect.connect(true).await?;
            let report = demo::load(&conn)
                .await
                .context("Failed to load the demo data")?;
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

/// Reads and parses the whole input before anything touches the database.
fn read_ndjson(file: &Path) -> anyhow::Result<Vec<import::record::FilmRecord>> {
    let (input, len): (Box<dyn Read>, Option<u64>) = if file == Path::new("-") {
        (Box::new(std::io::stdin().lock()), None)
    } else {
        let opened = std::fs::File::open(file).map_err(|err| {
            anyhow::anyhow!(
                "Failed to open {}: {err}; check the path, or pass - to read standard input",
                file.display()
            )
        })?;
        let len = opened.metadata().ok().map(|m| m.len());
        (Box::new(opened), len)
    };
    let bar = bytes_bar(len, "Reading");
    let parsed = ndjson::parse(BufReader::new(bar.wrap_read(input)));
    bar.finish_and_clear();
    parsed.map_err(|err| match err {
        ndjson::NdjsonError::BadLines(_) => anyhow::anyhow!(
            "{}: {err}; fix the input and run the import again (nothing was imported)",
            name(file)
        ),
        ndjson::NdjsonError::Read { .. } => anyhow::Error::new(err).context(format!(
            "Failed to read {}; nothing was imported",
            name(file)
        )),
    })
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
