//! Stinger's own NDJSON format: one [`FilmRecord`] per line, as `stinger-admin export` writes
//! it. Parsing is all or nothing: one bad line rejects the input, so nothing half-read is
//! imported.

use super::record::FilmRecord;
use std::fmt;
use std::io::BufRead;

/// How many bad lines an error lists before it only counts the rest.
const LISTED: usize = 3;

/// A line that is not a film record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it (serde's message, with the column).
    pub message: String,
}

/// Why NDJSON input was rejected.
#[derive(Debug, thiserror::Error)]
pub enum NdjsonError {
    /// The input could not be read.
    #[error("cannot read line {line}")]
    Read {
        line: usize,
        #[source]
        source: std::io::Error,
    },
    /// Some lines are not film records; `lines` lists them all, in order.
    #[error("{}", BadLines(.0))]
    BadLines(Vec<BadLine>),
}

struct BadLines<'a>(&'a [BadLine]);

impl fmt::Display for BadLines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, bad) in self.0.iter().take(LISTED).enumerate() {
            if i > 0 {
                write!(f, "; ")?;
            }
            write!(f, "line {} is not a film record: {}", bad.line, bad.message)?;
        }
        if self.0.len() > LISTED {
            write!(f, " (and {} more bad lines)", self.0.len() - LISTED)?;
        }
        Ok(())
    }
}

/// Reads every line of `input` as a [`FilmRecord`]; blank lines are allowed and ignored.
pub fn parse(input: impl BufRead) -> Result<Vec<FilmRecord>, NdjsonError> {
    records(input).collect()
}

/// The film records of `input`, one line at a time. At the first bad line it reads on to the
/// end, keeping no records, and yields one error listing every bad line; then it stops.
pub fn records<R: BufRead>(input: R) -> Records<R> {
    Records {
        lines: input.lines().enumerate(),
        done: false,
    }
}

/// The iterator of [`records`].
pub struct Records<R> {
    lines: std::iter::Enumerate<std::io::Lines<R>>,
    done: bool,
}

impl<R: BufRead> Records<R> {
    /// Reads the rest of the input after `first`, collecting every bad line.
    fn bad_lines(&mut self, first: BadLine) -> NdjsonError {
        let mut bad = vec![first];
        for (index, line) in self.lines.by_ref() {
            let number = index + 1;
            let line = match line {
                Ok(line) => line,
                Err(source) => {
                    return NdjsonError::Read {
                        line: number,
                        source,
                    };
                }
            };
            if line.trim().is_empty() {
                continue;
            }
            if let Err(err) = serde_json::from_str::<FilmRecord>(&line) {
                bad.push(BadLine {
                    line: number,
                    message: describe(&err),
                });
            }
        }
        NdjsonError::BadLines(bad)
    }
}

impl<R: BufRead> Iterator for Records<R> {
    type Item = Result<FilmRecord, NdjsonError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        for (index, line) in self.lines.by_ref() {
            let number = index + 1;
            let line = match line {
                Ok(line) => line,
                Err(source) => {
                    self.done = true;
                    return Some(Err(NdjsonError::Read {
                        line: number,
                        source,
                    }));
                }
            };
            if line.trim().is_empty() {
                continue;
            }
            return match serde_json::from_str::<FilmRecord>(&line) {
                Ok(record) => Some(Ok(record)),
                Err(err) => {
                    self.done = true;
                    Some(Err(self.bad_lines(BadLine {
                        line: number,
                        message: describe(&err),
                    })))
                }
            };
        }
        self.done = true;
        None
    }
}

/// serde's message with the column, without its "at line 1" (each line is parsed alone).
fn describe(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let message = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(message, _)| message);
    format!("{message} (column {})", err.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_lines_become_records_and_blank_lines_are_ignored() {
        let input = "{\"title\":\"Alien\"}\n\n{\"slug\":\"heat-1995\",\"title\":\"Heat\"}\n";
        let records = parse(input.as_bytes()).unwrap_or_default();
        assert_eq!(records.len(), 2);
        assert_eq!(records[1].slug.as_deref(), Some("heat-1995"));
    }

    #[test]
    fn bad_lines_are_named_by_number() {
        let input = "{\"title\":\"Alien\"}\nnot json\n{\"titel\":\"Heat\"}\n";
        let Err(NdjsonError::BadLines(bad)) = parse(input.as_bytes()) else {
            panic!("bad lines must be rejected");
        };
        assert_eq!(bad.iter().map(|b| b.line).collect::<Vec<_>>(), [2, 3]);
        let message = NdjsonError::BadLines(bad).to_string();
        assert!(
            message.starts_with("line 2 is not a film record"),
            "{message}"
        );
    }
}
