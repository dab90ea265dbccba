//! The live contacts pages: with `guide.contacts-url` set, `build` writes
//! `out/site/<id>/index.html` for each edition it built (the edition's current contacts, linked
//! with the payloads its QR codes carry, when each was confirmed, and the print codes of earlier
//! copies they supersede) and `out/site/index.html`, a list of those pages. Static HTML: no
//! script, no external resource, so staff upload the folder as it is to the address printed in
//! the guides. Without the setting nothing is written (and nothing removed).

mod html;
mod words;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::project::{Edition, Project};
use crate::records::Record;

pub use words::Words;

/// The folder under `out/` the pages are written to.
pub const SITE_DIR: &str = "site";

/// An edition whose page is written: the edition and the print code of its current build.
pub struct Built<'a> {
    /// The edition.
    pub edition: &'a Edition,
    /// The print code its copies printed from now on carry.
    pub print_code: &'a str,
}

/// Writes the pages of `built` and the index under `out/site/`, when `guide.contacts-url` is
/// set. A file whose content would not change is left as it is (an incremental build or a
/// watch round rewrites nothing); the others are written in full before any is put in place.
/// Returns the files written.
pub fn update(project: &Project, out: &Path, built: &[Built]) -> Result<Vec<PathBuf>, Error> {
    if project.guide.contacts_url.is_none() || built.is_empty() {
        return Ok(Vec::new());
    }
    let words = Words::load(&project.root)?;
    let earlier = superseded(project, built)?;
    let dir = out.join(SITE_DIR);
    let mut files = Vec::new();
    for b in built {
        let codes = earlier.get(&b.edition.id).map(Vec::as_slice).unwrap_or_default();
        let page = html::edition_page(project, b, codes, &words);
        files.push((dir.join(&b.edition.id).join("index.html"), page.into_bytes()));
    }
    // Every edition with a page: the ones of this run and those an earlier build wrote.
    let listed: Vec<&Edition> = project
        .editions
        .iter()
        .filter(|e| built.iter().any(|b| b.edition.id == e.id) || dir.join(&e.id).join("index.html").is_file())
        .collect();
    files.push((dir.join("index.html"), html::index_page(project, &listed, &words).into_bytes()));
    files.retain(|(path, bytes)| std::fs::read(path).ok().as_deref() != Some(bytes.as_slice()));
    let staged: Vec<_> =
        files.iter().map(|(path, bytes)| crate::output::stage(path, bytes)).collect::<Result<_, _>>()?;
    for file in staged {
        file.commit()?;
    }
    Ok(files.into_iter().map(|(path, _)| path).collect())
}

/// Whether the pages of editions `ids` and the index are in `out/site/` (a build that finds
/// everything else up to date writes them when one is missing).
pub fn written(out: &Path, ids: &[&str]) -> bool {
    let dir = out.join(SITE_DIR);
    dir.join("index.html").is_file() && ids.iter().all(|id| dir.join(id).join("index.html").is_file())
}

/// Per edition of `built`, the print codes of its other releases in the record (none without
/// a record), in the record's order.
fn superseded(project: &Project, built: &[Built]) -> Result<BTreeMap<String, Vec<String>>, Error> {
    let mut codes = BTreeMap::new();
    let Some(record) = Record::open_existing(&project.record_path())? else { return Ok(codes) };
    let reader = record.read();
    for b in built {
        let earlier: Vec<String> = reader
            .releases(Some(&b.edition.id))?
            .into_iter()
            .map(|r| r.print_code)
            .filter(|code| code != b.print_code)
            .collect();
        codes.insert(b.edition.id.clone(), earlier);
    }
    Ok(codes)
}
