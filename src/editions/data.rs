//! The data an edition's layouts receive: `edition.json` and the QR codes' module matrices, as
//! virtual files of the World (never spliced into Typst markup).

use serde_json::json;

use super::forms::Variant;
use crate::error::Error;
use crate::model::contact::Contact;
use crate::project::{Edition, Project};
use crate::typeset::qr::{self, QrFiles};
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
    let live = live_data(project, edition, encode, &mut virtuals, &mut payloads)?;
    let mut contacts: Vec<Contact> = edition.contacts.clone();
    let QrFiles { virtuals: codes, payloads: dialled } = qr::attach(&mut contacts, 0, encode)?;
    virtuals.extend(codes);
    payloads.extend(dialled);
    let chapters: serde_json::Map<String, serde_json::Value> = edition
        .languages
        .iter()
        .map(|l| (l.clone(), json!(project.chapters.get(l).cloned().unwrap_or_default())))
        .collect();
    let mut data = json!({
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
            // Words of strings.toml still marked for translation in its languages.
            "untranslated": project.untranslated_words(edition),
        },
        "chapters": chapters,
        "contacts": contacts,
    });
    // Only when set, so that editions without it keep their data (and print codes) as they were.
    if let (Some(live), Some(map)) = (live, data.as_object_mut()) {
        map.insert("live".to_string(), live);
    }
    let bytes = serde_json::to_vec_pretty(&data).map_err(Error::internal)?;
    virtuals.insert(0, (EDITION_JSON.to_string(), bytes));
    Ok(EditionInputs { virtuals, payloads })
}

/// The live contacts page of `edition` (`guide.contacts-url`), printed above the contacts: its
/// address and QR code from the one value (`url`, and its code's matrix as a virtual file).
/// `None` when the setting is absent.
fn live_data(
    project: &Project,
    edition: &Edition,
    encode: bool,
    virtuals: &mut Vec<(String, Vec<u8>)>,
    payloads: &mut Vec<String>,
) -> Result<Option<serde_json::Value>, Error> {
    let Some(url) = project.guide.contacts_url_of(&edition.id) else { return Ok(None) };
    let path = format!("{DATA_DIR}/qr/live.json");
    let mut modules = None;
    if encode {
        let (matrix, m) = qr::qr_cached(&url)?;
        virtuals.push((path.clone(), matrix));
        modules = Some(m);
    }
    payloads.push(url.clone());
    Ok(Some(json!({ "url": url, "qr": path, "qr_modules": modules })))
}
