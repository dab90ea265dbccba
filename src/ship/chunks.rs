//! Typesetting labels and packing sheets in chunks: first each layout's form (the page with what
//! every label or sheet has, typeset once), then the chunks, in parallel on the shared job runner
//! ([`crate::typeset::pool`]). Each chunk's PDF goes to a temporary file at once, so memory holds
//! the chunks being typeset, not the whole output.

use std::ops::Range;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::output::TempSet;
use crate::ship::render::{self, ChunkOut, Job};
use crate::ship::view::Views;
use crate::typeset::pool;
use crate::typeset::world::Base;

/// The layout of the labels.
pub const LABELS_LAYOUT: &str = "/layouts/labels.typ";
/// The layout of the packing sheets.
pub const PACKING_LAYOUT: &str = "/layouts/packing.typ";
/// Labels per chunk, rounded up to whole sheets.
const LABELS_PER_CHUNK: usize = 420;
/// Packing sheets per chunk.
const SHEETS_PER_CHUNK: usize = 200;

/// The two documents of a run.
fn jobs(date: crate::model::date::Date) -> [Job<'static>; 2] {
    let labels = Job {
        main: LABELS_LAYOUT,
        data_path: "/.guidepress/labels.json",
        item_label: "gp-label",
        ident: "guidepress/labels",
        date,
    };
    let sheets = Job {
        main: PACKING_LAYOUT,
        data_path: "/.guidepress/packing.json",
        item_label: "gp-sheet",
        ident: "guidepress/packing",
        date,
    };
    [labels, sheets]
}

/// The typeset forms.
pub struct Forms {
    /// The label form.
    pub label: ChunkOut,
    /// The packing-sheet form.
    pub sheet: ChunkOut,
}

impl Forms {
    /// Typesets both forms (in parallel).
    pub fn typeset(
        base: &Base,
        views: &Views,
        date: crate::model::date::Date,
        jobs: Option<usize>,
    ) -> Result<Self, Error> {
        let [label_job, sheet_job] = self::jobs(date);
        let mut forms = pool::run(&pool::independent(2), jobs, |i| match i {
            0 => render::compile_chunk(base, &label_job, views.labels_json(0..0, true), None),
            _ => render::compile_chunk(base, &sheet_job, views.packing_json(0..0, true), None),
        })?;
        let [label, sheet] =
            [0, 1].map(|i| forms[i].take().unwrap_or_else(|| Err(Error::internal("a worker thread failed"))));
        Ok(Forms { label: label?, sheet: sheet? })
    }

    /// Checks that each form is one page.
    pub fn one_page_each(&self) -> Result<(), Error> {
        for (form, what) in [(&self.label, "label"), (&self.sheet, "packing sheet")] {
            if form.pages != 1 {
                let message = format!(
                    "the {what} form has {} pages; it must have exactly one (what every {what} has)",
                    form.pages
                );
                return Err(Error::typst_unnamed(crate::error::Diagnostics {
                    human: format!("error: {message}\n"),
                    short: format!("error: {message}\n"),
                }));
            }
        }
        Ok(())
    }
}

/// The typeset chunks of one document, their PDFs in temporary files.
#[derive(Default)]
pub struct Chunks {
    /// What each chunk gave back (its PDF not held: see `paths`).
    pub outs: Vec<ChunkOut>,
    /// The chunks' PDF files, in order.
    pub paths: Vec<PathBuf>,
    /// Time summed over the chunks, and how many there were.
    pub took: (Duration, usize),
}

/// Box indices per label chunk, cut at whole label pages.
fn label_ranges(views: &Views) -> Vec<Range<usize>> {
    let per_chunk_pages = LABELS_PER_CHUNK.div_ceil(views.stock().per_sheet()).max(1);
    let mut chunks: Vec<Range<usize>> = Vec::new();
    for (i, p) in views.placements.iter().enumerate() {
        let c = p.page / per_chunk_pages;
        if c >= chunks.len() {
            chunks.push(i..i + 1);
        } else if let Some(last) = chunks.last_mut() {
            last.end = i + 1;
        }
    }
    chunks
}

/// Box indices per packing-sheet chunk.
fn sheet_ranges(views: &Views) -> Vec<Range<usize>> {
    let n = views.boxes();
    (0..n).step_by(SHEETS_PER_CHUNK).map(|a| a..(a + SHEETS_PER_CHUNK).min(n)).collect()
}

/// Typesets every label and packing-sheet chunk, in parallel; returns the labels' and the
/// sheets' chunks, or every Typst error at once.
pub fn typeset(
    base: &Base,
    views: &Views,
    forms: &Forms,
    temps: &mut TempSet,
    date: crate::model::date::Date,
    options: &super::ShipOptions,
) -> Result<[Chunks; 2], Error> {
    let ranges = [label_ranges(views), sheet_ranges(views)];
    let tasks: Vec<(usize, usize)> = (0..2).flat_map(|d| (0..ranges[d].len()).map(move |i| (d, i))).collect();
    let names = ["labels", "packing"];
    let paths: Vec<PathBuf> = tasks.iter().map(|&(d, i)| temps.path(&format!("{}-{i:05}.pdf", names[d]))).collect();
    let job = self::jobs(date);
    let form = [&forms.label.pdf, &forms.sheet.pdf];
    let temps = &*temps;
    options.progress.stage("typesetting labels and packing sheets", tasks.len());
    let results = pool::run(&pool::independent(tasks.len()), options.jobs, |t| {
        let (d, i) = tasks[t];
        let began = Instant::now();
        let range = ranges[d][i].clone();
        let data = if d == 0 { views.labels_json(range, false) } else { views.packing_json(range, false) };
        let result = render::compile_chunk(base, &job[d], data, Some(form[d])).and_then(|mut c| {
            if !c.pdf.is_empty() {
                temps.write(&paths[t], &c.pdf)?;
                c.pdf = Vec::new();
            }
            Ok(c)
        });
        options.progress.advance(1);
        (result, began.elapsed())
    })?;
    options.progress.finish();
    let mut done: [Chunks; 2] = Default::default();
    let mut typst_errors = crate::error::TypstErrors::default();
    for ((r, &(d, _)), path) in results.into_iter().zip(&tasks).zip(paths) {
        let (result, took) = r.unwrap_or_else(|| (Err(Error::internal("a worker thread failed")), Duration::ZERO));
        done[d].took.0 += took;
        done[d].took.1 += 1;
        match result {
            Ok(c) => {
                done[d].outs.push(c);
                done[d].paths.push(path);
            }
            Err(Error::Typst(e)) => typst_errors.add(e),
            Err(e) => return Err(e),
        }
    }
    if !typst_errors.groups.is_empty() {
        return Err(Error::Typst(typst_errors));
    }
    Ok(done)
}
