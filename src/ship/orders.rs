//! Orders: reading a CSV batch of requests, checking every row, grouping rows into shipments.
//!
//! Rows are numbered as a spreadsheet numbers them: the header is row 1, the first order row
//! is row 2, a blank line still takes a row number, and a quoted value spanning several lines
//! stays within its row.

use serde::Serialize;
use std::collections::HashMap;
use std::fmt;

mod fields;
pub mod sheet;
pub use fields::{
    MAX_ORDER_ID_CHARS, check_copies, check_country, check_date, check_edition, check_email, check_order_id,
    check_postal_code,
};
use fields::{edition_list, show, show_or_nothing};

use crate::model::text::{self, Lines, RETYPE};

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

    let rows = spreadsheet_rows(bytes);
    let unclosed = unclosed_quote_row(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records: Vec<(usize, csv::ByteRecord)> = Vec::new();
    let mut problems: Vec<OrderProblem> = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let index = records.len();
        let row = rows.get(index).copied().unwrap_or(index + 1);
        match reader.read_byte_record(&mut record) {
            Ok(true) => records.push((row, record.clone())),
            Ok(false) => break,
            Err(e) => {
                problems.push(OrderProblem::new(
                    Some(row),
                    None,
                    format!("this row cannot be read as CSV ({e}); check its quotes and commas"),
                ));
                break;
            }
        }
    }
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
        .iter()
        .map(|(row, record)| {
            let cells = record
                .iter()
                .map(|f| match std::str::from_utf8(f) {
                    Ok(s) => (s.trim().to_string(), true),
                    Err(_) => (String::from_utf8_lossy(f).trim().to_string(), false),
                })
                .collect();
            (*row, cells)
        })
        .collect();
    check_rows(&rows, editions, problems, unclosed.is_none())
}

/// The start of the message for an orders file or sheet without rows.
pub(crate) const NEEDS_ROWS: &str = "it needs a header row naming the columns (order_id, received, \
     organization, …) and one row per order line below it";

/// One row of an orders file as text: each value trimmed, with whether it was valid UTF-8.
pub(crate) type Cells = Vec<(String, bool)>;

/// Checks the rows of an orders file, CSV or spreadsheet alike: the first is the header row.
///
/// `rows` pairs each row with its spreadsheet row number; `problems` are those already found
/// reading the file; `want_data` says whether a file without order rows is a problem (not
/// when reading already stopped early).
pub(crate) fn check_rows(
    rows: &[(usize, Cells)],
    editions: &[&str],
    mut problems: Vec<OrderProblem>,
    want_data: bool,
) -> Result<ParsedOrders, Vec<OrderProblem>> {
    let Some(((header_row, header), body)) = rows.split_first() else {
        if want_data {
            problems.push(OrderProblem::new(None, None, "the file has no rows"));
        }
        return Err(problems);
    };
    let mut warnings = Vec::new();
    let columns = read_header(*header_row, header, body, &mut problems, &mut warnings);

    let mut lines = Vec::new();
    let mut seen_data = false;
    // Per order id: the first row, its address values and which of them were invalid.
    let mut first_of_order: HashMap<String, (usize, Vec<String>, Vec<bool>)> = HashMap::new();
    let mut edition_rows: HashMap<(String, String), usize> = HashMap::new();
    for (row, trimmed) in body {
        let row = *row;
        if trimmed.iter().all(|(s, _)| s.is_empty()) {
            continue;
        }
        seen_data = true;
        // Values are needed up to the last named column; beyond the header only empty ones
        // (stray commas) are allowed.
        let width = header.len();
        let named = header.iter().rposition(|(h, _)| !h.is_empty()).map_or(0, |i| i + 1);
        if trimmed.len() < named || trimmed.iter().skip(width).any(|(s, _)| !s.is_empty()) {
            problems.push(OrderProblem::new(
                Some(row),
                None,
                format!(
                    "this row has {} values but the header row has {} columns; a comma is missing \
                     or extra (a value that contains a comma must be in double quotes)",
                    trimmed.len(),
                    width
                ),
            ));
            continue;
        }
        let bad_text: Vec<String> =
            trimmed.iter().enumerate().filter(|(_, (_, ok))| !ok).map(|(i, _)| column_label(header, i)).collect();
        if !bad_text.is_empty() {
            problems.push(OrderProblem::new(
                Some(row),
                None,
                format!(
                    "the text in {} is not UTF-8; save the file as \"CSV UTF-8\" (in Excel: Save \
                     As, then \"CSV UTF-8 (Comma delimited)\") and try again",
                    bad_text.join(", ")
                ),
            ));
        }

        let get =
            |name: &str| -> &str { columns.get(name).and_then(|&i| trimmed.get(i)).map_or("", |(s, _)| s.as_str()) };
        // This row's problems; the row becomes an order line only if there are none.
        let mut here: Vec<OrderProblem> = Vec::new();
        // Characters a reader cannot see, in any field (a quoted value may span lines, so line
        // breaks and tabs are text). Such a field is not checked any further.
        let mut hidden: Vec<&str> = Vec::new();
        for (i, (value, _)) in trimmed.iter().enumerate() {
            if let Some(c) = value.chars().find(|c| text::is_hidden(*c, Lines::Multi)) {
                let message = format!("the text has {}{RETYPE}", text::hidden_advice(c));
                match columns.iter().find(|(_, at)| **at == i) {
                    Some((name, _)) => {
                        hidden.push(name);
                        here.push(OrderProblem::new(Some(row), Some(name), message));
                    }
                    None => {
                        let label = column_label(header, i);
                        here.push(OrderProblem::new(Some(row), None, format!("{label}: {message}")));
                    }
                }
            }
        }
        let fail = |here: &mut Vec<OrderProblem>, column: &str, message: String| {
            if !hidden.contains(&column) {
                here.push(OrderProblem::new(Some(row), Some(column), message));
            }
        };
        for name in REQUIRED {
            if columns.contains_key(name) && get(name).is_empty() {
                fail(&mut here, name, format!("this is empty, but every order line needs {}", needs(name, editions)));
            }
        }
        let order_id = get("order_id").to_string();
        if !order_id.is_empty() {
            if let Err(m) = check_order_id(&order_id) {
                fail(&mut here, "order_id", m);
            }
        }
        let received = get("received");
        if !received.is_empty() {
            if let Err(m) = check_date(received) {
                fail(&mut here, "received", m);
            }
        }
        let copies = match get("copies") {
            "" => 0,
            c => check_copies(c).unwrap_or_else(|m| {
                fail(&mut here, "copies", m);
                0
            }),
        };
        let email = get("email");
        if !email.is_empty() {
            if let Err(m) = check_email(email) {
                fail(&mut here, "email", m);
            }
        }
        let country = match get("country") {
            "" => String::new(),
            c => check_country(c).unwrap_or_else(|m| {
                fail(&mut here, "country", m);
                c.to_string()
            }),
        };
        let edition = match get("edition") {
            "" => String::new(),
            e => check_edition(e, editions).unwrap_or_else(|m| {
                fail(&mut here, "edition", m);
                e.to_string()
            }),
        };
        let postal_code = match get("postal_code") {
            "" => String::new(),
            z => check_postal_code(z, &country).unwrap_or_else(|m| {
                fail(&mut here, "postal_code", m);
                z.to_string()
            }),
        };

        // Rows of one order: same address, one line per edition.
        if columns.contains_key("order_id") && !order_id.is_empty() {
            let same: Vec<String> = SAME_PER_ORDER
                .iter()
                .map(|c| match *c {
                    "country" => country.clone(),
                    "postal_code" => postal_code.clone(),
                    c => get(c).to_string(),
                })
                .collect();
            // Columns already reported as wrong on either row are not compared again.
            let invalid: Vec<bool> =
                SAME_PER_ORDER.iter().map(|c| here.iter().any(|p| p.column.as_deref() == Some(*c))).collect();
            match first_of_order.get(&order_id) {
                None => {
                    first_of_order.insert(order_id.clone(), (row, same, invalid));
                }
                Some((first_row, first, first_invalid)) => {
                    for (i, column) in SAME_PER_ORDER.iter().enumerate() {
                        let (then, now) = (&first[i], &same[i]);
                        if then != now && columns.contains_key(*column) && !invalid[i] && !first_invalid[i] {
                            fail(
                                &mut here,
                                column,
                                format!(
                                    "order {} has {} here but {} on row {first_row}; all rows of \
                                     one order go in the same boxes to one address, so make them \
                                     the same, or give this row its own order id",
                                    show(&order_id),
                                    show_or_nothing(now),
                                    show_or_nothing(then),
                                ),
                            );
                        }
                    }
                }
            }
            if !edition.is_empty() {
                match edition_rows.get(&(order_id.clone(), edition.clone())) {
                    Some(first_row) => fail(
                        &mut here,
                        "edition",
                        format!(
                            "duplicate order line: order {} already asks for edition {} on row \
                             {first_row}; put the total number of copies on one row and delete \
                             the other",
                            show(&order_id),
                            show(&edition)
                        ),
                    ),
                    None => {
                        edition_rows.insert((order_id.clone(), edition.clone()), row);
                    }
                }
            }
        }

        let valid = here.is_empty() && bad_text.is_empty();
        problems.append(&mut here);
        if valid {
            lines.push(OrderLine {
                row,
                order_id,
                received: received.to_string(),
                organization: get("organization").to_string(),
                recipient: get("recipient").to_string(),
                email: email.to_string(),
                phone: get("phone").to_string(),
                address_line1: get("address_line1").to_string(),
                address_line2: get("address_line2").to_string(),
                city: get("city").to_string(),
                region: get("region").to_string(),
                postal_code,
                country,
                edition,
                copies,
                notes: get("notes").to_string(),
            });
        }
    }

    if !seen_data && want_data {
        problems.push(OrderProblem::new(
            None,
            None,
            "no orders: the file has a header row but no order rows below it; add one row per order line \
             below the header",
        ));
    }
    if problems.is_empty() {
        Ok(ParsedOrders { lines, warnings })
    } else {
        // Row order; problems of the whole file last.
        problems.sort_by_key(|p| p.row.unwrap_or(usize::MAX));
        Err(problems)
    }
}

/// Maps column names to their index, reporting missing, repeated and unknown columns.
fn read_header(
    row: usize,
    header: &Cells,
    body: &[(usize, Cells)],
    problems: &mut Vec<OrderProblem>,
    warnings: &mut Vec<OrderProblem>,
) -> HashMap<&'static str, usize> {
    let mut columns: HashMap<&'static str, usize> = HashMap::new();
    for (i, (text, utf8)) in header.iter().enumerate() {
        let text = match utf8 {
            true => text.clone(),
            false => {
                problems.push(OrderProblem::new(
                    Some(row),
                    None,
                    format!(
                        "the name of column {} is not UTF-8 text; save the file as \"CSV UTF-8\" \
                         and try again",
                        i + 1
                    ),
                ));
                continue;
            }
        };
        let key = text.to_lowercase().replace([' ', '-'], "_");
        if let Some(&name) = COLUMNS.iter().find(|c| **c == key) {
            if let Some(&first) = columns.get(name) {
                problems.push(OrderProblem::new(
                    Some(row),
                    Some(name),
                    format!(
                        "the header row has this column twice (columns {} and {}); delete one of them",
                        first + 1,
                        i + 1
                    ),
                ));
            } else {
                columns.insert(name, i);
            }
        } else if text.is_empty() {
            let used = body.iter().any(|(_, r)| r.get(i).is_some_and(|(f, _)| !f.is_empty()));
            if used {
                warnings.push(OrderProblem::new(
                    Some(row),
                    None,
                    format!(
                        "column {} has no name in the header row, so its values are ignored; \
                         give it one of the column names guidepress knows if it should be used",
                        i + 1
                    ),
                ));
            }
        } else {
            warnings.push(OrderProblem::new(
                Some(row),
                Some(&text),
                "guidepress does not use this column, so its values are ignored; the columns \
                 it knows are: "
                    .to_string()
                    + &COLUMNS.join(", "),
            ));
        }
    }
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|c| !columns.contains_key(c)).collect();
    if columns.is_empty() && header.len() > 1 {
        // No value of the first row names a column: it is an order, not a header.
        let first = header.iter().map(|(h, _)| h.clone()).find(|h| !h.is_empty());
        problems.push(OrderProblem::new(
            Some(row),
            None,
            format!(
                "the file has no header row: this first row holds values (such as {}), not column names; \
                 insert a row above it naming the columns, e.g. {}",
                show(&first.unwrap_or_default()),
                COLUMNS.join(",")
            ),
        ));
    } else if !missing.is_empty() {
        let list = missing.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
        let mut message = if missing.len() == 1 {
            format!("the header row has no {list} column, which every orders file needs; add it")
        } else {
            format!("the header row is missing the columns {list}, which every orders file needs; add them")
        };
        if header.len() == 1 {
            let only = &header[0].0;
            if only.contains(';') || only.contains('\t') {
                message.push_str(
                    " (the values in this file seem to be separated by semicolons or tabs; \
                     guidepress needs commas, so export the sheet as \"CSV UTF-8 (Comma delimited)\")",
                );
            }
        }
        problems.push(OrderProblem::new(Some(row), None, message));
    }
    columns
}

/// `column `name`` for a column index, or `column N` when the header gives no name.
fn column_label(header: &Cells, i: usize) -> String {
    match header.get(i).map(|(h, _)| h.clone()) {
        Some(name) if !name.is_empty() => format!("column `{name}`"),
        _ => format!("column {}", i + 1),
    }
}

/// What a required column holds, for the "this is empty" message.
fn needs(column: &str, editions: &[&str]) -> String {
    match column {
        "order_id" => "an order id, e.g. 2026-11-001".into(),
        "received" => "the date the request came in, written like 2026-11-03".into(),
        "organization" => "the name of the organization the books go to".into(),
        "recipient" => "the name of the person who receives the box".into(),
        "address_line1" => "the street address".into(),
        "city" => "the city or town".into(),
        "country" => "a two-letter country code, e.g. US or JP".into(),
        "edition" => format!("the edition to send ({})", edition_list(editions)),
        "copies" => "the number of copies, e.g. 20".into(),
        other => format!("a value in `{other}`"),
    }
}

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
fn spreadsheet_rows(bytes: &[u8]) -> Vec<usize> {
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
    out
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
