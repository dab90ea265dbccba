//! Ships order files of the sample project and reads the results back: page counts, text, fonts
//! and barcodes of the PDFs, the pick list and the summary, and the exact text of input errors.

use crate::support;

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::ship_fresh as ship;
use guidepress::Error;
use guidepress::project::Project;
use guidepress::ship::ShipOptions;
use guidepress::ship::barcode::decode_all_code128;

const SAMPLE: &str = "orders/sample-requests.csv";

fn options(root: &Path, orders: &str, out: &Path) -> ShipOptions {
    ShipOptions { orders: root.join(orders), out: Some(out.to_path_buf()), ..Default::default() }
}

fn pages(pdf: &Path) -> usize {
    lopdf::Document::load(pdf).unwrap().get_pages().len()
}

/// Names of the fonts embedded in a PDF.
fn fonts(pdf: &Path) -> Vec<String> {
    let doc = lopdf::Document::load(pdf).unwrap();
    let mut names = Vec::new();
    for (_, obj) in doc.objects.iter() {
        if let Ok(dict) = obj.as_dict()
            && dict.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor".as_slice())
        {
            names.push(String::from_utf8_lossy(dict.get(b"FontName").unwrap().as_name().unwrap()).into_owned());
        }
    }
    names
}

/// Sum of every "N copies" / "N copy" shown in a text.
fn copies_in(text: &str) -> u64 {
    let words: Vec<&str> = text.split_whitespace().collect();
    words
        .windows(2)
        .filter(|w| w[1].starts_with("copies") || w[1].starts_with("copy"))
        .filter_map(|w| w[0].parse::<u64>().ok())
        .sum()
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(dir.join("summary.json")).unwrap()).unwrap()
}

fn write(root: &Path, rel: &str, text: &str) -> PathBuf {
    let path = root.join(rel);
    fs::write(&path, text).unwrap();
    path
}

const HEADER: &str = "order_id,received,organization,recipient,email,phone,address_line1,address_line2,city,region,postal_code,country,edition,copies,notes\n";

#[test]
fn sample_orders_ship_and_every_copy_is_accounted_for() {
    let root = support::sample_root();
    let project = Project::load(&root).unwrap();
    let out = tempfile::tempdir().unwrap();
    let report = ship(&project, &options(&root, SAMPLE, out.path())).unwrap();
    let dir = out.path().join("shipping/sample-requests");
    assert_eq!(report.dir, dir);
    let names: Vec<String> =
        report.files.iter().map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["labels.pdf", "packing.pdf", "picklist.csv", "summary.json"]);
    // Every stage was timed, and the chunks add up to their counts.
    let t = &report.timings;
    assert!(t.labels > std::time::Duration::ZERO && t.sheets > std::time::Duration::ZERO, "{t:?}");
    assert!(t.forms > std::time::Duration::ZERO && t.fill > std::time::Duration::ZERO, "{t:?}");
    assert!(t.to_string().starts_with("timings: orders and fonts"), "{t}");

    // Copies ordered, straight from the CSV.
    let mut reader = csv::Reader::from_path(root.join(SAMPLE)).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = headers.iter().position(|h| h == "copies").unwrap();
    let ordered: u64 = reader.records().map(|r| r.unwrap()[col].parse::<u64>().unwrap()).sum();

    let s = summary(&dir);
    let boxes = s["boxes"].as_u64().unwrap() as usize;
    assert_eq!(s["orders"], 16);
    assert!(boxes > 16, "the large order should need several boxes");
    for stage in ["ordered", "boxed", "labelled", "packed"] {
        assert_eq!(s["copies"][stage].as_u64(), Some(ordered), "{stage}");
    }
    let per_edition: u64 = s["copies-per-edition"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(per_edition, ordered);

    // labels.pdf: 14 labels per A4 sheet, one label per box; their text shows every copy.
    assert_eq!(pages(&dir.join("labels.pdf")), boxes.div_ceil(14));
    assert_eq!(s["label-pages"].as_u64(), Some(boxes.div_ceil(14) as u64));
    let labels = support::pdftotext(&dir.join("labels.pdf"));
    assert_eq!(labels.matches("PRINTED PAPERS").count(), boxes);
    assert_eq!(labels.matches("IMPRIMÉ").count(), boxes);
    assert_eq!(copies_in(&labels), ordered, "copies shown on the labels");
    for needle in [
        "2026-11-008",
        "Box 1 of 2",
        "Box 2 of 2",
        "LOS ANGELES, CA 90017",
        "UNITED STATES",
        "TORONTO ON M5T 2C7",
        "SURRY HILLS NSW 2010",
        "MACAO",
        "〒160-0023 東京都新宿区",
        "서울특별시 종로구 03154",
        "新馬路 123號",
        "Women's Human Rights Institute of Korea",
    ] {
        assert!(labels.contains(needle), "labels.pdf lacks {needle:?}:\n{labels}");
    }

    // packing.pdf: a sheet per box, with the order's notes printed literally.
    assert_eq!(pages(&dir.join("packing.pdf")), boxes);
    let packing = support::pdftotext(&dir.join("packing.pdf"));
    assert_eq!(packing.matches("PACKED BY").count(), boxes);
    assert!(packing.contains("Ref #44 — deliver to reception *not* mailroom; no charge ($0 invoice)"), "{packing}");
    assert!(packing.contains("Macao edition"));

    // picklist.csv: copies per edition add up to the copies ordered.
    let pick = fs::read_to_string(dir.join("picklist.csv")).unwrap();
    let mut lines = pick.lines();
    assert_eq!(lines.next(), Some("edition,title,languages,pages,copy_weight_g,copies,orders,boxes,print_codes"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let picked: u64 = rows.iter().map(|r| r[5].parse::<u64>().unwrap()).sum();
    assert_eq!(picked, ordered);
    // Each edition's copies come from its current build (no print run recorded): one print code.
    for r in &rows {
        let code = format!("{}-2026.1-", r[0].to_uppercase());
        assert!(r[8].starts_with(&code) && r[8].ends_with(&format!(" ×{}", r[5])), "{r:?}");
    }
    assert!(packing.contains("Print code US-2026.1-"), "the packing sheets name the print code to pull");
}

#[test]
fn barcodes_on_the_first_label_sheet_decode_to_their_boxes() {
    let root = support::sample_root();
    let project = Project::load(&root).unwrap();
    let out = tempfile::tempdir().unwrap();
    ship(&project, &options(&root, SAMPLE, out.path())).unwrap();
    let pdf = out.path().join("shipping/sample-requests/labels.pdf");
    // Render the printed file (the joined PDF) at 300 dpi and scan every pixel row.
    let prefix = out.path().join("page");
    let status = std::process::Command::new("pdftoppm")
        .args(["-r", "300", "-gray", "-f", "1", "-l", "1"])
        .arg(&pdf)
        .arg(&prefix)
        .status()
        .expect("pdftoppm (poppler-utils) must be installed");
    assert!(status.success());
    let pgm = fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pgm"))
        .unwrap();
    let bytes = fs::read(pgm).unwrap();
    let (w, h, pixels) = parse_pgm(&bytes);
    let mut found = std::collections::BTreeSet::new();
    for y in (0..h).step_by(3) {
        let row: Vec<bool> = pixels[y * w..(y + 1) * w].iter().map(|&p| p < 128).collect();
        found.extend(decode_all_code128(&row));
    }
    let want: std::collections::BTreeSet<String> = [
        "2026-11-001-1",
        "2026-11-002-1",
        "2026-11-003-1",
        "2026-11-004-1",
        "2026-11-005-1",
        "2026-11-006-1",
        "2026-11-007-1",
        "2026-11-008-1",
        "2026-11-008-2",
        "2026-11-009-1",
        "2026-11-010-1",
        "2026-11-011-1",
        "2026-11-012-1",
        "2026-11-013-1",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(found, want);
}

/// Width, height and grey pixels of a binary PGM (P5) file.
fn parse_pgm(bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    let mut fields = Vec::new();
    let mut i = 2;
    while fields.len() < 3 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(std::str::from_utf8(&bytes[start..i]).unwrap().parse::<usize>().unwrap());
    }
    assert_eq!(&bytes[..2], b"P5");
    let (w, h) = (fields[0], fields[1]);
    (w, h, bytes[i + 1..i + 1 + w * h].to_vec())
}

#[test]
fn start_skips_used_labels_and_refuses_a_whole_sheet() {
    let root = support::sample_root();
    let project = Project::load(&root).unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut o = options(&root, SAMPLE, out.path());
    o.start = 13;
    ship(&project, &o).unwrap();
    let dir = out.path().join("shipping/sample-requests");
    let boxes = summary(&dir)["boxes"].as_u64().unwrap() as usize;
    assert_eq!(pages(&dir.join("labels.pdf")), (13 + boxes).div_ceil(14));
    // The first sheet holds one label, at the last position.
    let first = std::process::Command::new("pdftotext")
        .args(["-f", "1", "-l", "1"])
        .arg(dir.join("labels.pdf"))
        .arg("-")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&first.stdout).matches("PRINTED PAPERS").count(), 1);

    o.start = 14;
    let e = ship(&project, &o).unwrap_err();
    assert!(matches!(e, Error::Usage(_)));
    assert_eq!(e.exit_code(), 2);
    assert_eq!(
        e.to_string(),
        "start position 14: stock avery-l7163 has 14 labels per sheet, so the start position must be 0 to 13 (the number of labels already used on the first sheet)"
    );
    o.start = 0;
    o.stock = Some("avery-9999".into());
    assert_eq!(
        ship(&project, &o).unwrap_err().to_string(),
        "no label stock `avery-9999`; the stocks are: avery-l7163, avery-5163, thermal-4x6"
    );
}

#[test]
fn other_stocks_give_one_label_per_box() {
    let root = support::sample_root();
    let project = Project::load(&root).unwrap();
    let out = tempfile::tempdir().unwrap();
    for (stock, per_page) in [("avery-5163", 10), ("thermal-4x6", 1)] {
        let mut o = options(&root, SAMPLE, out.path());
        o.stock = Some(stock.into());
        ship(&project, &o).unwrap();
        let dir = out.path().join("shipping/sample-requests");
        let boxes = summary(&dir)["boxes"].as_u64().unwrap() as usize;
        assert_eq!(pages(&dir.join("labels.pdf")), boxes.div_ceil(per_page), "{stock}");
        let text = support::pdftotext(&dir.join("labels.pdf"));
        assert_eq!(text.matches("PRINTED PAPERS").count(), boxes, "{stock}");
    }
}

#[test]
fn a_macao_address_uses_the_traditional_chinese_face() {
    let project_dir = support::sample_copy();
    let root = project_dir.path();
    let sample = fs::read_to_string(root.join(SAMPLE)).unwrap();
    let macao: String = sample.lines().filter(|l| l.contains(",MO,mo,")).map(|l| format!("{l}\n")).collect();
    write(root, "orders/macao.csv", &format!("{HEADER}{macao}"));
    let project = Project::load(root).unwrap();
    let out = tempfile::tempdir().unwrap();
    ship(&project, &options(root, "orders/macao.csv", out.path())).unwrap();
    let f = fonts(&out.path().join("shipping/macao/labels.pdf"));
    assert!(f.iter().any(|n| n.contains("NotoSansTC")), "{f:?}");
    assert!(
        !f.iter().any(|n| n.contains("NotoSansJP") || n.contains("NotoSerifKR")),
        "Han drawn with a Japanese or Korean face: {f:?}"
    );
}

/// Ships `body` (below the standard header) as orders/bad.csv in a copy of the sample; returns the error.
fn ship_error(header: &str, body: &str) -> (Error, tempfile::TempDir, tempfile::TempDir) {
    let project_dir = support::sample_copy();
    write(project_dir.path(), "orders/bad.csv", &format!("{header}{body}"));
    let project = Project::load(project_dir.path()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let e = ship(&project, &options(project_dir.path(), "orders/bad.csv", out.path())).unwrap_err();
    assert!(!out.path().join("shipping").exists(), "something was written");
    (e, project_dir, out)
}

#[test]
fn bad_orders_are_reported_with_row_and_column_and_nothing_is_written() {
    let (e, _, _) = ship_error(
        "order_id,received,organization,recipient,address_line1,city,country,edition\n",
        "A1,2026-11-02,Org,Name,1 Main St,Town,NZ,nz\n",
    );
    assert_eq!(e.exit_code(), 1);
    assert_eq!(
        e.to_string(),
        "error: orders/bad.csv:1: the header row has no `copies` column, which every orders file needs; add it\n\
         1 problem found; nothing was written."
    );

    let (e, _, _) = ship_error(
        HEADER,
        "A1,2026-11-02,Org,Name,,,1 Main St,,Town,,6011,NZ,nz,0,\n\
         A2,2026-11-02,Org,Name,,,1 Main St,,Town,,6011,NZ,xx,5,\n",
    );
    assert_eq!(
        e.to_string(),
        "error: orders/bad.csv:2: column `copies`: `0` copies: each order line must ask for at least 1 copy; delete the row if nothing is needed\n\
         error: orders/bad.csv:3: column `edition`: `xx` is not an edition of this guide; use one of: au, ca, jp, mo, nz, us\n\
         2 problems found; nothing was written."
    );
}

#[test]
fn an_address_too_long_for_its_label_names_row_and_field() {
    let long = "The Very Long Named Regional Multi-Agency Coordinating Council Against Human Trafficking, Sexual Exploitation and Forced Labour of the Greater Metropolitan Area";
    let (e, _, _) =
        ship_error(HEADER, &format!("A1,2026-11-02,\"{long}\",Name,,,1 Main St,,Wellington,,6011,NZ,nz,5,\n"));
    assert_eq!(e.exit_code(), 1);
    let text = e.to_string();
    assert!(
        text.starts_with("error: orders/bad.csv:2: column `organization`: the address does not fit on the avery-l7163 label (99.1 × 38.1 mm) even at 7 pt (it needs "),
        "{text}"
    );
    // The library names the label stock as a setting, not as a command-line flag.
    assert!(text.ends_with("or use the label stock thermal-4x6\n1 problem found; nothing was written."), "{text}");
}

#[test]
fn a_failed_run_leaves_earlier_outputs_untouched_and_runs_are_reproducible() {
    let project_dir = support::sample_copy();
    let root = project_dir.path();
    let project = Project::load(root).unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = options(root, SAMPLE, out.path());
    ship(&project, &o).unwrap();
    let dir = out.path().join("shipping/sample-requests");
    let read_all =
        || ["labels.pdf", "packing.pdf", "picklist.csv", "summary.json"].map(|f| fs::read(dir.join(f)).unwrap());
    let before = read_all();
    ship(&project, &o).unwrap();
    assert!(before == read_all(), "two runs differ");
    // Break the orders file: the earlier outputs stay as they were.
    let text = fs::read_to_string(root.join(SAMPLE)).unwrap().replacen(",US,us,40,", ",US,us,forty,", 1);
    write(root, SAMPLE, &text);
    let e = ship(&project, &o).unwrap_err();
    assert!(e.to_string().contains("orders/sample-requests.csv:2: column `copies`: `forty` is not a number"), "{e}");
    assert!(before == read_all());
}

#[test]
fn batches_of_several_chunks_are_joined_page_for_page() {
    let project_dir = support::sample_copy();
    let root = project_dir.path();
    let body: String = (1..=450)
        .map(|i| format!("T-{i:04},2026-11-02,Org {i},Name {i},,,{i} Cuba St,,Wellington,,6011,NZ,nz,5,\n"))
        .collect();
    write(root, "orders/big.csv", &format!("{HEADER}{body}"));
    let project = Project::load(root).unwrap();
    let out = tempfile::tempdir().unwrap();
    ship(&project, &options(root, "orders/big.csv", out.path())).unwrap();
    let dir = out.path().join("shipping/big");
    // 450 boxes: labels in two chunks, packing sheets in three, joined in order.
    assert_eq!(pages(&dir.join("labels.pdf")), 450usize.div_ceil(14));
    assert_eq!(pages(&dir.join("packing.pdf")), 450);
    let labels = support::pdftotext(&dir.join("labels.pdf"));
    assert_eq!(labels.matches("PRINTED PAPERS").count(), 450);
    assert_eq!(copies_in(&labels), 450 * 5);
    let packing = support::pdftotext(&dir.join("packing.pdf"));
    // The barcode's text under it, sheet by sheet: `T-0001-1`, `T-0002-1` …
    let ids: Vec<&str> = packing.lines().filter(|l| l.starts_with("T-") && l.len() == 8).collect();
    let want: Vec<String> = (1..=450).map(|i| format!("T-{i:04}-1")).collect();
    assert_eq!(ids, want);
}
