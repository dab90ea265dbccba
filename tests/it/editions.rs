//! Builds the sample project and reads the results back: PDFs, page sizes, fonts, text, QR codes.

use crate::support;

use std::collections::BTreeMap;
use std::fs;

use guidepress::editions::{self, BuildOptions};
use guidepress::project::Project;

const IDS: [&str; 6] = ["au", "ca", "jp", "mo", "nz", "us"];

fn build_sample(out: &std::path::Path) -> Vec<editions::Built> {
    let project = Project::load(&support::sample_root()).expect("sample project loads");
    let options = BuildOptions { out: Some(out.to_path_buf()), ..Default::default() };
    guidepress::press::build(&project, &options).expect("sample builds")
}

#[test]
fn sample_builds_six_editions_with_right_pages_fonts_and_text() {
    let out = tempfile::tempdir().unwrap();
    let built = build_sample(out.path());
    let ids: Vec<&str> = built.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, IDS);
    let project = Project::load(&support::sample_root()).unwrap();
    for b in &built {
        let edition = project.edition(&b.id).unwrap();
        let bytes = fs::read(out.path().join("editions").join(format!("{}.pdf", b.id))).unwrap();
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        let pages = doc.get_pages();
        assert_eq!(pages.len(), b.pages);
        assert_eq!(pages.len() % 4, 0, "{}: {} pages is not a multiple of 4", b.id, pages.len());
        // Page size as configured (the TrimBox, in points; the MediaBox adds the bleed).
        let want = (edition.trim.width_mm / 25.4 * 72.0, edition.trim.height_mm / 25.4 * 72.0);
        for (&n, &id) in &pages {
            let page = doc.get_dictionary(id).unwrap();
            let mb = page.get(b"TrimBox").unwrap().as_array().unwrap();
            let v: Vec<f64> = mb
                .iter()
                .map(|o| o.as_float().map(f64::from).or_else(|_| o.as_i64().map(|i| i as f64)).unwrap())
                .collect();
            assert!(
                (v[2] - v[0] - want.0).abs() < 0.5 && (v[3] - v[1] - want.1).abs() < 0.5,
                "{} page {n}: {v:?} vs {want:?}",
                b.id
            );
        }
        // Every font is embedded.
        let mut families = Vec::new();
        for (_, obj) in doc.objects.iter() {
            if let Ok(dict) = obj.as_dict()
                && dict.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor".as_slice())
            {
                let embedded = [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"].iter().any(|k| dict.has(k));
                let name = String::from_utf8_lossy(dict.get(b"FontName").unwrap().as_name().unwrap()).into_owned();
                assert!(embedded, "{}: font {name} is not embedded", b.id);
                families.push(name);
            }
        }
        assert!(families.iter().any(|f| f.contains("NotoSerifKR")), "{}: no Korean font in {families:?}", b.id);
        if edition.languages.contains(&"ja".to_string()) {
            assert!(families.iter().any(|f| f.contains("NotoSansJP")), "jp: no Japanese font in {families:?}");
        }
        if edition.languages.contains(&"zh-Hant".to_string()) {
            assert!(
                families.iter().any(|f| f.contains("NotoSansTC")),
                "mo: no Traditional Chinese font in {families:?}"
            );
        }
        // Hangul text is really there (extracted through the PDF's ToUnicode maps by pdftotext).
        let text = support::pdftotext(&out.path().join("editions").join(format!("{}.pdf", b.id)));
        let hangul = text.chars().filter(|c| ('\u{AC00}'..='\u{D7A3}').contains(c)).count();
        assert!(hangul > 1000, "{}: only {hangul} Hangul syllables extracted", b.id);
        chapter_numbers_agree_with_the_contents(&out.path().join("editions").join(format!("{}.pdf", b.id)));
    }
}

/// Every numbered entry on the contents page (`6. Title …… 15`) leads to a page that starts
/// with the same number and that title: the layouts number chapter titles with the file's NN,
/// the contents page with Typst's heading counter.
fn chapter_numbers_agree_with_the_contents(pdf: &std::path::Path) {
    let page_text = |page: usize| {
        let out = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8", "-layout", "-f", &page.to_string(), "-l", &page.to_string()])
            .arg(pdf)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils) must be installed; .ci/run installs it");
        String::from_utf8(out.stdout).unwrap()
    };
    let contents = page_text(3);
    let mut entries = 0;
    for line in contents.lines() {
        let line = line.trim();
        let Some((number, rest)) = line.split_once(". ") else { continue };
        let Ok(number) = number.parse::<u32>() else { continue };
        let title = rest.split(" . ").next().unwrap().trim();
        let page: usize = line.rsplit(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap();
        let text = page_text(page);
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        assert_eq!(lines.next(), Some(format!("{number}.").as_str()), "{}: page {page}", pdf.display());
        let first_words: String = title.chars().take(12).collect();
        assert!(lines.next().unwrap().starts_with(&first_words), "{}: page {page} is not {title}", pdf.display());
        entries += 1;
    }
    assert!(entries >= 14, "{}: only {entries} numbered chapters on the contents page", pdf.display());
}

#[test]
fn every_qr_code_decodes_to_its_payload() {
    let project = Project::load(&support::sample_root()).unwrap();
    let base = editions::load_base(&project).unwrap();
    for edition in &project.editions {
        let inputs = editions::edition_inputs(&project, edition, editions::Variant::Press).unwrap();
        let t = editions::typeset(&project, &base, edition, editions::Variant::Press, false).unwrap();
        let ppi = 300.0;
        let mut found = Vec::new();
        for (i, page) in t.document.pages().iter().enumerate() {
            let boxes = support::qr_boxes(&page.frame);
            if boxes.is_empty() {
                continue;
            }
            let (w, h, grey) = support::render_grey(&t.document, i, ppi);
            for bx in boxes {
                let codes = support::decode_qr_in(w, h, &grey, ppi, bx);
                assert_eq!(codes.len(), 1, "{} page {}: the code at {bx:?} did not decode", edition.id, i + 1);
                let code = codes.into_iter().next().unwrap();
                // Printed at least 15 mm wide with the quiet zone, so phones read it from paper.
                let mm = code.width_px * 25.4 / f64::from(ppi);
                assert!(mm >= 15.0, "{} page {}: QR code {} only {mm:.1} mm wide", edition.id, i + 1, code.payload);
                found.push(code.payload);
            }
        }
        let mut want = inputs.payloads.clone();
        want.sort();
        found.sort();
        assert_eq!(found, want, "{}: decoded payloads differ from the edition's data", edition.id);
        assert!(!want.is_empty());
    }
}

/// What people see: the press and screen PDFs rendered by poppler (Evince, Okular, pdftoppm) at
/// 150 dpi (a screen at normal zoom) and 300 dpi, read by zbar (as phone and desktop scanners
/// read). Every code on every page decodes to exactly its payload.
#[test]
fn every_qr_code_decodes_from_poppler_pixels_at_150_and_300_dpi() {
    let out = tempfile::tempdir().unwrap();
    build_sample(out.path());
    let project = Project::load(&support::sample_root()).unwrap();
    let base = editions::load_base(&project).unwrap();
    for edition in &project.editions {
        let mut want = editions::edition_inputs(&project, edition, editions::Variant::Press).unwrap().payloads;
        want.sort();
        // The pages with codes, from the laid-out pages (the same in both files).
        let t = editions::typeset(&project, &base, edition, editions::Variant::Press, false).unwrap();
        let pages: Vec<usize> = t
            .document
            .pages()
            .iter()
            .enumerate()
            .filter(|(_, p)| !support::qr_boxes(&p.frame).is_empty())
            .map(|(i, _)| i + 1)
            .collect();
        for file in [format!("{}.pdf", edition.id), format!("{}-screen.pdf", edition.id)] {
            let pdf = out.path().join("editions").join(&file);
            for dpi in [150, 300] {
                let mut found = Vec::new();
                for &page in &pages {
                    found.extend(support::zbar_page(&pdf, page, dpi, out.path()));
                }
                found.sort();
                assert_eq!(found, want, "{file} at {dpi} dpi: decoded payloads differ");
            }
        }
    }
}

#[test]
fn two_builds_are_byte_identical() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    build_sample(a.path());
    build_sample(b.path());
    let mut sums = BTreeMap::new();
    for id in IDS {
        let name = format!("editions/{id}.pdf");
        let x = fs::read(a.path().join(&name)).unwrap();
        let y = fs::read(b.path().join(&name)).unwrap();
        assert!(x == y, "{name} differs between two builds");
        sums.insert(id, x.len());
    }
    assert_eq!(sums.len(), 6);
}

/// An edition waits for the edition of its trim that first lays out its languages, so that
/// Typst's cache serves those language parts (jp and mo reuse au's Korean part): the result must
/// be the same as laying the edition out on its own.
#[test]
fn an_edition_laid_out_alone_equals_the_one_laid_out_after_others() {
    let all = tempfile::tempdir().unwrap();
    build_sample(all.path());
    let project = Project::load(&support::sample_root()).unwrap();
    for id in ["jp", "mo"] {
        let alone = tempfile::tempdir().unwrap();
        typst::comemo::evict(0);
        let options =
            BuildOptions { ids: vec![id.to_string()], out: Some(alone.path().to_path_buf()), ..Default::default() };
        guidepress::press::build(&project, &options).unwrap();
        for name in [format!("editions/{id}.pdf"), format!("editions/{id}-screen.pdf")] {
            let x = fs::read(all.path().join(&name)).unwrap();
            let y = fs::read(alone.path().join(&name)).unwrap();
            assert!(x == y, "{name} differs when built alone");
        }
    }
}

/// The order the editions are built in: the first edition of each trim to lay out a language
/// starts at once; the others of that trim wait for it, so that Typst's cache already holds the
/// language's chapters when they are laid out (au before nz, jp and mo; ca before us).
#[test]
fn editions_wait_for_the_edition_that_first_lays_out_their_languages() {
    let project = Project::load(&support::sample_root()).unwrap();
    let editions: Vec<&guidepress::project::Edition> = project.editions.iter().collect();
    let plan = editions::schedule(&editions);
    let id = |i: usize| editions[i].id.as_str();
    let named: Vec<(&str, Vec<&str>)> =
        plan.iter().map(|(i, waits)| (id(*i), waits.iter().map(|w| id(*w)).collect())).collect();
    assert_eq!(named.len(), 6);
    // Those that wait for none come first.
    let mut firsts: Vec<&str> = named.iter().take_while(|(_, w)| w.is_empty()).map(|(e, _)| *e).collect();
    firsts.sort();
    assert_eq!(firsts, ["au", "ca"], "{named:?}");
    for (e, waits) in &named {
        let expected: &[&str] = match *e {
            "au" | "ca" => &[],
            "us" => &["ca"],
            _ => &["au"],
        };
        assert_eq!(waits, expected, "{e} waits for {waits:?}");
    }
    // mo has three languages: the most work of those that wait, so it is offered first.
    assert_eq!(named[2].0, "mo", "{named:?}");
}
