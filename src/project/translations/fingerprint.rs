//! Fingerprints of a source chapter's text, as a translation record keeps them: one over the whole
//! chapter and one per paragraph, heading or list item, each taken over the text normalised
//! (Unicode NFC, LF line ends, runs of spaces and line breaks as one space), so that saving the
//! file with other line ends, re-wrapping a paragraph or trimming trailing spaces changes nothing,
//! while a changed word or figure does.

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

/// Hex digits of a chapter fingerprint (SHA-256).
pub const CHAPTER_HEX: usize = 64;
/// Hex digits of a paragraph fingerprint (the first 64 bits of its SHA-256).
pub const PARAGRAPH_HEX: usize = 16;

/// One paragraph, heading or list item of a source chapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// Its first line (1-based).
    pub line: usize,
    /// Its last line.
    pub last_line: usize,
    /// Its text as written (lines joined with LF, trailing spaces trimmed).
    pub text: String,
    /// [`paragraph_fingerprint`] of it.
    pub fingerprint: String,
    /// The text the fingerprints are taken over (see [`normalised`]).
    normal: String,
}

/// The paragraphs of a chapter source: blocks separated by blank lines, where a heading (`=`) or
/// a list item (`-`, `+`, `/`, `1.`) also starts a block of its own.
pub fn paragraphs(source: &str) -> Vec<Paragraph> {
    let text: String = source.strip_prefix('\u{feff}').unwrap_or(source).nfc().collect();
    let mut out: Vec<Paragraph> = Vec::new();
    let mut open = false;
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.trim_end();
        if line.trim().is_empty() {
            open = false;
            continue;
        }
        if open && !starts_block(line) {
            let last = out.last_mut().expect("an open block");
            last.text.push('\n');
            last.text.push_str(line);
            last.last_line = i + 1;
        } else {
            let text = line.to_string();
            out.push(Paragraph {
                line: i + 1,
                last_line: i + 1,
                text,
                fingerprint: String::new(),
                normal: String::new(),
            });
            open = true;
        }
    }
    for p in &mut out {
        // The text is NFC already.
        p.normal = collapse(&p.text);
        p.fingerprint = sha256(p.normal.as_bytes())[..PARAGRAPH_HEX].to_string();
    }
    out
}

/// Whether a line starts a block of its own even without a blank line before it.
fn starts_block(line: &str) -> bool {
    let t = line.trim_start();
    let numbered = t.split_once(". ").is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    t.starts_with('=') || t.starts_with("- ") || t.starts_with("+ ") || t.starts_with("/ ") || numbered
}

/// The text a fingerprint is taken over: NFC, whitespace runs as one space, trimmed.
fn normalised(text: &str) -> String {
    collapse(&text.nfc().collect::<String>())
}

/// Runs of whitespace as one space, trimmed.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn sha256(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    Sha256::digest(bytes).iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The fingerprint of one paragraph: [`PARAGRAPH_HEX`] hex digits.
pub fn paragraph_fingerprint(text: &str) -> String {
    sha256(normalised(text).as_bytes())[..PARAGRAPH_HEX].to_string()
}

/// The fingerprint of a whole chapter: [`CHAPTER_HEX`] hex digits over its normalised paragraphs
/// in order (so blank lines between them do not count either).
pub fn chapter_fingerprint(paragraphs: &[Paragraph]) -> String {
    let joined: Vec<&str> = paragraphs.iter().map(|p| p.normal.as_str()).collect();
    sha256(joined.join("\n\n").as_bytes())
}

/// Whether `text` is a fingerprint of `digits` lower-case hex digits.
pub fn well_formed(text: &str, digits: usize) -> bool {
    text.len() == digits && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "= 제목\n\n첫 문단입니다.\n둘째 줄.\n\n== 소제목\n- 하나\n- 둘\n  이어짐\n\n끝 문단 400만 원.\n";

    #[test]
    fn blocks_and_lines() {
        let p = paragraphs(SRC);
        let lines: Vec<(usize, usize)> = p.iter().map(|p| (p.line, p.last_line)).collect();
        assert_eq!(lines, vec![(1, 1), (3, 4), (6, 6), (7, 7), (8, 9), (11, 11)]);
    }

    #[test]
    fn whitespace_and_line_ends_do_not_count() {
        let before = chapter_fingerprint(&paragraphs(SRC));
        let crlf = SRC.replace('\n', "\r\n");
        let spaced = SRC.replace("입니다.", "입니다.   ").replace("\n\n", "\n\n\n").replace("둘째", "  둘째");
        let rewrapped = SRC.replace("입니다.\n둘째", "입니다. 둘째");
        for other in [crlf, spaced, rewrapped] {
            assert_eq!(chapter_fingerprint(&paragraphs(&other)), before, "{other:?}");
        }
    }

    #[test]
    fn nfc_does_not_count() {
        // "가" precomposed and as a leading and a vowel jamo.
        let composed = "= 가\n";
        let decomposed = "= \u{1100}\u{1161}\n";
        assert_eq!(chapter_fingerprint(&paragraphs(composed)), chapter_fingerprint(&paragraphs(decomposed)));
    }

    #[test]
    fn a_changed_figure_counts_in_its_paragraph_only() {
        let old = paragraphs(SRC);
        let new = paragraphs(&SRC.replace("400만", "500만"));
        assert_ne!(chapter_fingerprint(&old), chapter_fingerprint(&new));
        let changed: Vec<usize> =
            new.iter().filter(|n| !old.iter().any(|o| o.fingerprint == n.fingerprint)).map(|p| p.line).collect();
        assert_eq!(changed, vec![11]);
    }

    #[test]
    fn shapes() {
        let p = paragraphs(SRC);
        assert!(well_formed(&p[0].fingerprint, PARAGRAPH_HEX));
        assert!(well_formed(&chapter_fingerprint(&p), CHAPTER_HEX));
        assert!(!well_formed("ABC", 3));
    }
}
