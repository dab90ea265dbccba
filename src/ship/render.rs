//! Typesetting a form (layouts/labels.typ or layouts/packing.typ) and reading back what the
//! layout reported: its slots, and what did not fit (the sender block).

use crate::error::Error;
use serde_json::Value;

use crate::typeset::compile::{self, PdfSettings};
use crate::typeset::world::{Base, DocWorld};

/// What a typeset form gave back.
#[derive(Debug, Default)]
pub struct ChunkOut {
    /// The form as a PDF (empty when something did not fit).
    pub pdf: Vec<u8>,
    /// Pages typeset.
    pub pages: usize,
    /// The values of every `<gp-overflow>` metadata (what did not fit, as JSON).
    pub overflows: Vec<Value>,
    /// The values of every `<gp-slot>` metadata (the form's slots, see [`crate::ship::fill`]).
    pub slots: Vec<Value>,
    /// Typst's warnings.
    pub warnings: crate::error::Diagnostics,
}

/// One form to typeset: its layout and its data file.
pub struct Job<'a> {
    /// The layout, e.g. `/layouts/labels.typ`.
    pub main: &'a str,
    /// The virtual path of the data, e.g. `/.guidepress/labels.json`.
    pub data_path: &'a str,
    /// PDF identifier.
    pub ident: &'a str,
    /// Document date.
    pub date: crate::model::date::Date,
}

/// Compiles a form and exports it (untagged: labels and packing sheets are printed, not read
/// on screen).
pub fn compile_form(base: &Base, job: &Job, data: Vec<u8>) -> Result<ChunkOut, Error> {
    let files = vec![(job.data_path.to_string(), data)];
    let world = DocWorld::new(base, job.main, files, job.date).map_err(Error::internal)?;
    let compiled = compile::compile(&world).map_err(Error::typst_unnamed)?;
    let doc = &compiled.document;
    let overflows = compile::metadata(doc, "gp-overflow");
    let slots = compile::metadata(doc, "gp-slot");
    let pdf = if overflows.is_empty() {
        let settings = PdfSettings { ident: job.ident, date: job.date, standards: &[], tagged: false };
        compile::export_pdf(&world, doc, &settings).map_err(Error::typst_unnamed)?
    } else {
        Vec::new()
    };
    let pages = doc.pages().len();
    Ok(ChunkOut { pdf, pages, overflows, slots, warnings: compiled.warnings })
}
