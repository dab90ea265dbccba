//! Characters a reader cannot see, or that change how the text around them is shown.
//!
//! What is printed must be what a reader sees in the file: a right-to-left override makes
//! `+1 888` show as `888 1+` in an editor but print (or dial) otherwise, a zero-width space hides
//! inside a word, a NUL byte cuts a field short in other programs. Such characters are refused
//! wherever editors and staff write text: every string of the project's TOML files, the chapter
//! sources, every field of an orders file. Pure functions, no I/O.

/// Whether line breaks and tabs belong to the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// One line (a name, an address line, a CSV field): tabs and line breaks are refused too.
    Single,
    /// Text over several lines (a chapter source, a `"""` string): tabs and line feeds are text,
    /// and a carriage return is allowed before a line feed.
    Multi,
}

/// True for a character that has no place in printed text: a control character (Unicode
/// category Cc), a format character (Cf: zero-width and direction controls, soft hyphen, tags …)
/// or a line or paragraph separator (Zl, Zp). With [`Lines::Multi`], tab, line feed and
/// carriage return are text.
pub fn is_hidden(c: char, lines: Lines) -> bool {
    if lines == Lines::Multi && matches!(c, '\t' | '\n' | '\r') {
        return false;
    }
    c.is_control() || is_format(c) || is_blank_letter(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Letters and marks that print as nothing although they are not format characters (Unicode's
/// default-ignorable code points outside category Cf): the Hangul fillers, which a name can hide
/// in (a "blank" nickname, a look-alike of a real name), the combining grapheme joiner, two Khmer
/// vowels that are never written, and the Mongolian variation selectors. Variation selectors
/// U+FE00–U+FE0F are not among them: they choose a glyph (an emoji's colour form) and are text.
pub fn is_blank_letter(c: char) -> bool {
    matches!(
        c,
        '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{180B}'
            ..='\u{180D}' | '\u{180F}' | '\u{3164}' | '\u{FFA0}'
    )
}

/// Unicode's format characters (general category Cf, Unicode 16.0).
pub fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// Every hidden character of `text` with its byte offset, in order.
pub fn find_hidden(text: &str, lines: Lines) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some((at, c)) = chars.next() {
            // A carriage return is allowed only as part of a CRLF line end.
            let lone_cr = lines == Lines::Multi && c == '\r' && chars.peek().is_none_or(|(_, n)| *n != '\n');
            if lone_cr || is_hidden(c, lines) {
                return Some((at, c));
            }
        }
        None
    })
}

/// The first hidden character of a one-line text, if any.
pub fn first_hidden(text: &str) -> Option<(usize, char)> {
    find_hidden(text, Lines::Single).next()
}

/// `text` with each hidden character written as `<U+XXXX>`, safe to quote in a message.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_hidden(c, Lines::Single) {
            out.push_str(&format!("<U+{:04X}>", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// The character's code and name, e.g. `U+202E RIGHT-TO-LEFT OVERRIDE` (control characters,
/// which have no name of their own, by their usual alias, e.g. `U+0000 NULL`).
pub fn describe(c: char) -> String {
    let code = format!("U+{:04X}", u32::from(c));
    match name(c) {
        Some(name) => format!("{code} {name}"),
        None if c.is_control() => format!("{code}, a control character"),
        None if is_blank_letter(c) => format!("{code}, a character that prints as nothing"),
        None => format!("{code}, a format character"),
    }
}

fn name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{0000}' => "NULL",
        '\u{0007}' => "BELL",
        '\u{0008}' => "BACKSPACE",
        '\t' => "CHARACTER TABULATION",
        '\n' => "LINE FEED",
        '\u{000B}' => "LINE TABULATION",
        '\u{000C}' => "FORM FEED",
        '\r' => "CARRIAGE RETURN",
        '\u{001B}' => "ESCAPE",
        '\u{007F}' => "DELETE",
        '\u{0085}' => "NEXT LINE",
        '\u{00AD}' => "SOFT HYPHEN",
        '\u{034F}' => "COMBINING GRAPHEME JOINER",
        '\u{061C}' => "ARABIC LETTER MARK",
        '\u{115F}' => "HANGUL CHOSEONG FILLER",
        '\u{1160}' => "HANGUL JUNGSEONG FILLER",
        '\u{3164}' => "HANGUL FILLER",
        '\u{FFA0}' => "HALFWIDTH HANGUL FILLER",
        '\u{180E}' => "MONGOLIAN VOWEL SEPARATOR",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2060}' => "WORD JOINER",
        '\u{2061}' => "FUNCTION APPLICATION",
        '\u{2062}' => "INVISIBLE TIMES",
        '\u{2063}' => "INVISIBLE SEPARATOR",
        '\u{2064}' => "INVISIBLE PLUS",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE (byte order mark)",
        '\u{FFF9}' => "INTERLINEAR ANNOTATION ANCHOR",
        '\u{FFFA}' => "INTERLINEAR ANNOTATION SEPARATOR",
        '\u{FFFB}' => "INTERLINEAR ANNOTATION TERMINATOR",
        '\u{E0001}' => "LANGUAGE TAG",
        '\u{E0020}'..='\u{E007F}' => "TAG (an invisible tag character)",
        _ => return None,
    })
}

/// The character, what it does and what to do: the end of a message that starts with where the
/// character is (`… has U+202E RIGHT-TO-LEFT OVERRIDE, …`).
pub fn hidden_advice(c: char) -> String {
    let what = match c {
        '\t' => "a tab in a one-line text; replace it by a space",
        '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{0085}' => {
            "a line break in a one-line text; write the text on one line (in TOML, use \"\"\" … \"\"\" for text over several lines)"
        }
        '\u{200C}' | '\u{200D}' => {
            "an invisible character that joins or separates letters; it belongs only in scripts such as Arabic or \
             Devanagari, not in Korean, English, Chinese or Japanese text, so delete it"
        }
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {
            "an invisible character that changes the order in which the text around it is shown, so what an editor \
             shows is not what is printed or dialled; delete it"
        }
        '\u{00AD}' => {
            "an invisible hyphen that shows only where a line breaks; delete it, the layouts hyphenate by themselves"
        }
        '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' => {
            "a Hangul filler, which prints as nothing (it stands for an empty part of a syllable in old \
             encodings, and can make a blank or look-alike name); delete it"
        }
        c if c.is_control() => "a control character, which cannot be printed; delete it",
        _ => "an invisible character that a reader cannot see; delete it",
    };
    format!("{}, {what}", describe(c))
}

/// Added to [`hidden_advice`] for a character written as itself, which an editor may not show.
pub const RETYPE: &str = " (if your editor does not show it, delete the text around it and type it again)";

/// Which quotes a TOML string is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TomlQuotes {
    /// `"…"`: escapes, one line.
    Basic,
    /// `"""…"""`: escapes, several lines.
    MultiBasic,
    /// `'…'`: no escapes, one line.
    Literal,
    /// `'''…'''`: no escapes, several lines.
    MultiLiteral,
}

impl TomlQuotes {
    /// The kind of a TOML string as written (`raw` starts with its opening quote); `None` for a
    /// bare key.
    pub fn of(raw: &str) -> Option<Self> {
        Some(if raw.starts_with("\"\"\"") {
            Self::MultiBasic
        } else if raw.starts_with("'''") {
            Self::MultiLiteral
        } else if raw.starts_with('"') {
            Self::Basic
        } else if raw.starts_with('\'') {
            Self::Literal
        } else {
            return None;
        })
    }

    fn lines(self) -> Lines {
        match self {
            Self::Basic | Self::Literal => Lines::Single,
            Self::MultiBasic | Self::MultiLiteral => Lines::Multi,
        }
    }
}

/// The hidden characters of a TOML string as written (`raw`, quotes included) that a scan of
/// the file's raw text does not show: those written as escapes (`\u202E`, `\u0000`, and `\t`,
/// `\n` … in a one-line string) and raw tabs in a one-line string. Each with the byte offset
/// in `raw` of the escape or the tab.
pub fn hidden_in_toml_string(raw: &str) -> Vec<(usize, char)> {
    let Some(quotes) = TomlQuotes::of(raw) else { return Vec::new() };
    let lines = quotes.lines();
    let mut out = Vec::new();
    let escapes = matches!(quotes, TomlQuotes::Basic | TomlQuotes::MultiBasic);
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\t' if lines == Lines::Single => {
                out.push((i, '\t'));
                i += 1;
            }
            b'\\' if escapes && i + 1 < bytes.len() => {
                let decoded = match bytes[i + 1] {
                    b'b' => Some(('\u{8}', 2)),
                    b't' => Some(('\t', 2)),
                    b'n' => Some(('\n', 2)),
                    b'f' => Some(('\u{C}', 2)),
                    b'r' => Some(('\r', 2)),
                    b'e' => Some(('\u{1B}', 2)),
                    b'x' => hex_escape(raw, i + 2, 2),
                    b'u' => hex_escape(raw, i + 2, 4),
                    b'U' => hex_escape(raw, i + 2, 8),
                    _ => None,
                };
                match decoded {
                    Some((c, len)) => {
                        // An escaped line break is text in a multi-line string; `\r` only before `\n`.
                        let crlf = c == '\r' && raw[i + len..].starts_with("\\n");
                        if is_hidden(c, lines) || (lines == Lines::Multi && c == '\r' && !crlf) {
                            out.push((i, c));
                        }
                        i += len;
                    }
                    // `\\`, `\"`, a line-ending backslash: two bytes that are not a hidden character.
                    None => i += 2,
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// The character of the `digits` hex digits at `at`, and the escape's whole length.
fn hex_escape(raw: &str, at: usize, digits: usize) -> Option<(char, usize)> {
    let hex = raw.get(at..at + digits)?;
    let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
    Some((c, 2 + digits))
}

/// The characters that Typst's `\u{…}` escapes in a chapter source stand for, with the byte
/// offset of each escape, when they are hidden (tabs and line breaks are text there).
pub fn hidden_in_typst_escapes(source: &str) -> Vec<(usize, char)> {
    let mut out = Vec::new();
    let bytes = source.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            if source[i + 1..].starts_with("u{")
                && let Some(end) = source[i + 3..].find('}')
                && let Some(c) = u32::from_str_radix(&source[i + 3..i + 3 + end], 16).ok().and_then(char::from_u32)
                && is_hidden(c, Lines::Multi)
            {
                out.push((i, c));
            }
            // `\\` is an escaped backslash: the next character starts nothing.
            i += 2;
        } else {
            i += 1;
        }
    }
    out
}

/// Typst's symbols for characters a reader cannot see (`sym.zwj` and the like, from Typst's
/// symbol table), written in a Typst source: (byte offset, the symbol as written, the character).
pub fn hidden_typst_symbols(source: &str) -> Vec<(usize, &str, char)> {
    const SYMBOLS: [(&str, char); 7] = [
        ("wj", '\u{2060}'),
        ("zwj", '\u{200D}'),
        ("zwnj", '\u{200C}'),
        ("zws", '\u{200B}'),
        ("lrm", '\u{200E}'),
        ("rlm", '\u{200F}'),
        ("hyph.soft", '\u{00AD}'),
    ];
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '-' || c == '.';
    let mut out = Vec::new();
    for (at, _) in source.match_indices("sym.") {
        // `sym` itself must start a name (not the end of `mysym.`).
        if source[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &source[at + 4..];
        let name_len = rest.find(|c: char| !word(c)).unwrap_or(rest.len());
        // A sentence may end right after the symbol: `#sym.zwj.` is the symbol and a full stop.
        let name = rest[..name_len].trim_end_matches('.');
        if let Some((_, c)) = SYMBOLS.iter().find(|(n, _)| *n == name) {
            out.push((at, &source[at..at + 4 + name.len()], *c));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typst_symbols_for_hidden_characters_are_found() {
        let source = "a#sym.zwj b #sym.hyph.soft. c sym.zws d #sym.zwsx #mysym.zwj #sym.arrow.r #sym.wj";
        let found: Vec<(usize, &str, char)> = hidden_typst_symbols(source);
        assert_eq!(
            found,
            [
                (2, "sym.zwj", '\u{200D}'),
                (13, "sym.hyph.soft", '\u{00AD}'),
                (30, "sym.zws", '\u{200B}'),
                (75, "sym.wj", '\u{2060}'),
            ]
        );
    }

    #[test]
    fn direction_and_zero_width_characters_are_hidden() {
        for c in ['\u{202E}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{2066}', '\u{FEFF}', '\u{00AD}', '\u{E0041}'] {
            assert!(is_hidden(c, Lines::Multi), "U+{:04X}", u32::from(c));
        }
        for c in ['a', '한', '漢', 'ー', ' ', '\u{00A0}', '\u{3000}', '·', '…', '\u{FE0F}'] {
            assert!(!is_hidden(c, Lines::Single), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn hangul_fillers_and_other_blank_letters_are_hidden() {
        for c in ['\u{3164}', '\u{FFA0}', '\u{115F}', '\u{1160}', '\u{034F}', '\u{17B4}', '\u{180B}'] {
            assert!(is_hidden(c, Lines::Multi), "U+{:04X}", u32::from(c));
        }
        assert_eq!(
            hidden_advice('\u{3164}'),
            "U+3164 HANGUL FILLER, a Hangul filler, which prints as nothing (it stands for an empty part of a \
             syllable in old encodings, and can make a blank or look-alike name); delete it"
        );
        assert_eq!(
            hidden_advice('\u{17B4}'),
            "U+17B4, a character that prints as nothing, an invisible character that a reader cannot see; delete it"
        );
        // Real Hangul, composed and as conjoining jamo, stays text.
        assert_eq!(find_hidden("상담 \u{1100}\u{1161}", Lines::Single).count(), 0);
    }

    #[test]
    fn control_characters_are_hidden_and_line_breaks_only_in_one_line_text() {
        assert!(is_hidden('\0', Lines::Multi));
        assert!(is_hidden('\u{7F}', Lines::Multi));
        assert!(is_hidden('\u{85}', Lines::Multi));
        assert!(is_hidden('\t', Lines::Single) && !is_hidden('\t', Lines::Multi));
        assert!(is_hidden('\n', Lines::Single) && !is_hidden('\n', Lines::Multi));
        assert_eq!(find_hidden("a\r\nb", Lines::Multi).count(), 0);
        assert_eq!(find_hidden("a\rb", Lines::Multi).collect::<Vec<_>>(), [(1, '\r')]);
        assert_eq!(find_hidden("a\r\nb", Lines::Single).count(), 2);
    }

    #[test]
    fn finds_offsets() {
        let text = "Crime\u{200B}stoppers \u{202E}111";
        let found: Vec<_> = find_hidden(text, Lines::Single).collect();
        assert_eq!(found, [(5, '\u{200B}'), (17, '\u{202E}')]);
        assert_eq!(first_hidden("plain text"), None);
        assert_eq!(visible(text), "Crime<U+200B>stoppers <U+202E>111");
    }

    #[test]
    fn names_characters() {
        assert_eq!(describe('\u{202E}'), "U+202E RIGHT-TO-LEFT OVERRIDE");
        assert_eq!(describe('\u{200B}'), "U+200B ZERO WIDTH SPACE");
        assert_eq!(describe('\0'), "U+0000 NULL");
        assert_eq!(describe('\u{1}'), "U+0001, a control character");
        assert_eq!(describe('\u{E0061}'), "U+E0061 TAG (an invisible tag character)");
        assert!(hidden_advice('\u{200D}').contains("not in Korean, English, Chinese or Japanese text"));
        assert!(hidden_advice('\u{202E}').contains("changes the order"));
        assert!(hidden_advice('\0').starts_with("U+0000 NULL, a control character"));
    }

    /// Python's unicodedata (Unicode 14) lists these Cf ranges; later versions added 13439–1343F.
    #[test]
    fn format_characters_are_unicodes() {
        let count = (0..=0x10FFFF).filter_map(char::from_u32).filter(|c| is_format(*c)).count();
        assert_eq!(count, 170);
    }

    #[test]
    fn toml_escapes() {
        assert_eq!(hidden_in_toml_string(r#""Crime\u202Estoppers""#), [(6, '\u{202E}')]);
        assert_eq!(hidden_in_toml_string(r#""a\u0000""#), [(2, '\0')]);
        assert_eq!(hidden_in_toml_string(r#""a\U0000200Bb""#), [(2, '\u{200B}')]);
        assert_eq!(hidden_in_toml_string(r#""line\nbreak""#), [(5, '\n')]);
        assert_eq!(hidden_in_toml_string("\"tab\there\""), [(4, '\t')]);
        assert_eq!(hidden_in_toml_string(r#""not \\u202E an escape""#), []);
        assert_eq!(hidden_in_toml_string(r#""quote \" and \\""#), []);
        assert_eq!(hidden_in_toml_string(r#"'\u202E is literal text'"#), []);
        assert_eq!(hidden_in_toml_string("'tab\there'"), [(4, '\t')]);
        // Several lines: tabs and line breaks are text, other controls are not.
        assert_eq!(hidden_in_toml_string("\"\"\"a\tb\\n\\t\\r\\nc\"\"\""), []);
        assert_eq!(hidden_in_toml_string("\"\"\"a\\u0007\"\"\""), [(4, '\u{7}')]);
        assert_eq!(hidden_in_toml_string("\"\"\"a\\rb\"\"\""), [(4, '\r')]);
        assert_eq!(hidden_in_toml_string("bare-key"), []);
    }

    #[test]
    fn typst_escapes() {
        assert_eq!(hidden_in_typst_escapes(r"a \u{202e} b"), [(2, '\u{202E}')]);
        assert_eq!(hidden_in_typst_escapes(r"a \u{AC00} b \u{a}"), []);
        assert_eq!(hidden_in_typst_escapes(r"a \\u{200B} b"), []);
    }
}
