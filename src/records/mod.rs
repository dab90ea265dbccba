//! The record of print runs and shipments: one SQLite file, opened, checked and migrated here,
//! read through [`Reader`] and changed through [`Tx`], one write transaction per command.
//!
//! A command that writes holds [`Record::write`]'s transaction for its whole run (a `ship` holds it
//! while it typesets): that is how two `ship` runs at once never ship a line twice. The second
//! waits up to the busy timeout ([`DEFAULT_BUSY_TIMEOUT`], or [`Record::set_busy_timeout`]), then
//! refuses with an "in use" error naming the file.

mod open;
mod read;
mod schema;
mod write;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior};

use crate::error::Error;

pub use read::Reader;
pub use schema::LATEST as VERSION;
pub use write::Tx;

/// How long a command waits for another one's write lock before it refuses.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// `open` runs `PRAGMA quick_check` only on files up to this size (about 150,000 lines). It reads
/// every page, so it is not cheap on a large record: measured (benches/record.rs) 0.38–0.53 s CPU
/// on a 1,000,000-line record of 222 MB, against an open of ~1 ms without it, and ~5 ms for a whole
/// open of a 10,000-line record with it. Larger files are checked by [`Record::check`].
pub const QUICK_CHECK_MAX_BYTES: u64 = 32 * 1024 * 1024;

/// An open record.
#[derive(Debug)]
pub struct Record {
    conn: Connection,
    path: PathBuf,
}

impl Record {
    /// Opens the record at `path`, creating it and its folder when missing, and migrates it to
    /// this guidepress's version. A damaged file, a file that is not a record, or one made by a
    /// newer guidepress is refused and left exactly as it was.
    pub fn open(path: &Path) -> Result<Record, Error> {
        open::open(path, true)?.ok_or_else(|| Error::internal("open with create gave no record"))
    }

    /// Opens the record at `path` for a read-only command; `None` when there is none (nothing is
    /// created). An older record is migrated as by [`Record::open`].
    pub fn open_existing(path: &Path) -> Result<Option<Record>, Error> {
        open::open(path, false)
    }

    /// The record's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sets how long [`Record::write`] waits for another command's write lock.
    pub fn set_busy_timeout(&mut self, timeout: Duration) -> Result<(), Error> {
        self.conn.busy_timeout(timeout).map_err(|e| sql_error(&self.path, e))
    }

    /// Starts the command's write transaction (`BEGIN IMMEDIATE`). Dropping the [`Tx`] without
    /// [`Tx::commit`] rolls everything back.
    pub fn write(&mut self) -> Result<Tx<'_>, Error> {
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(|e| sql_error(&self.path, e))?;
        Ok(Tx::new(tx, &self.conn, &self.path))
    }

    /// Reads outside a write; each call sees the record as last committed.
    pub fn read(&self) -> Reader<'_> {
        Reader::new(&self.conn, &self.path)
    }

    /// Runs `PRAGMA quick_check` over the whole file, however large.
    pub fn check(&self) -> Result<(), Error> {
        open::quick_check(&self.conn, &self.path)
    }

    /// Writes a consistent copy of the record to `dest` (which must not exist) while other
    /// commands may be using it: `VACUUM INTO` a temporary file beside `dest`, then a rename.
    pub fn backup(&self, dest: &Path) -> Result<(), Error> {
        open::backup(&self.conn, dest)
    }
}

/// The error for a failed SQLite call on the record at `path`, with what to do about it.
pub(crate) fn sql_error(path: &Path, e: rusqlite::Error) -> Error {
    let code = e.sqlite_error_code();
    let message = match code {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            "in use by another guidepress command; try again when it has finished".to_string()
        }
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => damaged(&e.to_string()),
        Some(ErrorCode::DiskFull) => format!("{e}; free some disk space and run the command again"),
        Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied | ErrorCode::CannotOpen) => {
            format!("{e}; check that the file and its folder can be written")
        }
        _ => format!("the record could not be read or written ({e})"),
    };
    record_error(path, message)
}

/// The message for a file that is not a readable record.
pub(crate) fn damaged(what: &str) -> String {
    format!(
        "is damaged or not a guidepress record ({what}); guidepress left it as it is: restore it \
         from a backup, or move it away to start a new record"
    )
}

/// An [`Error::Record`] about the file at `path`.
pub(crate) fn record_error(path: &Path, message: impl Into<String>) -> Error {
    Error::Record { path: path.to_path_buf(), message: message.into() }
}

/// Converts a count stored as SQLite's i64 to u64 (negative never stored: CHECK constraints).
pub(crate) fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Converts a count to SQLite's i64, refusing absurd values.
pub(crate) fn to_sql_count(path: &Path, n: u64) -> Result<i64, Error> {
    i64::try_from(n).map_err(|_| record_error(path, format!("{n} copies is more than the record can hold")))
}

#[cfg(test)]
mod tests;
