//! The data an edition's layouts receive: `edition.json` and the QR codes' module matrices, as
//! virtual files of the World (never spliced into Typst markup).

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde_json::json;

use super::forms::Variant;
use crate::error::Error;
use crate::model::contact::Contact;
use crate::project::{Edition, Project};
use crate::typeset::qr::qr_matrix;
use crate::typeset::world::DATA_DIR;

/// The virtual path of an edition's data.
pub const EDITION_JSON: &str = "/.guidepress/edition.json";
/// Everything Typst needs for one edition besides the project files: its JSON and QR codes.
pub struct EditionInputs {
    /// (virtual path, bytes) pairs served by the World.
    pub virtuals: Vec<(String, Vec<u8>)>,
    /// The QR payloads in the order the codes appear.
    pub payloads: Vec<String>,
}

/// Builds the data file and QR codes of an edition.
pub fn edition_inputs(project: &Project, edition: &Edition, variant: Variant) -> Result<EditionInputs, Error> {
    edition_data(project, edition, variant, true)
}

/// The QR code of `payload` as its module matrix (JSON) and its width in modules with the quiet
/// zones, encoded once per process: the shared contacts are in every edition, and each edition's
/// data is made more than once.
fn qr_cached(payload: &str) -> Result<(Vec<u8>, usize), Error> {
    static CODES: Mutex<BTreeMap<String, (Vec<u8>, usize)>> = Mutex::new(BTreeMap::new());
    if let Some(code) = CODES.lock().ok().and_then(|c| c.get(payload).cloned()) {
        return Ok(code);
    }
    let matrix = qr_matrix(payload).map_err(Error::internal)?;
    let code = (matrix.to_json(), matrix.modules());
    if let Ok(mut codes) = CODES.lock() {
        codes.insert(payload.to_string(), code.clone());
    }
    Ok(code)
}

/// [`edition_inputs`]; without `encode`, only the data file, whose QR entries then carry their
/// payloads but no matrix (enough to tell whether anything changed: the matrix follows from the
/// payload and the tool version).
pub(crate) fn edition_data(
    project: &Project,
    edition: &Edition,
    variant: Variant,
    encode: bool,
) -> Result<EditionInputs, Error> {
    let mut virtuals = Vec::new();
    let mut payloads = Vec::new();
    let mut contacts: Vec<Contact> = edition.contacts.clone();
    for contact in &mut contacts {
        for channel in &mut contact.channels {
            if let Some(payload) = &channel.payload {
                let path = format!("{DATA_DIR}/qr/{}.json", payloads.len());
                if encode {
                    let (matrix, modules) = qr_cached(payload)?;
                    virtuals.push((path.clone(), matrix));
                    channel.qr_modules = Some(modules);
                }
                channel.qr = Some(path);
                payloads.push(payload.clone());
            }
        }
    }
    let chapters: serde_json::Map<String, serde_json::Value> = edition
        .languages
        .iter()
        .map(|l| (l.clone(), json!(project.chapters.get(l).cloned().unwrap_or_default())))
        .collect();
    let data = json!({
        "variant": variant.name(),
        "bleed_mm": project.build.bleed_mm,
        "guide": project.guide,
        "edition": {
            "id": edition.id,
            "country": edition.country,
            "languages": edition.languages,
            "name": edition.name,
            "trim": edition.trim,
            "office-paper": edition.office_paper,
            "draft": edition.draft,
            // Passages marked #unconfirmed in the chapters this edition prints.
            "unconfirmed": project.unconfirmed_passages(&[edition]).len(),
            // Translated chapters it prints that are outdated or never confirmed (`en/03`).
            "translations-behind": project.translations.behind(&edition.languages).map(|c| c.short()).collect::<Vec<_>>(),
        },
        "chapters": chapters,
        "contacts": contacts,
    });
    let bytes = serde_json::to_vec_pretty(&data).map_err(Error::internal)?;
    virtuals.insert(0, (EDITION_JSON.to_string(), bytes));
    Ok(EditionInputs { virtuals, payloads })
}
