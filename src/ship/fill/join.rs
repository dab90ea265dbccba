//! Joining the filled PDFs of a run's chunks into one file, as they are made: each chunk's
//! objects (but for its catalog and page tree, and after the first its document information and
//! metadata) are renumbered and written out at once, so memory holds one chunk, not the whole
//! output; one page tree over every page and one catalog close the file.
//!
//! The chunks are krilla's, written by this run: a classic cross-reference table, objects one
//! after another, dictionaries whose only references are `N 0 R`. Streams krilla compressed
//! (fonts, the forms) are copied byte for byte; the pages' content, written plain so that it is
//! read back without inflating it, is deflated here with one compressor for the whole file. The
//! result is deterministic.

use std::collections::HashMap;
use std::io::Write;

use regex::bytes::Regex;

/// The catalog's and the page tree's numbers in the joined file.
const CATALOG: u32 = 1;
const PAGES: u32 = 2;

/// A joined PDF being written.
pub struct Joiner<'w> {
    out: &'w mut dyn Write,
    pos: usize,
    /// Offset of every object written, by number.
    offsets: Vec<usize>,
    /// The pages, in order.
    kids: Vec<u32>,
    /// The first chunk's document information, identifier and metadata.
    info: Option<u32>,
    id: Option<Vec<u8>>,
    metadata: Option<u32>,
    refs: Regex,
    length: Regex,
    /// One compressor for every stream of the file (setting one up costs more than a page).
    deflate: flate2::Compress,
    deflated: Vec<u8>,
}

/// One chunk, parsed as far as joining needs.
struct Chunk<'a> {
    /// `(number, bytes of the object from `N 0 obj` to before the next object)`.
    objects: Vec<(u32, &'a [u8])>,
    /// The trailer's dictionary.
    trailer: &'a [u8],
}

fn error(what: &str) -> String {
    format!("joining the filled PDF: {what}")
}

fn number_after(data: &[u8], key: &[u8]) -> Option<u32> {
    let at = data.windows(key.len()).position(|w| w == key)? + key.len();
    let digits: Vec<u8> =
        data[at..].iter().skip_while(|c| c.is_ascii_whitespace()).take_while(|c| c.is_ascii_digit()).copied().collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

impl Chunk<'_> {
    fn parse(pdf: &[u8]) -> Result<Chunk<'_>, String> {
        let sx = pdf.windows(9).rposition(|w| w == b"startxref").ok_or_else(|| error("no startxref"))?;
        let xref = number_after(&pdf[sx..], b"startxref").ok_or_else(|| error("no xref offset"))? as usize;
        let table = pdf.get(xref..sx).ok_or_else(|| error("bad xref offset"))?;
        let trailer_at = table.windows(7).position(|w| w == b"trailer").ok_or_else(|| error("no trailer"))?;
        let words: Vec<&[u8]> =
            table[4..trailer_at].split(|c| c.is_ascii_whitespace()).filter(|w| !w.is_empty()).collect();
        let num = |w: &[u8]| std::str::from_utf8(w).ok().and_then(|s| s.parse::<usize>().ok());
        let mut entries: Vec<(u32, usize)> = Vec::new();
        let mut i = 0;
        while i + 1 < words.len() {
            let (first, count) = (num(words[i]).unwrap_or(0), num(words[i + 1]).unwrap_or(0));
            i += 2;
            for k in 0..count {
                let Some(e) = words.get(i..i + 3) else { return Err(error("short xref")) };
                if e[2] == b"n" {
                    entries.push(((first + k) as u32, num(e[0]).unwrap_or(0)));
                }
                i += 3;
            }
        }
        entries.sort_by_key(|e| e.1);
        let mut objects = Vec::with_capacity(entries.len());
        for (k, &(n, at)) in entries.iter().enumerate() {
            let end = entries.get(k + 1).map_or(xref, |e| e.1);
            objects.push((n, pdf.get(at..end).ok_or_else(|| error("object beyond the file"))?));
        }
        Ok(Chunk { objects, trailer: &table[trailer_at..] })
    }

    fn dict_of(&self, n: u32) -> Option<&[u8]> {
        self.objects.iter().find(|(m, _)| *m == n).map(|(_, b)| dict_part(b))
    }
}

/// The part of an object before its stream data (all of it when it has none).
fn dict_part(object: &[u8]) -> &[u8] {
    match object.windows(6).position(|w| w == b"stream") {
        Some(at) => &object[..at],
        None => object,
    }
}

impl<'w> Joiner<'w> {
    /// A joined PDF written to `out`.
    pub fn new(out: &'w mut dyn Write) -> Result<Self, String> {
        let refs = Regex::new(r"(\d+) 0 R").map_err(|e| e.to_string())?;
        let length = Regex::new(r"/Length (\d+)").map_err(|e| e.to_string())?;
        let mut j = Joiner {
            out,
            pos: 0,
            offsets: vec![0; 3],
            kids: Vec::new(),
            info: None,
            id: None,
            metadata: None,
            refs,
            length,
            deflate: flate2::Compress::new(flate2::Compression::new(3), true),
            deflated: Vec::new(),
        };
        j.put(b"%PDF-1.7\n%\x80\x80\x80\x80\n")?;
        Ok(j)
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.out.write_all(bytes).map_err(|e| error(&e.to_string()))?;
        self.pos += bytes.len();
        Ok(())
    }

    /// Appends the pages of `pdf` (with their fonts, forms and everything they use).
    pub fn add(&mut self, pdf: &[u8]) -> Result<(), String> {
        let chunk = Chunk::parse(pdf)?;
        let root = number_after(chunk.trailer, b"/Root").ok_or_else(|| error("no catalog"))?;
        let info = number_after(chunk.trailer, b"/Info");
        let metadata = chunk.dict_of(root).and_then(|d| number_after(d, b"/Metadata"));
        let first = self.kids.is_empty();
        let is_pages = |b: &[u8]| {
            let d = dict_part(b);
            d.windows(11).any(|w| w == b"/Type/Pages") || d.windows(12).any(|w| w == b"/Type /Pages")
        };
        let mut skip: Vec<u32> = chunk.objects.iter().filter(|(_, b)| is_pages(b)).map(|(n, _)| *n).collect();
        skip.push(root);
        if !first {
            skip.extend(info);
            skip.extend(metadata);
        }
        // New numbers, in the order the objects are written; the page tree becomes the joined one.
        let mut map: HashMap<u32, u32> = HashMap::new();
        let mut next = self.offsets.len() as u32;
        for (n, _) in &chunk.objects {
            if skip.contains(n) {
                map.insert(*n, PAGES);
            } else {
                map.insert(*n, next);
                next += 1;
            }
        }
        let pages_root = chunk.objects.iter().find(|(_, b)| is_pages(b)).map(|(n, _)| *n);
        for leaf in pages_root.map(|p| self.leaves(&chunk, p)).unwrap_or_default() {
            self.kids.push(*map.get(&leaf).ok_or_else(|| error("a page that is not an object"))?);
        }
        if first {
            self.info = info.and_then(|i| map.get(&i).copied());
            self.metadata = metadata.and_then(|m| map.get(&m).copied());
            self.id = id_of(chunk.trailer);
        }
        let mut written: Vec<(u32, &[u8])> =
            chunk.objects.iter().filter(|(n, _)| !skip.contains(n)).map(|(n, b)| (map[n], *b)).collect();
        written.sort_by_key(|(n, _)| *n);
        for (new, bytes) in written {
            self.write_object(new, bytes, &map)?;
        }
        Ok(())
    }

    /// The pages under the page-tree node `n`, in order.
    fn leaves(&self, chunk: &Chunk, n: u32) -> Vec<u32> {
        let Some(dict) = chunk.dict_of(n) else { return Vec::new() };
        let Some(at) = dict.windows(5).position(|w| w == b"/Kids") else { return vec![n] };
        let end = dict[at..].iter().position(|&c| c == b']').map_or(dict.len(), |e| at + e);
        let mut out = Vec::new();
        for c in self.refs.captures_iter(&dict[at..end]) {
            let kid: u32 = std::str::from_utf8(&c[1]).ok().and_then(|s| s.parse().ok()).unwrap_or(0);
            let is_node = chunk.dict_of(kid).is_some_and(|d| d.windows(5).any(|w| w == b"/Kids"));
            if is_node {
                out.extend(self.leaves(chunk, kid));
            } else {
                out.push(kid);
            }
        }
        out
    }

    fn write_object(&mut self, new: u32, bytes: &[u8], map: &HashMap<u32, u32>) -> Result<(), String> {
        let body_at = bytes.windows(3).position(|w| w == b"obj").ok_or_else(|| error("an object without `obj`"))? + 3;
        let dict = dict_part(&bytes[body_at..]);
        let rest = &bytes[body_at + dict.len()..];
        let renumbered = self.refs.replace_all(dict, |c: &regex::bytes::Captures| {
            let old: u32 = std::str::from_utf8(&c[1]).ok().and_then(|s| s.parse().ok()).unwrap_or(0);
            format!("{} 0 R", map.get(&old).copied().unwrap_or(old)).into_bytes()
        });
        debug_assert_eq!(self.offsets.len(), new as usize);
        self.offsets.push(self.pos);
        self.put(format!("{new} 0 obj").as_bytes())?;
        let plain = !rest.is_empty() && !has(&renumbered, b"/Filter") && !has(&renumbered, b"/Type/Metadata");
        let length =
            self.length.captures(&renumbered).and_then(|c| std::str::from_utf8(&c[1]).ok()?.parse::<usize>().ok());
        match (plain, length) {
            (true, Some(n)) => {
                let data =
                    rest.get(7..7 + n).filter(|_| rest.starts_with(b"stream\n")).ok_or_else(|| error("a stream"))?;
                self.deflate_into(data)?;
                let header = self
                    .length
                    .replace(&renumbered, format!("/Length {}/Filter/FlateDecode", self.deflated.len()).as_bytes());
                let header = header.into_owned();
                self.put(&header)?;
                self.put(b"stream\n")?;
                let deflated = std::mem::take(&mut self.deflated);
                self.put(&deflated)?;
                self.deflated = deflated;
                self.put(b"\nendstream\nendobj\n")
            }
            _ => {
                self.put(&renumbered)?;
                self.put(rest)
            }
        }
    }

    /// Deflates `data` into `self.deflated` (level 3: files smaller than Typst's at a third of the time of
    /// level 6).
    fn deflate_into(&mut self, data: &[u8]) -> Result<(), String> {
        self.deflate.reset();
        self.deflated.clear();
        self.deflated.reserve(data.len() / 2 + 64);
        loop {
            let before = self.deflate.total_in() as usize;
            let status = self
                .deflate
                .compress_vec(&data[before..], &mut self.deflated, flate2::FlushCompress::Finish)
                .map_err(|e| error(&e.to_string()))?;
            if status == flate2::Status::StreamEnd {
                return Ok(());
            }
            self.deflated.reserve(self.deflated.capacity().max(1024));
        }
    }

    /// Writes the page tree, the catalog, the cross-reference table and the trailer.
    pub fn finish(mut self) -> Result<(), String> {
        let kids: Vec<String> = self.kids.iter().map(|k| format!("{k} 0 R")).collect();
        self.offsets[PAGES as usize] = self.pos;
        let pages =
            format!("{PAGES} 0 obj\n<</Type/Pages/Count {}/Kids[{}]>>\nendobj\n", self.kids.len(), kids.join(" "));
        self.put(pages.as_bytes())?;
        self.offsets[CATALOG as usize] = self.pos;
        let metadata = self.metadata.map_or(String::new(), |m| format!("/Metadata {m} 0 R"));
        self.put(format!("{CATALOG} 0 obj\n<</Type/Catalog/Pages {PAGES} 0 R{metadata}>>\nendobj\n").as_bytes())?;
        let xref = self.pos;
        let mut table = format!("xref\n0 {}\n0000000000 65535 f\r\n", self.offsets.len());
        for offset in &self.offsets[1..] {
            table.push_str(&format!("{offset:010} 00000 n\r\n"));
        }
        let info = self.info.map_or(String::new(), |i| format!("/Info {i} 0 R"));
        let id = self.id.as_deref().map_or(String::new(), |id| format!("/ID{}", String::from_utf8_lossy(id)));
        table.push_str(&format!(
            "trailer\n<</Size {}/Root {CATALOG} 0 R{info}{id}>>\nstartxref\n{xref}\n%%EOF\n",
            self.offsets.len()
        ));
        self.put(table.as_bytes())
    }
}

/// Whether `data` holds `what`.
fn has(data: &[u8], what: &[u8]) -> bool {
    data.windows(what.len()).any(|w| w == what)
}

/// The trailer's `/ID[…]`, as written.
fn id_of(trailer: &[u8]) -> Option<Vec<u8>> {
    let at = trailer.windows(3).position(|w| w == b"/ID")? + 3;
    let end = trailer[at..].iter().position(|&c| c == b']')? + at + 1;
    Some(trailer[at..end].to_vec())
}

#[cfg(test)]
mod tests {
    use super::Joiner;
    use krilla::Document;
    use krilla::geom::{PathBuilder, Rect};
    use krilla::page::PageSettings;

    /// A document of `pages` pages, each with a rectangle `n` pt wide.
    fn chunk(pages: &[f32]) -> Vec<u8> {
        let mut doc = Document::new_with(crate::ship::fill::serialize_settings());
        for &w in pages {
            let mut page = doc.start_page_with(PageSettings::from_wh(200.0, 100.0).unwrap());
            let mut surface = page.surface();
            let mut path = PathBuilder::new();
            path.push_rect(Rect::from_xywh(10.0, 10.0, w, 20.0).unwrap());
            surface.draw_path(&path.finish().unwrap());
            surface.finish();
            page.finish();
        }
        doc.finish().unwrap()
    }

    fn contents(pdf: Vec<u8>) -> Vec<Vec<u8>> {
        let pdf = hayro_syntax::Pdf::new(pdf).unwrap();
        pdf.pages().iter().map(|p| p.page_stream().unwrap().to_vec()).collect()
    }

    #[test]
    fn joined_chunks_keep_every_page_in_order_with_its_content_deflated() {
        let (a, b) = (chunk(&[11.0, 12.0]), chunk(&[13.0, 14.0, 15.0]));
        let mut out = Vec::new();
        let mut joiner = Joiner::new(&mut out).unwrap();
        joiner.add(&a).unwrap();
        joiner.add(&b).unwrap();
        joiner.finish().unwrap();
        let want: Vec<Vec<u8>> = contents(a).into_iter().chain(contents(b)).collect();
        assert!(out.windows(12).any(|w| w == b"/FlateDecode"), "the pages' content is deflated");
        assert_eq!(contents(out.clone()), want);
        // The same chunks give the same bytes.
        let mut again = Vec::new();
        let mut joiner = Joiner::new(&mut again).unwrap();
        joiner.add(&chunk(&[11.0, 12.0])).unwrap();
        joiner.add(&chunk(&[13.0, 14.0, 15.0])).unwrap();
        joiner.finish().unwrap();
        assert_eq!(again, out);
    }
}
