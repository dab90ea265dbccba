//! The editions a shipping run sends: their real page counts and current releases (which the
//! caller knows how to learn: see [`PageCounter`]) and so the weight of a copy.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::Error;
use crate::model::country::country_name;
use crate::model::record::Release;
use crate::project::{Edition, Project};
use crate::ship::boxes::copy_weight_g;
use crate::ship::layout::ShippingLayout;
use crate::ship::orders::OrderLine;
use crate::ship::plan::EditionInfo;
use crate::typeset::world::Base;

/// The press page count and the release (print code, contacts as printed) of the current build
/// of each of these editions, by id: the orchestration above shipping
/// supplies it (from out/manifest.json when the printed PDF there is up to date, else by
/// typesetting the edition), so shipping need not know how editions are built.
pub type PageCounter<'a> = dyn Fn(&Base, &[&Edition]) -> Result<BTreeMap<String, (usize, Release)>, Error> + Sync + 'a;

/// Every edition an order line names, by id: what shipping needs to know of it, and its current
/// release.
pub type Editions = (BTreeMap<String, EditionInfo>, BTreeMap<String, Release>);

/// What shipping needs to know of every edition `lines` order, by id, and its current release.
pub fn edition_infos(
    project: &Project,
    base: &Base,
    lines: &[OrderLine],
    layout: &ShippingLayout,
    count_pages: &PageCounter,
) -> Result<Editions, Error> {
    let used: BTreeSet<&str> = lines.iter().map(|l| l.edition.as_str()).collect();
    let editions: Vec<&Edition> = project.editions.iter().filter(|e| used.contains(e.id.as_str())).collect();
    let pages_of = count_pages(base, &editions)?;
    let s = &project.shipping;
    let info = |e: &Edition| {
        let pages = u32::try_from(pages_of[&e.id].0).unwrap_or(u32::MAX);
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
    let infos = editions.iter().map(|e| (e.id.clone(), info(e))).collect();
    Ok((infos, pages_of.into_iter().map(|(id, (_, release))| (id, release)).collect()))
}
