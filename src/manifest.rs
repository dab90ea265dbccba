//! `out/manifest.json`: what each edition was built from and what it wrote, with hashes, so that
//! `build` redoes only editions whose inputs or outputs changed.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::edition::Size;
use crate::output::{Stamp, sha256_hex, write_atomic};

/// The manifest file name inside the output folder.
pub const MANIFEST: &str = "manifest.json";

/// One edition's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditionEntry {
    /// Edition id.
    pub id: String,
    /// ISO country code.
    pub country: String,
    /// Languages in print order.
    pub languages: Vec<String>,
    /// Trim size.
    pub trim: Size,
    /// Pages per variant (`press`, `screen`, `booklet` sides).
    pub pages: BTreeMap<String, usize>,
    /// Output files (relative to the output folder) and their stamps.
    pub files: BTreeMap<String, Stamp>,
    /// Input files (relative to the project) and their stamps: chapters, layouts, fonts, edition file.
    pub inputs: BTreeMap<String, Stamp>,
    /// Hash of the data the layouts received (guide, edition, contacts incl. shared ones, options,
    /// guidepress version).
    pub data: String,
    /// What its press pages carry: print code, contacts as printed with their boxes, chapter
    /// hashes (what `printed` and `ship` put in the record).
    #[serde(default)]
    pub release: Option<crate::model::record::Release>,
    /// `final`, or `draft: ` and why, as `build` reports it (empty in an older manifest).
    #[serde(default)]
    pub standing: String,
}

impl EditionEntry {
    /// The print code of the edition as last built (empty if unknown).
    pub fn print_code(&self) -> &str {
        self.release.as_ref().map_or("", |r| r.print_code.as_str())
    }
}

/// The whole manifest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The guidepress version that wrote it.
    pub guidepress: String,
    /// Stamps of the project's data files (`guidepress.toml`, every `editions/*.toml`, and
    /// `chapters/` standing for the list of chapter files): when none changed, no edition's data
    /// changed either, and a no-op build need not load the project.
    #[serde(default)]
    pub project: BTreeMap<String, Stamp>,
    /// Entries by edition id.
    pub editions: BTreeMap<String, EditionEntry>,
}

/// Stamps of the project's data files, see [`Manifest::project`]; reuses `previous` hashes when
/// size and modification time are unchanged.
pub fn project_stamps(root: &Path, previous: &BTreeMap<String, Stamp>) -> BTreeMap<String, Stamp> {
    let mut out = BTreeMap::new();
    let mut files = vec!["guidepress.toml".to_string(), crate::project::LIMITS.to_string()];
    let mut editions: Vec<String> = fs::read_dir(root.join("editions"))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| format!("editions/{}", e.file_name().to_string_lossy()))
        .collect();
    editions.sort();
    files.extend(editions);
    for rel in files {
        if let Some(stamp) = Stamp::of_file(&root.join(&rel), previous.get(&rel)) {
            out.insert(rel, stamp);
        }
    }
    let mut listing: Vec<String> = Vec::new();
    for lang in fs::read_dir(root.join("chapters")).into_iter().flatten().filter_map(Result::ok) {
        for ch in fs::read_dir(lang.path()).into_iter().flatten().filter_map(Result::ok) {
            listing.push(format!("{}/{}", lang.file_name().to_string_lossy(), ch.file_name().to_string_lossy()));
        }
    }
    listing.sort();
    let text = listing.join("\n");
    out.insert("chapters/".into(), Stamp { sha256: sha256_hex(text.as_bytes()), size: text.len() as u64, mtime_ns: 0 });
    out
}

impl Manifest {
    /// Reads `<out>/manifest.json`; a missing or unreadable manifest is an empty one (everything
    /// is rebuilt).
    pub fn load(out: &Path) -> Manifest {
        crate::input::read_limited(&out.join(MANIFEST), crate::input::MAX_ASSET_FILE)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Writes `<out>/manifest.json` atomically.
    pub fn save(&self, out: &Path) -> Result<(), Error> {
        let mut bytes = serde_json::to_vec_pretty(self).map_err(Error::internal)?;
        bytes.push(b'\n');
        write_atomic(&out.join(MANIFEST), &bytes)
    }
}

/// Why an edition must be rebuilt, in words for the status line; `None` when it is up to date.
pub fn stale_reason(
    entry: Option<&EditionEntry>,
    data: &str,
    project_root: &Path,
    out: &Path,
    fonts: &[String],
) -> Option<String> {
    let Some(entry) = entry else { return Some("not built before".into()) };
    if entry.data != data {
        return Some("its data changed (contacts, titles, chapter list or options)".into());
    }
    let recorded_fonts: Vec<&String> = entry.inputs.keys().filter(|k| k.starts_with("fonts/")).collect();
    if recorded_fonts.len() != fonts.len() || recorded_fonts.iter().zip(fonts).any(|(a, b)| *a != b) {
        return Some("the set of fonts changed".into());
    }
    for (rel, stamp) in &entry.inputs {
        match Stamp::of_file(&project_root.join(rel), Some(stamp)) {
            Some(now) if now.sha256 == stamp.sha256 => {}
            Some(_) => return Some(format!("{rel} changed")),
            None => return Some(format!("{rel} is gone")),
        }
    }
    for (rel, stamp) in &entry.files {
        match Stamp::of_file(&out.join(rel), Some(stamp)) {
            Some(now) if now.sha256 == stamp.sha256 => {}
            Some(_) => return Some(format!("{rel} was altered")),
            None => return Some(format!("{rel} is missing")),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = Manifest { guidepress: "0.1.0".into(), ..Default::default() };
        let stamp = Stamp { sha256: sha256_hex(b"x"), size: 1, mtime_ns: 5 };
        m.editions.insert(
            "nz".into(),
            EditionEntry {
                id: "nz".into(),
                country: "NZ".into(),
                languages: vec!["ko".into(), "en".into()],
                trim: Size { width_mm: 148.0, height_mm: 210.0 },
                pages: BTreeMap::from([("press".into(), 44)]),
                files: BTreeMap::from([("editions/nz.pdf".into(), stamp.clone())]),
                inputs: BTreeMap::from([("layouts/book.typ".into(), stamp)]),
                data: "abc".into(),
                release: None,
                standing: "final".into(),
            },
        );
        m.save(dir.path()).unwrap();
        assert_eq!(Manifest::load(dir.path()), m);
    }

    #[test]
    fn sha_is_hex() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn stamp_rehashes_when_content_changes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a");
        fs::write(&p, b"one").unwrap();
        let a = Stamp::of_file(&p, None).unwrap();
        fs::write(&p, b"two").unwrap();
        let b = Stamp::of_file(&p, Some(&a)).unwrap();
        assert_ne!(a.sha256, b.sha256);
    }
}
