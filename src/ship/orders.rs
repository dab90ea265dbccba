//! Orders: reading a CSV batch of requests, checking every row, grouping rows into shipments.
//!
//! Rows are numbered as a spreadsheet numbers them: the header is row 1, the first order row
//! is row 2, a blank line still takes a row number, and a quoted value spanning several lines
//! stays within its row.

use serde::Serialize;
use std::collections::HashMap;
use std::fmt;

pub mod bounds;
mod fields;
mod grid;
mod header;
mod rows;
pub mod sheet;
pub use fields::{
    MAX_ORDER_ID_CHARS, check_copies, check_country, check_date, check_edition, check_email, check_order_id,
    check_postal_code,
};

pub(crate) use rows::check_rows;

/// The columns an orders file may have, in the documented order.
pub const COLUMNS: [&str; 15] = [
    "order_id",
    "received",
    "organization",
    "recipient",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "edition",
    "copies",
    "notes",
];

/// The columns that every orders file must have and every row must fill in.
pub const REQUIRED: [&str; 9] =
    ["order_id", "received", "organization", "recipient", "address_line1", "city", "country", "edition", "copies"];

/// The most copies one order line may ask for.
pub const MAX_COPIES: u32 = 10_000;

/// The columns that must be the same on every row of one order (one address, one box set).
const SAME_PER_ORDER: [&str; 8] =
    ["organization", "recipient", "address_line1", "address_line2", "city", "region", "postal_code", "country"];

/// One checked row of an orders file: one edition for one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderLine {
    /// The row in the file (the header is row 1).
    pub row: usize,
    /// The order id; rows sharing it are one shipment.
    pub order_id: String,
    /// The date the request came in, YYYY-MM-DD.
    pub received: String,
    /// The organization the books go to.
    pub organization: String,
    /// The person who receives the box.
    pub recipient: String,
    /// Contact e-mail (may be empty).
    pub email: String,
    /// Contact phone (may be empty).
    pub phone: String,
    /// First street line.
    pub address_line1: String,
    /// Second street line (may be empty).
    pub address_line2: String,
    /// City or town.
    pub city: String,
    /// State, province, prefecture or region (may be empty).
    pub region: String,
    /// Postal code in its country's standard form (may be empty).
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 country code, upper case.
    pub country: String,
    /// Edition id, spelled as the project spells it.
    pub edition: String,
    /// Number of copies, 1 to [`MAX_COPIES`].
    pub copies: u32,
    /// Free-text notes (may be empty).
    pub notes: String,
}

/// An order line to a New Zealand address, for tests: row, order id, edition, copies.
#[cfg(test)]
pub(crate) fn test_line(row: usize, order: &str, edition: &str, copies: u32) -> OrderLine {
    OrderLine {
        row,
        order_id: order.into(),
        received: "2026-11-02".into(),
        organization: format!("Org {order}"),
        recipient: "Name".into(),
        email: String::new(),
        phone: String::new(),
        address_line1: "1 Main St".into(),
        address_line2: String::new(),
        city: "Town".into(),
        region: String::new(),
        postal_code: String::new(),
        country: "NZ".into(),
        edition: edition.into(),
        copies,
        notes: String::new(),
    }
}

/// A problem found in an orders file, located by row and column where possible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderProblem {
    /// The row (header = 1), if the problem belongs to one row.
    pub row: Option<usize>,
    /// The column name, if the problem belongs to one column.
    pub column: Option<String>,
    /// What is wrong and how to fix it.
    pub message: String,
    /// Where in a spreadsheet, when the orders come from one: e.g. `sheet "Requests", cell N7
    /// (column copies)`; it replaces the row and column when the problem is shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
}

impl OrderProblem {
    fn new(row: Option<usize>, column: Option<&str>, message: impl Into<String>) -> Self {
        Self { row, column: column.map(str::to_string), message: message.into(), place: None }
    }
}

impl fmt::Display for OrderProblem {
    /// `row 7, column `copies`: …`, `row 7: …`, `column `x`: …` or just the message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(place) = &self.place {
            return write!(f, "{place}: {}", self.message);
        }
        match (self.row, &self.column) {
            (Some(r), Some(c)) => write!(f, "row {r}, column `{c}`: {}", self.message),
            (Some(r), None) => write!(f, "row {r}: {}", self.message),
            (None, Some(c)) => write!(f, "column `{c}`: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for OrderProblem {}

/// A successfully read orders file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedOrders {
    /// The order lines, in file order.
    pub lines: Vec<OrderLine>,
    /// Things worth telling the user that do not stop shipping (e.g. unknown columns).
    pub warnings: Vec<OrderProblem>,
}

/// Reads and checks an orders CSV file.
///
/// `editions` are the edition ids of the project. On success every line is valid and the
/// lines of each order agree on the address. Otherwise every problem found is returned, in
/// row order, each naming its row, column and offending value with a way to fix it.
pub fn parse_orders(bytes: &[u8], editions: &[&str]) -> Result<ParsedOrders, Vec<OrderProblem>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(vec![OrderProblem::new(None, None, format!("the file is empty; {NEEDS_ROWS}"))]);
    }

    let (mut records, mut problems, stopped) = read_records(bytes);
    let unclosed = if stopped { None } else { unclosed_quote_row(bytes) };
    // A quote never closed swallows the rest of the file into one value: report the quote, not
    // the swallowed record's odd number of values.
    if let Some(row) = unclosed {
        records.retain(|(r, _)| *r < row);
        problems.push(OrderProblem::new(
            Some(row),
            None,
            "a value in this row starts with a double quote (\") that is never closed, so the rest of the \
             file would be read as one value; add the closing quote after the value, or delete the quote",
        ));
    }
    if records.is_empty() {
        if unclosed.is_none() {
            problems.push(OrderProblem::new(None, None, "the file has no rows"));
        }
        return Err(problems);
    }
    let rows: Vec<(usize, Cells)> = records
        .into_iter()
        .map(|(row, record)| {
            let cells = record
                .iter()
                .map(|f| match std::str::from_utf8(f) {
                    Ok(s) => (s.trim().to_string(), true),
                    Err(_) => (String::from_utf8_lossy(f).trim().to_string(), false),
                })
                .collect();
            (row, cells)
        })
        .collect();
    check_rows(&rows, editions, problems, unclosed.is_none() && !stopped)
}

/// The records of a CSV file with their spreadsheet rows, and the problem that stopped reading
/// early (a row longer than [`bounds::MAX_CSV_LINE`], more than [`bounds::MAX_ROWS`] rows, or
/// text that is not CSV), with whether reading stopped before the end of the file.
///
/// The csv crate reads first; the rows are then numbered over the part of the file it read, so
/// a 100 MB line is read once and never scanned again.
fn read_records(bytes: &[u8]) -> (Vec<(usize, csv::ByteRecord)>, Vec<OrderProblem>, bool) {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records: Vec<csv::ByteRecord> = Vec::new();
    let mut record = csv::ByteRecord::new();
    // Where reading stopped early: the byte where the record starts, and why.
    let mut stop: Option<(usize, String)> = None;
    loop {
        let start = reader.position().byte() as usize;
        match reader.read_byte_record(&mut record) {
            Ok(true) if record.as_slice().len() > bounds::MAX_CSV_LINE => {
                let why = format!(
                    "this row holds {} of values, more than the {} one row may hold; a double quote that is never \
                     closed can make the rest of the file one row: check the row's quotes",
                    crate::input::size_text(record.as_slice().len() as u64),
                    crate::input::size_text(bounds::MAX_CSV_LINE as u64)
                );
                stop = Some((start, why));
                break;
            }
            Ok(true) if record.len() > bounds::MAX_COLUMNS as usize => {
                let why = format!(
                    "this row has {} values, more than the {} columns an order book may have; a comma is extra, or \
                     a value that contains commas is not in double quotes",
                    record.len(),
                    bounds::MAX_COLUMNS
                );
                stop = Some((start, why));
                break;
            }
            Ok(true) if records.len() >= bounds::MAX_ROWS => {
                stop = Some((start, too_many_rows()));
                break;
            }
            Ok(true) => records.push(record.clone()),
            Ok(false) => break,
            Err(e) => {
                stop = Some((start, format!("this row cannot be read as CSV ({e}); check its quotes and commas")));
                break;
            }
        }
    }
    let end = stop.as_ref().map_or(bytes.len(), |(start, _)| *start);
    let (rows, next) = numbered_rows(&bytes[..end]);
    let mut numbered: Vec<(usize, csv::ByteRecord)> =
        records.into_iter().enumerate().map(|(i, r)| (rows.get(i).copied().unwrap_or(i + 1), r)).collect();
    let mut problems = Vec::new();
    if let Some(last) = numbered.iter().map(|(row, _)| *row).find(|row| *row > bounds::MAX_ROWS) {
        numbered.retain(|(row, _)| *row <= bounds::MAX_ROWS);
        problems.push(OrderProblem::new(Some(last), None, too_many_rows()));
        return (numbered, problems, true);
    }
    let stopped = stop.is_some();
    if let Some((start, why)) = stop {
        // Blank lines before the record still take rows.
        let blank = bytes[start..].iter().take_while(|b| matches!(b, b'\r' | b'\n')).filter(|b| **b == b'\n').count();
        problems.push(OrderProblem::new(Some(next + blank), None, why));
    }
    (numbered, problems, stopped)
}

/// The problem of an orders file with more rows than [`bounds::MAX_ROWS`].
pub(crate) fn too_many_rows() -> String {
    format!(
        "the file has more than the {} rows an order book may have; split the orders into several files",
        bounds::MAX_ROWS
    )
}

/// The start of the message for an orders file or sheet without rows.
pub(crate) const NEEDS_ROWS: &str = "it needs a header row naming the columns (order_id, received, \
     organization, …) and one row per order line below it";

/// One row of an orders file as text: each value trimmed, with whether it was valid UTF-8.
pub(crate) type Cells = Vec<(String, bool)>;

/// The spreadsheet row of a double quote that opens a value and is never closed, if any.
fn unclosed_quote_row(bytes: &[u8]) -> Option<usize> {
    let mut row = 1;
    let mut opened_at = None;
    let mut field_start = true;
    let mut after_cr = false;
    let mut iter = bytes.iter().peekable();
    while let Some(&b) = iter.next() {
        if opened_at.is_some() {
            if b == b'"' {
                if iter.peek() == Some(&&b'"') {
                    iter.next();
                } else {
                    opened_at = None;
                    field_start = false;
                }
            }
            continue;
        }
        if b == b'\n' && after_cr {
            after_cr = false;
            continue;
        }
        after_cr = b == b'\r';
        match b {
            b'\r' | b'\n' => {
                row += 1;
                field_start = true;
            }
            b',' => field_start = true,
            b'"' if field_start => opened_at = Some(row),
            _ => field_start = false,
        }
    }
    opened_at
}

/// The spreadsheet row number of each non-blank row of CSV text, in order.
///
/// Counts unquoted line ends (`\n`, `\r\n` or `\r`) the way the csv crate splits records, so
/// a quoted value containing line breaks stays in one row, and blank lines (which the csv
/// crate skips) still take a row number.
#[cfg(test)]
fn spreadsheet_rows(bytes: &[u8]) -> Vec<usize> {
    numbered_rows(bytes).0
}

/// [`spreadsheet_rows`], with the number of the row after the last line end.
fn numbered_rows(bytes: &[u8]) -> (Vec<usize>, usize) {
    #[derive(PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut out = Vec::new();
    let mut row = 1;
    let mut has_content = false;
    let mut state = State::FieldStart;
    let mut after_cr = false;
    for &b in bytes {
        if state == State::Quoted {
            if b == b'"' {
                state = State::QuoteInQuoted;
            }
            after_cr = false;
            continue;
        }
        if b == b'\n' && after_cr {
            after_cr = false;
            continue;
        }
        after_cr = b == b'\r';
        if b == b'\r' || b == b'\n' {
            if has_content {
                out.push(row);
                if out.len() > bounds::MAX_ROWS {
                    return (out, row + 1);
                }
            }
            row += 1;
            has_content = false;
            state = State::FieldStart;
            continue;
        }
        has_content = true;
        state = match (state, b) {
            (_, b',') => State::FieldStart,
            (State::FieldStart, b'"') | (State::QuoteInQuoted, b'"') => State::Quoted,
            _ => State::Unquoted,
        };
    }
    if has_content {
        out.push(row);
    }
    (out, row)
}

/// The lines of one order: one shipment to one address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shipment {
    /// The order id shared by the lines.
    pub order_id: String,
    /// The order's lines, in file order.
    pub lines: Vec<OrderLine>,
}

impl Shipment {
    /// (edition id, copies) of every line, in file order, as [`crate::ship::boxes::pack_shipment`] takes them.
    pub fn items(&self) -> Vec<(String, u32)> {
        self.lines.iter().map(|l| (l.edition.clone(), l.copies)).collect()
    }

    /// Copies in the shipment, all editions together.
    pub fn copies(&self) -> u64 {
        self.lines.iter().map(|l| u64::from(l.copies)).sum()
    }
}

/// Groups order lines by order id, shipments in order of first appearance.
pub fn group_shipments(lines: &[OrderLine]) -> Vec<Shipment> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut out: Vec<Shipment> = Vec::new();
    for line in lines {
        match index.get(line.order_id.as_str()) {
            Some(&i) => out[i].lines.push(line.clone()),
            None => {
                index.insert(&line.order_id, out.len());
                out.push(Shipment { order_id: line.order_id.clone(), lines: vec![line.clone()] });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
