//! The contacts report as a plain-text table for a terminal 100 columns wide: one header line
//! per file, one aligned line per contact (id, kind, status, verified, due), then its name,
//! numbers and source indented below it, wrapped.

use crate::project::standing::{Number, Report, Row};

/// Width the table is made to fit.
pub const WIDTH: usize = 100;
const INDENT: &str = "      ";

/// The whole table.
pub fn table(report: &Report) -> String {
    let id_width = report.rows.iter().map(|r| r.id.len()).max().unwrap_or(2).max(2);
    let mut out = String::new();
    let mut file = "";
    for row in &report.rows {
        if row.file != file {
            file = &row.file;
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&file_header(row));
            out.push_str(&format!(
                "  {:<id_width$}  {:<17}  {:<10}  {:<10}  DUE\n",
                "ID", "KIND", "STATUS", "VERIFIED"
            ));
        }
        out.push_str(&row_lines(row, id_width));
    }
    out
}

fn file_header(row: &Row) -> String {
    if row.file == crate::project::CONFIG {
        format!("{} (shared; printed in {})\n", row.file, row.editions.join(", "))
    } else {
        format!("{} (edition {})\n", row.file, row.editions.join(", "))
    }
}

fn row_lines(row: &Row, id_width: usize) -> String {
    let kind = row.kind.word();
    let mut out = format!(
        "  {:<id_width$}  {:<17}  {:<10}  {:<10}  {}\n",
        row.id,
        kind,
        row.status.word(),
        row.verified.as_deref().unwrap_or("-"),
        row.due.as_deref().unwrap_or("-")
    );
    let numbers: Vec<String> = row.numbers.iter().map(number_text).collect();
    let mut details = vec![row.name.clone()];
    if !numbers.is_empty() {
        details.push(numbers.join(" · "));
    }
    details.push(format!("source: {}", row.source.as_deref().unwrap_or("-")));
    for text in details {
        for line in wrap(&text, WIDTH - INDENT.len()) {
            out.push_str(INDENT);
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// A number with what it is: `phone +64 800 555 111`, `short 105`, `web example.org`.
pub fn number_text(n: &Number) -> String {
    let label = match n.kind {
        "emergency-phone" => "emergency",
        "sms" => "text",
        "email" => "e-mail",
        other => other,
    };
    format!("{label} {}", n.text)
}

/// Columns a character takes on a terminal: 2 for East Asian wide characters, else 1.
fn columns(c: char) -> usize {
    let wide = matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
    if wide { 2 } else { 1 }
}

/// Breaks `text` into lines of at most `width` columns, at spaces where it can, else anywhere.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let need: usize = word.chars().map(columns).sum();
        if used > 0 && used + 1 + need <= width {
            line.push(' ');
            line.push_str(word);
            used += 1 + need;
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        for c in word.chars() {
            if used + columns(c) > width {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += columns(c);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_by_columns() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("警察（緊急）", 4), ["警察", "（緊", "急）"]);
        assert_eq!(wrap("", 10), [""]);
        let long = "x ".repeat(200);
        assert!(wrap(&long, 94).iter().all(|l| l.chars().count() <= 94));
    }
}
