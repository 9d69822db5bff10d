//! Printing results: JSON for scripts, tables and colour for people. `anstream` drops colour
//! when stdout is not a terminal or `NO_COLOR` is set.

use anstyle::{AnsiColor, Style};
use chrono::{DateTime, Local, Utc};
use serde_json::Value;
use std::io::IsTerminal;

/// Green: proposed values, success.
pub const GOOD: Style = AnsiColor::Green.on_default();
/// Red: values being replaced.
pub const OLD: Style = AnsiColor::Red.on_default();
/// Bold red: conflicts.
pub const ALERT: Style = AnsiColor::Red.on_default().bold();
/// Yellow: current values.
pub const NOTE: Style = AnsiColor::Yellow.on_default();
/// Bold: headings.
pub const BOLD: Style = Style::new().bold();

/// Prints a value as pretty JSON.
pub fn json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    anstream::println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// A JSON value as short text: strings bare, null as `∅`.
pub fn short(value: &Value) -> String {
    match value {
        Value::Null => "∅".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A time as people read it: local time to the minute with the offset
/// (`2026-12-02 14:05 +01:00`). `--json` output keeps RFC 3339 instead.
pub fn time(at: &DateTime<Utc>) -> String {
    at.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M %:z")
        .to_string()
}

/// The width to fit text output to: the terminal's, or `None` when stdout is not a terminal
/// (piped or redirected output is never cut).
pub fn width() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(w, _)| usize::from(w.0).max(40))
}

/// Prints rows as aligned columns; on a terminal the last column is cut to fit it.
pub fn table(headers: &[&str], rows: &[Vec<String>]) {
    let columns = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(columns) {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let fixed: usize = widths
        .iter()
        .take(columns.saturating_sub(1))
        .map(|w| w + 2)
        .sum();
    if let (Some(last), Some(room)) = (widths.last_mut(), width()) {
        *last = (*last).min(room.saturating_sub(fixed).max(10));
    }
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let width = widths[i];
                let cut: String = if cell.chars().count() > width {
                    cell.chars()
                        .take(width.saturating_sub(1))
                        .chain(['…'])
                        .collect()
                } else {
                    cell.clone()
                };
                if i + 1 == columns {
                    cut
                } else {
                    format!("{cut:<width$}  ")
                }
            })
            .collect::<String>()
    };
    anstream::println!(
        "{BOLD}{}{BOLD:#}",
        line(headers.iter().map(|h| (*h).to_owned()).collect())
    );
    for row in rows {
        anstream::println!("{}", line(row.clone()));
    }
}
