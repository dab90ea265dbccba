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

#[test]
fn email_must_look_like_one_address() {
    for ok in ["a@example.org", "first.last+tag@sub.example.co.kr"] {
        assert_eq!(check_email(ok), Ok(()), "{ok}");
    }
    for bad in [
        "a@b",
        "@example.org",
        "a@.org",
        "a@example..org",
        "a b@example.org",
        "a.@example.org",
        "a@example.c",
        "example.org",
        "a@-x.org",
    ] {
        assert!(check_email(bad).unwrap_err().contains("does not look like an e-mail address"), "{bad}");
    }
    assert_eq!(
        error_for("email", "a@example.org; b@example.org"),
        "row 2, column `email`: `a@example.org; b@example.org` holds more than one e-mail \
         address; give only one, and put others in `notes`"
    );
    assert!(check_email("mailto:a@example.org").unwrap_err().contains("mailto:"));
    // One bare address in ASCII, as for the addresses printed in the guide (model::web).
    assert!(check_email("a@example.org?subject=Guides").unwrap_err().contains("has a `?subject=Guides` part"));
    assert!(check_email("Kim <a@example.org>").unwrap_err().contains("has a name with the address"));
    assert!(check_email("김@예시.한국").unwrap_err().contains("not plain ASCII before the @"));
    assert!(check_email("kim@예시.한국").unwrap_err().contains("`kim@xn--vv4b11d.xn--3e0b707e`"));
}

#[test]
fn hidden_characters_are_refused_in_every_field() {
    assert_eq!(
        error_for("recipient", "Aroha\0 Ngata"),
        "row 2, column `recipient`: the text has U+0000 NULL, a control character, which cannot be printed; \
         delete it (if your editor does not show it, delete the text around it and type it again)"
    );
    assert!(error_for("organization", "\u{202E}Harbourview").contains("U+202E RIGHT-TO-LEFT OVERRIDE"));
    assert!(error_for("city", "Surry\u{200B} Hills").contains("U+200B ZERO WIDTH SPACE"));
    // Only that problem: the field is not checked further (the order id would be refused too).
    assert_eq!(error_for("order_id", "2026\u{200D}-001").matches("column `order_id`").count(), 1);
    // A quoted value may span lines, and a tab is text.
    for (column, value) in
        [("notes", "Call first.\nAsk for Priya."), ("address_line1", "Level 2\r\n88 Foveaux St"), ("notes", "a\tb")]
    {
        assert!(parse(&file(&[row(&[(column, value)])])).is_ok(), "{column}: {value:?}");
    }
}

#[test]
fn country_must_be_a_known_code() {
    assert_eq!(check_country("jp"), Ok("JP".into()));
    assert_eq!(
        error_for("country", "Japan"),
        "row 2, column `country`: `Japan` is not a two-letter ISO country code; write `JP` (Japan) instead"
    );
    assert_eq!(
        check_country("UK").unwrap_err(),
        "`UK` is not a two-letter ISO country code; write `GB` (United Kingdom) instead"
    );
    assert_eq!(
        check_country("XX").unwrap_err(),
        "`XX` is not a country code guidepress knows; use the two-letter ISO 3166 code, e.g. US, \
         CA, AU, NZ, MO, JP or KR"
    );
}

#[test]
fn edition_must_be_one_of_the_projects() {
    assert_eq!(
        error_for("edition", "fr"),
        "row 2, column `edition`: `fr` is not an edition of this guide; use one of: us, ca, au, nz, mo, jp"
    );
    assert_eq!(check_edition("JP", EDITIONS), Ok("jp".into()));
    assert_eq!(
        check_edition("us", &[]).unwrap_err(),
        "`us` cannot be ordered: this guide has no editions yet; add one in the editions folder first"
    );
}

#[test]
fn postal_codes_follow_their_country() {
    let ok = [
        ("US", "90017", "90017"),
        ("US", "90017-2571", "90017-2571"),
        ("US", "900172571", "90017-2571"),
        ("CA", "M5T 2C7", "M5T 2C7"),
        ("CA", "m5t2c7", "M5T 2C7"),
        ("CA", " h2l  2h5 ", "H2L 2H5"),
        ("AU", "2010", "2010"),
        ("AU", "0800", "0800"),
        ("NZ", "6011", "6011"),
        ("JP", "160-0023", "160-0023"),
        ("JP", "1600023", "160-0023"),
        ("JP", "〒160-0023", "160-0023"),
        ("JP", "１６０－００２３", "160-0023"),
        ("KR", "03154", "03154"),
        ("DE", "20095", "20095"),
        ("GB", "SW1A  1AA", "SW1A 1AA"),
    ];
    for (country, value, want) in ok {
        assert_eq!(check_postal_code(value, country), Ok(want.to_string()), "{country} {value}");
    }
    let bad = [
        (
            "US",
            "9001",
            "`9001` is not a US ZIP code, which has 5 digits (e.g. 90017) or 5 + 4 digits (e.g. 90017-2571) (spreadsheets drop leading zeros: if the code starts with 0, format the column as text and type it again, e.g. 09001)",
        ),
        (
            "US",
            "90017-25",
            "`90017-25` is not a US ZIP code, which has 5 digits (e.g. 90017) or 5 + 4 digits (e.g. 90017-2571)",
        ),
        (
            "CA",
            "M5T2C",
            "`M5T2C` is not a Canadian postal code, which is letter, digit, letter, space, digit, letter, digit (e.g. M5J 2G2)",
        ),
        (
            "CA",
            "M5T 2O7",
            "`M5T 2O7` is not a Canadian postal code: they never use the letters D, F, I, O, Q or U, nor W or Z first; check for an O typed instead of a zero",
        ),
        (
            "CA",
            "M5T 207",
            "`M5T 207` is not a Canadian postal code, which is letter, digit, letter, space, digit, letter, digit (e.g. M5J 2G2)",
        ),
        (
            "CA",
            "D5T 2C7",
            "`D5T 2C7` is not a Canadian postal code: they never use the letters D, F, I, O, Q or U, nor W or Z first; check for an O typed instead of a zero",
        ),
        (
            "CA",
            "W5T 2C7",
            "`W5T 2C7` is not a Canadian postal code: they never use the letters D, F, I, O, Q or U, nor W or Z first; check for an O typed instead of a zero",
        ),
        (
            "AU",
            "800",
            "`800` is not an Australian postcode, which has 4 digits (e.g. 2000) (spreadsheets drop leading zeros: if the code starts with 0, format the column as text and type it again, e.g. 0800)",
        ),
        ("NZ", "60111", "`60111` is not a New Zealand postcode, which has 4 digits (e.g. 1010)"),
        ("JP", "16-00023", "`16-00023` is not a Japanese postal code, which has 7 digits written 3-4 (e.g. 160-0023)"),
        (
            "KR",
            "110-061",
            "`110-061` is an old 6-digit Korean postal code; Korea has used 5-digit codes since 2015, so look up the new one (e.g. 04524)",
        ),
        (
            "KR",
            "3154",
            "`3154` is not a Korean postal code, which has 5 digits (e.g. 04524) (spreadsheets drop leading zeros: if the code starts with 0, format the column as text and type it again, e.g. 03154)",
        ),
    ];
    for (country, value, message) in bad {
        assert_eq!(check_postal_code(value, country).unwrap_err(), message, "{country} {value}");
    }
    assert!(error_for("postal_code", "9001").starts_with("row 2, column `postal_code`: `9001` is not a US ZIP code"));
}

#[test]
fn rows_of_one_order_must_agree_on_the_address() {
    let text = file(&[
        row(&[("edition", "us")]),
        row(&[("edition", "jp"), ("city", "Los Angeles CA"), ("address_line2", "")]),
    ]);
    assert_eq!(
        errors(&text),
        [
            "row 3, column `address_line2`: order `2026-11-001` has nothing here but `Suite 300` \
             on row 2; all rows of one order go in the same boxes to one address, so make them \
             the same, or give this row its own order id",
            "row 3, column `city`: order `2026-11-001` has `Los Angeles CA` here but `Los Angeles` \
             on row 2; all rows of one order go in the same boxes to one address, so make them \
             the same, or give this row its own order id",
        ]
    );
    // Normalised values compare equal: `us` vs `US`, `m5t2c7` vs `M5T 2C7`.
    let text = file(&[
        row(&[("country", "CA"), ("postal_code", "M5T 2C7"), ("region", "ON")]),
        row(&[("country", "ca"), ("postal_code", "m5t2c7"), ("region", "ON"), ("edition", "jp")]),
    ]);
    assert!(parse(&text).is_ok());
}

#[test]
fn a_bad_value_is_reported_once_not_again_as_a_difference() {
    let text = file(&[
        row(&[("country", "Japan"), ("postal_code", "")]),
        row(&[("edition", "jp"), ("country", "JP"), ("postal_code", "")]),
    ]);
    let e = errors(&text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("row 2, column `country`: `Japan` is not a two-letter ISO country code"));
}

#[test]
fn the_same_edition_twice_in_one_order_is_a_duplicate_line() {
    let text = file(&[row(&[]), row(&[("order_id", "2026-11-002")]), row(&[("edition", "US"), ("copies", "5")])]);
    assert_eq!(
        errors(&text),
        ["row 4, column `edition`: duplicate order line: order `2026-11-001` already asks for \
          edition `us` on row 2; put the total number of copies on one row and delete the other"]
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = file(&[
        row(&[("copies", "0"), ("received", "2026-02-30")]),
        row(&[("order_id", "2026-11-002"), ("country", "ZZ"), ("edition", "fr")]),
        row(&[("order_id", "2026-11-003"), ("email", "nope")]),
    ]);
    let e = parse(&text).unwrap_err();
    let located: Vec<(Option<usize>, Option<&str>)> = e.iter().map(|p| (p.row, p.column.as_deref())).collect();
    assert_eq!(
        located,
        [
            (Some(2), Some("received")),
            (Some(2), Some("copies")),
            (Some(3), Some("country")),
            (Some(3), Some("edition")),
            (Some(4), Some("email")),
        ]
    );
}

#[test]
fn display_forms() {
    let p = |row, column: Option<&str>| OrderProblem::new(row, column, "msg");
    assert_eq!(p(Some(7), Some("copies")).to_string(), "row 7, column `copies`: msg");
    assert_eq!(p(Some(7), None).to_string(), "row 7: msg");
    assert_eq!(p(None, Some("copies")).to_string(), "column `copies`: msg");
    assert_eq!(p(None, None).to_string(), "msg");
}

#[test]
fn shipments_group_lines_in_order_of_first_appearance() {
    let text = file(&[
        row(&[("order_id", "B")]),
        row(&[("order_id", "A")]),
        row(&[("order_id", "B"), ("edition", "jp"), ("copies", "3")]),
    ]);
    let shipments = group_shipments(&parse(&text).unwrap().lines);
    assert_eq!(shipments.iter().map(|s| s.order_id.as_str()).collect::<Vec<_>>(), ["B", "A"]);
    assert_eq!(shipments[0].lines.iter().map(|l| l.row).collect::<Vec<_>>(), [2, 4]);
    assert_eq!(shipments[0].items(), [("us".to_string(), 40), ("jp".to_string(), 3)]);
    assert_eq!(shipments[0].copies(), 43);
    assert!(group_shipments(&[]).is_empty());
}

/// Text for a field: anything printable, including quotes, commas, line breaks and markup.
fn field() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ,\"#*$\\[\\]<>@\\\\\n가-힣東京]{1,12}"
        .prop_map(|s| s.trim().to_string())
        .prop_filter("non-empty after trimming", |s| !s.is_empty())
}

proptest! {
    #[test]
    fn any_bytes_give_a_result_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_orders(&bytes, EDITIONS);
    }

    #[test]
    fn any_text_gives_a_result_without_panicking(text in "[a-z0-9_,\"\n\r ;-]{0,300}") {
        let with_header = format!("{HEADER}\n{text}");
        let _ = parse_orders(with_header.as_bytes(), EDITIONS);
        let _ = parse_orders(text.as_bytes(), EDITIONS);
    }

    #[test]
    fn written_fields_read_back_exactly_with_the_right_rows(
        rows in prop::collection::vec((field(), field(), 1u32..=10_000, any::<bool>()), 1..12),
        bad in any::<prop::sample::Index>(),
    ) {
        let mut text = format!("{HEADER}\n");
        let mut expected_rows = Vec::new();
        let mut row_number = 1;
        for (i, (organization, notes, copies, blank_line_before)) in rows.iter().enumerate() {
            if *blank_line_before {
                text.push('\n');
                row_number += 1;
            }
            row_number += 1;
            expected_rows.push(row_number);
            let id = format!("2026-11-{i:03}");
            text.push_str(&row(&[("order_id", &id), ("organization", organization),
                                 ("notes", notes), ("copies", &copies.to_string())]));
        }
        let parsed = parse_orders(text.as_bytes(), EDITIONS).unwrap();
        prop_assert_eq!(parsed.lines.iter().map(|l| l.row).collect::<Vec<_>>(), expected_rows.clone());
        for (line, (organization, notes, copies, _)) in parsed.lines.iter().zip(&rows) {
            prop_assert_eq!(&line.organization, organization);
            prop_assert_eq!(&line.notes, notes);
            prop_assert_eq!(line.copies, *copies);
        }
        // Break one row's copies: the error names exactly that row.
        let k = bad.index(rows.len());
        let mut bad_text = format!("{HEADER}\n");
        for (i, (organization, notes, copies, blank_line_before)) in rows.iter().enumerate() {
            if *blank_line_before {
                bad_text.push('\n');
            }
            let id = format!("2026-11-{i:03}");
            let copies = if i == k { "zero".to_string() } else { copies.to_string() };
            bad_text.push_str(&row(&[("order_id", &id), ("organization", organization),
                                     ("notes", notes), ("copies", &copies)]));
        }
        let problems = parse_orders(bad_text.as_bytes(), EDITIONS).unwrap_err();
        prop_assert_eq!(problems.len(), 1);
        prop_assert_eq!(problems[0].row, Some(expected_rows[k]));
        prop_assert_eq!(problems[0].column.as_deref(), Some("copies"));
    }
}

/// Problems about the whole file, which have no row.
const WHOLE_FILE: [&str; 3] = ["the file is empty", "the file has no rows", "no orders:"];

/// A mutation of an orders file, as a careless copy-paste or a broken export makes them.
#[derive(Debug, Clone)]
enum Mutation {
    /// Flip the bits of one byte.
    Flip(prop::sample::Index, u8),
    /// Delete a run of bytes.
    Delete(prop::sample::Index, usize),
    /// Repeat one line.
    DuplicateLine(prop::sample::Index),
    /// Replace one field of one line by random text.
    Field(prop::sample::Index, prop::sample::Index, String),
    /// Insert a byte that CSV gives meaning to.
    Insert(prop::sample::Index, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<prop::sample::Index>(), 1u8..=255).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<prop::sample::Index>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<prop::sample::Index>().prop_map(Mutation::DuplicateLine),
        (any::<prop::sample::Index>(), any::<prop::sample::Index>(), "(\\PC|[\",\r\n\t;])*")
            .prop_map(|(l, f, s)| Mutation::Field(l, f, s)),
        (any::<prop::sample::Index>(), prop::sample::select(vec![b'"', b',', b'\n', b'\r', 0xEF, 0xC3, 0x00]))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
    ]
}

fn mutate(bytes: &mut Vec<u8>, m: &Mutation) {
    match m {
        Mutation::Flip(i, b) if !bytes.is_empty() => {
            let i = i.index(bytes.len());
            bytes[i] ^= b;
        }
        Mutation::Delete(i, n) if !bytes.is_empty() => {
            let i = i.index(bytes.len());
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
        Mutation::DuplicateLine(i) => {
            let lines: Vec<Vec<u8>> = bytes.split_inclusive(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
            if !lines.is_empty() {
                let k = i.index(lines.len());
                let mut out = Vec::new();
                for (j, l) in lines.iter().enumerate() {
                    out.extend(l);
                    if j == k {
                        out.extend(l);
                    }
                }
                *bytes = out;
            }
        }
        Mutation::Field(l, f, s) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
            let k = l.index(lines.len());
            let mut fields: Vec<String> = lines[k].split(',').map(str::to_string).collect();
            let j = f.index(fields.len());
            fields[j] = s.clone();
            lines[k] = fields.join(",");
            *bytes = lines.join("\n").into_bytes();
        }
        Mutation::Insert(i, b) => {
            let i = i.index(bytes.len() + 1);
            bytes.insert(i, *b);
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Fuzzing the parser with broken copies of the sample orders: it never panics, and every
    /// problem of a rejected file names its row (or is about the whole file).
    #[test]
    fn mutated_orders_files_are_read_or_rejected_with_located_problems(
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let mut bytes = include_bytes!("../../../orders/sample-requests.csv").to_vec();
        for m in &mutations {
            mutate(&mut bytes, m);
        }
        let rows = bytes.iter().filter(|b| **b == b'\n' || **b == b'\r').count() + 1;
        match parse_orders(&bytes, EDITIONS) {
            Ok(parsed) => {
                for l in &parsed.lines {
                    prop_assert!((2..=rows).contains(&l.row));
                    prop_assert!((1..=MAX_COPIES).contains(&l.copies));
                }
            }
            Err(problems) => {
                prop_assert!(!problems.is_empty());
                for p in &problems {
                    match p.row {
                        Some(r) => prop_assert!((1..=rows).contains(&r), "row {} of {}: {}", r, rows, p),
                        None => prop_assert!(
                            WHOLE_FILE.iter().any(|w| p.message.starts_with(w)),
                            "a problem without a row: {}", p
                        ),
                    }
                    prop_assert!(!p.message.is_empty());
                }
            }
        }
    }
}
