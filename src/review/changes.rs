//! What changed in an edition since the previous build: its contacts field by field, its
//! chapters, and the pages whose rendering changed (`out/review/changes.json`), and the same as
//! terminal text for `guidepress changes`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::thumbs::Region;
use crate::error::Error;
use crate::model::fields::{ContactChange, ContactRef};

/// `out/review/changes.json`: what the last build that changed something changed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Changes {
    /// When that build ran (UTC, `YYYY-MM-DD HH:MM UTC`).
    pub built_at: String,
    /// The guidepress version that ran it.
    pub guidepress: String,
    /// Per edition id.
    pub editions: BTreeMap<String, EditionChanges>,
}

/// What one edition's last build changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EditionChanges {
    /// Why the edition was rebuilt in that build; `None` when it was up to date.
    pub rebuilt: Option<String>,
    /// True when there was no earlier build of it to compare with.
    pub first_build: bool,
    /// Contacts printed now and not before.
    pub contacts_added: Vec<ContactRef>,
    /// Contacts printed before and not now.
    pub contacts_removed: Vec<ContactRef>,
    /// Contacts whose printed fields changed.
    pub contacts_changed: Vec<ContactChange>,
    /// Chapter files added, removed or changed.
    pub chapters: Vec<ChapterChange>,
    /// Press pages whose rendering changed.
    pub pages: Vec<PageChange>,
    /// Booklet sides holding those pages (1-based).
    pub booklet_sides: Vec<usize>,
    /// Translated chapters this build found outdated that were not before, with the source
    /// lines that changed (`en/03: chapters/ko/03-….typ line 12`).
    #[serde(default)]
    pub translations_outdated: Vec<String>,
}

impl EditionChanges {
    /// True when nothing a reader sees changed.
    pub fn is_empty(&self) -> bool {
        self.contacts_added.is_empty()
            && self.contacts_removed.is_empty()
            && self.contacts_changed.is_empty()
            && self.chapters.is_empty()
            && self.pages.is_empty()
            && self.translations_outdated.is_empty()
    }
}

/// A chapter file that changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChapterChange {
    /// Its path in the project (`chapters/en/03-signs.md`).
    pub file: String,
    /// `added`, `removed` or `changed`.
    pub change: String,
}

/// A press page whose rendering changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageChange {
    /// Page number (1-based).
    pub page: usize,
    /// Its rendering before, relative to the output folder (`None`: a new page).
    pub before: Option<String>,
    /// Its rendering now (`None`: the page is gone).
    pub after: Option<String>,
    /// Where it differs, as fractions of the page.
    pub region: Option<Region>,
}

/// The chapter files (path → SHA-256) added, removed or changed between two builds.
pub fn diff_chapters(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Vec<ChapterChange> {
    let mut out = Vec::new();
    for (file, hash) in new {
        match old.get(file) {
            None => out.push(ChapterChange { file: file.clone(), change: "added".into() }),
            Some(h) if h != hash => out.push(ChapterChange { file: file.clone(), change: "changed".into() }),
            Some(_) => {}
        }
    }
    for file in old.keys().filter(|f| !new.contains_key(*f)) {
        out.push(ChapterChange { file: file.clone(), change: "removed".into() });
    }
    out.sort_by(|a, b| a.file.cmp(&b.file));
    out
}

/// Reads `out/review/changes.json`; an error when no build has written it yet.
pub fn load(out: &Path) -> Result<Changes, Error> {
    let path = out.join(super::CHANGES);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    serde_json::from_str(&text)
        .map_err(|e| Error::Refused(format!("{} cannot be read ({e}); build again to rewrite it", path.display())))
}

/// The change report as terminal text, for the editions `ids` (all when empty); an unknown id
/// is a usage error listing the ids.
pub fn text(changes: &Changes, ids: &[String]) -> Result<String, Error> {
    let unknown: Vec<String> =
        ids.iter().filter(|id| !changes.editions.contains_key(*id)).map(|s| format!("`{s}`")).collect();
    if !unknown.is_empty() {
        let known: Vec<&str> = changes.editions.keys().map(String::as_str).collect();
        return Err(Error::Usage(format!(
            "no edition {} in the last build's change report; its editions are: {}",
            unknown.join(", "),
            known.join(", ")
        )));
    }
    let mut out = format!("changes of the build of {} (guidepress {})\n", changes.built_at, changes.guidepress);
    for (id, c) in changes.editions.iter().filter(|(id, _)| ids.is_empty() || ids.contains(id)) {
        out.push_str(&edition_text(id, c));
    }
    Ok(out)
}

fn edition_text(id: &str, c: &EditionChanges) -> String {
    let mut out = match (&c.rebuilt, c.first_build, c.is_empty()) {
        (None, _, _) => return format!("{id}: no change (not rebuilt)\n"),
        (Some(why), true, _) => return format!("{id}: first build ({why}); nothing to compare with\n"),
        (Some(why), false, true) => return format!("{id}: no change ({why})\n"),
        (Some(why), false, false) => format!("{id}: rebuilt ({why})\n"),
    };
    let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
    for a in &c.contacts_added {
        out.push_str(&format!("  contact added    {} ({})\n", a.name, a.id));
    }
    for r in &c.contacts_removed {
        out.push_str(&format!("  contact removed  {} ({})\n", r.name, r.id));
    }
    for ch in &c.contacts_changed {
        out.push_str(&format!("  contact changed  {} ({})\n", ch.name, ch.id));
        for f in &ch.fields {
            out.push_str(&format!("    {}: {} → {}\n", f.field, or_none(&f.old), or_none(&f.new)));
        }
    }
    for ch in &c.chapters {
        out.push_str(&format!("  chapter {:<8} {}\n", ch.change, ch.file));
    }
    for t in &c.translations_outdated {
        out.push_str(&format!("  translation now outdated  {t}\n"));
    }
    if !c.pages.is_empty() {
        let pages: Vec<String> = c.pages.iter().map(|p| p.page.to_string()).collect();
        let sides: Vec<String> = c.booklet_sides.iter().map(usize::to_string).collect();
        out.push_str(&format!("  pages to proofread: {} (booklet sides {})\n", pages.join(", "), sides.join(", ")));
    }
    out
}
