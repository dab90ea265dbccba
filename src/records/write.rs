//! Changing the record: one [`Tx`] per command, holding the write lock until it commits.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::read::Reader;
use super::{count, record_error, sql_error, to_sql_count};
use crate::error::Error;
use crate::model::record::{
    Batch, CorrectionBatch, CorrectionLine, Draw, PrintRun, Release, ShipmentLine, batch_id, is_iso_date,
};

/// The command's write transaction (`BEGIN IMMEDIATE`): nothing it does is seen by others until
/// [`Tx::commit`]; dropping it rolls back.
#[derive(Debug)]
pub struct Tx<'a> {
    tx: Transaction<'a>,
    conn: &'a Connection,
    path: &'a Path,
    forgot: bool,
}

impl<'a> Tx<'a> {
    /// Wraps a started transaction.
    pub(super) fn new(tx: Transaction<'a>, conn: &'a Connection, path: &'a Path) -> Self {
        Self { tx, conn, path, forgot: false }
    }

    /// Maps an SQLite error to one naming the record.
    fn err(&self) -> impl Fn(rusqlite::Error) -> Error + 'a {
        let path = self.path;
        move |e| sql_error(path, e)
    }

    /// Refuses a malformed date.
    fn date(&self, what: &str, date: &str) -> Result<(), Error> {
        match is_iso_date(date) {
            true => Ok(()),
            false => Err(record_error(self.path, format!("{what} `{date}` is not a date; write it as YYYY-MM-DD"))),
        }
    }

    /// Reads, seeing this transaction's changes.
    pub fn read(&self) -> Reader<'_> {
        Reader::new(self.conn, self.path)
    }

    /// Makes the changes permanent and releases the lock. After a [`Tx::forget`], the write-ahead
    /// log is also checkpointed and truncated so the forgotten data leaves the disk files.
    pub fn commit(self) -> Result<(), Error> {
        let Tx { tx, conn, path, forgot } = self;
        tx.commit().map_err(|e| sql_error(path, e))?;
        if forgot {
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(|e| sql_error(path, e))?;
        }
        Ok(())
    }

    /// Records a release if its print code is new (returns true). A known print code of the same
    /// edition stands for the same printed content and is kept as it is (returns false).
    pub fn put_release(&self, release: &Release) -> Result<bool, Error> {
        let sql = "SELECT edition FROM releases WHERE print_code = ?1";
        let known: Option<String> =
            self.tx.query_row(sql, [&release.print_code], |r| r.get(0)).optional().map_err(self.err())?;
        match known {
            Some(edition) if edition == release.edition => return Ok(false),
            Some(edition) => {
                return Err(record_error(
                    self.path,
                    format!(
                        "print code {} is already recorded for edition {edition}, not {}; every edition's \
                         build must have its own print code",
                        release.print_code, release.edition
                    ),
                ));
            }
            None => {}
        }
        self.date("the guide's date", &release.guide_date)?;
        let sql = "INSERT INTO releases (print_code, edition, guide_version, guide_date, is_final) \
                   VALUES (?1, ?2, ?3, ?4, ?5)";
        let r = release;
        self.tx
            .execute(sql, params![r.print_code, r.edition, r.guide_version, r.guide_date, r.is_final])
            .map_err(self.err())?;
        self.put_release_contents(release)?;
        Ok(true)
    }

    /// A new release's contacts and chapters.
    fn put_release_contents(&self, release: &Release) -> Result<(), Error> {
        let sql = "INSERT INTO release_contacts (print_code, seq, id, kind, name, fields, page, x_mm, y_mm, w_mm, h_mm) \
                   VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
        let mut stmt = self.tx.prepare_cached(sql).map_err(self.err())?;
        for (seq, c) in (0i64..).zip(&release.contacts) {
            let fields = serde_json::to_string(&c.fields).map_err(Error::internal)?;
            let p =
                params![release.print_code, seq, c.id, c.kind, c.name, fields, c.page, c.x_mm, c.y_mm, c.w_mm, c.h_mm];
            stmt.execute(p).map_err(self.err())?;
        }
        let sql = "INSERT INTO release_chapters (print_code, seq, path, sha256) VALUES (?1, ?2, ?3, ?4)";
        let mut stmt = self.tx.prepare_cached(sql).map_err(self.err())?;
        for (seq, c) in (0i64..).zip(&release.chapters) {
            stmt.execute(params![release.print_code, seq, c.path, c.sha256]).map_err(self.err())?;
        }
        Ok(())
    }

    /// Records copies that came back from the printer; the release must be recorded already.
    pub fn add_print_run(&self, run: &PrintRun) -> Result<(), Error> {
        self.date("the print run's date", &run.date)?;
        let sql = "SELECT edition FROM releases WHERE print_code = ?1";
        let edition: Option<String> =
            self.tx.query_row(sql, [&run.print_code], |r| r.get(0)).optional().map_err(self.err())?;
        let message = match edition {
            Some(edition) if edition == run.edition => None,
            Some(edition) => Some(format!(
                "print code {} is edition {edition}, not {}; check the print code on the printed copies",
                run.print_code, run.edition
            )),
            None => Some(format!(
                "print code {} is not in the record; build the edition that printed it first (a build records \
                 its print code), or check the code on the printed copies",
                run.print_code
            )),
        };
        if let Some(message) = message {
            return Err(record_error(self.path, message));
        }
        let sql =
            "INSERT INTO print_runs (print_code, edition, copies, date, note, draft) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
        let copies = to_sql_count(self.path, run.copies)?;
        self.tx
            .execute(sql, params![run.print_code, run.edition, copies, run.date, run.note, run.draft])
            .map_err(self.err())?;
        Ok(())
    }

    /// The id for a new batch on `date` (`YYYY-MM-DD`): `YYYYMMDD-N`, N = 1 + batches already on
    /// that date.
    pub fn next_batch_id(&self, date: &str) -> Result<String, Error> {
        self.date("the batch's date", date)?;
        let on_date: i64 = self
            .tx
            .query_row("SELECT count(*) FROM batches WHERE date = ?1", [date], |r| r.get(0))
            .map_err(self.err())?;
        let mut n = count(on_date) + 1;
        while self.batch_seq(&batch_id(date, n))?.is_some() {
            n += 1;
        }
        Ok(batch_id(date, n))
    }

    /// The row number of a batch.
    fn batch_seq(&self, id: &str) -> Result<Option<i64>, Error> {
        self.tx.query_row("SELECT seq FROM batches WHERE id = ?1", [id], |r| r.get(0)).optional().map_err(self.err())
    }

    /// Records a batch (state `done`) and its lines.
    pub fn add_batch(&self, batch: &Batch, lines: &[ShipmentLine]) -> Result<(), Error> {
        self.date("the batch's date", &batch.date)?;
        if self.batch_seq(&batch.id)?.is_some() {
            let message = format!("batch {} is already in the record; take the id from next_batch_id", batch.id);
            return Err(record_error(self.path, message));
        }
        let files = serde_json::to_string(&batch.files).map_err(Error::internal)?;
        let (voided_on, why) = batch.voided.as_ref().map(|v| (&v.date, &v.why)).unzip();
        let sql = "INSERT INTO batches (id, orders_file, orders_sha256, date, stock, start, out_dir, files, state, \
                   voided_on, void_why) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'done', ?9, ?10)";
        let b = batch;
        let p =
            params![b.id, b.orders_file, b.orders_sha256, b.date, b.stock, b.start, b.out_dir, files, voided_on, why];
        self.tx.execute(sql, p).map_err(self.err())?;
        let seq = self.tx.last_insert_rowid();
        let sql = "INSERT INTO shipment_lines (batch, order_id, edition, print_code, copies, organization, recipient, \
                   address, country, email, row) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
        let mut stmt = self.tx.prepare_cached(sql).map_err(self.err())?;
        for l in lines {
            let copies = to_sql_count(self.path, l.copies)?;
            let p = params![
                seq,
                l.order_id,
                l.edition,
                l.print_code,
                copies,
                l.organization,
                l.recipient,
                l.address,
                l.country,
                l.email,
                l.row
            ];
            stmt.execute(p).map_err(self.err())?;
        }
        Ok(())
    }

    /// Records one file a batch wrote, byte for byte (see [`super::Reader::batch_files`]).
    pub fn add_batch_file(&self, batch_id: &str, name: &str, bytes: &[u8]) -> Result<(), Error> {
        let Some(seq) = self.batch_seq(batch_id)? else {
            return Err(record_error(self.path, self.unknown_batch(batch_id)?));
        };
        let sql = "INSERT INTO batch_files (batch, name, bytes) VALUES (?1, ?2, ?3)";
        self.tx.execute(sql, params![seq, name, bytes]).map_err(self.err())?;
        Ok(())
    }

    /// Like [`Tx::add_batch_file`], the bytes copied from the file `path` in pieces (a batch's
    /// PDFs can be a hundred megabytes; they are never held whole).
    pub fn add_batch_file_from(&self, batch_id: &str, name: &str, path: &std::path::Path) -> Result<(), Error> {
        let Some(seq) = self.batch_seq(batch_id)? else {
            return Err(record_error(self.path, self.unknown_batch(batch_id)?));
        };
        let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
        let sql = "INSERT INTO batch_files (batch, name, bytes) VALUES (?1, ?2, zeroblob(?3))";
        self.tx.execute(sql, params![seq, name, i64::try_from(len).unwrap_or(i64::MAX)]).map_err(self.err())?;
        let row = self.tx.last_insert_rowid();
        let mut blob = self.tx.blob_open(rusqlite::MAIN_DB, "batch_files", "bytes", row, false).map_err(self.err())?;
        std::io::copy(&mut file, &mut blob).map_err(|e| Error::io(path, e))?;
        Ok(())
    }

    /// Voids a batch: its lines stay in the record, flagged, and no longer count as shipped.
    pub fn void(&self, batch_id: &str, date: &str, why: &str) -> Result<(), Error> {
        self.date("the void's date", date)?;
        let sql = "SELECT voided_on, void_why FROM batches WHERE id = ?1";
        let found: Option<(Option<String>, Option<String>)> =
            self.tx.query_row(sql, [batch_id], |r| Ok((r.get(0)?, r.get(1)?))).optional().map_err(self.err())?;
        let message = match found {
            None => self.unknown_batch(batch_id)?,
            Some((Some(on), why)) => {
                format!("batch {batch_id} was already voided on {on} ({}); nothing to do", why.unwrap_or_default())
            }
            Some((None, _)) => {
                let sql = "UPDATE batches SET voided_on = ?2, void_why = ?3 WHERE id = ?1";
                self.tx.execute(sql, [batch_id, date, why]).map_err(self.err())?;
                return Ok(());
            }
        };
        Err(record_error(self.path, message))
    }

    /// The message for a batch id not in the record, listing the last ten batches.
    fn unknown_batch(&self, batch_id: &str) -> Result<String, Error> {
        let sql = "SELECT id FROM (SELECT seq, id FROM batches ORDER BY seq DESC LIMIT 10) ORDER BY seq";
        let mut stmt = self.tx.prepare(sql).map_err(self.err())?;
        let known: Vec<String> = stmt.query_map([], |r| r.get(0)).and_then(Iterator::collect).map_err(self.err())?;
        Ok(match known.is_empty() {
            true => format!("there is no batch {batch_id}: the record has no batches yet"),
            false => format!("there is no batch {batch_id}; the last batches are: {}", known.join(", ")),
        })
    }

    /// Draws `copies` of `edition` from stock: print codes oldest first (by first print run), each
    /// giving what it has left (printed − shipped). Writes nothing: the caller records the lines.
    pub fn draw(&self, edition: &str, copies: u64) -> Result<Draw, Error> {
        let sql = "WITH printed AS (
                SELECT print_code, SUM(copies) AS n, MIN(date) AS first, MIN(id) AS first_id
                FROM print_runs WHERE edition = ?1 GROUP BY print_code)
            SELECT p.print_code, p.n - coalesce((
                SELECT SUM(l.copies) FROM shipment_lines AS l JOIN batches AS b ON b.seq = l.batch
                WHERE l.print_code = p.print_code AND l.edition = ?1 AND b.voided_on IS NULL), 0)
            FROM printed AS p ORDER BY p.first, p.first_id";
        let mut stmt = self.tx.prepare_cached(sql).map_err(self.err())?;
        let left: Vec<(String, i64)> = stmt
            .query_map([edition], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(Iterator::collect)
            .map_err(self.err())?;
        let mut draw = Draw { from: Vec::new(), short: copies };
        for (code, left) in left {
            let take = count(left).min(draw.short);
            if take > 0 {
                draw.from.push((code, take));
                draw.short -= take;
            }
        }
        Ok(draw)
    }

    /// The id for a new correction batch on `date`: `YYYYMMDD-cN`.
    pub fn next_correction_id(&self, date: &str) -> Result<String, Error> {
        self.date("the correction's date", date)?;
        let ids: Vec<String> = {
            let mut stmt = self.tx.prepare_cached("SELECT id FROM corrections").map_err(self.err())?;
            stmt.query_map([], |r| r.get(0)).and_then(Iterator::collect).map_err(self.err())?
        };
        let stem = date.replace('-', "");
        let n = (1..).find(|n| !ids.contains(&format!("{stem}-c{n}"))).unwrap_or(1);
        Ok(format!("{stem}-c{n}"))
    }

    /// Records a correction batch and its lines.
    pub fn add_correction(&self, batch: &CorrectionBatch, lines: &[CorrectionLine]) -> Result<(), Error> {
        self.date("the correction's date", &batch.date)?;
        let files = serde_json::to_string(&batch.files).map_err(Error::internal)?;
        let sql = "INSERT INTO corrections (id, kind, date, out_dir, files) VALUES (?1, ?2, ?3, ?4, ?5)";
        let b = batch;
        self.tx.execute(sql, params![b.id, b.kind, b.date, b.out_dir, files]).map_err(self.err())?;
        let seq = self.tx.last_insert_rowid();
        let sql = "INSERT INTO correction_lines (correction, print_code, contact, target, recipient, copies) \
                   VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
        let mut stmt = self.tx.prepare_cached(sql).map_err(self.err())?;
        for l in lines {
            let copies = to_sql_count(self.path, l.copies)?;
            stmt.execute(params![seq, l.print_code, l.contact, l.target, l.recipient, copies]).map_err(self.err())?;
        }
        Ok(())
    }

    /// Forgets the personal data (organisation, recipient, address, e-mail) of every line of the
    /// batches dated before `before`; order ids, editions, print codes, countries and copies stay,
    /// so totals do not change. Returns the lines reduced. With `secure_delete` the old bytes are
    /// zeroed, and [`Tx::commit`] truncates the write-ahead log.
    pub fn forget(&mut self, before: &str) -> Result<u64, Error> {
        self.date("the forget date", before)?;
        let sql = "UPDATE shipment_lines SET organization = '', recipient = '', address = '', email = '', forgotten = 1 \
                   WHERE forgotten = 0 AND batch IN (SELECT seq FROM batches WHERE date < ?1)";
        let n = self.tx.execute(sql, [before]).map_err(self.err())?;
        let sql = "DELETE FROM batch_files WHERE batch IN (SELECT seq FROM batches WHERE date < ?1)";
        let files = self.tx.execute(sql, [before]).map_err(self.err())?;
        self.forgot |= n > 0 || files > 0;
        Ok(n as u64)
    }
}
