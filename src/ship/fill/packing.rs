//! packing.pdf: the packing-sheet form (layouts/packing.typ) typeset once, placed on every
//! sheet, and each box's heading, barcode, address, order details, contents table, total and
//! notes filled into the form's slots.

use std::sync::Arc;

use krilla::Document;
use krilla::geom::{Size, Transform};
use krilla::page::PageSettings;
use krilla::surface::Surface;
use serde_json::Value;

use crate::error::Error;
use crate::ship::fill::draw::{self, Overflow, PdfFonts, TextLine};
use crate::ship::fill::readback::Read;
use crate::ship::fill::slots::{Slot, Slots};
use crate::ship::fill::text::{Faces, MM_PER_PT, block_height};
use crate::ship::render::{self, ChunkOut, Job};
use crate::ship::script::{Script, script_of};
use crate::ship::view::{ContentView, SheetView, Views};
use crate::typeset::world::Base;

/// The layout of the packing sheets.
pub const LAYOUT: &str = "/layouts/packing.typ";
const NAME: &str = "layouts/packing.typ";
/// The slots every packing sheet fills in.
const SLOTS: [&str; 12] = [
    "heading",
    "barcode",
    "code",
    "address",
    "weight",
    "service",
    "received",
    "organization",
    "recipient",
    "contact",
    "contents",
    "total",
];

/// The typeset packing-sheet form and its slots.
pub struct PackingForm {
    /// The form's one page as a PDF, and what Typst said about it.
    pub form: ChunkOut,
    /// Its slots.
    pub slots: Slots,
}

impl PackingForm {
    /// Typesets the form.
    pub fn typeset(base: &Base, views: &Views, date: crate::model::date::Date) -> Result<Self, Error> {
        let job = Job { main: LAYOUT, data_path: "/.guidepress/packing.json", ident: "guidepress/packing-form", date };
        let form = render::compile_form(base, &job, views.packing_form_json())?;
        super::one_page(&form, "packing sheet")?;
        let slots = Slots::read(&form.slots, NAME).map_err(super::form_error)?;
        for name in SLOTS.iter().chain(&["notes"]) {
            slots.get(name, NAME).map_err(super::form_error)?;
        }
        Ok(PackingForm { form, slots })
    }

    fn slot(&self, name: &str) -> &Slot {
        // Every slot was checked when the form was read.
        self.slots.0.iter().find(|s| s.name == name).unwrap_or(&self.slots.0[0])
    }
}

/// One sheet being written.
struct Sheet<'a, 'f> {
    faces: &'a Faces<'f>,
    form: &'a PackingForm,
    id: usize,
    overflows: Vec<Value>,
}

/// Writes the packing sheets of the boxes `range` into one PDF; or, when some field does not
/// fit its slot, every such overflow (as `<gp-overflow>` records) and no PDF.
pub fn write(
    (faces, fonts): (&Faces, &mut PdfFonts),
    views: &Views,
    form: &PackingForm,
    range: std::ops::Range<usize>,
    (date, progress): (crate::model::date::Date, &crate::progress::Reporter),
) -> super::Written {
    let pdf = super::form_pdf(&form.form)?;
    let paper = pdf.pages().first().map(|p| p.render_dimensions()).unwrap_or((595.0, 842.0));
    let pdf = krilla::pdf::PdfDocument::new(Arc::new(pdf));
    let mut doc = Document::new_with(super::serialize_settings());
    doc.set_metadata(super::metadata("Packing sheets", date));
    let mut overflows = Vec::new();
    for i in range {
        let settings = PageSettings::from_wh(paper.0, paper.1).ok_or_else(|| Error::internal("page size"))?;
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        if let Some(size) = Size::from_wh(paper.0, paper.1) {
            surface.push_transform(&Transform::identity());
            surface.draw_pdf_page(&pdf, size, 0);
            surface.pop();
        }
        let mut sheet = Sheet { faces, form, id: i, overflows: Vec::new() };
        sheet.fill(&mut surface, fonts, &views.sheet_fields(i))?;
        overflows.append(&mut sheet.overflows);
        progress.advance(1);
        surface.finish();
        page.finish();
    }
    super::finish(doc, overflows, "packing.pdf")
}

impl Sheet<'_, '_> {
    /// A line of `text` for `slot`, in its faces for the text's script.
    fn line(&self, text: &str, script: Script, slot: &Slot, field: &str, gray: u8) -> Result<TextLine, Error> {
        TextLine::new(self.faces, (text, script), slot, (field, field), gray)
    }

    /// Lines of plain text (one per element) in slot `name`.
    fn lines(&self, name: &str, texts: &[(&str, Script, &str)]) -> Result<Vec<TextLine>, Error> {
        let slot = self.form.slot(name);
        texts.iter().map(|(t, script, field)| self.line(t, *script, slot, field, 0)).collect()
    }

    fn text(&mut self, surface: &mut Surface, fonts: &mut PdfFonts, name: &str, lines: &[TextLine]) {
        let slot = self.form.slot(name);
        if let Err(o) = draw::text_slot(surface, (self.faces, fonts), (0.0, 0.0), slot, lines) {
            self.overflow(name, o);
        }
    }

    fn overflow(&mut self, slot: &str, o: Overflow) {
        let kind = match slot {
            "contents" => "sheet-contents",
            "notes" => "notes",
            "address" => "address",
            _ => "field",
        };
        self.overflows.push(o.record(kind, self.id));
    }

    fn fill(&mut self, surface: &mut Surface, fonts: &mut PdfFonts, s: &SheetView) -> Result<(), Error> {
        self.heading(surface, fonts, s)?;
        draw::draw_barcode(surface, (0.0, 0.0), self.form.slot("barcode"), &s.barcode);
        let latin = |t: &str| script_of(t, false);
        let code = self.lines("code", &[(s.code, latin(s.code), "code")])?;
        self.text(surface, fonts, "code", &code);
        let address = s.address.iter().map(|l| (l.text.as_str(), l.script, l.field)).collect::<Vec<_>>();
        let address = self.lines("address", &address)?;
        self.text(surface, fonts, "address", &address);
        let weight = self.lines("weight", &[(&s.weight, Script::Latin, "weight")])?;
        self.text(surface, fonts, "weight", &weight);
        let service = service_lines(self.form.slot("service"), s.service.as_deref());
        let service: Vec<(&str, Script, &str)> = service.iter().map(|t| (t.as_str(), latin(t), "service")).collect();
        let service = self.lines("service", &service)?;
        self.text(surface, fonts, "service", &service);
        let received = self.lines("received", &[(s.received, latin(s.received), "received")])?;
        self.text(surface, fonts, "received", &received);
        for (name, l) in [("organization", &s.organization), ("recipient", &s.recipient)] {
            let lines = self.lines(name, &[(&l.text, l.script, l.field)])?;
            self.text(surface, fonts, name, &lines);
        }
        let contact: Vec<(&str, Script, &str)> = [(s.email, "email"), (s.phone, "phone")]
            .into_iter()
            .filter(|(t, _)| !t.is_empty())
            .map(|(t, f)| (t, latin(t), f))
            .collect();
        let contact = self.lines("contact", &contact)?;
        self.text(surface, fonts, "contact", &contact);
        self.table(surface, fonts, &s.contents)?;
        let total = s.copies.to_string();
        let total = self.lines("total", &[(&total, Script::Latin, "total")])?;
        self.text(surface, fonts, "total", &total);
        if let Some(notes) = &s.notes {
            let lines: Vec<(&str, Script, &str)> = notes.text.split('\n').map(|t| (t, notes.script, "notes")).collect();
            let lines = self.lines("notes", &lines)?;
            self.text(surface, fonts, "notes", &lines);
        }
        Ok(())
    }

    /// The order (bold) and "Box k of n", on one baseline.
    fn heading(&mut self, surface: &mut Surface, fonts: &mut PdfFonts, s: &SheetView) -> Result<(), Error> {
        let slot = self.form.slot("heading");
        let of = slot.word("box", &[("k", &s.of[0].to_string()), ("n", &s.of[1].to_string())]);
        let parts = [("order", s.order.to_string()), ("box", of)];
        let mut pieces = Vec::new();
        for (field, text) in &parts {
            let line = self.line(text, script_of(text, false), slot, field, 0)?;
            let piece = self.faces.piece(&line.shaped, 0..text.len());
            let size = slot.sizes.get(*field).copied().unwrap_or(slot.size);
            pieces.push((line, piece, size));
        }
        let top = pieces.iter().map(|(_, p, size)| p.top * size).fold(0.0, f64::max);
        let width: f64 = pieces.iter().map(|(_, p, size)| p.width * size).sum::<f64>()
            + slot.gap / MM_PER_PT * (pieces.len() as f64 - 1.0);
        if width > slot.w / MM_PER_PT + 1e-6 {
            let o = Overflow { field: "order_id".into(), need: width * MM_PER_PT, room: slot.w };
            self.overflows.push(o.record("field", self.id));
            return Ok(());
        }
        let (mut x, y) = (slot.x / MM_PER_PT, slot.y / MM_PER_PT + top);
        for (line, piece, size) in &pieces {
            draw::draw_piece(surface, (self.faces, fonts), (x, y), line, piece, *size);
            x += piece.width * size + slot.gap / MM_PER_PT;
        }
        Ok(())
    }
}

/// The lines of a postal service as stamped: one per part, each but the last ending in " /".
fn service_lines(slot: &Slot, service: Option<&str>) -> Vec<String> {
    let default = slot.words.get("default").map_or("", String::as_str);
    let parts: Vec<&str> = service.unwrap_or(default).split(" / ").collect();
    let n = parts.len();
    parts.iter().enumerate().map(|(i, p)| if i + 1 < n { format!("{p} /") } else { (*p).to_string() }).collect()
}

/// Per packing sheet read back from packing.pdf (one per page): the box it names (by the order
/// and "Box k of n" in its heading) and the copies its total shows.
pub fn shown(
    read: &Read,
    form: &PackingForm,
    index: &std::collections::HashMap<(&str, usize), usize>,
) -> Result<Vec<(usize, u64)>, String> {
    let heading = form.slot("heading");
    let total = form.slot("total");
    let within = |slot: &Slot, t: &super::readback::Text| {
        let (x, y) = (f64::from(t.x) * MM_PER_PT, f64::from(t.y) * MM_PER_PT);
        x >= slot.x - 0.5 && x <= slot.x + slot.w + 0.5 && y >= slot.y - 0.5 && y <= slot.y + slot.h + 0.5
    };
    let t = regex::escape(heading.words.get("box").map_or("", String::as_str));
    let of = regex::Regex::new(&format!("^{}$", t.replace(r"\{k\}", r"(\d+)").replace(r"\{n\}", r"(\d+)")))
        .map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(read.items.len());
    for item in &read.items {
        let place = || format!("packing sheet on page {}", item.page + 1);
        let head: Vec<&str> = item.texts.iter().filter(|t| within(heading, t)).map(|t| t.text.as_str()).collect();
        let at = head.iter().position(|t| of.is_match(t)).ok_or_else(|| format!("{} shows no box", place()))?;
        let k: usize = of.captures(head[at]).and_then(|c| c[1].parse().ok()).unwrap_or(0);
        let order = head[..at].concat();
        let id = *index
            .get(&(order.as_str(), k))
            .ok_or_else(|| format!("{} names no box of this run ({order}, box {k})", place()))?;
        let copies: String = item.texts.iter().filter(|t| within(total, t)).map(|t| t.text.as_str()).collect();
        let copies = copies.trim().parse::<u64>().map_err(|_| format!("{} shows no total ({copies:?})", place()))?;
        out.push((id, copies));
    }
    Ok(out)
}

/// One cell of the contents table: its lines and each line's size.
type Cell = Vec<(TextLine, f64)>;

impl Sheet<'_, '_> {
    /// The contents table: one row per edition and print code, set as large as fits (from the
    /// slot's `size` down to its `min` in half points).
    fn table(&mut self, surface: &mut Surface, fonts: &mut PdfFonts, rows: &[ContentView]) -> Result<(), Error> {
        let slot = self.form.slot("contents");
        let (max, min) = (slot.size, slot.min_size());
        let steps = ((max - min) * 2.0).round().max(0.0) as u32;
        let cells: Vec<Vec<Cell>> = rows.iter().map(|r| self.row(slot, r)).collect::<Result<_, _>>()?;
        let mut last = 0.0;
        for step in 0..=steps {
            let size = max - f64::from(step) / 2.0;
            let laid = self.lay_rows(slot, &cells, size);
            let height: f64 = laid.iter().map(|(h, _)| h).sum();
            let wide = laid.iter().any(|(_, w)| *w);
            if height <= slot.h / MM_PER_PT + 1e-6 && !wide {
                self.draw_rows(surface, fonts, slot, &cells, size);
                return Ok(());
            }
            last = height;
        }
        let o = Overflow { field: "edition".into(), need: last * MM_PER_PT, room: slot.h };
        self.overflow("contents", o);
        Ok(())
    }

    fn row(&self, slot: &Slot, r: &ContentView) -> Result<Vec<Cell>, Error> {
        let small = slot.small.unwrap_or(slot.size);
        let mut out = Vec::new();
        for column in &slot.columns {
            let mut cell: Cell = Vec::new();
            let mut add = |text: &str, size: f64, gray: u8, field: &str| -> Result<(), Error> {
                let line = self.line(text, script_of(text, false), slot, field, gray)?;
                cell.push((line, size));
                Ok(())
            };
            match column.field.as_str() {
                "edition" => add(r.edition, slot.size, 0, "edition")?,
                "title" => {
                    add(r.title, slot.size, 0, "title")?;
                    if let Some(code) = &r.print_code {
                        add(&slot.word("print-code", &[("code", code)]), small, 80, "print-code")?;
                    }
                    if let Some(stickers) = &r.stickers {
                        add(stickers, small, 0, "stickers")?;
                    }
                }
                "languages" => {
                    let sep = slot.words.get("languages").map_or(" · ", String::as_str);
                    add(&r.languages.join(sep), slot.size, 0, "languages")?;
                }
                "copies" => add(&r.copies.to_string(), slot.size, 0, "copies")?,
                other => {
                    return Err(super::form_error(format!(
                        "{NAME}: the slot `contents` has a column `{other}`, which packing sheets do not have (edition, title, languages, copies)"
                    )));
                }
            }
            out.push(cell);
        }
        Ok(out)
    }

    /// Each row's height (pt) at `size`, and whether some word is too wide for its column.
    fn lay_rows(&self, slot: &Slot, cells: &[Vec<Cell>], size: f64) -> Vec<(f64, bool)> {
        let scale = size / slot.size;
        let pad = 2.0 * slot.pad / MM_PER_PT;
        cells
            .iter()
            .map(|row| {
                let mut height = 0.0f64;
                let mut wide = false;
                for (cell, column) in row.iter().zip(&slot.columns) {
                    let w = column.w / MM_PER_PT;
                    let mut tops = Vec::new();
                    for (line, s) in cell {
                        let s = (s * scale).max(8.0_f64.min(*s));
                        let (pieces, too_wide) = self.faces.wrap(&line.shaped, w / s);
                        wide |= too_wide;
                        tops.extend(pieces.iter().map(|p| p.top * s));
                    }
                    let lines = cell_lines(&tops);
                    height = height.max(block_height(tops, 1.0, 0.0) + slot.leading * size * (lines - 1.0));
                }
                (height + pad, wide)
            })
            .collect()
    }

    fn draw_rows(&self, surface: &mut Surface, fonts: &mut PdfFonts, slot: &Slot, cells: &[Vec<Cell>], size: f64) {
        let scale = size / slot.size;
        let heights = self.lay_rows(slot, cells, size);
        let mut y = slot.y / MM_PER_PT;
        for (row, (height, _)) in cells.iter().zip(heights) {
            for (cell, column) in row.iter().zip(&slot.columns) {
                let w = column.w / MM_PER_PT;
                let mut base = y + slot.pad / MM_PER_PT;
                let mut first = true;
                for (line, s) in cell {
                    let s = (s * scale).max(8.0_f64.min(*s));
                    for piece in self.faces.wrap(&line.shaped, w / s).0 {
                        if !first {
                            base += slot.leading * size;
                        }
                        first = false;
                        base += piece.top * s;
                        let left = (slot.x + column.x) / MM_PER_PT;
                        let x = match column.align.as_deref() {
                            Some("right") => left + w - piece.width * s,
                            Some("center") => left + (w - piece.width * s) / 2.0,
                            _ => left,
                        };
                        draw::draw_piece(surface, (self.faces, fonts), (x, base), line, &piece, s);
                    }
                }
            }
            y += height;
        }
    }
}

fn cell_lines(tops: &[f64]) -> f64 {
    tops.len().max(1) as f64
}
