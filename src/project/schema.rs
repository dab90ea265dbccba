//! What `guidepress.toml` and `editions/<id>.toml` may say, and the checks of the settings.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::{CONFIG, LIMITS};
use crate::diag::{Problem, Problems, key_offset};
use crate::model::LangMap;
use crate::model::contact::ContactDef;
use crate::model::date::Date;
use crate::model::edition::Guide;
use crate::model::text;
use crate::model::web::check_contacts_url;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct ConfigFile {
    pub(super) guide: GuideDef,
    pub(super) sender: Option<Sender>,
    #[serde(default)]
    pub(super) shipping: Shipping,
    #[serde(default)]
    pub(super) build: BuildSettings,
    #[serde(default)]
    pub(super) records: RecordSettings,
    #[serde(default, rename = "contact")]
    pub(super) contacts: Vec<Spanned<ContactDef>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct GuideDef {
    pub(super) title: LangMap,
    #[serde(default)]
    pub(super) subtitle: LangMap,
    pub(super) publisher: LangMap,
    pub(super) version: String,
    /// Absent: `SOURCE_DATE_EPOCH` gives the date (as typst does for its documents).
    pub(super) date: Option<Spanned<toml::value::Datetime>>,
    #[serde(default = "default_stale_days")]
    pub(super) stale_after_days: u32,
    /// The live contacts page's address, `{edition}` standing for the edition's id.
    pub(super) contacts_url: Option<Spanned<String>>,
    /// The language the chapters are written in; the others are translations of it.
    pub(super) source_language: Option<Spanned<String>>,
}

fn default_stale_days() -> u32 {
    730
}

/// The sender block printed on labels.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Sender {
    /// Organisation name.
    pub name: String,
    /// Address lines, top to bottom.
    pub lines: Vec<String>,
    /// ISO alpha-2 country code.
    pub country: String,
    /// E-mail for returns and questions.
    #[serde(default)]
    pub email: String,
    /// Phone for returns and questions.
    #[serde(default)]
    pub phone: String,
}

/// Paper and parcel settings for shipping (`[shipping]`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Shipping {
    /// Inner paper weight, g/m².
    pub inner_gsm: f64,
    /// Cover paper weight, g/m².
    pub cover_gsm: f64,
    /// Weight of an empty box with filler, g.
    pub packaging_g: f64,
    /// Heaviest parcel allowed, kg (5 kg: Korea Post printed matter; 30 kg for an M-bag).
    pub max_box_kg: f64,
    /// Shift of every label on the sheet, `[x, y]` in mm, for printers that feed off-centre.
    pub label_offset: [f64; 2],
    /// Postal rules per destination country (`[shipping.destinations.XX]`).
    pub destinations: crate::model::postal::Destinations,
}

impl Default for Shipping {
    fn default() -> Self {
        Self {
            inner_gsm: 80.0,
            cover_gsm: 250.0,
            packaging_g: 300.0,
            max_box_kg: 5.0,
            label_offset: [0.0, 0.0],
            destinations: Default::default(),
        }
    }
}

/// Settings for the press files (`[build]`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct BuildSettings {
    /// Bleed around the trim of press files, mm.
    pub bleed_mm: f64,
}

impl Default for BuildSettings {
    fn default() -> Self {
        Self { bleed_mm: 3.0 }
    }
}

/// Where the record of print runs and shipments lives (`[records]`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct RecordSettings {
    /// The SQLite file, relative to the project (or absolute); never under `out/`, which is
    /// disposable.
    pub path: String,
}

impl Default for RecordSettings {
    fn default() -> Self {
        Self { path: "records/guidepress.sqlite".to_string() }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct EditionFile {
    pub(super) country: Spanned<String>,
    pub(super) languages: Spanned<Vec<String>>,
    pub(super) name: LangMap,
    pub(super) trim: Option<Spanned<String>>,
    pub(super) office_paper: Option<Spanned<String>>,
    /// `[cards]`: the wallet card's settings.
    #[serde(default)]
    pub(super) cards: crate::model::edition::CardSettings,
    #[serde(default, rename = "contact")]
    pub(super) contacts: Vec<Spanned<ContactDef>>,
}

pub(super) fn validate_guide(def: &GuideDef, text: &str, problems: &mut Problems) -> Guide {
    let mut ymd = Date::from_days(0);
    match &def.date {
        Some(date) => match date.get_ref().date.filter(|_| date.get_ref().time.is_none()) {
            Some(d) => ymd = Date { year: i32::from(d.year), month: d.month, day: d.day },
            None => problems.push(Problem::at(
                CONFIG,
                text,
                date.span().start,
                "`guide.date` must be a date without a time, e.g. 2026-11-29",
            )),
        },
        None => match Date::source_date_epoch() {
            Some(day) => ymd = day,
            None => problems.push(Problem::at(
                CONFIG,
                text,
                key_offset(text, "guide", "date"),
                "the required setting `date` is missing; add date = … (the date of this version, e.g. 2026-11-29) \
                 to [guide], or set SOURCE_DATE_EPOCH",
            )),
        },
    }
    if def.version.trim().is_empty() {
        problems.push(Problem::at(
            CONFIG,
            text,
            key_offset(text, "guide", "version"),
            "`guide.version` is empty; write the version printed on the cover, e.g. \"2026.1\"",
        ));
    }
    let contacts_url = def.contacts_url.as_ref().and_then(|url| match check_contacts_url(url.get_ref()) {
        Ok(()) => Some(url.get_ref().clone()),
        Err(why) => {
            let message = format!("`guide.contacts-url = \"{}\"` {why}", url.get_ref());
            problems.push(Problem::at(CONFIG, text, url.span().start, message));
            None
        }
    });
    Guide {
        title: def.title.clone(),
        subtitle: def.subtitle.clone(),
        publisher: def.publisher.clone(),
        version: def.version.clone(),
        date: ymd.to_string(),
        ymd,
        stale_after_days: i64::from(def.stale_after_days),
        contacts_url,
    }
}

/// `layouts/limits.toml`: how much text fits its place (the defaults when the file is absent).
pub(super) fn read_limits(root: &std::path::Path, problems: &mut Problems) -> crate::model::contact::Limits {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct LimitsFile {
        contact: crate::model::contact::Limits,
    }
    match super::layout_toml::read_if_present::<LimitsFile>(root, LIMITS) {
        Ok(file) => file.map_or_else(Default::default, |f| f.value.contact),
        Err(found) => {
            problems.0.extend(found.0);
            Default::default()
        }
    }
}

/// The settings of guidepress.toml besides the guide and the contacts: sender, shipping, build.
pub(super) fn validate_settings(config: &ConfigFile, text: &str, problems: &mut Problems) {
    let path = std::path::Path::new(&config.records.path);
    let under_out = path.components().next().is_some_and(|c| c.as_os_str() == "out");
    if config.records.path.trim().is_empty() || under_out || path.extension().is_none_or(|e| e != "sqlite") {
        let at = key_offset(text, "records", "path");
        problems.push(Problem::at(
            CONFIG,
            text,
            at,
            format!(
                "`records.path` is \"{}\"; name a `.sqlite` file outside `out/` (which is disposable), e.g. \"records/guidepress.sqlite\"",
                config.records.path
            ),
        ));
    }
    validate_shipping(&config.shipping, text, problems);
    // The sender's e-mail is printed on every label: one bare address, like a contact's.
    if let Some(email) = config.sender.as_ref().map(|s| s.email.trim()).filter(|e| !e.is_empty())
        && text::first_hidden(email).is_none()
        && let Err(why) = crate::model::web::check_email(email)
    {
        problems.push(Problem::at(
            CONFIG,
            text,
            key_offset(text, "sender", "email"),
            format!("`sender.email = \"{email}\"` {why}"),
        ));
    }
    if !(0.0..=10.0).contains(&config.build.bleed_mm) {
        problems.push(Problem::at(
            CONFIG,
            text,
            key_offset(text, "build", "bleed-mm"),
            "`build.bleed-mm` must be between 0 and 10 (mm); print shops usually ask for 3",
        ));
    }
}

fn validate_shipping(s: &Shipping, text: &str, problems: &mut Problems) {
    let mut check = |ok: bool, key: &str, msg: &str| {
        if !ok {
            problems.push(Problem::at(CONFIG, text, key_offset(text, "shipping", key), msg));
        }
    };
    check((40.0..=400.0).contains(&s.inner_gsm), "inner-gsm", "`shipping.inner-gsm` must be between 40 and 400 (g/m²)");
    check((80.0..=600.0).contains(&s.cover_gsm), "cover-gsm", "`shipping.cover-gsm` must be between 80 and 600 (g/m²)");
    check(
        (0.0..=5000.0).contains(&s.packaging_g),
        "packaging-g",
        "`shipping.packaging-g` must be between 0 and 5000 (g)",
    );
    check((0.5..=30.0).contains(&s.max_box_kg), "max-box-kg", "`shipping.max-box-kg` must be between 0.5 and 30 (kg)");
    check(
        s.label_offset.iter().all(|v| v.abs() <= 10.0),
        "label-offset",
        "`shipping.label-offset` must be within ±10 mm in each direction",
    );
    crate::model::postal::validate(&s.destinations, CONFIG, text, problems);
}
