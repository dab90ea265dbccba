//! Deciding without typesetting whether an edition is up to date: the hash of its data and the
//! manifest's stamps of its inputs and outputs.

use std::path::Path;
use std::time::Duration;

use super::data::edition_data;
use super::forms::Variant;
use super::{BuildOptions, Built, Timings};
use crate::error::Error;
use crate::manifest::{Manifest, stale_reason};
use crate::output::sha256_hex;
use crate::project::{Edition, Project};

/// The hash of everything an edition's layouts receive as data, plus the tool version.
pub fn data_hash(project: &Project, edition: &Edition) -> Result<String, Error> {
    let inputs = edition_data(project, edition, Variant::Press, false)?;
    let mut bytes = format!("guidepress {}\n", env!("CARGO_PKG_VERSION")).into_bytes();
    bytes.extend_from_slice(&inputs.virtuals[0].1);
    bytes.extend_from_slice(format!("\noffice-paper {}\n", edition.office_paper).as_bytes());
    bytes.extend_from_slice(&super::cards::data_bytes(project, edition)?);
    Ok(sha256_hex(&bytes))
}

/// A no-op build without loading the project: when the manifest says the project's data files
/// are unchanged and every selected edition's inputs and outputs are too, returns the "up to date"
/// report; `None` means "load the project and build normally".
pub fn up_to_date_fast(root: &Path, options: &BuildOptions) -> Option<Vec<Built>> {
    if options.force || options.final_ {
        return None;
    }
    let out = crate::output::out_dir(root, options.out.as_deref());
    let manifest = Manifest::load(&out);
    if manifest.guidepress != env!("CARGO_PKG_VERSION") || manifest.project.is_empty() {
        return None;
    }
    if crate::manifest::project_stamps(root, &manifest.project) != manifest.project {
        return None;
    }
    let mut ids: Vec<String> = if options.ids.is_empty() {
        manifest
            .project
            .keys()
            .filter_map(|k| k.strip_prefix("editions/")?.strip_suffix(".toml"))
            .map(str::to_string)
            .collect()
    } else {
        options.ids.clone()
    };
    if let Some((i, n)) = options.shard {
        ids = ids.into_iter().enumerate().filter(|(k, _)| k % n == i - 1).map(|(_, id)| id).collect();
    }
    let fonts = crate::typeset::fonts::font_file_names(root);
    let mut report = Vec::new();
    for id in ids {
        let entry = manifest.editions.get(&id)?;
        if entry.standing.is_empty() || stale_reason(Some(entry), &entry.data, root, &out, &fonts).is_some() {
            return None;
        }
        report.push(Built {
            path: out.join("editions").join(format!("{id}.pdf")),
            pages: entry.pages.get("press").copied().unwrap_or(0),
            id,
            rebuilt: None,
            elapsed: Duration::ZERO,
            timings: Timings::default(),
            warnings: Default::default(),
            laid_out: Vec::new(),
            print_code: entry.print_code().to_string(),
            standing: entry.standing.clone(),
        });
    }
    Some(report)
}
