//! A guidepress project folder: `guidepress.toml`, `editions/`, `chapters/`, `layouts/`, `fonts/`.
//!
//! [`Project::load`] reads and validates everything and reports every problem at once.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diag::{Location, Problem, Problems, key_offset};
use crate::model::LangMap;
use crate::model::contact::{self, Contact, ContactDef, Status, days_from_civil};
use crate::model::edition::{Size, default_office_paper, parse_size};
use crate::model::text::{self, Lines, RETYPE};

/// The project's configuration file name.
pub const CONFIG: &str = "guidepress.toml";
/// The layout every edition is typeset with.
pub const BOOK_LAYOUT: &str = "layouts/book.typ";
/// The words the layouts print, per language.
pub const STRINGS: &str = "layouts/strings.toml";

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
    /// Postal rules per destination country (`[shipping.destinations.XX]`).
    pub destinations: crate::ship::postal::Destinations,
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
    /// Contacts confirmed more than this many days before [`Guide::date`] are stale
    /// (`guide.stale-after-days`).
    #[serde(skip)]
    pub stale_after_days: i64,
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
        let hidden = check_hidden_in_toml(CONFIG, &config_text, &mut problems);
        let config: Option<ConfigFile> = parse_toml(CONFIG, &config_text, &hidden, &mut problems);
        let chapters = discover_chapters(root, &mut problems);
        if !root.join(BOOK_LAYOUT).is_file() {
            problems.push(Problem::file(BOOK_LAYOUT, "is missing; every edition is typeset with it"));
        }
        // The words the layouts print: read by the layouts, but written by translators like the rest.
        if let Ok(words) = fs::read_to_string(root.join(STRINGS)) {
            check_hidden_in_toml(STRINGS, &words, &mut problems);
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
            guide_date: &guide.date,
            guide_day,
            stale_after_days: i64::from(config.guide.stale_after_days),
        };
        let shared = contact::validate(&config.contacts, &shared_cx, &mut problems);
        let shared_ids: Vec<ContactAt> = config
            .contacts
            .iter()
            .map(|c| ContactAt::of(c.get_ref(), Location::at(CONFIG, &config_text, c.span().start)))
            .collect();
        duplicate_ids(&[], &shared_ids, "the shared contacts of guidepress.toml", &mut problems);
        validate_shipping(&config.shipping, &config_text, &mut problems);
        // The sender's e-mail is printed on every label: one bare address, like a contact's.
        if let Some(email) = config.sender.as_ref().map(|s| s.email.trim()).filter(|e| !e.is_empty())
            && text::first_hidden(email).is_none()
            && let Err(why) = crate::model::web::check_email(email)
        {
            problems.push(Problem::at(
                CONFIG,
                &config_text,
                key_offset(&config_text, "sender", "email"),
                format!("`sender.email = \"{email}\"` {why}"),
            ));
        }
        if !(0.0..=10.0).contains(&config.build.bleed_mm) {
            problems.push(Problem::at(
                CONFIG,
                &config_text,
                key_offset(&config_text, "build", "bleed-mm"),
                "`build.bleed-mm` must be between 0 and 10 (mm); print shops usually ask for 3",
            ));
        }
        let ecx = EditionCx {
            guide_day,
            stale_after_days: i64::from(config.guide.stale_after_days),
            shared: shared.clone(),
            shared_defs: config.contacts.iter().map(|c| (c.span().start, c.get_ref().clone())).collect(),
            shared_ids,
            guide: guide.clone(),
            config_text: config_text.clone(),
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

    /// What stops `build --final` for these editions: every unverified or stale contact, once,
    /// at the place it is written, naming the editions that print it.
    pub fn check_final(&self, editions: &[&Edition]) -> Result<(), Problems> {
        let mut refused: BTreeMap<&Location, (&Contact, Vec<&str>)> = BTreeMap::new();
        for e in editions {
            for c in e.contacts.iter().filter(|c| c.status != Status::Verified) {
                refused.entry(&c.origin).or_insert((c, Vec::new())).1.push(&e.id);
            }
        }
        let mut problems = Problems::default();
        for (at, (c, ids)) in refused {
            let name = c.name.get("en").or_else(|| c.name.values().next()).cloned().unwrap_or_default();
            let why = match &c.verified {
                Some(day) => {
                    format!("was last confirmed on {day}, too long before this version's date ({})", self.guide.date)
                }
                None => "has no `verified` date".to_string(),
            };
            let which = if ids.len() == 1 { "edition" } else { "editions" };
            problems.push(Problem::located(
                at,
                format!(
                    "contact \"{name}\" {why}, so --final refuses {which} {}; confirm its details, then set `verified` to the date you did",
                    ids.join(", ")
                ),
            ));
        }
        for (at, ids) in self.unconfirmed_passages(editions) {
            let which = if ids.len() == 1 { "edition" } else { "editions" };
            problems.push(Problem::located(
                at,
                format!(
                    "this passage is marked #unconfirmed, so --final refuses {which} {}; confirm it from a source and remove the mark, or delete the passage",
                    ids.join(", ")
                ),
            ));
        }
        problems.into_result()
    }

    /// Every `#unconfirmed` passage in the chapters these editions print, with the editions that
    /// print it, in file order.
    pub fn unconfirmed_passages<'a>(&'a self, editions: &[&'a Edition]) -> BTreeMap<&'a Location, Vec<&'a str>> {
        let mut out: BTreeMap<&Location, Vec<&str>> = BTreeMap::new();
        for e in editions {
            for lang in &e.languages {
                for at in self.chapters.get(lang).into_iter().flatten().flat_map(|c| &c.unconfirmed) {
                    out.entry(at).or_default().push(&e.id);
                }
            }
        }
        out
    }
}

struct EditionCx {
    guide_day: i64,
    stale_after_days: i64,
    shared: Vec<Contact>,
    /// Shared contacts as written, with their byte offset in guidepress.toml.
    shared_defs: Vec<(usize, ContactDef)>,
    /// Shared contacts' ids and places.
    shared_ids: Vec<ContactAt>,
    guide: Guide,
    config_text: String,
}

impl EditionCx {
    fn placeholder() -> Self {
        Self {
            guide_day: i64::MAX / 4,
            stale_after_days: i64::MAX / 4,
            shared: Vec::new(),
            shared_defs: Vec::new(),
            shared_ids: Vec::new(),
            guide: Guide {
                title: LangMap::new(),
                subtitle: LangMap::new(),
                publisher: LangMap::new(),
                version: String::new(),
                date: String::new(),
                ymd: (1970, 1, 1),
                stale_after_days: 730,
            },
            config_text: String::new(),
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
                problems.push(Problem::at(
                    rel,
                    &valid,
                    offset,
                    "the text here is not UTF-8; save the file with the encoding UTF-8 (in most editors: Save As, then choose UTF-8)",
                ));
                None
            }
        },
        Err(e) => {
            problems.push(Problem::file(rel, format!("cannot be read: {e}")));
            None
        }
    }
}

/// Reports every character a reader cannot see in a TOML file of the project (see
/// [`text::is_hidden`]): written as itself anywhere in the file (a comment too), or as an escape
/// (`\u202E`) in a string or key, or a tab or line break in a one-line string. Returns the byte
/// offsets of those written as themselves, which can make the file unreadable as TOML.
fn check_hidden_in_toml(rel: &str, text: &str, problems: &mut Problems) -> Vec<usize> {
    let strings = toml_strings(text);
    let field = |offset: usize| -> String {
        let containing = |key: bool| strings.iter().find(|s| s.key == key && s.span.contains(&offset));
        match (containing(false), containing(true)) {
            (Some(s), _) => format!("`{}`", s.path),
            (None, Some(s)) => format!("the key of `{}`", s.path),
            (None, None) => field_on_line(text, offset),
        }
    };
    let raw: Vec<(usize, char)> = text::find_hidden(text, Lines::Multi).collect();
    for &(offset, c) in &raw {
        problems.push(Problem::at(
            rel,
            text,
            offset,
            format!("{} has {}{RETYPE}", field(offset), text::hidden_advice(c)),
        ));
    }
    for s in &strings {
        let Some(written) = text.get(s.span.clone()) else { continue };
        for (at, c) in text::hidden_in_toml_string(written) {
            let offset = s.span.start + at;
            // An escape such as `\u202E`, or a tab written as itself in a one-line string.
            let what = if written.as_bytes()[at] == b'\\' {
                let len = match written.as_bytes()[at + 1] {
                    b'u' => 6,
                    b'U' => 10,
                    b'x' => 4,
                    _ => 2,
                };
                format!("the escape `{}`, which stands for ", &written[at..at + len])
            } else {
                String::new()
            };
            let whose = if s.key { format!("the key of `{}`", s.path) } else { format!("`{}`", s.path) };
            problems.push(Problem::at(rel, text, offset, format!("{whose} has {what}{}", text::hidden_advice(c))));
        }
    }
    raw.into_iter().map(|(offset, _)| offset).collect()
}

/// The setting written on the line of `offset` before it (for a file that is not valid TOML),
/// e.g. `` `contact.name.en` ``; `this comment` or `this line` when there is none.
fn field_on_line(text: &str, offset: usize) -> String {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[start..offset];
    if before.trim_start().starts_with('#') {
        return "this comment".into();
    }
    match before.split_once('=').map(|(k, _)| k.trim()) {
        Some(key) if !key.is_empty() && !key.contains(['#', '[', ']']) => {
            match section_at(text, offset).map(|h| h.trim_matches(['[', ']']).trim().to_string()) {
                Some(table) if !table.is_empty() => format!("`{table}.{key}`"),
                _ => format!("`{key}`"),
            }
        }
        _ => "this line".into(),
    }
}

/// A string of a TOML document as written: its dotted key path, its byte span (quotes included)
/// and whether it is a key.
struct TomlString {
    path: String,
    span: std::ops::Range<usize>,
    key: bool,
}

/// Every string value and key of a TOML text (none if it is not valid TOML).
fn toml_strings(text: &str) -> Vec<TomlString> {
    use toml_edit::{Item, Value};
    fn join(path: &str, key: &str) -> String {
        if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
    }
    fn value(v: &Value, path: &str, out: &mut Vec<TomlString>) {
        match v {
            Value::String(s) => {
                out.extend(s.span().map(|span| TomlString { path: path.to_string(), span, key: false }))
            }
            Value::Array(a) => a.iter().for_each(|v| value(v, path, out)),
            Value::InlineTable(t) => {
                for (k, v) in t.iter() {
                    let p = join(path, k);
                    out.extend(t.key(k).and_then(|k| k.span()).map(|span| TomlString {
                        path: p.clone(),
                        span,
                        key: true,
                    }));
                    value(v, &p, out);
                }
            }
            _ => {}
        }
    }
    fn table(t: &toml_edit::Table, path: &str, out: &mut Vec<TomlString>) {
        for (k, item) in t.iter() {
            let p = join(path, k);
            out.extend(t.key(k).and_then(|k| k.span()).map(|span| TomlString { path: p.clone(), span, key: true }));
            match item {
                Item::Value(v) => value(v, &p, out),
                Item::Table(t) => table(t, &p, out),
                Item::ArrayOfTables(a) => a.iter().for_each(|t| table(t, &p, out)),
                Item::None => {}
            }
        }
    }
    let Ok(doc) = toml_edit::ImDocument::parse(text) else { return Vec::new() };
    let mut out = Vec::new();
    table(doc.as_table(), "", &mut out);
    out
}

/// Reads a TOML file of the project into `T`, reporting why it cannot. `hidden` are the offsets of
/// characters already reported as hidden (see [`check_hidden_in_toml`]): a control character
/// is not valid TOML, and the syntax error on its line is that same problem, so it is not
/// reported again.
fn parse_toml<T: for<'de> Deserialize<'de>>(
    rel: &str,
    text: &str,
    hidden: &[usize],
    problems: &mut Problems,
) -> Option<T> {
    // Parse once without a schema so that broken TOML and wrong settings get different advice.
    let (e, syntax) = match text.parse::<toml::Table>() {
        Err(e) => (e, true),
        Ok(_) => match toml::from_str::<T>(text) {
            Ok(v) => return Some(v),
            Err(e) => (e, false),
        },
    };
    let offset = e.span().map_or(0, |s| s.start);
    let line = |offset: usize| crate::diag::line_col(text, offset).0;
    if syntax && hidden.iter().any(|h| line(*h) == line(offset)) {
        return None;
    }
    let message = if syntax {
        syntax_message(e.message(), value_at(text, offset))
    } else {
        schema_message(e.message(), text, offset)
    };
    problems.push(Problem::at(rel, text, offset, message));
    None
}

/// The value written after `=` on the line of `offset` (empty when the line has no `=`).
fn value_at(text: &str, offset: usize) -> &str {
    let offset = offset.min(text.len());
    let start = text.get(..offset).and_then(|b| b.rfind('\n')).map_or(0, |i| i + 1);
    let line = text[start..].lines().next().unwrap_or("");
    line.split_once('=').map_or("", |(_, v)| v.split('#').next().unwrap_or("").trim())
}

/// True for a value that looks like a date written in another form than YYYY-MM-DD
/// (30-07-2021, 2021/07/30, 30.7.2021, 2026-11).
fn looks_like_a_date(value: &str) -> bool {
    value.bytes().any(|b| b.is_ascii_digit())
        && value.bytes().all(|b| b.is_ascii_digit() || b"-/.".contains(&b))
        && value.bytes().filter(|b| b"-/.".contains(b)).count() >= 1
        && value.split(['-', '/', '.']).all(|p| (1..=4).contains(&p.len()))
}

/// Advice for text that is not TOML at all (toml's own words in parentheses); `value` is
/// what is written after `=` where the problem is.
fn syntax_message(raw: &str, value: &str) -> String {
    let detail = raw.trim().replace('\n', "; ");
    let hint = if raw.contains("invalid date-time") || looks_like_a_date(value) {
        "write the date as year-month-day with a real month and day, e.g. 2026-11-29, without quotes"
    } else if raw.contains("expected `\"`, `'`") {
        "put the text in double quotes, e.g. trim = \"a5\""
    } else if raw.contains("invalid basic string") || raw.contains("invalid literal string") {
        "end the text with a closing quote on the same line (use \"\"\" … \"\"\" for text over several lines)"
    } else if raw.contains("duplicate key") {
        "write each setting only once and delete the other"
    } else {
        "check the quotes, brackets and commas, and that each setting is written key = value"
    };
    format!("this is not valid TOML ({detail}); {hint}")
}

/// Rewrites serde's messages about a setting (unknown, missing, wrong type) for translators.
fn schema_message(raw: &str, text: &str, offset: usize) -> String {
    let raw = raw.trim();
    if let Some(rest) = raw.strip_prefix("unknown field ") {
        let (field, allowed) = rest.split_once(", ").unwrap_or((rest, ""));
        return match allowed.strip_prefix("expected one of ").or_else(|| allowed.strip_prefix("expected ")) {
            Some(list) if list.contains(", ") => {
                format!("unknown setting {field}; check the spelling (the settings allowed here are {list})")
            }
            Some(only) => {
                format!("unknown setting {field}; check the spelling (the only setting allowed here is {only})")
            }
            None => format!("unknown setting {field}; no settings are allowed here, so delete it"),
        };
    }
    if let Some(field) = raw.strip_prefix("missing field ") {
        let place = match section_at(text, offset) {
            Some(header) => format!("to this {header}"),
            None => "at the top of the file".to_string(),
        };
        return format!("the required setting {field} is missing; add {} = … {place}", field.trim_matches('`'));
    }
    let key = key_before(text, offset);
    if let Some(rest) = raw.strip_prefix("unknown variant ") {
        if let Some((value, list)) = rest.split_once(", expected one of ") {
            let value = value.trim_matches('`');
            let what = key.map_or(format!("\"{value}\""), |k| format!("`{k} = \"{value}\"`"));
            return format!("{what} is not one of the allowed values; write one of {list}");
        }
    }
    if let Some(rest) = raw.strip_prefix("invalid value: ") {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            let what = key.clone().map_or("this value".to_string(), |k| format!("`{k}`"));
            let wanted = match expected {
                "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number, 0 or more".to_string(),
                e => expected_words(e),
            };
            return format!("{what} must be {wanted}, not {}", found_words(found));
        }
    }
    if let Some(rest) = raw.strip_prefix("invalid type: ") {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            let what = key.map_or("this value".to_string(), |k| format!("`{k}`"));
            return format!("{what} must be {}, not {}", expected_words(expected), found_words(found));
        }
    }
    raw.replace('\n', "; ")
}

/// Serde's name of an expected type, in an editor's words.
fn expected_words(expected: &str) -> String {
    match expected {
        "a sequence" => "a list in square brackets, e.g. [\"ko\", \"en\"]".into(),
        "a string" => "text in double quotes".into(),
        "a boolean" => "true or false".into(),
        "a TOML datetime" => "a date without quotes, e.g. 2026-11-29".into(),
        "a map" => "a table".into(),
        e if e.starts_with("struct ") => "a table".into(),
        "f64" | "f32" | "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "isize" => {
            "a number without quotes".into()
        }
        e => e.to_string(),
    }
}

/// Serde's description of the value found, in an editor's words.
fn found_words(found: &str) -> String {
    if let Some(s) = found.strip_prefix("string ") {
        return format!("the text {s}");
    }
    for prefix in ["integer ", "floating point "] {
        if let Some(n) = found.strip_prefix(prefix) {
            return format!("the number {}", n.trim_matches('`'));
        }
    }
    match found {
        "sequence" => "a list".into(),
        "map" => "a table".into(),
        f => f.trim_start_matches("boolean ").trim_matches('`').to_string(),
    }
}

/// The key written before `=` on the line of `offset`, when the value starts on that line.
fn key_before(text: &str, offset: usize) -> Option<String> {
    let before = text.get(..offset)?;
    let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    let key = line.trim_end().strip_suffix('=')?.trim();
    (!key.is_empty()).then(|| key.to_string())
}

/// The `[table]` or `[[array]]` header on the line of `offset` or above it, if any.
fn section_at(text: &str, offset: usize) -> Option<String> {
    let before = text.get(..offset)?;
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let upto = &text[..line_end.max(before.len())];
    upto.lines().rev().map(str::trim).find(|l| l.starts_with('[')).map(str::to_string)
}

fn validate_guide(def: &GuideDef, text: &str, problems: &mut Problems) -> Guide {
    let mut ymd = (1970, 1, 1);
    match def.date.get_ref().date.filter(|_| def.date.get_ref().time.is_none()) {
        Some(d) => ymd = (i32::from(d.year), d.month, d.day),
        None => problems.push(Problem::at(
            CONFIG,
            text,
            def.date.span().start,
            "`guide.date` must be a date without a time, e.g. 2026-11-29",
        )),
    }
    if def.version.trim().is_empty() {
        problems.push(Problem::at(
            CONFIG,
            text,
            key_offset(text, "guide", "version"),
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
        stale_after_days: i64::from(def.stale_after_days),
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
    crate::ship::postal::validate(&s.destinations, CONFIG, text, problems);
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
                            format!("has the same number {number:02} as {}; renumber one of them so that each chapter has its own number", other.path.trim_start_matches('/')),
                        ));
                    }
                    let mut unconfirmed = Vec::new();
                    if let Ok(text) = fs::read_to_string(file.path()) {
                        check_chapter_title(&rel, &text, problems);
                        check_hidden_in_chapter(&rel, &text, problems);
                        unconfirmed = crate::unconfirmed::find(&text)
                            .into_iter()
                            .map(|offset| Location::at(&rel, &text, offset))
                            .collect();
                    }
                    chapters.push(Chapter { number, slug, path: format!("/{rel}"), unconfirmed });
                }
                None => problems.push(Problem::file(
                    &rel,
                    "is not named like a chapter; name it NN-slug.typ (two digits, a dash, lower-case words joined by dashes), e.g. 01-who-is-a-victim.typ",
                )),
            }
        }
        chapters.sort_by_key(|c| c.number);
        // The first number missing from 01, 02, 03 … (a duplicate number is reported above).
        let mut expected = 1;
        for c in &chapters {
            if c.number == expected {
                expected += 1;
            } else if c.number > expected {
                problems.push(Problem::file(
                    c.path.trim_start_matches('/'),
                    format!("chapters/{lang}/ has no chapter {expected:02} before this one; number the chapters 01, 02, 03 … without gaps"),
                ));
                break;
            }
        }
        out.insert(lang, chapters);
    }
    out
}

/// Reports every character a reader cannot see in a chapter source (tabs and line breaks are
/// text there), written as itself or as a Typst escape (`\u{202e}`).
fn check_hidden_in_chapter(rel: &str, source: &str, problems: &mut Problems) {
    // A byte order mark at the very start says the file is UTF-8; it is not text.
    let start = if source.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    for (offset, c) in text::find_hidden(&source[start..], Lines::Multi) {
        let offset = start + offset;
        problems.push(Problem::at(rel, source, offset, format!("the text has {}{RETYPE}", text::hidden_advice(c))));
    }
    for (offset, c) in text::hidden_in_typst_escapes(source) {
        let end = source[offset..].find('}').map_or(source.len(), |e| offset + e + 1);
        problems.push(Problem::at(
            rel,
            source,
            offset,
            format!("the text has the escape `{}`, which stands for {}", &source[offset..end], text::hidden_advice(c)),
        ));
    }
}

/// A chapter file has exactly one `=` title: the layouts number the chapter's title with the
/// file's NN, and the contents page counts `=` titles, so the two agree only then.
fn check_chapter_title(rel: &str, text: &str, problems: &mut Problems) {
    let mut in_raw = false;
    let mut titles = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_raw = !in_raw;
        } else if !in_raw && (trimmed.starts_with("= ") || trimmed.trim_end() == "=") {
            titles.push(offset + line.len() - trimmed.len());
        }
        offset += line.len();
    }
    match titles.as_slice() {
        [_] => {}
        [] => problems.push(Problem::file(
            rel,
            "has no `= ` title; start the chapter with its title on a line of its own, e.g. `= Who Is a Victim`",
        )),
        [_, second, ..] => problems.push(Problem::at(
            rel,
            text,
            *second,
            format!(
                "is a second `= ` title in this chapter file ({} in all); a chapter has one `=` title, so write its \
                 sections as `== ` or move this part into a chapter file of its own",
                titles.len()
            ),
        )),
    }
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
    // Well-named edition ids, to tell a file that repeats one of them in other letter case.
    let ids: BTreeSet<String> = paths
        .iter()
        .filter(|p| !p.is_dir())
        .filter_map(|p| p.file_name()?.to_str()?.strip_suffix(".toml").map(str::to_string))
        .filter(|id| is_edition_id(id))
        .collect();
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
        if !is_edition_id(id) {
            let suggested = suggest_edition_id(id);
            let message = if ids.contains(&suggested) && !id.eq_ignore_ascii_case(&suggested) {
                format!(
                    "is named like editions/{suggested}.toml, which already exists, and an edition id cannot have \
                     spaces or other marks; keep one of the two files and delete the other"
                )
            } else if ids.contains(&suggested) {
                format!(
                    "is the same edition as editions/{suggested}.toml: edition ids do not depend on upper or lower case \
                     (orders may write `{id}` or `{suggested}`), so two files cannot both be edition `{suggested}`; keep \
                     one of the two files and delete the other"
                )
            } else {
                let example = if suggested.is_empty() { "us".to_string() } else { suggested };
                format!(
                    "has an edition id that is not lower-case letters, digits and dashes; rename the file, e.g. \
                     editions/{example}.toml"
                )
            };
            problems.push(Problem::file(&rel, message));
            continue;
        }
        let Some(text) = read_text(&path, &rel, problems) else { continue };
        let hidden = check_hidden_in_toml(&rel, &text, problems);
        let Some(def) = parse_toml::<EditionFile>(&rel, &text, &hidden, problems) else { continue };
        if let Some(e) = validate_edition(id, &rel, &text, def, cx, chapters, problems) {
            editions.push(e);
        }
    }
    if editions.is_empty() && problems.is_empty() {
        problems.push(Problem::file("editions/", "has no editions; add one editions/<id>.toml per edition"));
    }
    editions
}

/// True for an edition id: lower-case ASCII letters, digits and dashes.
fn is_edition_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The edition id a badly named file probably means: lower case, spaces and underscores as dashes.
fn suggest_edition_id(name: &str) -> String {
    let mapped: String = name
        .trim()
        .chars()
        .filter_map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' => Some(c.to_ascii_lowercase()),
            ' ' | '_' | '-' | '.' => Some('-'),
            _ => None,
        })
        .collect();
    mapped.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-")
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
            problems.push(Problem::at(
                rel,
                text,
                lang_at,
                format!("language `{lang}` is listed twice in `languages`; delete one of them"),
            ));
        }
        if !chapters.contains_key(lang) {
            let known: Vec<&str> = chapters.keys().map(String::as_str).collect();
            problems.push(Problem::at(
                rel,
                text,
                lang_at,
                format!("edition `{id}` uses language `{lang}`, but chapters/{lang}/ does not exist (languages with chapters: {}); add the chapters in {lang} to chapters/{lang}/, or remove `{lang}` from `languages`", known.join(", ")),
            ));
        }
        if !cx.guide.title.is_empty() && !cx.guide.title.contains_key(lang) {
            problems.push(Problem::at(
                CONFIG,
                &cx.config_text,
                key_offset(&cx.config_text, "guide", "title"),
                format!("`guide.title` has no `{lang}` title, which edition `{id}` uses; add title.{lang} = \"…\""),
            ));
        }
        if !def.name.contains_key(lang) {
            problems.push(Problem::at(
                rel,
                text,
                key_offset(text, "", "name"),
                format!(
                    "`name` has no `{lang}` entry; add name.{lang} = \"…\" (the country's name as printed on the cover)"
                ),
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
                problems.push(Problem::at(rel, text, lang_at, format!("edition `{id}` prints its chapters in {lang}, but chapters/{lang}/{n:02}-{slug}.typ is missing (chapters/{first}/ has it); translate the chapter into {lang} and save it under that name")));
            }
            for (n, slug) in other.difference(&reference) {
                problems.push(Problem::at(rel, text, lang_at, format!("edition `{id}` prints its chapters in {first}, but chapters/{first}/{n:02}-{slug}.typ is missing (chapters/{lang}/ has it); translate the chapter into {first} and save it under that name, or delete chapters/{lang}/{n:02}-{slug}.typ")));
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
        guide_date: &cx.guide.date,
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
    for (at, d) in &cx.shared_defs {
        let names = &d.name;
        for lang in &languages {
            if !names.contains_key(lang) {
                problems.push(Problem::at(
                    CONFIG,
                    &cx.config_text,
                    *at,
                    format!(
                        "contact \"{}\" has no `name.{lang}`; edition `{id}` prints every contact in {lang}",
                        names.get("en").or(names.values().next()).cloned().unwrap_or_default()
                    ),
                ));
            }
        }
    }
    let local: Vec<ContactAt> =
        def.contacts.iter().map(|c| ContactAt::of(c.get_ref(), Location::at(rel, text, c.span().start))).collect();
    let scope = format!("edition `{id}` (its own contacts and the shared ones of guidepress.toml)");
    duplicate_ids(&cx.shared_ids, &local, &scope, problems);
    if problems.0.len() != before {
        return None;
    }
    contacts.extend(cx.shared.iter().cloned());
    let unconfirmed =
        languages.iter().flat_map(|l| chapters.get(l).into_iter().flatten()).any(|c| !c.unconfirmed.is_empty());
    let draft = unconfirmed || contacts.iter().any(|c| c.status != Status::Verified);
    Some(Edition { id: id.to_string(), country, languages, name: def.name, trim, office_paper, contacts, draft })
}

/// A contact's id, name (for messages) and place.
#[derive(Debug, Clone)]
struct ContactAt {
    id: String,
    name: String,
    at: Location,
}

impl ContactAt {
    fn of(def: &ContactDef, at: Location) -> Self {
        Self { id: def.id(), name: contact::display_name(def), at }
    }
}

/// Reports every contact of `contacts` whose id is already taken by one of `earlier` or by a
/// contact before it, at its own place, naming the other; `scope` says where ids must differ.
fn duplicate_ids(earlier: &[ContactAt], contacts: &[ContactAt], scope: &str, problems: &mut Problems) {
    let mut seen: BTreeMap<&str, &ContactAt> = BTreeMap::new();
    for c in earlier {
        seen.entry(&c.id).or_insert(c);
    }
    for c in contacts {
        match seen.get(c.id.as_str()) {
            Some(first) => problems.push(Problem::located(
                &c.at,
                format!(
                    "contact \"{}\" has the same id `{}` as contact \"{}\" at {}:{}:{} (an id is made from the English name \
                     unless `id` is set); ids must differ within {scope}, so set `id = \"…\"` on one of them \
                     (lower-case letters, digits and dashes)",
                    c.name, c.id, first.name, first.at.file, first.at.line, first.at.column
                ),
            )),
            None => {
                seen.insert(&c.id, c);
            }
        }
    }
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
