//! `stinger-admin export`: every film as Stinger NDJSON, the format `import stinger` reads.

use crate::options::{ConnectOpts, progress_bar};
use anyhow::Context;
use clap::Args;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;
use stinger_api::service::{export, listing};

/// Write every film as NDJSON: one film per line with its credits, companies, scores, trivia
/// and credit scenes, films in slug order, so equal databases give equal files.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    stinger-admin export > films.ndjson\n  \
    stinger-admin export --output films.ndjson\n  \
    DATABASE_URL=postgres://postgres@127.0.0.1/stinger stinger-admin export | gzip > films.ndjson.gz")]
pub struct ExportArgs {
    /// Write to FILE instead of standard output; FILE is replaced only when the export succeeds.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    connect: ConnectOpts,
}

pub async fn run(args: ExportArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let conn = args.connect.connect().await?;
    let total = listing::count_films(&conn, &listing::FilmFilter::default())
        .await
        .context("Failed to count the films")?;
    let bar = progress_bar(Some(total), "Exporting");
    let exported = match &args.output {
        None => {
            let mut out = BufWriter::new(std::io::stdout().lock());
            let exported = write_all(&conn, &mut out, &bar).await?;
            out.flush().context("Failed to write to standard output")?;
            exported
        }
        Some(path) => {
            // Written beside the target and renamed over it, so a failed export never leaves
            // a truncated file where a good one was.
            let dir = match path.parent() {
                Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
                _ => PathBuf::from("."),
            };
            let temp = tempfile::NamedTempFile::new_in(&dir).with_context(|| {
                format!(
                    "Failed to create a file in {}; check that the directory exists and is writable",
                    dir.display()
                )
            })?;
            let mut out = BufWriter::new(temp);
            let exported = write_all(&conn, &mut out, &bar).await?;
            let temp = out
                .into_inner()
                .map_err(|e| e.into_error())
                .with_context(|| format!("Failed to write {}", path.display()))?;
            temp.persist(path)
                .with_context(|| format!("Failed to write {}", path.display()))?;
            exported
        }
    };
    bar.finish_and_clear();
    eprintln!(
        "Exported {exported} films in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn write_all(
    conn: &sea_orm::DatabaseConnection,
    out: &mut impl Write,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<usize> {
    export::export_films(conn, |record| {
        serde_json::to_writer(&mut *out, &record)?;
        out.write_all(b"\n")?;
        bar.inc(1);
        Ok(())
    })
    .await
    .context("Failed to export the films")
}
