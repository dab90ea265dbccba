//! `guidepress ship`: an orders file in; labels.pdf, packing.pdf, picklist.csv and summary.json out.
//!
//! The steps: read and check the orders (every problem at once); typeset the editions they use
//! to learn their real page counts and so the weight of a copy; split each order into boxes;
//! typeset labels and packing sheets in parallel chunks from JSON data (never from generated
//! Typst source: order data comes from strangers); read back from the typeset documents what
//! did not fit and how many copies each label and sheet shows; check that copies ordered =
//! boxed = labelled = packed; and only then write the four files, each atomically.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value, json};

use crate::build;
use crate::diag::{Problem, Problems};
use crate::error::Error;
use crate::output;
use crate::project::Project;
use crate::ship::address::{Address, format_address, upper_latin};
use crate::ship::barcode::code128_modules;
use crate::ship::boxes::{WeightModel, copy_weight_g};
use crate::ship::country::country_name;
use crate::ship::orders::{OrderLine, OrderProblem};
use crate::ship::plan::{self, EditionInfo, Plan};
use crate::ship::postal;
use crate::ship::render::{self, ChunkOut, Job};
use crate::ship::script::{japanese_context, script_of};
use crate::ship::stock::{self, STOCKS, Stock};
use crate::typeset::world::Base;

/// The layout of the labels.
pub const LABELS_LAYOUT: &str = "/layouts/labels.typ";
/// The layout of the packing sheets.
pub const PACKING_LAYOUT: &str = "/layouts/packing.typ";
/// Largest recipient text size on a small label, in points (big labels scale it up).
pub const RECIPIENT_MAX_PT: f64 = 8.5;
/// Smallest recipient text size, in points: below this an address is refused, never clipped.
/// (The sender block is 6 pt and everything else on labels and sheets at least 8 pt.)
pub const RECIPIENT_MIN_PT: f64 = 7.0;
/// Labels per chunk, rounded up to whole sheets.
const LABELS_PER_CHUNK: usize = 420;
/// Packing sheets per chunk.
const SHEETS_PER_CHUNK: usize = 200;

/// Options of `guidepress ship`.
#[derive(Debug, Clone, Default)]
pub struct ShipOptions {
    /// The orders CSV file.
    pub orders: PathBuf,
    /// Label stock name (default [`stock::DEFAULT_STOCK`]).
    pub stock: Option<String>,
    /// Label positions already used on the first sheet.
    pub start: usize,
    /// Output folder (default `<project>/out`).
    pub out: Option<PathBuf>,
    /// Worker threads (default: one per core).
    pub jobs: Option<usize>,
    /// The sheet to read from an .xlsx or .ods orders file (default: the first).
    pub sheet: Option<String>,
}

/// A typeset chunk (or why not), and how long it took.
type TimedChunk = (Result<ChunkOut, Error>, Duration);

/// How long each stage of a shipping run took (`ship --timings`).
#[derive(Debug, Clone, Default)]
pub struct ShipTimings {
    /// Reading and checking the orders file, and loading the fonts.
    pub orders: Duration,
    /// Page counts of the editions ordered (from out/manifest.json, or by typesetting them).
    pub page_counts: Duration,
    /// Planning the boxes.
    pub plan: Duration,
    /// Typesetting the label and packing-sheet forms.
    pub forms: Duration,
    /// Typesetting every chunk, from the first start to the last end (the chunks run in parallel).
    pub chunks: Duration,
    /// The label chunks and the packing-sheet chunks, each summed over its chunks, with their counts.
    pub labels: (Duration, usize),
    /// See `labels`.
    pub sheets: (Duration, usize),
    /// Joining the chunk PDFs and writing the four outputs.
    pub write: Duration,
}

impl std::fmt::Display for ShipTimings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = |d: Duration| d.as_secs_f64();
        writeln!(
            f,
            "timings: orders and fonts {:.3} s, page counts {:.3} s, plan {:.3} s",
            s(self.orders),
            s(self.page_counts),
            s(self.plan)
        )?;
        writeln!(
            f,
            "         forms {:.3} s, chunks {:.3} s (labels {:.3} s in {}, packing sheets {:.3} s in {}, summed over chunks)",
            s(self.forms),
            s(self.chunks),
            s(self.labels.0),
            self.labels.1,
            s(self.sheets.0),
            self.sheets.1
        )?;
        write!(f, "         join and write {:.3} s", s(self.write))
    }
}

/// What a shipping run wrote and counted.
#[derive(Debug, Clone)]
pub struct ShipReport {
    /// `out/shipping/<orders-stem>/`.
    pub dir: PathBuf,
    /// Every file written, with a short description of it.
    pub files: Vec<(PathBuf, String)>,
    /// The totals, as in summary.json.
    pub summary: Summary,
    /// Warnings about the orders file (e.g. columns guidepress does not use), one per line.
    pub warnings: Vec<String>,
    /// How long each stage took.
    pub timings: ShipTimings,
}

/// Copies counted at each stage; they must all agree.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Copies {
    /// On the order lines.
    pub ordered: u64,
    /// In the planned boxes.
    pub boxed: u64,
    /// Shown on the typeset labels (read back from the document).
    pub labelled: u64,
    /// Shown on the typeset packing sheets (read back from the document).
    pub packed: u64,
}

/// summary.json.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Summary {
    /// The orders file, relative to the project.
    pub orders_file: String,
    /// The label stock used.
    pub stock: String,
    /// Label positions skipped on the first sheet.
    pub start: usize,
    /// Rows read.
    pub order_lines: usize,
    /// Distinct order ids: one shipment each.
    pub orders: usize,
    /// Boxes (= labels = packing sheets).
    pub boxes: usize,
    /// Pages of labels.pdf.
    pub label_pages: usize,
    /// Pages of packing.pdf.
    pub packing_pages: usize,
    /// Copies at every stage.
    pub copies: Copies,
    /// Copies per edition (ordered = boxed).
    pub copies_per_edition: BTreeMap<String, u64>,
    /// Total weight of all boxes, packaging included, in kg.
    pub weight_kg: f64,
    /// Page count and weight of one copy of each edition shipped.
    pub editions: BTreeMap<String, EditionSummary>,
    /// Boxes and weight per destination country, with the limit the boxes kept to.
    pub destinations: BTreeMap<String, postal::DestinationSummary>,
}

/// Page count and copy weight of one edition.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct EditionSummary {
    /// Pages per copy.
    pub pages: u32,
    /// Grams per copy.
    pub copy_weight_g: f64,
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

/// Checks the command-line choices: the stock exists and `--start` is within a sheet.
pub fn choose_stock(name: Option<&str>, start: usize) -> Result<&'static Stock, Error> {
    let name = name.unwrap_or(stock::DEFAULT_STOCK);
    let Some(stock) = stock::stock(name) else {
        let names: Vec<&str> = STOCKS.iter().map(|s| s.name).collect();
        return Err(Error::Usage(format!("no label stock `{name}`; the stocks are: {}", names.join(", "))));
    };
    if start >= stock.per_sheet() {
        let n = stock.per_sheet();
        let range = if n == 1 { "0".to_string() } else { format!("0 to {}", n - 1) };
        return Err(Error::Usage(format!(
            "--start {start}: stock {} has {n} label{} per sheet, so --start must be {range} (the number of labels already used on the first sheet)",
            stock.name,
            if n == 1 { "" } else { "s" },
        )));
    }
    Ok(stock)
}

/// `guidepress ship`.
pub fn ship(project: &Project, options: &ShipOptions) -> Result<ShipReport, Error> {
    let mut timings = ShipTimings::default();
    let mut clock = Instant::now();
    let mut lap = || {
        let now = Instant::now();
        let took = now - clock;
        clock = now;
        took
    };
    let stock = choose_stock(options.stock.as_deref(), options.start)?;
    let file = display_path(project, &options.orders);
    let bytes = fs::read(&options.orders).map_err(|e| Error::io(&options.orders, e))?;
    let ids = project.edition_ids();
    let parsed = crate::ship::orders::sheet::read_orders(&options.orders, &bytes, options.sheet.as_deref(), &ids)
        .map_err(|p| to_problems(&file, p))?;
    let warnings: Vec<String> = parsed.warnings.iter().map(|w| to_problem(&file, w.clone()).to_string()).collect();
    let lines = parsed.lines;
    let Some(sender) = &project.sender else {
        return Err(Problems(vec![Problem::file(
            crate::project::CONFIG,
            "has no [sender]; labels need the sender's name and address (name, lines, country)",
        )])
        .into());
    };

    let base = build::load_base(project)?;
    check_fonts(&base, &file, &lines, sender)?;
    timings.orders = lap();

    // Real page counts of the editions ordered, typeset in parallel.
    let used: BTreeSet<&str> = lines.iter().map(|l| l.edition.as_str()).collect();
    let editions: Vec<&crate::project::Edition> =
        project.editions.iter().filter(|e| used.contains(e.id.as_str())).collect();
    // Editions whose printed PDF out/manifest.json records as up to date are not typeset again:
    // the page count recorded there is the one they would get.
    let known = built_pages(project, &build::out_dir(project, options.out.as_deref()), &editions);
    let todo: Vec<&crate::project::Edition> = editions.iter().copied().filter(|e| !known.contains_key(&e.id)).collect();
    let typeset = build::par_map(&todo, options.jobs, |e| {
        build::typeset(project, &base, e, build::Variant::Press, false)
            .map(|t| (e.id.clone(), t.document.pages().len()))
    })?;
    let mut pages_of: BTreeMap<String, usize> = build::all_or_errors(typeset)?.into_iter().collect();
    pages_of.extend(known);
    typst::comemo::evict(0);
    let counted: Vec<(String, usize)> = editions.iter().map(|e| (e.id.clone(), pages_of[&e.id])).collect();
    timings.page_counts = lap();
    let s = &project.shipping;
    let infos: BTreeMap<String, EditionInfo> = editions
        .iter()
        .zip(counted)
        .map(|(e, (_, pages))| {
            let pages = u32::try_from(pages).unwrap_or(u32::MAX);
            let name = e.name.get("en").cloned().or_else(|| country_name(&e.country).map(str::to_string));
            let name = name.unwrap_or_else(|| e.id.clone());
            let info = EditionInfo {
                id: e.id.clone(),
                title: format!("{name} edition"),
                languages: e.languages.clone(),
                pages,
                copy_g: copy_weight_g(pages, (e.trim.width_mm, e.trim.height_mm), s.inner_gsm, s.cover_gsm),
            };
            (e.id.clone(), info)
        })
        .collect();
    let model = WeightModel {
        inner_gsm: s.inner_gsm,
        cover_gsm: s.cover_gsm,
        packaging_g: s.packaging_g,
        max_box_g: s.max_box_kg * 1000.0,
    };
    let limit = |country: &str| postal::max_box_g(&s.destinations, country, s.max_box_kg);
    let plan = plan::plan_with_limits(&lines, &infos, &model, &limit).map_err(|p| to_problems(&file, p))?;
    timings.plan = lap();

    // The output folder, and a guard that removes every temporary file of this run (and the
    // folders it created) unless the run succeeds.
    let stem = options.orders.file_stem().map_or_else(|| "orders".into(), |s| s.to_string_lossy().into_owned());
    let dir = build::out_dir(project, options.out.as_deref()).join("shipping").join(stem);
    let mut temps = Temps::new(&dir)?;

    // Labels and packing sheets, chunk by chunk, in parallel; each chunk's PDF goes to a
    // temporary file at once, so memory holds the chunks being typeset, not the whole output.
    for b in &plan.boxes {
        code128_modules(&b.code).map_err(|e| Error::Typst(e.to_string()))?;
    }
    let data = Data::new(&plan, &infos, sender, stock, options.start, s.label_offset);
    let data = Data { services: postal::services(&s.destinations), ..data };
    let data = Data { own_stamps: data.any_own_service(), ..data };
    let label_chunks = data.label_chunks();
    let sheet_chunks: Vec<std::ops::Range<usize>> = (0..plan.boxes.len())
        .step_by(SHEETS_PER_CHUNK)
        .map(|a| a..(a + SHEETS_PER_CHUNK).min(plan.boxes.len()))
        .collect();
    let tasks: Vec<(bool, usize)> =
        (0..label_chunks.len()).map(|i| (true, i)).chain((0..sheet_chunks.len()).map(|i| (false, i))).collect();
    let chunk_paths: Vec<PathBuf> = tasks
        .iter()
        .map(|&(is_label, i)| temps.path(&format!("{}-{i:05}.pdf", if is_label { "labels" } else { "packing" })))
        .collect();
    let date = project.guide.ymd;
    let label_job = Job {
        main: LABELS_LAYOUT,
        data_path: "/.guidepress/labels.json",
        item_label: "gp-label",
        ident: "guidepress/labels",
        date,
    };
    let sheet_job = Job {
        main: PACKING_LAYOUT,
        data_path: "/.guidepress/packing.json",
        item_label: "gp-sheet",
        ident: "guidepress/packing",
        date,
    };
    // Plain worker threads, each typesetting one chunk at a time. (Not a rayon pool: Typst uses
    // rayon inside a compile, and a rayon worker waiting there would steal and start further
    // chunks, so that all of them end up in memory at once.)
    let threads = options.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<TimedChunk>>> = tasks.iter().map(|_| std::sync::Mutex::new(None)).collect();
    // The forms first: each layout's page of what every label or sheet has, typeset once.
    let forms = std::thread::scope(|scope| {
        let labels = scope.spawn(|| render::compile_chunk(&base, &label_job, data.labels_json(&(0..0), true), None));
        let sheets = render::compile_chunk(&base, &sheet_job, data.packing_json(0..0, true), None);
        let labels = labels.join().unwrap_or_else(|_| Err("a worker thread failed".into()));
        [labels, sheets]
    });
    let [label_form, sheet_form] = forms;
    let (label_form, sheet_form) = (label_form.map_err(Error::Typst)?, sheet_form.map_err(Error::Typst)?);
    refuse_overflows([&label_form, &sheet_form], &file, &plan, stock)?;
    for (form, what) in [(&label_form, "label"), (&sheet_form, "packing sheet")] {
        if form.pages != 1 {
            return Err(Error::Typst(format!(
                "the {what} form has {} pages; it must have exactly one (what every {what} has)",
                form.pages
            )));
        }
    }
    timings.forms = lap();
    std::thread::scope(|scope| {
        for _ in 0..threads.min(tasks.len()) {
            scope.spawn(|| {
                loop {
                    let t = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&(is_label, i)) = tasks.get(t) else { break };
                    let began = Instant::now();
                    let result = if is_label {
                        render::compile_chunk(
                            &base,
                            &label_job,
                            data.labels_json(&label_chunks[i], false),
                            Some(&label_form.pdf),
                        )
                    } else {
                        render::compile_chunk(
                            &base,
                            &sheet_job,
                            data.packing_json(sheet_chunks[i].clone(), false),
                            Some(&sheet_form.pdf),
                        )
                    };
                    let result = result.map_err(Error::Typst).and_then(|mut c| {
                        if !c.pdf.is_empty() {
                            let path = &chunk_paths[t];
                            fs::write(path, &c.pdf).map_err(|e| Error::io(path, e))?;
                            c.pdf = Vec::new();
                        }
                        Ok(c)
                    });
                    if let Ok(mut slot) = slots[t].lock() {
                        *slot = Some((result, began.elapsed()));
                    }
                }
            });
        }
    });
    timings.chunks = lap();
    let results: Vec<Result<ChunkOut, Error>> = slots
        .into_iter()
        .zip(&tasks)
        .map(|(m, &(is_label, _))| {
            let (result, took) = m
                .into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| (Err(Error::Typst("a worker thread failed".into())), Duration::ZERO));
            let sum = if is_label { &mut timings.labels } else { &mut timings.sheets };
            sum.0 += took;
            sum.1 += 1;
            result
        })
        .collect();
    let mut labels = Vec::new();
    let mut sheets = Vec::new();
    let mut label_paths = Vec::new();
    let mut sheet_paths = Vec::new();
    let mut typst_errors = Vec::new();
    for (((is_label, _), r), path) in tasks.iter().zip(results).zip(chunk_paths) {
        match r {
            Ok(c) if *is_label => {
                labels.push(c);
                label_paths.push(path);
            }
            Ok(c) => {
                sheets.push(c);
                sheet_paths.push(path);
            }
            Err(Error::Typst(e)) => typst_errors.push(e),
            Err(e) => return Err(e),
        }
    }
    if !typst_errors.is_empty() {
        typst_errors.dedup();
        return Err(Error::Typst(typst_errors.join("\n")));
    }

    // What did not fit: errors naming the row and field.
    refuse_overflows(labels.iter().chain(&sheets), &file, &plan, stock)?;

    // Reconcile: every box has exactly one label and one sheet, showing its copies.
    let ordered = plan::ordered(&lines);
    let boxed = plan::boxed(&plan);
    let labelled = shown(&labels, &plan, "label")?;
    let packed = shown(&sheets, &plan, "packing sheet")?;
    let copies = Copies { ordered: plan::total(&ordered), boxed: plan::total(&boxed), labelled, packed };
    if ordered != boxed || copies.boxed != labelled || copies.boxed != packed {
        return Err(Error::Typst(format!(
            "internal error: copies do not reconcile (ordered {}, boxed {}, on labels {labelled}, on packing sheets {packed}); nothing was written",
            copies.ordered, copies.boxed
        )));
    }
    let label_pages: usize = labels.iter().map(|c| c.pages).sum();
    let packing_pages: usize = sheets.iter().map(|c| c.pages).sum();
    let want_label_pages =
        stock::place(stock, plan.boxes.len(), options.start, (0.0, 0.0)).last().map_or(0, |p| p.page + 1);
    if label_pages != want_label_pages || packing_pages != plan.boxes.len() {
        return Err(Error::Typst(format!(
            "internal error: {label_pages} label pages (expected {want_label_pages}) and {packing_pages} packing pages (expected {}); nothing was written",
            plan.boxes.len()
        )));
    }

    let summary = Summary {
        orders_file: file.clone(),
        stock: stock.name.to_string(),
        start: options.start,
        order_lines: lines.len(),
        orders: plan.shipments.len(),
        boxes: plan.boxes.len(),
        label_pages,
        packing_pages,
        copies,
        copies_per_edition: ordered,
        weight_kg: (plan.boxes.iter().map(|b| b.plan.weight_g).sum::<f64>() / 100.0).round() / 10.0,
        editions: infos
            .values()
            .map(|e| (e.id.clone(), EditionSummary { pages: e.pages, copy_weight_g: (e.copy_g * 10.0).round() / 10.0 }))
            .collect(),
        destinations: postal::per_destination(&plan, &s.destinations, s.max_box_kg),
    };
    let warnings_all: String =
        labels.iter().chain(&sheets).map(|c| c.warnings.as_str()).collect::<BTreeSet<_>>().into_iter().collect();
    let mut warnings = warnings;
    if !warnings_all.trim().is_empty() {
        warnings.push(warnings_all.trim_end().to_string());
    }

    // Every output to a temporary file first (the PDFs joined by streaming from the chunk
    // files), then all four renamed into place.
    let names = ["labels.pdf", "packing.pdf", "picklist.csv", "summary.json"];
    let [label_tmp, packing_tmp, pick_tmp, summary_tmp] = names.map(|n| temps.path(n));
    render::join_pdf_files(&label_paths, &label_tmp).map_err(Error::Typst)?;
    temps.remove(&label_paths);
    render::join_pdf_files(&sheet_paths, &packing_tmp).map_err(Error::Typst)?;
    temps.remove(&sheet_paths);
    let pick = plan::pick_list_csv(&plan::pick_list(&plan, &infos)).map_err(|e| Error::Typst(e.to_string()))?;
    let mut summary_json = serde_json::to_vec_pretty(&summary).map_err(|e| Error::Typst(e.to_string()))?;
    summary_json.push(b'\n');
    for (path, bytes) in [(&pick_tmp, &pick), (&summary_tmp, &summary_json)] {
        write_synced(path, bytes)?;
    }
    let descriptions = [
        format!(
            "{} on {} {} {}",
            count(summary.boxes, "label", "labels"),
            label_pages,
            stock.name,
            if label_pages == 1 { "page" } else { "pages" }
        ),
        count(packing_pages, "packing sheet", "packing sheets"),
        format!(
            "{} of {}",
            count(summary.copies.boxed as usize, "copy", "copies"),
            count(summary.editions.len(), "edition", "editions")
        ),
        format!(
            "{}, {}, {:.1} kg",
            count(summary.orders, "order", "orders"),
            count(summary.boxes, "box", "boxes"),
            summary.weight_kg
        ),
    ];
    let mut files = Vec::new();
    for ((name, tmp), description) in
        names.iter().zip([&label_tmp, &packing_tmp, &pick_tmp, &summary_tmp]).zip(descriptions)
    {
        let path = dir.join(name);
        fs::rename(tmp, &path).map_err(|e| Error::io(&path, e))?;
        files.push((path, description));
    }
    temps.succeeded();
    timings.write = lap();
    Ok(ShipReport { dir, files, summary, warnings, timings })
}

/// "1 box", "2 boxes".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Writes a whole file and flushes it to disk.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let mut f = fs::File::create(path).map_err(|e| Error::io(path, e))?;
    f.write_all(bytes).and_then(|()| f.sync_all()).map_err(|e| Error::io(path, e))
}

/// The temporary files of one run, inside the output folder, named like [`output::write_atomic`]'s
/// (`.<name>.tmp-<pid>`, so a later run removes what a killed one left). Dropping the guard
/// removes every one still there, and, unless the run succeeded, the folders it created.
struct Temps {
    dir: PathBuf,
    files: Vec<PathBuf>,
    created: Vec<PathBuf>,
    ok: bool,
}

impl Temps {
    fn new(dir: &Path) -> Result<Self, Error> {
        let mut created = Vec::new();
        let mut d = Some(dir);
        while let Some(p) = d.filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
            created.push(p.to_path_buf());
            d = p.parent();
        }
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        output::remove_stale_temps(dir);
        Ok(Temps { dir: dir.to_path_buf(), files: Vec::new(), created, ok: false })
    }

    /// A temporary path for `name`, removed when the guard is dropped.
    fn path(&mut self, name: &str) -> PathBuf {
        let p = self.dir.join(format!(".{name}.tmp-{}", std::process::id()));
        self.files.push(p.clone());
        p
    }

    /// Removes some temporary files now (once joined).
    fn remove(&mut self, paths: &[PathBuf]) {
        for p in paths {
            let _ = fs::remove_file(p);
        }
    }

    fn succeeded(&mut self) {
        self.ok = true;
    }
}

impl Drop for Temps {
    fn drop(&mut self) {
        for p in &self.files {
            let _ = fs::remove_file(p);
        }
        if !self.ok {
            // Innermost first; a folder that is not empty stays.
            for d in &self.created {
                let _ = fs::remove_dir(d);
            }
        }
    }
}

/// Press page counts of the editions that out/manifest.json records as built from exactly the
/// project's current data, inputs and fonts, with their PDF unaltered (as `guidepress build`
/// decides whether to rebuild); the others are left out and get typeset.
fn built_pages(project: &Project, out: &Path, editions: &[&crate::project::Edition]) -> BTreeMap<String, usize> {
    let manifest = crate::manifest::Manifest::load(out);
    let mut pages = BTreeMap::new();
    if manifest.guidepress != env!("CARGO_PKG_VERSION") {
        return pages;
    }
    let fonts = crate::typeset::fonts::font_file_names(&project.root);
    for e in editions {
        let (Some(entry), Ok(data)) = (manifest.editions.get(&e.id), build::data_hash(project, e)) else { continue };
        let Some(&n) = entry.pages.get("press") else { continue };
        if crate::manifest::stale_reason(Some(entry), &data, &project.root, out, &fonts).is_none() {
            pages.insert(e.id.clone(), n);
        }
    }
    pages
}

/// Copies shown on the typeset items, checking every box appears exactly once.
fn shown(chunks: &[ChunkOut], plan: &Plan, what: &str) -> Result<u64, Error> {
    let mut seen = vec![0u32; plan.boxes.len()];
    let mut total = 0;
    for &(id, copies) in chunks.iter().flat_map(|c| &c.items) {
        let Some(b) = plan.boxes.get(id) else {
            return Err(Error::Typst(format!("internal error: a {what} for box {id}, which does not exist")));
        };
        if copies != b.plan.copies() {
            return Err(Error::Typst(format!(
                "internal error: the {what} of box {} shows {copies} copies, not {}",
                b.code,
                b.plan.copies()
            )));
        }
        seen[id] += 1;
        total += copies;
    }
    if let Some(i) = seen.iter().position(|n| *n != 1) {
        return Err(Error::Typst(format!(
            "internal error: box {} has {} {what}s instead of one; nothing was written",
            plan.boxes[i].code, seen[i]
        )));
    }
    Ok(total)
}

/// Every `<gp-overflow>` record of `chunks` as one error, or nothing when all fitted.
fn refuse_overflows<'a>(
    chunks: impl IntoIterator<Item = &'a ChunkOut>,
    file: &str,
    plan: &Plan,
    stock: &Stock,
) -> Result<(), Error> {
    let mut problems = Problems::default();
    for v in chunks.into_iter().flat_map(|c| &c.overflows) {
        problems.push(overflow_problem(v, file, plan, stock));
    }
    Ok(problems.into_result()?)
}

/// A `<gp-overflow>` record from a layout as a problem in the orders file (or guidepress.toml).
fn overflow_problem(v: &Value, file: &str, plan: &Plan, stock: &Stock) -> Problem {
    let num = |k: &str| v.get(k).and_then(Value::as_f64).unwrap_or(0.0);
    let (need, room) = (num("need"), num("room"));
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or("");
    let field = v.get("field").and_then(Value::as_str).unwrap_or("address_line1");
    let bx = v.get("id").and_then(Value::as_u64).and_then(|i| plan.boxes.get(i as usize));
    let shipment = bx.map(|b| &plan.shipments[b.shipment]);
    let row = shipment.and_then(|s| s.lines.first()).map(|l| l.row);
    let size = format!("{} label ({:.1} × {:.1} mm)", stock.name, stock.label_mm.0, stock.label_mm.1);
    let message = match kind {
        "sender" => {
            return Problem::file(
                crate::project::CONFIG,
                format!(
                    "the [sender] address does not fit in the sender block of the {size} at 6 pt (it needs {need:.1} mm, there are {room:.1} mm); shorten its lines"
                ),
            );
        }
        "recipient" => format!(
            "column `{field}`: the address does not fit on the {size} even at {RECIPIENT_MIN_PT} pt (it needs {need:.1} mm, there are {room:.1} mm); shorten this field (abbreviate words such as Street → St, leave out what the post office does not need), or use --stock thermal-4x6"
        ),
        "contents" => format!(
            "column `{field}`: the list of editions in box {} does not fit on the {size} (it needs {need:.1} mm, there are {room:.1} mm); split the order, or use --stock thermal-4x6",
            bx.map_or(String::new(), |b| b.code.clone())
        ),
        "notes" => format!(
            "column `{field}`: the notes are too long for the packing sheet (they need {need:.1} mm, there are {room:.1} mm); shorten them to a few lines"
        ),
        _ => format!("something on the label does not fit ({v})"),
    };
    Problem { file: file.to_string(), line: row, column: None, message }
}

/// Checks that some font in fonts/ can draw every character printed from the orders and sender.
fn check_fonts(base: &Base, file: &str, lines: &[OrderLine], sender: &crate::project::Sender) -> Result<(), Error> {
    let printed = |l: &OrderLine| -> [(&'static str, String); 12] {
        [
            ("order_id", l.order_id.clone()),
            ("organization", l.organization.clone()),
            ("recipient", l.recipient.clone()),
            ("email", l.email.clone()),
            ("phone", l.phone.clone()),
            ("address_line1", l.address_line1.clone()),
            ("address_line2", l.address_line2.clone()),
            ("city", l.city.clone()),
            ("region", l.region.clone()),
            ("postal_code", l.postal_code.clone()),
            ("notes", l.notes.clone()),
            ("received", l.received.clone()),
        ]
    };
    let drawable = |c: char| c.is_whitespace() || c.is_control() || base.fonts.covers(c);
    let mut checked: BTreeMap<char, bool> = BTreeMap::new();
    let mut ok = |c: char| *checked.entry(c).or_insert_with(|| drawable(c));
    let mut problems = Problems::default();
    let mut sender_text = vec![sender.name.clone()];
    sender_text.extend(sender.lines.iter().cloned());
    sender_text.extend([sender.email.clone(), sender.phone.clone()]);
    for t in &sender_text {
        if let Some(c) = t.chars().find(|c| !ok(*c)) {
            problems.push(Problem::file(
                crate::project::CONFIG,
                format!("[sender]: `{c}` (U+{:04X}) cannot be drawn with any font in fonts/; replace it, or add a font that has it", c as u32),
            ));
        }
    }
    for l in lines {
        for (column, text) in printed(l) {
            if let Some(c) = text.chars().find(|c| !ok(*c)) {
                problems.push(Problem::line(
                    file,
                    l.row,
                    format!(
                        "column `{column}`: `{c}` (U+{:04X}) cannot be drawn with any font in fonts/, so it would print as an empty box; replace it, or add a font that has it",
                        c as u32
                    ),
                ));
            }
        }
    }
    problems.into_result().map_err(Error::from)
}

/// The data every chunk is cut from; what each label and sheet shows is prepared when its
/// chunk is, and dropped with it.
struct Data<'a> {
    plan: &'a Plan,
    stock: &'a Stock,
    sender: Vec<Value>,
    placements: Vec<stock::Placement>,
    infos: &'a BTreeMap<String, EditionInfo>,
    paper: [f64; 2],
    /// The postal service of each destination that names its own (see [`postal::services`]).
    services: BTreeMap<String, String>,
    /// Whether every label stamps its own service (see [`Data::any_own_service`]).
    own_stamps: bool,
}

/// A Code 128 symbol as the layouts draw it: one dashed line. `dash` alternates the widths (in
/// modules) of dark bars and light spaces, starting with a bar `quiet` modules in; `modules`
/// counts every module, quiet zones included.
fn barcode_json(code: &str) -> Value {
    // Every box code was checked before typesetting began.
    let modules = code128_modules(code).unwrap_or_default();
    let quiet = modules.iter().position(|&m| m).unwrap_or(0);
    let end = modules.iter().rposition(|&m| m).map_or(quiet, |i| i + 1);
    let mut dash: Vec<usize> = Vec::new();
    let mut run = 0;
    for (i, &m) in modules[quiet..end].iter().enumerate() {
        run += 1;
        if modules.get(quiet + i + 1) != Some(&m) || quiet + i + 1 == end {
            dash.push(run);
            run = 0;
        }
    }
    json!({ "quiet": quiet, "dash": dash, "modules": modules.len() })
}

fn line(text: &str, japanese: bool, field: &str) -> Value {
    json!({ "text": text, "script": script_of(text, japanese), "field": field, "chars": text.chars().count() })
}

/// The address lines of a shipment, each with its script and the column it came from.
fn address_lines(l: &OrderLine) -> Vec<Value> {
    let a = Address {
        recipient: &l.recipient,
        organization: &l.organization,
        line1: &l.address_line1,
        line2: &l.address_line2,
        city: &l.city,
        region: &l.region,
        postal_code: &l.postal_code,
        country: &l.country,
    };
    let japanese = japanese_context(
        [l.recipient.as_str(), &l.organization, &l.address_line1, &l.address_line2, &l.city, &l.region],
        &l.country,
    );
    let formatted = format_address(&a);
    let n = formatted.len();
    let norm = |s: &str| upper_latin(&s.split_whitespace().collect::<Vec<_>>().join(" "));
    formatted
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let t = norm(text);
            let is = |field: &str| field.lines().any(|f| !f.trim().is_empty() && norm(f) == t);
            let field = if i + 1 == n {
                "country"
            } else if is(&l.recipient) {
                "recipient"
            } else if is(&l.organization) {
                "organization"
            } else if is(&l.address_line1) {
                "address_line1"
            } else if is(&l.address_line2) {
                "address_line2"
            } else if !l.city.is_empty() {
                "city"
            } else if !l.region.is_empty() {
                "region"
            } else {
                "postal_code"
            };
            line(text, japanese, field)
        })
        .collect()
}

impl<'a> Data<'a> {
    fn new(
        plan: &'a Plan,
        infos: &'a BTreeMap<String, EditionInfo>,
        sender: &crate::project::Sender,
        stock: &'a Stock,
        start: usize,
        offset: [f64; 2],
    ) -> Self {
        let country = country_name(&sender.country).map_or_else(|| sender.country.to_uppercase(), upper_latin);
        let mut rest: Vec<String> = sender.lines.clone();
        rest.push(country);
        let mut sender_lines = vec![line(&sender.name, false, "name"), line(&rest.join(", "), false, "lines")];
        let contact: Vec<&str> =
            [sender.email.as_str(), sender.phone.as_str()].into_iter().filter(|s| !s.is_empty()).collect();
        if !contact.is_empty() {
            sender_lines.push(line(&contact.join("  "), false, "contact"));
        }
        let placements = stock::place(stock, plan.boxes.len(), start, (offset[0], offset[1]));
        // Packing sheets on the office paper that goes with the label stock.
        let paper = if stock.page_mm.0 > 212.0 { [215.9, 279.4] } else { [210.0, 297.0] };
        Data {
            plan,
            stock,
            sender: sender_lines,
            placements,
            infos,
            paper,
            services: BTreeMap::new(),
            own_stamps: false,
        }
    }

    /// Whether some box goes by a service of its own, so that every label stamps its service
    /// (instead of the form stamping the default on all).
    fn any_own_service(&self) -> bool {
        self.plan.boxes.iter().any(|b| {
            self.plan.shipments[b.shipment].lines.first().is_some_and(|l| self.services.contains_key(&l.country))
        })
    }

    /// Box indices per chunk, cut at whole label pages.
    fn label_chunks(&self) -> Vec<std::ops::Range<usize>> {
        let per_chunk_pages = LABELS_PER_CHUNK.div_ceil(self.stock.per_sheet()).max(1);
        let mut chunks: Vec<std::ops::Range<usize>> = Vec::new();
        for (i, p) in self.placements.iter().enumerate() {
            let c = p.page / per_chunk_pages;
            if c >= chunks.len() {
                chunks.push(i..i + 1);
            } else if let Some(last) = chunks.last_mut() {
                last.end = i + 1;
            }
        }
        chunks
    }

    fn contents_text(&self, b: &plan::PlannedBox) -> String {
        let total = b.plan.copies();
        if let [(e, n)] = b.plan.contents.as_slice() {
            return format!("{n} {} ({e})", if *n == 1 { "copy" } else { "copies" });
        }
        let list: Vec<String> = b.plan.contents.iter().map(|(e, n)| format!("{e} {n}")).collect();
        format!("{total} copies: {}", list.join(", "))
    }

    /// The data of the labels in `range`; `form` asks for the form instead (no labels).
    fn labels_json(&self, range: &std::ops::Range<usize>, form: bool) -> Vec<u8> {
        let first_page = self.placements.get(range.start).map_or(0, |p| p.page);
        let labels: Vec<Value> = range
            .clone()
            .map(|i| {
                let b = &self.plan.boxes[i];
                let p = self.placements[i];
                let s = &self.plan.shipments[b.shipment];
                json!({
                    "id": i,
                    "page": p.page - first_page,
                    "x": p.x_mm,
                    "y": p.y_mm,
                    "recipient": address_lines(&s.lines[0]),
                    "order": s.order_id,
                    "box": format!("Box {} of {}", b.k, b.n),
                    "contents": self.contents_text(b),
                    "weight": plan::kg(b.plan.weight_g),
                    "copies": b.plan.copies(),
                    "barcode": barcode_json(&b.code),
                    "code": b.code,
                    "service": self.services.get(&s.lines[0].country),
                    "stamp": self.own_stamps,
                })
            })
            .collect();
        let data = json!({
            "own-stamps": self.own_stamps,
            "stock": {
                "name": self.stock.name,
                "page": [self.stock.page_mm.0, self.stock.page_mm.1],
                "label": [self.stock.label_mm.0, self.stock.label_mm.1],
                "radius": self.stock.radius_mm,
            },
            "form": form,
            "sender": self.sender,
            "recipient-max": RECIPIENT_MAX_PT,
            "recipient-min": RECIPIENT_MIN_PT,
            "labels": labels,
        });
        serde_json::to_vec(&data).unwrap_or_default()
    }

    /// The data of the packing sheets in `range`; `form` asks for the form instead (no sheets).
    fn packing_json(&self, range: std::ops::Range<usize>, form: bool) -> Vec<u8> {
        let sheets: Vec<Value> = range
            .map(|i| {
                let b = &self.plan.boxes[i];
                let s = &self.plan.shipments[b.shipment];
                let l = &s.lines[0];
                let japanese = japanese_context([l.recipient.as_str(), &l.organization], &l.country);
                let notes: Vec<&str> = s.lines.iter().map(|l| l.notes.as_str()).filter(|n| !n.is_empty()).collect();
                let notes = notes.join("\n");
                let contents: Vec<Value> = b
                    .plan
                    .contents
                    .iter()
                    .map(|(e, n)| {
                        let info = &self.infos[e];
                        json!({ "edition": e, "title": info.title, "languages": info.languages.join(" · "), "copies": n })
                    })
                    .collect();
                json!({
                    "id": i,
                    "order": s.order_id,
                    "received": l.received,
                    "organization": line(&l.organization, japanese, "organization"),
                    "recipient": line(&l.recipient, japanese, "recipient"),
                    "email": l.email,
                    "phone": l.phone,
                    "address": address_lines(l),
                    "box": format!("Box {} of {}", b.k, b.n),
                    "contents": contents,
                    "copies": b.plan.copies(),
                    "weight": plan::kg(b.plan.weight_g),
                    "notes": if notes.is_empty() { Value::Null } else { line(&notes, japanese, "notes") },
                    "barcode": barcode_json(&b.code),
                    "code": b.code,
                    "service": self.services.get(&l.country),
                })
            })
            .collect();
        serde_json::to_vec(&json!({ "form": form, "paper": self.paper, "sheets": sheets })).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(country: &str, parts: [&str; 6]) -> OrderLine {
        let [recipient, organization, line1, line2, city, region] = parts.map(String::from);
        OrderLine {
            row: 2,
            order_id: "A".into(),
            received: "2026-11-02".into(),
            organization,
            recipient,
            email: String::new(),
            phone: String::new(),
            address_line1: line1,
            address_line2: line2,
            city,
            region,
            postal_code: String::new(),
            country: country.into(),
            edition: "mo".into(),
            copies: 1,
            notes: String::new(),
        }
    }

    fn hints(l: &OrderLine) -> Vec<(String, String, String)> {
        address_lines(l)
            .iter()
            .map(|v| {
                let s = |k: &str| v[k].as_str().unwrap().to_string();
                (s("text"), s("script"), s("field"))
            })
            .collect()
    }

    #[test]
    fn a_macao_address_is_traditional_chinese_line_by_line() {
        let l = order("MO", ["陳美玲", "澳門新橋婦女支援中心", "新馬路 123號", "4樓 A座", "澳門", ""]);
        let got = hints(&l);
        let want = [
            ("陳美玲", "zh-Hant", "recipient"),
            ("澳門新橋婦女支援中心", "zh-Hant", "organization"),
            ("新馬路 123號", "zh-Hant", "address_line1"),
            ("4樓 A座", "zh-Hant", "address_line2"),
            ("澳門", "zh-Hant", "city"),
            ("MACAO", "latin", "country"),
        ];
        assert_eq!(got, want.map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())));
    }

    #[test]
    fn japanese_han_lines_use_the_japanese_face_and_hangul_the_korean() {
        let jp = order("JP", ["佐藤 美咲", "みなと女性相談センター", "西新宿3-17-5", "", "新宿区", "東京都"]);
        assert!(hints(&jp).iter().filter(|h| h.2 != "country").all(|h| h.1 == "ja"), "{:?}", hints(&jp));
        let kr = order("KR", ["이서연", "가람여성인권지원센터", "율곡로 75", "4층", "종로구", "서울특별시"]);
        assert!(hints(&kr).iter().filter(|h| h.2 != "country").all(|h| h.1 == "ko"));
        let ca =
            order("CA", ["Marie-Claire Dubois", "Harbourview Women's Shelter", "215 Spadina Ave", "", "Toronto", "ON"]);
        let got = hints(&ca);
        assert_eq!(got[0], ("MARIE-CLAIRE DUBOIS".into(), "latin".into(), "recipient".into()));
        assert_eq!(got[3].2, "city");
    }

    #[test]
    fn the_dashed_barcode_is_the_code128_symbol() {
        for code in ["2026-11-001-1", "B-0000001-12", "x"] {
            let v = barcode_json(code);
            let quiet = v["quiet"].as_u64().unwrap() as usize;
            let mut modules = vec![false; quiet];
            for (i, w) in v["dash"].as_array().unwrap().iter().enumerate() {
                modules.extend(std::iter::repeat_n(i % 2 == 0, w.as_u64().unwrap() as usize));
            }
            modules.resize(v["modules"].as_u64().unwrap() as usize, false);
            assert_eq!(modules, code128_modules(code).unwrap(), "{code}");
            assert_eq!(crate::ship::barcode::decode_code128(&modules).as_deref(), Some(code));
        }
    }

    #[test]
    fn start_must_be_within_one_sheet() {
        assert!(choose_stock(None, 13).is_ok());
        assert_eq!(
            choose_stock(Some("thermal-4x6"), 1).unwrap_err().to_string(),
            "--start 1: stock thermal-4x6 has 1 label per sheet, so --start must be 0 (the number of labels already used on the first sheet)"
        );
    }
}
