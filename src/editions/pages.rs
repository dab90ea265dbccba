//! What shipping and the record need of an edition's current build: its press page count (for
//! the weights) and its release (print code, contacts as printed): from out/manifest.json when
//! the printed PDF there is up to date, else by typesetting the edition.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Variant, all_or_errors, data_hash, par_map, typeset};
use crate::error::Error;
use crate::model::record::Release;
use crate::project::{Edition, Project};
use crate::typeset::world::Base;

/// Press page counts and releases of `editions`, typeset in parallel where out/manifest.json does
/// not know them.
pub fn press_pages(
    project: &Project,
    base: &Base,
    out: &Path,
    editions: &[&Edition],
    jobs: Option<usize>,
) -> Result<BTreeMap<String, (usize, Release)>, Error> {
    // Editions whose printed PDF out/manifest.json records as up to date are not typeset again:
    // the page count recorded there is the one they would get.
    let known = built_pages(project, out, editions);
    let todo: Vec<&Edition> = editions.iter().copied().filter(|e| !known.contains_key(&e.id)).collect();
    let typeset = par_map(&todo, jobs, |e| {
        let t = typeset(project, base, e, Variant::Press, false)?;
        let release = super::release::release(project, e, &t.document, &t.print_code)?;
        Ok((e.id.clone(), (t.document.pages().len(), release)))
    })?;
    let mut pages_of: BTreeMap<String, (usize, Release)> = all_or_errors(typeset)?.into_iter().collect();
    pages_of.extend(known);
    typst::comemo::evict(0);
    Ok(pages_of)
}

/// The release of `edition`'s build in `out` (its print code and contacts as printed), when
/// out/manifest.json records it as built from exactly the project's current data, inputs and
/// fonts; otherwise a refusal saying to build it first.
pub fn current_release(project: &Project, out: &Path, edition: &Edition) -> Result<Release, Error> {
    match built_pages(project, out, &[edition]).remove(&edition.id) {
        Some((_, release)) => Ok(release),
        None => Err(Error::Refused(format!(
            "edition {0} has no current build in {1} (it was never built there, or its data, chapters, layouts or fonts \
             changed since): run `guidepress build {0}`, print that PDF, and record the run then",
            edition.id,
            out.join("editions").display()
        ))),
    }
}

/// Press page counts of the editions that out/manifest.json records as built from exactly the
/// project's current data, inputs and fonts, with their PDF unaltered (as `guidepress build`
/// decides whether to rebuild); the others are left out and get typeset.
fn built_pages(project: &Project, out: &Path, editions: &[&Edition]) -> BTreeMap<String, (usize, Release)> {
    let manifest = crate::manifest::Manifest::load(out);
    let mut pages = BTreeMap::new();
    if manifest.guidepress != env!("CARGO_PKG_VERSION") {
        return pages;
    }
    let fonts = crate::typeset::fonts::font_file_names(&project.root);
    for e in editions {
        let (Some(entry), Ok(data)) = (manifest.editions.get(&e.id), data_hash(project, e)) else { continue };
        let (Some(&n), Some(release)) = (entry.pages.get("press"), &entry.release) else { continue };
        if crate::manifest::stale_reason(Some(entry), &data, &project.root, out, &fonts).is_none() {
            pages.insert(e.id.clone(), (n, release.clone()));
        }
    }
    pages
}
