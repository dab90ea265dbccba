//! Orders from spreadsheets: the first sheet (or a named one) of an `.xlsx` or `.ods` workbook,
//! read with the same columns and rules as a CSV file.
//!
//! Each sheet row becomes the same text cells the CSV reader makes (numbers written as digits,
//! dates as YYYY-MM-DD, merged cells and formulas as the values they show), numbered as the
//! sheet numbers its rows, so every rule of [`super::check_rows`] runs unchanged. Problems are
//! then located as `sheet "Requests", cell N7 (column copies)`.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Ods, Reader, Xlsx};

use super::bounds;
use super::grid::{self, Grid};
use super::{Cells, NEEDS_ROWS, OrderProblem, ParsedOrders, check_rows, parse_orders};

/// The formats an orders file may have, told by its file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values, UTF-8.
    Csv,
    /// An Excel workbook.
    Xlsx,
    /// An OpenDocument spreadsheet (LibreOffice, and others).
    Ods,
}

impl Format {
    /// The format of a file by its extension: `.xlsx` (or `.xlsm`), `.ods`, anything else CSV.
    pub fn of(path: &Path) -> Format {
        let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        match ext.as_str() {
            "xlsx" | "xlsm" => Format::Xlsx,
            "ods" => Format::Ods,
            _ => Format::Csv,
        }
    }
}

/// Reads and checks an orders file of any format: CSV, or a sheet of an `.xlsx` or `.ods` workbook.
///
/// `path` tells the format (see [`Format::of`]); `sheet` names the sheet to read (the first
/// when `None`; a CSV file has none). The result is as [`parse_orders`] gives it.
pub fn read_orders(
    path: &Path,
    bytes: &[u8],
    sheet: Option<&str>,
    editions: &[&str],
) -> Result<ParsedOrders, Vec<OrderProblem>> {
    let format = Format::of(path);
    if format == Format::Csv {
        if let Some(name) = sheet {
            return Err(vec![OrderProblem::new(
                None,
                None,
                format!(
                    "this is a CSV file, which has no sheets, so sheet \"{name}\" cannot be read from it; \
                     give an .xlsx or .ods file, or leave out the sheet name"
                ),
            )]);
        }
        if bytes.starts_with(b"PK\x03\x04") {
            return Err(vec![OrderProblem::new(
                None,
                None,
                "this file is a spreadsheet workbook, not CSV text; name it .xlsx (Excel) or .ods \
                 (LibreOffice) so that guidepress reads it as one",
            )]);
        }
        return parse_orders(bytes, editions);
    }
    let (name, grid) = open_sheet(format, bytes, sheet).map_err(|m| vec![OrderProblem::new(None, None, m)])?;
    check_sheet(&name, &grid, editions)
}

/// The chosen sheet's name and filled cells, merged regions filled with their value; or why not.
fn open_sheet(format: Format, bytes: &[u8], sheet: Option<&str>) -> Result<(String, Grid), String> {
    let cursor = Cursor::new(bytes);
    let unreadable = |kind: &str, ext: &str, e: &dyn std::fmt::Display| {
        format!(
            "the file cannot be read as {kind} ({e}); open it in the spreadsheet program and save it \
             again as {ext}"
        )
    };
    bounds::check_zip(bytes)?;
    match format {
        Format::Xlsx => {
            let what = "an Excel workbook";
            let mut book: Xlsx<_> = Xlsx::new(cursor).map_err(|e| unreadable(what, ".xlsx", &e))?;
            let name = choose_sheet(&book.sheet_names(), sheet)?;
            let grid = grid::read_xlsx(&mut book, &name, &|e| unreadable(what, ".xlsx", e))?;
            Ok((name, grid))
        }
        Format::Ods | Format::Csv => {
            let what = "an OpenDocument spreadsheet";
            bounds::check_ods_extent(bytes).map_err(|e| e.unwrap_or_else(|e| unreadable(what, ".ods", &e)))?;
            let mut book: Ods<_> = Ods::new(cursor).map_err(|e| unreadable(what, ".ods", &e))?;
            let name = choose_sheet(&book.sheet_names(), sheet)?;
            let mut range = book.worksheet_range(&name).map_err(|e| unreadable(what, ".ods", &e))?;
            // calamine reads a cell showing a formula error as the number stored beside it.
            for (at, shown) in ods_error_cells(bytes, &name).map_err(|e| unreadable(what, ".ods", &e))? {
                range.set_value(at, Data::Error(error_kind(&shown)));
            }
            Ok((name, Grid::of_range(&range)))
        }
    }
}

/// The sheet to read: the one named (exactly, or else ignoring case), or the first.
fn choose_sheet(names: &[String], wanted: Option<&str>) -> Result<String, String> {
    let list = || names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ");
    let Some(wanted) = wanted else {
        return names.first().cloned().ok_or_else(|| "the workbook has no sheets".to_string());
    };
    if let Some(n) = names.iter().find(|n| *n == wanted) {
        return Ok(n.clone());
    }
    let folded: Vec<&String> = names.iter().filter(|n| n.to_lowercase() == wanted.to_lowercase()).collect();
    match folded.as_slice() {
        [one] => Ok((*one).clone()),
        _ => Err(format!("the workbook has no sheet \"{wanted}\"; its sheets are: {}", list())),
    }
}

/// The cells of sheet `sheet` of an .ods file that show a formula error (LibreOffice marks them
/// `calcext:value-type="error"`), as (row, column) from 0 with the text shown.
/// Cells (row, column) of a sheet with what they hold.
type CellTexts = Vec<((u32, u32), String)>;

fn ods_error_cells(bytes: &[u8], sheet: &str) -> Result<CellTexts, String> {
    use quick_xml::events::{BytesStart, Event};
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut xml = String::new();
    zip.by_name("content.xml").map_err(|e| e.to_string())?.read_to_string(&mut xml).map_err(|e| e.to_string())?;
    if !xml.contains("calcext:value-type=\"error\"") {
        return Ok(Vec::new());
    }
    let attr = |e: &BytesStart, name: &[u8]| -> Option<String> {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .map(|a| String::from_utf8_lossy(&a.value).into_owned())
    };
    let repeat = |e: &BytesStart, name: &[u8]| attr(e, name).and_then(|n| n.parse::<u32>().ok()).unwrap_or(1);
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut in_sheet, mut row, mut col, mut rows_here) = (false, 0u32, 0u32, 1u32);
    let mut open: Option<((u32, u32), String)> = None;
    let mut found = Vec::new();
    loop {
        let event = reader.read_event().map_err(|e| e.to_string())?;
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.name().as_ref() {
                    b"table:table" => (in_sheet, row) = (attr(e, b"table:name").as_deref() == Some(sheet), 0),
                    b"table:table-row" if in_sheet => {
                        (col, rows_here) = (0, repeat(e, b"table:number-rows-repeated"));
                        if empty {
                            row += rows_here;
                        }
                    }
                    b"table:table-cell" | b"table:covered-table-cell" if in_sheet => {
                        if attr(e, b"calcext:value-type").as_deref() == Some("error") && !empty {
                            open = Some(((row, col), String::new()));
                        }
                        col += repeat(e, b"table:number-columns-repeated");
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let Some((_, text)) = &mut open {
                    text.push_str(&String::from_utf8_lossy(t.as_ref()));
                }
            }
            Event::End(e) => match e.name().as_ref() {
                b"table:table-cell" | b"table:covered-table-cell" => found.extend(open.take()),
                b"table:table-row" if in_sheet => row += rows_here,
                b"table:table" => in_sheet = false,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(found)
}

/// The kind of formula error a cell shows, e.g. `#DIV/0!`.
fn error_kind(shown: &str) -> calamine::CellErrorType {
    use calamine::CellErrorType as E;
    match shown.trim() {
        "#DIV/0!" => E::Div0,
        "#N/A" => E::NA,
        "#NAME?" => E::Name,
        "#NULL!" => E::Null,
        "#NUM!" => E::Num,
        "#REF!" => E::Ref,
        _ => E::Value,
    }
}

/// Checks the rows of one sheet with the rules of every orders file, locating problems by cell.
fn check_sheet(name: &str, grid: &Grid, editions: &[&str]) -> Result<ParsedOrders, Vec<OrderProblem>> {
    let here = format!("sheet \"{name}\"");
    // Rows are as wide as the header's named columns; the header as wide as the widest row, so
    // that a value right of the header is reported.
    let (col0, width) = (grid.col0, grid.rows.first().map_or(0, |(_, cells)| cells.len()));
    let widest = grid.rows.iter().map(|(_, cells)| cells.len()).max().unwrap_or(0);
    if grid.rows.is_empty() {
        return Err(vec![located(&here, OrderProblem::new(None, None, format!("the sheet is empty; {NEEDS_ROWS}")))]);
    }
    // Formula errors: (row, column index, what the cell shows).
    let mut errors: Vec<(usize, usize, String)> = Vec::new();
    let rows: Vec<(usize, Cells)> = grid
        .rows
        .iter()
        .enumerate()
        .map(|(i, (r, cells))| {
            let row = *r as usize + 1;
            let mut cells: Cells = cells
                .iter()
                .enumerate()
                .map(|(j, cell)| {
                    let text = cell_text(cell).unwrap_or_else(|shown| {
                        errors.push((row, j, shown.clone()));
                        shown
                    });
                    (text, true)
                })
                .collect();
            cells.resize(if i == 0 { widest } else { cells.len().max(width) }, (String::new(), true));
            (row, cells)
        })
        .collect();
    let header: Cells = rows.first().map(|(_, h)| h.clone()).unwrap_or_default();
    let cell_of = |row: usize, index: usize| format!("cell {}{row}", column_letters(col0 as usize + index));
    let place = |p: &OrderProblem| {
        let index = p.column.as_deref().and_then(|c| column_index(&header, c));
        match (p.row, &p.column, index) {
            (Some(r), Some(c), Some(i)) => format!("{here}, {} (column {c})", cell_of(r, i)),
            (Some(r), Some(c), None) => format!("{here}, row {r} (column {c})"),
            (Some(r), None, _) => format!("{here}, row {r}"),
            (None, Some(c), _) => format!("{here}, column {c}"),
            (None, None, _) => here.clone(),
        }
    };
    let locate = |mut p: OrderProblem| {
        p.place = Some(place(&p));
        p
    };
    let checked = check_rows(&rows, editions, Vec::new(), true);
    if errors.is_empty() {
        return checked
            .map(|mut parsed| {
                parsed.warnings = parsed.warnings.into_iter().map(locate).collect();
                parsed
            })
            .map_err(|found| found.into_iter().map(locate).collect());
    }
    // A formula error is the one problem of its cell: what the rules say of `#DIV/0!` is beside the point.
    let error_at = |p: &OrderProblem| {
        errors.iter().any(|(r, i, _)| {
            p.row == Some(*r) && p.column.as_deref().and_then(|c| column_index(&header, c)) == Some(*i)
        })
    };
    let mut found: Vec<OrderProblem> =
        checked.err().unwrap_or_default().into_iter().filter(|p| !error_at(p)).map(locate).collect();
    for (row, index, shown) in &errors {
        let column = header.get(*index).map(|(h, _)| h.as_str()).filter(|h| !h.is_empty());
        let at = match column {
            Some(c) => format!("{here}, {} (column {c})", cell_of(*row, *index)),
            None => format!("{here}, {}", cell_of(*row, *index)),
        };
        found.push(formula_error(*row, at, shown));
    }
    found.sort_by_key(|p| p.row.unwrap_or(usize::MAX));
    Err(found)
}

/// The problem of a cell that shows a formula error instead of a value.
fn formula_error(row: usize, place: String, shown: &str) -> OrderProblem {
    let mut p = OrderProblem::new(
        Some(row),
        None,
        format!(
            "the cell shows the formula error {shown} instead of a value; correct the formula, or type \
             the value in"
        ),
    );
    p.place = Some(place);
    p
}

/// Puts the sheet's name on a problem of the whole sheet.
fn located(here: &str, mut p: OrderProblem) -> OrderProblem {
    p.place = Some(here.to_string());
    p
}

/// The index of the header cell naming `column` (as the header row spells it, or as guidepress does).
fn column_index(header: &Cells, column: &str) -> Option<usize> {
    header.iter().position(|(h, _)| h == column || h.to_lowercase().replace([' ', '-'], "_") == column)
}

/// A cell's value as the text a CSV export would hold, or what a formula error cell shows.
fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        Data::DateTime(d) => number_text(d.as_f64()),
        Data::DateTimeIso(s) => iso_date(s),
        Data::DurationIso(s) => s.trim().to_string(),
        Data::Error(e) => return Err(e.to_string()),
    })
}

/// A number as digits: whole numbers without a decimal point, others as Rust writes them.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { format!("{f}") }
}

/// The date of an ISO 8601 date or date-time (`2026-11-03T09:30:00` → `2026-11-03`).
fn iso_date(s: &str) -> String {
    let s = s.trim();
    match s.split_once('T') {
        Some((date, _)) => date.to_string(),
        None => s.to_string(),
    }
}

/// `A`, `B`, …, `Z`, `AA`, … for a column index from 0.
pub fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_count_as_a_spreadsheet_does() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(13), "N");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn numbers_and_dates_read_as_csv_text() {
        assert_eq!(cell_text(&Data::Float(20.0)), Ok("20".into()));
        assert_eq!(cell_text(&Data::Float(20.5)), Ok("20.5".into()));
        assert_eq!(cell_text(&Data::Int(4524)), Ok("4524".into()));
        assert_eq!(cell_text(&Data::DateTimeIso("2026-11-03T00:00:00".into())), Ok("2026-11-03".into()));
        assert_eq!(cell_text(&Data::String("  x ".into())), Ok("x".into()));
        assert_eq!(cell_text(&Data::Error(calamine::CellErrorType::Div0)), Err("#DIV/0!".into()));
    }

    #[test]
    fn a_csv_file_has_no_sheets_and_a_workbook_is_not_csv() {
        let csv = Path::new("orders/x.csv");
        let err = read_orders(csv, b"order_id\n", Some("Requests"), &["us"]).unwrap_err();
        assert!(err[0].message.starts_with("this is a CSV file, which has no sheets"), "{err:?}");
        let err = read_orders(csv, b"PK\x03\x04rest", None, &["us"]).unwrap_err();
        assert!(err[0].message.contains("name it .xlsx"), "{err:?}");
        assert_eq!(Format::of(Path::new("a/B.XLSX")), Format::Xlsx);
        assert_eq!(Format::of(Path::new("b.ods")), Format::Ods);
        assert_eq!(Format::of(Path::new("c")), Format::Csv);
    }

    #[test]
    fn a_broken_workbook_is_one_clear_problem() {
        let err = read_orders(Path::new("x.xlsx"), b"not a zip", None, &["us"]).unwrap_err();
        assert_eq!(err.len(), 1);
        assert!(err[0].message.starts_with("the file cannot be read as an Excel workbook"), "{err:?}");
    }

    #[test]
    fn a_sheet_is_chosen_by_name_or_first() {
        let names = vec!["Requests".to_string(), "Notes".to_string()];
        assert_eq!(choose_sheet(&names, None), Ok("Requests".into()));
        assert_eq!(choose_sheet(&names, Some("notes")), Ok("Notes".into()));
        let err = choose_sheet(&names, Some("Orders")).unwrap_err();
        assert!(err.contains("\"Requests\", \"Notes\""), "{err}");
    }
}
