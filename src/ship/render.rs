//! Typesetting one chunk of labels or packing sheets, and reading back what the layouts measured.
//!
//! A document of 10,000 pages held at once costs gigabytes (10,000 packing sheets in one compile
//! peaked at 2.1 GB), so each output is compiled in chunks of a few hundred pages, in parallel
//! ([`super::chunks`]), and the PDFs are joined with lopdf ([`crate::typeset::pdf::join`]).
//! Every chunk uses the same virtual file name (`/.guidepress/labels.json` or `packing.json`):
//! Typst file ids are interned for the whole process and never freed.

use crate::error::Error;
use serde_json::Value;

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
    /// Typst's warnings.
    pub warnings: crate::error::Diagnostics,
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

/// Where a layout finds its form (see [`compile_chunk`]).
pub const FORM_PATH: &str = "/.guidepress/form.pdf";

/// Compiles one chunk and exports it (untagged: labels and packing sheets are printed, not read
/// on screen, and untagged PDFs are half the size).
///
/// `form` is the PDF of the layout's form (the page with what every label or sheet has, typeset
/// once by this same function with `form: true` in the data), served at [`FORM_PATH`].
pub fn compile_chunk(base: &Base, job: &Job, data: Vec<u8>, form: Option<&[u8]>) -> Result<ChunkOut, Error> {
    let mut files = vec![(job.data_path.to_string(), data)];
    if let Some(form) = form {
        files.push((FORM_PATH.to_string(), form.to_vec()));
    }
    let world = DocWorld::new(base, job.main, files, job.date).map_err(Error::internal)?;
    let compiled = compile::compile(&world).map_err(Error::typst_unnamed)?;
    let doc = &compiled.document;
    let items = compile::metadata(doc, job.item_label)
        .into_iter()
        .filter_map(|v| Some((v.get("id")?.as_u64()? as usize, v.get("copies")?.as_u64()?)))
        .collect();
    let overflows = compile::metadata(doc, "gp-overflow");
    let pdf = if overflows.is_empty() {
        let settings = PdfSettings { ident: job.ident, date: job.date, standards: &[], tagged: false };
        compile::export_pdf(&world, doc, &settings).map_err(Error::typst_unnamed)?
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
