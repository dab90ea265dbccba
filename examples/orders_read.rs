//! For scripts/bench-sheets.sh: `orders_read FILE` reads and checks an orders file (CSV, .xlsx
//! or .ods) as `guidepress ship` does and prints the number of order lines; `orders_read
//! --to-xlsx FILE.csv FILE.xlsx` writes the rows of a CSV file to a sheet, `received` as dates
//! and `copies` as numbers, as a spreadsheet would hold them.

use std::path::Path;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const EDITIONS: [&str; 6] = ["au", "ca", "jp", "mo", "nz", "us"];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, csv, xlsx] if flag == "--to-xlsx" => to_xlsx(Path::new(csv), Path::new(xlsx)),
        [file] => {
            let path = Path::new(file);
            let bytes = std::fs::read(path).expect("read the orders file");
            match guidepress::ship::orders::sheet::read_orders(path, &bytes, None, &EDITIONS) {
                Ok(parsed) => println!("{} order lines", parsed.lines.len()),
                Err(problems) => {
                    for p in problems.iter().take(5) {
                        eprintln!("{p}");
                    }
                    std::process::exit(1);
                }
            }
        }
        _ => {
            eprintln!("usage: orders_read FILE | orders_read --to-xlsx FILE.csv FILE.xlsx");
            std::process::exit(2);
        }
    }
}

fn to_xlsx(csv_path: &Path, xlsx: &Path) {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_path(csv_path).expect("open the CSV file");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let mut header: Vec<String> = Vec::new();
    for (r, record) in reader.records().enumerate() {
        let record = record.expect("a CSV record");
        if r == 0 {
            header = record.iter().map(str::to_string).collect();
        }
        for (c, value) in record.iter().enumerate() {
            let (row, col) = (r as u32, c as u16);
            let name = header.get(c).map_or("", String::as_str);
            if value.is_empty() {
                continue;
            }
            let written = match name {
                "received" if r > 0 => {
                    let p: Vec<u16> = value.split('-').map(|x| x.parse().expect("a date")).collect();
                    let d = ExcelDateTime::from_ymd(p[0], p[1] as u8, p[2] as u8).expect("a date");
                    sheet.write_date_with_format(row, col, &d, &date).map(|_| ())
                }
                "copies" if r > 0 => sheet.write_number(row, col, value.parse::<f64>().expect("a number")).map(|_| ()),
                _ => sheet.write_string(row, col, value).map(|_| ()),
            };
            written.expect("write a cell");
        }
    }
    book.save(xlsx).expect("save the workbook");
}
