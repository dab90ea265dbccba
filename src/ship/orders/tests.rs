//! Tests for reading orders files: every check, its exact message, and row numbering.

use super::*;
use proptest::prelude::*;

const EDITIONS: &[&str] = &["us", "ca", "au", "nz", "mo", "jp"];
const HEADER: &str = "order_id,received,organization,recipient,email,phone,address_line1,\
address_line2,city,region,postal_code,country,edition,copies,notes";

/// A valid US row with fields replaced by `changes` (column name → value).
fn row(changes: &[(&str, &str)]) -> String {
    let mut values: Vec<String> = vec![
        "2026-11-001",
        "2026-11-02",
        "Pacific Rim Coalition",
        "Dana Whitfield",
        "dana@example.org",
        "+1 213-555-0142",
        "1450 W 7th St",
        "Suite 300",
        "Los Angeles",
        "CA",
        "90017",
        "US",
        "us",
        "40",
        "",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    for (name, value) in changes {
        let i = COLUMNS.iter().position(|c| c == name).unwrap();
        values[i] = value.to_string();
    }
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(vec![]);
    w.write_record(&values).unwrap();
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

fn file(rows: &[String]) -> String {
    format!("{HEADER}\n{}", rows.concat())
}

fn parse(text: &str) -> Result<ParsedOrders, Vec<OrderProblem>> {
    parse_orders(text.as_bytes(), EDITIONS)
}

/// The problems of a file that must fail, as displayed.
fn errors(text: &str) -> Vec<String> {
    match parse(text) {
        Ok(p) => panic!("expected errors, got {p:?}"),
        Err(problems) => problems.iter().map(ToString::to_string).collect(),
    }
}

/// The single problem of a one-row file where `column` is `value`.
fn error_for(column: &str, value: &str) -> String {
    let e = errors(&file(&[row(&[(column, value)])]));
    assert_eq!(e.len(), 1, "{e:?}");
    e[0].clone()
}

#[test]
fn a_valid_file_is_read_and_normalised() {
    let text = file(&[
        row(&[]),
        row(&[
            ("order_id", "2026-11-002"),
            ("country", "ca"),
            ("edition", "CA"),
            ("postal_code", "m5t2c7"),
            ("region", "ON"),
            ("city", " Toronto "),
            ("notes", "Ref #44 — *not* $0 [x] \\ <a> @b"),
        ]),
        row(&[
            ("order_id", "2026-11-003"),
            ("country", "JP"),
            ("edition", "jp"),
            ("postal_code", "〒１６０ー００２３"),
            ("region", "東京都"),
            ("city", "新宿区"),
        ]),
    ]);
    let parsed = parse(&text).unwrap();
    assert!(parsed.warnings.is_empty());
    let l = &parsed.lines;
    assert_eq!(l.len(), 3);
    assert_eq!((l[0].row, l[1].row, l[2].row), (2, 3, 4));
    assert_eq!(l[0].copies, 40);
    assert_eq!(l[0].address_line2, "Suite 300");
    assert_eq!((l[1].country.as_str(), l[1].edition.as_str()), ("CA", "ca"));
    assert_eq!(l[1].postal_code, "M5T 2C7");
    assert_eq!(l[1].city, "Toronto");
    assert_eq!(l[1].notes, "Ref #44 — *not* $0 [x] \\ <a> @b");
    assert_eq!(l[2].postal_code, "160-0023");
}

#[test]
fn the_sample_file_is_valid() {
    let bytes = include_bytes!("../../../orders/sample-requests.csv");
    let parsed = parse_orders(bytes, EDITIONS).unwrap();
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    assert!((20..=28).contains(&parsed.lines.len()));
    let shipments = group_shipments(&parsed.lines);
    assert!(shipments.iter().any(|s| s.lines.len() >= 3));
    assert!(parsed.lines.iter().any(|l| l.copies >= 120));
    for country in ["US", "CA", "AU", "NZ", "MO", "JP", "KR"] {
        assert!(parsed.lines.iter().any(|l| l.country == country), "{country}");
    }
    for edition in EDITIONS {
        assert!(parsed.lines.iter().any(|l| l.edition == *edition), "{edition}");
    }
    // The multi-line note keeps the rows after it numbered as a spreadsheet shows them.
    let after = parsed.lines.iter().find(|l| l.order_id == "2026-11-009").unwrap();
    assert_eq!(after.row, 15);
}

#[test]
fn columns_in_any_order_and_loosely_spelled_headers() {
    let text = "Copies,Edition,Country,City,Address Line1,Recipient,Organization,Received,Order-ID\n\
                3,nz,NZ,Wellington,45 Cuba St,Hannah Walker,Safe Harbour,2026-11-13,2026-11-012\n";
    let parsed = parse(text).unwrap();
    assert_eq!(parsed.lines[0].copies, 3);
    assert_eq!(parsed.lines[0].order_id, "2026-11-012");
    assert_eq!(parsed.lines[0].email, "");
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let text = format!("\u{FEFF}{}", file(&[row(&[])]));
    assert_eq!(parse(&text).unwrap().lines.len(), 1);
}

#[test]
fn missing_required_columns_are_one_error_naming_them_all() {
    let text = "order_id,received,organization,address_line1,city,edition\n\
                2026-11-001,2026-11-02,Org,1 Main St,Town,us\n";
    assert_eq!(
        errors(text),
        ["row 1: the header row is missing the columns `recipient`, `country`, `copies`, which \
          every orders file needs; add them"]
    );
    let text = HEADER.replace(",copies", "") + "\n";
    assert_eq!(errors(&text)[0], "row 1: the header row has no `copies` column, which every orders file needs; add it");
}

#[test]
fn semicolon_separated_files_get_a_hint() {
    let text = HEADER.replace(',', ";") + "\n" + &row(&[]).replace(',', ";");
    let e = errors(&text);
    assert!(e[0].contains("separated by semicolons or tabs"), "{e:?}");
}

#[test]
fn unknown_columns_are_warnings() {
    let text = format!("{HEADER},fax,\n{}", row(&[]).replace('\n', ",555-0100,\n"));
    let parsed = parse(&text).unwrap();
    assert_eq!(parsed.warnings.len(), 1);
    assert_eq!(
        parsed.warnings[0].to_string(),
        "row 1, column `fax`: guidepress does not use this column, so its values are ignored; \
         the columns it knows are: order_id, received, organization, recipient, email, phone, \
         address_line1, address_line2, city, region, postal_code, country, edition, copies, notes"
    );
    // An unnamed column with values is a warning too.
    let text = format!("{HEADER},\n{}", row(&[]).replace('\n', ",oops\n"));
    let w = parse(&text).unwrap().warnings;
    assert_eq!(w.len(), 1);
    assert!(w[0].to_string().starts_with("row 1: column 16 has no name"));
}

#[test]
fn repeated_columns_are_errors() {
    let text = format!("{HEADER},copies\n{}", row(&[]).replace('\n', ",5\n"));
    assert_eq!(
        errors(&text),
        ["row 1, column `copies`: the header row has this column twice (columns 14 and 16); \
          delete one of them"]
    );
}

#[test]
fn empty_files_and_files_without_orders() {
    for text in ["", "   \n\n", "\u{FEFF}"] {
        assert_eq!(
            errors(text),
            ["the file is empty; it needs a header row naming the columns (order_id, received, \
              organization, …) and one row per order line below it"]
        );
    }
    for text in [format!("{HEADER}\n"), format!("{HEADER}\n\n,,,,,,,,,,,,,,\n  \n")] {
        assert_eq!(
            errors(&text),
            ["no orders: the file has a header row but no order rows below it; add one row per order line below \
              the header"]
        );
    }
}

#[test]
fn a_file_without_a_header_row_says_so() {
    let text = file(&[row(&[]), row(&[("order_id", "2026-11-002")])]);
    let body = text.split_once('\n').unwrap().1;
    assert_eq!(
        errors(body),
        [format!(
            "row 1: the file has no header row: this first row holds values (such as `2026-11-001`), not column \
             names; insert a row above it naming the columns, e.g. {}",
            COLUMNS.join(",")
        )]
    );
}

#[test]
fn a_quote_never_closed_is_reported_where_it_opens() {
    let text = file(&[
        row(&[]),
        row(&[("order_id", "2026-11-002")]).replacen("Pacific", "\"Pacific", 1),
        row(&[("order_id", "2026-11-003")]),
    ]);
    assert_eq!(
        errors(&text),
        ["row 3: a value in this row starts with a double quote (\") that is never closed, so the rest of the file \
          would be read as one value; add the closing quote after the value, or delete the quote"]
    );
    // Quotes that are closed, doubled or inside a value are fine.
    assert_eq!(unclosed_quote_row(b"a,\"b\"\"c\",d\"e\n\"x\ny\"\n"), None);
    assert_eq!(unclosed_quote_row(b"a,b\r\n\"x\r\ny\n"), Some(2));
}

#[test]
fn ragged_rows_name_the_row() {
    let text = file(&[row(&[]), "2026-11-002,2026-11-02,Org\n".to_string(), row(&[("order_id", "x")])]);
    assert_eq!(
        errors(&text),
        ["row 3: this row has 3 values but the header row has 15 columns; a comma is missing or \
          extra (a value that contains a comma must be in double quotes)"]
    );
    // Trailing empty values (a spreadsheet's stray commas) are fine, and so is a row without
    // the values of unnamed columns at the end of the header.
    let text = file(&[row(&[]).replace('\n', ",,\n")]);
    assert!(parse(&text).is_ok());
    let text = format!("{HEADER},,\n{}{}", row(&[]), row(&[("order_id", "2")]).replace('\n', ",,\n"));
    assert_eq!(parse(&text).unwrap().lines.len(), 2);
}

#[test]
fn rows_are_numbered_like_a_spreadsheet() {
    // A quoted note over three lines, a blank line, CRLF line ends: the bad row is row 5.
    let text = format!(
        "{HEADER}\r\n{}\r\n{}\r\n\r\n{}",
        row(&[("notes", "line one\nline two\r\nline three")]).trim_end(),
        row(&[("order_id", "2026-11-002")]).trim_end(),
        row(&[("order_id", "2026-11-003"), ("copies", "ten")]),
    );
    assert_eq!(
        errors(&text),
        ["row 5, column `copies`: `ten` is not a number; write the number of copies in digits, e.g. 10"]
    );
    let text = text.replace("ten", "10");
    let rows: Vec<usize> = parse(&text).unwrap().lines.iter().map(|l| l.row).collect();
    assert_eq!(rows, [2, 3, 5]);
    assert_eq!(parse(&text).unwrap().lines[0].notes, "line one\nline two\r\nline three");
}

#[test]
fn spreadsheet_rows_follow_csv_quoting() {
    assert_eq!(spreadsheet_rows(b"a\nb\n"), [1, 2]);
    assert_eq!(spreadsheet_rows(b"a\r\n\r\nb"), [1, 3]);
    assert_eq!(spreadsheet_rows(b"a\rb\rc"), [1, 2, 3]);
    assert_eq!(spreadsheet_rows(b"\"x\ny\",1\nz"), [1, 2]);
    assert_eq!(spreadsheet_rows(b"\"x\"\"\ny\",1\nz"), [1, 2]);
    // A quote in the middle of a value is an ordinary character.
    assert_eq!(spreadsheet_rows(b"5\" binder\nz"), [1, 2]);
    assert_eq!(spreadsheet_rows(b"\n\nheader\n"), [3]);
}

#[test]
fn text_that_is_not_utf8_names_row_and_columns() {
    // "서울" in EUC-KR, as Excel on Korean Windows saves it, in `city` and `notes` of row 3.
    let good = file(&[row(&[]), row(&[("order_id", "2026-11-002"), ("city", "CITY"), ("notes", "NOTE")])]);
    let mut bytes = good.into_bytes();
    let replace = |bytes: &mut Vec<u8>, what: &[u8], with: &[u8]| {
        let at = bytes.windows(what.len()).position(|w| w == what).unwrap();
        bytes.splice(at..at + what.len(), with.iter().copied());
    };
    replace(&mut bytes, b"CITY", &[0xBC, 0xAD, 0xBF, 0xEF]);
    replace(&mut bytes, b"NOTE", &[0xBC, 0xAD]);
    let e: Vec<String> = parse_orders(&bytes, EDITIONS).unwrap_err().iter().map(ToString::to_string).collect();
    assert_eq!(
        e,
        ["row 3: the text in column `city`, column `notes` is not UTF-8; save the file as \"CSV \
          UTF-8\" (in Excel: Save As, then \"CSV UTF-8 (Comma delimited)\") and try again"]
    );
    // A broken header name.
    let mut bytes = file(&[row(&[])]).into_bytes();
    bytes.splice(0..0, [0xFF, b',']);
    let e = parse_orders(&bytes, EDITIONS).unwrap_err();
    assert_eq!(e[0].row, Some(1));
    assert!(e[0].message.contains("column 1 is not UTF-8"));
}

#[test]
fn required_fields_must_not_be_empty() {
    assert_eq!(
        error_for("city", "  "),
        "row 2, column `city`: this is empty, but every order line needs the city or town"
    );
    assert_eq!(
        error_for("edition", ""),
        "row 2, column `edition`: this is empty, but every order line needs the edition to send \
         (one of: us, ca, au, nz, mo, jp)"
    );
    // Optional ones may be.
    let text = file(&[row(&[
        ("email", ""),
        ("phone", ""),
        ("address_line2", ""),
        ("region", ""),
        ("postal_code", ""),
        ("notes", ""),
    ])]);
    assert!(parse(&text).is_ok());
}

#[test]
fn copies_must_be_a_whole_number_from_1_to_10000() {
    let cases = [
        ("0", "`0` copies: each order line must ask for at least 1 copy; delete the row if nothing is needed"),
        ("-1", "`-1` is negative; write the number of copies as a positive whole number, e.g. 20"),
        (
            "1e3",
            "`1e3` is written in scientific notation (spreadsheets sometimes do this); write the number of copies in full digits, e.g. 1000",
        ),
        ("ten", "`ten` is not a number; write the number of copies in digits, e.g. 10"),
        (
            "1000000",
            "`1000000` copies is more than the 10000 one order line may ask for; check for a typo, and arrange a really large order with the print shop directly",
        ),
        (
            "99999999999999999999",
            "`99999999999999999999` copies is more than the 10000 one order line may ask for; check for a typo, and arrange a really large order with the print shop directly",
        ),
        ("2.5", "`2.5` is not a whole number; write the number of copies as a whole number, e.g. 20"),
        ("1,000", "`1,000` has a thousands separator; write the number without commas or spaces, e.g. 1000"),
        ("1 000", "`1 000` has a thousands separator; write the number without commas or spaces, e.g. 1000"),
        ("+5", "`+5` has a plus sign; write just the digits, e.g. 20"),
        (
            "12 copies",
            "`12 copies` is not just a number; write the number of copies in digits only, e.g. 20, and put any remarks in `notes`",
        ),
    ];
    for (value, message) in cases {
        assert_eq!(check_copies(value).unwrap_err(), message, "{value}");
        assert_eq!(error_for("copies", value), format!("row 2, column `copies`: {message}"));
    }
    for (value, n) in [("1", 1), ("10000", 10000), ("007", 7), ("１２", 12)] {
        assert_eq!(check_copies(value), Ok(n), "{value}");
    }
}

#[test]
fn order_ids_must_fit_in_a_barcode() {
    assert_eq!(check_order_id("2026-11-001"), Ok(()));
    assert_eq!(check_order_id("ORD 2026/11 #7"), Ok(()));
    assert_eq!(
        error_for("order_id", "주문-001"),
        "row 2, column `order_id`: `주문-001` contains `주`, which cannot go in the box barcode; use only \
         letters A-Z, digits and marks such as - or /, e.g. 2026-11-001"
    );
    assert_eq!(
        check_order_id("2026-11-001-for-the-bay-area").unwrap_err(),
        "`2026-11-001-for-the-bay-area` is longer than 20 characters, too long for the box barcode; use a \
         shorter id, e.g. 2026-11-001"
    );
}

#[test]
fn received_must_be_a_real_date() {
    for ok in ["2026-11-02", "2028-02-29", "2000-02-29", "2026-12-31", "2026-04-30"] {
        assert_eq!(check_date(ok), Ok(()), "{ok}");
    }
    let cases = [
        ("2026-02-29", "`2026-02-29` is not a real date: February 2026 has 28 days"),
        ("2100-02-29", "`2100-02-29` is not a real date: February 2100 has 28 days"),
        ("2026-04-31", "`2026-04-31` is not a real date: April 2026 has 30 days"),
        ("2026-11-00", "`2026-11-00` is not a real date: there is no day 0"),
        (
            "2026-13-01",
            "`2026-13-01` is not a real date: there is no month 13 (the month comes second, as in 2026-11-03)",
        ),
        ("0000-01-01", "`0000-01-01` is not a real date: there is no year 0"),
        ("03/11/2026", "`03/11/2026` is not a date written as YYYY-MM-DD (year, month, day); write it like 2026-11-03"),
        ("2026-11-3", "`2026-11-3` is not a date written as YYYY-MM-DD (year, month, day); write it like 2026-11-03"),
        (
            "2026-11-02 00:00:00",
            "`2026-11-02 00:00:00` is not a date written as YYYY-MM-DD (year, month, day); write it like 2026-11-03",
        ),
        (
            "２０２６-11-02",
            "`２０２６-11-02` is not a date written as YYYY-MM-DD (year, month, day); write it like 2026-11-03",
        ),
    ];
    for (value, message) in cases {
        assert_eq!(check_date(value).unwrap_err(), message, "{value}");
    }
    assert_eq!(
        error_for("received", "2026-02-30"),
        "row 2, column `received`: `2026-02-30` is not a real date: February 2026 has 28 days"
    );
}

mod more;
