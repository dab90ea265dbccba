//! Hotline wallet cards: per edition, the few numbers that matter on a card of ISO/IEC 7810 ID-1
//! size (85.6 × 54 mm), designed in `layouts/cards.typ`.
//!
//! Two files per edition: `<id>-cards.pdf`, the cards imposed on the edition's office paper
//! with crop marks (fronts on odd pages, backs on even pages, placed for a long-edge duplex
//! flip), and `<id>-cards-press.pdf`, one card (front, back) with bleed, TrimBox and BleedBox
//! for a print shop. The numbers are the edition's own validated contacts: the printed number
//! and the QR payload come from the same parsed channel as on the contacts pages.

mod select;

use std::time::Instant;

use serde_json::json;

use crate::diag::{Problem, Problems};
use crate::editions::Typeset;
use crate::error::Error;
use crate::model::contact::Channel;
use crate::project::{Edition, Project};
use crate::typeset::bleed::add_bleed_box;
use crate::typeset::compile::{self, PdfSettings};
use crate::typeset::world::{Base, DATA_DIR, DocWorld};

pub use crate::model::edition::CardSettings;
pub use select::{CardNumber, card_numbers, sensitive_list};

/// The layout that designs and imposes the cards.
pub const CARDS_LAYOUT: &str = "layouts/cards.typ";
/// The virtual path of the cards' data.
pub const CARDS_JSON: &str = "/.guidepress/cards.json";
/// The label of the metadata the layout places when the numbers do not fit the card.
pub const OVERFLOW_LABEL: &str = "card-overflow";
/// Most numbers a card prints (the layout may hold fewer, and says so).
pub const MAX_NUMBERS: usize = 4;

/// The two card files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// The cards imposed on office paper with crop marks, fronts and backs on alternate pages.
    Sheet,
    /// One card, front and back, with bleed, for a print shop.
    Press,
}

impl Form {
    /// The name the layout sees in `data.form`.
    pub fn name(self) -> &'static str {
        match self {
            Form::Sheet => "sheet",
            Form::Press => "press",
        }
    }

    /// The file name under `out/editions/`.
    pub fn file_name(self, id: &str) -> String {
        match self {
            Form::Sheet => format!("{id}-cards.pdf"),
            Form::Press => format!("{id}-cards-press.pdf"),
        }
    }
}

/// The cards' data file (and, with `encode`, the QR codes' module matrices).
pub fn card_data(
    project: &Project,
    edition: &Edition,
    form: Form,
    encode: bool,
) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let numbers = card_numbers(project, edition)?;
    let mut virtuals = Vec::new();
    let mut printed = Vec::new();
    for (i, n) in numbers.iter().enumerate() {
        let mut channel: Channel = n.channel.clone();
        if let Some(payload) = &channel.payload {
            let path = format!("{DATA_DIR}/qr/card-{i}.json");
            if encode {
                let matrix = crate::typeset::qr::qr_matrix(payload).map_err(Error::internal)?;
                channel.qr_modules = Some(matrix.modules());
                virtuals.push((path.clone(), matrix.to_json()));
            }
            channel.qr = Some(path);
        }
        printed.push(json!({
            "kind": n.contact.kind,
            "channel": channel,
            // The number as printed: the international form of a phone (the same parse as
            // the QR payload), the digits of a short number.
            "number": channel.alt.clone().unwrap_or_else(|| channel.text.clone()),
            "hours": n.contact.hours,
            "languages": n.contact.languages,
            "status": n.contact.status,
        }));
    }
    let paper = crate::model::edition::parse_size(&edition.office_paper).map_err(Error::internal)?;
    let mut data = json!({
        "form": form.name(),
        "bleed_mm": project.build.bleed_mm,
        "paper": paper,
        "edition": {
            "id": edition.id,
            "languages": edition.languages,
            "draft": edition.draft,
            "discreet": edition.cards.discreet,
        },
        "numbers": printed,
    });
    // The live contacts page, when `guide.contacts-url` is set: its address and QR code from
    // the one value, as on the contacts pages (absent otherwise, so the data stays as it was).
    if let Some(url) = project.guide.contacts_url_of(&edition.id)
        && let Some(map) = data.as_object_mut()
    {
        let path = format!("{DATA_DIR}/qr/card-live.json");
        let mut modules = None;
        if encode {
            let matrix = crate::typeset::qr::qr_matrix(&url).map_err(Error::internal)?;
            modules = Some(matrix.modules());
            virtuals.push((path.clone(), matrix.to_json()));
        }
        map.insert("live".to_string(), json!({ "url": url, "qr": path, "qr_modules": modules }));
    }
    let bytes = serde_json::to_vec_pretty(&data).map_err(Error::internal)?;
    virtuals.insert(0, (CARDS_JSON.to_string(), bytes));
    Ok(virtuals)
}

/// What the cards' layout receives, for the manifest's data hash.
pub fn data_bytes(project: &Project, edition: &Edition) -> Result<Vec<u8>, Error> {
    Ok(card_data(project, edition, Form::Sheet, false)?.swap_remove(0).1)
}

/// Lays out (and with `export`, exports) one of the card files of an edition.
pub fn typeset_cards(
    project: &Project,
    base: &Base,
    edition: &Edition,
    form: Form,
    export: bool,
) -> Result<Typeset, Error> {
    let start = Instant::now();
    let virtuals = card_data(project, edition, form, true)?;
    let world =
        DocWorld::new(base, &format!("/{CARDS_LAYOUT}"), virtuals, project.guide.ymd).map_err(Error::internal)?;
    let in_edition = |d| Error::typst(format!("edition {} (cards, {})", edition.id, form.name()), d);
    let compiled = compile::compile(&world).map_err(in_edition)?;
    check_fit(project, edition, &compiled.document)?;
    let compile_time = start.elapsed();
    let mut pdf = Vec::new();
    if export {
        let ident = format!("guidepress/{}/cards-{}", edition.id, form.name());
        let settings = PdfSettings { ident: &ident, date: project.guide.ymd, standards: &[], tagged: false };
        pdf = compile::export_pdf(&world, &compiled.document, &settings).map_err(in_edition)?;
        if form == Form::Press {
            pdf = add_bleed_box(&pdf).map_err(|e| Error::internal(format!("edition {} (cards): {e}", edition.id)))?;
        }
    }
    Ok(Typeset::made(&edition.id, compiled, pdf, world.accessed(), start, compile_time))
}

/// Both card files of an edition: (sheet, press).
pub fn card_files(project: &Project, base: &Base, edition: &Edition) -> Result<(Typeset, Typeset), Error> {
    let (sheet, press) = rayon::join(
        || typeset_cards(project, base, edition, Form::Sheet, true),
        || typeset_cards(project, base, edition, Form::Press, true),
    );
    Ok((sheet?, press?))
}

/// The layout places `metadata((fits: K))` labelled [`OVERFLOW_LABEL`] when only the first K
/// numbers fit the card legibly: an error naming the edition and the numbers to drop.
fn check_fit(project: &Project, edition: &Edition, document: &typst_layout::PagedDocument) -> Result<(), Error> {
    use typst::introspection::Introspector;
    let Some(label) = typst::foundations::Label::new(typst::utils::PicoStr::intern(OVERFLOW_LABEL)) else {
        return Ok(());
    };
    let Ok(content) = document.introspector().query_label(label) else { return Ok(()) };
    let value = content.get_by_name("value").ok().and_then(|v| serde_json::to_value(&v).ok()).unwrap_or_default();
    let field = |k: &str| value.get(k).and_then(serde_json::Value::as_f64).unwrap_or(0.0);
    let fits = field("fits") as usize;
    let numbers = card_numbers(project, edition)?;
    let names = |ns: &[CardNumber]| -> String {
        ns.iter().map(|n| format!("\"{}\" ({})", n.display_name(), n.printed())).collect::<Vec<_>>().join(", ")
    };
    let (kept, dropped) = numbers.split_at(fits.min(numbers.len()));
    let held = if kept.is_empty() { "none of them".to_string() } else { format!("only {}", names(kept)) };
    let mut problems = Problems::default();
    problems.push(Problem::file(
        format!("editions/{}.toml", edition.id),
        format!(
            "edition `{}`: the wallet card cannot hold {} legibly (text at least {} pt, QR codes at least {} \
             mm): it holds {held}; drop {} from the card (set `card = true` only on the contacts it should \
             print), or shorten their `hours` and `languages`",
            edition.id,
            if numbers.len() == 1 { "its number".to_string() } else { format!("all {} of its numbers", numbers.len()) },
            field("min_text_pt"),
            field("min_qr_mm"),
            names(dropped),
        ),
    ));
    Err(Error::Problems(problems))
}

/// The card problems of every edition, at once (too many or unprintable `card = true`
/// contacts, sensitive words on a discreet card).
pub fn check(project: &Project, editions: &[&Edition]) -> Result<(), Error> {
    let mut problems = Problems::default();
    for e in editions {
        if let Err(Error::Problems(p)) = card_numbers(project, e) {
            problems.0.extend(p.0);
        }
    }
    problems.0.sort();
    problems.0.dedup();
    problems.into_result().map_err(Error::Problems)
}
