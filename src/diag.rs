//! Problems found in project data, with their location, and how they are printed.

use std::fmt;

/// One problem in an input file: where it is and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// The file, relative to the project root (e.g. `editions/nz.toml`).
    pub file: String,
    /// 1-based line (or CSV row) if known.
    pub line: Option<usize>,
    /// 1-based column if known.
    pub column: Option<usize>,
    /// What the problem is and how to fix it, as a full sentence.
    pub message: String,
}

/// Where something is written: a file of the project and a 1-based line and column in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// The file, relative to the project root.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Location {
    /// The location of a byte offset of a text file.
    pub fn at(file: impl Into<String>, text: &str, offset: usize) -> Self {
        let (line, column) = line_col(text, offset);
        Self { file: file.into(), line, column }
    }
}

impl Problem {
    /// A problem at a known location.
    pub fn located(at: &Location, message: impl Into<String>) -> Self {
        Self { file: at.file.clone(), line: Some(at.line), column: Some(at.column), message: message.into() }
    }

    /// A problem about a whole file.
    pub fn file(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self { file: file.into(), line: None, column: None, message: message.into() }
    }

    /// A problem at a byte offset of a text file.
    pub fn at(file: impl Into<String>, text: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, column) = line_col(text, offset);
        Self { file: file.into(), line: Some(line), column: Some(column), message: message.into() }
    }

    /// A problem at a known line.
    pub fn line(file: impl Into<String>, line: usize, message: impl Into<String>) -> Self {
        Self { file: file.into(), line: Some(line), column: None, message: message.into() }
    }
}

impl Problem {
    /// `file:line:col: error: message` on one line, as editors' tools read it.
    pub fn short(&self) -> String {
        let mut at = self.file.clone();
        if let Some(line) = self.line {
            at.push_str(&format!(":{line}:{}", self.column.unwrap_or(1)));
        }
        format!("{at}: error: {}", self.message.replace('\n', " "))
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem found in one run, printed one per line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// Adds a problem.
    pub fn push(&mut self, problem: Problem) {
        self.0.push(problem);
    }

    /// True when nothing was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Converts into `Err` when any problem was found.
    pub fn into_result(mut self) -> Result<(), Problems> {
        if self.0.is_empty() {
            Ok(())
        } else {
            self.0.sort();
            self.0.dedup();
            Err(self)
        }
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for problem in &self.0 {
            writeln!(f, "error: {problem}")?;
        }
        let n = self.0.len();
        write!(f, "{n} problem{} found; nothing was written.", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Problems {}

/// Byte offset of the line that sets `key` (as `key = …` or `key.sub = …`) in `[table]`
/// (the top level when `table` is empty); else of the `[table]` header; else 0.
///
/// For settings whose value has no span of its own, e.g. a language missing from `name.*`.
pub fn key_offset(text: &str, table: &str, key: &str) -> usize {
    let mut section = String::new();
    let mut header = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.starts_with('[') {
            section = trimmed.trim_end().trim_matches(|c| c == '[' || c == ']').trim().to_string();
            if section == table && header.is_none() {
                header = Some(offset + indent);
            }
        } else if section == table
            && let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with(['=', '.'])
        {
            return offset + indent;
        }
        offset += line.len();
    }
    header.unwrap_or(0)
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let text = "a = 1\n이름 = \"x\"\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, 6 + "이름 ".len()), (2, 4));
    }

    #[test]
    fn finds_keys_in_tables() {
        let text =
            "country = \"NZ\"\nname.ko = \"뉴질랜드\"\n\n[build]\n  bleed-mm = 3\n[[contact]]\nname.en = \"x\"\n";
        assert_eq!(line_col(text, key_offset(text, "", "name")), (2, 1));
        assert_eq!(line_col(text, key_offset(text, "build", "bleed-mm")), (5, 3));
        assert_eq!(line_col(text, key_offset(text, "build", "other")), (4, 1));
        assert_eq!(key_offset(text, "", "trim"), 0);
    }

    #[test]
    fn display_has_location() {
        let p = Problem { file: "editions/nz.toml".into(), line: Some(3), column: Some(9), message: "bad".into() };
        assert_eq!(p.to_string(), "editions/nz.toml:3:9: bad");
    }
}
