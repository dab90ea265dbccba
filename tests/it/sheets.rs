//! Orders from spreadsheets (.xlsx written here with rust_xlsxwriter, .ods written here as a
//! minimal OpenDocument package), the sheet cases of the error catalogue
//! (`tests/catalogue/sheets.toml`), the order-book template, and postal rules per destination.

use crate::support;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::support::ship_fresh as ship;
use guidepress::project::Project;
use guidepress::ship::ShipOptions;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use serde::Deserialize;

const SAMPLE: &str = "orders/sample-requests.csv";

/// One cell of a fixture sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// A date cell (shown as YYYY-MM-DD).
    Date(u16, u8, u8),
    /// A formula and the value it shows (an error such as `#DIV/0!`, or a number).
    Formula(String, String),
}

/// A fixture sheet: its name, rows, and merged regions such as `A3:A4`.
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<Cell>>,
    pub merge: Vec<String>,
}

/// The sample orders as a sheet keeps them: `received` as dates, `copies` as numbers, the rest text.
pub fn sample_cells() -> Vec<Vec<Cell>> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).from_path(support::sample_root().join(SAMPLE)).unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let header: Vec<String> = records[0].iter().map(str::to_string).collect();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (received, copies) = (at("received"), at("copies"));
    records
        .iter()
        .enumerate()
        .map(|(r, rec)| {
            rec.iter()
                .enumerate()
                .map(|(i, v)| match () {
                    _ if v.is_empty() => Cell::Empty,
                    _ if r > 0 && i == received => {
                        let p: Vec<u16> = v.split('-').map(|x| x.parse().unwrap()).collect();
                        Cell::Date(p[0], p[1] as u8, p[2] as u8)
                    }
                    _ if r > 0 && i == copies => Cell::Number(v.parse().unwrap()),
                    _ => Cell::Text(v.to_string()),
                })
                .collect()
        })
        .collect()
}

/// (row, column) from 0 of a cell reference such as `N7`.
fn cell_ref(r: &str) -> (u32, u16) {
    let letters: String = r.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let col = letters.bytes().fold(0u32, |n, b| n * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1) - 1;
    let row: u32 = r[letters.len()..].parse().unwrap();
    (row - 1, col as u16)
}

/// Writes an .xlsx workbook with these sheets, in order.
pub fn write_xlsx(path: &Path, sheets: &[Sheet]) {
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for s in sheets {
        let ws = book.add_worksheet();
        ws.set_name(&s.name).unwrap();
        let merged: Vec<((u32, u16), (u32, u16))> = s
            .merge
            .iter()
            .map(|m| {
                let (a, b) = m.split_once(':').unwrap();
                (cell_ref(a), cell_ref(b))
            })
            .collect();
        let covered = |r: u32, c: u16| {
            merged.iter().any(|(a, b)| (a.0..=b.0).contains(&r) && (a.1..=b.1).contains(&c) && (r, c) != *a)
        };
        for (r, row) in s.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                if covered(r, c) {
                    continue;
                }
                let written = match cell {
                    Cell::Empty => continue,
                    Cell::Text(t) => ws.write_string(r, c, t),
                    Cell::Number(n) => ws.write_number(r, c, *n),
                    Cell::Date(y, m, d) => {
                        ws.write_date_with_format(r, c, ExcelDateTime::from_ymd(*y, *m, *d).unwrap(), &date)
                    }
                    Cell::Formula(f, shown) => ws.write_formula(r, c, Formula::new(f).set_result(shown)),
                };
                written.unwrap();
            }
        }
        for ((a, b), m) in merged.iter().zip(&s.merge) {
            let first = cell_ref(m.split_once(':').unwrap().0);
            let text = match &s.rows[first.0 as usize][first.1 as usize] {
                Cell::Text(t) => t.clone(),
                Cell::Number(n) => n.to_string(),
                other => panic!("merge only text or numbers in fixtures, not {other:?}"),
            };
            ws.merge_range(a.0, a.1, b.0, b.1, &text, &Format::new()).unwrap();
        }
    }
    book.save(path).unwrap();
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Writes an .ods spreadsheet (a minimal OpenDocument package, uncompressed) with these sheets.
/// Merged regions are not supported here.
pub fn write_ods(path: &Path, sheets: &[Sheet]) {
    let mut tables = String::new();
    for s in sheets {
        assert!(s.merge.is_empty(), "the .ods fixture writer does not merge cells");
        tables.push_str(&format!("<table:table table:name=\"{}\">", xml_escape(&s.name)));
        for row in &s.rows {
            tables.push_str("<table:table-row>");
            for cell in row {
                tables.push_str(&match cell {
                    Cell::Empty => "<table:table-cell/>".to_string(),
                    Cell::Text(t) => {
                        let paragraphs: String = t.split('\n').map(|p| format!("<text:p>{}</text:p>", xml_escape(p))).collect();
                        format!("<table:table-cell office:value-type=\"string\">{paragraphs}</table:table-cell>")
                    }
                    Cell::Number(n) => format!(
                        "<table:table-cell office:value-type=\"float\" office:value=\"{n}\"><text:p>{n}</text:p></table:table-cell>"
                    ),
                    Cell::Date(y, m, d) => format!(
                        "<table:table-cell office:value-type=\"date\" office:date-value=\"{y:04}-{m:02}-{d:02}\"><text:p>{y:04}-{m:02}-{d:02}</text:p></table:table-cell>"
                    ),
                    Cell::Formula(f, shown) => format!(
                        "<table:table-cell table:formula=\"of:{}\" office:value-type=\"string\" office:string-value=\"{}\"><text:p>{}</text:p></table:table-cell>",
                        xml_escape(f),
                        xml_escape(shown),
                        xml_escape(shown)
                    ),
                });
            }
            tables.push_str("</table:table-row>");
        }
        tables.push_str("</table:table>");
    }
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    );
    let manifest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
        <manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">\
        <manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
        <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
        </manifest:manifest>";
    let mut zip = zip::ZipWriter::new(fs::File::create(path).unwrap());
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in [
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", content.as_str()),
    ] {
        zip.start_file(name, stored).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

fn sheet(name: &str, rows: Vec<Vec<Cell>>) -> Sheet {
    Sheet { name: name.into(), rows, merge: Vec::new() }
}

fn options(orders: PathBuf, out: &Path) -> ShipOptions {
    ShipOptions { orders, out: Some(out.to_path_buf()), ..Default::default() }
}

const OUTPUTS: [&str; 4] = ["labels.pdf", "packing.pdf", "picklist.csv", "summary.json"];

#[test]
fn csv_xlsx_and_ods_of_the_sample_give_identical_outputs() {
    let project = support::sample_copy();
    let root = project.path();
    write_xlsx(&root.join("orders/sample-requests.xlsx"), &[sheet("Requests", sample_cells())]);
    write_ods(&root.join("orders/sample-requests.ods"), &[sheet("Requests", sample_cells())]);
    let p = Project::load(root).unwrap();
    let outs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    for (file, out) in ["sample-requests.csv", "sample-requests.xlsx", "sample-requests.ods"].iter().zip(&outs) {
        ship(&p, &options(root.join("orders").join(file), out.path())).unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    let read =
        |out: &tempfile::TempDir, name: &str| fs::read(out.path().join("shipping/sample-requests").join(name)).unwrap();
    for name in OUTPUTS {
        let csv = read(&outs[0], name);
        for (i, kind) in [(1, "xlsx"), (2, "ods")] {
            let other = read(&outs[i], name);
            if name == "summary.json" {
                // The summary names the file it read; nothing else may differ.
                let (a, b) = (String::from_utf8(csv.clone()).unwrap(), String::from_utf8(other).unwrap());
                let diff: Vec<(&str, &str)> = a.lines().zip(b.lines()).filter(|(x, y)| x != y).collect();
                assert_eq!(a.lines().count(), b.lines().count());
                assert_eq!(
                    diff,
                    [(
                        "  \"orders-file\": \"orders/sample-requests.csv\",",
                        &*format!("  \"orders-file\": \"orders/sample-requests.{kind}\",")
                    )],
                    "{kind}"
                );
            } else {
                assert!(csv == other, "{name} from the {kind} file differs from the one from the CSV file");
            }
        }
    }
}

#[test]
fn merged_cells_formulas_and_trailing_empty_rows_read_as_values() {
    let project = support::sample_copy();
    let root = project.path();
    let mut rows = sample_cells();
    // Order 2026-11-007 (rows 8 to 13): order id and organization merged down its six rows;
    // a formula for the copies of row 2; empty rows below the orders.
    let mut s = sheet("Requests", Vec::new());
    s.merge = vec!["A8:A13".into(), "C8:C13".into()];
    rows[1][13] = Cell::Formula("=30+10".into(), "40".into());
    for row in &mut rows[8..13] {
        row[0] = Cell::Empty;
        row[2] = Cell::Empty;
    }
    rows.extend(std::iter::repeat_n(vec![Cell::Empty; 15], 5));
    rows.push(vec![Cell::Text(" ".into())]);
    s.rows = rows;
    let xlsx = root.join("orders/merged.xlsx");
    write_xlsx(&xlsx, &[s]);
    let bytes = fs::read(&xlsx).unwrap();
    let p = Project::load(root).unwrap();
    let ids = p.edition_ids();
    let from_sheet = guidepress::ship::orders::sheet::read_orders(&xlsx, &bytes, None, &ids).unwrap();
    let from_csv = guidepress::ship::orders::parse_orders(&fs::read(root.join(SAMPLE)).unwrap(), &ids).unwrap();
    assert_eq!(from_sheet, from_csv);
}

/// The sheet cases of the catalogue: a sheet made from the sample orders with some cells set.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SheetCase {
    name: String,
    format: String,
    #[serde(default)]
    sheets_before: Vec<String>,
    #[serde(default = "default_sheet")]
    sheet: String,
    /// Keep only this many rows of the sample (header included); all when absent.
    rows: Option<usize>,
    #[serde(default)]
    set: BTreeMap<String, toml::Value>,
    #[serde(default)]
    merge: Vec<String>,
    #[serde(default)]
    args: Vec<String>,
    expected: String,
}

fn default_sheet() -> String {
    "Requests".into()
}

fn toml_cell(v: &toml::Value) -> Cell {
    match v {
        toml::Value::String(s) if s.is_empty() => Cell::Empty,
        toml::Value::String(s) => Cell::Text(s.clone()),
        toml::Value::Integer(i) => Cell::Number(*i as f64),
        toml::Value::Float(f) => Cell::Number(*f),
        toml::Value::Datetime(d) => {
            let date = d.date.unwrap();
            Cell::Date(date.year, date.month, date.day)
        }
        toml::Value::Table(t) => {
            Cell::Formula(t["formula"].as_str().unwrap().to_string(), t["shows"].as_str().unwrap().to_string())
        }
        other => panic!("no cell for {other:?}"),
    }
}

#[test]
fn sheet_cases_of_the_catalogue_give_their_exact_messages() {
    let path = support::sample_root().join("tests/catalogue/sheets.toml");
    let text = fs::read_to_string(&path).unwrap();
    #[derive(Deserialize)]
    struct File {
        case: Vec<SheetCase>,
    }
    let cases = toml::from_str::<File>(&text).unwrap().case;
    let bless = std::env::var_os("GUIDEPRESS_BLESS").is_some();
    let project = support::sample_copy();
    let root = project.path();
    let out = tempfile::tempdir().unwrap();
    let out_arg = out.path().to_str().unwrap();
    let mut failed = Vec::new();
    let mut blessed = text.clone();
    for case in &cases {
        let mut rows = sample_cells();
        rows.truncate(case.rows.unwrap_or(rows.len()));
        for (at, value) in &case.set {
            let (r, c) = cell_ref(at);
            let (r, c) = (r as usize, c as usize);
            while rows.len() <= r {
                rows.push(Vec::new());
            }
            if rows[r].len() <= c {
                rows[r].resize(c + 1, Cell::Empty);
            }
            rows[r][c] = toml_cell(value);
        }
        let mut sheets: Vec<Sheet> =
            case.sheets_before.iter().map(|n| sheet(n, vec![vec![Cell::Text("x".into())]])).collect();
        sheets.push(Sheet { name: case.sheet.clone(), rows, merge: case.merge.clone() });
        let file = format!("{}.{}", case.name, case.format);
        let target = root.join("orders").join(&file);
        match case.format.as_str() {
            "xlsx" => write_xlsx(&target, &sheets),
            "ods" => write_ods(&target, &sheets),
            other => panic!("{}: no format {other}", case.name),
        }
        let record = support::fresh_record();
        let mut args = vec!["--out", out_arg, "--record", record.to_str().unwrap(), "ship", target.to_str().unwrap()];
        args.extend(case.args.iter().map(String::as_str));
        let run = support::guidepress(root, &args);
        let stderr = support::placeholders(&support::stderr(&run).replace(out_arg, "{out}"));
        if bless {
            blessed = blessed.replace(&case.expected, &stderr);
        }
        let accepted = !case.expected.lines().any(|l| l.starts_with("error:"));
        if run.status.code() != Some(if accepted { 0 } else { 1 }) || stderr != case.expected {
            failed.push(format!(
                "{}: exit {:?}, stderr:\n{stderr}--- expected:\n{}",
                case.name,
                run.status.code(),
                case.expected
            ));
        }
    }
    if bless {
        fs::write(&path, blessed).unwrap();
    }
    assert!(failed.is_empty(), "{} of {} cases failed:\n\n{}", failed.len(), cases.len(), failed.join("\n\n"));
    assert!(cases.len() >= 8, "only {} sheet cases", cases.len());
}

#[test]
fn the_template_is_an_empty_order_book_that_reads_back() {
    let project = support::sample_copy();
    let root = project.path();
    let xlsx = root.join("orders/book.xlsx");
    let run = support::guidepress(root, &["orders", "template", xlsx.to_str().unwrap()]);
    assert!(run.status.success(), "{}", support::stderr(&run));
    // The first sheet holds the header row only: reading it says there are no orders yet.
    let bytes = fs::read(&xlsx).unwrap();
    let found = guidepress::ship::orders::sheet::read_orders(&xlsx, &bytes, None, &["us"]).unwrap_err();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].to_string().starts_with("sheet \"Orders\": no orders: the file has a header row"), "{}", found[0]);
    // The notes sheet explains every column; the lists hold the editions and the countries.
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    assert_eq!(book.sheet_names(), ["Orders", "Columns", "Lists"]);
    let notes = book.worksheet_range("Columns").unwrap();
    let names: Vec<String> = notes.rows().skip(3).map(|r| r[0].to_string()).collect();
    assert_eq!(names, guidepress::ship::orders::COLUMNS);
    let lists = book.worksheet_range("Lists").unwrap();
    let editions: Vec<String> = lists.rows().skip(1).map(|r| r[0].to_string()).filter(|s| !s.is_empty()).collect();
    assert_eq!(editions, ["au", "ca", "jp", "mo", "nz", "us"]);
    assert!(lists.rows().any(|r| r[1] == "CA"));
    // The validations and the date format are in the sheet's XML.
    let sheet1 = zip_entry(&xlsx, "xl/worksheets/sheet1.xml");
    assert!(sheet1.contains("<dataValidation type=\"list\""), "{sheet1}");
    assert!(sheet1.contains("<formula1>'Lists'!$A$2:$A$7</formula1>"), "{sheet1}");
    assert!(sheet1.contains("'Lists'!$B$2:$B$"), "{sheet1}");
    assert!(sheet1.contains("sqref=\"M2:M10000\"") && sheet1.contains("sqref=\"L2:L10000\""), "{sheet1}");
    assert!(
        zip_entry(&xlsx, "xl/styles.xml").contains("formatCode=\"yyyy\\-mm\\-dd\"")
            || zip_entry(&xlsx, "xl/styles.xml").contains("formatCode=\"yyyy-mm-dd\"")
    );

    // Never overwritten.
    let again = support::guidepress(root, &["orders", "template", xlsx.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        support::stderr(&again).contains("already exists, and guidepress does not overwrite it"),
        "{}",
        support::stderr(&again)
    );
    assert_eq!(fs::read(&xlsx).unwrap(), bytes);

    // The CSV template: the header row, and the notes beside it.
    let csv = root.join("orders/book.csv");
    let run = support::guidepress(root, &["orders", "template", csv.to_str().unwrap()]);
    assert!(run.status.success(), "{}", support::stderr(&run));
    assert_eq!(fs::read_to_string(&csv).unwrap(), format!("{}\n", guidepress::ship::orders::COLUMNS.join(",")));
    let notes = fs::read_to_string(root.join("orders/book.columns.txt")).unwrap();
    assert!(notes.contains("copies (Required: yes)\n    The number of copies"), "{notes}");
}

fn zip_entry(path: &Path, name: &str) -> String {
    let mut archive = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    let mut entry = archive.by_name(name).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
    text
}

/// Weight (kg) and country line of each label of a thermal-4x6 labels.pdf (one label per page).
fn label_weights(pdf: &Path) -> Vec<(f64, String)> {
    let text = support::pdftotext(pdf);
    text.split('\x0c')
        .filter(|page| !page.trim().is_empty())
        .map(|page| {
            let words: Vec<&str> = page.split_whitespace().collect();
            let kg = words.windows(2).find(|w| w[1] == "kg").map(|w| w[0].parse::<f64>().unwrap()).unwrap();
            (kg, page.to_string())
        })
        .collect()
}

#[test]
fn a_two_kilo_limit_for_canada_splits_the_canadian_orders() {
    let project = support::sample_copy();
    let root = project.path();
    let p = Project::load(root).unwrap();
    let base = tempfile::tempdir().unwrap();
    let thermal = |out: &Path| ShipOptions { stock: Some("thermal-4x6".into()), ..options(root.join(SAMPLE), out) };
    ship(&p, &thermal(base.path())).unwrap();
    support::edit(
        root,
        "guidepress.toml",
        "[shipping]",
        "[shipping.destinations.CA]\nmax-box-kg = 2\nservice = \"SMALL PACKET / PETIT PAQUET\"\n\n[shipping]",
    );
    let p = Project::load(root).unwrap();
    let limited = tempfile::tempdir().unwrap();
    ship(&p, &thermal(limited.path())).unwrap();
    let dir = |d: &tempfile::TempDir| d.path().join("shipping/sample-requests");
    let before = label_weights(&dir(&base).join("labels.pdf"));
    let after = label_weights(&dir(&limited).join("labels.pdf"));
    let canada = |labels: &[(f64, String)]| {
        labels.iter().filter(|(_, t)| t.contains("CANADA")).map(|(kg, _)| *kg).collect::<Vec<_>>()
    };
    let (ca_before, ca_after) = (canada(&before), canada(&after));
    assert!(ca_after.len() > ca_before.len(), "{ca_before:?} -> {ca_after:?}");
    // (Labels print one decimal: the sample's Canadian boxes show 2.0 kg at 5 kg but weigh more.)
    assert!(ca_after.iter().all(|kg| *kg <= 2.0), "{ca_after:?}");
    // Other destinations keep their boxes; the weight to Canada is the same books in more boxes.
    assert_eq!(after.len() - ca_after.len(), before.len() - ca_before.len());
    // The service: Canadian labels stamp theirs, the others the default; never both.
    for (_, page) in &after {
        let own = page.contains("CANADA");
        assert_eq!(page.contains("SMALL PACKET"), own, "{page}");
        assert_eq!(page.contains("PRINTED PAPERS"), !own, "{page}");
    }
    let packing = support::pdftotext(&dir(&limited).join("packing.pdf"));
    assert!(packing.contains("PETIT PAQUET") && packing.contains("IMPRIMÉ"), "{packing}");
    // summary.json: boxes and weight per destination.
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(dir(&limited).join("summary.json")).unwrap()).unwrap();
    let ca = &summary["destinations"]["CA"];
    assert_eq!(ca["boxes"].as_u64().unwrap() as usize, ca_after.len(), "{summary}");
    assert_eq!(ca["max-box-kg"].as_f64(), Some(2.0));
    assert_eq!(ca["service"].as_str(), Some("SMALL PACKET / PETIT PAQUET"));
    assert_eq!(summary["destinations"]["US"]["max-box-kg"].as_f64(), Some(5.0));
    let boxes: u64 = summary["destinations"].as_object().unwrap().values().map(|d| d["boxes"].as_u64().unwrap()).sum();
    assert_eq!(boxes, summary["boxes"].as_u64().unwrap());
}
