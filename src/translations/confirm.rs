//! `guidepress translations confirm LANG CHAPTER --by NAME [--on DATE]`: records that a
//! translated chapter says what its source says now, by writing the source's fingerprints, the
//! name and the date into `chapters/<lang>/translations.toml`. The rest of the file — comments,
//! order, the other chapters' records — stays as it was (toml_edit), so the change is the lines
//! of this chapter's record that differ.

use toml_edit::{Array, DocumentMut, Item, Table, Value};

use crate::error::Error;
use crate::model::date::{format_date, parse_date};
use crate::output::write_atomic;
use crate::project::Project;
use crate::project::translations::{ChapterTranslation, record_path};

/// One confirmation to record.
#[derive(Debug, Clone)]
pub struct Confirmation<'a> {
    /// The translation's language.
    pub lang: &'a str,
    /// The chapter: its NN (`3`, `03`), or its file name or stem.
    pub chapter: &'a str,
    /// Who checked the translation against the source.
    pub by: &'a str,
    /// The day, `YYYY-MM-DD`; `None` for today.
    pub on: Option<&'a str>,
    /// Today, as days since 1970-01-01.
    pub today: i64,
}

/// What was recorded.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The record file, from the project root.
    pub file: String,
    /// `en/03`.
    pub chapter: String,
    /// Where it stood before.
    pub was: String,
    /// The day recorded.
    pub on: String,
    /// The editions that print the language (and so are rebuilt by the next build).
    pub editions: Vec<String>,
}

/// The translated chapter `chapter` of `lang`, or a refusal saying what there is.
pub fn chapter<'a>(project: &'a Project, lang: &str, chapter: &str) -> Result<&'a ChapterTranslation, Error> {
    let t = &project.translations;
    let langs = super::languages(project, &[lang.to_string()])?;
    let lang = &langs[0];
    let stem = chapter.trim_end_matches(".typ");
    let own = project.chapters.get(lang).into_iter().flatten();
    if let Some(c) =
        own.into_iter().find(|c| Some(c.number) == stem.parse().ok() || format!("{:02}-{}", c.number, c.slug) == stem)
    {
        return t.chapters.iter().find(|t| &t.lang == lang && t.number == c.number && t.slug == c.slug).ok_or_else(
            || {
                Error::Refused(format!(
                    "{} has no source: chapters/{}/ has no chapter {:02}-{}.typ, so there is nothing to confirm it against",
                    c.path.trim_start_matches('/'),
                    t.source,
                    c.number,
                    c.slug
                ))
            },
        );
    }
    if let Some(c) = t.find(lang, chapter) {
        return Err(Error::Refused(format!(
            "{} does not exist yet; translate {} into {lang} and save it under that name first",
            c.file, c.source_file
        )));
    }
    let known: Vec<String> =
        t.chapters.iter().filter(|c| &c.lang == lang).map(|c| format!("{:02} ({})", c.number, c.slug)).collect();
    Err(Error::Refused(format!(
        "there is no chapter `{chapter}` in {lang}; write its number or file name, one of: {}",
        if known.is_empty() { "none".into() } else { known.join(", ") }
    )))
}

/// Records `c`, writing nothing when anything is wrong.
pub fn confirm(project: &Project, c: &Confirmation) -> Result<Recorded, Error> {
    let chapter = chapter(project, c.lang, c.chapter)?;
    let by = c.by.trim();
    if by.is_empty() || by.chars().any(char::is_control) {
        return Err(Error::Refused(
            "--by must name, on one line, who checked the translation against the source (e.g. --by \"Kim Ji-young\")"
                .into(),
        ));
    }
    let on = match c.on {
        None => format_date(c.today),
        Some(on) => match parse_date(on) {
            None => {
                return Err(Error::Refused(format!(
                    "the date {on} is not a date; write the day the translation was checked as year-month-day, e.g. 2026-11-30"
                )));
            }
            Some(day) if day > c.today => {
                return Err(Error::Refused(format!(
                    "the date {on} is after today ({}); write the day the translation was really checked",
                    format_date(c.today)
                )));
            }
            Some(_) => on.to_string(),
        },
    };
    let (source, paragraphs) = project
        .translations
        .source_now(chapter.number)
        .ok_or_else(|| Error::Refused(format!("{} has no source to confirm against", chapter.file)))?;
    let file = record_path(&chapter.lang);
    let path = project.root.join(&file);
    let text = match crate::input::read_text(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => new_record(&chapter.lang, &project.translations.source),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let key = format!("{:02}-{}", chapter.number, chapter.slug);
    let edited = edit(&text, &key, &source, &paragraphs, by, &on)
        .map_err(|why| Error::Refused(format!("{file}: {why}; correct the file, then confirm again")))?;
    write_atomic(&path, edited.as_bytes())?;
    let editions =
        project.editions.iter().filter(|e| e.languages.contains(&chapter.lang)).map(|e| e.id.clone()).collect();
    Ok(Recorded { file, chapter: chapter.short(), was: chapter.standing.word().to_string(), on, editions })
}

/// The opening comment of a language's new record.
fn new_record(lang: &str, source: &str) -> String {
    format!(
        "# What each {lang} chapter was translated from: fingerprints of its {source} source chapter as it was\n\
         # when someone last confirmed that the translation says the same, who did and when.\n\
         # Written by `guidepress translations confirm {lang} CHAPTER --by NAME`; do not edit the\n\
         # fingerprints by hand. `guidepress translations` lists what is behind.\n"
    )
}

/// `text` with the record of `key` set; everything else kept.
fn edit(text: &str, key: &str, source: &str, paragraphs: &[String], by: &str, on: &str) -> Result<String, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| e.message().trim().to_string())?;
    if !doc.contains_key(key) {
        // Text after the last table (the opening comment of a new record) stays above the new one.
        let trailing = doc.trailing().as_str().unwrap_or_default().to_string();
        doc.set_trailing("");
        let mut table = Table::new();
        table.decor_mut().set_prefix(format!("{trailing}\n"));
        doc.insert(key, Item::Table(table));
    }
    let Some(table) = doc.get_mut(key).and_then(Item::as_table_mut) else {
        return Err(format!("`{key}` is not a table `[{key}]`"));
    };
    set(table, "source", Value::from(source));
    let mut list = Array::new();
    for p in paragraphs {
        let mut v = Value::from(p.as_str());
        v.decor_mut().set_prefix("\n  ");
        list.push_formatted(v);
    }
    list.set_trailing_comma(true);
    list.set_trailing("\n");
    set(table, "paragraphs", Value::Array(list));
    set(table, "confirmed-by", Value::from(by));
    let date: toml_edit::Datetime = on.parse().map_err(|_| format!("{on} is not a date"))?;
    set(table, "confirmed-on", Value::from(date));
    Ok(doc.to_string())
}

/// Sets `key` to `value`, keeping the comment before it and its place.
fn set(table: &mut Table, key: &str, mut value: Value) {
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            let (prefix, suffix) = (old.decor().prefix().cloned(), old.decor().suffix().cloned());
            let decor = value.decor_mut();
            if let Some(p) = prefix {
                decor.set_prefix(p);
            }
            if let Some(s) = suffix {
                decor.set_suffix(s);
            }
            *old = value;
        }
        None => {
            value.decor_mut().set_prefix(" ");
            table.insert(key, Item::Value(value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_only_its_record() {
        let before = "# top\n\n[01-a]\nsource = \"aa\" # kept\nparagraphs = [\n  \"x1\",\n  \"x2\",\n]\nconfirmed-by = \"A\"\nconfirmed-on = 2026-01-01\n\n# second\n[02-b]\nsource = \"bb\"\n";
        let after = edit(before, "01-a", "cc", &["x1".into(), "x3".into()], "B", "2026-02-02").unwrap();
        let expected = "# top\n\n[01-a]\nsource = \"cc\" # kept\nparagraphs = [\n  \"x1\",\n  \"x3\",\n]\nconfirmed-by = \"B\"\nconfirmed-on = 2026-02-02\n\n# second\n[02-b]\nsource = \"bb\"\n";
        assert_eq!(after, expected);
    }

    #[test]
    fn adds_a_record_at_the_end() {
        let after = edit("# top\n", "03-c", "dd", &["y".into()], "C", "2026-03-03").unwrap();
        assert_eq!(
            after,
            "# top\n\n[03-c]\nsource = \"dd\"\nparagraphs = [\n  \"y\",\n]\nconfirmed-by = \"C\"\nconfirmed-on = 2026-03-03\n"
        );
    }
}
