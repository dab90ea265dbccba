//! What the shipping layouts read: the data of labels.json and packing.json, as plain structs.
//!
//! Every text from an orders file is a string here, which the layouts print literally (never
//! Typst source). Words, sizes and the paper are the layouts' (layouts/labels.typ, packing.typ
//! and shipping.toml); this module hands them numbers, ids and order data. Fields are declared
//! in alphabetical order, the order of the keys in the JSON.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Serialize;

use crate::model::country::country_name;
use crate::project::Sender;
use crate::ship::address::{Address, format_address, upper_latin};
use crate::ship::barcode::code128_modules;
use crate::ship::orders::OrderLine;
use crate::ship::plan::{self, EditionInfo, Plan, PlannedBox};
use crate::ship::script::{Script, japanese_context, script_of};
use crate::ship::stock::{self, Placement, Stock};

/// One line of text with its script (which faces draw it) and the column it came from.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// Characters (for the layouts' quick fit test).
    pub chars: usize,
    /// The column of the orders file (or the `[sender]` field).
    pub field: &'static str,
    /// The script hint.
    pub script: Script,
    /// The text, printed literally.
    pub text: String,
}

impl Line {
    fn new(text: &str, japanese: bool, field: &'static str) -> Self {
        Line { chars: text.chars().count(), field, script: script_of(text, japanese), text: text.to_string() }
    }
}

/// A Code 128 symbol as the layouts draw it: one dashed line. `dash` alternates the widths (in
/// modules) of dark bars and light spaces, starting with a bar `quiet` modules in; `modules`
/// counts every module, quiet zones included.
#[derive(Debug, Clone, Serialize)]
pub struct Barcode {
    /// Bar and space widths, in modules.
    pub dash: Vec<usize>,
    /// Every module.
    pub modules: usize,
    /// The light modules before the first bar.
    pub quiet: usize,
}

impl Barcode {
    /// The symbol of `code` (every box code was checked before typesetting began).
    pub fn new(code: &str) -> Self {
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
        Barcode { dash, modules: modules.len(), quiet }
    }
}

/// The label stock, as labels.typ places the labels.
#[derive(Debug, Clone, Serialize)]
struct StockView {
    label: [f64; 2],
    name: &'static str,
    page: [f64; 2],
    radius: f64,
}

/// One label.
#[derive(Debug, Serialize)]
struct LabelView<'a> {
    barcode: Barcode,
    /// Box `k` of `n`.
    #[serde(rename = "box")]
    of: [usize; 2],
    code: &'a str,
    /// `(edition, copies)`, in the order the editions were listed.
    contents: &'a [(String, u32)],
    copies: u64,
    id: usize,
    order: &'a str,
    page: usize,
    recipient: Vec<Line>,
    /// The destination's own postal service, if guidepress.toml names one.
    service: Option<&'a str>,
    /// Whether this label stamps its service (else the form stamps the default on all).
    stamp: bool,
    weight: String,
    x: f64,
    y: f64,
}

/// labels.json.
#[derive(Debug, Serialize)]
struct LabelsView<'a> {
    form: bool,
    labels: Vec<LabelView<'a>>,
    /// Some destination names its own service, so every label stamps its own.
    #[serde(rename = "own-stamps")]
    own_stamps: bool,
    sender: &'a [Line],
    stock: StockView,
}

/// One edition in a box (of one print code, when the run knows them), on its packing sheet.
#[derive(Debug, Serialize)]
struct ContentView<'a> {
    copies: u32,
    edition: &'a str,
    languages: &'a [String],
    #[serde(rename = "print-code")]
    print_code: Option<String>,
    /// What the packer adds for copies of an outdated print code (see [`crate::ship::stickers`]).
    stickers: Option<String>,
    title: &'a str,
}

/// One packing sheet.
#[derive(Debug, Serialize)]
struct SheetView<'a> {
    address: Vec<Line>,
    barcode: Barcode,
    #[serde(rename = "box")]
    of: [usize; 2],
    code: &'a str,
    contents: Vec<ContentView<'a>>,
    copies: u64,
    email: &'a str,
    id: usize,
    notes: Option<Line>,
    order: &'a str,
    organization: Line,
    phone: &'a str,
    received: &'a str,
    recipient: Line,
    service: Option<String>,
    weight: String,
}

/// packing.json.
#[derive(Debug, Serialize)]
struct PackingView<'a> {
    form: bool,
    sheets: Vec<SheetView<'a>>,
    /// The label stock's page, in mm (the packing sheets go on the office paper that goes with it).
    #[serde(rename = "stock-page")]
    stock_page: [f64; 2],
}

/// The address lines of a shipment, each with its script and the column it came from.
pub fn address_lines(l: &OrderLine) -> Vec<Line> {
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
            Line::new(text, japanese, field)
        })
        .collect()
}

/// The sender block: name, address lines with the country in English capitals, and contact.
fn sender_lines(sender: &Sender) -> Vec<Line> {
    let country = country_name(&sender.country).map_or_else(|| sender.country.to_uppercase(), upper_latin);
    let mut rest: Vec<String> = sender.lines.clone();
    rest.push(country);
    let mut lines = vec![Line::new(&sender.name, false, "name"), Line::new(&rest.join(", "), false, "lines")];
    let contact: Vec<&str> =
        [sender.email.as_str(), sender.phone.as_str()].into_iter().filter(|s| !s.is_empty()).collect();
    if !contact.is_empty() {
        lines.push(Line::new(&contact.join("  "), false, "contact"));
    }
    lines
}

/// The data every chunk is cut from; what each label and sheet shows is prepared when its
/// chunk is, and dropped with it.
pub struct Views<'a> {
    plan: &'a Plan,
    stock: &'a Stock,
    sender: Vec<Line>,
    /// Where each box's label goes.
    pub placements: Vec<Placement>,
    infos: &'a BTreeMap<String, EditionInfo>,
    /// The postal service of each destination that names its own (see `postal::services`).
    services: BTreeMap<String, String>,
    /// Whether every label stamps its own service (see [`Views::with_services`]).
    own_stamps: bool,
    /// Per box, what it holds by print code: (edition, print code, copies) (see
    /// [`Views::with_print_codes`]); empty when the run names no print codes.
    box_codes: Vec<Vec<(String, String, u32)>>,
    /// Per outdated print code: stickers per copy and the entries they correct.
    sticker_notes: BTreeMap<String, (usize, String)>,
}

impl<'a> Views<'a> {
    /// The destinations' own postal services: when some box goes by one, every label stamps its
    /// service (instead of the form stamping the default on all).
    pub fn with_services(mut self, services: BTreeMap<String, String>) -> Self {
        let plan = self.plan;
        self.own_stamps = plan
            .boxes
            .iter()
            .any(|b| plan.shipments[b.shipment].lines.first().is_some_and(|l| services.contains_key(&l.country)));
        self.services = services;
        self
    }

    /// The print codes to pack: `codes` gives, per (order id, edition), the print codes its
    /// copies are drawn from, in order; each box's copies take from the front.
    pub fn with_print_codes(mut self, codes: &BTreeMap<(String, String), Vec<(String, u64)>>) -> Self {
        let mut pools = codes.clone();
        self.box_codes = self
            .plan
            .boxes
            .iter()
            .map(|b| {
                let order = &self.plan.shipments[b.shipment].order_id;
                let mut held = Vec::new();
                for (edition, n) in &b.plan.contents {
                    let pool = pools.entry((order.clone(), edition.clone())).or_default();
                    let mut left = u64::from(*n);
                    while left > 0 {
                        let Some(front) = pool.first_mut() else {
                            held.push((edition.clone(), String::new(), u32::try_from(left).unwrap_or(u32::MAX)));
                            break;
                        };
                        let k = front.1.min(left);
                        held.push((edition.clone(), front.0.clone(), u32::try_from(k).unwrap_or(u32::MAX)));
                        front.1 -= k;
                        left -= k;
                        if front.1 == 0 {
                            pool.remove(0);
                        }
                    }
                }
                held
            })
            .collect();
        self
    }

    /// The correction stickers to pack with copies of outdated print codes (per print code:
    /// stickers per copy, and the entries they correct).
    pub fn with_sticker_notes(mut self, notes: &BTreeMap<String, (usize, String)>) -> Self {
        self.sticker_notes.clone_from(notes);
        self
    }

    /// The views of `plan`'s boxes on `stock`, the first `start` positions used, every label
    /// shifted by `offset` mm.
    pub fn new(
        plan: &'a Plan,
        infos: &'a BTreeMap<String, EditionInfo>,
        sender: &Sender,
        stock: &'a Stock,
        start: usize,
        offset: [f64; 2],
    ) -> Self {
        let placements = stock::place(stock, plan.boxes.len(), start, (offset[0], offset[1]));
        Views {
            plan,
            stock,
            sender: sender_lines(sender),
            placements,
            infos,
            services: BTreeMap::new(),
            own_stamps: false,
            box_codes: Vec::new(),
            sticker_notes: BTreeMap::new(),
        }
    }

    /// The label stock.
    pub fn stock(&self) -> &Stock {
        self.stock
    }

    /// Boxes.
    pub fn boxes(&self) -> usize {
        self.plan.boxes.len()
    }

    /// The data of the labels in `range`; `form` asks for the form instead (no labels).
    pub fn labels_json(&self, range: Range<usize>, form: bool) -> Vec<u8> {
        let first_page = self.placements.get(range.start).map_or(0, |p| p.page);
        let labels = range.map(|i| self.label(i, first_page)).collect();
        let s = self.stock;
        let stock = StockView {
            label: [s.label_mm.0, s.label_mm.1],
            name: s.name,
            page: [s.page_mm.0, s.page_mm.1],
            radius: s.radius_mm,
        };
        let own_stamps = self.own_stamps;
        serde_json::to_vec(&LabelsView { form, labels, own_stamps, sender: &self.sender, stock }).unwrap_or_default()
    }

    fn label(&self, i: usize, first_page: usize) -> LabelView<'_> {
        let b = &self.plan.boxes[i];
        let p = self.placements[i];
        let s = &self.plan.shipments[b.shipment];
        LabelView {
            barcode: Barcode::new(&b.code),
            of: [b.k, b.n],
            code: &b.code,
            contents: &b.plan.contents,
            copies: b.plan.copies(),
            id: i,
            order: &s.order_id,
            page: p.page - first_page,
            recipient: address_lines(&s.lines[0]),
            service: self.services.get(&s.lines[0].country).map(String::as_str),
            stamp: self.own_stamps,
            weight: plan::kg(b.plan.weight_g),
            x: p.x_mm,
            y: p.y_mm,
        }
    }

    /// The data of the packing sheets in `range`; `form` asks for the form instead (no sheets).
    pub fn packing_json(&self, range: Range<usize>, form: bool) -> Vec<u8> {
        let sheets = range.map(|i| self.sheet(i, &self.plan.boxes[i])).collect();
        let stock_page = [self.stock.page_mm.0, self.stock.page_mm.1];
        serde_json::to_vec(&PackingView { form, sheets, stock_page }).unwrap_or_default()
    }

    fn sheet(&self, i: usize, b: &'a PlannedBox) -> SheetView<'a> {
        let s = &self.plan.shipments[b.shipment];
        let l = &s.lines[0];
        let japanese = japanese_context([l.recipient.as_str(), &l.organization], &l.country);
        let notes: Vec<&str> = s.lines.iter().map(|l| l.notes.as_str()).filter(|n| !n.is_empty()).collect();
        let notes = notes.join("\n");
        let infos: &'a BTreeMap<String, EditionInfo> = self.infos;
        let view = |e: &str, code: Option<String>, n: u32| {
            let (edition, info) = infos.get_key_value(e).expect("every edition shipped has its info");
            let stickers = code.as_ref().and_then(|c| self.sticker_notes.get(c)).map(|(k, names)| {
                let total = n as usize * k;
                format!(
                    "Put in {total} correction sticker{} (stickers.pdf): {names}",
                    if total == 1 { "" } else { "s" }
                )
            });
            let languages = &info.languages;
            ContentView { copies: n, edition, languages, print_code: code, stickers, title: &info.title }
        };
        let contents: Vec<ContentView> = match self.box_codes.get(i) {
            Some(held) => {
                held.iter().map(|(e, code, n)| view(e, Some(code.clone()).filter(|c| !c.is_empty()), *n)).collect()
            }
            None => b.plan.contents.iter().map(|(e, n)| view(e, None, *n)).collect(),
        };
        SheetView {
            address: address_lines(l),
            barcode: Barcode::new(&b.code),
            of: [b.k, b.n],
            code: &b.code,
            contents,
            copies: b.plan.copies(),
            email: &l.email,
            id: i,
            notes: (!notes.is_empty()).then(|| Line::new(&notes, japanese, "notes")),
            order: &s.order_id,
            organization: Line::new(&l.organization, japanese, "organization"),
            phone: &l.phone,
            received: &l.received,
            recipient: Line::new(&l.recipient, japanese, "recipient"),
            service: self.services.get(&l.country).cloned(),
            weight: plan::kg(b.plan.weight_g),
        }
    }
}

#[cfg(test)]
mod tests;
