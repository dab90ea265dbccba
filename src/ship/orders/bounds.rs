//! The bounds of an order book: how many rows, columns and characters it may have, and how much a
//! spreadsheet file may unpack to, checked before anything is allocated for what a file claims.
//!
//! A spreadsheet is a zip of XML parts: a 2 MB file can unpack to gigabytes, declare a sheet of
//! 17 billion cells or merge a whole sheet. [`check_zip`] reads the sizes each part declares and
//! unpacks every part once, counting, stopping as soon as one holds more than it declared;
//! [`check_ods_extent`] measures the cells an OpenDocument sheet really fills before calamine
//! lays them out. Only then is the workbook handed to calamine.

use std::io::{self, BufReader, Cursor, Read};

use crate::input::{MIB, size_text};

/// The most rows an order book may have, the header row included (CSV or sheet): half again the
/// largest batch measured (100,000 lines, under 600 MB), far beyond a year of requests.
pub const MAX_ROWS: usize = 150_000;
/// The most columns a sheet may fill (an order book has 15).
pub const MAX_COLUMNS: u32 = 100;
/// The most characters one cell or CSV value may hold (Excel's own limit).
pub const MAX_CELL_CHARS: usize = 32_767;
/// The most bytes one CSV line (one row, with all its values) may hold.
pub const MAX_CSV_LINE: usize = MIB as usize;
/// The most a spreadsheet file (.xlsx, .ods) may hold, packed.
pub const MAX_WORKBOOK_FILE: u64 = 64 * MIB;
/// The most one part of a spreadsheet file (a sheet, the shared texts) may unpack to: a sheet of
/// 100,000 rows of 15 columns takes about 55 MB.
pub const MAX_PART: u64 = 128 * MIB;
/// The most all parts of a spreadsheet file may unpack to together.
pub const MAX_UNPACKED: u64 = 256 * MIB;
/// The most parts a spreadsheet file may have.
pub const MAX_PARTS: usize = 10_000;
/// The most cells the merged ranges of a sheet may cover together.
pub const MAX_MERGED_CELLS: u64 = 1_000_000;
/// The most cells a sheet may fill (an .xlsx), or span from its first to its last value (an
/// .ods): 100,000 rows of 20 columns.
pub const MAX_SHEET_CELLS: u64 = 2_000_000;

/// How to fix a workbook refused for its size.
const RESAVE: &str = "the file is damaged or was made to exhaust memory; open it in the spreadsheet program, \
                      keep only the order rows and save it again";

/// Refuses a workbook whose parts unpack to more than they declare or than the limits allow.
///
/// A file that is not a zip at all passes: calamine then says it cannot be read.
pub fn check_zip(bytes: &[u8]) -> Result<(), String> {
    // The count of parts, from the zip's last record, before the zip reader lists them all.
    let too_many = || format!("the workbook has more than the {MAX_PARTS} parts guidepress reads; {RESAVE}");
    if declared_parts(bytes).is_some_and(|n| n > MAX_PARTS) {
        return Err(too_many());
    }
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else { return Ok(()) };
    if zip.len() > MAX_PARTS {
        return Err(too_many());
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|e| format!("part {i} of the workbook cannot be read ({e})"))?;
        let (name, declared) = (part.name().to_string(), part.size());
        if declared > MAX_PART {
            return Err(format!(
                "part {name} of the workbook unpacks to {}, more than the {} guidepress unpacks from one part; {RESAVE}",
                size_text(declared),
                size_text(MAX_PART)
            ));
        }
        total += declared;
        if total > MAX_UNPACKED {
            return Err(format!(
                "the parts of the workbook unpack to more than {} together; {RESAVE}",
                size_text(MAX_UNPACKED)
            ));
        }
        let real = io::copy(&mut (&mut part).take(declared + 1), &mut io::sink())
            .map_err(|e| format!("part {name} of the workbook cannot be unpacked ({e}); {RESAVE}"))?;
        if real > declared {
            return Err(format!(
                "part {name} of the workbook unpacks to more than the {} it declares; {RESAVE}",
                size_text(declared)
            ));
        }
    }
    Ok(())
}

/// The number of parts the end-of-central-directory record of a zip states (65,535 when the
/// count is kept in a ZIP64 record: more than any workbook has), if the record is found.
fn declared_parts(bytes: &[u8]) -> Option<usize> {
    let tail = bytes.len().saturating_sub(22 + 65_535);
    let at = bytes[tail..].windows(4).rposition(|w| w == b"PK\x05\x06")? + tail;
    let count = bytes.get(at + 10..at + 12)?;
    Some(usize::from(u16::from_le_bytes([count[0], count[1]])))
}

/// The filled extent of one table while scanning: first and last row and column holding a value.
#[derive(Default)]
struct Extent {
    rows: Option<(u64, u64)>,
    cols: Option<(u64, u64)>,
}

impl Extent {
    fn add_cols(&mut self, from: u64, to: u64) {
        self.cols = Some(self.cols.map_or((from, to), |(a, b)| (a.min(from), b.max(to))));
    }
    fn add_rows(&mut self, from: u64, to: u64) {
        self.rows = Some(self.rows.map_or((from, to), |(a, b)| (a.min(from), b.max(to))));
    }
    /// Why the table `name` is too large, if it is.
    fn problem(&self, name: &str) -> Option<String> {
        let ((r0, r1), (c0, c1)) = (self.rows?, self.cols?);
        let here = format!("sheet \"{name}\"");
        if r1 >= MAX_ROWS as u64 {
            return Some(format!(
                "{here} has a value in row {}, beyond the {MAX_ROWS} rows an order book may have; delete the rows \
                 below the orders, or split the orders into several files",
                r1 + 1
            ));
        }
        if c1 >= u64::from(MAX_COLUMNS) {
            return Some(format!(
                "{here} has a value in column {}, beyond the {MAX_COLUMNS} columns an order book may have; delete \
                 the columns right of the orders",
                super::sheet::column_letters(c1 as usize)
            ));
        }
        let area = (r1 - r0 + 1) * (c1 - c0 + 1);
        (area > MAX_SHEET_CELLS).then(|| {
            format!(
                "{here} spans {area} cells from its first to its last value, more than the {MAX_SHEET_CELLS} \
                 guidepress reads; delete what is not an order, or split the orders into several files"
            )
        })
    }
}

/// Refuses an OpenDocument workbook one of whose tables fills cells beyond the limits, counting
/// repeated rows and columns as the cells they stand for, without laying any out.
///
/// `Err(Ok(why))` when a table is too large, `Err(Err(e))` when content.xml is not XML.
pub fn check_ods_extent(bytes: &[u8]) -> Result<(), Result<String, quick_xml::Error>> {
    use quick_xml::events::Event;
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else { return Ok(()) };
    let Ok(content) = zip.by_name("content.xml") else { return Ok(()) };
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(content));
    let (mut name, mut extent, mut row, mut col, mut rows_here, mut filled) =
        (String::new(), Extent::default(), 0u64, 0u64, 1u64, false);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let event = reader.read_event_into(&mut buf).map_err(Err)?;
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(event, Event::Empty(_));
                let attr =
                    |key: &[u8]| e.attributes().flatten().find(|a| a.key.as_ref() == key).map(|a| a.value.into_owned());
                let repeat = |key: &[u8]| {
                    attr(key).and_then(|v| std::str::from_utf8(&v).ok()?.parse::<u64>().ok()).unwrap_or(1).max(1)
                };
                match e.name().as_ref() {
                    b"table:table" => {
                        name =
                            attr(b"table:name").map(|v| String::from_utf8_lossy(&v).into_owned()).unwrap_or_default();
                        (extent, row) = (Extent::default(), 0);
                    }
                    b"table:table-row" => {
                        (col, rows_here, filled) = (0, repeat(b"table:number-rows-repeated"), false);
                        if empty {
                            row = row.saturating_add(rows_here);
                        }
                    }
                    b"table:table-cell" | b"table:covered-table-cell" => {
                        let span = repeat(b"table:number-columns-repeated");
                        if !empty || attr(b"office:value-type").is_some() {
                            extent.add_cols(col, col.saturating_add(span - 1));
                            filled = true;
                        }
                        col = col.saturating_add(span);
                    }
                    _ => {}
                }
            }
            Event::End(e) => match e.name().as_ref() {
                b"table:table-row" => {
                    if filled {
                        extent.add_rows(row, row.saturating_add(rows_here - 1));
                    }
                    row = row.saturating_add(rows_here);
                }
                b"table:table" => {
                    if let Some(problem) = extent.problem(&name) {
                        return Err(Ok(problem));
                    }
                }
                _ => {}
            },
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_orders;
    use super::*;

    /// The problems of a CSV file with the columns' header and `body` below it, from row 2 on.
    fn problems(body: &str) -> Vec<String> {
        let text = format!("{}\n{body}", super::super::COLUMNS.join(","));
        let found = parse_orders(text.as_bytes(), &["nz"]).unwrap_err();
        found.iter().map(|p| p.to_string()).filter(|p| !p.contains("values but the header row has")).collect()
    }

    #[test]
    fn a_csv_row_past_the_limits_stops_reading_at_its_row() {
        let wide = format!("\n{}\n", ",".repeat(MAX_COLUMNS as usize));
        assert_eq!(
            problems(&wide),
            ["row 3: this row has 101 values, more than the 100 columns an order book may have; a comma is extra, \
              or a value that contains commas is not in double quotes"]
        );
        let long = format!("x\n\"{}\"\n", "y".repeat(MAX_CSV_LINE + 1));
        let found = problems(&long);
        assert!(found[0].starts_with("row 3: this row holds 1 MB of values, more than the 1 MB"), "{found:?}");
        let many = "x\n".repeat(MAX_ROWS);
        let found = problems(&many);
        assert_eq!(found.len(), 1, "{found:?}");
        let want = format!("row {}: the file has more than the {MAX_ROWS} rows", MAX_ROWS + 1);
        assert!(found[0].starts_with(&want), "{found:?}");
    }

    #[test]
    fn a_zip_listing_too_many_parts_is_refused_before_they_are_read() {
        let mut eocd = b"PK\x05\x06\0\0\0\0".to_vec();
        eocd.extend([0x11, 0x27, 0x11, 0x27]); // 10,001 parts, here and in all
        eocd.extend([0; 10]);
        assert_eq!(declared_parts(&eocd), Some(10_001));
        assert!(check_zip(&eocd).unwrap_err().starts_with("the workbook has more than the 10000 parts"));
        assert_eq!(check_zip(b"not a zip"), Ok(()), "calamine says what it is");
    }

    #[test]
    fn an_ods_table_is_measured_by_the_cells_it_fills() {
        let mut extent = Extent::default();
        extent.add_rows(0, 9);
        extent.add_cols(0, 14);
        assert_eq!(extent.problem("S"), None);
        extent.add_rows(99_999, 99_999);
        assert_eq!(extent.problem("S"), None, "100,000 rows of 15 columns");
        extent.add_cols(20, 20);
        assert!(extent.problem("S").unwrap().contains("spans 2100000 cells"));
        extent.add_rows(MAX_ROWS as u64, MAX_ROWS as u64);
        assert!(extent.problem("S").unwrap().starts_with(&format!("sheet \"S\" has a value in row {}", MAX_ROWS + 1)));
    }
}
