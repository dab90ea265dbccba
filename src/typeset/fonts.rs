//! Fonts: every font file in the project's `fonts/` folder, parsed once per run and shared.

use std::fs;
use std::path::Path;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

use crate::diag::{Problem, Problems};
use crate::output::Stamp;

/// File extensions read as fonts; other files (licences, notes) are left alone.
const FONT_EXTENSIONS: &[&str] = &["otf", "ttf", "ttc", "otc"];

/// The font files of a project (`fonts/<name>`, relative to the root), sorted, without reading them.
pub fn font_file_names(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root.join("fonts"))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| !e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            let ext = n.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
            FONT_EXTENSIONS.contains(&ext.as_str())
        })
        .map(|n| format!("fonts/{n}"))
        .collect();
    names.sort();
    names
}

/// One font file and the families it holds.
#[derive(Debug, Clone)]
pub struct FontFile {
    /// Path relative to the project root, e.g. `fonts/Pretendard-Regular.otf`.
    pub rel: String,
    /// Family names of the faces in the file.
    pub families: Vec<String>,
    /// Size, modification time and SHA-256 of the file as read (for the manifest).
    pub stamp: Stamp,
}

/// All fonts of a project.
pub struct Fonts {
    /// Metadata for Typst's font selection.
    pub book: LazyHash<FontBook>,
    /// The faces, in book order.
    pub fonts: Vec<Font>,
    /// The files they came from.
    pub files: Vec<FontFile>,
    /// Every code point some face has, gathered on first use ([`Fonts::covers`]): Typst's own
    /// coverage lists are searched run by run, which is slow for CJK faces and thousands of
    /// characters.
    covered: std::sync::OnceLock<std::collections::HashSet<u32>>,
}

/// A reading of `<root>/fonts/` started ahead of time by [`prefetch`].
type Prefetched = (std::path::PathBuf, std::thread::JoinHandle<Result<Fonts, Problems>>);
static PREFETCH: std::sync::Mutex<Option<Prefetched>> = std::sync::Mutex::new(None);

/// Starts reading and parsing `<root>/fonts/` on another thread, so that it overlaps with
/// loading the project (whose phone numbers need the phone-number database, which takes as long
/// to set up); the next [`Fonts::load`] of the same folder takes the result.
pub fn prefetch(root: &Path) {
    let root = root.to_path_buf();
    let dir = root.clone();
    let handle = std::thread::spawn(move || {
        let fonts = Fonts::read(&dir)?;
        fonts.covers(' ');
        Ok(fonts)
    });
    if let Ok(mut slot) = PREFETCH.lock() {
        *slot = Some((root, handle));
    }
}

impl Fonts {
    /// Reads every font file in `<root>/fonts/` (not recursive), reporting files that are not fonts
    /// (or takes what [`prefetch`] read of the same folder).
    pub fn load(root: &Path) -> Result<Fonts, Problems> {
        let started = PREFETCH.lock().ok().and_then(|mut slot| slot.take());
        if let Some((dir, handle)) = started
            && dir == root
            && let Ok(fonts) = handle.join()
        {
            return fonts;
        }
        Self::read(root)
    }

    fn read(root: &Path) -> Result<Fonts, Problems> {
        let mut problems = Problems::default();
        let dir = root.join("fonts");
        let mut paths: Vec<_> = match fs::read_dir(&dir) {
            Ok(entries) => entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| !p.is_dir()).collect(),
            Err(_) => {
                problems.push(Problem::file("fonts/", "is missing; put the font files the layouts use in fonts/"));
                return Err(problems);
            }
        };
        paths.sort();
        let mut fonts = Vec::new();
        let mut files = Vec::new();
        for path in paths {
            let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
            let ext = path.extension().unwrap_or_default().to_string_lossy().to_ascii_lowercase();
            if !FONT_EXTENSIONS.contains(&ext.as_str()) {
                continue;
            }
            let rel = format!("fonts/{name}");
            let data = match crate::input::read_limited(&path, crate::input::MAX_FONT_FILE) {
                Ok(d) => d,
                Err(e) => {
                    problems.push(Problem::file(&rel, format!("cannot be read: {e}")));
                    continue;
                }
            };
            let stamp = Stamp::of_bytes(&data, &path);
            let faces: Vec<Font> = Font::iter(Bytes::new(data)).collect();
            if faces.is_empty() {
                problems.push(Problem::file(&rel, "is not a font Typst can read (OpenType .otf/.ttf/.ttc); replace it with the real font file or remove it"));
                continue;
            }
            let mut families: Vec<String> = faces.iter().map(|f| f.info().family.clone()).collect();
            families.dedup();
            files.push(FontFile { rel, families, stamp });
            fonts.extend(faces);
        }
        if fonts.is_empty() && problems.is_empty() {
            problems.push(Problem::file("fonts/", "holds no font files; copy the project's fonts (.otf/.ttf) there"));
        }
        problems.into_result()?;
        let book = LazyHash::new(FontBook::from_fonts(&fonts));
        Ok(Fonts { book, fonts, files, covered: std::sync::OnceLock::new() })
    }

    /// True when some face of `family` (case-insensitive) can draw `c`.
    pub fn family_covers(&self, family: &str, c: char) -> bool {
        self.fonts
            .iter()
            .filter(|f| f.info().family.eq_ignore_ascii_case(family))
            .any(|f| f.info().coverage.contains(c as u32))
    }

    /// True when some face's family is `family` (case-insensitive, as Typst matches families).
    pub fn has_family(&self, family: &str) -> bool {
        self.fonts.iter().any(|f| f.info().family.eq_ignore_ascii_case(family))
    }

    /// Every family, sorted, once.
    pub fn families(&self) -> Vec<String> {
        let mut out: Vec<String> = self.fonts.iter().map(|f| f.info().family.clone()).collect();
        out.sort();
        out.dedup();
        out
    }

    /// True when any face can draw `c`.
    pub fn covers(&self, c: char) -> bool {
        self.covered
            .get_or_init(|| self.fonts.iter().flat_map(|f| f.info().coverage.iter()).collect())
            .contains(&(c as u32))
    }
}
