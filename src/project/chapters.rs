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
            if super::is_editor_leftover(&name) || file.path().is_dir() || name == super::translations::RECORD {
                continue;
            }
            let rel = format!("chapters/{lang}/{name}");
            if let Err(e) = crate::input::check_file(&file.path(), crate::input::MAX_PROJECT_FILE) {
                problems.push(Problem::file(&rel, format!("cannot be read: {e}")));
                continue;
            }
            match parse_chapter_name(&name) {
                Some((number, slug)) => {
                    if let Some(other) = chapters.iter().find(|c| c.number == number) {
                        problems.push(Problem::file(
                            &rel,
                            format!("has the same number {number:02} as {}; renumber one of them so that each chapter has its own number", other.path.trim_start_matches('/')),
                        ));
                    }
                    let mut unconfirmed = Vec::new();
                    if let Ok(text) = crate::input::read_text(&file.path()) {
                        let (found, marked) = scan_chapter(&rel, &text);
                        problems.0.extend(found);
                        unconfirmed = marked;
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

/// What reading a chapter's source finds: its problems (title, hidden characters) and where it
/// marks passages `#unconfirmed`.
type Scan = (Vec<crate::diag::Problem>, Vec<Location>);

/// Scans a chapter's source (see [`recall`]).
fn scan_chapter(rel: &str, text: &str) -> Scan {
    recall(rel, text, || {
        let mut problems = Problems::default();
        check_chapter_title(rel, text, &mut problems);
        check_hidden_in_chapter(rel, text, &mut problems);
        let marked =
            crate::project::unconfirmed::find(text).into_iter().map(|offset| Location::at(rel, text, offset)).collect();
        (problems.0, marked)
    })
}

/// The scan of a source file by `scan`, or the remembered scan of the same text (one per file):
/// `watch` reloads the project every round and most files are unchanged, but scanning them all
/// costs milliseconds.
fn recall(rel: &str, text: &str, scan: impl FnOnce() -> Scan) -> Scan {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    // Per file: the text last scanned and what the scan found.
    static SCANS: OnceLock<Mutex<HashMap<String, (String, Scan)>>> = OnceLock::new();
    let scans = SCANS.get_or_init(Default::default);
    if let Some((seen, done)) = scans.lock().unwrap_or_else(|e| e.into_inner()).get(rel)
        && seen == text
    {
        return done.clone();
    }
    let done = scan();
    scans.lock().unwrap_or_else(|e| e.into_inner()).insert(rel.to_string(), (text.to_string(), done.clone()));
    done
}

/// Reports every character a reader cannot see written as itself in the layouts
/// (`layouts/*.typ`): they print words too (titles, labels, the card's lines). Escapes such as
/// `\u{200B}` are the designer's deliberate choice (a line-break opportunity) and stay allowed.
pub(super) fn check_layouts(root: &Path, problems: &mut Problems) {
    let mut files: Vec<_> = fs::read_dir(root.join("layouts")).into_iter().flatten().filter_map(Result::ok).collect();
    files.sort_by_key(|e| e.file_name());
    for file in files {
        let name = file.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".typ") || super::is_editor_leftover(&name) {
            continue;
        }
        let rel = format!("layouts/{name}");
        let text = match crate::input::read_text(&file.path()) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => continue,
            Err(e) => {
                problems.push(Problem::file(&rel, format!("cannot be read: {e}")));
                continue;
            }
        };
        problems.0.extend(
            recall(&rel, &text, || {
                let mut found = Problems::default();
                let start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
                for (offset, c) in text::find_hidden(&text[start..], Lines::Multi) {
                    let at = start + offset;
                    found.push(Problem::at(
                        &rel,
                        &text,
                        at,
                        format!("the text has {}{RETYPE}", text::hidden_advice(c)),
                    ));
                }
                (found.0, Vec::new())
            })
            .0,
        );
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
    for (offset, name, c) in text::hidden_typst_symbols(source) {
        problems.push(Problem::at(
            rel,
            source,
            offset,
            format!("the text has the symbol `{name}`, which stands for {}", text::hidden_advice(c)),
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
