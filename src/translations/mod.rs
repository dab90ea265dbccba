//! `guidepress translations`: the chapter × language table of where each translation stands
//! against its source (also as CSV), the source paragraphs a translator has to look at again
//! (`--diff`), and `translations confirm`, which records a checked translation (`confirm.rs`).

pub mod confirm;

use std::fmt::Write as _;

use crate::error::Error;
use crate::project::Project;
use crate::project::translations::{ChapterTranslation, Standing, Translations, line_list, lines_phrase};

/// The translation languages `langs` names (all when empty); an unknown one is a usage error.
pub fn languages(project: &Project, langs: &[String]) -> Result<Vec<String>, Error> {
    let all: Vec<String> = project.chapters.keys().filter(|l| **l != project.translations.source).cloned().collect();
    if langs.is_empty() {
        return Ok(all);
    }
    let unknown: Vec<String> = langs.iter().filter(|l| !all.contains(l)).map(|l| format!("`{l}`")).collect();
    if !unknown.is_empty() {
        return Err(Error::Usage(format!(
            "no translation language {} in this project ({} is the source language); the translation languages are: {}",
            unknown.join(", "),
            project.translations.source,
            if all.is_empty() { "none".into() } else { all.join(", ") }
        )));
    }
    Ok(langs.to_vec())
}

/// The table: one row per source chapter, one column per language, then a line per outdated
/// translation, saying since when and which source lines changed.
pub fn table(t: &Translations, langs: &[String]) -> String {
    let cells: Vec<(String, Vec<String>)> = t
        .paragraphs
        .keys()
        .map(|n| {
            let row: Vec<&ChapterTranslation> = t.chapters.iter().filter(|c| c.number == *n).collect();
            let slug = row.first().map_or(String::new(), |c| c.slug.clone());
            let words = langs
                .iter()
                .map(|l| row.iter().find(|c| &c.lang == l).map_or("missing", |c| c.standing.word()).to_string())
                .collect();
            (format!("{n:02} {slug}"), words)
        })
        .collect();
    let first = cells.iter().map(|(c, _)| c.chars().count()).chain(["chapter".len()]).max().unwrap_or(7);
    let width = |i: usize| cells.iter().map(|(_, w)| w[i].len()).chain([langs[i].len()]).max().unwrap_or(0);
    let widths: Vec<usize> = (0..langs.len()).map(width).collect();
    let mut out = String::new();
    let row = |out: &mut String, head: &str, cols: &[String]| {
        let _ = write!(out, "{head}{}", " ".repeat(first - head.chars().count()));
        for (c, w) in cols.iter().zip(&widths) {
            let _ = write!(out, "  {c:<w$}");
        }
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        out.push('\n');
    };
    row(&mut out, "chapter", langs);
    for (head, cols) in &cells {
        row(&mut out, head, cols);
    }
    let outdated = |c: &&ChapterTranslation| matches!(c.standing, Standing::Outdated { .. });
    for c in t.chapters.iter().filter(outdated).filter(|c| langs.contains(&c.lang)) {
        let _ = writeln!(out, "{}", detail(c));
    }
    out
}

/// One line on a translation that is behind: since when, and what changed in the source.
pub fn detail(c: &ChapterTranslation) -> String {
    match (&c.standing, &c.confirmed) {
        (Standing::Outdated { changed, gone }, Some(conf)) => {
            let lines = if changed.is_empty() {
                format!("{gone} paragraph{} removed or moved", if *gone == 1 { "" } else { "s" })
            } else {
                lines_phrase(changed)
            };
            format!(
                "{} outdated since its confirmation of {} by {}: {} changed in {}",
                c.short(),
                conf.on,
                conf.by,
                lines,
                c.source_file
            )
        }
        _ => format!("{} never confirmed: check {} against {}, then confirm it", c.short(), c.file, c.source_file),
    }
}

/// The table as CSV: one row per language and chapter.
pub fn to_csv(t: &Translations, langs: &[String]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "language",
        "chapter",
        "file",
        "source",
        "status",
        "confirmed_on",
        "confirmed_by",
        "changed_source_lines",
    ]);
    for c in t.chapters.iter().filter(|c| langs.contains(&c.lang)) {
        let (on, by) = c.confirmed.as_ref().map_or((String::new(), String::new()), |f| (f.on.clone(), f.by.clone()));
        let lines = match &c.standing {
            Standing::Outdated { changed, .. } => line_list(changed),
            _ => String::new(),
        };
        let _ = w.write_record([
            c.lang.as_str(),
            &format!("{:02}", c.number),
            &c.file,
            &c.source_file,
            c.standing.word(),
            &on,
            &by,
            &lines,
        ]);
    }
    w.into_inner().unwrap_or_default()
}

/// The counts for the summary line: (all, current, behind).
pub fn counts(t: &Translations, langs: &[String]) -> (usize, usize, usize) {
    let mine: Vec<&ChapterTranslation> = t.chapters.iter().filter(|c| langs.contains(&c.lang)).collect();
    let current = mine.iter().filter(|c| c.standing == Standing::Current).count();
    (mine.len(), current, mine.iter().filter(|c| c.behind()).count())
}

/// `--diff LANG CHAPTER`: the source paragraphs that are new or changed since the translation
/// was confirmed, in their current text, each line marked `+` under its place in the source.
pub fn diff(project: &Project, lang: &str, chapter: &str) -> Result<String, Error> {
    let c = confirm::chapter(project, lang, chapter)?;
    let mut out = String::new();
    match (&c.standing, &c.confirmed) {
        (Standing::Current, Some(conf)) => {
            let _ = writeln!(
                out,
                "{} is current: confirmed on {} by {} against {} as it is now; nothing to re-translate",
                c.short(),
                conf.on,
                conf.by,
                c.source_file
            );
        }
        (Standing::Outdated { changed, gone }, Some(conf)) => {
            let _ = writeln!(
                out,
                "{} ({}) was confirmed on {} by {}; since then {} of {} changed:",
                c.short(),
                c.file,
                conf.on,
                conf.by,
                if changed.len() == 1 {
                    "this paragraph".to_string()
                } else {
                    format!("these {} paragraphs", changed.len())
                },
                c.source_file
            );
            for p in changed {
                let _ = writeln!(out, "\n{}:{}", c.source_file, p.line);
                for line in p.text.lines() {
                    let _ = writeln!(out, "+ {line}");
                }
            }
            // Each changed paragraph's old text is gone too; what is gone beyond them was removed.
            let removed = gone.saturating_sub(changed.len());
            if removed > 0 {
                let _ = writeln!(
                    out,
                    "\n{removed} paragraph{} of the text confirmed then {} no longer in the source; remove {} from the translation too",
                    if removed == 1 { "" } else { "s" },
                    if removed == 1 { "is" } else { "are" },
                    if removed == 1 { "its counterpart" } else { "their counterparts" }
                );
            }
            let _ = writeln!(
                out,
                "\nWhen {} says the same as {} again: guidepress translations confirm {} {:02} --by NAME",
                c.file, c.source_file, c.lang, c.number
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "{} was never confirmed: check all of {} against {}, then: guidepress translations confirm {} {:02} --by NAME",
                c.short(),
                c.file,
                c.source_file,
                c.lang,
                c.number
            );
        }
    }
    Ok(out)
}
