//! The print code of an edition: the same for the same pages, a new one when a contact or a
//! chapter of the edition changes and not otherwise; printed on the imprint and in the inner
//! corner of every contacts page's footer; and the contact boxes recorded with it are where the
//! contacts are on the press pages (read back with poppler: text and pixels).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use guidepress::editions::BuildOptions;
use guidepress::manifest::Manifest;
use guidepress::model::record::{PrintedContact, Release};
use guidepress::project::Project;

use crate::support::{self, edit, guidepress, sample_copy, stderr};

/// Points per millimetre.
const PT_PER_MM: f64 = 72.0 / 25.4;

/// Builds edition nz of the project at `root` into `out`, typeset again even if up to date, and
/// returns its release as the manifest records it.
fn build_nz(root: &Path, out: &Path) -> Release {
    let project = Project::load(root).expect("project loads");
    let options =
        BuildOptions { ids: vec!["nz".into()], out: Some(out.to_path_buf()), force: true, ..Default::default() };
    guidepress::press::build(&project, &options).expect("nz builds");
    recorded(out)
}

/// nz's release in `<out>/manifest.json`, its code read through [`EditionEntry::print_code`].
///
/// [`EditionEntry::print_code`]: guidepress::manifest::EditionEntry::print_code
fn recorded(out: &Path) -> Release {
    let manifest = Manifest::load(out);
    let entry = &manifest.editions["nz"];
    let release = entry.release.clone().expect("the manifest records nz's release");
    assert_eq!(entry.print_code(), release.print_code);
    release
}

/// Whitespace runs as one space: pdftotext breaks lines where the layout did.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_code_changes_with_a_contact_or_chapter_of_the_edition_and_nothing_else() {
    let dir = sample_copy();
    let root = dir.path();
    let out = root.join("out");
    let version = Project::load(root).unwrap().guide.version.clone();
    let format = regex::Regex::new(&format!("^NZ-{}-[0-9A-F]{{4}}$", regex::escape(&version))).unwrap();

    let first = build_nz(root, &out).print_code;
    assert!(format.is_match(&first), "{first} is not NZ-{version}-XXXX");
    assert_eq!(build_nz(root, &out).print_code, first, "built again from the same files");

    // Nothing that reaches nz's pages: another edition's contact, an order book, a shipping
    // layout and setting, a chapter in a language nz does not print.
    edit(root, "editions/us.toml", "National Human Trafficking Hotline\"", "National Human Trafficking Hotline (US)\"");
    edit(root, "orders/sample-requests.csv", "Dana Whitfield", "Dana Whitfield-Ng");
    let labels = root.join("layouts/labels.typ");
    fs::write(&labels, fs::read_to_string(&labels).unwrap() + "\n// A note for the label printer.\n").unwrap();
    edit(root, "guidepress.toml", "max-box-kg = 5", "max-box-kg = 6");
    edit(root, "chapters/ja/03-fake-overseas-job-sites.typ", "。", "。 ");
    assert_eq!(build_nz(root, &out).print_code, first, "changes that reach no page of nz");

    // A number of one of nz's contacts: a new code, and the release carries the new number.
    edit(root, "editions/nz.toml", "phone = \"0508 558 855\"", "phone = \"0508 558 866\"");
    let changed = build_nz(root, &out);
    assert!(format.is_match(&changed.print_code), "{}", changed.print_code);
    assert_ne!(changed.print_code, first, "a changed phone number");
    let immigration = changed.contacts.iter().find(|c| c.name == "Immigration New Zealand").unwrap();
    assert!(immigration.fields["phone"].starts_with("0508 558 866"), "{:?}", immigration.fields);

    // Back as it was: the first code again, also on `guidepress build`'s status line.
    edit(root, "editions/nz.toml", "phone = \"0508 558 866\"", "phone = \"0508 558 855\"");
    let run = guidepress(root, &["build", "nz", "--force", "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", stderr(&run));
    let said = format!("{}{}", String::from_utf8_lossy(&run.stdout), stderr(&run));
    let line = said.lines().find(|l| l.contains(" nz ")).unwrap_or_else(|| panic!("no status line for nz in {said}"));
    assert!(line.contains(&first), "status line {line:?} lacks {first}");
    assert_eq!(recorded(&out).print_code, first, "the number changed back");

    // A sentence of one of nz's chapters.
    edit(
        root,
        "chapters/en/03-fake-overseas-job-sites.typ",
        "has done nothing wrong.",
        "has done nothing wrong at all.",
    );
    let chapter = build_nz(root, &out).print_code;
    assert!(format.is_match(&chapter), "{chapter}");
    assert!(chapter != first && chapter != changed.print_code, "a changed chapter: {chapter}");
}

/// A word pdftotext found, with its box in points from the top-left corner of the media box.
#[derive(Debug)]
struct Word {
    text: String,
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

/// The words of page `page` (1-based) of `pdf`, with their boxes (`pdftotext -bbox`).
fn words(pdf: &Path, page: usize) -> Vec<Word> {
    let out = pdftotext(pdf, page, &["-bbox"]);
    let re =
        regex::Regex::new(r#"<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>"#)
            .unwrap();
    re.captures_iter(&out)
        .map(|c| {
            let n = |i: usize| c[i].parse::<f64>().unwrap();
            Word { text: c[5].to_string(), x0: n(1), y0: n(2), x1: n(3), y1: n(4) }
        })
        .collect()
}

/// What `pdftotext -f page -l page <extra>` prints for `pdf`.
fn pdftotext(pdf: &Path, page: usize, extra: &[&str]) -> String {
    let p = page.to_string();
    let mut args = vec!["-f", p.as_str(), "-l", p.as_str()];
    args.extend_from_slice(extra);
    support::pdftotext_with(pdf, &args)
}

/// The text inside a box (mm from the top-left corner of the trimmed page) of page `page` of a
/// press PDF with `bleed` mm of bleed: pdftotext measures from the media box, which has the bleed
/// on every side, so the bleed is added. The crop is widened to whole points.
fn text_in_box(pdf: &Path, page: usize, bleed: f64, c: &PrintedContact) -> String {
    let x0 = ((c.x_mm + bleed) * PT_PER_MM).floor();
    let y0 = ((c.y_mm + bleed) * PT_PER_MM).floor();
    let x1 = ((c.x_mm + c.w_mm + bleed) * PT_PER_MM).ceil();
    let y1 = ((c.y_mm + c.h_mm + bleed) * PT_PER_MM).ceil();
    let [x, y, w, h] = [x0, y0, x1 - x0, y1 - y0].map(|v| (v as i64).to_string());
    squash(&pdftotext(pdf, page, &["-r", "72", "-x", &x, "-y", &y, "-W", &w, "-H", &h]))
}

#[test]
fn the_code_is_on_the_imprint_and_contacts_pages_and_the_boxes_are_where_the_contacts_are() {
    let root = support::sample_root();
    let out = tempfile::tempdir().unwrap();
    let project = Project::load(&root).unwrap();
    let release = build_nz(&root, out.path());
    let code = release.print_code.clone();
    let pdf = out.path().join("editions/nz.pdf");
    let bleed = project.build.bleed_mm;
    let trim = &project.edition("nz").unwrap().trim;
    assert!(bleed > 0.0, "the sample's press files have a bleed");

    // The page boxes the coordinates below rely on: the trim box sits `bleed` inside the media box.
    let doc = lopdf::Document::load(&pdf).unwrap();
    let page_ids = doc.get_pages();
    let rect = |id, key: &[u8]| -> Vec<f64> {
        let dict = doc.get_dictionary(id).unwrap();
        let num = |o: &lopdf::Object| o.as_float().map(f64::from).or_else(|_| o.as_i64().map(|i| i as f64)).unwrap();
        dict.get(key).unwrap().as_array().unwrap().iter().map(num).collect()
    };
    let (media, trim_box) = (rect(page_ids[&2], b"MediaBox"), rect(page_ids[&2], b"TrimBox"));
    let want = [0.0, 0.0, trim.width_mm + 2.0 * bleed, trim.height_mm + 2.0 * bleed].map(|v| v * PT_PER_MM);
    assert!(media.iter().zip(want).all(|(a, b)| (a - b).abs() < 0.1), "media box {media:?}");
    let b = bleed * PT_PER_MM;
    let want = [media[0] + b, media[1] + b, media[2] - b, media[3] - b];
    assert!(trim_box.iter().zip(want).all(|(a, b)| (a - b).abs() < 0.1), "trim box {trim_box:?}, media box {media:?}");

    // Pages as pdftotext reads them, one by one (it ends each with a form feed).
    let all = support::pdftotext(&pdf);
    let pages: Vec<String> = all.split('\u{c}').map(squash).collect();
    let pages = &pages[..page_ids.len()];
    let first_line = |n: usize| all.split('\u{c}').nth(n - 1).unwrap().lines().next().unwrap_or("").trim().to_string();
    let start = (1..=pages.len()).find(|&n| first_line(n) == "연락처 · Contacts").expect("a page opens with Contacts");
    let notes = (start..=pages.len()).find(|&n| first_line(n) == "메모 · Notes").expect("notes pages follow");
    let contacts_pages: Vec<usize> = (start..notes).collect();
    assert!(contacts_pages.len() >= 3, "contacts on pages {contacts_pages:?}");

    // On the imprint, on every contacts page, nowhere else (cover, contents, chapters, notes).
    assert!(pages[1].contains(&format!("인쇄 코드 · Print code {code}")), "imprint: {}", pages[1]);
    for (i, text) in pages.iter().enumerate() {
        let n = i + 1;
        let want = n == 2 || contacts_pages.contains(&n);
        assert_eq!(text.contains(&code), want, "page {n} ({}): code {code} printed: {}", first_line(n), !want);
    }

    // In the footer: one line with the page number, the code towards the spine, smaller than the
    // number, below every contact on the page and inside the trim.
    let centre = (bleed + trim.width_mm / 2.0) * PT_PER_MM;
    for &n in &contacts_pages {
        let words = words(&pdf, n);
        let at =
            |t: &str| words.iter().find(|w| w.text == t).unwrap_or_else(|| panic!("page {n}: no {t:?} in {words:?}"));
        let (c, num) = (at(&code), words.iter().rev().find(|w| w.text == n.to_string()).unwrap());
        let line: Vec<&str> = words.iter().filter(|w| (w.y1 - c.y1).abs() < 1.0).map(|w| w.text.as_str()).collect();
        assert!(line.join(" ").contains(&format!("Print code {code}")), "page {n}: footer line {line:?}");
        assert!((num.y1 - c.y1).abs() < 1.0, "page {n}: number {num:?} and code {c:?} on different lines");
        if n % 2 == 1 {
            assert!(c.x1 < num.x0 && c.x1 < centre, "page {n} (right-hand): code {c:?} not left of {num:?}");
        } else {
            assert!(c.x0 > num.x1 && c.x0 > centre, "page {n} (left-hand): code {c:?} not right of {num:?}");
        }
        assert!(c.y1 - c.y0 < num.y1 - num.y0, "page {n}: code {c:?} not smaller than number {num:?}");
        let (right, bottom) = ((trim.width_mm + bleed) * PT_PER_MM, (trim.height_mm + bleed) * PT_PER_MM);
        assert!(c.x0 > bleed * PT_PER_MM && c.x1 < right && c.y1 < bottom, "page {n}: code {c:?} outside the trim");
        for b in release.contacts.iter().filter(|b| b.page as usize == n) {
            assert!(c.y0 > (b.y_mm + b.h_mm + bleed) * PT_PER_MM, "page {n}: code {c:?} over contact {}", b.id);
        }
    }

    // Every contact has a box, on a contacts page, inside the trim, overlapping no other.
    let edition = project.edition("nz").unwrap();
    assert_eq!(release.contacts.len(), edition.contacts.len(), "one box per contact");
    for (i, c) in release.contacts.iter().enumerate() {
        assert!(contacts_pages.contains(&(c.page as usize)), "{} on page {}", c.id, c.page);
        assert!(c.w_mm > 0.0 && c.h_mm > 0.0, "{}: {c:?}", c.id);
        assert!(c.x_mm >= 0.0 && c.y_mm >= 0.0, "{}: {c:?}", c.id);
        assert!(c.x_mm + c.w_mm <= trim.width_mm + 0.01 && c.y_mm + c.h_mm <= trim.height_mm + 0.01, "{}: {c:?}", c.id);
        for d in &release.contacts[i + 1..] {
            let apart = c.page != d.page
                || c.x_mm + c.w_mm <= d.x_mm
                || d.x_mm + d.w_mm <= c.x_mm
                || c.y_mm + c.h_mm <= d.y_mm
                || d.y_mm + d.h_mm <= c.y_mm;
            assert!(apart, "boxes overlap: {c:?} {d:?}");
        }
    }

    // The text in each box is that contact's: its names in nz's languages and its number, and no
    // other contact's name.
    let names = |c: &PrintedContact| -> Vec<String> {
        edition.languages.iter().filter_map(|l| c.fields.get(&format!("name.{l}"))).map(|v| squash(v)).collect()
    };
    for c in &release.contacts {
        let text = text_in_box(&pdf, c.page as usize, bleed, c);
        assert!(!names(c).is_empty(), "{}: no name in nz's languages", c.id);
        for name in names(c) {
            assert!(text.contains(&name), "{}: {name:?} not in its box: {text}", c.id);
        }
        let number = ["phone", "short"].iter().find_map(|k| c.fields.get(*k)).unwrap_or_else(|| panic!("{c:?}"));
        let printed = number.split(" (").next().unwrap();
        assert!(text.contains(printed), "{}: {printed:?} not in its box: {text}", c.id);
        for other in release.contacts.iter().filter(|o| o.id != c.id && o.page == c.page) {
            for name in names(other) {
                assert!(!text.contains(&name), "{}: the box holds {}'s name {name:?}: {text}", c.id, other.id);
            }
        }
    }

    // To the pixel: the contact's accent rule runs down the box's left edge from its top to its
    // bottom (to 0.5 mm), with paper 0.6 mm either side of it.
    let dpi = 150;
    let px_per_mm = f64::from(dpi) / 25.4;
    let mut rendered: BTreeMap<u32, (usize, usize, Vec<u8>)> = BTreeMap::new();
    for c in &release.contacts {
        let (w, _, grey) = rendered.entry(c.page).or_insert_with(|| support::pdftoppm_grey(&pdf, c.page as usize, dpi));
        let dark = |x_mm: f64, y: usize| grey[y * *w + ((x_mm + bleed) * px_per_mm).round() as usize] < 128;
        let mid = ((c.y_mm + c.h_mm / 2.0 + bleed) * px_per_mm) as usize;
        assert!(dark(c.x_mm, mid), "{}: no rule at x = {} mm", c.id, c.x_mm);
        assert!(!dark(c.x_mm - 0.6, mid) && !dark(c.x_mm + 0.6, mid), "{}: the rule is not at x = {} mm", c.id, c.x_mm);
        let (mut top, mut bottom) = (mid, mid);
        while dark(c.x_mm, top - 1) {
            top -= 1;
        }
        while dark(c.x_mm, bottom + 1) {
            bottom += 1;
        }
        let (top_mm, bottom_mm) = (top as f64 / px_per_mm - bleed, (bottom + 1) as f64 / px_per_mm - bleed);
        assert!(
            (top_mm - c.y_mm).abs() < 0.5 && (bottom_mm - (c.y_mm + c.h_mm)).abs() < 0.5,
            "{}: rule from {top_mm:.2} to {bottom_mm:.2} mm, box from {} to {} mm",
            c.id,
            c.y_mm,
            c.y_mm + c.h_mm
        );
    }
}
