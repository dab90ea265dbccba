//! Page renderings for the review: each press page as grey pixels at a fixed low resolution
//! (`compare-dpi` in layouts/review.toml), kept under `out/review/<id>/` as small grey PNGs with
//! their hashes, so that the next build can say which pages look different and where.

use std::hash::{Hash, Hasher};

use typst::layout::{Frame, FrameItem};
use typst_layout::Page;

use crate::output::sha256_hex;

/// A page rendered in grey, one byte per pixel, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grey {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The pixels (0 black … 255 white).
    pub pixels: Vec<u8>,
}

/// A rectangle of a page as fractions of its width and height (0 … 1).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Region {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

/// A hash of what a laid-out page draws: equal hashes mean equal renderings, so such pages are
/// not rendered again. Typst's own hash of a page differs between runs (its source spans number
/// files in the order they were first read), so this one leaves out spans, links and tags.
pub fn layout_hash(page: &Page) -> String {
    format!("{:032x}", typst::utils::hash128(&Drawn(page)))
}

/// A page hashed by what it draws.
struct Drawn<'a>(&'a Page);

impl Hash for Drawn<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.fill.hash(state);
        hash_frame(&self.0.frame, state);
    }
}

fn hash_frame<H: Hasher>(frame: &Frame, state: &mut H) {
    frame.size().hash(state);
    for (at, item) in frame.items() {
        at.hash(state);
        match item {
            FrameItem::Group(g) => {
                0u8.hash(state);
                g.transform.hash(state);
                g.clip.hash(state);
                hash_frame(&g.frame, state);
            }
            FrameItem::Text(t) => {
                1u8.hash(state);
                (&t.font, t.size, &t.fill, &t.stroke, &t.text).hash(state);
                for g in &t.glyphs {
                    (g.id, g.x_advance, g.x_offset, g.y_advance, g.y_offset).hash(state);
                }
            }
            FrameItem::Shape(shape, _) => (2u8, shape).hash(state),
            FrameItem::Image(image, size, _) => (3u8, image, size).hash(state),
            FrameItem::Link(..) | FrameItem::Tag(_) => {}
        }
    }
}

/// Renders a page (trim only, no bleed) at `dpi` in 16 levels of grey, composited over white.
pub fn render_grey(page: &Page, dpi: f32) -> Grey {
    let pixmap = typst_render::render(
        page,
        &typst_render::RenderOptions { pixel_per_pt: (f64::from(dpi) / 72.0).into(), render_bleed: false },
    );
    let pixels = pixmap
        .pixels()
        .iter()
        .map(|p| {
            let c = p.demultiply();
            let a = u32::from(c.alpha());
            let l = (u32::from(c.red()) * 299 + u32::from(c.green()) * 587 + u32::from(c.blue()) * 114) / 1000;
            // Composited over white, then kept to 16 grey levels (0, 17, … 255): the PNG stores
            // four bits a pixel.
            let grey = (l * a + 255 * (255 - a)) / 255;
            ((grey >> 4) * 17) as u8
        })
        .collect();
    Grey { width: pixmap.width(), height: pixmap.height(), pixels }
}

/// Renders a page in colour at `dpi` as PNG (the cover thumbnail).
pub fn render_colour_png(page: &Page, dpi: f32) -> Option<Vec<u8>> {
    let pixmap = typst_render::render(
        page,
        &typst_render::RenderOptions { pixel_per_pt: (f64::from(dpi) / 72.0).into(), render_bleed: false },
    );
    pixmap.encode_png().ok()
}

impl Grey {
    /// The hash of the size and pixels.
    pub fn hash(&self) -> String {
        let mut bytes = format!("{}x{}\n", self.width, self.height).into_bytes();
        bytes.extend_from_slice(&self.pixels);
        sha256_hex(&bytes)
    }

    /// As a 4-bit greyscale PNG (the pixels are 16 levels already).
    pub fn to_png(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let width = self.width as usize;
        let mut packed = Vec::with_capacity(width.div_ceil(2) * self.height as usize);
        for row in self.pixels.chunks(width.max(1)) {
            for pair in row.chunks(2) {
                let hi = pair[0] / 17;
                let lo = pair.get(1).map_or(0, |p| p / 17);
                packed.push((hi << 4) | lo);
            }
        }
        {
            let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
            encoder.set_color(png::ColorType::Grayscale);
            encoder.set_depth(png::BitDepth::Four);
            encoder.set_compression(png::Compression::Balanced);
            let written = encoder.write_header().and_then(|mut w| w.write_image_data(&packed));
            if written.is_err() {
                return Vec::new();
            }
        }
        out
    }

    /// Reads back a PNG written by [`Grey::to_png`]; `None` for anything else.
    pub fn from_png(bytes: &[u8]) -> Option<Grey> {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        // Four bits a pixel are read back as 0, 17, … 255.
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().ok()?;
        let mut buf = vec![0; reader.output_buffer_size()?];
        let info = reader.next_frame(&mut buf).ok()?;
        if info.color_type != png::ColorType::Grayscale || info.bit_depth != png::BitDepth::Eight {
            return None;
        }
        buf.truncate(info.buffer_size());
        let grey = Grey { width: info.width, height: info.height, pixels: buf };
        (grey.pixels.len() == info.width as usize * info.height as usize).then_some(grey)
    }
}

/// The smallest rectangle holding every pixel that differs between `before` and `after` by more
/// than `threshold` grey levels; the whole page when their sizes differ; `None` when none does.
pub fn differing_region(before: &Grey, after: &Grey, threshold: u8) -> Option<Region> {
    if (before.width, before.height) != (after.width, after.height) {
        return Some(Region { x: 0.0, y: 0.0, w: 1.0, h: 1.0 });
    }
    let (w, h) = (after.width as usize, after.height as usize);
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for y in 0..h {
        for x in 0..w {
            let (a, b) = (before.pixels[y * w + x], after.pixels[y * w + x]);
            if a.abs_diff(b) > threshold {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            }
        }
    }
    if x0 == usize::MAX {
        return None;
    }
    // One pixel of margin around the difference.
    let (x0, y0, x1, y1) = (x0.saturating_sub(1), y0.saturating_sub(1), (x1 + 2).min(w), (y1 + 2).min(h));
    let (fw, fh) = (w as f64, h as f64);
    Some(Region { x: x0 as f64 / fw, y: y0 as f64 / fh, w: (x1 - x0) as f64 / fw, h: (y1 - y0) as f64 / fh })
}

/// The booklet sides (1-based) that hold press page `page` (1-based) of `pages`, in the
/// saddle-stitch order of layouts/booklet.typ: sheet `s` (0-based) carries `n−2s | 2s+1` on its
/// front and `2s+2 | n−2s−1` on its back.
pub fn booklet_side(page: usize, pages: usize) -> Option<usize> {
    if pages == 0 || !pages.is_multiple_of(4) || page == 0 || page > pages {
        return None;
    }
    for s in 0..pages / 4 {
        let front = [pages - 2 * s, 2 * s + 1];
        let back = [2 * s + 2, pages - 2 * s - 1];
        if front.contains(&page) {
            return Some(2 * s + 1);
        }
        if back.contains(&page) {
            return Some(2 * s + 2);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booklet_sides_follow_the_saddle_stitch_order() {
        // 8 pages: 8|1, 2|7, 6|3, 4|5.
        let sides: Vec<_> = (1..=8).map(|p| booklet_side(p, 8).unwrap()).collect();
        assert_eq!(sides, [1, 2, 3, 4, 4, 3, 2, 1]);
        assert_eq!(booklet_side(9, 8), None);
        assert_eq!(booklet_side(1, 6), None);
    }

    #[test]
    fn region_and_png_round_trip() {
        let blank = Grey { width: 9, height: 20, pixels: vec![255; 180] };
        let mut marked = blank.clone();
        marked.pixels[5 * 9 + 4] = 0;
        marked.pixels[19 * 9 + 8] = 119;
        assert_eq!(differing_region(&blank, &blank, 8), None);
        marked.pixels[19 * 9 + 8] = 255;
        let r = differing_region(&blank, &marked, 8).unwrap();
        assert_eq!((r.x * 9.0, r.y * 20.0, r.w * 9.0, r.h * 20.0), (3.0, 4.0, 3.0, 3.0));
        marked.pixels[19 * 9 + 8] = 119;
        assert_eq!(Grey::from_png(&marked.to_png()), Some(marked.clone()));
        assert_ne!(blank.hash(), marked.hash());
    }
}
