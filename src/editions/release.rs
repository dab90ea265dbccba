//! What an edition's pages carry, for the record: its print code, its contacts as printed with
//! the box each one takes on its page (read back from the laid-out press document, where
//! layouts/contacts.typ places `<gp-contact>` metadata), and the hashes of its chapters.

use typst::foundations::Label;
use typst::introspection::Introspector;
use typst::utils::PicoStr;
use typst_layout::PagedDocument;

use crate::error::Error;
use crate::model::fields::printed_fields;
use crate::model::record::{ChapterHash, PrintedContact, Release};
use crate::project::{Edition, Project};

/// The label of the metadata layouts/contacts.typ places in each contact's box.
pub const CONTACT_LABEL: &str = "gp-contact";

/// The release an edition's press document is: `document` laid out with print code `code`.
/// Boxes are in mm from the top-left corner of the trimmed page: Typst measures positions from
/// there already, a page's bleed lying at negative coordinates (its frame is the trimmed size,
/// the bleed added around it only when the page is exported), so nothing is taken off.
pub fn release(project: &Project, edition: &Edition, document: &PagedDocument, code: &str) -> Result<Release, Error> {
    let mut contacts = Vec::new();
    for (id, page, [x, y, w, h]) in contact_boxes(document) {
        let Some(c) = edition.contacts.iter().find(|c| c.id == id) else {
            return Err(Error::internal(format!(
                "edition {}: the layout placed a box for unknown contact `{id}`",
                edition.id
            )));
        };
        let fields = printed_fields(c);
        let name = c.display_name();
        contacts.push(PrintedContact {
            id,
            kind: c.kind.word().to_string(),
            name,
            fields,
            page,
            x_mm: round(x),
            y_mm: round(y),
            w_mm: round(w),
            h_mm: round(h),
        });
    }
    let missing: Vec<&str> =
        edition.contacts.iter().filter(|c| !contacts.iter().any(|p| p.id == c.id)).map(|c| c.id.as_str()).collect();
    if !missing.is_empty() {
        return Err(Error::internal(format!(
            "edition {}: layouts/contacts.typ placed no `<{CONTACT_LABEL}>` box for {}",
            edition.id,
            missing.join(", ")
        )));
    }
    let mut chapters = Vec::new();
    for lang in &edition.languages {
        for ch in project.chapters.get(lang).into_iter().flatten() {
            let rel = ch.path.trim_start_matches('/');
            let bytes = crate::input::read_limited(&project.root.join(rel), crate::input::MAX_PROJECT_FILE)
                .map_err(|e| Error::io(project.root.join(rel), e))?;
            chapters.push(ChapterHash { path: rel.to_string(), sha256: crate::output::sha256_hex(&bytes) });
        }
    }
    Ok(Release {
        print_code: code.to_string(),
        edition: edition.id.clone(),
        guide_version: project.guide.version.clone(),
        guide_date: project.guide.date.clone(),
        is_final: !edition.draft,
        contacts,
        chapters,
    })
}

/// Every `<gp-contact>` box of the document: contact id, page (from 1) and x, y, width,
/// height in mm from the trimmed page's top-left corner (where `here().position()` measures
/// from, bleed or not), in document order.
fn contact_boxes(document: &PagedDocument) -> Vec<(String, u32, [f64; 4])> {
    let Some(label) = Label::new(PicoStr::intern(CONTACT_LABEL)) else { return Vec::new() };
    let introspector = document.introspector();
    let selector = typst::foundations::Selector::Label(label);
    introspector
        .query(&selector)
        .iter()
        .filter_map(|content| {
            let value = serde_json::to_value(content.get_by_name("value").ok()?).ok()?;
            let num = |k: &str| value.get(k).and_then(serde_json::Value::as_f64);
            let id = value.get("id")?.as_str()?.to_string();
            Some((id, num("page")? as u32, [num("x")?, num("y")?, num("w")?, num("h")?]))
        })
        .collect()
}

/// To a hundredth of a millimetre (the layout's floating-point noise off).
fn round(mm: f64) -> f64 {
    (mm * 100.0).round() / 100.0
}
