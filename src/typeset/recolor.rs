//! The screen form of an edition from its laid-out press form: CMYK colours become RGB and the
//! bleed goes, without laying the pages out a second time (the layout is the same; PDF/A only
//! refuses the CMYK colours).

use typst::layout::{Abs, Frame, FrameItem, GroupItem, Sides};
use typst::model::Document;
use typst::visualize::{Color, Paint, ProcessColor, Rgb};
use typst_layout::{Page, PagedDocument};

/// `paint` with a CMYK colour converted to RGB (K-only greys to the same neutral grey in RGB, so
/// text and QR codes in K-only black are pure RGB black, 0 0 0); other paints unchanged.
fn to_rgb(paint: &Paint) -> Paint {
    match paint {
        Paint::Solid(color @ Color::Process(ProcessColor::Cmyk(_))) => {
            let [cyan, magenta, yellow, key] = color.to_vec4();
            if cyan == 0.0 && magenta == 0.0 && yellow == 0.0 {
                let grey = 1.0 - key;
                Paint::Solid(Color::Process(ProcessColor::Rgb(Rgb::new(grey, grey, grey, 1.0))))
            } else {
                Paint::Solid(Color::Process(ProcessColor::Rgb(color.to_rgb())))
            }
        }
        other => other.clone(),
    }
}

fn frame(source: &Frame) -> Frame {
    let mut out = Frame::new(source.size(), source.kind());
    if source.has_baseline() {
        out.set_baseline(source.baseline());
    }
    for (pos, item) in source.items() {
        let item = match item {
            FrameItem::Group(g) => FrameItem::Group(GroupItem { frame: frame(&g.frame), ..g.clone() }),
            FrameItem::Text(t) => {
                let mut t = t.clone();
                t.fill = to_rgb(&t.fill);
                if let Some(s) = &mut t.stroke {
                    s.paint = to_rgb(&s.paint);
                }
                FrameItem::Text(t)
            }
            FrameItem::Shape(shape, span) => {
                let mut shape = shape.clone();
                shape.fill = shape.fill.as_ref().map(to_rgb);
                if let Some(s) = &mut shape.stroke {
                    s.paint = to_rgb(&s.paint);
                }
                FrameItem::Shape(shape, *span)
            }
            other => other.clone(),
        };
        out.push(*pos, item);
    }
    out
}

/// The same pages with RGB colours and no bleed.
pub fn screen_from_press(press: &PagedDocument) -> PagedDocument {
    let pages = press
        .pages()
        .iter()
        .map(|p| Page {
            frame: frame(&p.frame),
            bleed: Sides::splat(Abs::zero()),
            fill: p.fill.clone().map(|f| f.map(|paint| to_rgb(&paint))),
            ..p.clone()
        })
        .collect();
    PagedDocument::new(pages, press.info().clone())
}
