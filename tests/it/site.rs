//! The live contacts page (`guide.contacts-url`): printed with its QR code on the contacts pages
//! and wallet cards, and written as `out/site/` by `build`; opened in headless Chromium at a
//! phone's and a desktop's width; its links are the payloads the printed QR codes carry.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use crate::review::Page;
use crate::support::{edit, guidepress, pdftotext, sample_copy, stderr, zbar_page};

const URL: &str = "https://www.example.org/guide/{edition}";
const HOSTILE: &str = r#"<script>alert("x")</script> & 'Crimestoppers'"#;

fn build(root: &Path, args: &[&str]) {
    let out = guidepress(root, &[&["build"], args].concat());
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Sets `guide.contacts-url` in a project copy (the sample has it commented out).
fn set_url(root: &Path, url: &str) {
    edit(
        root,
        "guidepress.toml",
        "# contacts-url = \"https://www.example.org/guide/{edition}\"",
        &format!("contacts-url = \"{url}\""),
    );
}

/// The 1-based pages of `pdf` whose text contains `needle`.
fn pages_with(pdf: &Path, needle: &str) -> Vec<usize> {
    let text = pdftotext(pdf);
    text.split('\u{c}').enumerate().filter(|(_, p)| p.contains(needle)).map(|(i, _)| i + 1).collect()
}

#[test]
fn unset_nothing_is_printed_and_no_site_is_written() {
    let dir = sample_copy();
    let root = dir.path();
    build(root, &["nz"]);
    let out = root.join("out");
    assert!(!out.join("site").exists(), "out/site written without guide.contacts-url");
    for file in ["nz.pdf", "nz-cards-press.pdf"] {
        let text = pdftotext(&out.join("editions").join(file));
        assert!(!text.contains("Latest numbers") && !text.contains("example.org"), "{file} prints a live page");
    }
}

#[test]
fn the_printed_address_and_its_qr_code_are_one_value_on_pages_and_cards() {
    let dir = sample_copy();
    let root = dir.path();
    set_url(root, URL);
    build(root, &["nz", "mo"]);
    let scratch = tempfile::tempdir().unwrap();
    for id in ["nz", "mo"] {
        let url = format!("https://www.example.org/guide/{id}");
        let pdf = root.join(format!("out/editions/{id}.pdf"));
        let pages = pages_with(&pdf, "Latest numbers");
        assert_eq!(pages.len(), 1, "{id}: the live page's heading on {pages:?}");
        assert!(pdftotext(&pdf).contains(&url), "{id}: {url} not printed");
        let codes = zbar_page(&pdf, pages[0], 150, scratch.path());
        assert!(codes.contains(&url), "{id} p. {}: the codes read {codes:?}, not {url}", pages[0]);
        let card = root.join(format!("out/editions/{id}-cards-press.pdf"));
        assert!(pdftotext(&card).replace('\n', " ").contains(&url), "{id}: the card does not print {url}");
        // nz's card has room for the code; mo's three languages leave room for the address alone.
        let card_codes = zbar_page(&card, 1, 300, scratch.path());
        assert_eq!(card_codes.contains(&url), id == "nz", "{id} card front: {card_codes:?}");
    }
}

#[test]
fn an_address_written_the_same_in_both_languages_prints_once() {
    let dir = sample_copy();
    let root = dir.path();
    build(root, &["nz"]);
    let text = pdftotext(&root.join("out/editions/nz.pdf"));
    assert_eq!(text.matches("PO Box 5744 Victoria St West").count(), 1, "the Auckland office's address");
}

#[test]
fn a_contacts_url_that_is_not_plain_https_is_a_located_error() {
    let dir = sample_copy();
    let root = dir.path();
    set_url(root, "http://www.example.org/{id}");
    let out = guidepress(root, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: guidepress.toml:27:16: `guide.contacts-url = \"http://www.example.org/{id}\"` has braces other than \
         `{edition}`, which stands for the edition's id; write the address with only that, e.g. \
         https://www.example.org/guide/{edition}\n1 problem found; nothing was written.\n"
    );
    assert!(!root.join("out").exists());
}

/// The site of nz built from a copy with `contacts-url` set, after a print run of nz was recorded
/// and the Crimestoppers name then made hostile; with the print code of the recorded run.
fn built_site() -> (tempfile::TempDir, String, String) {
    let dir = sample_copy();
    let root = dir.path();
    set_url(root, URL);
    build(root, &["nz"]);
    let out = guidepress(root, &["printed", "nz", "--copies", "5", "--on", "2026-11-29", "--draft"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(root.join("out/manifest.json")).unwrap()).unwrap();
    let old = manifest.to_string();
    let old = old[old.find("NZ-2026.1-").unwrap()..][..14].to_string();
    edit(
        root,
        "editions/nz.toml",
        "name.en = \"Crimestoppers (anonymous reports)\"",
        &format!("name.en = \"{}\"", HOSTILE.replace('"', "\\\"")),
    );
    build(root, &["nz"]);
    let html = fs::read_to_string(root.join("out/site/nz/index.html")).unwrap();
    (dir, html, old)
}

#[test]
fn the_page_links_what_the_qr_codes_carry_and_passes_an_accessibility_check() {
    let (dir, html, old) = built_site();
    let root = dir.path();
    let page = Page::parse(&html);
    // The print codes it supersedes: the recorded run's, not the current one.
    let supersedes = page.all(|e| e.name == "p" && e.text.contains("These replace the contacts printed"));
    assert_eq!(supersedes.len(), 1, "no line naming the superseded print codes");
    assert!(supersedes[0].text.contains(&old), "{} does not name {old}", supersedes[0].text);
    assert!(html.matches("NZ-2026.1-").count() == 2, "the current code and {old}");
    // Hostile contact text is text.
    assert!(page.text.contains(HOSTILE), "the hostile name is not shown as written");
    assert!(page.all(|e| e.name == "script").is_empty(), "project data became a script");
    // Every contact link is a payload a printed QR code carries (decoded by zbar from poppler's
    // pixels of the contacts pages), and every printed contact code is a link.
    let pdf = root.join("out/editions/nz.pdf");
    let first = pages_with(&pdf, "Latest numbers")[0];
    let last = pdftotext(&pdf).split('\u{c}').filter(|p| !p.trim().is_empty()).count();
    let scratch = tempfile::tempdir().unwrap();
    let mut printed: BTreeSet<String> = (first..=last).flat_map(|p| zbar_page(&pdf, p, 150, scratch.path())).collect();
    assert!(printed.remove("https://www.example.org/guide/nz"), "the live page's own code");
    let links: BTreeSet<String> = page
        .all(|e| e.name == "a")
        .iter()
        .map(|a| a.attr("href").unwrap().to_string())
        .filter(|h| h.contains(':'))
        .collect();
    assert!(links.iter().any(|l| l.starts_with("tel:")) && links.iter().any(|l| l.starts_with("mailto:")));
    assert_eq!(links, printed, "the page's links and the printed QR codes differ");
    accessible(&page, &["ko", "en"]);
    // The index links the page.
    let index = Page::parse(&fs::read_to_string(root.join("out/site/index.html")).unwrap());
    accessible(&index, &["ko", "en"]);
    let hrefs: Vec<&str> = index.all(|e| e.name == "a").iter().filter_map(|a| a.attr("href")).collect();
    assert_eq!(hrefs, ["nz/index.html"]);
}

/// The checks a page passes: a language, a viewport, one h1, headings in order, every link
/// with text, nothing loaded from elsewhere, and each of `langs` marked on its runs.
fn accessible(page: &Page, langs: &[&str]) {
    let html = &page.all(|e| e.name == "html")[0];
    assert!(html.attr("lang").is_some_and(|l| !l.is_empty()), "<html> has no lang");
    let viewport = page.all(|e| e.name == "meta" && e.attr("name") == Some("viewport"));
    assert!(viewport.len() == 1 && viewport[0].attr("content").unwrap().contains("width=device-width"));
    assert_eq!(page.all(|e| e.name == "h1").len(), 1, "one h1");
    assert!(!page.all(|e| e.name == "h2").is_empty());
    assert!(!page.all(|e| e.name == "title")[0].text.trim().is_empty(), "a title");
    for a in page.all(|e| e.name == "a") {
        assert!(!a.text.trim().is_empty(), "a link without text: {:?}", a.attr("href"));
        let href = a.attr("href").unwrap();
        let contact = ["tel:", "sms:", "mailto:", "https://"].iter().any(|s| href.starts_with(s));
        assert!(contact || !href.contains(':') && !href.starts_with("//"), "an external link: {href}");
    }
    for tag in ["script", "img", "link", "iframe", "object", "embed", "video", "audio", "source"] {
        assert!(page.all(|e| e.name == tag).is_empty(), "<{tag}> on the page");
    }
    assert!(page.all(|e| e.attr("src").is_some() || e.attr("style").is_some()).is_empty());
    for lang in langs {
        assert!(!page.all(|e| e.attr("lang") == Some(lang)).is_empty(), "nothing marked lang={lang}");
    }
    // Every innermost element with Hangul in it is marked Korean (itself or a parent below <html>).
    let parents: BTreeSet<usize> = page.elements.iter().flat_map(|e| e.ancestors.iter().copied()).collect();
    for (i, e) in page.elements.iter().enumerate() {
        if parents.contains(&i) || !e.text.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c)) {
            continue;
        }
        let marked = std::iter::once(e)
            .chain(e.ancestors.iter().map(|&a| &page.elements[a]))
            .any(|x| x.name != "html" && x.attr("lang") == Some("ko"));
        assert!(marked, "Korean text not marked lang=ko: <{}> {}", e.name, e.text);
    }
}

/// Whether the page scrolls sideways in a window `w` wide, as Chromium lays it out: a copy of
/// the page with a measuring script added (the page itself has none) paints the whole window
/// green when the document is no wider than the window, red when it is, blue when the window
/// is not `w` wide; the screenshot's colour is the answer.
fn scrolls_sideways(html: &str, w: u32, scratch: &Path) -> bool {
    let probe = format!(
        "<script>function paint() {{ var d = document.documentElement, wide = d.scrollWidth > window.innerWidth; \
         d.style.background = window.innerWidth != {w} ? '#00f' : wide ? '#f00' : '#0f0'; }} \
         document.body.style.visibility = 'hidden'; paint(); \
         window.addEventListener('resize', paint); window.addEventListener('load', paint);</script>"
    );
    let copy = scratch.join(format!("probe-{w}.html"));
    fs::write(&copy, html.replace("</body>", &format!("{probe}</body>"))).unwrap();
    let (sw, sh, px) = crate::support::chromium_screenshot(&copy, w, 740, scratch);
    let channels = px.len() / (sw * sh) as usize;
    match &px[..3.min(channels)] {
        [0, 255, 0] => false,
        [255, 0, 0] => true,
        other => panic!("the measure at {w} px painted {other:?} (blue: the window is not {w} px wide)"),
    }
}

#[test]
fn the_page_reads_on_a_phone_and_a_desktop_without_sideways_scrolling() {
    let (dir, html, _) = built_site();
    let page = dir.path().join("out/site/nz/index.html");
    let scratch = tempfile::tempdir().unwrap();
    for (w, h) in [(360, 740), (1200, 800)] {
        assert!(!scrolls_sideways(&html, w, scratch.path()), "at {w} px the page scrolls sideways");
        let (sw, sh, px) = crate::support::chromium_screenshot(&page, w, h, scratch.path());
        assert_eq!((sw, sh), (w, h));
        let channels = px.len() / (w * h) as usize;
        let dark = px.chunks(channels).filter(|p| p[..3].iter().all(|&c| c < 100)).count();
        let share = dark as f64 / f64::from(w * h);
        assert!(share > 0.01, "the {w} px screenshot is blank ({share:.4} dark)");
    }
    // The measure can fail: a page wider than the phone is caught.
    let wide = html.replace("</main>", "<div style=\"width:900px\">x</div></main>");
    assert!(scrolls_sideways(&wide, 360, scratch.path()), "a 900 px element was not caught");
}
#[test]
fn an_unchanged_build_leaves_the_site_alone_and_the_index_lists_earlier_pages() {
    let dir = sample_copy();
    let root = dir.path();
    set_url(root, URL);
    build(root, &["nz"]);
    let page = root.join("out/site/nz/index.html");
    let before = fs::metadata(&page).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    build(root, &["jp"]);
    assert_eq!(fs::metadata(&page).unwrap().modified().unwrap(), before, "nz's page was rewritten");
    let index = Page::parse(&fs::read_to_string(root.join("out/site/index.html")).unwrap());
    let hrefs: Vec<&str> = index.all(|e| e.name == "a").iter().filter_map(|a| a.attr("href")).collect();
    assert_eq!(hrefs, ["jp/index.html", "nz/index.html"]);
    // No record: no line about superseded print codes.
    let html = fs::read_to_string(&page).unwrap();
    assert!(html.contains("NZ-2026.1-") && !html.contains("These replace the contacts printed"));
    // A build that finds every edition up to date writes the pages again when they are gone.
    fs::remove_dir_all(root.join("out/site")).unwrap();
    build(root, &["nz"]);
    assert_eq!(fs::read_to_string(&page).unwrap(), html);
    assert!(root.join("out/site/index.html").is_file());
}
