//! Shipping: orders, boxes, label stocks, postal address formats and box barcodes, and the
//! `guidepress ship` run that turns an orders file into labels, packing sheets and a pick list.
//!
//! The steps of [`ship`]: read and check the orders (every problem at once); learn the real page
//! counts of the editions they use, and so the weight of a copy ([`pages`]); split each order
//! into boxes ([`plan`]); typeset the label and packing-sheet forms once with Typst and fill in
//! every label and sheet directly ([`fill`], from the data of [`view`]; order data is only ever
//! text to shape, never Typst source); refuse what did not fit, naming row and field; read back
//! from the written PDFs how many copies each label and sheet shows, and check that copies
//! ordered = boxed = labelled = packed ([`reconcile`]); and only then record the batch and put
//! the files in place, each atomically (through [`crate::output`]).
//!
//! Everything but [`ship`], [`pages`], [`fill`] and [`render`] is pure: bytes and numbers in,
//! data out. Sizes and words of the labels are the layouts' (layouts/shipping.toml, [`layout`]).

pub mod address;
pub mod barcode;
pub mod boxes;
pub mod fill;
pub mod glyphs;
pub mod layout;
pub mod ledger;
pub mod orders;
pub mod pages;
pub mod plan;
pub mod postal;
pub mod reconcile;
pub mod render;
pub mod report;
pub mod script;
pub mod stickers;
/// Label sheet geometry (in `model`, shared with the correction labels).
pub use crate::model::stock;
pub mod template;
pub mod view;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

pub use report::{Copies, EditionSummary, ShipReport, ShipTimings, Summary};

use crate::diag::{Problem, Problems};
use crate::error::Error;
use crate::output::{Staged, TempSet};
use crate::project::Project;
use crate::ship::barcode::code128_modules;
use crate::ship::boxes::WeightModel;
use crate::ship::layout::ShippingLayout;
use crate::ship::orders::OrderProblem;
use crate::ship::plan::Plan;
use crate::ship::reconcile::{Fit, Reconciled};
use crate::ship::report::Clock;
use crate::ship::view::Views;
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
    /// Worker threads for typesetting the editions whose page counts no build recorded (default:
    /// one per core); labels and packing sheets are filled in on two threads, one per file.
    pub jobs: Option<usize>,
    /// The sheet to read from an .xlsx or .ods orders file (default: the first).
    pub sheet: Option<String>,
    /// Where to report progress (filling in labels and packing sheets).
    pub progress: crate::progress::Reporter,
    /// Show what would ship and record nothing (`--dry-run`).
    pub dry_run: bool,
    /// The date recorded for the batch (default: today, or `SOURCE_DATE_EPOCH`'s day).
    pub date: Option<crate::model::date::Date>,
}

/// Turns an orders file into `out/shipping/<orders-stem>/` labels.pdf, packing.pdf,
/// picklist.csv and summary.json for the copies still owed, and records the batch; nothing is
/// written or recorded unless every step succeeds. With nothing owed, nothing is written.
///
/// `count_pages` tells the press page count and current release of the editions ordered (see
/// [`PageCounter`]).
///
/// Copies drawn from a print code whose contacts changed since go out with correction stickers
/// (see [`stickers`]), which `make_stickers` typesets.
pub fn ship(
    project: &Project,
    options: &ShipOptions,
    count_pages: &PageCounter,
    make_stickers: &stickers::StickerMaker,
) -> Result<ShipReport, Error> {
    let mut clock = Clock::start();
    let stock = stock::choose(options.stock.as_deref(), options.start)?;
    let file = display_path(project, &options.orders);
    let limit = match orders::sheet::Format::of(&options.orders) {
        orders::sheet::Format::Csv => crate::input::MAX_ORDERS_FILE,
        _ => orders::bounds::MAX_WORKBOOK_FILE,
    };
    let bytes = crate::input::read_limited(&options.orders, limit).map_err(|e| Error::io(&options.orders, e))?;
    let parsed = orders::sheet::read_orders(&options.orders, &bytes, options.sheet.as_deref(), &project.edition_ids())
        .map_err(|p| to_problems(&file, p))?;
    let warnings: Vec<Problem> = parsed.warnings.iter().map(|w| to_problem(&file, w.clone())).collect();
    let out = crate::output::out_dir(&project.root, options.out.as_deref());
    let stem = options.orders.file_stem().map_or_else(|| "orders".into(), |s| s.to_string_lossy().into_owned());
    let dir = out.join("shipping").join(stem);
    let dir_rel = project.folder_key(&dir);
    let path = project.record_path();
    let mut record = match options.dry_run {
        true => crate::records::Record::open_existing(&path)?,
        false => Some(crate::records::Record::open(&path)?),
    };
    // The whole run holds the record's write lock: a second run waits, then refuses. A dry run
    // takes it too (to draw from stock as a run would) and never commits.
    let tx = record.as_mut().map(|r| r.write()).transpose()?;
    let read = tx.as_ref().map(|t| t.read());
    let recovered = match (&read, options.dry_run) {
        (Some(read), false) => ledger::recover(read, &dir, &dir_rel)?,
        _ => None,
    };
    let owed = match &read {
        Some(read) => ledger::owed(read, &parsed.lines).map_err(|p| ledger::problems(&file, p))?,
        None => ledger::Owed { lines: parsed.lines.clone(), ..Default::default() },
    };
    // The lines as read are not needed past here: only those owed are (100,000 lines take some
    // 150 MB a copy).
    let order_lines = parsed.lines.len();
    drop(parsed);
    let mut report = ShipReport::new(dir.clone(), warnings, owed.already.clone(), recovered);
    report.summary.orders_file.clone_from(&file);
    report.summary.order_lines = order_lines;
    if owed.lines.is_empty() {
        return Ok(report);
    }
    let Some(sender) = &project.sender else {
        return Err(Problems(vec![Problem::file(
            crate::project::CONFIG,
            "has no [sender]; labels need the sender's name and address (name, lines, country)",
        )])
        .into());
    };
    let run = Run { project, options, file: &file, stock, sender, lines: &owed.lines, make_stickers };
    let made = run.produce(&dir, &mut clock, count_pages, tx.as_ref())?;
    report.summary = made.summary.clone();
    report.summary.order_lines = order_lines;
    report.draw_warnings = made.draw_warnings.clone();
    report.typst_warnings = made.typst_warnings.clone();
    report.timings = made.timings.clone();
    report.would_ship = made.lines.iter().map(|l| (l.edition.clone(), l.print_code.clone(), l.copies)).collect();
    if options.dry_run {
        return Ok(report);
    }
    let tx = tx.ok_or_else(|| Error::internal("no record transaction"))?;
    let date = options.date.unwrap_or_else(crate::model::date::Date::now);
    report.batch = Some(made.commit(&tx, &bytes, &dir_rel, date, &mut report.files, stock)?);
    tx.commit()?;
    made.put_in_place()?;
    report.timings.write += clock.lap();
    Ok(report)
}

/// One shipping run's inputs, once the orders are read and what is owed is known.
struct Run<'a> {
    project: &'a Project,
    options: &'a ShipOptions,
    file: &'a str,
    stock: &'static stock::Stock,
    sender: &'a crate::project::Sender,
    lines: &'a [orders::OrderLine],
    make_stickers: &'a stickers::StickerMaker<'a>,
}

impl Run<'_> {
    /// Page counts and print codes, the plan, and the four files typeset and staged (not yet in
    /// place); with `dry_run`, only what would ship (nothing typeset).
    fn produce(
        &self,
        dir: &Path,
        clock: &mut Clock,
        count_pages: &PageCounter,
        tx: Option<&crate::records::Tx>,
    ) -> Result<Made, Error> {
        let (project, options, file, lines) = (self.project, self.options, self.file, self.lines);
        let mut timings = ShipTimings::default();
        let layout = ShippingLayout::load(&project.root)?;
        let base = Base::load(&project.root)?;
        glyphs::check(&base.fonts, file, lines, self.sender)?;
        timings.orders = clock.lap();
        let (infos, releases) = pages::edition_infos(project, &base, lines, &layout, count_pages)?;
        timings.page_counts = clock.lap();
        let (codes, draw_warnings) = match tx {
            Some(tx) => ledger::draw(tx, lines, &releases)?,
            None => ledger::draw_without_record(lines, &releases),
        };
        let shipment_lines = ledger::shipment_lines(lines, &codes);
        let mut stickers = stickers::plan(project, tx.map(|t| t.read()).as_ref(), &shipment_lines, &releases)?;
        let mut draw_warnings = draw_warnings;
        draw_warnings.append(&mut stickers.warnings);
        let mut made = Made { releases, draw_warnings, lines: shipment_lines, ..Made::default() };
        let s = &project.shipping;
        let model = WeightModel {
            inner_gsm: s.inner_gsm,
            cover_gsm: s.cover_gsm,
            packaging_g: s.packaging_g,
            max_box_g: s.max_box_kg * 1000.0,
        };
        let limit = |country: &str| crate::model::postal::max_box_g(&s.destinations, country, s.max_box_kg);
        let plan = plan::plan_with_limits(lines, &infos, &model, &limit).map_err(|p| to_problems(file, p))?;
        timings.plan = clock.lap();
        if options.dry_run {
            made.summary = report::summary(
                file,
                self.stock.name,
                options.start,
                lines.len(),
                &plan,
                &infos,
                Reconciled::default(),
            );
            made.timings = timings;
            return Ok(made);
        }
        if !stickers.groups.is_empty() {
            match (self.make_stickers)(&stickers.groups) {
                Ok(pdf) => made.stickers_pdf = Some(pdf),
                Err(e) => {
                    made.draw_warnings.push(format!(
                        "the correction stickers could not be made, so none are packed ({e}); `guidepress corrections \
                         make` sends them later"
                    ));
                    stickers = stickers::Stickers::default();
                }
            }
        }
        made.stickers = stickers;
        let by_line: BTreeMap<(String, String), Vec<(String, u64)>> =
            lines.iter().zip(&codes).map(|(l, c)| ((l.order_id.clone(), l.edition.clone()), c.clone())).collect();
        self.typeset(dir, &base, &layout, (&plan, &infos, &by_line), &mut timings, clock, &mut made)?;
        made.timings = timings;
        Ok(made)
    }

    /// Typesets labels and packing sheets, checks them, and stages the four files.
    #[allow(clippy::too_many_arguments)]
    fn typeset(
        &self,
        dir: &Path,
        base: &Base,
        layout: &ShippingLayout,
        (plan, infos, by_line): (&Plan, &BTreeMap<String, plan::EditionInfo>, &PrintCodes),
        timings: &mut ShipTimings,
        clock: &mut Clock,
        made: &mut Made,
    ) -> Result<(), Error> {
        let (options, file, stock, lines) = (self.options, self.file, self.stock, self.lines);
        let s = &self.project.shipping;
        // The temporary files of this run: removed (with the folders the run created) unless
        // the run succeeds.
        let mut temps = TempSet::new(dir)?;
        for b in &plan.boxes {
            code128_modules(&b.code).map_err(Error::internal)?;
        }
        let views = Views::new(plan, infos, self.sender, stock, options.start, s.label_offset)
            .with_services(crate::model::postal::services(&s.destinations))
            .with_print_codes(by_line)
            .with_sticker_notes(&made.stickers.notes);
        let date = self.project.guide.ymd;
        let fit = Fit { file, plan, stock, sizes: &layout.label };
        let filled = fill::make((base, &temps), &views, date, &fit, &options.progress)?;
        clock.lap();
        let t = filled.took;
        (timings.forms, timings.fill, timings.labels, timings.sheets) = (t.forms, t.fill, t.labels, t.sheets);
        timings.read_back = t.read_back;
        let shown = reconcile::Shown { labels: &filled.labelled, sheets: &filled.packed, pages: filled.pages };
        let counts = reconcile::reconcile(lines, plan, &shown, stock, options.start)?;
        let mut summary = report::summary(file, stock.name, options.start, lines.len(), plan, infos, counts);
        summary.destinations = postal::per_destination(plan, &s.destinations, s.max_box_kg);
        summary.print_codes = print_code_totals(by_line, lines);
        made.typst_warnings = filled.warnings;
        made.staged = stage_outputs(&mut temps, filled.files, plan, infos, &summary)?.into();
        if let Some(pdf) = &made.stickers_pdf {
            made.staged
                .push(temps.stage("stickers.pdf", |w| w.write_all(pdf).map_err(|e| Error::io("stickers.pdf", e)))?);
        }
        made.summary = summary;
        made.temps = Some(temps);
        Ok(())
    }
}

/// Per (order id, edition), the print codes its copies are drawn from, in order.
type PrintCodes = BTreeMap<(String, String), Vec<(String, u64)>>;

/// Copies per edition and print code in this run, oldest print code first (the order they are
/// drawn in).
fn print_code_totals(by_line: &PrintCodes, lines: &[orders::OrderLine]) -> BTreeMap<String, Vec<(String, u64)>> {
    let mut out: BTreeMap<String, Vec<(String, u64)>> = BTreeMap::new();
    for l in lines {
        for (code, n) in by_line.get(&(l.order_id.clone(), l.edition.clone())).into_iter().flatten() {
            let codes = out.entry(l.edition.clone()).or_default();
            match codes.iter_mut().find(|(c, _)| c == code) {
                Some((_, total)) => *total += n,
                None => codes.push((code.clone(), *n)),
            }
        }
    }
    out
}

/// What a run made: the files staged, the lines to record, the releases shipped from.
#[derive(Default)]
struct Made {
    staged: Vec<Staged>,
    temps: Option<TempSet>,
    summary: Summary,
    lines: Vec<crate::model::record::ShipmentLine>,
    releases: BTreeMap<String, crate::model::record::Release>,
    draw_warnings: Vec<String>,
    typst_warnings: crate::error::Diagnostics,
    timings: ShipTimings,
    /// The correction stickers packed, and their PDF.
    stickers: stickers::Stickers,
    stickers_pdf: Option<Vec<u8>>,
}

impl Made {
    /// Records the batch — its lines, the releases it ships from, its files byte for byte — in
    /// `tx` (not yet committed); returns its id and lists its files in `files`.
    fn commit(
        &self,
        tx: &crate::records::Tx,
        orders: &[u8],
        dir_rel: &str,
        date: crate::model::date::Date,
        files: &mut Vec<(PathBuf, String)>,
        stock: &stock::Stock,
    ) -> Result<String, Error> {
        for code in self.lines.iter().map(|l| &l.print_code).collect::<std::collections::BTreeSet<_>>() {
            if let Some(release) = self.releases.values().find(|r| &r.print_code == code) {
                tx.put_release(release)?;
            }
        }
        let date = date.to_string();
        let id = tx.next_batch_id(&date)?;
        // Each file is read in pieces, once to hash it and once to keep it, never held whole: a
        // batch of 100,000 lines writes some 160 MB of PDFs.
        let name_of = |f: &Staged| f.target().file_name().unwrap_or_default().to_string_lossy().into_owned();
        let mut hashes = Vec::new();
        for file in &self.staged {
            hashes.push((name_of(file), crate::output::sha256_file(file.temp())?));
        }
        let batch = crate::model::record::Batch {
            id: id.clone(),
            orders_file: self.summary.orders_file.clone(),
            orders_sha256: crate::output::sha256_hex(orders),
            date,
            stock: self.summary.stock.clone(),
            start: u32::try_from(self.summary.start).unwrap_or(u32::MAX),
            out_dir: dir_rel.to_string(),
            files: hashes,
            voided: None,
        };
        tx.add_batch(&batch, &self.lines)?;
        for file in &self.staged {
            tx.add_batch_file_from(&id, &name_of(file), file.temp())?;
        }
        let mut descriptions = report::descriptions(&self.summary, stock).to_vec();
        if let Some(pdf) = &self.stickers_pdf {
            let correction = crate::model::record::CorrectionBatch {
                id: id.clone(),
                kind: "ship".into(),
                date: batch.date.clone(),
                out_dir: dir_rel.to_string(),
                files: vec![("stickers.pdf".into(), crate::output::sha256_hex(pdf))],
            };
            let lines = crate::model::correction::correction_lines(&self.stickers.groups);
            tx.add_correction(&correction, &lines)?;
            let n: u64 = self.stickers.groups.iter().flat_map(|g| &g.entries).map(|e| e.stickers).sum();
            descriptions.push(format!("{n} correction stickers for copies of outdated print codes"));
        }
        for (file, description) in self.staged.iter().zip(descriptions) {
            files.push((file.target().to_path_buf(), description));
        }
        Ok(id)
    }

    /// Puts the staged files in place (after the batch is recorded).
    fn put_in_place(mut self) -> Result<(), Error> {
        for file in std::mem::take(&mut self.staged) {
            file.commit()?;
        }
        if let Some(temps) = self.temps.as_mut() {
            temps.succeeded();
        }
        Ok(())
    }
}

/// Every output in a temporary file: labels.pdf and packing.pdf (filled in already),
/// picklist.csv, summary.json.
fn stage_outputs(
    temps: &mut TempSet,
    [label_pdf, packing_pdf]: [Staged; 2],
    plan: &Plan,
    infos: &std::collections::BTreeMap<String, plan::EditionInfo>,
    summary: &Summary,
) -> Result<[Staged; 4], Error> {
    let mut rows = plan::pick_list(plan, infos);
    for row in &mut rows {
        let codes = summary.print_codes.get(&row.edition).into_iter().flatten();
        row.print_codes = codes.map(|(code, n)| format!("{code} ×{n}")).collect::<Vec<_>>().join("; ");
    }
    let pick = plan::pick_list_csv(&rows).map_err(Error::internal)?;
    let mut summary_json = serde_json::to_vec_pretty(summary).map_err(Error::internal)?;
    summary_json.push(b'\n');
    let pick = temps.stage("picklist.csv", |w| w.write_all(&pick).map_err(|e| Error::io("picklist.csv", e)))?;
    let summary =
        temps.stage("summary.json", |w| w.write_all(&summary_json).map_err(|e| Error::io("summary.json", e)))?;
    Ok([label_pdf, packing_pdf, pick, summary])
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
