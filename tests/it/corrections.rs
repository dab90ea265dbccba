//! Corrections for copies in the field, as staff use them: ship the sample, change New Zealand's
//! Crimestoppers number and confirm it; `corrections` lists exactly who holds the old number;
//! `corrections make` writes stickers that cover the old entry, notices, labels and a CSV, and
//! records them, so the list empties until the number changes again; `ship` packs stickers with
//! outdated copies; a killed `make` leaves the record and the folder agreeing.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use guidepress::output::sha256_hex;
use guidepress::records::Record;

use crate::support;

const CRIMESTOPPERS: &str = "crimestoppers-anonymous-reports";

fn run(root: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_guidepress")).current_dir(root).args(args).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), support::stderr(&out))
}

fn ok(root: &Path, args: &[&str]) -> (String, String) {
    let (success, out, err) = run(root, args);
    assert!(success, "guidepress {args:?} failed:\n{err}");
    (out, err)
}

fn record(root: &Path) -> Record {
    Record::open_existing(&root.join("records/guidepress.sqlite")).unwrap().expect("the record exists")
}

/// Changes Crimestoppers' number in nz.toml to `number` and confirms it.
fn change_number(root: &Path, from: &str, to: &str) {
    support::edit(root, "editions/nz.toml", &format!("phone = \"{from}\""), &format!("phone = \"{to}\""));
    let source = format!("--source=Crimestoppers website, checked for {to}");
    ok(root, &["contacts", "verify", "nz", CRIMESTOPPERS, "--on", "2026-11-20", &source]);
}

/// Organisations and copies of the sample orders for nz.
fn nz_holders() -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    let mut reader = csv::Reader::from_path(support::sample_root().join("orders/sample-requests.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        if &row[col("edition")] == "nz" {
            *out.entry(row[col("organization")].to_string()).or_default() += row[col("copies")].parse::<u64>().unwrap();
        }
    }
    out
}

/// The one correction folder under out/corrections.
fn correction_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root.join("out/corrections"))
        .map(|r| r.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    dirs.sort();
    dirs
}

#[test]
fn a_changed_number_reaches_exactly_its_holders_once_until_it_changes_again() {
    let dir = support::sample_copy();
    let root = dir.path();
    let (out, _) = ok(root, &["corrections"]);
    assert!(out.contains("no record of shipments yet"), "{out}");
    ok(root, &["build", "nz"]);
    let old_pdf = root.join("old-nz-screen.pdf");
    fs::copy(root.join("out/editions/nz-screen.pdf"), &old_pdf).unwrap();
    ok(root, &["ship", "orders/sample-requests.csv"]);
    let (out, _) = ok(root, &["corrections"]);
    assert!(out.contains("nothing to correct"), "{out}");

    change_number(root, "0800 555 111", "0800 555 112");
    let holders = nz_holders();
    // The build after the change says so, where staff look.
    let (_, err) = ok(root, &["build", "nz"]);
    let note = format!("note: {} copies of NZ-", holders.values().sum::<u64>());
    assert!(err.contains(&note) && err.contains("`guidepress corrections nz`"), "{err}");
    let (out, _) = ok(root, &["corrections", "--csv", "owed.csv"]);
    assert!(!holders.is_empty());
    for (org, copies) in &holders {
        assert!(
            out.lines().any(|l| l.contains(org.as_str()) && l.contains(&format!("{copies} copies"))),
            "{org}: {out}"
        );
    }
    assert!(out.contains("0800 555 111") && out.contains("0800 555 112"), "{out}");
    assert_eq!(out.matches(" (nz): ").count(), 1, "one print code, nz's:\n{out}");
    for other in ["(us)", "(ca)", "(au)", "(jp)", "(mo)"] {
        assert!(!out.contains(other), "{other} lists nothing:\n{out}");
    }
    let csv = fs::read_to_string(root.join("owed.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + holders.len(), "{csv}");

    // A dry run writes and records nothing.
    ok(root, &["corrections", "make", "--dry-run"]);
    assert!(correction_dirs(root).is_empty());
    assert!(record(root).read().corrections().unwrap().is_empty());

    let (_, err) = ok(root, &["corrections", "make", "--spares", "1"]);
    assert!(err.contains("recorded as correction batch"), "{err}");
    let made = correction_dirs(root);
    assert_eq!(made.len(), 1, "{made:?}");
    let made = &made[0];
    check_notices_labels_csv(made, &holders);
    check_stickers(root, made, &old_pdf);

    let (out, _) = ok(root, &["corrections"]);
    assert!(out.contains("nothing to correct"), "after make:\n{out}");
    // The number changes again: every holder is owed a correction again.
    change_number(root, "0800 555 112", "0800 555 113");
    let (out, _) = ok(root, &["corrections"]);
    for org in holders.keys() {
        assert!(out.contains(org.as_str()), "{org} again:\n{out}");
    }
    assert!(out.contains("0800 555 113"), "{out}");
}

fn check_notices_labels_csv(made: &Path, holders: &BTreeMap<String, u64>) {
    let notices = made.join("notices.pdf");
    let mut addressed = Vec::new();
    for i in 0..holders.len() {
        let page = (i + 1).to_string();
        let text = support::pdftotext_with(&notices, &["-f", &page, "-l", &page]);
        assert!(text.contains("0800 555 111") && text.contains("0800 555 112"), "page {page}:\n{text}");
        // In the edition's languages: Korean and English.
        assert!(text.contains("정정") && text.contains("Correction"), "page {page}:\n{text}");
        let named: Vec<&String> = holders.keys().filter(|o| text.contains(o.as_str())).collect();
        assert_eq!(named.len(), 1, "page {page} is one organisation's:\n{text}");
        addressed.push(named[0].clone());
    }
    addressed.sort();
    assert_eq!(addressed, holders.keys().cloned().collect::<Vec<_>>(), "every organisation has its notice");
    let pages = support::pdftotext(&notices).matches('\u{c}').count();
    assert_eq!(pages, holders.len(), "one notice per organisation");
    // The new number's QR code on each notice, read from poppler's pixels.
    let scratch = tempfile::tempdir().unwrap();
    assert!(support::zbar_page(&notices, 1, 150, scratch.path()).iter().any(|c| c == "tel:+64800555112"));
    let labels = support::pdftotext(&made.join("labels.pdf"));
    for org in holders.keys() {
        assert!(labels.contains(org.as_str()), "{org} has a label:\n{labels}");
    }
    let mut reader = csv::Reader::from_path(made.join("recipients.csv")).unwrap();
    let orgs: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_string()).collect();
    assert_eq!(orgs.len(), holders.len());
    for org in orgs {
        assert!(holders.contains_key(&org), "{org}");
    }
}

/// The sticker's cut line on page 1 of stickers.pdf at 300 dpi: (left, top, right, bottom) px.
fn sticker_outline(w: usize, h: usize, grey: &[u8]) -> (usize, usize, usize, usize) {
    let long = (50.0 / 25.4 * 300.0) as usize;
    let mut edges = Vec::new();
    for y in 0..h {
        let row = &grey[y * w..(y + 1) * w];
        let (mut start, mut best) = (0, (0, 0));
        for x in 0..=w {
            let dark = row.get(x).is_some_and(|p| *p < 235);
            if !dark {
                if x - start > best.1 - best.0 {
                    best = (start, x);
                }
                start = x + 1;
            }
        }
        if best.1 - best.0 > long {
            edges.push((y, best));
        }
    }
    assert!(!edges.is_empty(), "no cut line found");
    let top = edges[0];
    let bottom = edges.iter().find(|(y, _)| *y > top.0 + 20).expect("a bottom edge");
    (top.1.0, top.0, top.1.1, bottom.0)
}

fn check_stickers(root: &Path, made: &Path, old_pdf: &Path) {
    let read = record(root);
    let releases = read.read().releases(Some("nz")).unwrap();
    let entry = releases[0].contacts.iter().find(|c| c.id == CRIMESTOPPERS).unwrap().clone();
    let stickers = made.join("stickers.pdf");
    // Size: the recorded box plus 1 mm on every side.
    let (w, h, grey) = support::pdftoppm_grey(&stickers, 1, 300);
    let (left, top, right, bottom) = sticker_outline(w, h, &grey);
    let mm = |px: usize| px as f64 * 25.4 / 300.0;
    let (sw, sh) = (mm(right - left), mm(bottom - top));
    assert!((sw - (entry.w_mm + 2.0)).abs() < 0.25, "width {sw:.2} mm for a box of {:.2} mm", entry.w_mm);
    assert!((sh - (entry.h_mm + 2.0)).abs() < 0.25, "height {sh:.2} mm for a box of {:.2} mm", entry.h_mm);
    // Placed at the recorded position on the old page, it covers every pixel of the old entry:
    // the entry's ink lies inside the box, and nothing of it in a ring just outside the sticker.
    let (pw, ph, page) = support::pdftoppm_grey(old_pdf, entry.page as usize, 300);
    let px = |v: f64| (v * 300.0 / 25.4).round() as i64;
    let dark_in = |x0: f64, y0: f64, x1: f64, y1: f64, skip: Option<(f64, f64, f64, f64)>| {
        let mut n = 0;
        for y in px(y0).max(0)..px(y1).min(ph as i64) {
            for x in px(x0).max(0)..px(x1).min(pw as i64) {
                let (xm, ym) = (x as f64 * 25.4 / 300.0, y as f64 * 25.4 / 300.0);
                if skip.is_some_and(|(a, b, c, d)| xm >= a && xm < c && ym >= b && ym < d) {
                    continue;
                }
                n += usize::from(page[y as usize * pw + x as usize] < 200);
            }
        }
        n
    };
    let (x, y, bw, bh) = (entry.x_mm, entry.y_mm, entry.w_mm, entry.h_mm);
    assert!(dark_in(x, y, x + bw, y + bh, None) > 500, "the old entry is printed in its box");
    let sticker = (x - 1.0, y - 1.0, x + bw + 1.0, y + bh + 1.0);
    let ring = dark_in(x - 2.5, y - 2.5, x + bw + 2.5, y + bh + 2.5, Some(sticker));
    assert_eq!(ring, 0, "ink of the old entry outside the sticker");
    // Its QR code is the new number, read from poppler's pixels at 150 dpi.
    let scratch = tempfile::tempdir().unwrap();
    let codes = support::zbar_page(&stickers, 1, 150, scratch.path());
    assert!(codes.iter().any(|c| c == "tel:+64800555112"), "{codes:?}");
    let text = support::pdftotext_with(&stickers, &["-f", "1", "-l", "1"]);
    assert!(text.contains("0800 555 112") && !text.contains("0800 555 111"), "{text}");
}

#[test]
fn a_removed_contact_gets_a_no_longer_in_service_sticker_and_an_unconfirmed_one_is_refused() {
    let dir = support::sample_copy();
    let root = dir.path();
    ok(root, &["ship", "orders/sample-requests.csv"]);
    // The number changes but nobody confirmed the new one: a correction would print it unconfirmed.
    support::edit(root, "editions/nz.toml", "phone = \"0800 555 111\"", "phone = \"0800 555 119\"");
    let (success, _, err) = run(root, &["corrections", "make"]);
    assert!(!success, "{err}");
    assert!(
        err.contains("editions/nz.toml:") && err.contains("Crimestoppers") && err.contains("contacts verify"),
        "{err}"
    );
    assert!(correction_dirs(root).is_empty());
    // Put back, and remove the overseas Crimestoppers number instead.
    support::edit(root, "editions/nz.toml", "phone = \"0800 555 119\"", "phone = \"0800 555 111\"");
    let text = fs::read_to_string(root.join("editions/nz.toml")).unwrap();
    let start = text.find("[[contact]]\nkind = \"hotline\"\nname.ko = \"크라임스토퍼스 (해외에서").unwrap();
    let end = start + 1 + text[start + 1..].find("[[contact]]").unwrap();
    fs::write(root.join("editions/nz.toml"), format!("{}{}", &text[..start], &text[end..])).unwrap();
    let (out, _) = ok(root, &["corrections"]);
    assert!(out.contains("no longer in service"), "{out}");
    ok(root, &["corrections", "make"]);
    let made = &correction_dirs(root)[0];
    let stickers = support::pdftotext(&made.join("stickers.pdf"));
    assert!(stickers.contains("No longer in service") && stickers.contains("더 이상 운영하지 않음"), "{stickers}");
}

#[test]
fn a_new_entry_too_big_for_the_old_box_is_refused_never_shrunk_or_cut() {
    let dir = support::sample_copy();
    let root = dir.path();
    ok(root, &["ship", "orders/sample-requests.csv"]);
    let long = "The line is staffed around the clock. ".repeat(12);
    let notes = format!("phone = \"0800 555 111\"\nnotes.en = \"{long}\"");
    support::edit(root, "editions/nz.toml", "phone = \"0800 555 111\"", &notes);
    ok(root, &["contacts", "verify", "nz", CRIMESTOPPERS, "--on", "2026-11-20", "--source=Crimestoppers website"]);
    let (success, _, err) = run(root, &["corrections", "make"]);
    assert!(!success);
    assert!(err.contains(CRIMESTOPPERS) && err.contains("print code NZ-") && err.contains(" mm"), "{err}");
    assert!(correction_dirs(root).is_empty(), "nothing written");
    assert!(record(root).read().corrections().unwrap().is_empty(), "nothing recorded");
}

#[test]
fn ship_packs_stickers_with_copies_of_an_outdated_print_code() {
    let dir = support::sample_copy();
    let root = dir.path();
    ok(root, &["build", "nz"]);
    ok(root, &["printed", "nz", "--copies", "100", "--draft"]);
    change_number(root, "0800 555 111", "0800 555 112");
    let (_, err) = ok(root, &["ship", "orders/sample-requests.csv"]);
    assert!(err.contains("print contacts that have changed since"), "{err}");
    let folder = root.join("out/shipping/sample-requests");
    let packing = support::pdftotext(&folder.join("packing.pdf"));
    let holders = nz_holders();
    let total: u64 = holders.values().sum();
    let said: u64 = regex::Regex::new(r"Put in (\d+) correction sticker")
        .unwrap()
        .captures_iter(&packing)
        .map(|c| c[1].parse::<u64>().unwrap())
        .sum();
    assert_eq!(said, total, "one sticker per copy of nz:\n{packing}");
    let stickers = support::pdftotext(&folder.join("stickers.pdf"));
    assert_eq!(stickers.matches("0800 555 112").count() as u64, total, "{stickers}");
    let (out, _) = ok(root, &["corrections"]);
    assert!(out.contains("nothing to correct"), "the stickers went with the copies:\n{out}");
}

/// Every recorded correction batch has its folder, holding exactly its files; no partial folder
/// is left once a run has completed.
fn agree(root: &Path) -> bool {
    let Some(rec) = Record::open_existing(&root.join("records/guidepress.sqlite")).unwrap() else { return true };
    let batches = rec.read().corrections().unwrap();
    batches.iter().filter(|b| b.kind == "make").all(|b| {
        let dir = root.join(&b.out_dir);
        let partial = dir.with_file_name(format!(".{}.partial", dir.file_name().unwrap().to_string_lossy()));
        let holds = |d: &Path| {
            b.files.iter().all(|(n, sha)| fs::read(d.join(n)).ok().map(|x| sha256_hex(&x)).as_ref() == Some(sha))
        };
        holds(&dir) || holds(&partial)
    })
}

#[test]
fn a_corrections_make_killed_at_any_moment_leaves_record_and_folder_agreeing() {
    let dir = support::sample_copy();
    let root = dir.path();
    ok(root, &["ship", "orders/sample-requests.csv"]);
    let t = Instant::now();
    change_number(root, "0800 555 111", "0800 555 110");
    ok(root, &["corrections", "make", "--dry-run"]);
    let mut full = t.elapsed();
    let (mut before, mut after) = (0, 0);
    for step in 0..6u32 {
        change_number(root, &format!("0800 555 11{step}"), &format!("0800 555 11{}", step + 1));
        let batches = record(root).read().corrections().unwrap().len();
        let mut child = Command::new(env!("CARGO_BIN_EXE_guidepress"))
            .current_dir(root)
            .args(["--quiet", "corrections", "make"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(f64::from(step) / 5.0 * 1.1));
        child.kill().unwrap();
        child.wait().unwrap();
        match record(root).read().corrections().unwrap().len() > batches {
            true => after += 1,
            false => before += 1,
        }
        assert!(agree(root), "after a kill at step {step}");
        let t = Instant::now();
        ok(root, &["--quiet", "corrections", "make"]);
        full = full.max(t.elapsed());
        assert!(agree(root), "after the rerun of step {step}");
        let (out, _) = ok(root, &["corrections"]);
        assert!(out.contains("nothing to correct"), "step {step}:\n{out}");
        let partials: Vec<PathBuf> =
            correction_dirs(root).into_iter().filter(|d| d.to_string_lossy().ends_with(".partial")).collect();
        assert!(partials.is_empty(), "{partials:?}");
    }
    assert!(before > 0 && after > 0, "the kills fell {before} before and {after} after the recording");
}
