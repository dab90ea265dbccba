//! What the shipping layouts read: the data of labels.json and packing.json, as plain structs.
//!
//! Every text from an orders file is a string here, which the layouts print literally (never
//! Typst source). Words, sizes and the paper are the layouts' (layouts/labels.typ, packing.typ
//! and shipping.toml); this module hands them numbers, ids and order data. Fields are declared
//! in alphabetical order, the order of the keys in the JSON.

use std::collections::BTreeMap;

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

/// What one label shows, for the field filler ([`crate::ship::fill`]).
#[derive(Debug)]
pub struct LabelFields<'a> {
    /// The address block.
    pub recipient: Vec<Line>,
    /// The order id.
    pub order: &'a str,
    /// Box `k` of `n`.
    pub of: [usize; 2],
    /// `(edition, copies)`, in the order the editions were listed.
    pub contents: &'a [(String, u32)],
    /// Copies in the box.
    pub copies: u64,
    /// Weight with packaging, as printed.
    pub weight: String,
    /// The box code's symbol.
    pub barcode: Barcode,
    /// The destination's own postal service, if it names one (and so every label stamps its own).
    pub service: Option<&'a str>,
    /// Where the label goes.
    pub placement: Placement,
}

/// The data of the label form (labels.typ): the stock, the sender and the service it stamps.
#[derive(Debug, Serialize)]
struct LabelFormView<'a> {
    sender: &'a [Line],
    service: Option<&'a str>,
    stock: StockView,
}

/// One edition in a box (of one print code, when the run knows them), on its packing sheet.
#[derive(Debug, Serialize)]
pub struct ContentView<'a> {
    pub copies: u32,
    pub edition: &'a str,
    pub languages: &'a [String],
    #[serde(rename = "print-code")]
    pub print_code: Option<String>,
    /// What the packer adds for copies of an outdated print code (see [`crate::ship::stickers`]).
    pub stickers: Option<String>,
    pub title: &'a str,
}

/// One packing sheet.
#[derive(Debug, Serialize)]
pub struct SheetView<'a> {
    pub address: Vec<Line>,
    pub barcode: Barcode,
    #[serde(rename = "box")]
    pub of: [usize; 2],
    pub code: &'a str,
    pub contents: Vec<ContentView<'a>>,
    pub copies: u64,
    pub email: &'a str,
    pub id: usize,
    pub notes: Option<Line>,
    pub order: &'a str,
    pub organization: Line,
    pub phone: &'a str,
    pub received: &'a str,
    pub recipient: Line,
    pub service: Option<String>,
    pub weight: String,
}

/// The data of the packing-sheet form (packing.typ).
#[derive(Debug, Serialize)]
struct PackingFormView {
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
    // Each field's lines, normalised once (not once per formatted line).
    let lines_of = |field: &str| -> Vec<String> { field.lines().filter(|f| !f.trim().is_empty()).map(&norm).collect() };
    let [recipient, organization, line1, line2] =
        [&l.recipient, &l.organization, &l.address_line1, &l.address_line2].map(|f| lines_of(f));
    formatted
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let t = norm(text);
            let is = |field: &Vec<String>| field.contains(&t);
            let field = if i + 1 == n {
                "country"
            } else if is(&recipient) {
                "recipient"
            } else if is(&organization) {
                "organization"
            } else if is(&line1) {
                "address_line1"
            } else if is(&line2) {
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

    /// The services the labels stamp: `[None]` (the default, on every label) unless some
    /// destination names its own; then each service used, `None` for the default.
    pub fn label_services(&self) -> Vec<Option<&str>> {
        if !self.own_stamps {
            return vec![None];
        }
        let mut used: Vec<Option<&str>> = Vec::new();
        for b in &self.plan.boxes {
            let country = &self.plan.shipments[b.shipment].lines[0].country;
            let service = self.services.get(country).map(String::as_str);
            if !used.contains(&service) {
                used.push(service);
            }
        }
        used
    }

    /// The data of the label form that stamps `service` (`None`: the default).
    pub fn label_form_json(&self, service: Option<&str>) -> Vec<u8> {
        let s = self.stock;
        let stock = StockView {
            label: [s.label_mm.0, s.label_mm.1],
            name: s.name,
            page: [s.page_mm.0, s.page_mm.1],
            radius: s.radius_mm,
        };
        serde_json::to_vec(&LabelFormView { sender: &self.sender, service, stock }).unwrap_or_default()
    }

    /// What box `i`'s label shows.
    pub fn label_fields(&self, i: usize) -> LabelFields<'_> {
        let b = &self.plan.boxes[i];
        let s = &self.plan.shipments[b.shipment];
        LabelFields {
            recipient: address_lines(&s.lines[0]),
            order: &s.order_id,
            of: [b.k, b.n],
            contents: &b.plan.contents,
            copies: b.plan.copies(),
            weight: plan::kg(b.plan.weight_g),
            barcode: Barcode::new(&b.code),
            service: if self.own_stamps { self.services.get(&s.lines[0].country).map(String::as_str) } else { None },
            placement: self.placements[i],
        }
    }

    /// What box `i`'s packing sheet shows.
    pub fn sheet_fields(&self, i: usize) -> SheetView<'_> {
        self.sheet(i, &self.plan.boxes[i])
    }

    /// The data of the packing-sheet form.
    pub fn packing_form_json(&self) -> Vec<u8> {
        let stock_page = [self.stock.page_mm.0, self.stock.page_mm.1];
        serde_json::to_vec(&PackingFormView { stock_page }).unwrap_or_default()
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
