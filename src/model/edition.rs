//! An edition and the guide it belongs to, validated; trim sizes and office paper.

use serde::{Deserialize, Serialize};

use crate::diag::Location;
use crate::model::LangMap;
use crate::model::contact::Contact;

/// The guide's metadata, validated.
#[derive(Debug, Clone, Serialize)]
pub struct Guide {
    /// Title per language.
    pub title: LangMap,
    /// Subtitle per language.
    pub subtitle: LangMap,
    /// Publisher per language.
    pub publisher: LangMap,
    /// Version string printed on the cover.
    pub version: String,
    /// Date of this version, `YYYY-MM-DD`.
    pub date: String,
    /// The date as (year, month, day).
    #[serde(skip)]
    pub ymd: crate::model::date::Date,
    /// Contacts confirmed more than this many days before [`Guide::date`] are stale
    /// (`guide.stale-after-days`).
    #[serde(skip)]
    pub stale_after_days: i64,
    /// The live contacts page (`guide.contacts-url`), `{edition}` standing for an edition's id;
    /// see [`Guide::contacts_url_of`]. Not in the guide's JSON: an edition's data carries its own.
    #[serde(skip)]
    pub contacts_url: Option<String>,
}

impl Guide {
    /// The live contacts page of edition `id`, when `guide.contacts-url` is set: the one value
    /// both printed and encoded in the QR code.
    pub fn contacts_url_of(&self, id: &str) -> Option<String> {
        self.contacts_url.as_ref().map(|u| u.replace(crate::model::web::EDITION_PLACEHOLDER, id))
    }
}

/// One chapter source file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Chapter {
    /// The NN of `NN-slug.typ`.
    pub number: u32,
    /// The slug of `NN-slug.typ`.
    pub slug: String,
    /// Path from the project root with a leading slash, as Typst sees it.
    pub path: String,
    /// Where the chapter marks a passage `#unconfirmed` (none in a chapter ready for print).
    #[serde(skip)]
    pub unconfirmed: Vec<Location>,
}

/// One edition, validated: country, languages, trim and all its contacts.
#[derive(Debug, Clone, Serialize)]
pub struct Edition {
    /// The id, from `editions/<id>.toml`.
    pub id: String,
    /// ISO alpha-2 country code.
    pub country: String,
    /// Languages in print order.
    pub languages: Vec<String>,
    /// Edition name (the country) per language.
    pub name: LangMap,
    /// Trim size of the book.
    pub trim: Size,
    /// Office paper name for the booklet (`a4`, `letter`).
    pub office_paper: String,
    /// Local contacts first, then the contacts shared by every edition.
    pub contacts: Vec<Contact>,
    /// True when any contact is unverified or stale, or a chapter it prints has an unconfirmed
    /// passage.
    pub draft: bool,
    /// The wallet card's settings (`[cards]`).
    pub cards: CardSettings,
}

/// `[cards]` in an edition file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CardSettings {
    /// A neutral front (health and safety numbers) and no trafficking wording anywhere.
    #[serde(default)]
    pub discreet: bool,
}

/// A page size in millimetres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Size {
    /// Width in mm.
    pub width_mm: f64,
    /// Height in mm.
    pub height_mm: f64,
}

/// Named sizes an edition may use, in millimetres.
const NAMED: &[(&str, f64, f64)] = &[
    ("a4", 210.0, 297.0),
    ("a5", 148.0, 210.0),
    ("a6", 105.0, 148.0),
    ("b5", 176.0, 250.0),
    ("letter", 215.9, 279.4),
    ("half-letter", 139.7, 215.9),
];

/// Parses a size: a name (`a5`, `letter`, `half-letter` …) or `WxHmm` / `WxHin` (e.g. `5.5x8.5in`).
pub fn parse_size(text: &str) -> Result<Size, String> {
    let t = text.trim().to_ascii_lowercase();
    if let Some(&(_, w, h)) = NAMED.iter().find(|(name, _, _)| *name == t) {
        return Ok(Size { width_mm: w, height_mm: h });
    }
    let help = || {
        let names: Vec<&str> = NAMED.iter().map(|(n, _, _)| *n).collect();
        format!(
            "`{text}` is not a page size; write one of {} or width x height with a unit, e.g. `5.5x8.5in` or `148x210mm`",
            names.join(", ")
        )
    };
    let (dims, factor) = if let Some(d) = t.strip_suffix("mm") {
        (d, 1.0)
    } else if let Some(d) = t.strip_suffix("in") {
        (d, 25.4)
    } else {
        return Err(help());
    };
    let (w, h) = dims.split_once('x').ok_or_else(help)?;
    let parse = |s: &str| s.trim().parse::<f64>().ok().filter(|v| v.is_finite() && *v > 0.0);
    match (parse(w), parse(h)) {
        (Some(w), Some(h)) => {
            let size = Size { width_mm: w * factor, height_mm: h * factor };
            if !(50.0..=500.0).contains(&size.width_mm) || !(50.0..=500.0).contains(&size.height_mm) {
                return Err(format!("`{text}` is outside 50–500 mm; check the numbers and the unit"));
            }
            Ok(size)
        }
        _ => Err(help()),
    }
}

/// The office paper used in a country when none is configured: US Letter in the US and Canada, else A4.
pub fn default_office_paper(country: &str) -> &'static str {
    match country {
        "US" | "CA" | "MX" | "PH" => "letter",
        _ => "a4",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_dimensions() {
        assert_eq!(parse_size("A5").unwrap(), Size { width_mm: 148.0, height_mm: 210.0 });
        let s = parse_size("5.5x8.5in").unwrap();
        assert!((s.width_mm - 139.7).abs() < 1e-9 && (s.height_mm - 215.9).abs() < 1e-9);
        assert_eq!(parse_size("120x190mm").unwrap(), Size { width_mm: 120.0, height_mm: 190.0 });
    }

    #[test]
    fn refuses_nonsense() {
        assert!(parse_size("huge").unwrap_err().contains("a5"));
        assert!(parse_size("5.5x8.5").is_err());
        assert!(parse_size("0x8in").is_err());
        assert!(parse_size("5x80in").unwrap_err().contains("50–500"));
    }
}
