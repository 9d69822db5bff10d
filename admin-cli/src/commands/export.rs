//! `stinger-admin export`: every film as Stinger NDJSON, the format `import stinger` reads.

use crate::options::{ConnectOpts, progress_bar};
use anyhow::Context;
use clap::Args;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;
use stinger_api::service::{export, listing};

/// Arguments of `export` (its help text is on `Command::Export`).
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
    let conn = args.connect.connect(false).await?;
    let total = listing::count_films(&conn, &listing::FilmFilter::default())
        .await
        .context("Failed to count the films")?;
    let bar = progress_bar(Some(total), "Exporting");
    let exported = match &args.output {
        None => {
            let mut out = BufWriter::new(std::io::stdout().lock());
            let written = match write_all(&conn, &mut out, &bar).await {
                Ok(exported) => out
                    .flush()
                    .map(|()| exported)
                    .context("Failed to write to standard output"),
                Err(err) => Err(err),
            };
            // A reader that stops early (`export | head`) is not a failure of the export.
            if let Err(err) = &written
                && is_broken_pipe(err)
            {
                bar.finish_and_clear();
                return Ok(());
            }
            written?
        }
        Some(path) => {
            // Written beside the target and renamed over it, so a failed export never leaves
            // a truncated file where a good one was.
            let partial = partial_name(path);
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&partial)
                .map_err(|err| {
                    anyhow::anyhow!(
                        "Failed to create {}: {err}; check that the directory exists and is writable",
                        partial.display()
                    )
                })?;
            let mut out = BufWriter::new(file);
            let written = match write_all(&conn, &mut out, &bar).await {
                Ok(exported) => out
                    .flush()
                    .map(|()| exported)
                    .with_context(|| format!("Failed to write {}", partial.display())),
                Err(err) => Err(err),
            };
            drop(out);
            let renamed = written.and_then(|exported| {
                std::fs::rename(&partial, path)
                    .map(|()| exported)
                    .with_context(|| format!("Failed to write {}", path.display()))
            });
            if renamed.is_err() {
                let _ = std::fs::remove_file(&partial);
            }
            renamed?
        }
    };
    bar.finish_and_clear();
    eprintln!(
        "Exported {exported} films in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// `films.ndjson` → `films.ndjson.partial-PID` in the same directory.
fn partial_name(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".partial-{}", std::process::id()));
    path.with_file_name(name)
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
