//! Printing results: JSON for scripts, tables and colour for people. `anstream` drops colour
//! when stdout is not a terminal or `NO_COLOR` is set.

use anstyle::{AnsiColor, Style};
use serde_json::Value;

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

/// A JSON value as short text: strings bare, null as `∅ (unknown)`.
pub fn short(value: &Value) -> String {
    match value {
        Value::Null => "∅".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The terminal's width, or 100 when it is not a terminal.
pub fn width() -> usize {
    terminal_size::terminal_size()
        .map_or(100, |(w, _)| usize::from(w.0))
        .max(40)
}

/// Prints rows as aligned columns; the last column is cut to fit the terminal.
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
    if let Some(last) = widths.last_mut() {
        *last = (*last).min(width().saturating_sub(fixed).max(10));
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
