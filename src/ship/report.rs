//! What a shipping run reports: the files written, summary.json, warnings and timings.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::ship::stock::Stock;

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
    /// Filling in labels.pdf and packing.pdf (at once, on two threads).
    pub fill: Duration,
    /// Filling in the labels, and the packing sheets, each on its own thread.
    pub labels: Duration,
    /// See `labels`.
    pub sheets: Duration,
    /// Reading both PDFs back and reconciling the copies.
    pub read_back: Duration,
    /// Writing the outputs and recording the batch.
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
            "         forms {:.3} s, filling in {:.3} s (labels {:.3} s and packing sheets {:.3} s at once)",
            s(self.forms),
            s(self.fill),
            s(self.labels),
            s(self.sheets),
        )?;
        write!(f, "         reading back {:.3} s, write and record {:.3} s", s(self.read_back), s(self.write))
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
    pub warnings: Vec<crate::diag::Problem>,
    /// Typst's warnings about the labels and packing sheets, each once.
    pub typst_warnings: crate::error::Diagnostics,
    /// How long each stage took.
    pub timings: ShipTimings,
    /// The batch recorded (none when nothing was owed, or on a dry run).
    pub batch: Option<String>,
    /// Order lines already shipped in full, not shipped again.
    pub already: Vec<crate::ship::ledger::AlreadyShipped>,
    /// A batch that an earlier run recorded and did not put in place, put in place now.
    pub recovered: Option<String>,
    /// Where the copies come from when the printed stock does not cover them.
    pub draw_warnings: Vec<String>,
    /// What this run ships (or, on a dry run, would ship): (edition, print code, copies) per
    /// order line and print code.
    pub would_ship: Vec<(String, String, u64)>,
}

impl ShipReport {
    /// The report of a run that has not shipped anything yet.
    pub fn new(
        dir: PathBuf,
        warnings: Vec<crate::diag::Problem>,
        already: Vec<crate::ship::ledger::AlreadyShipped>,
        recovered: Option<String>,
    ) -> Self {
        ShipReport {
            dir,
            files: Vec::new(),
            summary: Summary::default(),
            warnings,
            typst_warnings: Default::default(),
            timings: ShipTimings::default(),
            batch: None,
            already,
            recovered,
            draw_warnings: Vec::new(),
            would_ship: Vec::new(),
        }
    }
}

/// Copies counted at each stage; they must all agree.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
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
#[derive(Debug, Clone, Default, Serialize)]
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
    pub destinations: BTreeMap<String, crate::ship::postal::DestinationSummary>,
    /// Copies per edition and print code, oldest first: which printings to pull.
    pub print_codes: BTreeMap<String, Vec<(String, u64)>>,
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

/// The four files' descriptions, in the order labels.pdf, packing.pdf, picklist.csv, summary.json.
pub fn descriptions(summary: &Summary, stock: &Stock) -> [String; 4] {
    let pages = summary.label_pages;
    [
        format!(
            "{} on {} {} {}",
            count(summary.boxes, "label", "labels"),
            pages,
            stock.name,
            if pages == 1 { "page" } else { "pages" }
        ),
        count(summary.packing_pages, "packing sheet", "packing sheets"),
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
    ]
}

/// "1 box", "2 boxes".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Times the stages of a run: each [`Clock::lap`] is the time since the one before.
pub struct Clock(Instant);

impl Clock {
    /// Starts timing.
    pub fn start() -> Self {
        Clock(Instant::now())
    }

    /// The time since the last lap (or the start).
    pub fn lap(&mut self) -> Duration {
        let now = Instant::now();
        let took = now - self.0;
        self.0 = now;
        took
    }
}

/// summary.json.
pub(super) fn summary(
    file: &str,
    stock: &str,
    start: usize,
    order_lines: usize,
    plan: &super::plan::Plan,
    infos: &std::collections::BTreeMap<String, super::plan::EditionInfo>,
    counts: super::reconcile::Reconciled,
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
        print_codes: Default::default(),
    }
}
