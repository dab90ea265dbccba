//! The review page (out/index.html) and the change report: opened in headless Chromium, links
//! followed, and one contact's number changed in editions/nz.toml.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::support::{edit, guidepress, sample_copy, stderr};

fn build(root: &Path) {
    let out = guidepress(root, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// One element of the page: its name, attributes, the elements it is inside (indexes into
/// [`Page::elements`]) and its text.
pub(crate) struct Element {
    pub(crate) name: String,
    attrs: BTreeMap<String, String>,
    pub(crate) ancestors: Vec<usize>,
    pub(crate) text: String,
}

impl Element {
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).map(String::as_str)
    }

    fn class(&self, class: &str) -> bool {
        self.attr("class").is_some_and(|c| c.split_whitespace().any(|w| w == class))
    }
}

/// A page read by an HTML5 tokenizer (WHATWG's rules: entities, attributes, raw text), with its
/// elements nested by their start and end tags.
pub(crate) struct Page {
    pub(crate) elements: Vec<Element>,
    pub(crate) text: String,
}

/// Elements that have no end tag.
const VOID: [&str; 13] =
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"];

impl Page {
    pub(crate) fn parse(html: &str) -> Page {
        use html5gum::{Token, Tokenizer};
        let (mut elements, mut open, mut text) = (Vec::<Element>::new(), Vec::<usize>::new(), String::new());
        let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        for token in Tokenizer::new(html).flatten() {
            match token {
                Token::StartTag(tag) => {
                    let name = s(&tag.name);
                    let attrs = tag.attributes.iter().map(|(k, v)| (s(k), s(&v.value))).collect();
                    elements.push(Element { name: name.clone(), attrs, ancestors: open.clone(), text: String::new() });
                    if !tag.self_closing && !VOID.contains(&name.as_str()) {
                        open.push(elements.len() - 1);
                    }
                }
                Token::EndTag(tag) => {
                    let name = s(&tag.name);
                    if let Some(k) = open.iter().rposition(|&i| elements[i].name == name) {
                        open.truncate(k);
                    }
                }
                Token::String(t) => {
                    let t = s(&t.value);
                    for &i in &open {
                        elements[i].text.push_str(&t);
                    }
                    text.push_str(&t);
                }
                _ => {}
            }
        }
        Page { elements, text }
    }

    /// The elements for which `f` holds.
    pub(crate) fn all(&self, f: impl Fn(&Element) -> bool) -> Vec<&Element> {
        self.elements.iter().filter(|e| f(e)).collect()
    }

    /// True when `e` is inside an element for which `f` holds.
    fn inside(&self, e: &Element, f: impl Fn(&Element) -> bool) -> bool {
        e.ancestors.iter().any(|&i| f(&self.elements[i]))
    }
}

fn page(root: &Path) -> Page {
    Page::parse(&fs::read_to_string(root.join("out/index.html")).unwrap())
}

#[test]
fn the_catalogue_opens_in_chromium_and_every_link_resolves() {
    let dir = sample_copy();
    let root = dir.path();
    // Markup in project data is text on the page, never markup.
    let hostile = "name.en = \"Crimestoppers <b onclick=\\\"x()\\\">overseas</b> & 'co'\"";
    edit(root, "editions/nz.toml", "name.en = \"Crimestoppers (number for calls from overseas)\"", hostile);
    build(root);
    let out = root.join("out");
    let doc = page(root);
    assert!(doc.all(|e| e.name == "b" || e.attr("onclick").is_some()).is_empty(), "project data became markup");
    let text = doc.text.clone();
    assert!(text.contains("Crimestoppers <b onclick=\"x()\">overseas</b> & 'co'"), "{text}");
    // Every link, image and style sheet is a file of the output folder (or a fragment of the page).
    let ids: BTreeSet<&str> = doc.elements.iter().filter_map(|e| e.attr("id")).collect();
    let mut targets = 0;
    for (css, attr) in [("a", "href"), ("img", "src"), ("link", "href")] {
        for e in doc.all(|e| e.name == css) {
            let target = e.attr(attr).unwrap_or_else(|| panic!("<{css}> without {attr}"));
            assert!(!target.contains(':'), "{target}: no external or scheme link");
            match target.strip_prefix('#') {
                Some(frag) => assert!(ids.contains(frag), "no element with id {frag}"),
                None => assert!(out.join(target).is_file(), "{target} does not exist"),
            }
            targets += 1;
        }
    }
    assert!(targets > 6 * 4, "only {targets} links");
    assert!(doc.all(|e| e.name == "script").is_empty());
    assert_eq!(doc.all(|e| e.name == "html")[0].attr("lang"), Some("en"));
    assert!(!doc.all(|e| e.name == "span" && e.attr("lang") == Some("ko")).is_empty());
    for img in doc.all(|e| e.name == "img") {
        assert!(img.attr("alt").is_some_and(|a| !a.trim().is_empty()), "an image without alt text");
    }
    // The page names all six editions, in their languages.
    let project = guidepress::Project::load(root).unwrap();
    assert_eq!(project.editions.len(), 6);
    for e in &project.editions {
        let section = format!("edition-{}", e.id);
        assert!(doc.all(|el| el.attr("id") == Some(section.as_str())).len() == 1, "no section for {}", e.id);
        for name in e.name.values() {
            assert!(text.contains(name.as_str()), "the page does not name {name}");
        }
        for file in ["", "-screen", "-booklet"] {
            let href = format!("editions/{}{file}.pdf", e.id);
            assert_eq!(
                doc.all(|a| a.name == "a" && a.attr("href") == Some(href.as_str())).len(),
                1,
                "no link to {href}"
            );
        }
        assert!(out.join(format!("review/{}/cover.png", e.id)).is_file());
    }
    // Every contact of the table, with the status `guidepress contacts` gives it.
    let report = guidepress::project::standing::report(&project, &[]).unwrap();
    let rows = doc.all(|tr| {
        tr.name == "tr"
            && doc.inside(tr, |e| e.name == "tbody")
            && doc.inside(tr, |e| e.name == "table" && e.class("contacts"))
    });
    assert_eq!(rows.len(), report.rows.len());
    // A real browser draws it: not blank, the size asked for.
    let (w, h, rgba) = crate::support::chromium_screenshot(&out.join("index.html"), 1200, 1600, root);
    assert_eq!((w, h), (1200, 1600));
    let ink = rgba.chunks(4).filter(|p| p[0] < 128 && p[1] < 128 && p[2] < 128).count();
    let colours: BTreeSet<[u8; 3]> = rgba.chunks(4).map(|p| [p[0] >> 4, p[1] >> 4, p[2] >> 4]).collect();
    assert!(ink > 2000, "the screenshot is blank ({ink} dark pixels)");
    assert!(colours.len() > 20, "the screenshot has only {} colours", colours.len());
}

/// Page texts of a PDF, one string per page.
fn page_texts(pdf: &Path) -> Vec<String> {
    let text = crate::support::pdftotext(pdf);
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    pages.pop();
    pages
}

fn changed_pages(before: &[String], after: &[String]) -> Vec<u64> {
    (0..before.len().max(after.len())).filter(|i| before.get(*i) != after.get(*i)).map(|i| i as u64 + 1).collect()
}

#[test]
fn a_changed_number_is_reported_under_nz_only_with_its_pages() {
    let dir = sample_copy();
    let root = dir.path();
    build(root);
    let editions = root.join("out/editions");
    let press_before = page_texts(&editions.join("nz.pdf"));
    let booklet_before = page_texts(&editions.join("nz-booklet.pdf"));
    edit(root, "editions/nz.toml", "phone = \"0800 555 111\"", "phone = \"0800 555 112\"");
    build(root);
    let changes: Value = serde_json::from_slice(&fs::read(root.join("out/review/changes.json")).unwrap()).unwrap();
    let editions_json = changes["editions"].as_object().unwrap();
    assert_eq!(editions_json.len(), 6);
    for (id, c) in editions_json {
        if id != "nz" {
            assert!(c["rebuilt"].is_null(), "{id} reports a change: {c}");
            assert!(c["pages"].as_array().unwrap().is_empty() && c["contacts_changed"].as_array().unwrap().is_empty());
        }
    }
    let nz = &editions_json["nz"];
    let changed = nz["contacts_changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1, "{nz}");
    assert_eq!(changed[0]["name"], "Crimestoppers (anonymous reports)");
    let fields = changed[0]["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 1, "{fields:?}");
    assert_eq!(fields[0]["field"], "phone");
    assert!(fields[0]["old"].as_str().unwrap().starts_with("0800 555 111"), "{fields:?}");
    assert!(fields[0]["new"].as_str().unwrap().starts_with("0800 555 112"), "{fields:?}");
    assert!(nz["chapters"].as_array().unwrap().is_empty());
    // The pages reported are exactly those whose text changed: the contacts pages, and the
    // imprint (page 2), whose print code changed with the number.
    let press_after = page_texts(&editions.join("nz.pdf"));
    let expected = changed_pages(&press_before, &press_after);
    let pages: Vec<u64> = nz["pages"].as_array().unwrap().iter().map(|p| p["page"].as_u64().unwrap()).collect();
    assert!(!pages.is_empty());
    assert_eq!(pages, expected);
    assert_eq!(pages[0], 2, "the imprint's print code changed");
    assert!(press_after[1].contains("Print code"), "{}", press_after[1]);
    for p in &pages[1..] {
        assert!(press_after[*p as usize - 1].contains("Contacts"), "page {p} is not a contacts page");
        assert!(nz["pages"][0]["region"].is_object());
    }
    let booklet_after = page_texts(&editions.join("nz-booklet.pdf"));
    let sides: Vec<u64> = nz["booklet_sides"].as_array().unwrap().iter().map(|s| s.as_u64().unwrap()).collect();
    assert_eq!(sides, changed_pages(&booklet_before, &booklet_after));
    // The before and after renderings exist and the page shows them side by side.
    let doc = page(root);
    let in_edition = |e: &Element, id: &str| doc.inside(e, |s| s.attr("id") == Some(id));
    let pair = doc.all(|e| e.name == "figure" && e.class("pair") && in_edition(e, "edition-nz"));
    assert_eq!(pair.len(), pages.len());
    assert_eq!(doc.all(|e| e.class("region") && in_edition(e, "edition-nz")).len(), 2 * pages.len());
    assert!(doc.all(|e| e.name == "figure" && e.class("pair") && in_edition(e, "edition-au")).is_empty());
    let text = doc.all(|e| e.name == "table" && e.class("diff") && in_edition(e, "edition-nz"))[0].text.clone();
    assert!(text.contains("0800 555 111") && text.contains("0800 555 112"), "{text}");
    // The terminal says the same.
    let out = guidepress(root, &["changes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(said.contains("nz: rebuilt (its data changed"), "{said}");
    assert!(said.contains("phone: 0800 555 111") && said.contains("→ 0800 555 112"), "{said}");
    for id in ["au", "ca", "jp", "mo", "us"] {
        assert!(said.contains(&format!("{id}: no change")), "{said}");
    }
    let list: Vec<String> = pages.iter().map(u64::to_string).collect();
    assert!(said.contains(&format!("pages to proofread: {}", list.join(", "))), "{said}");
    let au = guidepress(root, &["changes", "au"]);
    assert_eq!(String::from_utf8(au.stdout).unwrap().lines().nth(1), Some("au: no change (not rebuilt)"));
    let unknown = guidepress(root, &["changes", "xx"]);
    assert_eq!(unknown.status.code(), Some(2), "{}", stderr(&unknown));
    // Chromium draws the change report too (the page a reviewer opens after the edit).
    let (_, _, rgba) = crate::support::chromium_screenshot(&root.join("out/index.html"), 1200, 1600, root);
    assert!(rgba.chunks(4).any(|p| p[0] < 100), "blank");
}

#[test]
fn a_no_op_build_does_not_rewrite_the_page() {
    let dir = sample_copy();
    let root = dir.path();
    build(root);
    let index = root.join("out/index.html");
    let mtime = || fs::metadata(&index).unwrap().modified().unwrap();
    let (first, state) = (mtime(), fs::read(root.join("out/review/state.json")).unwrap());
    std::thread::sleep(std::time::Duration::from_millis(20));
    // The fast path (nothing touched) and the full one (a data file touched, not changed).
    build(root);
    assert_eq!(mtime(), first);
    let toml = root.join("editions/nz.toml");
    fs::write(&toml, fs::read(&toml).unwrap()).unwrap();
    build(root);
    assert_eq!(mtime(), first);
    // A forced build rewrites the page but finds no change: the renderings are compared.
    let out = guidepress(root, &["build", "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let changes: Value = serde_json::from_slice(&fs::read(root.join("out/review/changes.json")).unwrap()).unwrap();
    for (id, c) in changes["editions"].as_object().unwrap() {
        assert_eq!(c["rebuilt"], "forced", "{id}");
        assert!(c["pages"].as_array().unwrap().is_empty(), "{id}: {c}");
    }
    let after: Value = serde_json::from_slice(&fs::read(root.join("out/review/state.json")).unwrap()).unwrap();
    let before: Value = serde_json::from_slice(&state).unwrap();
    for (id, e) in before["editions"].as_object().unwrap() {
        assert_eq!(e["pages"], after["editions"][id]["pages"], "{id}: the same pages hash the same");
    }
}
