//! Reading a TOML file of the project: characters a reader cannot see, and TOML and serde errors
//! rewritten as advice for editors and translators.

use serde::Deserialize;

use crate::diag::{Problem, Problems};
use crate::model::text::{self, Lines, RETYPE};

/// Reports every character a reader cannot see in a TOML file of the project (see
/// [`text::is_hidden`]): written as itself anywhere in the file (a comment too), or as an escape
/// (`\u202E`) in a string or key, or a tab or line break in a one-line string. Returns the byte
/// offsets of those written as themselves, which can make the file unreadable as TOML.
pub(super) fn check_hidden_in_toml(rel: &str, text: &str, problems: &mut Problems) -> Vec<usize> {
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
pub(super) fn parse_toml<T: for<'de> Deserialize<'de>>(
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
    if let Some(rest) = raw.strip_prefix("unknown variant ")
        && let Some((value, list)) = rest.split_once(", expected one of ")
    {
        let value = value.trim_matches('`');
        let what = key.map_or(format!("\"{value}\""), |k| format!("`{k} = \"{value}\"`"));
        return format!("{what} is not one of the allowed values; write one of {list}");
    }
    if let Some(rest) = raw.strip_prefix("invalid value: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        let what = key.clone().map_or("this value".to_string(), |k| format!("`{k}`"));
        let wanted = match expected {
            "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number, 0 or more".to_string(),
            e => expected_words(e),
        };
        return format!("{what} must be {wanted}, not {}", found_words(found));
    }
    if let Some(rest) = raw.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        let what = key.map_or("this value".to_string(), |k| format!("`{k}`"));
        return format!("{what} must be {}, not {}", expected_words(expected), found_words(found));
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
