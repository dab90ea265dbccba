//! labels.pdf: the label form (layouts/labels.typ) typeset once per postal service, placed on
//! every label, and each box's recipient, order, box, contents, weight and barcode filled into
//! the form's slots.

use std::sync::Arc;

use krilla::Document;
use krilla::geom::{Size, Transform};
use krilla::page::PageSettings;

use crate::error::Error;
use crate::ship::fill::draw::{self, PdfFonts, TextLine};
use crate::ship::fill::slots::{Slot, Slots};
use crate::ship::fill::text::{Faces, MM_PER_PT};
use crate::ship::render::{self, ChunkOut, Job};
use crate::ship::script::script_of;
use crate::ship::view::{LabelFields, Views};
use crate::typeset::world::Base;

/// The layout of the labels.
pub const LAYOUT: &str = "/layouts/labels.typ";

/// The typeset label forms: one per postal service stamped, and their slots.
pub struct LabelForms {
    /// `(service, form)`: the form's one page as a PDF, and what Typst said about it.
    pub forms: Vec<(Option<String>, ChunkOut)>,
    /// The slots (the same on every form).
    pub slots: Slots,
}

impl LabelForms {
    /// Typesets the form of every service the labels stamp.
    pub fn typeset(base: &Base, views: &Views, date: crate::model::date::Date) -> Result<Self, Error> {
        let job = Job { main: LAYOUT, data_path: "/.guidepress/labels.json", ident: "guidepress/label-form", date };
        let mut forms = Vec::new();
        for service in views.label_services() {
            let out = render::compile_form(base, &job, views.label_form_json(service))?;
            super::one_page(&out, "label")?;
            forms.push((service.map(str::to_string), out));
        }
        let first = forms.first().map(|(_, f)| f.slots.as_slice()).unwrap_or_default();
        let slots = Slots::read(first, "layouts/labels.typ").map_err(super::form_error)?;
        for name in ["recipient", "info", "barcode"] {
            slots.get(name, "layouts/labels.typ").map_err(super::form_error)?;
        }
        Ok(LabelForms { forms, slots })
    }
}

/// The slots a label fills in.
struct LabelSlots<'a> {
    recipient: &'a Slot,
    info: &'a Slot,
    barcode: &'a Slot,
}

/// Writes the labels of the boxes `range` (whole pages of labels) into one PDF; or, when some
/// label's text does not fit, every such overflow (as `<gp-overflow>` records) and no PDF.
pub fn write(
    (faces, fonts): (&Faces, &mut PdfFonts),
    views: &Views,
    forms: &LabelForms,
    range: std::ops::Range<usize>,
    (date, progress): (crate::model::date::Date, &crate::progress::Reporter),
) -> super::Written {
    let get = |name| forms.slots.get(name, "layouts/labels.typ").map_err(super::form_error);
    let slots = LabelSlots { recipient: get("recipient")?, info: get("info")?, barcode: get("barcode")? };
    let mut pdfs = Vec::new();
    for (service, form) in &forms.forms {
        pdfs.push((service.clone(), krilla::pdf::PdfDocument::new(Arc::new(super::form_pdf(form)?))));
    }
    let stock = views.stock();
    let (label_w, label_h) = ((stock.label_mm.0 / MM_PER_PT) as f32, (stock.label_mm.1 / MM_PER_PT) as f32);
    let page_size = ((stock.page_mm.0 / MM_PER_PT) as f32, (stock.page_mm.1 / MM_PER_PT) as f32);
    let mut doc = Document::new_with(super::serialize_settings());
    doc.set_metadata(super::metadata("Shipping labels", date));
    let mut overflows = Vec::new();
    let mut i = range.start;
    let boxes = range.end;
    while i < boxes {
        let page_no = views.placements[i].page;
        let settings = PageSettings::from_wh(page_size.0, page_size.1).ok_or_else(|| Error::internal("page size"))?;
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        while i < boxes && views.placements[i].page == page_no {
            let fields = views.label_fields(i);
            let (recipient, info) = lines(faces, &slots, &fields)?;
            let fitted = [
                draw::fit(faces, slots.recipient, &recipient).map_err(|o| o.record("recipient", i)),
                draw::fit(faces, slots.info, &info).map_err(|o| {
                    let mut o = o;
                    o.field = "edition".into();
                    o.record("contents", i)
                }),
            ];
            match fitted {
                [Ok(r), Ok(n)] if overflows.is_empty() => {
                    let p = fields.placement;
                    let origin = (p.x_mm / MM_PER_PT, p.y_mm / MM_PER_PT);
                    surface.push_transform(&Transform::from_translate(origin.0 as f32, origin.1 as f32));
                    let form = pdfs.iter().find(|(s, _)| s.as_deref() == fields.service).or(pdfs.first());
                    if let (Some((_, pdf)), Some(size)) = (form, Size::from_wh(label_w, label_h)) {
                        surface.draw_pdf_page(pdf, size, 0);
                    }
                    surface.pop();
                    draw::draw_lines(&mut surface, (faces, &mut *fonts), origin, slots.recipient, &recipient, &r);
                    draw::draw_lines(&mut surface, (faces, &mut *fonts), origin, slots.info, &info, &n);
                    draw::draw_barcode(&mut surface, origin, slots.barcode, &fields.barcode);
                }
                [r, n] => overflows.extend([r.err(), n.err()].into_iter().flatten()),
            }
            i += 1;
            progress.advance(1);
        }
        surface.finish();
        page.finish();
    }
    super::finish(doc, overflows, "labels.pdf")
}

/// The recipient block's lines and the info lines of a label, shaped.
fn lines(faces: &Faces, slots: &LabelSlots, f: &LabelFields) -> Result<(Vec<TextLine>, Vec<TextLine>), Error> {
    let shape = |text: &str, script, slot: &Slot, part: &str, field: &str| {
        TextLine::new(faces, (text, script), slot, (part, field), 0)
    };
    let recipient = f
        .recipient
        .iter()
        .map(|l| shape(&l.text, l.script, slots.recipient, "recipient", l.field))
        .collect::<Result<Vec<_>, _>>()?;
    let info_slot = slots.info;
    let (k, n) = (f.of[0].to_string(), f.of[1].to_string());
    let copies = f.copies.to_string();
    let contents = match f.contents {
        [(edition, c)] => {
            let c = c.to_string();
            let key = if c == "1" { "copy" } else { "copies" };
            info_slot.word(key, &[("n", &c), ("edition", edition)])
        }
        many => {
            let list: Vec<String> = many.iter().map(|(e, c)| format!("{e} {c}")).collect();
            info_slot.word("mixed", &[("n", &copies), ("list", &list.join(", "))])
        }
    };
    let mut info = Vec::new();
    for part in &info_slot.fields {
        let text = match part.as_str() {
            "order" => f.order.to_string(),
            "box" => info_slot.word("box", &[("k", &k), ("n", &n)]),
            "contents" => contents.clone(),
            "weight" => f.weight.clone(),
            other => {
                return Err(super::form_error(format!(
                    "layouts/labels.typ: the slot `info` names the field `{other}`, which labels do not have (order, box, contents, weight)"
                )));
            }
        };
        info.push(shape(&text, script_of(&text, false), info_slot, part, part)?);
    }
    Ok((recipient, info))
}

/// Per label read back from labels.pdf (in drawing order): the box it names (by its order and
/// "Box k of n" lines) and the copies its contents line shows.
pub fn shown(
    read: &super::readback::Read,
    forms: &LabelForms,
    index: &std::collections::HashMap<(&str, usize), usize>,
) -> Result<Vec<(usize, u64)>, String> {
    let info = forms.slots.get("info", "layouts/labels.typ")?;
    let pattern = |key: &str, end: &str| {
        let t = regex::escape(info.words.get(key).map_or("", String::as_str));
        let t = t.replace(r"\{n\}", r"(\d+)").replace(r"\{k\}", r"(\d+)");
        let t = t.replace(r"\{edition\}", ".*").replace(r"\{list\}", ".*");
        regex::Regex::new(&format!("^{t}{end}")).map_err(|e| e.to_string())
    };
    let of = pattern("box", "$")?;
    let contents = [pattern("copy", "")?, pattern("copies", "")?, pattern("mixed", "")?];
    let mut out = Vec::with_capacity(read.items.len());
    for (n, item) in read.items.iter().enumerate() {
        let place = || format!("label {} (page {})", n + 1, item.page + 1);
        let at =
            item.texts.iter().position(|t| of.is_match(&t.text)).ok_or_else(|| format!("{} shows no box", place()))?;
        let k: usize = of.captures(&item.texts[at].text).and_then(|c| c[1].parse().ok()).unwrap_or(0);
        let order = at.checked_sub(1).map(|i| item.texts[i].text.as_str()).unwrap_or("");
        let id = *index
            .get(&(order, k))
            .ok_or_else(|| format!("{} names no box of this run ({order}, box {k})", place()))?;
        // The contents line may be broken over two lines: read from the box line on.
        let rest: Vec<&str> = item.texts[at + 1..].iter().map(|t| t.text.as_str()).collect();
        let rest = rest.join(" ");
        let copies = contents
            .iter()
            .find_map(|re| re.captures(&rest).and_then(|c| c[1].parse::<u64>().ok()))
            .ok_or_else(|| format!("{} shows no copies", place()))?;
        out.push((id, copies));
    }
    Ok(out)
}
