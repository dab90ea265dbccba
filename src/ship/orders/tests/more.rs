//! More tests for reading orders files: e-mail, hidden characters, postal codes, property tests.

use super::*;

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
        let mut bytes = include_bytes!("../../../../orders/sample-requests.csv").to_vec();
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
