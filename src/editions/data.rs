//! The data an edition's layouts receive: `edition.json` and the QR codes' module matrices, as
//! virtual files of the World (never spliced into Typst markup).

use serde_json::json;

use super::forms::Variant;
use crate::error::Error;
use crate::model::contact::Contact;
use crate::project::{Edition, Project};
use crate::typeset::qr::{self, QrFiles};

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
    let mut contacts: Vec<Contact> = edition.contacts.clone();
    let QrFiles { mut virtuals, payloads } = qr::attach(&mut contacts, 0, encode)?;
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
            // Words of strings.toml still marked for translation in its languages.
            "untranslated": project.untranslated_words(edition),
        },
        "chapters": chapters,
        "contacts": contacts,
    });
    let bytes = serde_json::to_vec_pretty(&data).map_err(Error::internal)?;
    virtuals.insert(0, (EDITION_JSON.to_string(), bytes));
    Ok(EditionInputs { virtuals, payloads })
}
