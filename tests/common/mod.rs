//! Helpers shared by the integration tests: sample project copies, PDF and pixel read-back.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use typst::layout::{Frame, FrameItem, Point, Transform};
use typst_layout::PagedDocument;

/// The sample project at the repository root.
pub fn sample_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies the sample project (fonts linked, not copied) into a fresh temporary folder.
pub fn sample_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = sample_root();
    fs::copy(root.join("guidepress.toml"), dir.path().join("guidepress.toml")).unwrap();
    for sub in ["chapters", "editions", "layouts", "orders"] {
        if root.join(sub).exists() {
            copy_dir(&root.join(sub), &dir.path().join(sub));
        }
    }
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("fonts"), dir.path().join("fonts")).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Replaces `from` by `to` in a file of a project copy, failing if `from` is absent.
pub fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} does not contain {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// Renders a page to greyscale pixels at `ppi`.
pub fn render_grey(doc: &PagedDocument, page: usize, ppi: f32) -> (usize, usize, Vec<u8>) {
    let pixmap = typst_render::render(
        &doc.pages()[page],
        &typst_render::RenderOptions { pixel_per_pt: (f64::from(ppi) / 72.0).into(), render_bleed: false },
    );
    let (w, h) = (pixmap.width() as usize, pixmap.height() as usize);
    let grey = pixmap
        .pixels()
        .iter()
        .map(|p| {
            let c = p.demultiply();
            let a = c.alpha() as u32;
            let l = (c.red() as u32 * 299 + c.green() as u32 * 587 + c.blue() as u32 * 114) / 1000;
            // Composite over white.
            ((l * a + 255 * (255 - a)) / 255) as u8
        })
        .collect();
    (w, h, grey)
}

/// Decodes every QR code found in greyscale pixels.
pub fn decode_qr(w: usize, h: usize, grey: &[u8]) -> Vec<String> {
    // Binarise first: anti-aliased module edges confuse rqrr's adaptive threshold.
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| if grey[y * w + x] < 128 { 0 } else { 255 });
    img.detect_grids().into_iter().filter_map(|g| g.decode().ok().map(|(_, s)| s)).collect()
}

/// Bounding boxes `[x0, y0, x1, y1]` (pt, page coordinates) of every image placed in a frame.
pub fn image_boxes(frame: &Frame) -> Vec<[f64; 4]> {
    let mut out = Vec::new();
    collect_images(frame, Transform::identity(), &mut out);
    out
}

fn collect_images(frame: &Frame, ts: Transform, out: &mut Vec<[f64; 4]>) {
    for (pos, item) in frame.items() {
        let ts = ts.pre_concat(Transform::translate(pos.x, pos.y));
        match item {
            FrameItem::Group(g) => collect_images(&g.frame, ts.pre_concat(g.transform), out),
            FrameItem::Image(_, size, _) => {
                let a = Point::zero().transform(ts);
                let b = Point::new(size.x, size.y).transform(ts);
                out.push([
                    a.x.to_pt().min(b.x.to_pt()),
                    a.y.to_pt().min(b.y.to_pt()),
                    a.x.to_pt().max(b.x.to_pt()),
                    a.y.to_pt().max(b.y.to_pt()),
                ]);
            }
            _ => {}
        }
    }
}

/// Decodes the QR code inside one box of a rendered page (`ppi` as rendered), alone.
pub fn decode_qr_in(w: usize, h: usize, grey: &[u8], ppi: f32, bx: [f64; 4]) -> Vec<String> {
    let k = f64::from(ppi) / 72.0;
    let margin = 4.0;
    let x0 = ((bx[0] - margin) * k).max(0.0) as usize;
    let y0 = ((bx[1] - margin) * k).max(0.0) as usize;
    let x1 = (((bx[2] + margin) * k) as usize).min(w);
    let y1 = (((bx[3] + margin) * k) as usize).min(h);
    let (cw, ch) = (x1 - x0, y1 - y0);
    let crop: Vec<u8> = (y0..y1).flat_map(|y| grey[y * w + x0..y * w + x1].iter().copied()).collect();
    decode_qr(cw, ch, &crop)
}

/// The text of a PDF as poppler's pdftotext extracts it (installed by .ci/run).
pub fn pdftotext(pdf: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed; .ci/run installs it");
    assert!(out.status.success(), "pdftotext failed on {}", pdf.display());
    String::from_utf8(out.stdout).unwrap()
}
