//! The field filler: labels and packing sheets written directly with krilla (the PDF library
//! Typst's own export uses) from forms that Typst typesets once per run.
//!
//! Typst lays out each form — layouts/labels.typ, layouts/packing.typ — with everything every
//! label or sheet has, and the form declares its *slots* (`slot` in layouts/shipping.typ): each
//! field's box on the page, sizes, line spacing, faces per script and alignment, reported back
//! as metadata ([`slots`]). The filler then places the typeset form once per label or sheet (one
//! reusable object in the PDF) and sets each field's text in its slot: each character in the
//! first face of the slot's list for its line's script that has it, shaped with rustybuzz,
//! fitted the way the layouts fitted it ([`text`], [`draw`]). What was written is read back
//! ([`readback`]) to reconcile the copies.

pub mod draw;
pub mod join;
pub mod labels;
pub mod packing;
pub mod readback;
pub mod slots;
pub mod text;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{Diagnostics, Error};
use crate::output::{Staged, TempSet};
use crate::ship::render::ChunkOut;
use crate::ship::script::Script;
use crate::ship::view::Views;
use crate::typeset::world::Base;

/// A typeset form as a PDF krilla can place.
pub fn form_pdf(form: &ChunkOut) -> Result<krilla::pdf::Pdf, Error> {
    krilla::pdf::Pdf::new(Arc::new(form.pdf.clone())).map_err(|e| Error::internal(format!("the typeset form: {e:?}")))
}

/// A filled chunk's PDF, or its overflows (then no PDF).
pub fn finish(doc: krilla::Document, overflows: Vec<serde_json::Value>, name: &str) -> Written {
    if !overflows.is_empty() {
        return Ok(Err(overflows));
    }
    doc.finish().map(Ok).map_err(|e| Error::internal(format!("writing {name}: {e:?}")))
}

/// A form that is not one page is an error naming the layout.
pub fn one_page(form: &ChunkOut, what: &str) -> Result<(), Error> {
    if form.pages == 1 {
        return Ok(());
    }
    Err(form_error(format!(
        "the {what} form has {} pages; it must have exactly one (what every {what} has)",
        form.pages
    )))
}

/// An error in a form's layout, as Typst errors are reported.
pub fn form_error(message: String) -> Error {
    Error::typst_unnamed(Diagnostics { human: format!("error: {message}\n"), short: format!("error: {message}\n") })
}

/// The document information of a filled PDF: its title and date (no clock time, so that the
/// same inputs give the same bytes).
pub fn metadata(title: &str, date: crate::model::date::Date) -> krilla::metadata::Metadata {
    let year = u16::try_from(date.year.clamp(0, 9999)).unwrap_or(1970);
    let when = krilla::metadata::DateTime::new(year).month(date.month).day(date.day);
    krilla::metadata::Metadata::new().title(title.to_string()).creation_date(when)
}

/// How a chunk is written: its streams uncompressed (read back as they are, then deflated once
/// when joined, with one compressor for the whole file: see [`join`]).
pub fn serialize_settings() -> krilla::SerializeSettings {
    krilla::SerializeSettings { compress_content_streams: false, ..Default::default() }
}

/// The key of a script in a slot's `faces`.
pub fn script_name(script: Script) -> &'static str {
    match script {
        Script::Latin => "latin",
        Script::Korean => "ko",
        Script::Japanese => "ja",
        Script::TraditionalChinese => "zh-Hant",
    }
}

/// A filled PDF, or what did not fit (as `<gp-overflow>` records).
pub type Written = Result<Result<Vec<u8>, Vec<serde_json::Value>>, Error>;

/// Labels per chunk (rounded up to whole pages of labels), and packing sheets per chunk: each
/// chunk is filled in, read back and appended to its file before the next is made, so memory
/// holds one chunk of each file.
const LABELS_PER_CHUNK: usize = 2_000;
const SHEETS_PER_CHUNK: usize = 1_000;

/// The filled outputs of a run (staged, not yet in place), and what was read back from them.
pub struct Filled {
    /// labels.pdf and packing.pdf.
    pub files: [Staged; 2],
    /// Per label read back: `(box, copies)`.
    pub labelled: Vec<(usize, u64)>,
    /// Per packing sheet read back: `(box, copies)`.
    pub packed: Vec<(usize, u64)>,
    /// Pages of labels.pdf and packing.pdf, read back.
    pub pages: (usize, usize),
    /// Typst's warnings about the forms.
    pub warnings: Diagnostics,
    /// How long it took: the forms, filling in (both files at once), each file, reading back.
    pub took: Took,
}

/// How long the steps of [`make`] took.
#[derive(Debug, Default, Clone, Copy)]
pub struct Took {
    /// Typesetting the forms.
    pub forms: Duration,
    /// Filling in both files, at once (reading back and joining included).
    pub fill: Duration,
    /// Filling in labels.pdf, and packing.pdf.
    pub labels: Duration,
    /// See `labels`.
    pub sheets: Duration,
    /// Reading both back and appending them to their files.
    pub read_back: Duration,
}

/// One file being filled in, chunk by chunk, and what was read back from it.
#[derive(Default)]
struct Output {
    overflows: Vec<serde_json::Value>,
    shown: Vec<(usize, u64)>,
    pages: usize,
    fill: Duration,
    read: Duration,
}

/// Per item read back, `(box, copies)`, or what was wrong.
type Shown = Result<Vec<(usize, u64)>, String>;

/// What a file is made of: its chunks, how a chunk is filled in and how it is read back.
struct Recipe<'a> {
    name: &'a str,
    ranges: Vec<Range<usize>>,
    fill: &'a (dyn Fn(&text::Faces, &mut draw::PdfFonts, Range<usize>) -> Written + Sync),
    shown: &'a (dyn Fn(&readback::Read) -> Shown + Sync),
}

/// Fills in the file of `recipe` in `temps`, chunk after chunk: each is filled in, read back and
/// appended. Past an overflow, chunks are still filled in (every overflow is reported at once)
/// but no longer written.
fn one_file(base: &Base, temps: &TempSet, recipe: &Recipe) -> (Result<Staged, Error>, Output) {
    // The faces, shaped lines and PDF fonts of a thread serve all its chunks (a PDF font costs a
    // hash of its whole file when it is made).
    let faces = text::Faces::new(&base.fonts);
    let mut fonts = draw::PdfFonts::default();
    let mut out = Output::default();
    let name = recipe.name;
    let staged = temps.stage(name, |w| {
        let mut joiner = join::Joiner::new(w).map_err(Error::internal)?;
        for range in &recipe.ranges {
            let began = Instant::now();
            let made = (recipe.fill)(&faces, &mut fonts, range.clone())?;
            out.fill += began.elapsed();
            let pdf = match made {
                Err(o) => {
                    out.overflows.extend(o);
                    continue;
                }
                Ok(_) if !out.overflows.is_empty() => continue,
                Ok(pdf) => Arc::new(pdf),
            };
            let began = Instant::now();
            let mut read = readback::read(&pdf).map_err(|e| Error::internal(format!("{name}: {e}")))?;
            for item in &mut read.items {
                item.page += out.pages;
            }
            out.shown.extend((recipe.shown)(&read).map_err(|e| Error::internal(format!("{name}: {e}")))?);
            out.pages += read.pages;
            joiner.add(&pdf).map_err(Error::internal)?;
            out.read += began.elapsed();
        }
        if !out.overflows.is_empty() {
            return Err(Error::internal(format!("{name}: something did not fit")));
        }
        joiner.finish().map_err(Error::internal)
    });
    (staged, out)
}

/// Box ranges of at most `per_chunk` boxes (more, to end a page), a new chunk starting only
/// where `page` of a box changes.
fn ranges(boxes: usize, per_chunk: usize, page: impl Fn(usize) -> usize) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for i in 0..boxes {
        match out.last_mut() {
            Some(r) if r.len() < per_chunk || page(i) == page(i - 1) => r.end = i + 1,
            _ => out.push(i..i + 1),
        }
    }
    out
}

/// Typesets the forms, fills in every label and packing sheet (the two files on two threads,
/// each chunk by chunk, in `temps`), and reads both back; what does not fit is refused through
/// `fit`, every overflow at once, and nothing is left written.
pub fn make(
    (base, temps): (&Base, &TempSet),
    views: &Views,
    date: crate::model::date::Date,
    fit: &crate::ship::reconcile::Fit,
    progress: &crate::progress::Reporter,
) -> Result<Filled, Error> {
    let began = Instant::now();
    let label_forms = labels::LabelForms::typeset(base, views, date)?;
    let sheet_form = packing::PackingForm::typeset(base, views, date)?;
    fit.refuse_overflows(label_forms.forms.iter().map(|(_, f)| f).chain([&sheet_form.form]))?;
    let forms_took = began.elapsed();
    let began = Instant::now();
    let plan = fit.plan;
    let keys: HashMap<(&str, usize), usize> =
        plan.boxes.iter().enumerate().map(|(i, b)| ((plan.shipments[b.shipment].order_id.as_str(), b.k), i)).collect();
    let boxes = views.boxes();
    let label_recipe = Recipe {
        name: "labels.pdf",
        ranges: ranges(boxes, LABELS_PER_CHUNK, |i| views.placements[i].page),
        fill: &|faces, fonts, r| labels::write((faces, fonts), views, &label_forms, r, (date, progress)),
        shown: &|read| labels::shown(read, &label_forms, &keys),
    };
    let sheet_recipe = Recipe {
        name: "packing.pdf",
        ranges: ranges(boxes, SHEETS_PER_CHUNK, |i| i),
        fill: &|faces, fonts, r| packing::write((faces, fonts), views, &sheet_form, r, (date, progress)),
        shown: &|read| packing::shown(read, &sheet_form, &keys),
    };
    progress.stage("filling in labels and packing sheets", 2 * boxes);
    // Each file on a thread of its own, in a rayon pool of that one thread: krilla finishes a
    // document with rayon, and idle workers of the shared pool would spin between chunks.
    let alone = |recipe: &Recipe| match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
        Ok(pool) => pool.install(|| one_file(base, temps, recipe)),
        Err(_) => one_file(base, temps, recipe),
    };
    let (labels, sheets) = std::thread::scope(|scope| {
        let labels = scope.spawn(|| alone(&label_recipe));
        let sheets = alone(&sheet_recipe);
        (labels.join(), sheets)
    });
    progress.finish();
    let ((labels, lo), (sheets, so)) = (labels.map_err(|_| Error::internal("the label thread failed"))?, sheets);
    let mut overflows = ChunkOut::default();
    overflows.overflows.extend(lo.overflows.iter().chain(&so.overflows).cloned());
    fit.refuse_overflows([&overflows])?;
    let files = [labels?, sheets?];
    let mut warnings = Diagnostics::default();
    for out in label_forms.forms.iter().map(|(_, f)| f).chain([&sheet_form.form]) {
        warnings.extend(&out.warnings);
    }
    let took = Took {
        forms: forms_took,
        fill: began.elapsed(),
        labels: lo.fill,
        sheets: so.fill,
        read_back: lo.read + so.read,
    };
    Ok(Filled { files, labelled: lo.shown, packed: so.shown, pages: (lo.pages, so.pages), warnings, took })
}
