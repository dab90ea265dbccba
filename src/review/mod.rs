//! Review before print: `out/index.html`, a static catalogue of the editions (cover, files,
//! status, contacts) with what the last build changed, and `out/review/` holding the page
//! renderings the next comparison needs, `state.json` and `changes.json`.
//!
//! [`update`] runs after a build that changed something, once the PDFs and the manifest are in
//! place. Words, sizes and resolutions come from `layouts/review.toml`, the style from
//! `layouts/review.css`.

pub mod changes;
pub mod html;
pub mod thumbs;

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use typst_layout::Page;

use crate::diag::{Problem, Problems};
use crate::error::Error;
use crate::manifest::Manifest;
use crate::model::fields::{self, Fields};
use crate::output;
use crate::project::{Project, layout_toml};
use changes::{Changes, EditionChanges, PageChange};
use thumbs::Grey;

/// The catalogue, in the output folder.
pub const INDEX: &str = "index.html";
/// The change report, in the output folder.
pub const CHANGES: &str = "review/changes.json";
/// What the next comparison needs, in the output folder.
pub const STATE: &str = "review/state.json";
/// The review's words and sizes.
pub const SETTINGS: &str = "layouts/review.toml";
/// The review's style sheet (copied to `out/review/review.css`).
pub const CSS: &str = "layouts/review.css";

/// The keys of `[words]` in layouts/review.toml that the page uses.
pub const WORDS: &[&str] = &[
    "title",
    "built",
    "as-of",
    "on-this-page",
    "contacts",
    "cover-of",
    "country",
    "languages",
    "trim",
    "pages",
    "print-code",
    "status",
    "last-rebuilt",
    "not-built-yet",
    "files",
    "press",
    "screen",
    "booklet",
    "cards",
    "final",
    "draft",
    "why-unverified",
    "why-stale",
    "why-unconfirmed",
    "why-translations",
    "translations-outdated",
    "why-untranslated",
    "changes",
    "not-rebuilt",
    "first-build",
    "no-change",
    "rebuilt-because",
    "contacts-changed",
    "contact",
    "field",
    "old",
    "new",
    "contacts-added",
    "contacts-removed",
    "chapters-changed",
    "added",
    "removed",
    "changed",
    "pages-to-proofread",
    "booklet-sides",
    "page",
    "before",
    "after",
    "none",
    "id",
    "numbers",
    "editions",
    "verified",
    "due-again",
    "status-ok",
    "status-due",
    "status-overdue",
    "status-unverified",
];

/// `layouts/review.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Settings {
    /// Resolution of the grey page renderings compared between builds (and shown before/after).
    pub compare_dpi: f32,
    /// Resolution of the colour cover thumbnail.
    pub cover_dpi: f32,
    /// Grey levels two renderings may differ by without counting as a change.
    pub threshold: u8,
    /// The page's words, by key.
    pub words: BTreeMap<String, String>,
}

impl Settings {
    /// Reads `layouts/review.toml`; every key of [`WORDS`] must be there.
    pub fn load(root: &Path) -> Result<Settings, Error> {
        let needed = "the review page (out/index.html) takes its words and resolutions from it";
        let settings: Settings = layout_toml::read(root, SETTINGS, needed)?.value;
        let missing: Vec<&str> = WORDS.iter().copied().filter(|k| !settings.words.contains_key(*k)).collect();
        if !missing.is_empty() {
            let message = format!(
                "[words] lacks {}; add {} (the page's English words)",
                missing.join(", "),
                if missing.len() == 1 { "it" } else { "them" }
            );
            return Err(Problems(vec![Problem::file(SETTINGS, message)]).into());
        }
        Ok(settings)
    }

    /// The word for `key`, one of [`WORDS`].
    pub fn word<'a>(&'a self, key: &'a str) -> &'a str {
        debug_assert!(WORDS.contains(&key), "{key} is not in review::WORDS");
        self.words.get(key).map_or(key, String::as_str)
    }
}

/// `out/review/state.json`: what the last build of each edition looked like.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    /// Per edition id.
    pub editions: BTreeMap<String, EditionState>,
}

/// One edition's last build, as the review remembers it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EditionState {
    /// When it was last rebuilt (UTC).
    pub built_at: String,
    /// Why it was last rebuilt.
    pub reason: String,
    /// Its press pages: Typst's layout hash and the hash of the grey rendering.
    pub pages: Vec<PageState>,
    /// Its contacts by id.
    pub contacts: BTreeMap<String, Fields>,
    /// Its chapter files with their SHA-256.
    pub chapters: BTreeMap<String, String>,
    /// The translated chapters it printed that were outdated (`en/03`).
    #[serde(default)]
    pub outdated: Vec<String>,
}

/// One press page of the last build.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageState {
    /// [`thumbs::layout_hash`].
    pub layout: String,
    /// [`Grey::hash`] of its rendering at `compare-dpi`.
    pub pixels: String,
}

/// An edition typeset in this build: why, and its laid-out press pages.
pub struct Rebuilt {
    /// Edition id.
    pub id: String,
    /// Why it was rebuilt.
    pub reason: String,
    /// Its press pages.
    pub pages: Vec<Page>,
}

/// The rendering of a page relative to the output folder.
pub fn page_png(id: &str, page: usize) -> String {
    format!("review/{id}/page-{page:03}.png")
}

/// The rendering a page had before this build, relative to the output folder.
pub fn before_png(id: &str, page: usize) -> String {
    format!("review/changes/{id}/page-{page:03}-before.png")
}

/// The cover thumbnail, relative to the output folder.
pub fn cover_png(id: &str) -> String {
    format!("review/{id}/cover.png")
}

/// What a page's comparison found (computed in parallel, written afterwards).
struct Compared {
    state: PageState,
    /// The new rendering, when it differs from the file on disk.
    png: Option<Vec<u8>>,
    /// The earlier rendering and where it differs, when the page changed.
    change: Option<(Option<Vec<u8>>, Option<thumbs::Region>)>,
    cover: Option<Vec<u8>>,
}

fn compare_page(out: &Path, id: &str, i: usize, page: &Page, old: Option<&PageState>, s: &Settings) -> Compared {
    let path = out.join(page_png(id, i + 1));
    let layout = thumbs::layout_hash(page);
    let cover_missing = i == 0 && !out.join(cover_png(id)).exists();
    let cover = |yes: bool| if yes { thumbs::render_colour_png(page, s.cover_dpi) } else { None };
    if let Some(o) = old.filter(|o| o.layout == layout && path.exists()) {
        return Compared { state: o.clone(), png: None, change: None, cover: cover(cover_missing) };
    }
    let grey = thumbs::render_grey(page, s.compare_dpi);
    let state = PageState { layout, pixels: grey.hash() };
    if old.is_some_and(|o| o.pixels == state.pixels) && path.exists() {
        return Compared { state, png: None, change: None, cover: cover(cover_missing) };
    }
    let change = old.map(|_| {
        let before = std::fs::read(&path).ok();
        let region =
            before.as_deref().and_then(Grey::from_png).and_then(|b| thumbs::differing_region(&b, &grey, s.threshold));
        (before, region)
    });
    Compared { state, png: Some(grey.to_png()), change, cover: cover(i == 0) }
}

/// Compares the rebuilt editions' pages, contacts and chapters with the last build's, then
/// writes the renderings, `state.json`, `changes.json`, the style sheet and `index.html`.
pub fn update(project: &Project, out: &Path, after: &Manifest, rebuilt: &[Rebuilt]) -> Result<(), Error> {
    let settings = Settings::load(&project.root)?;
    let mut state: State =
        std::fs::read(out.join(STATE)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    let built_at = crate::model::date::now_utc();
    let jobs: Vec<(&Rebuilt, usize)> = rebuilt.iter().flat_map(|r| (0..r.pages.len()).map(move |i| (r, i))).collect();
    let compared: Vec<Compared> = jobs
        .par_iter()
        .map(|(r, i)| {
            let old = state.editions.get(&r.id).and_then(|e| e.pages.get(*i));
            compare_page(out, &r.id, *i, &r.pages[*i], old, &settings)
        })
        .collect();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut report =
        Changes { built_at: built_at.clone(), guidepress: env!("CARGO_PKG_VERSION").into(), ..Default::default() };
    let mut compared = compared.into_iter();
    for r in rebuilt {
        let pages: Vec<Compared> = compared.by_ref().take(r.pages.len()).collect();
        let Some(edition) = project.edition(&r.id) else { continue };
        let old = state.editions.get(&r.id);
        let (mut c, pages) = compare_edition(&r.id, old, pages, &mut files);
        c.rebuilt = Some(r.reason.clone());
        let contacts = fields::edition_contacts(edition);
        let chapters = chapter_hashes(after, &r.id);
        if let Some(o) = old {
            let diff = fields::diff_contacts(&o.contacts, &contacts);
            (c.contacts_added, c.contacts_removed, c.contacts_changed) =
                (diff.contacts_added, diff.contacts_removed, diff.contacts_changed);
            c.chapters = changes::diff_chapters(&o.chapters, &chapters);
        }
        let outdated = outdated_translations(project, edition);
        c.translations_outdated = outdated
            .iter()
            .filter(|(short, _)| old.is_some_and(|o| !o.outdated.contains(short)))
            .map(|(_, what)| what.clone())
            .collect();
        let outdated = outdated.into_iter().map(|(short, _)| short).collect();
        let entry =
            EditionState { built_at: built_at.clone(), reason: r.reason.clone(), pages, contacts, chapters, outdated };
        report.editions.insert(r.id.clone(), c);
        state.editions.insert(r.id.clone(), entry);
    }
    for e in &project.editions {
        report.editions.entry(e.id.clone()).or_default();
    }
    state.editions.retain(|id, _| project.edition(id).is_some());
    // The previous build's before-renderings go; this build's are written next.
    let _ = std::fs::remove_dir_all(out.join("review/changes"));
    for (rel, bytes) in &files {
        output::write_atomic(&out.join(rel), bytes)?;
    }
    for r in rebuilt {
        remove_pages_after(&out.join("review").join(&r.id), r.pages.len());
    }
    let css_path = project.root.join(CSS);
    let css =
        crate::input::read_limited(&css_path, crate::input::MAX_PROJECT_FILE).map_err(|e| Error::io(&css_path, e))?;
    output::write_atomic(&out.join("review/review.css"), &css)?;
    output::write_atomic(&out.join(STATE), to_json(&state).as_bytes())?;
    output::write_atomic(&out.join(CHANGES), to_json(&report).as_bytes())?;
    let page = html::index(project, out, after, &settings, &state, &report)?;
    output::write_atomic(&out.join(INDEX), page.as_bytes())
}

/// One edition's page comparisons: the changed pages (and the files to write), and the pages'
/// new state.
fn compare_edition(
    id: &str,
    old: Option<&EditionState>,
    compared: Vec<Compared>,
    files: &mut Vec<(String, Vec<u8>)>,
) -> (EditionChanges, Vec<PageState>) {
    let mut c = EditionChanges { first_build: old.is_none(), ..Default::default() };
    let mut pages = Vec::new();
    for (i, cmp) in compared.into_iter().enumerate() {
        if let Some(png) = cmp.png {
            files.push((page_png(id, i + 1), png));
        }
        if let Some(cover) = cmp.cover {
            files.push((cover_png(id), cover));
        }
        if let Some((before_bytes, region)) = cmp.change {
            let before = before_bytes.map(|b| {
                files.push((before_png(id, i + 1), b));
                before_png(id, i + 1)
            });
            c.pages.push(PageChange { page: i + 1, before, after: Some(page_png(id, i + 1)), region });
        }
        pages.push(cmp.state);
    }
    let old_count = old.map_or(0, |o| o.pages.len());
    if old.is_some() {
        for page in pages.len() + 1..=old_count {
            c.pages.push(PageChange { page, before: None, after: None, region: None });
        }
    }
    let total = pages.len().max(old_count);
    c.booklet_sides = c.pages.iter().filter_map(|p| thumbs::booklet_side(p.page, total)).collect();
    c.booklet_sides.sort_unstable();
    c.booklet_sides.dedup();
    (c, pages)
}

/// Removes the renderings of pages after `pages` (an edition that got shorter).
fn remove_pages_after(dir: &Path, pages: usize) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let number =
            name.strip_prefix("page-").and_then(|n| n.strip_suffix(".png")).and_then(|n| n.parse::<usize>().ok());
        if number.is_some_and(|n| n == 0 || n > pages) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Pretty JSON of a serialisable value, with a final newline.
fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}

/// The chapter files an edition was built from, with their SHA-256, from the manifest.
/// The outdated translated chapters an edition prints: (`en/03`, `en/03: chapters/ko/03-….typ
/// line 12 changed`).
fn outdated_translations(project: &Project, edition: &crate::project::Edition) -> Vec<(String, String)> {
    use crate::project::translations::{Standing, lines_phrase};
    project
        .translations
        .behind(&edition.languages)
        .filter_map(|c| match &c.standing {
            Standing::Outdated { changed, .. } => {
                let what = if changed.is_empty() { "paragraphs removed".to_string() } else { lines_phrase(changed) };
                Some((c.short(), format!("{}: {} {what}", c.short(), c.source_file)))
            }
            _ => None,
        })
        .collect()
}

fn chapter_hashes(manifest: &Manifest, id: &str) -> BTreeMap<String, String> {
    manifest
        .editions
        .get(id)
        .map(|e| {
            e.inputs
                .iter()
                .filter(|(rel, _)| rel.starts_with("chapters/"))
                .map(|(rel, s)| (rel.clone(), s.sha256.clone()))
                .collect()
        })
        .unwrap_or_default()
}
