//! The print code of an edition, e.g. `NZ-2026.1-7C3E`: which version of the text and contacts
//! its pages carry. It is derived from everything that reaches the pages — the data the layouts
//! receive (guide, edition, contacts, chapter list), the layout files the book reads, the
//! chapter sources of its languages with what they read, and the fonts — so the same inputs give
//! the same code and any printed change a new one. It is printed on the imprint and on every
//! contacts page, recorded in the manifest and, when copies are printed or shipped, in the record.

use std::collections::BTreeSet;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::data::edition_data;
use super::forms::Variant;
use crate::error::Error;
use crate::project::{BOOK_LAYOUT, Edition, Project};

/// The virtual file the layouts read the code from (`json(...).code`).
pub const PRINT_JSON: &str = "/.guidepress/print.json";

/// The print code of `edition`: `<COUNTRY>-<guide version>-<4 hex digits>`. `fonts` are the
/// project's font files with their SHA-256, as (path, hash).
pub fn print_code(project: &Project, edition: &Edition, fonts: &[(String, String)]) -> Result<String, Error> {
    let data = edition_data(project, edition, Variant::Press, false)?;
    let mut h = Sha256::new();
    h.update(b"guidepress print code 1\n");
    h.update(&data.virtuals[0].1);
    let mut starts: Vec<String> = vec![format!("/{BOOK_LAYOUT}")];
    for lang in &edition.languages {
        starts.extend(project.chapters.get(lang).into_iter().flatten().map(|c| c.path.clone()));
    }
    for rel in reached_files(&project.root, &starts) {
        let bytes =
            crate::input::read_limited(&project.root.join(rel.trim_start_matches('/')), crate::input::MAX_ASSET_FILE)
                .unwrap_or_default();
        h.update(format!("\n{rel} {}", crate::output::sha256_hex(&bytes)).as_bytes());
    }
    for (rel, sha) in fonts {
        h.update(format!("\n{rel} {sha}").as_bytes());
    }
    let digest = h.finalize();
    let tail = format!("{:02X}{:02X}", digest[0], digest[1]);
    Ok(format!("{}-{}-{tail}", edition.country.to_uppercase(), project.guide.version))
}

/// The project's font files with their SHA-256 (path, hash), as the shared base read them.
pub fn font_hashes(base: &crate::typeset::world::Base) -> Vec<(String, String)> {
    base.fonts.files.iter().map(|f| (f.rel.clone(), f.stamp.sha256.clone())).collect()
}

/// The JSON the layouts read the code from.
pub fn print_json(code: &str) -> Vec<u8> {
    serde_json::json!({ "code": code }).to_string().into_bytes()
}

/// The project files (paths from the root with a leading slash) that `starts` read, and what
/// those read in turn: every string literal in a `.typ` file that names an existing file of the
/// project (`"style.typ"`, `"/assets/map.svg"`), relative to the file or, with a leading slash,
/// to the project. Generated files (`/.guidepress/…`) are the data, hashed apart.
fn reached_files(root: &Path, starts: &[String]) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = starts.to_vec();
    while let Some(rel) = todo.pop() {
        if rel.starts_with("/.guidepress/") || !seen.insert(rel.clone()) || !rel.ends_with(".typ") {
            continue;
        }
        let Ok(text) = crate::input::read_text(&root.join(rel.trim_start_matches('/'))) else { continue };
        let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
        for literal in string_literals(&text) {
            let Some(path) = resolve(dir, literal) else { continue };
            if !seen.contains(&path) && root.join(path.trim_start_matches('/')).is_file() {
                todo.push(path);
            }
        }
    }
    seen.retain(|rel| root.join(rel.trim_start_matches('/')).is_file());
    seen
}

/// The contents of the `"…"` literals of a Typst source that look like file names.
fn string_literals(text: &str) -> impl Iterator<Item = &str> {
    text.split('"').skip(1).step_by(2).filter(|s| !s.contains('\n') && s.contains('.') && s.len() < 300)
}

/// `literal` as a path from the project root, from a file in folder `dir`; `None` when it
/// leaves the project.
fn resolve(dir: &str, literal: &str) -> Option<String> {
    let joined = if literal.starts_with('/') { literal.to_string() } else { format!("{dir}/{literal}") };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_inside_the_project_only() {
        assert_eq!(resolve("/layouts", "style.typ").as_deref(), Some("/layouts/style.typ"));
        assert_eq!(resolve("/chapters/en", "/assets/map.svg").as_deref(), Some("/assets/map.svg"));
        assert_eq!(resolve("/chapters/en", "../ko/x.typ").as_deref(), Some("/chapters/ko/x.typ"));
        assert_eq!(resolve("/layouts", "../../etc/passwd"), None);
    }

    #[test]
    fn the_book_reaches_its_layouts_and_not_the_shipping_ones() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let files = reached_files(root, &["/layouts/book.typ".to_string()]);
        let book = [
            "/layouts/book.typ",
            "/layouts/style.typ",
            "/layouts/contacts.typ",
            "/layouts/strings.toml",
            "/layouts/languages.toml",
        ];
        for f in book {
            assert!(files.contains(f), "{f} in {files:?}");
        }
        for f in ["/layouts/labels.typ", "/layouts/packing.typ", "/layouts/shipping.toml"] {
            assert!(!files.contains(f), "{f} in {files:?}");
        }
    }
}
