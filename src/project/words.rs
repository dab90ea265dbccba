//! The words of `layouts/strings.toml`, per language: every language an edition prints needs every
//! word of `[en]` (with its `[en.card]` and `[en.corrections]` tables), and no word `[en]` does not
//! have; a word still marked `# translate` prints in English and makes the edition a draft.

use std::collections::BTreeMap;
use std::path::Path;

use super::STRINGS;
use super::languages::Languages;
use crate::diag::{Location, Problem, Problems, key_offset};

/// The mark `init` and `new edition` put after every word a translator has still to translate.
pub const MARK: &str = "# translate";

/// Words still marked for translation, per language: the table (`fr`, `fr.card`), the lines.
pub type Marked = BTreeMap<String, Vec<(String, Location)>>;

/// Every word of a table as `key` or `table.key` (dotted keys and sub-tables flattened), in order.
pub fn flatten(table: &toml::Table, prefix: &str, out: &mut Vec<(String, toml::Value)>) {
    for (k, v) in table {
        let key = format!("{prefix}{k}");
        match v {
            toml::Value::Table(t) => flatten(t, &format!("{key}."), out),
            v => out.push((key, v.clone())),
        }
    }
}

/// The table a flattened key is written in: `card` for `card.heading`, `` for `kind.ngo`.
fn section_of(table: &toml::Table, key: &str) -> &'static str {
    for sub in ["card", "corrections"] {
        if key.starts_with(&format!("{sub}.")) && table.get(sub).is_some_and(toml::Value::is_table) {
            return sub;
        }
    }
    ""
}

/// Checks the words of the languages `used` (tag → the editions that print it) and every
/// language's keys, and finds the words still marked for translation.
pub fn check(root: &Path, langs: &Languages, used: &BTreeMap<String, Vec<String>>, problems: &mut Problems) -> Marked {
    let Ok(text) = crate::input::read_text(&root.join(STRINGS)) else { return Marked::new() };
    let Ok(all) = text.parse::<toml::Table>() else { return Marked::new() };
    let Some(en) = all.get("en").and_then(toml::Value::as_table) else {
        problems.push(Problem::file(
            STRINGS,
            "has no [en] table; it holds every word the layouts print, and the other languages are checked against it",
        ));
        return Marked::new();
    };
    let mut english = Vec::new();
    flatten(en, "", &mut english);
    let english: BTreeMap<String, toml::Value> = english.into_iter().collect();
    for (tag, value) in &all {
        let Some(table) = value.as_table() else { continue };
        let mut words = Vec::new();
        flatten(table, "", &mut words);
        for (key, _) in words.iter().filter(|(k, _)| !english.contains_key(k)) {
            let (section, rest) = split_section(table, tag, key);
            problems.push(Problem::at(STRINGS, &text, key_offset(&text, &section, rest), format!(
                "[{section}] has `{rest}`, a word the layouts do not print (it is not in [en] either); delete it, or correct its name"
            )));
        }
        let Some(editions) = used.get(tag) else { continue };
        for (key, english_text) in english.iter().filter(|(k, _)| langs.word_needed(k)) {
            if words.iter().any(|(k, _)| k == key) {
                continue;
            }
            let (section, rest) = split_section(en, tag, key);
            let shown = match english_text {
                toml::Value::String(s) => format!("\"{s}\""),
                v => v.to_string(),
            };
            let message = format!(
                "[{section}] has no `{rest}`, which edition{} {} print{} in {tag}; add {rest} = … translated from the English {shown}",
                if editions.len() == 1 { "" } else { "s" },
                editions.join(", "),
                if editions.len() == 1 { "s" } else { "" },
            );
            problems.push(match header_offset(&text, &section).or_else(|| header_offset(&text, tag)) {
                Some(at) => Problem::at(STRINGS, &text, at, message),
                None => Problem::file(STRINGS, message),
            });
        }
    }
    marked(&text)
}

/// The table a word is written in and its key there (`fr.card`, `heading`).
fn split_section<'k>(table: &toml::Table, tag: &str, key: &'k str) -> (String, &'k str) {
    match section_of(table, key) {
        "" => (tag.to_string(), key),
        sub => (format!("{tag}.{sub}"), &key[sub.len() + 1..]),
    }
}

/// Byte offset of the `[table]` header, if the file has one.
fn header_offset(text: &str, table: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if t.strip_prefix('[').and_then(|t| t.strip_suffix(']')).is_some_and(|t| t.trim() == table) {
            return Some(offset + line.len() - line.trim_start().len());
        }
        offset += line.len();
    }
    None
}

/// The words marked [`MARK`], per language, with their table and line.
fn marked(text: &str) -> Marked {
    let mut out = Marked::new();
    let mut section = String::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if let Some(name) = t.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            section = name.trim().to_string();
        } else if is_marked(t) {
            let lang = section.split('.').next().unwrap_or_default().to_string();
            out.entry(lang).or_default().push((section.clone(), Location::at(STRINGS, text, offset)));
        }
        offset += line.len();
    }
    out
}

/// A `key = value  # translate` line.
fn is_marked(line: &str) -> bool {
    !line.starts_with('#')
        && line.rsplit_once('#').is_some_and(|(before, after)| {
            format!("#{after}").trim_end() == MARK && before.trim_end().ends_with(['"', ']', '\''])
        })
}

/// What stops a final build: per table of a language the editions print, the words still marked.
pub fn refuse_marked(marked: &Marked, editions: &BTreeMap<String, Vec<String>>, problems: &mut Problems) {
    for (lang, ids) in editions {
        let mut tables: BTreeMap<&str, Vec<&Location>> = BTreeMap::new();
        for (table, at) in marked.get(lang).into_iter().flatten() {
            tables.entry(table).or_default().push(at);
        }
        for (table, lines) in tables {
            let numbers = ranges(&lines.iter().map(|l| l.line).collect::<Vec<_>>());
            let which = if ids.len() == 1 { "edition" } else { "editions" };
            problems.push(Problem::located(lines[0], format!(
                "{} word{} of [{table}] {} still marked `{MARK}` and print{} in English (lines {}), so a final build refuses {which} {}; translate each and delete its mark",
                lines.len(),
                if lines.len() == 1 { "" } else { "s" },
                if lines.len() == 1 { "is" } else { "are" },
                if lines.len() == 1 { "s" } else { "" },
                numbers,
                ids.join(", "),
            )));
        }
    }
}

/// Line numbers as runs: `3–5, 9`.
fn ranges(lines: &[usize]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &n in lines {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == n => *end = n,
            _ => runs.push((n, n)),
        }
    }
    let shown: Vec<String> =
        runs.iter().map(|&(a, b)| if a == b { a.to_string() } else { format!("{a}–{b}") }).collect();
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_shown_as_runs() {
        assert_eq!(ranges(&[3, 4, 5, 9, 11, 12]), "3–5, 9, 11–12");
        assert_eq!(ranges(&[7]), "7");
    }

    #[test]
    fn only_a_trailing_mark_after_a_value_counts() {
        assert!(is_marked("contents = \"Contents\"  # translate"));
        assert!(is_marked("sensitive = [\"a\", \"b\"] # translate"));
        assert!(!is_marked("contents = \"Sommaire\""));
        assert!(!is_marked("# translate"));
        assert!(!is_marked("contents = \"a # translate\""));
        assert!(!is_marked("contents = \"x\"  # translated by Marie"));
    }

    #[test]
    fn marks_are_found_per_table_and_line() {
        let text = "[en]\na = \"A\"\n\n[fr]\na = \"A\"  # translate\n\n[fr.card]\nb = \"B\" # translate\n";
        let m = marked(text);
        let fr: Vec<(String, usize)> = m["fr"].iter().map(|(t, l)| (t.clone(), l.line)).collect();
        assert_eq!(fr, vec![("fr".to_string(), 5), ("fr.card".to_string(), 8)]);
        assert!(!m.contains_key("en"));
    }
}
