//! PDF bytes written by guidepress itself: joining PDF files page after page, with a writer of
//! PDF objects and cross-reference tables.
//!
//! (build/typeset.rs still has a second one, `insert_bleed_boxes`, which edits Typst's
//! cross-reference table in place; it belongs here.)

use std::io::Write;
use std::path::PathBuf;

/// Joins the PDF files `parts` page after page into `out`, keeping the first one's document
/// information.
///
/// Streaming: each part is read from its file (with lopdf), renumbered and written out before
/// the next is read, and dropped once written, so memory holds one part, not the whole output
/// nor a document model of every page. Each part's catalog and page tree are replaced by one
/// page tree over all pages. The result is deterministic.
pub fn join(parts: &[PathBuf], out: &mut dyn Write) -> Result<(), String> {
    join_into(parts, &mut Out { w: out, pos: 0 })
}

/// The output, and where in it we are.
struct Out<'a> {
    w: &'a mut dyn Write,
    pos: usize,
}

impl Out<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.w.write_all(bytes).map_err(|e| format!("cannot write the joined PDF: {e}"))?;
        self.pos += bytes.len();
        Ok(())
    }
}

/// What the parts written so far leave for the end of the file.
#[derive(Default)]
struct Joined {
    /// Offset of every object written.
    offsets: Vec<(u32, usize)>,
    /// The pages, in order.
    kids: Vec<lopdf::Object>,
    /// The next free object number.
    next: u32,
    /// The first part's `Info` and `ID`.
    trailer_extra: Vec<(&'static str, lopdf::Object)>,
    /// The first part's XMP metadata.
    metadata: Option<lopdf::ObjectId>,
}

const CATALOG: u32 = 1;
const PAGES: u32 = 2;

fn join_into(parts: &[PathBuf], out: &mut Out) -> Result<(), String> {
    if let [only] = parts {
        let bytes = std::fs::read(only).map_err(|e| format!("cannot read back chunk 1: {e}"))?;
        return out.put(&bytes);
    }
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    out.put(b"%PDF-1.7\n%\x80\x80\x80\x80\n")?;
    let mut joined = Joined { next: PAGES + 1, ..Joined::default() };
    for (i, path) in parts.iter().enumerate() {
        write_part(i, path, &mut joined, &mut buf, out)?;
    }
    write_tree(std::mem::take(&mut joined.kids), joined.metadata, &mut joined.offsets, &mut buf, out)?;
    write_xref(joined, &mut buf, out)
}

/// Writes the objects of part `i` (renumbered from `joined.next`) but for its catalog and page
/// tree (and, after the first part, its document information).
fn write_part(i: usize, path: &PathBuf, joined: &mut Joined, buf: &mut Vec<u8>, out: &mut Out) -> Result<(), String> {
    use lopdf::{Document, Object, ObjectId};
    let mut doc = Document::load(path).map_err(|e| format!("cannot read back chunk {}: {e}", i + 1))?;
    doc.renumber_objects_with(joined.next);
    joined.next = doc.max_id + 1;
    let is_tree = |o: &Object| {
        let t = o.as_dict().ok().and_then(|d| d.get(b"Type").ok()).and_then(|t| t.as_name().ok());
        t.is_some_and(|t| t == b"Catalog" || t == b"Pages")
    };
    let mut skip: std::collections::BTreeSet<ObjectId> =
        doc.objects.iter().filter(|(_, o)| is_tree(o)).map(|(id, _)| *id).collect();
    let root = doc.trailer.get(b"Root").ok().and_then(|o| o.as_reference().ok());
    let meta = root
        .and_then(|r| doc.objects.get(&r))
        .and_then(|c| c.as_dict().ok())
        .and_then(|c| c.get(b"Metadata").ok())
        .and_then(|m| m.as_reference().ok());
    let info = doc.trailer.get(b"Info").ok().and_then(|o| o.as_reference().ok());
    if i == 0 {
        joined.metadata = meta;
        if let Some(info) = info {
            joined.trailer_extra.push(("Info", Object::Reference(info)));
        }
        if let Ok(id) = doc.trailer.get(b"ID") {
            joined.trailer_extra.push(("ID", id.clone()));
        }
    } else {
        skip.extend(meta);
        skip.extend(info);
    }
    for (_, id) in doc.get_pages() {
        joined.kids.push(Object::Reference(id));
        if let Some(Object::Dictionary(page)) = doc.objects.get_mut(&id) {
            page.set("Parent", Object::Reference((PAGES, 0)));
        }
    }
    for (id, obj) in &doc.objects {
        if !skip.contains(id) {
            joined.offsets.push((id.0, out.pos));
            buf.clear();
            write_indirect(buf, id.0, obj);
            out.put(buf)?;
        }
    }
    Ok(())
}

/// Writes the one page tree over all pages, and the catalog.
fn write_tree(
    kids: Vec<lopdf::Object>,
    metadata: Option<lopdf::ObjectId>,
    offsets: &mut Vec<(u32, usize)>,
    buf: &mut Vec<u8>,
    out: &mut Out,
) -> Result<(), String> {
    use lopdf::Object;
    let count = kids.len() as i64;
    let mut pages = lopdf::Dictionary::new();
    pages.set("Type", Object::Name(b"Pages".to_vec()));
    pages.set("Kids", Object::Array(kids));
    pages.set("Count", Object::Integer(count));
    buf.clear();
    offsets.push((PAGES, out.pos));
    write_indirect(buf, PAGES, &Object::Dictionary(pages));
    out.put(buf)?;
    let mut catalog = lopdf::Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", Object::Reference((PAGES, 0)));
    if let Some(m) = metadata {
        catalog.set("Metadata", Object::Reference(m));
    }
    buf.clear();
    offsets.push((CATALOG, out.pos));
    write_indirect(buf, CATALOG, &Object::Dictionary(catalog));
    out.put(buf)
}

/// Writes the cross-reference table (every number up to `next`, unused ones free) and the trailer.
fn write_xref(mut joined: Joined, buf: &mut Vec<u8>, out: &mut Out) -> Result<(), String> {
    use lopdf::Object;
    let next = joined.next;
    joined.offsets.sort_unstable();
    let xref = out.pos;
    buf.clear();
    buf.extend_from_slice(format!("xref\n0 {next}\n0000000000 65535 f \n").as_bytes());
    let mut at = joined.offsets.iter().peekable();
    for n in 1..next {
        match at.peek() {
            Some((id, offset)) if *id == n => {
                buf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
                at.next();
            }
            _ => buf.extend_from_slice(b"0000000000 00000 f \n"),
        }
        if buf.len() >= 1 << 20 {
            out.put(buf)?;
            buf.clear();
        }
    }
    let mut trailer = lopdf::Dictionary::new();
    trailer.set("Size", Object::Integer(i64::from(next)));
    trailer.set("Root", Object::Reference((CATALOG, 0)));
    for (k, v) in joined.trailer_extra {
        trailer.set(k, v);
    }
    buf.extend_from_slice(b"trailer\n");
    write_object(buf, &Object::Dictionary(trailer));
    buf.extend_from_slice(format!("\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    out.put(buf)
}

fn write_indirect(out: &mut Vec<u8>, id: u32, obj: &lopdf::Object) {
    out.extend_from_slice(format!("{id} 0 obj\n").as_bytes());
    write_object(out, obj);
    out.extend_from_slice(b"\nendobj\n");
}

/// Writes one PDF object (strings always in hex, names escaped, streams with their length).
fn write_object(out: &mut Vec<u8>, obj: &lopdf::Object) {
    use lopdf::Object::*;
    match obj {
        Null => out.extend_from_slice(b"null"),
        Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Real(r) => out.extend_from_slice(if r.is_finite() { r.to_string() } else { "0".into() }.as_bytes()),
        Name(n) => write_name(out, n),
        String(bytes, _) => {
            out.push(b'<');
            for b in bytes {
                out.extend_from_slice(format!("{b:02X}").as_bytes());
            }
            out.push(b'>');
        }
        Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(out, item);
            }
            out.push(b']');
        }
        Dictionary(d) => write_dict(out, d, None),
        Stream(s) => {
            write_dict(out, &s.dict, Some(s.content.len()));
            out.extend_from_slice(b"\nstream\n");
            out.extend_from_slice(&s.content);
            out.extend_from_slice(b"\nendstream");
        }
        Reference((n, g)) => out.extend_from_slice(format!("{n} {g} R").as_bytes()),
    }
}

fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &b in name {
        if b" \t\n\r\x0C()<>[]{}/%#".contains(&b) || !(33..=126).contains(&b) {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        } else {
            out.push(b);
        }
    }
}

fn write_dict(out: &mut Vec<u8>, d: &lopdf::Dictionary, length: Option<usize>) {
    out.extend_from_slice(b"<<");
    for (k, v) in d.iter() {
        if length.is_some() && k.as_slice() == b"Length" {
            continue;
        }
        write_name(out, k);
        out.push(b' ');
        write_object(out, v);
    }
    if let Some(n) = length {
        out.extend_from_slice(format!("/Length {n}").as_bytes());
    }
    out.extend_from_slice(b">>");
}
