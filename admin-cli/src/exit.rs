//! Exit codes (0 ok and 2 usage are the defaults of Rust and clap), documented in `--help`,
//! and the failures that map to them.

/// Any failure without a more precise code.
pub const FAILURE: u8 = 1;
/// The command line is wrong (clap's own code for its errors).
pub const USAGE: u8 = 2;
/// The edit, revision, object, account or database does not exist.
pub const NOT_FOUND: u8 = 3;
/// The account may not do this.
pub const FORBIDDEN: u8 = 4;
/// The edit conflicts with the current data, or is no longer pending.
pub const CONFLICT: u8 = 5;
/// Not logged in, the login expired, or the password is wrong.
pub const UNAUTHENTICATED: u8 = 6;
/// The server cannot be reached.
pub const UNREACHABLE: u8 = 7;
/// The database is busy (a conflicting change holds what this one needs) or briefly
/// unavailable: nothing was done; retry.
pub const BUSY: u8 = 8;

/// A failure with its own exit code. The message says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Unreachable(String),
    #[error("{0}")]
    Busy(String),
}

impl Failure {
    /// The process exit code.
    pub fn code(&self) -> u8 {
        match self {
            Self::Usage(_) => USAGE,
            Self::NotFound(_) => NOT_FOUND,
            Self::Forbidden(_) => FORBIDDEN,
            Self::Conflict(_) => CONFLICT,
            Self::Unauthenticated(_) => UNAUTHENTICATED,
            Self::Unreachable(_) => UNREACHABLE,
            Self::Busy(_) => BUSY,
        }
    }
}

/// The exit code for an error: the first [`Failure`] in its chain, else 1.
pub fn code_of(err: &anyhow::Error) -> u8 {
    err.chain()
        .find_map(|e| e.downcast_ref::<Failure>())
        .map_or(FAILURE, Failure::code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_keep_their_code_through_context() {
        let err = anyhow::Error::new(Failure::Conflict("x".into())).context("approving #3");
        assert_eq!(code_of(&err), CONFLICT);
        assert_eq!(code_of(&anyhow::anyhow!("plain")), FAILURE);
    }
}
