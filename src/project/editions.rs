//! Editions: `editions/<id>.toml` files, their ids, and each edition validated against the
//! chapters, the guide and the shared contacts.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::schema::EditionFile;
use super::toml_errors::{check_hidden_in_toml, parse_toml};
use super::{CONFIG, read_text};
use crate::diag::{Location, Problem, Problems, key_offset};
use crate::model::LangMap;
use crate::model::contact::{self, Contact, ContactDef, Status};
use crate::model::edition::{Chapter, Edition, Guide, Size, default_office_paper, parse_size};

pub(super) struct EditionCx {
    pub(super) limits: contact::Limits,
    pub(super) guide_day: i64,
    pub(super) stale_after_days: i64,
    pub(super) shared: Vec<Contact>,
    /// Shared contacts as written, with their byte offset in guidepress.toml.
    pub(super) shared_defs: Vec<(usize, ContactDef)>,
    /// Shared contacts' ids and places.
    pub(super) shared_ids: Vec<ContactAt>,
    pub(super) guide: Guide,
    pub(super) config_text: String,
}

impl EditionCx {
    pub(super) fn placeholder() -> Self {
        Self {
            limits: contact::Limits::default(),
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
                ymd: crate::model::date::Date::from_days(0),
                stale_after_days: 730,
                contacts_url: None,
            },
            config_text: String::new(),
        }
    }
}

pub(super) fn load_editions(
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
        if super::is_editor_leftover(&name) || path.is_dir() {
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

/// Where an edition is written: its id, file and text.
struct Place<'a> {
    id: &'a str,
    rel: &'a str,
    text: &'a str,
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
    let place = Place { id, rel, text };
    let country = check_country(&place, &def, problems);
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
    check_languages(&place, &def, &languages, cx, chapters, problems);
    check_same_chapters(&place, &languages, lang_at, chapters, problems);
    let (trim, office_paper) = trim_and_paper(&place, &def, &country, problems);
    let ccx = contact::Context {
        file: rel,
        text,
        default_country: &country,
        guide_date: &cx.guide.date,
        guide_day: cx.guide_day,
        stale_after_days: cx.stale_after_days,
        limits: cx.limits,
    };
    let mut contacts = contact::validate(&def.contacts, &ccx, problems);
    check_contact_names(&place, &def, &languages, cx, problems);
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
    let cards = def.cards;
    Some(Edition { id: id.to_string(), country, languages, name: def.name, trim, office_paper, contacts, draft, cards })
}

/// The edition's country code, upper case; reports one that is not ISO 3166.
fn check_country(place: &Place, def: &EditionFile, problems: &mut Problems) -> String {
    let Place { rel, text, .. } = *place;
    let country = def.country.get_ref().trim().to_ascii_uppercase();
    if country.len() != 2
        || !country.bytes().all(|b| b.is_ascii_uppercase())
        || crate::model::country::country_name(&country).is_none()
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
    country
}

/// Each language once, with chapters, a guide title and the edition's name in it.
fn check_languages(
    place: &Place,
    def: &EditionFile,
    languages: &[String],
    cx: &EditionCx,
    chapters: &BTreeMap<String, Vec<Chapter>>,
    problems: &mut Problems,
) {
    let Place { id, rel, text } = *place;
    let lang_at = def.languages.span().start;
    let mut seen = BTreeSet::new();
    for lang in languages {
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
}

/// Every language of the edition must have the same chapters.
fn check_same_chapters(
    place: &Place,
    languages: &[String],
    lang_at: usize,
    chapters: &BTreeMap<String, Vec<Chapter>>,
    problems: &mut Problems,
) {
    let Place { id, rel, text } = *place;
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
}

/// The trim (A5 unless set) and the office paper for the booklet (the country's usual unless set).
fn trim_and_paper(place: &Place, def: &EditionFile, country: &str, problems: &mut Problems) -> (Size, String) {
    let Place { rel, text, .. } = *place;
    let trim = match &def.trim {
        None => Size { width_mm: 148.0, height_mm: 210.0 },
        Some(t) => parse_size(t.get_ref()).unwrap_or_else(|msg| {
            problems.push(Problem::at(rel, text, t.span().start, format!("`trim`: {msg}")));
            Size { width_mm: 148.0, height_mm: 210.0 }
        }),
    };
    let office_paper = match &def.office_paper {
        None => default_office_paper(country).to_string(),
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
    (trim, office_paper)
}

/// Every contact, local or shared, must be named in every language of the edition.
fn check_contact_names(
    place: &Place,
    def: &EditionFile,
    languages: &[String],
    cx: &EditionCx,
    problems: &mut Problems,
) {
    let Place { id, rel, text } = *place;
    for d in &def.contacts {
        let names = &d.get_ref().name;
        for lang in languages {
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
        for lang in languages {
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
}

/// A contact's id, name (for messages) and place.
#[derive(Debug, Clone)]
pub(super) struct ContactAt {
    id: String,
    name: String,
    at: Location,
}

impl ContactAt {
    pub(super) fn of(def: &ContactDef, at: Location) -> Self {
        Self { id: def.id(), name: contact::display_name(def), at }
    }
}

/// Reports every contact of `contacts` whose id is already taken by one of `earlier` or by a
/// contact before it, at its own place, naming the other; `scope` says where ids must differ.
pub(super) fn duplicate_ids(earlier: &[ContactAt], contacts: &[ContactAt], scope: &str, problems: &mut Problems) {
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
