//! Reading back a filled PDF: per page, every placed form (a drawn XObject starts an item) and
//! the text drawn after it, decoded through each font's ToUnicode map, one string per text
//! object. The copies of a run are reconciled from this, not from the plan.

use std::collections::HashMap;

use hayro_syntax::object::{Name, ObjRef, Stream};

/// One placed form and the texts drawn on it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Item {
    /// Its page, from 0.
    pub page: usize,
    /// Each text object drawn after the form (until the next form), decoded.
    pub texts: Vec<Text>,
}

/// One text object: its text and where it starts (pt from the page's top-left, on its baseline).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Text {
    /// The text.
    pub text: String,
    /// Start of the baseline, pt from the left.
    pub x: f32,
    /// Baseline, pt from the top.
    pub y: f32,
}

/// What a filled PDF holds.
#[derive(Debug, Default)]
pub struct Read {
    /// Pages.
    pub pages: usize,
    /// Placed forms, in drawing order.
    pub items: Vec<Item>,
}

/// The ToUnicode maps of a PDF's fonts: per map, the text of each code.
type Maps = HashMap<ObjRef, Vec<String>>;

/// Reads `pdf` back (with hayro-syntax, the PDF reader krilla uses to embed the forms).
pub fn read(pdf: &std::sync::Arc<Vec<u8>>) -> Result<Read, String> {
    let doc = hayro_syntax::Pdf::new(pdf.clone()).map_err(|e| format!("the written PDF does not read back: {e:?}"))?;
    let pages = doc.pages();
    let mut out = Read { pages: pages.len(), items: Vec::new() };
    // The ToUnicode maps, read once each.
    let mut maps: Maps = HashMap::new();
    for (n, page) in pages.iter().enumerate() {
        // Decoded here and dropped after the page (the page's own cache would keep every page).
        let stream: Stream = page.raw().get(b"Contents").ok_or_else(|| format!("page {}: no content stream", n + 1))?;
        let content = stream.decoded().map_err(|e| format!("page {}: {e:?}", n + 1))?;
        let resources = page.resources();
        let mut by_name: HashMap<Vec<u8>, ObjRef> = HashMap::new();
        let mut font: Option<ObjRef> = None;
        let mut text = Text::default();
        let mut operands: Vec<Token> = Vec::new();
        for token in Tokens::new(&content) {
            let Token::Op(op) = token else {
                operands.push(token);
                continue;
            };
            match op {
                b"Do" => out.items.push(Item { page: n, texts: Vec::new() }),
                b"Tf" => {
                    font = match operands.first() {
                        Some(Token::Name(name)) => font_ref(resources, name, (&mut by_name, &mut maps), n)?,
                        _ => None,
                    };
                }
                b"BT" => text = Text::default(),
                b"Tm" if text.text.is_empty() => {
                    let num = |i: usize| match operands.get(i) {
                        Some(Token::Number(v)) => {
                            std::str::from_utf8(v).ok().and_then(|v| v.parse().ok()).unwrap_or(0.0)
                        }
                        _ => 0.0,
                    };
                    (text.x, text.y) = (num(4), num(5));
                }
                b"Tj" | b"TJ" => {
                    let Some(map) = font.and_then(|r| maps.get(&r)) else {
                        return Err(format!("page {}: text without a font", n + 1));
                    };
                    for t in &operands {
                        if let Token::Str(bytes) = t {
                            for code in bytes.chunks(2) {
                                let code = u16::from_be_bytes([code[0], *code.get(1).unwrap_or(&0)]);
                                text.text.push_str(map.get(usize::from(code)).map_or("\u{FFFD}", String::as_str));
                            }
                        }
                    }
                }
                b"ET" => {
                    if let Some(item) = out.items.last_mut().filter(|i| i.page == n) {
                        item.texts.push(std::mem::take(&mut text));
                    }
                }
                _ => {}
            }
            operands.clear();
        }
    }
    Ok(out)
}

/// The ToUnicode map (its reference, the map read into `maps` on first use) of the font named
/// `name` on a page, if it has one.
fn font_ref(
    resources: &hayro_syntax::page::Resources,
    name: &[u8],
    (by_name, maps): (&mut HashMap<Vec<u8>, ObjRef>, &mut Maps),
    n: usize,
) -> Result<Option<ObjRef>, String> {
    if let Some(r) = by_name.get(name) {
        return Ok(Some(*r));
    }
    let Some(font) = resources.get_font(&Name::new_unescaped(name)) else { return Ok(None) };
    let Some(r) = font.get_ref(b"ToUnicode") else { return Ok(None) };
    if let std::collections::hash_map::Entry::Vacant(slot) = maps.entry(r) {
        let stream: Stream = font.get(b"ToUnicode").ok_or_else(|| format!("page {}: a font's ToUnicode", n + 1))?;
        let data = stream.decoded().map_err(|e| format!("page {}: {e:?}", n + 1))?;
        slot.insert(to_unicode(&data));
    }
    by_name.insert(name.to_vec(), r);
    Ok(Some(r))
}

/// One token of a content stream, as far as reading back text needs: operators, names, numbers
/// and strings (literal or hex, decoded); arrays are flattened (their brackets skipped) and
/// anything else is skipped.
#[derive(Debug, PartialEq)]
enum Token<'a> {
    Op(&'a [u8]),
    Name(&'a [u8]),
    /// A number, unparsed (only `Tm`'s are read).
    Number(&'a [u8]),
    Str(Vec<u8>),
    Other,
}

/// The tokens of a content stream.
struct Tokens<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Tokens<'a> {
    fn new(data: &'a [u8]) -> Self {
        Tokens { data, at: 0 }
    }

    fn literal(&mut self) -> Vec<u8> {
        let (d, mut out, mut depth) = (self.data, Vec::new(), 1);
        while self.at < d.len() {
            let c = d[self.at];
            self.at += 1;
            match c {
                b'\\' if self.at < d.len() => {
                    let e = d[self.at];
                    self.at += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match d.get(self.at) {
                                    Some(&o @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(o - b'0');
                                        self.at += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xFF) as u8);
                        }
                        b'\r' | b'\n' => {}
                        other => out.push(other),
                    }
                }
                b'(' => {
                    depth += 1;
                    out.push(c);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
        out
    }

    fn hex(&mut self) -> Vec<u8> {
        let d = self.data;
        let mut digits = Vec::new();
        while self.at < d.len() && d[self.at] != b'>' {
            if d[self.at].is_ascii_hexdigit() {
                digits.push(d[self.at]);
            }
            self.at += 1;
        }
        self.at += 1;
        if digits.len() % 2 == 1 {
            digits.push(b'0');
        }
        let val = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
        digits.chunks(2).map(|p| val(p[0]) * 16 + val(p[1])).collect()
    }
}

/// Whitespace and the delimiters of PDF syntax, by byte.
const DELIMITER: [bool; 256] = {
    let mut table = [false; 256];
    let all = b" \t\n\r\x0c\x00()<>[]{}/%";
    let mut i = 0;
    while i < all.len() {
        table[all[i] as usize] = true;
        i += 1;
    }
    table
};

fn is_delimiter(c: u8) -> bool {
    DELIMITER[c as usize]
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let d = self.data;
        loop {
            while self.at < d.len() && d[self.at].is_ascii_whitespace() {
                self.at += 1;
            }
            let c = *d.get(self.at)?;
            let start = self.at;
            self.at += 1;
            return Some(match c {
                b'%' => {
                    while self.at < d.len() && d[self.at] != b'\n' && d[self.at] != b'\r' {
                        self.at += 1;
                    }
                    continue;
                }
                b'[' | b']' | b'{' | b'}' => continue,
                b'(' => Token::Str(self.literal()),
                b'<' if d.get(self.at) == Some(&b'<') => {
                    self.at += 1;
                    Token::Other
                }
                b'>' if d.get(self.at) == Some(&b'>') => {
                    self.at += 1;
                    Token::Other
                }
                b'<' => Token::Str(self.hex()),
                b'/' => {
                    while self.at < d.len() && !is_delimiter(d[self.at]) {
                        self.at += 1;
                    }
                    Token::Name(&d[start + 1..self.at])
                }
                _ => {
                    while self.at < d.len() && !is_delimiter(d[self.at]) {
                        self.at += 1;
                    }
                    let word = &d[start..self.at];
                    match c {
                        b'-' | b'+' | b'.' | b'0'..=b'9' => Token::Number(word),
                        _ if c.is_ascii_alphabetic() || c == b'\'' || c == b'"' || c == b'*' => Token::Op(word),
                        _ => Token::Other,
                    }
                }
            });
        }
    }
}

/// A ToUnicode CMap of two-byte codes (`bfchar` and `bfrange` sections), as the text of each
/// code (U+FFFD for a code it does not map).
fn to_unicode(data: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(data);
    let mut out: Vec<String> = Vec::new();
    let mut insert = |code: u16, s: String| {
        let i = usize::from(code);
        if out.len() <= i {
            out.resize(i + 1, "\u{FFFD}".to_string());
        }
        out[i] = s;
    };
    let hex = |h: &str| -> Vec<u16> {
        let b: Vec<u8> =
            (0..h.len() / 2).filter_map(|i| u8::from_str_radix(h.get(2 * i..2 * i + 2)?, 16).ok()).collect();
        b.chunks(2).map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect()
    };
    let utf16 = |h: &str| String::from_utf16_lossy(&hex(h));
    let mut section = "";
    for line in text.lines() {
        let line = line.trim();
        if line.ends_with("beginbfchar") {
            section = "char";
            continue;
        }
        if line.ends_with("beginbfrange") {
            section = "range";
            continue;
        }
        if line.starts_with("end") {
            section = "";
            continue;
        }
        let parts: Vec<&str> = line.split(['<', '>']).map(str::trim).filter(|p| !p.is_empty()).collect();
        match (section, parts.as_slice()) {
            ("char", [code, dst]) => {
                if let Some(&c) = hex(code).first() {
                    insert(c, utf16(dst));
                }
            }
            ("range", [lo, hi, dst]) => {
                let (Some(&lo), Some(&hi)) = (hex(lo).first(), hex(hi).first()) else { continue };
                let mut units = hex(dst);
                for code in lo..=hi {
                    insert(code, String::from_utf16_lossy(&units));
                    if let Some(last) = units.last_mut() {
                        *last = last.wrapping_add(1);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Token, Tokens};

    #[test]
    fn content_streams_tokenise_as_the_text_operators_need() {
        let stream = b"q 1 0 0 -1 0 842 cm BT /f0 8.5 Tf 1 0 0 -1 10.5 20 Tm [<00010002> -12 <0003>] TJ (a\\)b\\101) Tj ET /X0 Do Q";
        let tokens: Vec<Token> = Tokens::new(stream).collect();
        assert!(tokens.contains(&Token::Name(b"f0")));
        assert!(tokens.contains(&Token::Number(b"10.5")));
        assert!(tokens.contains(&Token::Str(vec![0, 1, 0, 2])));
        assert!(tokens.contains(&Token::Str(b"a)bA".to_vec())));
        let ops: Vec<&[u8]> =
            tokens.iter().filter_map(|t| if let Token::Op(o) = t { Some(*o) } else { None }).collect();
        assert_eq!(ops, [&b"q"[..], b"cm", b"BT", b"Tf", b"Tm", b"TJ", b"Tj", b"ET", b"Do", b"Q"]);
    }
}
