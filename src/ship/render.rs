//! Typesetting labels and packing sheets in chunks, reading back what the layouts measured, and
//! joining the chunk PDFs into one file.
//!
//! A document of 10,000 pages held at once costs gigabytes (see TYPST-NOTES), so each output is
//! compiled in chunks of a few hundred pages, in parallel, and the PDFs are joined with lopdf.
//! Every chunk uses the same virtual file name (`/.guidepress/labels.json` or `packing.json`):
//! Typst file ids are interned for the whole process and never freed.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;
use typst::foundations::{Label, Selector};
use typst::introspection::{Introspector, MetadataElem};
use typst::utils::PicoStr;

use crate::typeset::compile::{self, PdfSettings};
use crate::typeset::world::{Base, DocWorld};

/// What one chunk gave back.
#[derive(Debug, Default)]
pub struct ChunkOut {
    /// The chunk as a PDF.
    pub pdf: Vec<u8>,
    /// Pages typeset.
    pub pages: usize,
    /// The values of every `<gp-label>` / `<gp-sheet>` metadata: `(id, copies)`.
    pub items: Vec<(usize, u64)>,
    /// The values of every `<gp-overflow>` metadata (what did not fit, as JSON).
    pub overflows: Vec<Value>,
    /// Typst warnings, formatted.
    pub warnings: String,
}

/// One document to typeset: its layout, its data file and how to tell its items apart.
pub struct Job<'a> {
    /// The layout, e.g. `/layouts/labels.typ`.
    pub main: &'a str,
    /// The virtual path of the data, e.g. `/.guidepress/labels.json`.
    pub data_path: &'a str,
    /// The metadata label each item carries (`gp-label`, `gp-sheet`).
    pub item_label: &'a str,
    /// PDF identifier.
    pub ident: &'a str,
    /// Document date.
    pub date: crate::model::date::Date,
}

fn query(doc: &typst_layout::PagedDocument, name: &str) -> Vec<Value> {
    let Some(label) = Label::new(PicoStr::intern(name)) else { return Vec::new() };
    doc.introspector()
        .query(&Selector::Label(label))
        .iter()
        .filter_map(|c| c.to_packed::<MetadataElem>())
        .filter_map(|m| serde_json::to_value(&m.value).ok())
        .collect()
}

/// Where a layout finds its form (see [`compile_chunk`]).
pub const FORM_PATH: &str = "/.guidepress/form.pdf";

/// Compiles one chunk and exports it (untagged: labels and packing sheets are printed, not read
/// on screen, and untagged PDFs are half the size).
///
/// `form` is the PDF of the layout's form (the page with what every label or sheet has, typeset
/// once by this same function with `form: true` in the data), served at [`FORM_PATH`].
pub fn compile_chunk(base: &Base, job: &Job, data: Vec<u8>, form: Option<&[u8]>) -> Result<ChunkOut, String> {
    let mut files = vec![(job.data_path.to_string(), data)];
    if let Some(form) = form {
        files.push((FORM_PATH.to_string(), form.to_vec()));
    }
    let world = DocWorld::new(base, job.main, files, job.date)?;
    let compiled = compile::compile(&world)?;
    let doc = &compiled.document;
    let items = query(doc, job.item_label)
        .into_iter()
        .filter_map(|v| Some((v.get("id")?.as_u64()? as usize, v.get("copies")?.as_u64()?)))
        .collect();
    let overflows = query(doc, "gp-overflow");
    let pdf = if overflows.is_empty() {
        let settings = PdfSettings { ident: job.ident, date: job.date, standards: &[], tagged: false };
        compile::export_pdf(&world, doc, &settings)?
    } else {
        Vec::new()
    };
    let pages = doc.pages().len();
    drop(world);
    let out = ChunkOut { pdf, pages, items, overflows, warnings: compiled.warnings };
    // Keep the memo cache from growing with every chunk (nothing carries over usefully).
    typst::comemo::evict(0);
    Ok(out)
}

/// Joins the PDF files `parts` page after page into the file `out`, keeping the first one's
/// document information.
///
/// Streaming: each part is read from its file (with lopdf), renumbered and written out before
/// the next is read, and dropped once written, so memory holds one part, not the whole output
/// nor a document model of every page. Each part's catalog and page tree are replaced by one
/// page tree over all pages. The result is deterministic.
pub fn join_pdf_files(parts: &[PathBuf], out: &Path) -> Result<(), String> {
    let mut w = Out::create(out)?;
    join_into(parts, &mut w)?;
    w.finish()
}

/// A file being written, and where in it we are.
struct Out {
    file: std::io::BufWriter<std::fs::File>,
    path: PathBuf,
    pos: usize,
}

impl Out {
    fn create(path: &Path) -> Result<Self, String> {
        let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Out { file: std::io::BufWriter::with_capacity(1 << 20, file), path: path.to_path_buf(), pos: 0 })
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.file.write_all(bytes).map_err(|e| format!("{}: {e}", self.path.display()))?;
        self.pos += bytes.len();
        Ok(())
    }

    fn finish(self) -> Result<(), String> {
        let path = self.path.clone();
        let file = self.file.into_inner().map_err(|e| format!("{}: {}", path.display(), e.error()))?;
        file.sync_all().map_err(|e| format!("{}: {e}", path.display()))
    }
}

fn join_into(parts: &[PathBuf], out: &mut Out) -> Result<(), String> {
    use lopdf::{Document, Object, ObjectId};
    if let [only] = parts {
        let bytes = std::fs::read(only).map_err(|e| format!("cannot read back chunk 1: {e}"))?;
        return out.put(&bytes);
    }
    const CATALOG: u32 = 1;
    const PAGES: u32 = 2;
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    out.put(b"%PDF-1.7\n%\x80\x80\x80\x80\n")?;
    let mut offsets: Vec<(u32, usize)> = Vec::new();
    let mut kids: Vec<Object> = Vec::new();
    let mut next = PAGES + 1;
    let mut trailer_extra: Vec<(&str, Object)> = Vec::new();
    let mut metadata: Option<ObjectId> = None;
    for (i, path) in parts.iter().enumerate() {
        let mut doc = Document::load(path).map_err(|e| format!("cannot read back chunk {}: {e}", i + 1))?;
        doc.renumber_objects_with(next);
        next = doc.max_id + 1;
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
            metadata = meta;
            if let Some(info) = info {
                trailer_extra.push(("Info", Object::Reference(info)));
            }
            if let Ok(id) = doc.trailer.get(b"ID") {
                trailer_extra.push(("ID", id.clone()));
            }
        } else {
            skip.extend(meta);
            skip.extend(info);
        }
        for (_, id) in doc.get_pages() {
            kids.push(Object::Reference(id));
            if let Some(Object::Dictionary(page)) = doc.objects.get_mut(&id) {
                page.set("Parent", Object::Reference((PAGES, 0)));
            }
        }
        for (id, obj) in &doc.objects {
            if !skip.contains(id) {
                offsets.push((id.0, out.pos));
                buf.clear();
                write_indirect(&mut buf, id.0, obj);
                out.put(&buf)?;
            }
        }
    }
    let count = kids.len() as i64;
    let mut pages = lopdf::Dictionary::new();
    pages.set("Type", Object::Name(b"Pages".to_vec()));
    pages.set("Kids", Object::Array(kids));
    pages.set("Count", Object::Integer(count));
    buf.clear();
    offsets.push((PAGES, out.pos));
    write_indirect(&mut buf, PAGES, &Object::Dictionary(pages));
    out.put(&buf)?;
    let mut catalog = lopdf::Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", Object::Reference((PAGES, 0)));
    if let Some(m) = metadata {
        catalog.set("Metadata", Object::Reference(m));
    }
    buf.clear();
    offsets.push((CATALOG, out.pos));
    write_indirect(&mut buf, CATALOG, &Object::Dictionary(catalog));
    out.put(&buf)?;

    // Cross-reference table: every number up to `next`, unused ones free.
    offsets.sort_unstable();
    let xref = out.pos;
    buf.clear();
    buf.extend_from_slice(format!("xref\n0 {next}\n0000000000 65535 f \n").as_bytes());
    let mut at = offsets.iter().peekable();
    for n in 1..next {
        match at.peek() {
            Some((id, offset)) if *id == n => {
                buf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
                at.next();
            }
            _ => buf.extend_from_slice(b"0000000000 00000 f \n"),
        }
        if buf.len() >= 1 << 20 {
            out.put(&buf)?;
            buf.clear();
        }
    }
    let mut trailer = lopdf::Dictionary::new();
    trailer.set("Size", Object::Integer(i64::from(next)));
    trailer.set("Root", Object::Reference((CATALOG, 0)));
    for (k, v) in trailer_extra {
        trailer.set(k, v);
    }
    buf.extend_from_slice(b"trailer\n");
    write_object(&mut buf, &Object::Dictionary(trailer));
    buf.extend_from_slice(format!("\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    out.put(&buf)
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
