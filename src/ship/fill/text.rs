//! Text as the field filler sets it: each character drawn by the first face of the slot's list
//! for the line's script that has it (the rule Typst follows for a font list), shaped once with
//! rustybuzz, measured the way Typst measures a paragraph (each line from its top edge at the
//! cap height to its baseline, `leading` between lines) and broken between words when it does
//! not fit: after a space, and between East Asian characters.

use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

use krilla::text::{GlyphId, KrillaGlyph};
use typst::text::{FontStretch, FontStyle, FontVariant, FontWeight};

use crate::ship::script::Script;
use crate::typeset::fonts::Fonts;

/// Millimetres per point.
pub const MM_PER_PT: f64 = 25.4 / 72.0;

/// One run of a line in one face: glyph advances in em.
#[derive(Debug, Clone)]
pub struct Run {
    /// The face, as an index into [`Fonts::fonts`].
    pub font: usize,
    /// The glyphs, normalised to em, their ranges into the line's text.
    pub glyphs: Vec<KrillaGlyph>,
}

/// One line of text, shaped.
#[derive(Debug, Clone)]
pub struct Shaped {
    /// The text.
    pub text: String,
    /// Its runs, in order.
    pub runs: Vec<Run>,
}

/// A piece of a shaped line that goes on one printed line.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    /// Bytes of the line's text.
    pub range: Range<usize>,
    /// Width in em.
    pub width: f64,
    /// Height above the baseline (the largest cap height of its faces), in em.
    pub top: f64,
}

/// The faces of the project, chosen per slot and character.
pub struct Faces<'a> {
    fonts: &'a Fonts,
    /// Per face: its rustybuzz face and its cap height in em (as Typst reads it).
    faces: Vec<Option<(rustybuzz::Face<'a>, f64)>>,
    selected: std::cell::RefCell<HashMap<(String, bool), Option<usize>>>,
    /// Shape plans per face, script and language (making one costs more than shaping a line).
    plans: std::cell::RefCell<HashMap<(usize, String), std::rc::Rc<rustybuzz::ShapePlan>>>,
    /// Lines already shaped, by text, faces, script and weight (many repeat: countries, words,
    /// edition titles, weights); emptied when it grows past [`SHAPED_KEPT`].
    shaped: std::cell::RefCell<HashMap<ShapeKey, HashMap<String, Rc<Shaped>>>>,
}

/// What a shaped line depends on besides its text: the face list (by address: the slot's, which
/// lives as long as the run), its script and whether it is bold.
type ShapeKey = (usize, Script, bool);

/// Shaped lines kept at most.
const SHAPED_KEPT: usize = 20_000;

impl<'a> Faces<'a> {
    /// The project's faces.
    pub fn new(fonts: &'a Fonts) -> Self {
        let faces = fonts
            .fonts
            .iter()
            .map(|f| {
                let face = rustybuzz::Face::from_slice(f.data().as_slice(), f.index())?;
                let upem = f64::from(face.units_per_em());
                let cap = face.capital_height().filter(|&h| h > 0).unwrap_or(face.ascender());
                Some((face, f64::from(cap) / upem))
            })
            .collect();
        Faces { fonts, faces, selected: Default::default(), plans: Default::default(), shaped: Default::default() }
    }

    /// The project's fonts.
    pub fn fonts(&self) -> &'a Fonts {
        self.fonts
    }

    /// Whether face `i` draws `c`.
    fn has(&self, i: usize, c: char) -> bool {
        self.faces[i].as_ref().is_some_and(|(f, _)| f.glyph_index(c).is_some())
    }

    /// The face of `family` (regular or bold), if the project has it.
    fn select(&self, family: &str, bold: bool) -> Option<usize> {
        let fonts = self.fonts;
        *self.selected.borrow_mut().entry((family.to_string(), bold)).or_insert_with(|| {
            let weight = if bold { FontWeight::BOLD } else { FontWeight::REGULAR };
            let variant = FontVariant { style: FontStyle::Normal, weight, stretch: FontStretch::NORMAL };
            fonts.book.select(&family.to_lowercase(), variant)
        })
    }

    /// The face that draws `c`: the first of `families` that has it, else any face that has it.
    fn face_for(&self, c: char, families: &[String], bold: bool) -> Option<usize> {
        for family in families {
            if let Some(i) = self.select(family, bold)
                && self.has(i, c)
            {
                return Some(i);
            }
        }
        (0..self.faces.len()).find(|&i| self.has(i, c))
    }

    /// Shapes `text` with the faces `families` (for its `script`), bold or not; a character no
    /// face draws is returned as the error.
    pub fn shape(&self, text: &str, families: &[String], script: Script, bold: bool) -> Result<Rc<Shaped>, char> {
        let key = (families.as_ptr() as usize, script, bold);
        if let Some(shaped) = self.shaped.borrow().get(&key).and_then(|m| m.get(text)) {
            return Ok(shaped.clone());
        }
        let shaped = Rc::new(self.shape_new(text, families, script, bold)?);
        let mut cache = self.shaped.borrow_mut();
        if cache.values().map(HashMap::len).sum::<usize>() >= SHAPED_KEPT {
            cache.clear();
        }
        cache.entry(key).or_default().insert(text.to_string(), shaped.clone());
        Ok(shaped)
    }

    fn shape_new(&self, text: &str, families: &[String], script: Script, bold: bool) -> Result<Shaped, char> {
        let mut spans: Vec<(usize, Range<usize>)> = Vec::new();
        for (at, c) in text.char_indices() {
            let end = at + c.len_utf8();
            // Spaces stay in the face of the run they follow, when it has them.
            if c.is_whitespace()
                && let Some((font, range)) = spans.last_mut()
                && self.has(*font, c)
            {
                range.end = end;
                continue;
            }
            let font = self.face_for(c, families, bold).ok_or(c)?;
            match spans.last_mut() {
                Some((f, range)) if *f == font => range.end = end,
                _ => spans.push((font, at..end)),
            }
        }
        let language = match script {
            Script::Latin => "en",
            Script::Korean => "ko",
            Script::Japanese => "ja",
            Script::TraditionalChinese => "zh-TW",
        };
        let runs = spans.into_iter().map(|(font, range)| self.shape_run(text, font, range, language)).collect();
        Ok(Shaped { text: text.to_string(), runs })
    }

    fn shape_run(&self, text: &str, font: usize, range: Range<usize>, language: &str) -> Run {
        let Some((face, _)) = &self.faces[font] else { return Run { font, glyphs: Vec::new() } };
        let upem = face.units_per_em() as f32;
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(&text[range.clone()]);
        buffer.set_direction(rustybuzz::Direction::LeftToRight);
        if let Ok(lang) = language.parse() {
            buffer.set_language(lang);
        }
        buffer.guess_segment_properties();
        let plan_key = (font, format!("{:?}/{language}", buffer.script()));
        let plan = self.plans.borrow().get(&plan_key).cloned();
        let plan = plan.unwrap_or_else(|| {
            let made = std::rc::Rc::new(rustybuzz::ShapePlan::new(
                face,
                buffer.direction(),
                Some(buffer.script()),
                buffer.language().as_ref(),
                &[],
            ));
            self.plans.borrow_mut().insert(plan_key, made.clone());
            made
        });
        let shaped = rustybuzz::shape_with_plan(face, &plan, buffer);
        let (infos, positions) = (shaped.glyph_infos(), shaped.glyph_positions());
        let mut glyphs = Vec::with_capacity(infos.len());
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let start = range.start + info.cluster as usize;
            let end = infos[i + 1..]
                .iter()
                .map(|n| range.start + n.cluster as usize)
                .find(|&e| e > start)
                .unwrap_or(range.end);
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                pos.x_advance as f32 / upem,
                pos.x_offset as f32 / upem,
                pos.y_offset as f32 / upem,
                0.0,
                start..end,
                None,
            ));
        }
        Run { font, glyphs }
    }

    /// The cap height of face `font`, in em.
    fn cap(&self, font: usize) -> f64 {
        self.faces[font].as_ref().map_or(0.0, |(_, cap)| *cap)
    }

    /// The piece `range` of `line`: its width and height.
    pub fn piece(&self, line: &Shaped, range: Range<usize>) -> Piece {
        let (mut width, mut top) = (0.0, 0.0f64);
        for run in &line.runs {
            let mut used = false;
            for g in run.glyphs.iter().filter(|g| range.contains(&g.text_range.start)) {
                width += f64::from(g.x_advance);
                used = true;
            }
            if used {
                top = top.max(self.cap(run.font));
            }
        }
        if top == 0.0 {
            top = line.runs.first().map_or(0.0, |r| self.cap(r.font));
        }
        Piece { range, width, top }
    }

    /// `line` broken into pieces no wider than `width` em where it can be (after a space, or
    /// between East Asian characters); also whether some piece is still wider (a word that
    /// cannot be broken).
    pub fn wrap(&self, line: &Shaped, width: f64) -> (Vec<Piece>, bool) {
        let whole = self.piece(line, 0..line.text.len());
        if whole.width <= width + 1e-9 {
            return (vec![whole], false);
        }
        let len = line.text.len();
        let mut stops = breaks(&line.text);
        stops.push((len, len));
        let (mut pieces, mut too_wide) = (Vec::new(), false);
        let (mut start, mut fit): (usize, Option<(usize, usize)>) = (0, None);
        let mut i = 0;
        while i < stops.len() && start < len {
            let (end, next) = stops[i];
            if end <= start {
                i += 1;
                continue;
            }
            let candidate = self.piece(line, start..end);
            if candidate.width <= width + 1e-9 {
                fit = Some((end, next));
                if end == len {
                    pieces.push(candidate);
                    start = len;
                }
                i += 1;
                continue;
            }
            match fit.take() {
                // Break at the last place that fitted, and try this stop again from there.
                Some((e, n)) => {
                    pieces.push(self.piece(line, start..e));
                    start = n;
                }
                // Nothing from `start` to here can be broken: it sticks out.
                None => {
                    too_wide = true;
                    pieces.push(candidate);
                    start = next;
                    i += 1;
                }
            }
        }
        (pieces, too_wide)
    }
}

fn is_east_asian(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{11FF}' | '\u{3040}'..='\u{30FF}' | '\u{3130}'..='\u{318F}' | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}')
}

/// Where a line may break, in order: `(end of the piece before, start of the piece after)`;
/// a space between them is dropped.
fn breaks(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    for (i, &(_, c)) in chars.iter().enumerate() {
        let Some(&(next_at, next)) = chars.get(i + 1) else { break };
        if c == ' ' {
            continue;
        }
        if next == ' ' {
            let mut after = next_at;
            while text[after..].starts_with(' ') {
                after += 1;
            }
            if after < text.len() {
                out.push((next_at, after));
            }
        } else if is_east_asian(c) || is_east_asian(next) || (c == '-' && i > 0) {
            out.push((next_at, next_at));
        }
    }
    out
}

/// The height of lines `tops` (em) at `size` with `leading` (em) between them, in pt.
pub fn block_height(tops: impl IntoIterator<Item = f64>, size: f64, leading: f64) -> f64 {
    let (mut sum, mut n) = (0.0, 0);
    for t in tops {
        sum += t;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    size * (sum + leading * f64::from(n - 1))
}

#[cfg(test)]
mod tests {
    use super::breaks;

    #[test]
    fn lines_break_after_spaces_and_between_east_asian_characters() {
        assert_eq!(breaks("ab cd"), vec![(2, 3)]);
        assert_eq!(breaks("ab  cd "), vec![(2, 4)]);
        assert_eq!(breaks("東京都"), vec![(3, 3), (6, 6)]);
        assert_eq!(breaks("Hamilton-Wentworth"), vec![(9, 9)]);
    }
}
