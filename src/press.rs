//! The runs that span features: `build` (editions, then the review page and the live contacts
//! pages), `ship` (orders, with the page counts and current releases of the editions they send)
//! and `printed` (a print run of an edition's current build). The command line and `watch` call these;
//! no feature calls another (README: The code).

use crate::editions::{self, BuildOptions, Built, Session};
use crate::error::Error;
use crate::manifest::Manifest;
use crate::project::Project;
use crate::review;
use crate::ship::{self, ShipOptions, ShipReport};
use crate::shipments;
use crate::site;

/// `guidepress build`: the editions that changed (see [`editions::build_in`]), then the review
/// page for the ones typeset in this run.
pub fn build(project: &Project, options: &BuildOptions) -> Result<Vec<Built>, Error> {
    build_in(&mut Session::default(), project, options)
}

/// [`build`] reusing what `session` has loaded (watch mode).
pub fn build_in(session: &mut Session, project: &Project, options: &BuildOptions) -> Result<Vec<Built>, Error> {
    // The review page's settings are read first: a broken layouts/review.toml stops the build
    // before any edition is written, not after.
    review::Settings::load(&project.root)?;
    let mut built = editions::build_in(session, project, options)?;
    let out = crate::output::out_dir(&project.root, options.out.as_deref());
    let rebuilt: Vec<review::Rebuilt> = built
        .iter_mut()
        .filter_map(|b| {
            let reason = b.rebuilt.clone()?;
            Some(review::Rebuilt { id: b.id.clone(), reason, pages: std::mem::take(&mut b.laid_out) })
        })
        .collect();
    if !rebuilt.is_empty() || !out.join(review::INDEX).exists() {
        review::update(project, &out, &Manifest::load(&out), &rebuilt)?;
    }
    // The live contacts pages (`guide.contacts-url`), for every edition of the run.
    let pages: Vec<site::Built> = built
        .iter()
        .filter_map(|b| {
            let edition = project.editions.iter().find(|e| e.id == b.id)?;
            Some(site::Built { edition, print_code: &b.print_code })
        })
        .collect();
    site::update(project, &out, &pages)?;
    Ok(built)
}

/// `build` when nothing changed: [`editions::up_to_date_fast`], which reads only the manifest
/// and file stamps, unless `guide.contacts-url` is set and a live contacts page of those
/// editions is missing from `out/site/` (`None`: run [`build`]).
pub fn up_to_date_fast(root: &std::path::Path, options: &BuildOptions) -> Option<Vec<Built>> {
    let built = editions::up_to_date_fast(root, options)?;
    let out = crate::output::out_dir(root, options.out.as_deref());
    let ids: Vec<&str> = built.iter().map(|b| b.id.as_str()).collect();
    if Project::sets_contacts_url(root) && !site::written(&out, &ids) {
        return None;
    }
    Some(built)
}

/// `guidepress ship`: see [`ship::ship`]; the editions' page counts come from the build's
/// manifest when it is current, else from typesetting them.
pub fn ship(project: &Project, options: &ShipOptions) -> Result<ShipReport, Error> {
    let out = crate::output::out_dir(&project.root, options.out.as_deref());
    let count = |base: &crate::typeset::world::Base, ids: &[&crate::project::Edition]| {
        editions::press_pages(project, base, &out, ids, options.jobs)
    };
    // The stickers' "updated" month: the day of the batch.
    let date = options.date.unwrap_or_else(crate::model::date::Date::now);
    let stickers =
        |groups: &[crate::model::correction::Group]| crate::corrections::render::stickers(project, groups, date);
    ship::ship(project, options, &count, &stickers)
}

/// `guidepress printed`: records a print run of `copies` copies of edition `id`'s current build
/// (see [`shipments::printed`]).
pub fn printed(
    project: &Project,
    out: Option<&std::path::Path>,
    id: &str,
    copies: u64,
    on: crate::model::date::Date,
    note: &str,
    draft: bool,
) -> Result<shipments::PrintedRun, Error> {
    let edition = project.select(&[id.to_string()])?[0];
    let out = crate::output::out_dir(&project.root, out);
    let release = editions::current_release(project, &out, edition)?;
    shipments::printed(project, &release, copies, on, note, draft)
}
