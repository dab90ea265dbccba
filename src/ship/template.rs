//! `guidepress orders template FILE.xlsx|FILE.csv`: an empty order book to fill in.
//!
//! The .xlsx has the header row on its first sheet (dates formatted YYYY-MM-DD in `received`,
//! `postal_code` kept as text, drop-down lists for `edition` and `country`, whole numbers for
//! `copies`), a second sheet explaining each column and a hidden third holding the lists. The
//! .csv has the header row, with the notes in a text file beside it. Every word comes from
//! [`COLUMNS_FILE`]; nothing is overwritten.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{DataValidation, DataValidationRule, Format, Formula, Workbook, Worksheet, XlsxError};
use serde::Deserialize;

use crate::diag::{Problem, Problems};
use crate::error::Error;
use crate::model::country::COUNTRIES;
use crate::output;
use crate::ship::orders::sheet::Format as OrdersFormat;
use crate::ship::orders::{COLUMNS, MAX_COPIES, REQUIRED};

/// The words of the template: sheet names, headings and one note per column.
pub const COLUMNS_FILE: &str = "layouts/orders-columns.toml";

/// The last sheet row (1-based) that the drop-down lists and checks cover.
const LAST_ROW: u32 = 10_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Words {
    sheets: SheetWords,
    column: Vec<ColumnNote>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SheetWords {
    orders: String,
    columns: String,
    lists: String,
    column: String,
    required: String,
    optional: String,
    yes: String,
    note: String,
    example: String,
    editions: String,
    countries: String,
    edition_error: String,
    country_error: String,
    copies_error: String,
    intro: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnNote {
    name: String,
    note: String,
    example: String,
}

/// Writes an empty order book to `path` (.xlsx, or .csv with `<stem>.columns.txt` beside it),
/// with the project's `editions` on the edition list. Returns the files written.
///
/// Refuses a path that exists, and any other format.
pub fn write_template(root: &Path, editions: &[&str], path: &Path) -> Result<Vec<PathBuf>, Error> {
    let format = OrdersFormat::of(path);
    let is_csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if format == OrdersFormat::Ods || (format == OrdersFormat::Csv && !is_csv) {
        return Err(Error::Usage(format!(
            "{}: an order-book template is written as .xlsx (Excel, LibreOffice) or .csv; for .ods, \
             write an .xlsx and save it as .ods in LibreOffice",
            path.display()
        )));
    }
    let words = read_words(root)?;
    let files: Vec<(PathBuf, Vec<u8>)> = if format == OrdersFormat::Xlsx {
        let bytes = xlsx(&words, editions)
            .map_err(|e| Error::Io { path: path.to_path_buf(), source: std::io::Error::other(e) })?;
        vec![(path.to_path_buf(), bytes)]
    } else {
        let notes = path.with_extension("columns.txt");
        vec![
            (path.to_path_buf(), format!("{}\n", COLUMNS.join(",")).into_bytes()),
            (notes, notes_text(&words, editions)),
        ]
    };
    for (file, _) in &files {
        if file.exists() {
            return Err(Error::Refused(format!(
                "{} already exists, and guidepress does not overwrite it; choose another name, or move the file away",
                file.display()
            )));
        }
    }
    output::write_all(&files)?;
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

/// The words file, checked: valid TOML naming every column once, in header order.
fn read_words(root: &Path) -> Result<Words, Error> {
    let needed = "the order-book template takes its column notes from it";
    let words: Words = crate::project::layout_toml::read(root, COLUMNS_FILE, needed)?.value;
    let names: Vec<&str> = words.column.iter().map(|c| c.name.as_str()).collect();
    if names != COLUMNS {
        let message = format!(
            "the [[column]] entries must name the orders columns in this order: {} (they name: {})",
            COLUMNS.join(", "),
            names.join(", ")
        );
        return Err(Problems(vec![Problem::file(COLUMNS_FILE, message)]).into());
    }
    Ok(words)
}

/// The notes beside a CSV template: the introduction, then each column with its note and example.
fn notes_text(words: &Words, editions: &[&str]) -> Vec<u8> {
    let w = &words.sheets;
    let mut out = format!("{}\n\n", w.intro);
    for c in &words.column {
        let need = if REQUIRED.contains(&c.name.as_str()) { &w.yes } else { &w.optional };
        out.push_str(&format!(
            "{} ({}: {need})\n    {}\n    {}: {}\n",
            c.name, w.required, c.note, w.example, c.example
        ));
    }
    out.push_str(&format!("\n{}: {}\n", w.editions, editions.join(", ")));
    let codes: Vec<&str> = COUNTRIES.iter().map(|(code, _)| *code).collect();
    out.push_str(&format!("{}: {}\n", w.countries, codes.join(", ")));
    out.into_bytes()
}

/// The .xlsx template's bytes.
fn xlsx(words: &Words, editions: &[&str]) -> Result<Vec<u8>, XlsxError> {
    let w = &words.sheets;
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let column = |name: &str| COLUMNS.iter().position(|c| *c == name).unwrap_or(0) as u16;

    let orders = book.add_worksheet();
    orders.set_name(&w.orders)?;
    for (i, c) in words.column.iter().enumerate() {
        orders.write_string_with_format(0, i as u16, &c.name, &bold)?;
        orders.set_column_width(i as u16, (c.example.chars().count().max(c.name.len()) + 2) as f64)?;
    }
    orders.set_freeze_panes(1, 0)?;
    orders.set_column_format(column("received"), &Format::new().set_num_format("yyyy-mm-dd"))?;
    orders.set_column_format(column("postal_code"), &Format::new().set_num_format("@"))?;
    let list = |col: &str, n: usize| {
        let sheet = w.lists.replace('\'', "''");
        Formula::new(format!("='{sheet}'!${col}$2:${col}${}", n.max(1) + 1))
    };
    let edition_list =
        DataValidation::new().allow_list_formula(list("A", editions.len())).set_error_message(&w.edition_error)?;
    let country_list =
        DataValidation::new().allow_list_formula(list("B", COUNTRIES.len())).set_error_message(&w.country_error)?;
    let copies = DataValidation::new()
        .allow_whole_number(DataValidationRule::Between(1, MAX_COPIES as i32))
        .set_error_message(&w.copies_error)?;
    for (name, rule) in [("edition", &edition_list), ("country", &country_list), ("copies", &copies)] {
        orders.add_data_validation(1, column(name), LAST_ROW - 1, column(name), rule)?;
    }

    let notes = book.add_worksheet();
    notes.set_name(&w.columns)?;
    column_notes(notes, words, &bold)?;

    let lists = book.add_worksheet();
    lists.set_name(&w.lists)?;
    lists.write_string_with_format(0, 0, &w.editions, &bold)?;
    lists.write_string_with_format(0, 1, &w.countries, &bold)?;
    for (i, e) in editions.iter().enumerate() {
        lists.write_string(i as u32 + 1, 0, *e)?;
    }
    for (i, (code, _)) in COUNTRIES.iter().enumerate() {
        lists.write_string(i as u32 + 1, 1, *code)?;
    }
    lists.set_hidden(true);
    book.save_to_buffer()
}

/// The "Columns" sheet: the introduction, then one row per column.
fn column_notes(sheet: &mut Worksheet, words: &Words, bold: &Format) -> Result<(), XlsxError> {
    let w = &words.sheets;
    let wrap = Format::new().set_text_wrap();
    sheet.write_string(0, 0, &w.intro)?;
    for (i, heading) in [&w.column, &w.required, &w.note, &w.example].into_iter().enumerate() {
        sheet.write_string_with_format(2, i as u16, heading, bold)?;
    }
    for (i, c) in words.column.iter().enumerate() {
        let row = i as u32 + 3;
        let need = if REQUIRED.contains(&c.name.as_str()) { &w.yes } else { &w.optional };
        sheet.write_string_with_format(row, 0, &c.name, bold)?;
        sheet.write_string(row, 1, need)?;
        sheet.write_string_with_format(row, 2, &c.note, &wrap)?;
        sheet.write_string(row, 3, &c.example)?;
    }
    for (col, width) in [(0, 16.0), (1, 10.0), (2, 70.0), (3, 30.0)] {
        sheet.set_column_width(col, width)?;
    }
    Ok(())
}
