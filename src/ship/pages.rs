//! The editions a shipping run sends: their real page counts (from out/manifest.json when the
//! printed PDF there is up to date, else by typesetting them) and so the weight of a copy.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::editions;
use crate::error::Error;
use crate::model::country::country_name;
use crate::project::{Edition, Project};
use crate::ship::boxes::copy_weight_g;
use crate::ship::layout::ShippingLayout;
use crate::ship::orders::OrderLine;
use crate::ship::plan::EditionInfo;
use crate::typeset::world::Base;

/// What shipping needs to know of every edition `lines` order, by id.
pub fn edition_infos(
    project: &Project,
    base: &Base,
    out: &Path,
    lines: &[OrderLine],
    layout: &ShippingLayout,
    jobs: Option<usize>,
) -> Result<BTreeMap<String, EditionInfo>, Error> {
    let used: BTreeSet<&str> = lines.iter().map(|l| l.edition.as_str()).collect();
    let editions: Vec<&Edition> = project.editions.iter().filter(|e| used.contains(e.id.as_str())).collect();
    let pages_of = page_counts(project, base, out, &editions, jobs)?;
    let s = &project.shipping;
    let info = |e: &Edition| {
        let pages = u32::try_from(pages_of[&e.id]).unwrap_or(u32::MAX);
        let name = e.name.get("en").cloned().or_else(|| country_name(&e.country).map(str::to_string));
        let name = name.unwrap_or_else(|| e.id.clone());
        EditionInfo {
            id: e.id.clone(),
            title: layout.edition_title(&name),
            languages: e.languages.clone(),
            pages,
            copy_g: copy_weight_g(pages, (e.trim.width_mm, e.trim.height_mm), s.inner_gsm, s.cover_gsm),
        }
    };
    Ok(editions.iter().map(|e| (e.id.clone(), info(e))).collect())
}

/// Press page counts of `editions`, typeset in parallel where out/manifest.json does not know them.
fn page_counts(
    project: &Project,
    base: &Base,
    out: &Path,
    editions: &[&Edition],
    jobs: Option<usize>,
) -> Result<BTreeMap<String, usize>, Error> {
    // Editions whose printed PDF out/manifest.json records as up to date are not typeset again:
    // the page count recorded there is the one they would get.
    let known = built_pages(project, out, editions);
    let todo: Vec<&Edition> = editions.iter().copied().filter(|e| !known.contains_key(&e.id)).collect();
    let typeset = editions::par_map(&todo, jobs, |e| {
        editions::typeset(project, base, e, editions::Variant::Press, false)
            .map(|t| (e.id.clone(), t.document.pages().len()))
    })?;
    let mut pages_of: BTreeMap<String, usize> = editions::all_or_errors(typeset)?.into_iter().collect();
    pages_of.extend(known);
    typst::comemo::evict(0);
    Ok(pages_of)
}

/// Press page counts of the editions that out/manifest.json records as built from exactly the
/// project's current data, inputs and fonts, with their PDF unaltered (as `guidepress build`
/// decides whether to rebuild); the others are left out and get typeset.
fn built_pages(project: &Project, out: &Path, editions: &[&Edition]) -> BTreeMap<String, usize> {
    let manifest = crate::manifest::Manifest::load(out);
    let mut pages = BTreeMap::new();
    if manifest.guidepress != env!("CARGO_PKG_VERSION") {
        return pages;
    }
    let fonts = crate::typeset::fonts::font_file_names(&project.root);
    for e in editions {
        let (Some(entry), Ok(data)) = (manifest.editions.get(&e.id), editions::data_hash(project, e)) else { continue };
        let Some(&n) = entry.pages.get("press") else { continue };
        if crate::manifest::stale_reason(Some(entry), &data, &project.root, out, &fonts).is_none() {
            pages.insert(e.id.clone(), n);
        }
    }
    pages
}
