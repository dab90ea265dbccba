//! The three files of every edition, read back: press (bleed, boxes, K-only black), screen
//! (PDF/A-2a + PDF/UA-1 markers), booklet (sheet count, paper, imposition order).

use crate::support;

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use guidepress::editions::{self, BuildOptions};
use guidepress::project::Project;
use lopdf::content::Content;
use lopdf::{Document, Object};

/// The sample, built once for every test in this file.
static BUILT: LazyLock<(tempfile::TempDir, Project)> = LazyLock::new(|| {
    let out = tempfile::tempdir().unwrap();
    let project = Project::load(&support::sample_root()).unwrap();
    guidepress::press::build(&project, &BuildOptions { out: Some(out.path().to_path_buf()), ..Default::default() })
        .unwrap();
    (out, project)
});

fn file(name: &str) -> PathBuf {
    BUILT.0.path().join("editions").join(name)
}

fn numbers(obj: &Object) -> Vec<f64> {
    obj.as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_float().map(f64::from).or_else(|_| o.as_i64().map(|i| i as f64)).unwrap())
        .collect()
}

fn pt(mm: f64) -> f64 {
    mm / 25.4 * 72.0
}

#[test]
fn press_has_bleed_trim_and_bleed_boxes_and_k_only_black_text() {
    let project = &BUILT.1;
    let bleed = project.build.bleed_mm;
    for edition in &project.editions {
        let doc = Document::load(file(&format!("{}.pdf", edition.id))).unwrap();
        let pages = doc.get_pages();
        assert_eq!(pages.len() % 4, 0, "{}: {} pages", edition.id, pages.len());
        let (tw, th) = (pt(edition.trim.width_mm), pt(edition.trim.height_mm));
        let mut text_fills = Vec::new();
        let mut qr_fills = Vec::new();
        for (&n, &id) in &pages {
            let page = doc.get_dictionary(id).unwrap();
            let media = numbers(page.get(b"MediaBox").unwrap());
            let trim = numbers(page.get(b"TrimBox").unwrap());
            let bleed_box = numbers(page.get(b"BleedBox").unwrap());
            let w = |b: &[f64]| (b[2] - b[0], b[3] - b[1]);
            let close = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).abs() < 0.2 && (a.1 - b.1).abs() < 0.2;
            assert!(
                close(w(&media), (tw + 2.0 * pt(bleed), th + 2.0 * pt(bleed))),
                "{} p{n}: MediaBox {media:?}",
                edition.id
            );
            assert!(close(w(&trim), (tw, th)), "{} p{n}: TrimBox {trim:?}", edition.id);
            assert!((trim[0] - media[0] - pt(bleed)).abs() < 0.2, "{} p{n}: trim not centred", edition.id);
            assert_eq!(bleed_box, media, "{} p{n}: BleedBox", edition.id);
            // Track the fill colour in effect whenever text is shown.
            let content = Content::decode(&doc.get_page_content(id).unwrap()).unwrap();
            // And the fill of every path of many sub-paths: a QR code, one path per code.
            let mut fill: Option<(String, Vec<f64>)> = None;
            let mut saved = Vec::new();
            let mut subpaths = 0;
            for op in &content.operations {
                let args: Vec<f64> = op
                    .operands
                    .iter()
                    .filter_map(|o| o.as_float().map(f64::from).or_else(|_| o.as_i64().map(|i| i as f64)).ok())
                    .collect();
                match op.operator.as_str() {
                    "k" | "rg" | "g" | "sc" | "scn" => fill = Some((op.operator.clone(), args)),
                    "q" => saved.push(fill.clone()),
                    "Q" => fill = saved.pop().flatten(),
                    "Tj" | "TJ" | "'" | "\"" => text_fills.push(fill.clone()),
                    "m" | "re" => subpaths += 1,
                    "f" | "f*" | "F" | "B" | "B*" | "b" | "b*" | "S" | "s" | "n" => {
                        if subpaths >= 30 && op.operator != "n" {
                            qr_fills.push(fill.clone());
                        }
                        subpaths = 0;
                    }
                    _ => {}
                }
            }
        }
        assert!(!text_fills.is_empty());
        for f in &text_fills {
            let (op, _) = f.as_ref().expect("text shown before any fill colour was set (default black is not K-only)");
            assert_eq!(op, "k", "{}: text drawn with a non-CMYK colour {f:?}", edition.id);
        }
        let k_black = text_fills.iter().filter(|f| f.as_ref().unwrap().1 == [0.0, 0.0, 0.0, 1.0]).count();
        // Most text is black; the rest is headings, muted labels and, in a draft, the coloured
        // draft line on every page.
        assert!(
            k_black * 4 > text_fills.len() * 3,
            "{}: only {k_black} of {} text runs in K-only black",
            edition.id,
            text_fills.len()
        );
        // Every QR code is one vector path filled with black ink alone (K-only): no image, whose
        // pixels a viewer smooths, and no RGB or four-colour black.
        let codes = editions::edition_inputs(project, edition, editions::Variant::Press).unwrap().payloads.len();
        assert_eq!(qr_fills.len(), codes, "{}: {} QR paths for {codes} codes", edition.id, qr_fills.len());
        for f in &qr_fills {
            assert_eq!(
                f.as_ref().map(|(op, args)| (op.as_str(), args.as_slice())),
                Some(("k", [0.0, 0.0, 0.0, 1.0].as_slice())),
                "{}: a QR code filled with {f:?}",
                edition.id
            );
        }
        let images = doc
            .objects
            .values()
            .filter_map(|o| o.as_stream().ok())
            .filter(|s| s.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image".as_slice()))
            .count();
        assert_eq!(images, 0, "{}: {images} raster images in the press file", edition.id);
        press_xref_is_typsts_and_exact(&std::fs::read(file(&format!("{}.pdf", edition.id))).unwrap(), &edition.id);
    }
}

/// The BleedBox is inserted into Typst's own file: its one cross-reference table keeps Typst's
/// form (entries ending in CR LF) and every entry points exactly at its object, as a strict reader
/// (and a RIP) expects.
fn press_xref_is_typsts_and_exact(pdf: &[u8], id: &str) {
    let at = |from: usize| String::from_utf8_lossy(&pdf[from..]).into_owned();
    let sx = pdf.windows(9).rposition(|w| w == b"startxref").unwrap();
    let start: usize = at(sx + 9).split_whitespace().next().unwrap().parse().unwrap();
    let table = at(start);
    assert!(table.starts_with("xref\n0 "), "{id}: no classic xref table at startxref");
    let count: usize = table.lines().nth(1).unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    let entries = &table[table.find('\n').unwrap() + 1..][table.lines().nth(1).unwrap().len() + 1..];
    let mut used = 0;
    for (i, entry) in entries.as_bytes().chunks(20).take(count).enumerate() {
        assert_eq!(&entry[18..], b"\r\n", "{id}: xref entry {i} is not as Typst writes it");
        if entry[17] == b'n' {
            let offset: usize = std::str::from_utf8(&entry[..10]).unwrap().parse().unwrap();
            assert!(pdf[offset..].starts_with(format!("{i} 0 obj").as_bytes()), "{id}: xref entry {i} is off");
            used += 1;
        }
    }
    assert!(used > 100, "{id}: only {used} objects");
    let count = |needle: &[u8]| pdf.windows(needle.len()).filter(|w| *w == needle).count();
    assert_eq!(count(b"/BleedBox"), count(b"/TrimBox"), "{id}: a page without BleedBox");
}

#[test]
fn screen_is_tagged_pdf_a_and_ua_with_language_and_no_bleed() {
    let project = &BUILT.1;
    for edition in &project.editions {
        let doc = Document::load(file(&format!("{}-screen.pdf", edition.id))).unwrap();
        let catalog = doc.catalog().unwrap();
        let mark = doc.dereference(catalog.get(b"MarkInfo").unwrap()).unwrap().1.as_dict().unwrap().clone();
        assert!(mark.get(b"Marked").unwrap().as_bool().unwrap());
        let lang = catalog.get(b"Lang").unwrap().as_str().unwrap();
        assert_eq!(lang, edition.languages[0].as_bytes());
        assert!(catalog.has(b"StructTreeRoot"), "{}: no structure tree", edition.id);
        let (_, meta) = doc.dereference(catalog.get(b"Metadata").unwrap()).unwrap();
        let xmp = String::from_utf8_lossy(&meta.as_stream().unwrap().content).into_owned();
        assert!(
            xmp.contains("pdfaid:part>2<") || xmp.contains("pdfaid:part=\"2\""),
            "{}: no PDF/A-2 id in XMP",
            edition.id
        );
        assert!(xmp.contains("pdfaid:conformance>A<") || xmp.contains("pdfaid:conformance=\"A\""));
        assert!(
            xmp.contains("pdfuaid:part>1<") || xmp.contains("pdfuaid:part=\"1\""),
            "{}: no PDF/UA-1 id in XMP",
            edition.id
        );
        for (_, id) in doc.get_pages() {
            let page = doc.get_dictionary(id).unwrap();
            assert!(!page.has(b"TrimBox"), "{}: screen pages have no bleed", edition.id);
            // Made from the press layout: no CMYK colour may be left (PDF/A refuses it).
            let content = Content::decode(&doc.get_page_content(id).unwrap()).unwrap();
            assert!(
                !content.operations.iter().any(|op| op.operator == "k" || op.operator == "K"),
                "{}: CMYK in the screen PDF",
                edition.id
            );
        }
        // Links are clickable: every QR payload appears as a URI action.
        let inputs = editions::edition_inputs(project, edition, editions::Variant::Screen).unwrap();
        let uris: Vec<String> = doc
            .objects
            .values()
            .filter_map(|o| o.as_dict().ok())
            .filter_map(|d| d.get(b"A").ok().and_then(|a| a.as_dict().ok()))
            .filter_map(|a| a.get(b"URI").ok())
            .filter_map(|u| u.as_str().ok().map(|s| String::from_utf8_lossy(s).into_owned()))
            .collect();
        for payload in &inputs.payloads {
            assert!(uris.contains(payload), "{}: no link to {payload}", edition.id);
        }
    }
}

/// Text of a region of a page (points from the top-left), as pdftotext extracts it.
fn region_text(pdf: &Path, page: usize, x: f64, y: f64, w: f64, h: f64) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-f", &page.to_string(), "-l", &page.to_string(), "-r", "72"])
        .args([
            "-x",
            &(x as i64).to_string(),
            "-y",
            &(y as i64).to_string(),
            "-W",
            &(w as i64).to_string(),
            "-H",
            &(h as i64).to_string(),
        ])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn page_numbers(text: &str) -> Vec<usize> {
    text.split_whitespace().filter_map(|t| t.parse().ok()).collect()
}

#[test]
fn booklet_sheets_paper_and_order() {
    let project = &BUILT.1;
    for edition in &project.editions {
        let press_path = file(&format!("{}.pdf", edition.id));
        let path = file(&format!("{}-booklet.pdf", edition.id));
        let press = Document::load(&press_path).unwrap();
        let doc = Document::load(&path).unwrap();
        let n = press.get_pages().len();
        let sides = doc.get_pages();
        assert_eq!(sides.len(), n.div_ceil(4) * 2, "{}: sides", edition.id);
        let paper = if edition.office_paper == "letter" { (792.0, 612.0) } else { (pt(297.0), pt(210.0)) };
        for (&k, &id) in &sides {
            let media = numbers(doc.get_dictionary(id).unwrap().get(b"MediaBox").unwrap());
            assert!(
                (media[2] - media[0] - paper.0).abs() < 0.5 && (media[3] - media[1] - paper.1).abs() < 0.5,
                "{} side {k}: {media:?}",
                edition.id
            );
        }
        // Which press page sits in each half: compare the page number printed in the footer strip.
        let bleed = pt(project.build.bleed_mm);
        let (tw, th) = (pt(edition.trim.width_mm), pt(edition.trim.height_mm));
        let footer_of_press = |p: usize| page_numbers(&region_text(&press_path, p, bleed, bleed + th - 45.0, tw, 45.0));
        let mut checked = 0;
        for s in 0..n / 4 {
            let sides_pages = [(n - 2 * s, 2 * s + 1), (2 * s + 2, n - 2 * s - 1)];
            for (side, (left, right)) in sides_pages.into_iter().enumerate() {
                let k = 2 * s + side + 1;
                let half = paper.0 / 2.0;
                let scale = (half / tw).min(paper.1 / th).min(1.0);
                let top = (paper.1 - th * scale) / 2.0 + th * scale - 45.0 * scale;
                for (p, x0) in [(left, (half - tw * scale) / 2.0), (right, half + (half - tw * scale) / 2.0)] {
                    let want = footer_of_press(p);
                    if want.is_empty() {
                        continue;
                    }
                    let got = page_numbers(&region_text(&path, k, x0, top, tw * scale, 45.0 * scale));
                    assert_eq!(got, want, "{} booklet side {k}: expected press page {p} there", edition.id);
                    checked += 1;
                }
            }
        }
        assert!(checked >= n / 2, "{}: only {checked} halves carried a page number", edition.id);
    }
}
