//! Opening a record: refuse what is not one (never touching it), check it, migrate it; and backups.

use std::fs;
use std::io::{ErrorKind, Read};
use std::path::Path;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use super::schema::{APPLICATION_ID, LATEST, MIGRATIONS};
use super::{DEFAULT_BUSY_TIMEOUT, QUICK_CHECK_MAX_BYTES, Record, damaged, record_error, sql_error};
use crate::error::Error;

/// The first 16 bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Opens (and with `create`, creates) the record at `path`; `None` when it does not exist and
/// `create` is false.
pub(super) fn open(path: &Path, create: bool) -> Result<Option<Record>, Error> {
    let size = match fs::metadata(path) {
        Ok(meta) if !meta.is_file() => {
            return Err(record_error(path, "is not a file; give the path of the record file"));
        }
        Ok(meta) => {
            check_header(path, meta.len())?;
            meta.len()
        }
        Err(e) if e.kind() == ErrorKind::NotFound && !create => return Ok(None),
        Err(e) if e.kind() == ErrorKind::NotFound => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
            0
        }
        Err(e) => return Err(Error::io(path, e)),
    };
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags).map_err(|e| sql_error(path, e))?;
    conn.busy_timeout(DEFAULT_BUSY_TIMEOUT).map_err(|e| sql_error(path, e))?;
    let version = user_version(&conn, path)?;
    refuse_newer(path, version)?;
    refuse_foreign(&conn, path, version)?;
    if version > 0 && size <= QUICK_CHECK_MAX_BYTES {
        quick_check(&conn, path)?;
    }
    let pragmas =
        "PRAGMA journal_mode = WAL; PRAGMA secure_delete = ON; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;";
    conn.execute_batch(pragmas).map_err(|e| sql_error(path, e))?;
    migrate(&conn, path)?;
    Ok(Some(Record { conn, path: path.to_path_buf() }))
}

/// Refuses a non-empty file that does not start like an SQLite database, before SQLite sees it.
fn check_header(path: &Path, len: u64) -> Result<(), Error> {
    if len == 0 {
        return Ok(());
    }
    let mut head = [0u8; 16];
    let read = fs::File::open(path).and_then(|mut f| f.read_exact(&mut head));
    match read {
        Ok(()) if &head == SQLITE_HEADER => Ok(()),
        Ok(()) => Err(record_error(path, damaged("not an SQLite database"))),
        Err(e) if e.kind() == ErrorKind::UnexpectedEof => Err(record_error(path, damaged("too short"))),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// The record's schema version.
fn user_version(conn: &Connection, path: &Path) -> Result<u32, Error> {
    let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(|e| sql_error(path, e))?;
    u32::try_from(v).map_err(|_| record_error(path, damaged(&format!("record version {v}"))))
}

/// Refuses a record made by a newer guidepress.
fn refuse_newer(path: &Path, version: u32) -> Result<(), Error> {
    if version <= LATEST {
        return Ok(());
    }
    Err(record_error(
        path,
        format!(
            "made by a newer guidepress (record version {version}; this one knows up to {LATEST}); \
             update guidepress"
        ),
    ))
}

/// Refuses an SQLite database that is not a guidepress record.
fn refuse_foreign(conn: &Connection, path: &Path, version: u32) -> Result<(), Error> {
    let id: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0)).map_err(|e| sql_error(path, e))?;
    let tables: i64 =
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0)).map_err(|e| sql_error(path, e))?;
    let ours = if version == 0 { id == 0 && tables == 0 } else { id == APPLICATION_ID };
    match ours {
        true => Ok(()),
        false => Err(record_error(
            path,
            "is an SQLite database but not a guidepress record; give another path for the record",
        )),
    }
}

/// Runs `PRAGMA quick_check` (reads every page; see [`QUICK_CHECK_MAX_BYTES`] for its cost).
pub(super) fn quick_check(conn: &Connection, path: &Path) -> Result<(), Error> {
    let mut stmt = conn.prepare("PRAGMA quick_check(5)").map_err(|e| sql_error(path, e))?;
    let found: Vec<String> =
        stmt.query_map([], |r| r.get(0)).and_then(Iterator::collect).map_err(|e| sql_error(path, e))?;
    match found.as_slice() {
        [ok] if ok == "ok" => Ok(()),
        _ => Err(record_error(path, damaged(&found.join("; ")))),
    }
}

/// Applies the missing migration steps, each in its own transaction.
fn migrate(conn: &Connection, path: &Path) -> Result<(), Error> {
    loop {
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate).map_err(|e| sql_error(path, e))?;
        // Read again under the write lock: another command may have migrated meanwhile.
        let version = user_version(&tx, path)?;
        refuse_newer(path, version)?;
        let Some(step) = MIGRATIONS.get(version as usize) else {
            return Ok(());
        };
        tx.execute_batch(step).map_err(|e| sql_error(path, e))?;
        tx.pragma_update(None, "user_version", version + 1).map_err(|e| sql_error(path, e))?;
        tx.commit().map_err(|e| sql_error(path, e))?;
    }
}

/// Copies the record to `dest` (which must not exist) through a temporary file beside it.
pub(super) fn backup(conn: &Connection, dest: &Path) -> Result<(), Error> {
    let exists = || record_error(dest, "already exists; give a new file name for the backup");
    if dest.exists() {
        return Err(exists());
    }
    let unusable = || record_error(dest, "is not a usable file name; give the backup a plain UTF-8 file name");
    let name = dest.file_name().ok_or_else(unusable)?;
    let tmp = dest.with_file_name(format!(".{}.partial-{}", name.to_string_lossy(), std::process::id()));
    let tmp_text = tmp.to_str().ok_or_else(unusable)?;
    remove_if_there(&tmp)?;
    conn.execute("VACUUM INTO ?1", [tmp_text]).map_err(|e| sql_error(dest, e))?;
    let synced = fs::File::open(&tmp).and_then(|f| f.sync_all());
    let placed = synced.and_then(|()| match fs::hard_link(&tmp, dest) {
        Err(e) if e.kind() != ErrorKind::AlreadyExists => fs::rename(&tmp, dest),
        other => other,
    });
    let cleaned = remove_if_there(&tmp);
    match placed {
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Err(exists()),
        Err(e) => Err(Error::io(dest, e)),
        Ok(()) => cleaned,
    }
}

/// Removes a file, if it is there.
fn remove_if_there(path: &Path) -> Result<(), Error> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != ErrorKind::NotFound => Err(Error::io(path, e)),
        _ => Ok(()),
    }
}
