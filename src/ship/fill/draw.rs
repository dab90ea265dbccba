//! Fitting a slot's lines and drawing them, and the barcode, with krilla.

use std::collections::HashMap;
use std::sync::Arc;

use krilla::geom::{PathBuilder, Point};
use krilla::paint::{LineCap, Stroke, StrokeDash};
use krilla::surface::Surface;
use krilla::text::KrillaGlyph;
use serde_json::{Value, json};

use crate::ship::fill::slots::Slot;
use crate::ship::fill::text::{Faces, MM_PER_PT, Piece, Shaped, block_height};
use crate::ship::view::Barcode;

/// One line to set in a slot.
#[derive(Debug, Clone)]
pub struct TextLine {
    /// The line, shaped.
    pub shaped: std::rc::Rc<Shaped>,
    /// The column (or part) it came from, named when it does not fit.
    pub field: String,
    /// Its grey, as a luma value (0: black).
    pub gray: u8,
}

impl TextLine {
    /// `text` shaped for `slot`: in the slot's faces for `script`, bold when the slot sets `part`
    /// in bold; `field` is what an overflow names.
    pub fn new(
        faces: &Faces,
        (text, script): (&str, crate::ship::script::Script),
        slot: &Slot,
        (part, field): (&str, &str),
        gray: u8,
    ) -> Result<TextLine, crate::error::Error> {
        let bold = slot.bold.iter().any(|b| b == part);
        let shaped = faces.shape(text, slot.faces_for(super::script_name(script)), script, bold).map_err(|c| {
            crate::error::Error::internal(format!(
                "no face draws {c:?} of {text:?}, which the check before typesetting let through"
            ))
        })?;
        Ok(TextLine { shaped, field: field.to_string(), gray })
    }
}

/// Lines fitted into a slot: the size chosen and the printed lines, `(line, piece)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// Text size, pt.
    pub size: f64,
    /// Each printed line: the index of its [`TextLine`] and the piece of it.
    pub lines: Vec<(usize, Piece)>,
}

/// What did not fit: the slot, the field to shorten, and the room needed and given (mm).
#[derive(Debug, Clone, PartialEq)]
pub struct Overflow {
    /// The field to shorten.
    pub field: String,
    /// Height needed at the smallest size, mm.
    pub need: f64,
    /// Height of the slot, mm.
    pub room: f64,
}

impl Overflow {
    /// As the `<gp-overflow>` record the run reports (see `reconcile::Fit`).
    pub fn record(&self, kind: &str, id: usize) -> Value {
        json!({ "kind": kind, "id": id, "field": self.field, "need": self.need, "room": self.room })
    }
}

/// Fits `lines` into `slot`: the largest size from the slot's `size` down to its `min` in half
/// points at which every line, broken between words where needed, fits the slot's width and
/// the block its height.
pub fn fit(faces: &Faces, slot: &Slot, lines: &[TextLine]) -> Result<Fitted, Overflow> {
    let (max, min) = (slot.size, slot.min_size());
    let (w, h) = (slot.w / MM_PER_PT, slot.h / MM_PER_PT);
    let steps = ((max - min) * 2.0).round().max(0.0) as u32;
    let mut last = None;
    for step in 0..=steps {
        let size = max - f64::from(step) / 2.0;
        let mut printed = Vec::new();
        let mut wide = None;
        for (i, line) in lines.iter().enumerate() {
            let (pieces, too_wide) = faces.wrap(&line.shaped, w / size);
            if too_wide && wide.is_none() {
                wide = Some(i);
            }
            printed.extend(pieces.into_iter().map(|p| (i, p)));
        }
        let height = block_height(printed.iter().map(|(_, p)| p.top), size, slot.leading);
        if height <= h + 1e-6 && wide.is_none() {
            return Ok(Fitted { size, lines: printed });
        }
        last = Some((height, wide));
    }
    let (height, wide) = last.unwrap_or((0.0, None));
    // The field of a word too wide to break, else of the widest line: the one to shorten first.
    let widest = || {
        let width = |l: &TextLine| faces.piece(&l.shaped, 0..l.shaped.text.len()).width;
        (0..lines.len()).max_by(|&a, &b| width(&lines[a]).total_cmp(&width(&lines[b])))
    };
    let field = wide.or_else(widest).map_or_else(String::new, |i| lines[i].field.clone());
    Err(Overflow { field, need: height * MM_PER_PT, room: slot.h })
}

/// The krilla faces of one document, made once per face.
#[derive(Default)]
pub struct PdfFonts(HashMap<usize, krilla::text::Font>);

impl PdfFonts {
    fn get(&mut self, faces: &Faces, i: usize) -> Option<krilla::text::Font> {
        if let Some(f) = self.0.get(&i) {
            return Some(f.clone());
        }
        let font = &faces.fonts().fonts[i];
        let data: Arc<dyn AsRef<[u8]> + Send + Sync> = Arc::new(font.data().clone());
        let made = krilla::text::Font::new(data.into(), font.index())?;
        self.0.insert(i, made.clone());
        Some(made)
    }
}

/// Draws fitted `lines` in `slot`, the slot's box placed at `origin` (pt, top-left).
pub fn draw_lines(
    surface: &mut Surface,
    (faces, fonts): (&Faces, &mut PdfFonts),
    origin: (f64, f64),
    slot: &Slot,
    lines: &[TextLine],
    fitted: &Fitted,
) {
    let size = fitted.size;
    let (x0, mut y) = (origin.0 + slot.x / MM_PER_PT, origin.1 + slot.y / MM_PER_PT);
    let w = slot.w / MM_PER_PT;
    for (n, (i, piece)) in fitted.lines.iter().enumerate() {
        if n > 0 {
            y += slot.leading * size;
        }
        y += piece.top * size;
        let x = match slot.align.as_deref() {
            Some("center") => x0 + (w - piece.width * size) / 2.0,
            Some("right") => x0 + w - piece.width * size,
            _ => x0,
        };
        draw_piece(surface, (faces, fonts), (x, y), &lines[*i], piece, size);
    }
}

/// Draws `piece` of `line` at `size` pt, its baseline starting at `at` (pt).
pub fn draw_piece(
    surface: &mut Surface,
    (faces, fonts): (&Faces, &mut PdfFonts),
    at: (f64, f64),
    line: &TextLine,
    piece: &Piece,
    size: f64,
) {
    let (mut x, y) = at;
    if line.gray != 0 {
        surface.set_fill(Some(krilla::paint::Fill {
            paint: krilla::color::luma::Color::new(line.gray).into(),
            ..Default::default()
        }));
    }
    let shaped = &line.shaped;
    {
        for run in &shaped.runs {
            // The glyphs of the run in the piece: a contiguous stretch (the text is left to right).
            let inside = |g: &KrillaGlyph| piece.range.contains(&g.text_range.start);
            let Some(first) = run.glyphs.iter().position(inside) else { continue };
            let count = run.glyphs[first..].iter().take_while(|g| inside(g)).count();
            let glyphs = &run.glyphs[first..first + count];
            let Some(font) = fonts.get(faces, run.font) else { continue };
            surface.draw_glyphs(Point::from_xy(x as f32, y as f32), glyphs, font, &shaped.text, size as f32, false);
            x += glyphs.iter().map(|g| f64::from(g.x_advance)).sum::<f64>() * size;
        }
    }
    if line.gray != 0 {
        surface.set_fill(Some(krilla::paint::Fill::default()));
    }
}

/// Fits `lines` into `slot` and draws them (at `origin`, pt); or what did not fit.
pub fn text_slot(
    surface: &mut Surface,
    faces: (&Faces, &mut PdfFonts),
    origin: (f64, f64),
    slot: &Slot,
    lines: &[TextLine],
) -> Result<(), Overflow> {
    let fitted = fit(faces.0, slot, lines)?;
    draw_lines(surface, faces, origin, slot, lines, &fitted);
    Ok(())
}

/// Draws the Code 128 `code` in `slot` (placed at `origin`, pt) as one dashed line as tall as
/// the slot (the dashes alternate bar and space widths: a few bytes per symbol), modules at most
/// the slot's `module` mm wide, the symbol aligned as the slot says.
pub fn draw_barcode(surface: &mut Surface, origin: (f64, f64), slot: &Slot, code: &Barcode) {
    let modules = code.modules.max(1) as f64;
    let m = slot.module.unwrap_or(0.33).min(slot.w / modules);
    let width = m * modules;
    let left = match slot.align.as_deref() {
        Some("center") => (slot.w - width) / 2.0,
        Some("right") => slot.w - width,
        _ => 0.0,
    };
    let pt = |mm: f64| (mm / MM_PER_PT) as f32;
    let x0 = origin.0 as f32 + pt(slot.x + left + code.quiet as f64 * m);
    let length = pt((modules - 2.0 * code.quiet as f64) * m);
    let y = origin.1 as f32 + pt(slot.y + slot.h / 2.0);
    let mut builder = PathBuilder::new();
    builder.move_to(x0, y);
    builder.line_to(x0 + length, y);
    let Some(path) = builder.finish() else { return };
    let dash = StrokeDash { array: code.dash.iter().map(|&d| pt(d as f64 * m)).collect(), offset: 0.0 };
    surface.set_fill(None);
    surface.set_stroke(Some(Stroke {
        width: pt(slot.h),
        line_cap: LineCap::Butt,
        dash: Some(dash),
        ..Default::default()
    }));
    surface.draw_path(&path);
    surface.set_stroke(None);
    surface.set_fill(Some(krilla::paint::Fill::default()));
}
