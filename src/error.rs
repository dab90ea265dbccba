//! The library's error type and the exit code each kind maps to.

use std::path::PathBuf;

use crate::diag::Problems;

/// Everything that can stop a guidepress command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems in the project's data files (all of them).
    #[error("{0}")]
    Problems(Problems),
    /// Typst errors, formatted like typst-cli prints them.
    #[error("{0}")]
    Typst(String),
    /// The command line asked for something that does not exist.
    #[error("{0}")]
    Usage(String),
    /// A request the project cannot carry out as asked (e.g. a verification dated in the
    /// future); nothing was written.
    #[error("{0}; nothing was written.")]
    Refused(String),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
}

impl Error {
    /// Exit status: 1 for errors in the inputs, 2 for usage errors.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            _ => 1,
        }
    }

    /// An I/O error about a path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}

impl From<Problems> for Error {
    fn from(p: Problems) -> Self {
        Error::Problems(p)
    }
}
