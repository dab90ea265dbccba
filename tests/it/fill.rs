//! Labels and packing sheets filled in from their forms (src/ship/fill): the text of every label
//! cell equals what the Typst layout printed before the filler existed (pinned from it, in
//! tests/pinned/), fit decisions at the edge are the layout's, a slot moved in the layout moves
//! the field on every label, the PDFs embed font subsets that poppler and MuPDF both draw, and
//! the barcodes on the packing sheets decode.
//!
//! The pinned files were made by shipping the sample with the Typst path (one `place`d block per
//! label) on each stock and cropping each label's cell with pdftotext, exactly as
//! [`cell_texts`] does.

use std::fs;
use std::path::Path;

use crate::support;
use guidepress::project::Project;
use guidepress::ship::ShipOptions;
use guidepress::ship::stock::{self, Stock};

const SAMPLE: &str = "orders/sample-requests.csv";
const HEADER: &str = "order_id,received,organization,recipient,email,phone,address_line1,address_line2,city,region,postal_code,country,edition,copies,notes\n";

fn ship_to(
    root: &Path,
    orders: &str,
    out: &Path,
    stock: Option<&str>,
) -> Result<guidepress::ship::ShipReport, guidepress::Error> {
    let project = Project::load(root).unwrap();
    let options = ShipOptions {
        orders: root.join(orders),
        out: Some(out.to_path_buf()),
        stock: stock.map(str::to_string),
        ..Default::default()
    };
    support::ship_fresh(&project, &options)
}

/// The text of each label's cell, as pdftotext reads it (the cell cropped at 72 dpi).
fn cell_texts(pdf: &Path, stock: &Stock, n: usize) -> Vec<String> {
    let pt = |mm: f64| mm / 25.4 * 72.0;
    stock::place(stock, n, 0, (0.0, 0.0))
        .iter()
        .map(|p| {
            let page = (p.page + 1).to_string();
            let (x, y) = (pt(p.x_mm).floor().to_string(), pt(p.y_mm).floor().to_string());
            let (w, h) = (pt(stock.label_mm.0).ceil().to_string(), pt(stock.label_mm.1).ceil().to_string());
            let args = ["-f", &page, "-l", &page, "-r", "72", "-x", &x, "-y", &y, "-W", &w, "-H", &h];
            support::pdftotext_with(pdf, &args).replace('\u{c}', "").trim().to_string()
        })
        .collect()
}

#[test]
fn every_label_cell_reads_as_the_typst_layout_printed_it_on_every_stock() {
    let root = support::sample_root();
    for name in ["avery-l7163", "avery-5163", "thermal-4x6"] {
        let out = tempfile::tempdir().unwrap();
        let report = ship_to(&root, SAMPLE, out.path(), Some(name)).unwrap();
        let boxes = report.summary.boxes;
        let pinned = fs::read_to_string(root.join(format!("tests/pinned/labels-{name}.txt"))).unwrap();
        let want: Vec<&str> =
            pinned.split("=== label ").skip(1).map(|c| c.split_once('\n').unwrap().1.trim()).collect();
        assert_eq!(want.len(), boxes, "{name}: the pinned labels are the sample's boxes");
        let got = cell_texts(&report.dir.join("labels.pdf"), stock::stock(name).unwrap(), boxes);
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "{name}: label {}", i + 1);
        }
    }
}

/// One order line whose `address_line2` is `line2`, for Japan (Japanese faces) or the US.
fn edge_orders(root: &Path, line2: &str, japan: bool) {
    let rest = match japan {
        true => "西新宿3-17-5,{},新宿区,東京都,160-0023,JP,jp,3,",
        false => "1450 W 7th St,{},Los Angeles,CA,90017,US,us,3,",
    };
    let line = format!("E-1,2026-11-01,Harbour Legal Aid,Dana Whitfield,,,{}\n", rest.replace("{}", line2));
    fs::write(root.join("orders/edge.csv"), format!("{HEADER}{line}")).unwrap();
}

#[test]
fn at_the_edge_of_the_recipient_block_the_filler_decides_as_the_typst_layout_did() {
    // (text repeated, characters that still fit, what the layout said one character later)
    let cases = [
        (
            "Harbourview Womens Shelter and Community Legal Advice Centre for Survivors of Trafficking and Exploitation ",
            false,
            102,
            "19.2",
        ),
        ("新宿区西新宿三丁目一番地みなと女性相談センター第二ビル五階総合受付", true, 48, "19.5"),
        ("Wellingtonharbourviewcommunitylegaladvicecentre", false, 48, "14.2"),
    ];
    let dir = support::sample_copy();
    let root = dir.path();
    for (base, japan, fits, need) in cases {
        let text: String = base.repeat(4).chars().take(fits + 1).collect();
        let under: String = text.chars().take(fits).collect();
        edge_orders(root, under.trim_end(), japan);
        let out = tempfile::tempdir().unwrap();
        ship_to(root, "orders/edge.csv", out.path(), None).unwrap_or_else(|e| panic!("{fits} characters fit: {e}"));
        edge_orders(root, text.trim_end(), japan);
        let e = ship_to(root, "orders/edge.csv", out.path(), None).unwrap_err().to_string();
        let want = format!(
            "error: orders/edge.csv:2: column `address_line2`: the address does not fit on the avery-l7163 label (99.1 × 38.1 mm) even at 7 pt (it needs {need} mm, there are 17.2 mm)"
        );
        assert!(e.starts_with(&want), "{} characters:\n{e}", fits + 1);
    }
}

/// Where pdftotext finds each word `word` in a PDF: (page, xMin, yMin) in pt.
fn word_boxes(pdf: &Path, word: &str) -> Vec<(usize, f64, f64)> {
    let html = support::pdftotext_with(pdf, &["-bbox"]);
    let re = regex::Regex::new(r#"<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>"#)
        .unwrap();
    let mut page = 0;
    let mut out: Vec<(usize, f64, f64)> = Vec::new();
    for line in html.lines() {
        if line.contains("<page ") {
            page += 1;
        }
        if let Some(c) = re.captures(line)
            && &c[3] == word
        {
            out.push((page, c[1].parse().unwrap(), c[2].parse().unwrap()));
        }
    }
    // In the order of the page, then across, then down (pdftotext's reading order can change
    // when a block moves; a uniform shift keeps this order).
    out.sort_by_key(|&(page, x, y)| (page, x.round() as i64, y.round() as i64));
    out
}

#[test]
fn a_slot_moved_in_the_layout_moves_its_field_on_every_label() {
    let dir = support::sample_copy();
    let root = dir.path();
    let before = tempfile::tempdir().unwrap();
    let report = ship_to(root, SAMPLE, before.path(), None).unwrap();
    let was = word_boxes(&report.dir.join("labels.pdf"), "Box");
    assert_eq!(was.len(), report.summary.boxes, "one \"Box k of n\" per label");
    // The designer moves the order/box/contents block 5 mm right and 2 mm down.
    support::edit(
        root,
        "layouts/labels.typ",
        "#place(dx: info-at.at(0), dy: info-at.at(1), slot(",
        "#place(dx: info-at.at(0) + 5mm, dy: info-at.at(1) + 2mm, slot(",
    );
    let after = tempfile::tempdir().unwrap();
    let report = ship_to(root, SAMPLE, after.path(), None).unwrap();
    let now = word_boxes(&report.dir.join("labels.pdf"), "Box");
    assert_eq!(now.len(), was.len());
    let mm = 72.0 / 25.4;
    for ((p0, x0, y0), (p1, x1, y1)) in was.iter().zip(&now) {
        assert_eq!(p0, p1);
        assert!((x1 - x0 - 5.0 * mm).abs() < 0.05 && (y1 - y0 - 2.0 * mm).abs() < 0.05, "{x0},{y0} → {x1},{y1}");
    }
    // The recipient block stayed where it was.
    let dana = |d: &Path| word_boxes(&d.join("shipping/sample-requests/labels.pdf"), "Dana");
    assert_eq!(dana(before.path()), dana(after.path()));
}

/// Dark pixels in a greyscale image's rectangle (pixels).
fn ink(w: usize, grey: &[u8], (x0, y0, x1, y1): (usize, usize, usize, usize)) -> usize {
    (y0..y1).flat_map(|y| (x0..x1).map(move |x| (x, y))).filter(|&(x, y)| grey[y * w + x] < 128).count()
}

#[test]
fn fonts_are_embedded_subsets_and_poppler_and_mupdf_draw_every_label_alike() {
    let root = support::sample_root();
    let out = tempfile::tempdir().unwrap();
    let report = ship_to(&root, SAMPLE, out.path(), None).unwrap();
    for file in ["labels.pdf", "packing.pdf"] {
        let pdf = report.dir.join(file);
        let fonts = std::process::Command::new("pdffonts").arg(&pdf).output().unwrap();
        let table = String::from_utf8(fonts.stdout).unwrap();
        let rows: Vec<&str> = table.lines().skip(2).collect();
        assert!(!rows.is_empty(), "{file}: no fonts");
        for row in &rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            // name, type…, emb, sub, uni, object, id: a subset's name starts with six letters and `+`.
            let name = cols[0];
            assert!(name.len() > 7 && name.as_bytes()[6] == b'+', "{file}: {row}");
            let n = cols.len();
            assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "{file}: embedded subset with ToUnicode: {row}");
        }
        for face in ["Pretendard", "NotoSansTC", "NotoSansJP"] {
            assert!(table.contains(face), "{file} lacks {face}:\n{table}");
        }
    }
    // Page 1 of the labels at 150 dpi, in poppler and in MuPDF: every label has its text in
    // both, and both draw the same amount of it (a missing glyph or font would differ).
    let labels = report.dir.join("labels.pdf");
    let (w, h, poppler) = support::pdftoppm_grey(&labels, 1, 150);
    let png = out.path().join("mupdf.pgm");
    let status = std::process::Command::new("mutool")
        .args(["draw", "-q", "-r", "150", "-c", "gray", "-o"])
        .arg(&png)
        .arg(&labels)
        .arg("1")
        .status()
        .expect("mutool (mupdf-tools) must be installed; .ci/run installs it");
    assert!(status.success());
    let (mw, mh, mupdf) = support::parse_pgm(&fs::read(&png).unwrap());
    assert_eq!((mw, mh), (w, h));
    let s = stock::stock("avery-l7163").unwrap();
    let px = |mm: f64| (mm / 25.4 * 150.0) as usize;
    for (i, p) in stock::place(s, 14.min(report.summary.boxes), 0, (0.0, 0.0)).iter().enumerate() {
        // The recipient block: below the sender, left of the order details.
        let rect = (px(p.x_mm + 3.0), px(p.y_mm + 12.0), px(p.x_mm + 60.0), px(p.y_mm + 28.0));
        let (a, b) = (ink(w, &poppler, rect), ink(w, &mupdf, rect));
        assert!(a > 300 && b > 300, "label {}: the recipient block is empty ({a}, {b})", i + 1);
        let diff = a.abs_diff(b) as f64 / a.max(b) as f64;
        assert!(diff < 0.2, "label {}: poppler draws {a} dark pixels, MuPDF {b}", i + 1);
    }
}

#[test]
fn every_packing_sheet_barcode_decodes_to_its_box_and_the_total_reconciles() {
    let root = support::sample_root();
    let out = tempfile::tempdir().unwrap();
    let report = ship_to(&root, SAMPLE, out.path(), None).unwrap();
    let packing = report.dir.join("packing.pdf");
    let text = support::pdftotext(&packing);
    for page in [1, 7] {
        let (w, h, grey) = support::pdftoppm_grey(&packing, page, 300);
        let mut codes = std::collections::BTreeSet::new();
        for y in (0..h).step_by(3) {
            let row: Vec<bool> = grey[y * w..(y + 1) * w].iter().map(|&p| p < 128).collect();
            codes.extend(guidepress::ship::barcode::decode_all_code128(&row));
        }
        let codes: Vec<String> = codes.into_iter().collect();
        let page_text = support::pdftotext_with(&packing, &["-f", &page.to_string(), "-l", &page.to_string()]);
        assert_eq!(codes.len(), 1, "page {page}: {codes:?}");
        assert!(page_text.contains(&codes[0]), "page {page}: the barcode {} is printed under it", codes[0]);
    }
    assert_eq!(text.matches("PACKED BY").count(), report.summary.boxes);
    assert!(text.contains("Print code US-2026.1-"));
    assert_eq!(report.summary.copies.packed, report.summary.copies.ordered);
}

#[test]
fn notes_too_long_for_their_slot_are_refused_naming_the_row() {
    let dir = support::sample_copy();
    let root = dir.path();
    let notes = "Please deliver to the front desk and ask for the coordinator on duty. ".repeat(30);
    let line = format!(
        "N-1,2026-11-01,Harbour Legal Aid,Dana Whitfield,,,1450 W 7th St,,Los Angeles,CA,90017,US,us,3,{notes}\n"
    );
    fs::write(root.join("orders/notes.csv"), format!("{HEADER}{line}")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let e = ship_to(root, "orders/notes.csv", out.path(), None).unwrap_err().to_string();
    assert!(
        e.starts_with("error: orders/notes.csv:2: column `notes`: the notes are too long for the packing sheet"),
        "{e}"
    );
    assert!(!out.path().join("shipping/notes").exists(), "nothing is written");
}

#[test]
fn a_form_without_a_slot_it_needs_is_an_error_naming_the_layout_and_the_slot() {
    let dir = support::sample_copy();
    let root = dir.path();
    support::edit(
        root,
        "layouts/labels.typ",
        r#"slot("barcode", inner-w, bar-h, module: 0.33, align: "center")"#,
        r#"[no barcode]"#,
    );
    let out = tempfile::tempdir().unwrap();
    let e = ship_to(root, SAMPLE, out.path(), None).unwrap_err().to_string();
    assert!(e.contains("layouts/labels.typ: the form has no slot `barcode`"), "{e}");
    assert!(!out.path().join("shipping").exists() || fs::read_dir(out.path().join("shipping")).unwrap().count() == 0);
}
