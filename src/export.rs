//! `guidepress export ID DIR`: an edition as a self-contained Typst project that typst-cli compiles
//! to the same pages (`typst compile --font-path DIR/fonts --ignore-system-fonts DIR/main.typ`).

use std::fs;
use std::path::{Path, PathBuf};

use crate::editions::{self, Variant, print_code};
use crate::error::Error;
use crate::output::write_atomic;
use crate::project::Project;

/// The main file written into the export folder.
const MAIN: &str = "// Exported by guidepress: the press form of one edition as a plain Typst project.\n\
// typst compile --font-path fonts --ignore-system-fonts main.typ\n\
// The edition's data and QR codes are in .guidepress/ (generated; edit the guidepress project instead).\n\
#include \"/layouts/book.typ\"\n";

/// Writes edition `id` into `dir`; returns the files written (relative to `dir`).
pub fn export(project: &Project, id: &str, dir: &Path) -> Result<Vec<String>, Error> {
    let edition = project.select(&[id.to_string()])?[0];
    let mut inputs = editions::edition_inputs(project, edition, Variant::Press)?;
    let fonts: Vec<(String, String)> = crate::typeset::fonts::font_file_names(&project.root)
        .into_iter()
        .filter_map(|rel| Some((rel.clone(), crate::output::Stamp::of_file(&project.root.join(&rel), None)?.sha256)))
        .collect();
    let code = print_code::print_code(project, edition, &fonts)?;
    inputs.virtuals.push((print_code::PRINT_JSON.to_string(), print_code::print_json(&code)));
    let mut written = Vec::new();
    let mut put = |rel: &str, bytes: &[u8]| -> Result<(), Error> {
        write_atomic(&dir.join(rel), bytes)?;
        written.push(rel.to_string());
        Ok(())
    };
    put("main.typ", MAIN.as_bytes())?;
    for (vpath, bytes) in &inputs.virtuals {
        put(vpath.trim_start_matches('/'), bytes)?;
    }
    let mut copy: Vec<PathBuf> = files_in(&project.root.join("layouts"));
    for lang in &edition.languages {
        copy.extend(files_in(&project.root.join("chapters").join(lang)));
    }
    copy.extend(files_in(&project.root.join("fonts")));
    for path in copy {
        let rel = path.strip_prefix(&project.root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        let bytes = crate::input::read_limited(&path, crate::input::MAX_ASSET_FILE).map_err(|e| Error::io(&path, e))?;
        put(&rel, &bytes)?;
    }
    Ok(written)
}

/// Files under `dir`, recursively, sorted.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> =
        fs::read_dir(dir).into_iter().flatten().filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            out.extend(files_in(&p));
        } else if p.is_file() {
            out.push(p);
        }
    }
    out
}
