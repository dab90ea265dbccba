//! Typesetting labels and packing sheets in chunks, reading back what the layouts measured, and
//! joining the chunk PDFs into one file.
//!
//! A document of 10,000 pages held at once costs gigabytes (see TYPST-NOTES), so each output is
//! compiled in chunks of a few hundred pages, in parallel, and the PDFs are joined with lopdf.
//! Every chunk uses the same virtual file name (`/.guidepress/labels.json` or `packing.json`):
//! Typst file ids are interned for the whole process and never freed.

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
    pub date: (i32, u8, u8),
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

/// Compiles one chunk and exports it (untagged: labels and packing sheets are printed, not read
/// on screen, and untagged PDFs are half the size).
pub fn compile_chunk(base: &Base, job: &Job, data: Vec<u8>) -> Result<ChunkOut, String> {
    let world = DocWorld::new(base, job.main, vec![(job.data_path.to_string(), data)], job.date)?;
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
    // Keep the memo cache from growing with every chunk.
    typst::comemo::evict(4);
    Ok(out)
}

/// Joins PDFs page after page into one, keeping the first one's document information.
///
/// Objects are renumbered so they do not collide; each part's catalog and page tree are
/// replaced by one page tree over all pages. The result is deterministic.
pub fn join_pdfs(parts: &[Vec<u8>]) -> Result<Vec<u8>, String> {
    use lopdf::{Dictionary, Document, Object, ObjectId};
    if parts.len() == 1 {
        return Ok(parts[0].clone());
    }
    let mut out = Document::with_version("1.7");
    let pages_id = out.new_object_id();
    let catalog_id = out.new_object_id();
    let mut kids: Vec<Object> = Vec::new();
    let mut next = out.max_id + 1;
    let mut info: Option<ObjectId> = None;
    let mut ident: Option<Object> = None;
    for (i, bytes) in parts.iter().enumerate() {
        let mut doc = Document::load_mem(bytes).map_err(|e| format!("cannot read back chunk {}: {e}", i + 1))?;
        doc.renumber_objects_with(next);
        next = doc.max_id + 1;
        let pages = doc.get_pages();
        let skip: std::collections::BTreeSet<ObjectId> = doc
            .objects
            .iter()
            .filter(|(_, o)| {
                o.as_dict()
                    .ok()
                    .and_then(|d| d.get(b"Type").ok())
                    .and_then(|t| t.as_name().ok())
                    .is_some_and(|t| t == b"Catalog" || t == b"Pages")
            })
            .map(|(id, _)| *id)
            .collect();
        if i == 0 {
            info = doc.trailer.get(b"Info").ok().and_then(|o| o.as_reference().ok());
            ident = doc.trailer.get(b"ID").ok().cloned();
        }
        for (_, id) in pages {
            kids.push(Object::Reference(id));
            if let Some(Object::Dictionary(page)) = doc.objects.get_mut(&id) {
                page.set("Parent", Object::Reference(pages_id));
            }
        }
        for (id, obj) in doc.objects {
            if !skip.contains(&id) {
                out.objects.insert(id, obj);
            }
        }
    }
    out.max_id = next;
    let count = kids.len() as i64;
    let mut pages = Dictionary::new();
    pages.set("Type", Object::Name(b"Pages".to_vec()));
    pages.set("Kids", Object::Array(kids));
    pages.set("Count", Object::Integer(count));
    out.objects.insert(pages_id, Object::Dictionary(pages));
    let mut catalog = Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", Object::Reference(pages_id));
    out.objects.insert(catalog_id, Object::Dictionary(catalog));
    out.trailer.set("Root", Object::Reference(catalog_id));
    if let Some(info) = info {
        out.trailer.set("Info", Object::Reference(info));
    }
    if let Some(ident) = ident {
        out.trailer.set("ID", ident);
    }
    out.prune_objects();
    let mut bytes = Vec::new();
    out.save_to(&mut bytes).map_err(|e| format!("cannot write the joined PDF: {e}"))?;
    Ok(bytes)
}
