//! The library's error type and the exit code each kind maps to. Every error is rendered once,
//! by the command line (`cli/report.rs`), in the format asked for.

use std::fmt;
use std::path::PathBuf;

use crate::diag::Problems;

/// Everything that can stop a guidepress command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems in the project's data files (all of them).
    #[error("{0}")]
    Problems(Problems),
    /// Typst's errors in the layouts or chapters, per document.
    #[error("{0}")]
    Typst(TypstErrors),
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
    /// The machine refused what the command needs (e.g. worker threads); nothing was written.
    #[error("{0}")]
    System(String),
    /// The record of print runs and shipments could not be opened, read or written, or refused a
    /// change (unknown batch, batch already voided …); the message says how to fix it.
    #[error("{}: {message}", path.display())]
    Record {
        /// The record's file.
        path: PathBuf,
        /// What went wrong and what to do.
        message: String,
    },
    /// Something that cannot happen with validated data did: a bug to report.
    #[error("internal error: {0}; please report this with the command you ran")]
    Internal(String),
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

    /// Typst's diagnostics about one document (e.g. `edition nz (press)`).
    pub fn typst(document: impl Into<String>, diagnostics: Diagnostics) -> Self {
        let error = TypstError { documents: vec![document.into()], diagnostics };
        Error::Typst(TypstErrors { problems: Problems::default(), groups: vec![error] })
    }

    /// Typst's diagnostics about a document the messages name themselves (labels, packing sheets).
    pub fn typst_unnamed(diagnostics: Diagnostics) -> Self {
        let error = TypstError { documents: Vec::new(), diagnostics };
        Error::Typst(TypstErrors { problems: Problems::default(), groups: vec![error] })
    }

    /// An internal error.
    pub fn internal(what: impl fmt::Display) -> Self {
        Error::Internal(what.to_string())
    }
}

impl From<Problems> for Error {
    fn from(p: Problems) -> Self {
        Error::Problems(p)
    }
}

/// Typst's diagnostics rendered both ways: `human` (file:line:col, the source excerpt, hints,
/// as typst-cli prints them) and `short` (one `file:line:col: error: message` line each).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    /// As typst-cli prints them.
    pub human: String,
    /// One line per diagnostic.
    pub short: String,
}

impl Diagnostics {
    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.human.is_empty()
    }

    /// Appends other diagnostics not already present.
    pub fn extend(&mut self, other: &Diagnostics) {
        if !self.human.contains(other.human.as_str()) {
            self.human.push_str(&other.human);
            self.short.push_str(&other.short);
        }
    }
}

/// The same diagnostics found in one or more documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypstError {
    /// The documents, e.g. `edition nz (press)`.
    pub documents: Vec<String>,
    /// What Typst said.
    pub diagnostics: Diagnostics,
}

/// Typst's errors of a run (the same errors in several documents shown once, naming them all),
/// with any data problems the same run found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypstErrors {
    /// Data problems found by other workers of the same run.
    pub problems: Problems,
    /// The errors, grouped.
    pub groups: Vec<TypstError>,
}

impl TypstErrors {
    /// Adds errors, merging those already present for other documents.
    pub fn add(&mut self, other: TypstErrors) {
        self.problems.0.extend(other.problems.0);
        for e in other.groups {
            match self.groups.iter_mut().find(|g| g.diagnostics == e.diagnostics) {
                Some(g) => g.documents.extend(e.documents),
                None => self.groups.push(e),
            }
        }
    }

    /// One line per problem and diagnostic (`file:line:col: error: message`).
    pub fn short(&self) -> String {
        let mut lines: Vec<String> = self.problems.0.iter().map(|p| p.short()).collect();
        lines.extend(self.groups.iter().flat_map(|e| e.diagnostics.short.lines().map(str::to_string)));
        lines.dedup();
        lines.iter().map(|l| format!("{l}\n")).collect()
    }
}

impl fmt::Display for TypstErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let groups: Vec<String> = self
            .groups
            .iter()
            .map(|e| match e.documents.is_empty() {
                true => e.diagnostics.human.clone(),
                false => format!("{}:\n{}", e.documents.join(", "), e.diagnostics.human),
            })
            .collect();
        if !self.problems.is_empty() {
            writeln!(f, "{}", self.problems)?;
        }
        write!(f, "{}", groups.join("\n"))
    }
}
