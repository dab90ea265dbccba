//! After typesetting: what did not fit (as errors naming the row and field), and the check that
//! every copy ordered is boxed, labelled and packed, on exactly the pages expected.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::diag::{Problem, Problems};
use crate::error::Error;
use crate::ship::layout::LabelSizes;
use crate::ship::orders::OrderLine;
use crate::ship::plan::{self, Plan};
use crate::ship::render::ChunkOut;
use crate::ship::report::Copies;
use crate::ship::stock::{self, Stock};

/// The counts that agree once a run reconciles.
#[derive(Default)]
pub struct Reconciled {
    /// Copies at every stage.
    pub copies: Copies,
    /// Copies ordered per edition.
    pub per_edition: BTreeMap<String, u64>,
    /// Pages of labels.
    pub label_pages: usize,
    /// Pages of packing sheets.
    pub packing_pages: usize,
}

/// What the written outputs show, read back: per label and per packing sheet `(box, copies)`,
/// and the pages of labels.pdf and packing.pdf.
pub struct Shown<'a> {
    /// Per label read back from labels.pdf: its box and the copies it shows.
    pub labels: &'a [(usize, u64)],
    /// Per packing sheet read back from packing.pdf.
    pub sheets: &'a [(usize, u64)],
    /// Pages of labels.pdf and of packing.pdf.
    pub pages: (usize, usize),
}

/// Checks that every box has exactly one label and one packing sheet showing its copies, that
/// the copies ordered are the copies boxed, and that the pages are as many as planned.
pub fn reconcile(
    lines: &[OrderLine],
    plan: &Plan,
    shown: &Shown,
    stock: &Stock,
    start: usize,
) -> Result<Reconciled, Error> {
    let ordered = plan::ordered(lines);
    let boxed = plan::boxed(plan);
    let labelled = count(shown.labels.iter().copied(), plan, "label")?;
    let packed = count(shown.sheets.iter().copied(), plan, "packing sheet")?;
    let copies = Copies { ordered: plan::total(&ordered), boxed: plan::total(&boxed), labelled, packed };
    if ordered != boxed || copies.boxed != labelled || copies.boxed != packed {
        return Err(Error::internal(format!(
            "copies do not reconcile (ordered {}, boxed {}, on labels {labelled}, on packing sheets {packed}); nothing was written",
            copies.ordered, copies.boxed
        )));
    }
    let (label_pages, packing_pages) = shown.pages;
    let want_label_pages = stock::place(stock, plan.boxes.len(), start, (0.0, 0.0)).last().map_or(0, |p| p.page + 1);
    if label_pages != want_label_pages || packing_pages != plan.boxes.len() {
        return Err(Error::internal(format!(
            "{label_pages} label pages (expected {want_label_pages}) and {packing_pages} packing pages (expected {}); nothing was written",
            plan.boxes.len()
        )));
    }
    Ok(Reconciled { copies, per_edition: ordered, label_pages, packing_pages })
}

/// Copies shown on the items `(box, copies)`, checking every box appears exactly once.
fn count(items: impl Iterator<Item = (usize, u64)>, plan: &Plan, what: &str) -> Result<u64, Error> {
    let mut seen = vec![0u32; plan.boxes.len()];
    let mut total = 0;
    for (id, copies) in items {
        let Some(b) = plan.boxes.get(id) else {
            return Err(Error::internal(format!("a {what} for box {id}, which does not exist")));
        };
        if copies != b.plan.copies() {
            return Err(Error::internal(format!(
                "the {what} of box {} shows {copies} copies, not {}",
                b.code,
                b.plan.copies()
            )));
        }
        seen[id] += 1;
        total += copies;
    }
    if let Some(i) = seen.iter().position(|n| *n != 1) {
        return Err(Error::internal(format!(
            "box {} has {} {what}s instead of one; nothing was written",
            plan.boxes[i].code, seen[i]
        )));
    }
    Ok(total)
}

/// Where an overflow is reported: the orders file, the run's plan, stock and label sizes.
pub struct Fit<'a> {
    /// The orders file as shown in messages.
    pub file: &'a str,
    /// The boxes.
    pub plan: &'a Plan,
    /// The label stock.
    pub stock: &'a Stock,
    /// The label sizes of layouts/shipping.toml.
    pub sizes: &'a LabelSizes,
}

impl Fit<'_> {
    /// Every `<gp-overflow>` record of `chunks` as one error, or nothing when all fitted.
    pub fn refuse_overflows<'c>(&self, chunks: impl IntoIterator<Item = &'c ChunkOut>) -> Result<(), Error> {
        let mut problems = Problems::default();
        for v in chunks.into_iter().flat_map(|c| &c.overflows) {
            problems.push(self.overflow_problem(v));
        }
        Ok(problems.into_result()?)
    }

    /// A `<gp-overflow>` record from a layout as a problem in the orders file (or guidepress.toml).
    fn overflow_problem(&self, v: &Value) -> Problem {
        let (plan, stock) = (self.plan, self.stock);
        let num = |k: &str| v.get(k).and_then(Value::as_f64).unwrap_or(0.0);
        let (need, room) = (num("need"), num("room"));
        let kind = v.get("kind").and_then(Value::as_str).unwrap_or("");
        let field = v.get("field").and_then(Value::as_str).unwrap_or("address_line1");
        let bx = v.get("id").and_then(Value::as_u64).and_then(|i| plan.boxes.get(i as usize));
        let shipment = bx.map(|b| &plan.shipments[b.shipment]);
        let row = shipment.and_then(|s| s.lines.first()).map(|l| l.row);
        let size = format!("{} label ({:.1} × {:.1} mm)", stock.name, stock.label_mm.0, stock.label_mm.1);
        let (sender_pt, min_pt) = (self.sizes.sender_pt, self.sizes.recipient_min_pt);
        let message = match kind {
            "sender" => {
                return Problem::file(
                    crate::project::CONFIG,
                    format!(
                        "the [sender] address does not fit in the sender block of the {size} at {sender_pt} pt (it needs {need:.1} mm, there are {room:.1} mm); shorten its lines"
                    ),
                );
            }
            "recipient" => format!(
                "column `{field}`: the address does not fit on the {size} even at {min_pt} pt (it needs {need:.1} mm, there are {room:.1} mm); shorten this field (abbreviate words such as Street → St, leave out what the post office does not need), or use the label stock thermal-4x6"
            ),
            "contents" => format!(
                "column `{field}`: the list of editions in box {} does not fit on the {size} (it needs {need:.1} mm, there are {room:.1} mm); split the order, or use the label stock thermal-4x6",
                bx.map_or(String::new(), |b| b.code.clone())
            ),
            "address" => format!(
                "column `{field}`: the address does not fit on the packing sheet even at its smallest size (it needs {need:.1} mm, there are {room:.1} mm); shorten this field"
            ),
            "field" => format!(
                "column `{field}`: this does not fit its place on the packing sheet (it needs {need:.1} mm, there are {room:.1} mm); shorten it"
            ),
            "sheet-contents" => format!(
                "the list of editions in box {} does not fit on the packing sheet (it needs {need:.1} mm, there are {room:.1} mm); split the order into several rows of fewer editions",
                bx.map_or(String::new(), |b| b.code.clone())
            ),
            "notes" => format!(
                "column `{field}`: the notes are too long for the packing sheet (they need {need:.1} mm, there are {room:.1} mm); shorten them to a few lines"
            ),
            _ => format!("something on the label does not fit ({v})"),
        };
        Problem { file: self.file.to_string(), line: row, column: None, message }
    }
}
