//! Shipping: orders, boxes, label stocks, postal address formats and box barcodes, and the
//! `guidepress ship` run that turns an orders file into labels, packing sheets and a pick list.
//!
//! The steps of [`ship`]: read and check the orders (every problem at once); learn the real page
//! counts of the editions they use, and so the weight of a copy ([`pages`]); split each order
//! into boxes ([`plan`]); typeset labels and packing sheets in parallel chunks ([`chunks`]) from
//! JSON data ([`view`]; never from generated Typst source: order data comes from strangers);
//! read back from the typeset documents what did not fit and how many copies each label and
//! sheet shows, and check that copies ordered = boxed = labelled = packed ([`reconcile`]); and
//! only then put the four files in place, each atomically (through [`crate::output`]).
//!
//! Everything but [`ship`], [`pages`], [`chunks`] and [`render`] is pure: bytes and numbers in,
//! data out. Sizes and words of the labels are the layouts' (layouts/shipping.toml, [`layout`]).

pub mod address;
pub mod barcode;
pub mod boxes;
pub mod chunks;
pub mod glyphs;
pub mod layout;
pub mod orders;
pub mod pages;
pub mod plan;
pub mod postal;
pub mod reconcile;
pub mod render;
pub mod report;
pub mod script;
pub mod stock;
pub mod template;
pub mod view;

use std::fs;
use std::path::{Path, PathBuf};

pub use report::{Copies, EditionSummary, ShipReport, ShipTimings, Summary};

use crate::diag::{Problem, Problems};
use crate::error::Error;
use crate::output::{Staged, TempSet};
use crate::project::Project;
use crate::ship::barcode::code128_modules;
use crate::ship::boxes::WeightModel;
use crate::ship::chunks::{Chunks, Forms};
use crate::ship::layout::ShippingLayout;
use crate::ship::orders::OrderProblem;
use crate::ship::plan::Plan;
use crate::ship::reconcile::{Fit, Reconciled};
use crate::ship::report::Clock;
use crate::ship::view::Views;
use crate::typeset::pdf;
use crate::typeset::world::Base;

pub use pages::PageCounter;

/// Options of a shipping run.
#[derive(Debug, Clone, Default)]
pub struct ShipOptions {
    /// The orders CSV file.
    pub orders: PathBuf,
    /// Label stock name (default [`stock::DEFAULT_STOCK`]).
    pub stock: Option<String>,
    /// Label positions already used on the first sheet (the start position).
    pub start: usize,
    /// Output folder (default `<project>/out`).
    pub out: Option<PathBuf>,
    /// Worker threads (default: one per core).
    pub jobs: Option<usize>,
    /// The sheet to read from an .xlsx or .ods orders file (default: the first).
    pub sheet: Option<String>,
    /// Where to report how many chunks of labels and packing sheets are typeset.
    pub progress: crate::progress::Reporter,
}

/// Turns an orders file into `out/shipping/<orders-stem>/` labels.pdf, packing.pdf,
/// picklist.csv and summary.json; nothing is written unless every step succeeds.
///
/// `count_pages` tells the press page count of the editions ordered (see [`PageCounter`]).
pub fn ship(project: &Project, options: &ShipOptions, count_pages: &PageCounter) -> Result<ShipReport, Error> {
    let mut timings = ShipTimings::default();
    let mut clock = Clock::start();
    let stock = stock::choose(options.stock.as_deref(), options.start)?;
    let file = display_path(project, &options.orders);
    let bytes = fs::read(&options.orders).map_err(|e| Error::io(&options.orders, e))?;
    let parsed = orders::sheet::read_orders(&options.orders, &bytes, options.sheet.as_deref(), &project.edition_ids())
        .map_err(|p| to_problems(&file, p))?;
    let warnings: Vec<Problem> = parsed.warnings.iter().map(|w| to_problem(&file, w.clone())).collect();
    let lines = parsed.lines;
    let Some(sender) = &project.sender else {
        return Err(Problems(vec![Problem::file(
            crate::project::CONFIG,
            "has no [sender]; labels need the sender's name and address (name, lines, country)",
        )])
        .into());
    };
    let layout = ShippingLayout::load(&project.root)?;
    let base = Base::load(&project.root)?;
    glyphs::check(&base.fonts, &file, &lines, sender)?;
    timings.orders = clock.lap();

    let out = crate::output::out_dir(&project.root, options.out.as_deref());
    let infos = pages::edition_infos(project, &base, &lines, &layout, count_pages)?;
    timings.page_counts = clock.lap();
    let s = &project.shipping;
    let model = WeightModel {
        inner_gsm: s.inner_gsm,
        cover_gsm: s.cover_gsm,
        packaging_g: s.packaging_g,
        max_box_g: s.max_box_kg * 1000.0,
    };
    let limit = |country: &str| crate::model::postal::max_box_g(&s.destinations, country, s.max_box_kg);
    let plan = plan::plan_with_limits(&lines, &infos, &model, &limit).map_err(|p| to_problems(&file, p))?;
    timings.plan = clock.lap();

    // The output folder, and the temporary files of this run: removed (with the folders the
    // run created) unless the run succeeds.
    let stem = options.orders.file_stem().map_or_else(|| "orders".into(), |s| s.to_string_lossy().into_owned());
    let mut temps = TempSet::new(&out.join("shipping").join(stem))?;
    for b in &plan.boxes {
        code128_modules(&b.code).map_err(Error::internal)?;
    }
    let views = Views::new(&plan, &infos, sender, stock, options.start, s.label_offset)
        .with_services(crate::model::postal::services(&s.destinations));
    let date = project.guide.ymd;
    let fit = Fit { file: &file, plan: &plan, stock, sizes: &layout.label };
    let forms = Forms::typeset(&base, &views, date, options.jobs)?;
    fit.refuse_overflows([&forms.label, &forms.sheet])?;
    forms.one_page_each()?;
    timings.forms = clock.lap();
    let [labels, sheets] = chunks::typeset(&base, &views, &forms, &mut temps, date, options)?;
    timings.chunks = clock.lap();
    (timings.labels, timings.sheets) = (labels.took, sheets.took);
    fit.refuse_overflows(labels.outs.iter().chain(&sheets.outs))?;
    let counts = reconcile::reconcile(&lines, &plan, &labels.outs, &sheets.outs, stock, options.start)?;

    let mut summary = summary(&file, stock.name, options.start, lines.len(), &plan, &infos, counts);
    summary.destinations = postal::per_destination(&plan, &s.destinations, s.max_box_kg);
    let typst_warnings = typst_warnings(&labels, &sheets);
    let staged = stage_outputs(&mut temps, &labels, &sheets, &plan, &infos, &summary)?;
    let mut files = Vec::new();
    for (file, description) in staged.into_iter().zip(report::descriptions(&summary, stock)) {
        let path = file.target().to_path_buf();
        file.commit()?;
        files.push((path, description));
    }
    temps.succeeded();
    timings.write = clock.lap();
    Ok(ShipReport { dir: temps.dir().to_path_buf(), files, summary, warnings, typst_warnings, timings })
}

/// Typst's warnings about the chunks, each once.
fn typst_warnings(labels: &Chunks, sheets: &Chunks) -> crate::error::Diagnostics {
    let mut all = crate::error::Diagnostics::default();
    for chunk in labels.outs.iter().chain(&sheets.outs) {
        all.extend(&chunk.warnings);
    }
    all
}

/// Every output in a temporary file (the PDFs joined by streaming from the chunk files, which
/// are removed once joined): labels.pdf, packing.pdf, picklist.csv, summary.json.
fn stage_outputs(
    temps: &mut TempSet,
    labels: &Chunks,
    sheets: &Chunks,
    plan: &Plan,
    infos: &std::collections::BTreeMap<String, plan::EditionInfo>,
    summary: &Summary,
) -> Result<[Staged; 4], Error> {
    let label_pdf = stage_pdf(temps, "labels.pdf", labels)?;
    let packing_pdf = stage_pdf(temps, "packing.pdf", sheets)?;
    let pick = plan::pick_list_csv(&plan::pick_list(plan, infos)).map_err(Error::internal)?;
    let mut summary_json = serde_json::to_vec_pretty(summary).map_err(Error::internal)?;
    summary_json.push(b'\n');
    let pick = temps.stage("picklist.csv", |w| w.write_all(&pick).map_err(|e| Error::io("picklist.csv", e)))?;
    let summary =
        temps.stage("summary.json", |w| w.write_all(&summary_json).map_err(|e| Error::io("summary.json", e)))?;
    Ok([label_pdf, packing_pdf, pick, summary])
}

/// Stages the PDF `name`, joined from the chunk files, and removes those.
fn stage_pdf(temps: &mut TempSet, name: &str, chunks: &Chunks) -> Result<Staged, Error> {
    let staged = temps.stage(name, |w| pdf::join(&chunks.paths, w).map_err(Error::internal))?;
    temps.remove(&chunks.paths);
    Ok(staged)
}

/// summary.json.
fn summary(
    file: &str,
    stock: &str,
    start: usize,
    order_lines: usize,
    plan: &Plan,
    infos: &std::collections::BTreeMap<String, plan::EditionInfo>,
    counts: Reconciled,
) -> Summary {
    Summary {
        orders_file: file.to_string(),
        stock: stock.to_string(),
        start,
        order_lines,
        orders: plan.shipments.len(),
        boxes: plan.boxes.len(),
        label_pages: counts.label_pages,
        packing_pages: counts.packing_pages,
        copies: counts.copies,
        copies_per_edition: counts.per_edition,
        weight_kg: (plan.boxes.iter().map(|b| b.plan.weight_g).sum::<f64>() / 100.0).round() / 10.0,
        editions: infos
            .values()
            .map(|e| (e.id.clone(), EditionSummary { pages: e.pages, copy_weight_g: (e.copy_g * 10.0).round() / 10.0 }))
            .collect(),
        destinations: Default::default(),
    }
}

/// Turns orders-file problems into project problems located at `file:row`.
fn to_problems(file: &str, found: Vec<OrderProblem>) -> Problems {
    Problems(found.into_iter().map(|p| to_problem(file, p)).collect())
}

fn to_problem(file: &str, p: OrderProblem) -> Problem {
    if let Some(place) = &p.place {
        return Problem {
            file: file.to_string(),
            line: None,
            column: None,
            message: format!("{place}: {}", p.message),
        };
    }
    let message = match &p.column {
        Some(c) => format!("column `{c}`: {}", p.message),
        None => p.message,
    };
    Problem { file: file.to_string(), line: p.row, column: None, message }
}

/// The orders file as shown in messages: relative to the project when inside it.
fn display_path(project: &Project, orders: &Path) -> String {
    let canon = |p: &Path| fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (file, root) = (canon(orders), canon(&project.root));
    match file.strip_prefix(&root) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => orders.display().to_string(),
    }
}
