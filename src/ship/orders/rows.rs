//! The rows of an orders file, CSV or spreadsheet alike: each value checked, the rows of one order
//! compared, the sound rows turned into order lines.

use std::collections::HashMap;

use super::bounds::MAX_CELL_CHARS;
use super::fields::{show, show_or_nothing};
use super::header::{column_label, needs, read_header};
use super::{
    Cells, OrderLine, OrderProblem, ParsedOrders, REQUIRED, SAME_PER_ORDER, check_copies, check_country, check_date,
    check_edition, check_email, check_order_id, check_postal_code,
};
use crate::model::text::{self, Lines, RETYPE};

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
    let mut orders = Orders::default();
    for (row, cells) in body {
        if cells.iter().all(|(s, _)| s.is_empty()) {
            continue;
        }
        seen_data = true;
        if let Some(p) = shape_problem(*row, cells, header) {
            problems.push(p);
            continue;
        }
        let long = too_long(*row, cells, header);
        if !long.is_empty() {
            problems.extend(long);
            continue;
        }
        let bad_text = not_utf8(*row, cells, header);
        let mut check = RowCheck::new(*row, cells, header, &columns);
        let fields = check.fields(editions);
        orders.compare(&mut check, &fields);
        let valid = check.here.is_empty() && bad_text.is_none();
        problems.extend(bad_text);
        problems.append(&mut check.here);
        if valid {
            lines.push(check.line(fields));
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

/// Values are needed up to the last named column; beyond the header only empty ones (stray
/// commas) are allowed.
fn shape_problem(row: usize, cells: &Cells, header: &Cells) -> Option<OrderProblem> {
    let width = header.len();
    let named = header.iter().rposition(|(h, _)| !h.is_empty()).map_or(0, |i| i + 1);
    (cells.len() < named || cells.iter().skip(width).any(|(s, _)| !s.is_empty())).then(|| {
        OrderProblem::new(
            Some(row),
            None,
            format!(
                "this row has {} values but the header row has {} columns; a comma is missing \
                 or extra (a value that contains a comma must be in double quotes)",
                cells.len(),
                width
            ),
        )
    })
}

/// A problem for each value of the row longer than [`MAX_CELL_CHARS`].
fn too_long(row: usize, cells: &Cells, header: &Cells) -> Vec<OrderProblem> {
    let long = |s: &str| s.len() > MAX_CELL_CHARS && s.chars().count() > MAX_CELL_CHARS;
    cells
        .iter()
        .enumerate()
        .filter(|(_, (s, _))| long(s))
        .map(|(i, (s, _))| {
            let column = header.get(i).map(|(h, _)| h.as_str()).filter(|h| !h.is_empty());
            OrderProblem::new(
                Some(row),
                column,
                format!(
                    "the value has {} characters, more than the {MAX_CELL_CHARS} one value may have; shorten it \
                     (notes for the packer fit in a few lines)",
                    s.chars().count()
                ),
            )
        })
        .collect()
}

/// The columns of the row whose text is not UTF-8, as one problem.
fn not_utf8(row: usize, cells: &Cells, header: &Cells) -> Option<OrderProblem> {
    let bad: Vec<String> =
        cells.iter().enumerate().filter(|(_, (_, ok))| !ok).map(|(i, _)| column_label(header, i)).collect();
    (!bad.is_empty()).then(|| {
        OrderProblem::new(
            Some(row),
            None,
            format!(
                "the text in {} is not UTF-8; save the file as \"CSV UTF-8\" (in Excel: Save \
                 As, then \"CSV UTF-8 (Comma delimited)\") and try again",
                bad.join(", ")
            ),
        )
    })
}

/// The checked values of one row.
struct Fields {
    order_id: String,
    received: String,
    copies: u32,
    email: String,
    country: String,
    edition: String,
    postal_code: String,
}

/// One row being checked: its values by column name, and its problems so far.
struct RowCheck<'a> {
    row: usize,
    cells: &'a Cells,
    columns: &'a HashMap<&'static str, usize>,
    /// Columns with a character a reader cannot see: not checked any further.
    hidden: Vec<&'static str>,
    /// This row's problems; the row becomes an order line only if there are none.
    here: Vec<OrderProblem>,
}

impl<'a> RowCheck<'a> {
    /// Starts with the characters a reader cannot see, in any field (a quoted value may span
    /// lines, so line breaks and tabs are text).
    fn new(row: usize, cells: &'a Cells, header: &Cells, columns: &'a HashMap<&'static str, usize>) -> Self {
        let mut check = RowCheck { row, cells, columns, hidden: Vec::new(), here: Vec::new() };
        for (i, (value, _)) in cells.iter().enumerate() {
            if let Some(c) = value.chars().find(|c| text::is_hidden(*c, Lines::Multi)) {
                let message = format!("the text has {}{RETYPE}", text::hidden_advice(c));
                match columns.iter().find(|(_, at)| **at == i) {
                    Some((name, _)) => {
                        check.hidden.push(name);
                        check.here.push(OrderProblem::new(Some(row), Some(name), message));
                    }
                    None => {
                        let label = column_label(header, i);
                        check.here.push(OrderProblem::new(Some(row), None, format!("{label}: {message}")));
                    }
                }
            }
        }
        check
    }

    fn get(&self, name: &str) -> &'a str {
        self.columns.get(name).and_then(|&i| self.cells.get(i)).map_or("", |(s, _)| s.as_str())
    }

    fn fail(&mut self, column: &str, message: String) {
        if !self.hidden.contains(&column) {
            self.here.push(OrderProblem::new(Some(self.row), Some(column), message));
        }
    }

    /// A checked value: `check` when the field is not empty, `empty` when it is.
    fn checked<T>(&mut self, column: &str, empty: T, check: impl FnOnce(&str) -> Result<T, String>) -> T
    where
        T: From<&'a str>,
    {
        match self.get(column) {
            "" => empty,
            v => check(v).unwrap_or_else(|m| {
                self.fail(column, m);
                T::from(v)
            }),
        }
    }

    /// Every field checked by its rule.
    fn fields(&mut self, editions: &[&str]) -> Fields {
        for name in REQUIRED {
            if self.columns.contains_key(name) && self.get(name).is_empty() {
                self.fail(name, format!("this is empty, but every order line needs {}", needs(name, editions)));
            }
        }
        for (column, rule) in [("order_id", check_order_id as fn(&str) -> Result<(), String>), ("received", check_date)]
        {
            let v = self.get(column);
            if !v.is_empty()
                && let Err(m) = rule(v)
            {
                self.fail(column, m);
            }
        }
        let copies = match self.get("copies") {
            "" => 0,
            c => check_copies(c).unwrap_or_else(|m| {
                self.fail("copies", m);
                0
            }),
        };
        let email = self.get("email");
        if !email.is_empty()
            && let Err(m) = check_email(email)
        {
            self.fail("email", m);
        }
        let country = self.checked("country", String::new(), check_country);
        let edition = self.checked("edition", String::new(), |e| check_edition(e, editions));
        let postal_code = self.checked("postal_code", String::new(), |z| check_postal_code(z, &country));
        Fields {
            order_id: self.get("order_id").to_string(),
            received: self.get("received").to_string(),
            copies,
            email: email.to_string(),
            country,
            edition,
            postal_code,
        }
    }

    /// The order line of a sound row.
    fn line(&self, f: Fields) -> OrderLine {
        OrderLine {
            row: self.row,
            order_id: f.order_id,
            received: f.received,
            organization: self.get("organization").to_string(),
            recipient: self.get("recipient").to_string(),
            email: f.email,
            phone: self.get("phone").to_string(),
            address_line1: self.get("address_line1").to_string(),
            address_line2: self.get("address_line2").to_string(),
            city: self.get("city").to_string(),
            region: self.get("region").to_string(),
            postal_code: f.postal_code,
            country: f.country,
            edition: f.edition,
            copies: f.copies,
            notes: self.get("notes").to_string(),
        }
    }
}

/// What the rows of each order must agree on.
#[derive(Default)]
struct Orders {
    /// Per order id: the first row, its address values and which of them were invalid.
    first: HashMap<String, (usize, Vec<String>, Vec<bool>)>,
    /// The row of each (order, edition).
    editions: HashMap<(String, String), usize>,
}

impl Orders {
    /// Rows of one order: same address, one line per edition.
    fn compare(&mut self, check: &mut RowCheck, f: &Fields) {
        if !check.columns.contains_key("order_id") || f.order_id.is_empty() {
            return;
        }
        let same: Vec<String> = SAME_PER_ORDER
            .iter()
            .map(|c| match *c {
                "country" => f.country.clone(),
                "postal_code" => f.postal_code.clone(),
                c => check.get(c).to_string(),
            })
            .collect();
        // Columns already reported as wrong on either row are not compared again.
        let invalid: Vec<bool> =
            SAME_PER_ORDER.iter().map(|c| check.here.iter().any(|p| p.column.as_deref() == Some(*c))).collect();
        match self.first.get(&f.order_id) {
            None => {
                self.first.insert(f.order_id.clone(), (check.row, same, invalid));
            }
            Some((first_row, first, first_invalid)) => {
                for (i, column) in SAME_PER_ORDER.iter().enumerate() {
                    let (then, now) = (&first[i], &same[i]);
                    if then != now && check.columns.contains_key(*column) && !invalid[i] && !first_invalid[i] {
                        let message = format!(
                            "order {} has {} here but {} on row {first_row}; all rows of one order go in the \
                             same boxes to one address, so make them the same, or give this row its own order id",
                            show(&f.order_id),
                            show_or_nothing(now),
                            show_or_nothing(then),
                        );
                        check.fail(column, message);
                    }
                }
            }
        }
        if f.edition.is_empty() {
            return;
        }
        match self.editions.get(&(f.order_id.clone(), f.edition.clone())) {
            Some(first_row) => check.fail(
                "edition",
                format!(
                    "duplicate order line: order {} already asks for edition {} on row {first_row}; put the \
                     total number of copies on one row and delete the other",
                    show(&f.order_id),
                    show(&f.edition)
                ),
            ),
            None => {
                self.editions.insert((f.order_id.clone(), f.edition.clone()), check.row);
            }
        }
    }
}
