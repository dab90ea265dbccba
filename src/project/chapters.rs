//! Chapter sources: `chapters/<lang>/NN-slug.typ`, their names, numbering, titles and text.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::diag::{Location, Problem, Problems};
use crate::model::edition::Chapter;
use crate::model::text::{self, Lines, RETYPE};

/// Finds `chapters/<lang>/NN-slug.typ`, checking names and numbering.
pub(super) fn discover_chapters(root: &Path, problems: &mut Problems) -> BTreeMap<String, Vec<Chapter>> {
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

/// Reports every character a reader cannot see written as itself in the layouts
/// (`layouts/*.typ`): they print words too (titles, labels, the card's lines). Escapes such as
/// `\u{200B}` are the designer's deliberate choice (a line-break opportunity) and stay allowed.
pub(super) fn check_layouts(root: &Path, problems: &mut Problems) {
    let mut files: Vec<_> = fs::read_dir(root.join("layouts")).into_iter().flatten().filter_map(Result::ok).collect();
    files.sort_by_key(|e| e.file_name());
    for file in files {
        let name = file.file_name().to_string_lossy().into_owned();
        if name.ends_with(".typ")
            && let Ok(text) = fs::read_to_string(file.path())
        {
            let rel = format!("layouts/{name}");
            let start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
            for (offset, c) in text::find_hidden(&text[start..], Lines::Multi) {
                let at = start + offset;
                problems.push(Problem::at(&rel, &text, at, format!("the text has {}{RETYPE}", text::hidden_advice(c))));
            }
        }
    }
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
