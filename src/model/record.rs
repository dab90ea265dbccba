//! The rows of the record of print runs and shipments: releases as built, print runs, batches and
//! their shipment lines, and the sums read back from them. Plain data; `records/` stores it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An edition as built: what one print code stands for (same code, same printed content).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Release {
    /// The code printed in the book (e.g. on the imprint page).
    pub print_code: String,
    /// The edition's name (e.g. `nz`).
    pub edition: String,
    /// The guide's version as printed.
    pub guide_version: String,
    /// The guide's date as printed, `YYYY-MM-DD`.
    pub guide_date: String,
    /// True for a final build, false for a draft.
    pub is_final: bool,
    /// Every contact as printed, with where it sits on the page.
    pub contacts: Vec<PrintedContact>,
    /// The chapters that went in, with their hashes.
    pub chapters: Vec<ChapterHash>,
}

/// One contact as printed in a release, and the box it occupies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrintedContact {
    /// The contact's id in the project.
    pub id: String,
    /// Its kind (e.g. `shelter`, `embassy`).
    pub kind: String,
    /// Its name as printed.
    pub name: String,
    /// Printed fields (`phone`, `sms`, `email`, `url`, `address`, `hours` …) as printed.
    pub fields: BTreeMap<String, String>,
    /// 1-based page number.
    pub page: u32,
    /// Left edge of its box, mm from the page's left edge.
    pub x_mm: f64,
    /// Top edge of its box, mm from the page's top edge.
    pub y_mm: f64,
    /// Width of its box in mm.
    pub w_mm: f64,
    /// Height of its box in mm.
    pub h_mm: f64,
}

/// A chapter file that went into a release and the SHA-256 of its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChapterHash {
    /// The chapter's path relative to the project root.
    pub path: String,
    /// Lower-case hex SHA-256.
    pub sha256: String,
}

/// Copies of one release that came back from the printer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintRun {
    /// The release printed.
    pub print_code: String,
    /// Its edition.
    pub edition: String,
    /// How many copies.
    pub copies: u64,
    /// When, `YYYY-MM-DD`.
    pub date: String,
    /// Free text (printer, invoice …).
    pub note: String,
    /// True when the release was a draft build.
    pub draft: bool,
}

/// One `ship` run: the orders it read and the files it wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    /// `YYYYMMDD-N`.
    pub id: String,
    /// The orders file as given.
    pub orders_file: String,
    /// SHA-256 of the orders file's bytes.
    pub orders_sha256: String,
    /// When, `YYYY-MM-DD`.
    pub date: String,
    /// The label stock used.
    pub stock: String,
    /// The first label position used on the first sheet.
    pub start: u32,
    /// Where the files went.
    pub out_dir: String,
    /// Each file written: name and SHA-256.
    pub files: Vec<(String, String)>,
    /// Set when the batch was voided (its lines no longer count as shipped).
    pub voided: Option<Void>,
}

/// Why and when a batch was voided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Void {
    /// When, `YYYY-MM-DD`.
    pub date: String,
    /// Why, as given.
    pub why: String,
}

/// Copies of one edition sent to one recipient of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentLine {
    /// The order's id in the orders file.
    pub order_id: String,
    /// The edition sent.
    pub edition: String,
    /// The release the copies came from.
    pub print_code: String,
    /// How many copies.
    pub copies: u64,
    /// The receiving organisation (empty once forgotten).
    pub organization: String,
    /// The person (empty once forgotten).
    pub recipient: String,
    /// The printed address lines joined with `\n` (empty once forgotten).
    pub address: String,
    /// Country code.
    pub country: String,
    /// E-mail (empty once forgotten).
    pub email: String,
    /// Row in the orders file.
    pub row: u32,
}

/// What was already shipped for one (order id, edition), voided batches excluded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Shipped {
    /// Copies in all non-voided batches.
    pub copies: u64,
    /// The organisation of the latest line that still has one (empty when all were forgotten).
    pub organization: String,
    /// The batches (id, date) that shipped them, oldest first.
    pub batches: Vec<(String, String)>,
}

/// One shipment line with the batch it went in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipment {
    /// The batch's id.
    pub batch: String,
    /// The batch's date.
    pub date: String,
    /// True when the batch was voided (the line does not count as shipped).
    pub voided: bool,
    /// True when its personal data was forgotten.
    pub forgotten: bool,
    /// The line.
    pub line: ShipmentLine,
}

/// Which shipments to list; `None` matches any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShipmentFilter {
    /// Only this edition.
    pub edition: Option<String>,
    /// Only this print code.
    pub print_code: Option<String>,
}

/// Copies printed and shipped of one release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockRow {
    /// The edition.
    pub edition: String,
    /// The release.
    pub print_code: String,
    /// Sum of its print runs.
    pub printed: u64,
    /// Sum of its lines in non-voided batches.
    pub shipped: u64,
    /// The date of its first print run (none when shipped but never recorded as printed).
    pub first_printed: Option<String>,
}

impl StockRow {
    /// Copies left: printed − shipped, negative when more was shipped than recorded as printed.
    pub fn left(&self) -> i64 {
        i64::try_from(self.printed).unwrap_or(i64::MAX) - i64::try_from(self.shipped).unwrap_or(i64::MAX)
    }
}

/// Copies of an edition drawn from stock, oldest print code first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Draw {
    /// Print code and copies taken from it.
    pub from: Vec<(String, u64)>,
    /// Copies the stock could not cover (to record under the current build's code, with a warning).
    pub short: u64,
}

/// A batch of corrections sent for copies in the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionBatch {
    /// `YYYYMMDD-cN` for a `corrections make` run; the shipping batch's id for stickers packed
    /// by `ship`.
    pub id: String,
    /// `make` or `ship`.
    pub kind: String,
    /// When, `YYYY-MM-DD`.
    pub date: String,
    /// Where its files went.
    pub out_dir: String,
    /// Each file written: name and SHA-256.
    pub files: Vec<(String, String)>,
}

/// Stickers sent for one contact of one print code to one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionLine {
    /// The release corrected.
    pub print_code: String,
    /// The contact's id.
    pub contact: String,
    /// [`correction_target`] of the contact as corrected.
    pub target: String,
    /// [`recipient_key`] of who received them.
    pub recipient: String,
    /// Stickers sent (copies corrected).
    pub copies: u64,
}

/// What a correction of a contact brings it to: a fingerprint of its fields as corrected, or
/// `removed`. A later change of the contact gives another target, so it is corrected again.
pub fn correction_target(fields: Option<&BTreeMap<String, String>>) -> String {
    match fields {
        None => "removed".to_string(),
        Some(fields) => fingerprint(&serde_json::to_string(fields).unwrap_or_default()),
    }
}

/// Who received copies, as a fingerprint of organisation, person and address (so the record of
/// corrections holds no personal data of its own).
pub fn recipient_key(organization: &str, recipient: &str, address: &str) -> String {
    fingerprint(&format!("{organization}\n{recipient}\n{address}"))
}

fn fingerprint(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())[..12].iter().map(|b| format!("{b:02x}")).collect()
}

/// The batch id for the `n`-th batch (1-based) of a `YYYY-MM-DD` date: `YYYYMMDD-n`.
pub fn batch_id(date: &str, n: u64) -> String {
    format!("{}-{n}", date.replace('-', ""))
}

/// True for a well-formed `YYYY-MM-DD` date (digits in place; months 1–12, days 1–31).
pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10) {
        return false;
    }
    let month: u8 = s[5..7].parse().unwrap_or(0);
    let day: u8 = s[8..10].parse().unwrap_or(0);
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_ids_and_dates() {
        assert_eq!(batch_id("2026-03-09", 2), "20260309-2");
        assert!(is_iso_date("2026-03-09"));
        for bad in ["2026-3-09", "2026-13-01", "2026-01-00", "20260101", "2026-01-01x", "２026-01-01"] {
            assert!(!is_iso_date(bad), "{bad}");
        }
    }

    #[test]
    fn left_may_be_negative() {
        let row =
            StockRow { edition: "nz".into(), print_code: "A".into(), printed: 3, shipped: 5, first_printed: None };
        assert_eq!(row.left(), -2);
    }
}
