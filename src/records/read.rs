//! Reading the record: releases, print runs, batches, what was shipped, stock.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{count, sql_error};
use crate::error::Error;
use crate::model::record::{
    Batch, ChapterHash, CorrectionBatch, CorrectionLine, PrintRun, PrintedContact, Release, Shipment, ShipmentFilter,
    ShipmentLine, Shipped, StockRow, Void,
};

/// The columns [`batch_row`] reads, for `batches AS b`.
pub(super) const BATCH_COLUMNS: &str =
    "b.id, b.orders_file, b.orders_sha256, b.date, b.stock, b.start, b.out_dir, b.files, b.voided_on, b.void_why";

/// The columns [`line_row`] reads (from index `at`), for `shipment_lines AS l`.
const LINE_COLUMNS: &str =
    "l.order_id, l.edition, l.print_code, l.copies, l.organization, l.recipient, l.address, l.country, l.email, l.row";

/// Reads of the record; through a [`super::Tx`] they see its uncommitted changes.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    conn: &'a Connection,
    path: &'a Path,
}

impl<'a> Reader<'a> {
    /// A reader over a connection to the record at `path`.
    pub(super) fn new(conn: &'a Connection, path: &'a Path) -> Self {
        Self { conn, path }
    }

    /// Maps an SQLite error to one naming the record.
    fn err(&self) -> impl Fn(rusqlite::Error) -> Error + 'a {
        let path = self.path;
        move |e| sql_error(path, e)
    }

    /// The release with this print code.
    pub fn release(&self, print_code: &str) -> Result<Option<Release>, Error> {
        let sql = "SELECT print_code, edition, guide_version, guide_date, is_final FROM releases WHERE print_code = ?1";
        let release = self.conn.query_row(sql, [print_code], release_row).optional().map_err(self.err())?;
        release.map(|r| self.with_contents(r)).transpose()
    }

    /// Every release (of one edition, if given), ordered by edition and print code.
    pub fn releases(&self, edition: Option<&str>) -> Result<Vec<Release>, Error> {
        let sql = "SELECT print_code, edition, guide_version, guide_date, is_final FROM releases \
                   WHERE ?1 IS NULL OR edition = ?1 ORDER BY edition, print_code";
        let mut stmt = self.conn.prepare_cached(sql).map_err(self.err())?;
        let rows: Vec<Release> =
            stmt.query_map([edition], release_row).and_then(Iterator::collect).map_err(self.err())?;
        rows.into_iter().map(|r| self.with_contents(r)).collect()
    }

    /// A release with its contacts and chapters read.
    fn with_contents(&self, mut release: Release) -> Result<Release, Error> {
        let sql = "SELECT id, kind, name, fields, page, x_mm, y_mm, w_mm, h_mm FROM release_contacts \
                   WHERE print_code = ?1 ORDER BY seq";
        let mut stmt = self.conn.prepare_cached(sql).map_err(self.err())?;
        release.contacts =
            stmt.query_map([&release.print_code], contact_row).and_then(Iterator::collect).map_err(self.err())?;
        let sql = "SELECT path, sha256 FROM release_chapters WHERE print_code = ?1 ORDER BY seq";
        let mut stmt = self.conn.prepare_cached(sql).map_err(self.err())?;
        release.chapters = stmt
            .query_map([&release.print_code], |r| Ok(ChapterHash { path: r.get(0)?, sha256: r.get(1)? }))
            .and_then(Iterator::collect)
            .map_err(self.err())?;
        Ok(release)
    }

    /// Print runs (of one edition, if given), oldest first.
    pub fn print_runs(&self, edition: Option<&str>) -> Result<Vec<PrintRun>, Error> {
        let sql = "SELECT print_code, edition, copies, date, note, draft FROM print_runs \
                   WHERE ?1 IS NULL OR edition = ?1 ORDER BY date, id";
        let mut stmt = self.conn.prepare_cached(sql).map_err(self.err())?;
        let map = |r: &Row| {
            Ok(PrintRun {
                print_code: r.get(0)?,
                edition: r.get(1)?,
                copies: count(r.get(2)?),
                date: r.get(3)?,
                note: r.get(4)?,
                draft: r.get(5)?,
            })
        };
        stmt.query_map([edition], map).and_then(Iterator::collect).map_err(self.err())
    }

    /// What was already shipped for each (order id, edition) of `keys`, voided batches excluded;
    /// keys with nothing shipped are absent. One statement over all keys (SQLite's `json_each`
    /// joined to the `(order_id, edition)` index).
    pub fn shipped(&self, keys: &[(String, String)]) -> Result<HashMap<(String, String), Shipped>, Error> {
        let unique: BTreeSet<&(String, String)> = keys.iter().collect();
        let json = serde_json::to_string(&unique).map_err(Error::internal)?;
        let sql = "SELECT l.order_id, l.edition, l.copies, l.organization, b.id, b.date \
                   FROM json_each(?1) AS k \
                   JOIN shipment_lines AS l ON l.order_id = k.value ->> 0 AND l.edition = k.value ->> 1 \
                   JOIN batches AS b ON b.seq = l.batch \
                   WHERE b.voided_on IS NULL ORDER BY b.seq, l.id";
        let mut stmt = self.conn.prepare_cached(sql).map_err(self.err())?;
        let mut rows = stmt.query([json]).map_err(self.err())?;
        let mut shipped: HashMap<(String, String), Shipped> = HashMap::new();
        while let Some(r) = rows.next().map_err(self.err())? {
            let key = (r.get(0).map_err(self.err())?, r.get(1).map_err(self.err())?);
            let entry = shipped.entry(key).or_default();
            entry.copies += count(r.get(2).map_err(self.err())?);
            let organization: String = r.get(3).map_err(self.err())?;
            if !organization.is_empty() {
                entry.organization = organization;
            }
            let batch: (String, String) = (r.get(4).map_err(self.err())?, r.get(5).map_err(self.err())?);
            if entry.batches.last() != Some(&batch) {
                entry.batches.push(batch);
            }
        }
        Ok(shipped)
    }

    /// The batch with this id and its lines, in the order they were added.
    pub fn batch(&self, id: &str) -> Result<Option<(Batch, Vec<ShipmentLine>)>, Error> {
        let sql = format!("SELECT b.seq, {BATCH_COLUMNS} FROM batches AS b WHERE b.id = ?1");
        let found = self
            .conn
            .query_row(&sql, [id], |r| Ok((r.get::<_, i64>(0)?, batch_row(r, 1)?)))
            .optional()
            .map_err(self.err())?;
        let Some((seq, batch)) = found else { return Ok(None) };
        let sql = format!("SELECT {LINE_COLUMNS} FROM shipment_lines AS l WHERE l.batch = ?1 ORDER BY l.id");
        let mut stmt = self.conn.prepare_cached(&sql).map_err(self.err())?;
        let lines = stmt.query_map([seq], |r| line_row(r, 0)).and_then(Iterator::collect).map_err(self.err())?;
        Ok(Some((batch, lines)))
    }

    /// The files batch `id` wrote, (name, bytes) in the order recorded; empty when it wrote none
    /// or they were forgotten.
    pub fn batch_files(&self, id: &str) -> Result<Vec<(String, Vec<u8>)>, Error> {
        let sql = "SELECT f.name, f.bytes FROM batch_files AS f JOIN batches AS b ON b.seq = f.batch \
                   WHERE b.id = ?1 ORDER BY f.id";
        let mut stmt = self.conn.prepare_cached(sql).map_err(self.err())?;
        stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?))).and_then(Iterator::collect).map_err(self.err())
    }

    /// The last batch (voided or not) whose files went to the folder `out_dir`.
    pub fn latest_batch_in(&self, out_dir: &str) -> Result<Option<Batch>, Error> {
        let sql = format!("SELECT {BATCH_COLUMNS} FROM batches AS b WHERE b.out_dir = ?1 ORDER BY b.seq DESC LIMIT 1");
        self.conn.query_row(&sql, [out_dir], |r| batch_row(r, 0)).optional().map_err(self.err())
    }

    /// Every correction line, oldest first; stickers packed by a shipping batch that was voided
    /// (never sent) do not count.
    pub fn correction_lines(&self) -> Result<Vec<CorrectionLine>, Error> {
        let sql = "SELECT l.print_code, l.contact, l.target, l.recipient, l.copies FROM correction_lines AS l \
                   JOIN corrections AS c ON c.seq = l.correction \
                   WHERE NOT (c.kind = 'ship' AND EXISTS \
                       (SELECT 1 FROM batches AS b WHERE b.id = c.id AND b.voided_on IS NOT NULL)) \
                   ORDER BY l.id";
        let mut stmt = self.conn.prepare_cached(sql).map_err(self.err())?;
        let map = |r: &Row| {
            Ok(CorrectionLine {
                print_code: r.get(0)?,
                contact: r.get(1)?,
                target: r.get(2)?,
                recipient: r.get(3)?,
                copies: count(r.get(4)?),
            })
        };
        stmt.query_map([], map).and_then(Iterator::collect).map_err(self.err())
    }

    /// Every correction batch, oldest first.
    pub fn corrections(&self) -> Result<Vec<CorrectionBatch>, Error> {
        let sql = "SELECT id, kind, date, out_dir, files FROM corrections ORDER BY seq";
        let mut stmt = self.conn.prepare_cached(sql).map_err(self.err())?;
        let map = |r: &Row| {
            let files: String = r.get(4)?;
            let files = serde_json::from_str(&files)
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(4, Type::Text, Box::new(e)))?;
            Ok(CorrectionBatch { id: r.get(0)?, kind: r.get(1)?, date: r.get(2)?, out_dir: r.get(3)?, files })
        };
        stmt.query_map([], map).and_then(Iterator::collect).map_err(self.err())
    }

    /// Every batch, in the order they were added.
    pub fn batches(&self) -> Result<Vec<Batch>, Error> {
        let sql = format!("SELECT {BATCH_COLUMNS} FROM batches AS b ORDER BY b.seq");
        let mut stmt = self.conn.prepare_cached(&sql).map_err(self.err())?;
        stmt.query_map([], |r| batch_row(r, 0)).and_then(Iterator::collect).map_err(self.err())
    }

    /// Shipment lines matching `filter`, newest batch first (lines of a batch in their order);
    /// lines of voided batches are included and flagged.
    pub fn shipments(&self, filter: &ShipmentFilter) -> Result<Vec<Shipment>, Error> {
        let mut sql = format!(
            "SELECT b.seq, l.id, b.id, b.date, b.voided_on IS NOT NULL, l.forgotten, {LINE_COLUMNS} \
             FROM shipment_lines AS l JOIN batches AS b ON b.seq = l.batch WHERE 1"
        );
        let mut args: Vec<&str> = Vec::new();
        for (column, value) in [("edition", &filter.edition), ("print_code", &filter.print_code)] {
            if let Some(value) = value {
                args.push(value);
                sql.push_str(&format!(" AND l.{column} = ?{}", args.len()));
            }
        }
        let mut stmt = self.conn.prepare_cached(&sql).map_err(self.err())?;
        let map = |r: &Row| {
            let shipment = Shipment {
                batch: r.get(2)?,
                date: r.get(3)?,
                voided: r.get(4)?,
                forgotten: r.get(5)?,
                line: line_row(r, 6)?,
            };
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, shipment))
        };
        let mut rows: Vec<(i64, i64, Shipment)> =
            stmt.query_map(rusqlite::params_from_iter(args), map).and_then(Iterator::collect).map_err(self.err())?;
        // Sorted here rather than by SQLite, whose sorter would copy every wide row once more.
        rows.sort_unstable_by(|(seq_a, id_a, a), (seq_b, id_b, b)| {
            (&b.date, seq_b).cmp(&(&a.date, seq_a)).then(id_a.cmp(id_b))
        });
        Ok(rows.into_iter().map(|(_, _, s)| s).collect())
    }

    /// Copies printed and shipped per (edition, print code), for every print code printed or
    /// shipped; by edition, then first printed (never printed last).
    pub fn stock(&self) -> Result<Vec<StockRow>, Error> {
        let sql = "WITH printed AS (
                SELECT edition, print_code, SUM(copies) AS n, MIN(date) AS first, MIN(id) AS first_id
                FROM print_runs GROUP BY edition, print_code),
            shipped AS (
                SELECT l.edition, l.print_code, SUM(l.copies) AS n
                FROM shipment_lines AS l JOIN batches AS b ON b.seq = l.batch
                WHERE b.voided_on IS NULL GROUP BY l.edition, l.print_code)
            SELECT coalesce(p.edition, s.edition), coalesce(p.print_code, s.print_code),
                coalesce(p.n, 0), coalesce(s.n, 0), p.first
            FROM printed AS p FULL JOIN shipped AS s ON s.edition = p.edition AND s.print_code = p.print_code
            ORDER BY 1, p.first IS NULL, p.first, p.first_id, 2";
        let mut stmt = self.conn.prepare_cached(sql).map_err(self.err())?;
        let map = |r: &Row| {
            Ok(StockRow {
                edition: r.get(0)?,
                print_code: r.get(1)?,
                printed: count(r.get(2)?),
                shipped: count(r.get(3)?),
                first_printed: r.get(4)?,
            })
        };
        stmt.query_map(params![], map).and_then(Iterator::collect).map_err(self.err())
    }
}

/// A release's own columns (contacts and chapters are read separately).
fn release_row(r: &Row) -> rusqlite::Result<Release> {
    Ok(Release {
        print_code: r.get(0)?,
        edition: r.get(1)?,
        guide_version: r.get(2)?,
        guide_date: r.get(3)?,
        is_final: r.get(4)?,
        contacts: Vec::new(),
        chapters: Vec::new(),
    })
}

/// A printed contact.
fn contact_row(r: &Row) -> rusqlite::Result<PrintedContact> {
    Ok(PrintedContact {
        id: r.get(0)?,
        kind: r.get(1)?,
        name: r.get(2)?,
        fields: json_column(r, 3)?,
        page: r.get(4)?,
        x_mm: r.get(5)?,
        y_mm: r.get(6)?,
        w_mm: r.get(7)?,
        h_mm: r.get(8)?,
    })
}

/// A batch from [`BATCH_COLUMNS`] starting at column `at`.
pub(super) fn batch_row(r: &Row, at: usize) -> rusqlite::Result<Batch> {
    let voided_on: Option<String> = r.get(at + 8)?;
    let why: Option<String> = r.get(at + 9)?;
    Ok(Batch {
        id: r.get(at)?,
        orders_file: r.get(at + 1)?,
        orders_sha256: r.get(at + 2)?,
        date: r.get(at + 3)?,
        stock: r.get(at + 4)?,
        start: r.get(at + 5)?,
        out_dir: r.get(at + 6)?,
        files: json_column(r, at + 7)?,
        voided: voided_on.map(|date| Void { date, why: why.unwrap_or_default() }),
    })
}

/// A shipment line from [`LINE_COLUMNS`] starting at column `at`.
fn line_row(r: &Row, at: usize) -> rusqlite::Result<ShipmentLine> {
    Ok(ShipmentLine {
        order_id: r.get(at)?,
        edition: r.get(at + 1)?,
        print_code: r.get(at + 2)?,
        copies: count(r.get(at + 3)?),
        organization: r.get(at + 4)?,
        recipient: r.get(at + 5)?,
        address: r.get(at + 6)?,
        country: r.get(at + 7)?,
        email: r.get(at + 8)?,
        row: r.get(at + 9)?,
    })
}

/// A column holding JSON.
fn json_column<T: serde::de::DeserializeOwned>(r: &Row, at: usize) -> rusqlite::Result<T> {
    let text: String = r.get(at)?;
    serde_json::from_str(&text).map_err(|e| rusqlite::Error::FromSqlConversionFailure(at, Type::Text, Box::new(e)))
}
