//! A guidepress project folder: `guidepress.toml`, `editions/`, `chapters/`, `layouts/`, `fonts/`.
//!
//! [`Project::load`] reads and validates everything and reports every problem at once.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diag::{Problem, Problems};
use crate::model::LangMap;
use crate::model::contact::{self, Contact, ContactDef, Status, days_from_civil};
use crate::model::edition::{Size, default_office_paper, parse_size};

/// The project's configuration file name.
pub const CONFIG: &str = "guidepress.toml";
/// The layout every edition is typeset with.
pub const BOOK_LAYOUT: &str = "layouts/book.typ";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigFile {
    guide: GuideDef,
    sender: Option<Sender>,
    #[serde(default)]
    shipping: Shipping,
    #[serde(default)]
    build: BuildSettings,
    #[serde(default, rename = "contact")]
    contacts: Vec<Spanned<ContactDef>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct GuideDef {
    title: LangMap,
    #[serde(default)]
    subtitle: LangMap,
    publisher: LangMap,
    version: String,
    date: Spanned<toml::value::Datetime>,
    #[serde(default = "default_stale_days")]
    stale_after_days: u32,
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
}

impl Default for Shipping {
    fn default() -> Self {
        Self { inner_gsm: 80.0, cover_gsm: 250.0, packaging_g: 300.0, max_box_kg: 5.0, label_offset: [0.0, 0.0] }
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct EditionFile {
    country: Spanned<String>,
    languages: Spanned<Vec<String>>,
    name: LangMap,
    trim: Option<Spanned<String>>,
    office_paper: Option<Spanned<String>>,
    #[serde(default, rename = "contact")]
    contacts: Vec<Spanned<ContactDef>>,
}

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
    pub ymd: (i32, u8, u8),
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
    /// True when any contact is unverified or stale.
    pub draft: bool,
}

/// A loaded, validated project.
#[derive(Debug, Clone)]
pub struct Project {
    /// The project folder.
    pub root: PathBuf,
    /// Guide metadata.
    pub guide: Guide,
    /// Sender for labels.
    pub sender: Option<Sender>,
    /// Shipping settings.
    pub shipping: Shipping,
    /// Build settings.
    pub build: BuildSettings,
    /// Editions sorted by id.
    pub editions: Vec<Edition>,
    /// Chapters per language, in order.
    pub chapters: BTreeMap<String, Vec<Chapter>>,
}

impl Project {
    /// Loads and validates the project in `root`, reporting every problem found.
    pub fn load(root: &Path) -> Result<Project, Problems> {
        let mut problems = Problems::default();
        let config_path = root.join(CONFIG);
        let Some(config_text) = read_text(&config_path, CONFIG, &mut problems) else {
            if !config_path.exists() {
                problems.0.clear();
                problems.push(Problem::file(
                    CONFIG,
                    format!(
                        "not found in {}; run guidepress in a project folder or pass --project DIR",
                        root.display()
                    ),
                ));
            }
            return Err(problems);
        };
        let config: Option<ConfigFile> = parse_toml(CONFIG, &config_text, &mut problems);
        let chapters = discover_chapters(root, &mut problems);
        if !root.join(BOOK_LAYOUT).is_file() {
            problems.push(Problem::file(BOOK_LAYOUT, "is missing; every edition is typeset with it"));
        }
        let Some(config) = config else {
            // Still look at the editions so their problems are reported too.
            let _ = load_editions(root, &EditionCx::placeholder(), &chapters, &mut problems);
            return Err(problems.into_result().unwrap_err());
        };
        let guide = validate_guide(&config.guide, &config_text, &mut problems);
        let guide_day = days_from_civil(i64::from(guide.ymd.0), u32::from(guide.ymd.1), u32::from(guide.ymd.2));
        let shared_cx = contact::Context {
            file: CONFIG,
            text: &config_text,
            default_country: "KR",
            guide_day,
            stale_after_days: i64::from(config.guide.stale_after_days),
        };
        let shared = contact::validate(&config.contacts, &shared_cx, &mut problems);
        validate_shipping(&config.shipping, &mut problems);
        if !(0.0..=10.0).contains(&config.build.bleed_mm) {
            problems.push(Problem::file(
                CONFIG,
                "`build.bleed-mm` must be between 0 and 10 (mm); print shops usually ask for 3",
            ));
        }
        let ecx = EditionCx {
            guide_day,
            stale_after_days: i64::from(config.guide.stale_after_days),
            shared: shared.clone(),
            shared_defs: config.contacts.iter().map(|c| c.get_ref().clone()).collect(),
            guide: guide.clone(),
        };
        let editions = load_editions(root, &ecx, &chapters, &mut problems);
        problems.into_result()?;
        Ok(Project {
            root: root.to_path_buf(),
            guide,
            sender: config.sender,
            shipping: config.shipping,
            build: config.build,
            editions,
            chapters,
        })
    }

    /// The edition with this id.
    pub fn edition(&self, id: &str) -> Option<&Edition> {
        self.editions.iter().find(|e| e.id == id)
    }

    /// All edition ids, sorted.
    pub fn edition_ids(&self) -> Vec<&str> {
        self.editions.iter().map(|e| e.id.as_str()).collect()
    }
}

struct EditionCx {
    guide_day: i64,
    stale_after_days: i64,
    shared: Vec<Contact>,
    shared_defs: Vec<ContactDef>,
    guide: Guide,
}

impl EditionCx {
    fn placeholder() -> Self {
        Self {
            guide_day: i64::MAX / 4,
            stale_after_days: i64::MAX / 4,
            shared: Vec::new(),
            shared_defs: Vec::new(),
            guide: Guide {
                title: LangMap::new(),
                subtitle: LangMap::new(),
                publisher: LangMap::new(),
                version: String::new(),
                date: String::new(),
                ymd: (1970, 1, 1),
            },
        }
    }
}

fn read_text(path: &Path, rel: &str, problems: &mut Problems) -> Option<String> {
    match fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text)),
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                let valid = String::from_utf8_lossy(&e.as_bytes()[..offset]).into_owned();
                problems.push(Problem::at(rel, &valid, offset, "is not UTF-8 text; save the file as UTF-8"));
                None
            }
        },
        Err(e) => {
            problems.push(Problem::file(rel, format!("cannot be read: {e}")));
            None
        }
    }
}

fn parse_toml<T: for<'de> Deserialize<'de>>(rel: &str, text: &str, problems: &mut Problems) -> Option<T> {
    match toml::from_str::<T>(text) {
        Ok(v) => Some(v),
        Err(e) => {
            let offset = e.span().map_or(0, |s| s.start);
            let mut message = e.message().trim().to_string();
            if message.starts_with("unknown field") {
                message.push_str("; check the spelling");
            }
            problems.push(Problem::at(rel, text, offset, message));
            None
        }
    }
}

fn validate_guide(def: &GuideDef, text: &str, problems: &mut Problems) -> Guide {
    let mut ymd = (1970, 1, 1);
    match def.date.get_ref().date.filter(|_| def.date.get_ref().time.is_none()) {
        Some(d) => ymd = (i32::from(d.year), d.month, d.day),
        None => problems.push(Problem::at(
            CONFIG,
            text,
            def.date.span().start,
            "`guide.date` must be a date like 2026-11-29",
        )),
    }
    if def.version.trim().is_empty() {
        problems.push(Problem::file(
            CONFIG,
            "`guide.version` is empty; write the version printed on the cover, e.g. \"2026.1\"",
        ));
    }
    Guide {
        title: def.title.clone(),
        subtitle: def.subtitle.clone(),
        publisher: def.publisher.clone(),
        version: def.version.clone(),
        date: format!("{:04}-{:02}-{:02}", ymd.0, ymd.1, ymd.2),
        ymd,
    }
}

fn validate_shipping(s: &Shipping, problems: &mut Problems) {
    let mut check = |ok: bool, msg: &str| {
        if !ok {
            problems.push(Problem::file(CONFIG, msg));
        }
    };
    check((40.0..=400.0).contains(&s.inner_gsm), "`shipping.inner-gsm` must be between 40 and 400 (g/m²)");
    check((80.0..=600.0).contains(&s.cover_gsm), "`shipping.cover-gsm` must be between 80 and 600 (g/m²)");
    check((0.0..=5000.0).contains(&s.packaging_g), "`shipping.packaging-g` must be between 0 and 5000 (g)");
    check((0.5..=30.0).contains(&s.max_box_kg), "`shipping.max-box-kg` must be between 0.5 and 30 (kg)");
    check(
        s.label_offset.iter().all(|v| v.abs() <= 10.0),
        "`shipping.label-offset` must be within ±10 mm in each direction",
    );
}

/// Finds `chapters/<lang>/NN-slug.typ`, checking names and numbering.
fn discover_chapters(root: &Path, problems: &mut Problems) -> BTreeMap<String, Vec<Chapter>> {
    let mut out = BTreeMap::new();
    let Ok(langs) = fs::read_dir(root.join("chapters")) else {
        problems.push(Problem::file("chapters/", "is missing; put chapter sources in chapters/<language>/NN-slug.typ"));
        return out;
    };
    let mut lang_dirs: Vec<_> = langs.filter_map(Result::ok).filter(|e| e.path().is_dir()).collect();
    lang_dirs.sort_by_key(|e| e.file_name());
    for dir in lang_dirs {
        let lang = dir.file_name().to_string_lossy().into_owned();
        let mut chapters: Vec<Chapter> = Vec::new();
        let mut files: Vec<_> = fs::read_dir(dir.path()).into_iter().flatten().filter_map(Result::ok).collect();
        files.sort_by_key(|e| e.file_name());
        for file in files {
            let name = file.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !file.path().is_file() {
                continue;
            }
            let rel = format!("chapters/{lang}/{name}");
            match parse_chapter_name(&name) {
                Some((number, slug)) => {
                    if let Some(other) = chapters.iter().find(|c| c.number == number) {
                        problems.push(Problem::file(
                            &rel,
                            format!("has the same number {number:02} as {}; give each chapter its own number", other.path.trim_start_matches('/')),
                        ));
                    }
                    chapters.push(Chapter { number, slug, path: format!("/{rel}") });
                }
                None => problems.push(Problem::file(
                    &rel,
                    "is not named like a chapter; name it NN-slug.typ (two digits, a dash, lower-case words joined by dashes), e.g. 01-who-is-a-victim.typ",
                )),
            }
        }
        chapters.sort_by_key(|c| c.number);
        for (i, c) in chapters.iter().enumerate() {
            let expected = i as u32 + 1;
            if c.number != expected && !chapters.iter().any(|o| o.number == expected) {
                problems.push(Problem::file(
                    c.path.trim_start_matches('/'),
                    format!("chapter numbers in chapters/{lang} jump to {:02}; there is no {expected:02}: renumber the files from 01 without gaps", c.number),
                ));
                break;
            }
        }
        out.insert(lang, chapters);
    }
    out
}

fn parse_chapter_name(name: &str) -> Option<(u32, String)> {
    let stem = name.strip_suffix(".typ")?;
    let (nn, slug) = stem.split_once('-')?;
    if nn.len() != 2 || !nn.bytes().all(|b| b.is_ascii_digit()) || slug.is_empty() {
        return None;
    }
    if !slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return None;
    }
    let number: u32 = nn.parse().ok()?;
    (number > 0).then(|| (number, slug.to_string()))
}

fn load_editions(
    root: &Path,
    cx: &EditionCx,
    chapters: &BTreeMap<String, Vec<Chapter>>,
    problems: &mut Problems,
) -> Vec<Edition> {
    let Ok(entries) = fs::read_dir(root.join("editions")) else {
        problems.push(Problem::file("editions/", "is missing; add one editions/<id>.toml per edition"));
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    let mut editions = Vec::new();
    for path in paths {
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        if name.starts_with('.') || path.is_dir() {
            continue;
        }
        let rel = format!("editions/{name}");
        let Some(id) = name.strip_suffix(".toml") else {
            problems.push(Problem::file(&rel, "is not a .toml file; editions/ holds only <id>.toml files"));
            continue;
        };
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            problems.push(Problem::file(&rel, "has an edition id that is not lower-case letters, digits and dashes; rename the file, e.g. editions/us.toml"));
            continue;
        }
        let Some(text) = read_text(&path, &rel, problems) else { continue };
        let Some(def) = parse_toml::<EditionFile>(&rel, &text, problems) else { continue };
        if let Some(e) = validate_edition(id, &rel, &text, def, cx, chapters, problems) {
            editions.push(e);
        }
    }
    if editions.is_empty() && problems.is_empty() {
        problems.push(Problem::file("editions/", "has no editions; add one editions/<id>.toml per edition"));
    }
    editions
}

fn validate_edition(
    id: &str,
    rel: &str,
    text: &str,
    def: EditionFile,
    cx: &EditionCx,
    chapters: &BTreeMap<String, Vec<Chapter>>,
    problems: &mut Problems,
) -> Option<Edition> {
    let before = problems.0.len();
    let country = def.country.get_ref().trim().to_ascii_uppercase();
    if country.len() != 2
        || !country.bytes().all(|b| b.is_ascii_uppercase())
        || crate::ship::country::country_name(&country).is_none()
    {
        problems.push(Problem::at(
            rel,
            text,
            def.country.span().start,
            format!(
                "`country = \"{}\"` is not an ISO 3166 two-letter country code (e.g. US, NZ, MO)",
                def.country.get_ref()
            ),
        ));
    }
    let languages = def.languages.get_ref().clone();
    let lang_at = def.languages.span().start;
    if languages.is_empty() {
        problems.push(Problem::at(
            rel,
            text,
            lang_at,
            "`languages` is empty; list the languages of this edition in print order, e.g. [\"ko\", \"en\"]",
        ));
    }
    let mut seen = BTreeSet::new();
    for lang in &languages {
        if !seen.insert(lang) {
            problems.push(Problem::at(rel, text, lang_at, format!("language `{lang}` is listed twice")));
        }
        if !chapters.contains_key(lang) {
            let known: Vec<&str> = chapters.keys().map(String::as_str).collect();
            problems.push(Problem::at(
                rel,
                text,
                lang_at,
                format!("edition `{id}` uses language `{lang}`, but chapters/{lang}/ does not exist (languages with chapters: {}); add the translated chapters or remove `{lang}`", known.join(", ")),
            ));
        }
        if !cx.guide.title.is_empty() && !cx.guide.title.contains_key(lang) {
            problems.push(Problem::file(
                CONFIG,
                format!("`guide.title` has no `{lang}` title, which edition `{id}` uses; add title.{lang} = \"…\""),
            ));
        }
        if !def.name.contains_key(lang) {
            problems.push(Problem::at(
                rel,
                text,
                0,
                format!("`name` has no `{lang}` entry; add name.{lang} = \"…\" (the country as printed on the cover)"),
            ));
        }
    }
    // Every language of the edition must have the same chapters.
    if let Some(first) = languages.iter().find(|l| chapters.contains_key(*l)) {
        let keys = |l: &str| -> BTreeSet<(u32, String)> {
            chapters.get(l).map(|cs| cs.iter().map(|c| (c.number, c.slug.clone())).collect()).unwrap_or_default()
        };
        let reference = keys(first);
        for lang in languages.iter().filter(|l| *l != first && chapters.contains_key(*l)) {
            let other = keys(lang);
            for (n, slug) in reference.difference(&other) {
                problems.push(Problem::at(rel, text, lang_at, format!("edition `{id}`: chapter {n:02}-{slug}.typ is in chapters/{first}/ but missing in chapters/{lang}/; translate it into `{lang}`")));
            }
            for (n, slug) in other.difference(&reference) {
                problems.push(Problem::at(rel, text, lang_at, format!("edition `{id}`: chapter {n:02}-{slug}.typ is in chapters/{lang}/ but missing in chapters/{first}/; add it there too or remove it")));
            }
        }
    }
    let trim = match &def.trim {
        None => Size { width_mm: 148.0, height_mm: 210.0 },
        Some(t) => parse_size(t.get_ref()).unwrap_or_else(|msg| {
            problems.push(Problem::at(rel, text, t.span().start, format!("`trim`: {msg}")));
            Size { width_mm: 148.0, height_mm: 210.0 }
        }),
    };
    let office_paper = match &def.office_paper {
        None => default_office_paper(&country).to_string(),
        Some(p) => {
            let v = p.get_ref().trim().to_ascii_lowercase();
            if v != "a4" && v != "letter" {
                problems.push(Problem::at(
                    rel,
                    text,
                    p.span().start,
                    format!("`office-paper = \"{}\"` must be \"a4\" or \"letter\"", p.get_ref()),
                ));
            }
            v
        }
    };
    let ccx = contact::Context {
        file: rel,
        text,
        default_country: &country,
        guide_day: cx.guide_day,
        stale_after_days: cx.stale_after_days,
    };
    let mut contacts = contact::validate(&def.contacts, &ccx, problems);
    // Every contact must be named in every language of the edition.
    for d in &def.contacts {
        let names = &d.get_ref().name;
        for lang in &languages {
            if !names.contains_key(lang) {
                problems.push(Problem::at(
                    rel,
                    text,
                    d.span().start,
                    format!(
                        "contact \"{}\" has no `name.{lang}`; edition `{id}` prints every contact in {lang}",
                        names.get("en").or(names.values().next()).cloned().unwrap_or_default()
                    ),
                ));
            }
        }
    }
    for d in &cx.shared_defs {
        let names = &d.name;
        for lang in &languages {
            if !names.contains_key(lang) {
                problems.push(Problem::file(
                    CONFIG,
                    format!(
                        "shared contact \"{}\" has no `name.{lang}`, which edition `{id}` uses",
                        names.get("en").cloned().unwrap_or_default()
                    ),
                ));
            }
        }
    }
    if problems.0.len() != before {
        return None;
    }
    contacts.extend(cx.shared.iter().cloned());
    let draft = contacts.iter().any(|c| c.status != Status::Verified);
    Some(Edition { id: id.to_string(), country, languages, name: def.name, trim, office_paper, contacts, draft })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chapter_names() {
        assert_eq!(parse_chapter_name("01-who-is-a-victim.typ"), Some((1, "who-is-a-victim".into())));
        assert_eq!(parse_chapter_name("1-x.typ"), None);
        assert_eq!(parse_chapter_name("01_x.typ"), None);
        assert_eq!(parse_chapter_name("01-X.typ"), None);
        assert_eq!(parse_chapter_name("00-x.typ"), None);
    }
}
