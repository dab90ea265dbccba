//! A guidepress project folder: `guidepress.toml`, `editions/`, `chapters/`, `layouts/`, `fonts/`.
//!
//! [`Project::load`] reads and validates everything and reports every problem at once:
//! `schema.rs` is what the files may say, `toml_errors.rs` turns TOML and serde errors into advice
//! for editors, `chapters.rs` finds the chapter sources and `editions.rs` validates each edition.

mod chapters;
mod editions;
pub mod languages;
pub mod layout_toml;
mod schema;
pub mod standing;
mod toml_errors;
pub mod translations;
pub mod unconfirmed;
pub mod words;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{Location, Problem, Problems};
use crate::model::contact::{self, Contact, Status};

pub use crate::model::edition::{Chapter, Edition, Guide};
pub use schema::{BuildSettings, RecordSettings, Sender, Shipping};

use chapters::discover_chapters;
use editions::{ContactAt, EditionCx, duplicate_ids, load_editions};
use schema::{ConfigFile, validate_guide, validate_settings};
use toml_errors::{check_hidden_in_toml, parse_toml};

/// The date a new project is given: `SOURCE_DATE_EPOCH`'s day when set, else today (UTC).
pub fn document_date() -> String {
    crate::model::date::Date::now().to_string()
}

/// The project's configuration file name.
pub const CONFIG: &str = "guidepress.toml";
/// The layout every edition is typeset with.
pub const BOOK_LAYOUT: &str = "layouts/book.typ";
/// How much text fits its place on the pages: read by guidepress, designed for by the layouts.
pub const LIMITS: &str = "layouts/limits.toml";
/// The words the layouts print, per language.
pub const STRINGS: &str = "layouts/strings.toml";

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
    /// Where the record of print runs and shipments lives.
    pub records: RecordSettings,
    /// Editions sorted by id.
    pub editions: Vec<Edition>,
    /// Chapters per language, in order.
    pub chapters: BTreeMap<String, Vec<Chapter>>,
    /// Where each translated chapter stands against its source.
    pub translations: translations::Translations,
    /// `layouts/languages.toml`: each language's script and faces.
    pub languages: languages::Languages,
    /// Words of `layouts/strings.toml` still marked for translation, per language.
    pub untranslated: words::Marked,
}

/// The book layout is there, and the words the layouts print (read by the layouts, but written
/// by translators like the rest) hide no invisible characters.
fn check_book_and_strings(root: &Path, problems: &mut Problems) {
    if !root.join(BOOK_LAYOUT).is_file() {
        problems.push(Problem::file(BOOK_LAYOUT, "is missing; every edition is typeset with it"));
    }
    match crate::input::read_text(&root.join(STRINGS)) {
        Ok(words) => {
            check_hidden_in_toml(STRINGS, &words, problems);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => problems.push(Problem::file(STRINGS, format!("cannot be read: {e}"))),
    }
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
                        "not found in {}; a project folder holds guidepress.toml, editions/, chapters/, layouts/ and fonts/",
                        root.display()
                    ),
                ));
            }
            return Err(problems);
        };
        let hidden = check_hidden_in_toml(CONFIG, &config_text, &mut problems);
        let config: Option<ConfigFile> = parse_toml(CONFIG, &config_text, &hidden, &mut problems);
        let chapters = discover_chapters(root, &mut problems);
        chapters::check_layouts(root, &mut problems);
        check_book_and_strings(root, &mut problems);
        let Some(config) = config else {
            // Still look at the editions so their problems are reported too.
            let _ = load_editions(root, &EditionCx::placeholder(), &chapters, &mut problems);
            return Err(problems.into_result().unwrap_err());
        };
        let guide = validate_guide(&config.guide, &config_text, &mut problems);
        let guide_day = guide.ymd.days();
        let limits = schema::read_limits(root, &mut problems);
        let shared_cx = contact::Context {
            file: CONFIG,
            text: &config_text,
            default_country: "KR",
            guide_date: &guide.date,
            guide_day,
            stale_after_days: i64::from(config.guide.stale_after_days),
            limits,
        };
        let shared = contact::validate(&config.contacts, &shared_cx, &mut problems);
        let shared_ids: Vec<ContactAt> = config
            .contacts
            .iter()
            .map(|c| ContactAt::of(c.get_ref(), Location::at(CONFIG, &config_text, c.span().start)))
            .collect();
        duplicate_ids(&[], &shared_ids, "the shared contacts of guidepress.toml", &mut problems);
        validate_settings(&config, &config_text, &mut problems);
        let ecx = EditionCx {
            limits,
            guide_day,
            stale_after_days: i64::from(config.guide.stale_after_days),
            shared: shared.clone(),
            shared_defs: config.contacts.iter().map(|c| (c.span().start, c.get_ref().clone())).collect(),
            shared_ids,
            guide: guide.clone(),
            config_text: config_text.clone(),
        };
        let source = source_language(&config.guide, &config_text, &chapters, &mut problems);
        let translations = translations::Translations::load(root, &source, &chapters, &mut problems);
        let mut editions = load_editions(root, &ecx, &chapters, &mut problems);
        let (languages, untranslated) = languages::check_project(root, &mut editions, &mut problems);
        editions.iter_mut().for_each(|e| e.draft |= translations.behind(&e.languages).next().is_some());
        problems.into_result()?;
        Ok(Project {
            root: root.to_path_buf(),
            guide,
            sender: config.sender,
            shipping: config.shipping,
            build: config.build,
            records: config.records,
            editions,
            chapters,
            translations,
            languages,
            untranslated,
        })
    }

    /// A folder as the record names it: relative to the project when inside it (with `/`),
    /// else absolute; the same whether or not the folder exists yet.
    pub fn folder_key(&self, dir: &Path) -> String {
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let clean =
            |p: PathBuf| -> PathBuf { p.components().filter(|c| !matches!(c, std::path::Component::CurDir)).collect() };
        let (dir, root) = (clean(abs(dir)), clean(abs(&self.root)));
        match dir.strip_prefix(&root) {
            Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
            Err(_) => dir.to_string_lossy().into_owned(),
        }
    }

    /// Whether `guidepress.toml` in `root` sets `guide.contacts-url`, read without validating
    /// the project (for a `build` that finds every edition up to date; [`Project::load`] checks
    /// the value).
    pub fn sets_contacts_url(root: &Path) -> bool {
        let text = crate::input::read_text(&root.join(CONFIG)).unwrap_or_default();
        let table = text.parse::<toml::Table>().unwrap_or_default();
        table.get("guide").and_then(|g| g.get("contacts-url")).is_some()
    }

    /// The record of print runs and shipments (`records.path`, from the project folder).
    pub fn record_path(&self) -> PathBuf {
        self.root.join(&self.records.path)
    }

    /// The edition with this id.
    pub fn edition(&self, id: &str) -> Option<&Edition> {
        self.editions.iter().find(|e| e.id == id)
    }

    /// All edition ids, sorted.
    pub fn edition_ids(&self) -> Vec<&str> {
        self.editions.iter().map(|e| e.id.as_str()).collect()
    }

    /// The editions `ids` in the order given (all, sorted by id, when empty); an unknown id is a
    /// usage error listing the project's editions.
    pub fn select(&self, ids: &[String]) -> Result<Vec<&Edition>, crate::error::Error> {
        if ids.is_empty() {
            return Ok(self.editions.iter().collect());
        }
        let unknown: Vec<String> =
            ids.iter().filter(|id| self.edition(id).is_none()).map(|s| format!("`{s}`")).collect();
        if !unknown.is_empty() {
            return Err(crate::error::Error::Usage(format!(
                "no edition {} in this project; the editions are: {}",
                unknown.join(", "),
                self.edition_ids().join(", ")
            )));
        }
        Ok(ids.iter().filter_map(|id| self.edition(id)).collect())
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
            let name = c.display_name();
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
                    "contact \"{name}\" {why}, so a final build refuses {which} {}; confirm its details, then set `verified` to the date you did",
                    ids.join(", ")
                ),
            ));
        }
        words::refuse_marked(&self.untranslated, &languages_of(editions), &mut problems);
        for (at, ids) in self.unconfirmed_passages(editions) {
            let which = if ids.len() == 1 { "edition" } else { "editions" };
            problems.push(Problem::located(
                at,
                format!(
                    "this passage is marked #unconfirmed, so a final build refuses {which} {}; confirm it from a source and remove the mark, or delete the passage",
                    ids.join(", ")
                ),
            ));
        }
        for (c, ids) in self.translations_behind(editions) {
            let which = if ids.len() == 1 { "edition" } else { "editions" };
            let refuses = format!("so a final build refuses {which} {}", ids.join(", "));
            problems.push(Problem::located(&translations::location(c), translations::refusal(c, &refuses)));
        }
        problems.into_result()
    }

    /// Every translated chapter these editions print that is outdated or was never confirmed,
    /// with the editions that print it, by language and chapter.
    pub fn translations_behind<'a>(
        &'a self,
        editions: &[&'a Edition],
    ) -> Vec<(&'a translations::ChapterTranslation, Vec<&'a str>)> {
        let mut out: Vec<(&translations::ChapterTranslation, Vec<&str>)> = Vec::new();
        for c in self.translations.chapters.iter().filter(|c| c.behind()) {
            let ids: Vec<&str> =
                editions.iter().filter(|e| e.languages.contains(&c.lang)).map(|e| e.id.as_str()).collect();
            if !ids.is_empty() {
                out.push((c, ids));
            }
        }
        out
    }

    /// The files besides its own chapters that decide whether an edition's translations are
    /// current: each translation language's record and the source chapters (so a changed source
    /// rebuilds an edition that prints only translations of it, and a confirmation only the
    /// editions printing its language).
    pub fn translation_inputs(&self, e: &Edition) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for lang in e.languages.iter().filter(|l| **l != self.translations.source) {
            out.push(translations::record_path(lang));
            for c in self.translations.chapters.iter().filter(|c| &c.lang == lang) {
                if !out.contains(&c.source_file) {
                    out.push(c.source_file.clone());
                }
            }
        }
        out
    }

    /// Why an edition is a draft, in a few words each (`6 contacts unverified`, `4 overdue`,
    /// `en/03 outdated`); empty for a final edition.
    pub fn draft_reasons(&self, e: &Edition) -> Vec<String> {
        let count = |s: Status| e.contacts.iter().filter(|c| c.status == s).count();
        let mut out = Vec::new();
        let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        match count(Status::Unverified) {
            0 => {}
            n => out.push(plural(n, "contact unverified", "contacts unverified")),
        }
        match count(Status::Stale) {
            0 => {}
            n => out.push(format!("{n} overdue")),
        }
        match self.unconfirmed_passages(&[e]).len() {
            0 => {}
            n => out.push(plural(n, "unconfirmed passage", "unconfirmed passages")),
        }
        match self.untranslated_words(e) {
            0 => {}
            n => out.push(plural(n, "word not translated", "words not translated")),
        }
        let behind: Vec<&translations::ChapterTranslation> = self.translations.behind(&e.languages).collect();
        for word in ["outdated", "never confirmed"] {
            let names: Vec<String> = behind.iter().filter(|c| c.standing.word() == word).map(|c| c.short()).collect();
            if !names.is_empty() {
                out.push(format!("{} {word}", names.join(", ")));
            }
        }
        out
    }

    /// `final`, or `draft: ` and [`Project::draft_reasons`], for a status line.
    pub fn standing_line(&self, e: &Edition) -> String {
        let reasons = self.draft_reasons(e);
        if reasons.is_empty() { "final".into() } else { format!("draft: {}", reasons.join(", ")) }
    }

    /// How many words of strings.toml the edition prints still marked for translation.
    pub fn untranslated_words(&self, edition: &Edition) -> usize {
        edition.languages.iter().filter_map(|l| self.untranslated.get(l)).map(Vec::len).sum()
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

/// `guide.source-language` (default `ko`); one set must have chapters.
fn source_language(
    guide: &schema::GuideDef,
    text: &str,
    chapters: &BTreeMap<String, Vec<Chapter>>,
    problems: &mut Problems,
) -> String {
    let Some(lang) = &guide.source_language else { return translations::DEFAULT_SOURCE.to_string() };
    let l = lang.get_ref().trim();
    if !chapters.contains_key(l) {
        let known: Vec<&str> = chapters.keys().map(String::as_str).collect();
        problems.push(Problem::at(
            CONFIG,
            text,
            lang.span().start,
            format!(
                "`guide.source-language = \"{l}\"`, but chapters/{l}/ does not exist (languages with chapters: {}); write the language the chapters are first written in, e.g. \"ko\"",
                known.join(", ")
            ),
        ));
    }
    l.to_string()
}

/// The editions that print each language, by tag.
fn languages_of(editions: &[&Edition]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in editions {
        for l in &e.languages {
            out.entry(l.clone()).or_default().push(e.id.clone());
        }
    }
    out
}

/// A file an editor leaves beside the one being edited on its own, which the project does not
/// read: hidden (`.nz.toml.swp`), a backup (`nz.toml~`) or an autosave (`#nz.toml#`). A copy
/// made by hand (`nz.toml.bak`) is not one: it is reported, to be moved out of the project.
pub fn is_editor_leftover(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~') || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
}

fn read_text(path: &Path, rel: &str, problems: &mut Problems) -> Option<String> {
    match crate::input::read_limited(path, crate::input::MAX_PROJECT_FILE) {
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
