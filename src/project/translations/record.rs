//! `chapters/<lang>/translations.toml`: per translated chapter, what it was translated from and
//! who confirmed it when. Read with toml_edit, which keeps every value's place, so that each
//! problem is reported where it is written, all of them at once.
//!
//! ```toml
//! [03-fake-overseas-job-sites]
//! source = "<64 hex digits: the source chapter's fingerprint>"
//! paragraphs = ["<16 hex digits per paragraph>", …]
//! confirmed-by = "Kim Ji-young"
//! confirmed-on = 2026-11-29
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use toml_edit::{ImDocument, Item, Table};

use super::fingerprint::{CHAPTER_HEX, PARAGRAPH_HEX, well_formed};
use crate::diag::{Location, Problem, Problems};
use crate::model::edition::Chapter;

/// The record's file name in each translation language's chapter folder.
pub const RECORD: &str = "translations.toml";

/// The record of `lang`, from the project root.
pub fn record_path(lang: &str) -> String {
    format!("chapters/{lang}/{RECORD}")
}

/// A confirmation recorded for one translated chapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmed {
    /// The source chapter's fingerprint then.
    pub source: String,
    /// Its paragraphs' fingerprints then, in order.
    pub paragraphs: Vec<String>,
    /// Who confirmed it.
    pub by: String,
    /// When, `YYYY-MM-DD`.
    pub on: String,
    /// Where the entry is written (its `[…]` header).
    pub at: Location,
}

const FIELDS: &str = "source, paragraphs, confirmed-by, confirmed-on";

/// The record's text; none when it is absent, or (with a problem) unreadable or not UTF-8.
fn read_text(root: &Path, rel: &str, problems: &mut Problems) -> Option<String> {
    let bytes = match crate::input::read_limited(&root.join(rel), crate::input::MAX_PROJECT_FILE) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            problems.push(Problem::file(rel, format!("cannot be read: {e}")));
            return None;
        }
    };
    let text = String::from_utf8(bytes).ok();
    if text.is_none() {
        problems.push(Problem::file(rel, "is not UTF-8; save it with the encoding UTF-8"));
    }
    text
}

/// The entries of `lang`'s record by chapter number (none when there is no record); every
/// problem is pushed to `problems`, and an entry with one is left out.
pub(super) fn read(
    root: &Path,
    lang: &str,
    own: &[Chapter],
    sources: &[Chapter],
    source_lang: &str,
    problems: &mut Problems,
) -> BTreeMap<u32, Confirmed> {
    let rel = record_path(lang);
    let mut out = BTreeMap::new();
    let Some(text) = read_text(root, &rel, problems) else { return out };
    let hidden = crate::project::toml_errors::check_hidden_in_toml(&rel, &text, problems);
    let doc = match ImDocument::parse(text.as_str()) {
        Ok(doc) => doc,
        Err(e) => {
            if hidden.is_empty() {
                let at = e.span().map_or(0, |s| s.start);
                problems.push(Problem::at(
                    &rel,
                    &text,
                    at,
                    format!("this is not valid TOML ({}); check the quotes, brackets and commas", e.message().trim()),
                ));
            }
            return out;
        }
    };
    let place = |offset: Option<usize>| Location::at(&rel, &text, offset.unwrap_or(0));
    for (key, item) in doc.as_table().iter() {
        let header = doc.as_table().key(key).and_then(|k| k.span()).map(|s| s.start);
        let at = place(header);
        let bad = |problems: &mut Problems, offset: Option<usize>, why: String| {
            problems.push(Problem::located(&place(offset.or(header)), why));
        };
        let Some(table) = item.as_table() else {
            bad(problems, header, format!("`{key}` should be a table `[{key}]` of one chapter's record ({FIELDS})"));
            continue;
        };
        let mine = own.iter().find(|c| format!("{:02}-{}", c.number, c.slug) == key);
        let source = sources.iter().find(|c| format!("{:02}-{}", c.number, c.slug) == key);
        let Some(chapter) = mine else {
            if source.is_some() {
                // The translation of a source chapter is missing (moved, renumbered, not yet
                // written): `translations` says so, and an edition printing it is refused
                // already; the record waits for the file.
                continue;
            }
            let known: Vec<String> = own.iter().map(|c| format!("{:02}-{}", c.number, c.slug)).collect();
            bad(
                problems,
                header,
                format!(
                    "`[{key}]` names no chapter of chapters/{lang}/ or chapters/{source_lang}/ (the chapters of {lang}: {}); write the chapter's file name without `.typ`, or delete this record",
                    list(&known)
                ),
            );
            continue;
        };
        if source.is_none() {
            bad(
                problems,
                header,
                format!(
                    "`[{key}]`: chapters/{source_lang}/ has no chapter {key}.typ, so there is no source to record; add the source chapter or delete this record"
                ),
            );
            continue;
        }
        if let Some(conf) = entry(table, at, &place, problems) {
            out.insert(chapter.number, conf);
        }
    }
    out
}

fn list(items: &[String]) -> String {
    if items.is_empty() { "none".into() } else { items.join(", ") }
}

/// One `[chapter]` table, checked field by field.
fn entry(
    table: &Table,
    at: Location,
    place: &dyn Fn(Option<usize>) -> Location,
    problems: &mut Problems,
) -> Option<Confirmed> {
    let before = problems.0.len();
    let span = |item: &Item| item.span().map(|s| s.start);
    let mut push = |offset: Option<usize>, why: String| {
        let loc = if offset.is_some() { place(offset) } else { at.clone() };
        problems.push(Problem::located(&loc, why));
    };
    for (key, item) in table.iter() {
        if !FIELDS.split(", ").any(|f| f == key) {
            push(span(item), format!("unknown setting `{key}`; the settings of a chapter's record are {FIELDS}"));
        }
    }
    let redo = "run `guidepress translations confirm LANG CHAPTER --by NAME` to write it anew";
    let source = match table.get("source") {
        Some(item) => match item.as_str() {
            Some(s) if well_formed(s, CHAPTER_HEX) => s.to_string(),
            _ => {
                push(span(item), format!("`source` is not a fingerprint ({CHAPTER_HEX} hex digits 0-9 a-f); {redo}"));
                String::new()
            }
        },
        None => {
            push(None, format!("the record has no `source`; {redo}"));
            String::new()
        }
    };
    let mut paragraphs = Vec::new();
    match table.get("paragraphs").map(|i| (i, i.as_array())) {
        Some((_, Some(array))) => {
            for value in array.iter() {
                match value.as_str() {
                    Some(s) if well_formed(s, PARAGRAPH_HEX) => paragraphs.push(s.to_string()),
                    _ => push(
                        value.span().map(|s| s.start),
                        format!("this is not a paragraph fingerprint ({PARAGRAPH_HEX} hex digits 0-9 a-f); {redo}"),
                    ),
                }
            }
        }
        Some((item, None)) => push(span(item), format!("`paragraphs` must be a list of fingerprints; {redo}")),
        None => push(None, format!("the record has no `paragraphs`; {redo}")),
    }
    let by = match table.get("confirmed-by").map(|i| (i, i.as_str())) {
        Some((_, Some(s))) if !s.trim().is_empty() && !s.chars().any(char::is_control) => s.trim().to_string(),
        Some((item, _)) => {
            push(span(item), "`confirmed-by` must name, on one line, who checked the translation".into());
            String::new()
        }
        None => {
            push(None, "the record has no `confirmed-by` (who checked the translation)".into());
            String::new()
        }
    };
    let on = match table.get("confirmed-on").map(|i| (i, i.as_datetime())) {
        Some((_, Some(d))) if d.time.is_none() && d.offset.is_none() && d.date.is_some() => d.to_string(),
        Some((item, _)) => {
            push(span(item), "`confirmed-on` must be a date without quotes, e.g. 2026-11-29".into());
            String::new()
        }
        None => {
            push(
                None,
                "the record has no `confirmed-on` (the day the translation was checked, e.g. 2026-11-29)".into(),
            );
            String::new()
        }
    };
    (problems.0.len() == before).then_some(Confirmed { source, paragraphs, by, on, at })
}
