//! Helpers shared by the integration tests: sample project copies, PDF and pixel read-back.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use typst::layout::{Frame, FrameItem, Point, Transform};
use typst::visualize::{CurveItem, Geometry};
use typst_layout::PagedDocument;

/// Runs the guidepress binary on the project at `root` with `args`.
pub fn guidepress(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guidepress")).arg("--project").arg(root).args(args).output().unwrap()
}

/// What a run printed on stderr.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

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

/// Marks every contact of a project copy (shared and per edition) as confirmed on 2026-11-01,
/// shortly before the sample guide's date.
pub fn confirm_every_contact(root: &Path) {
    let mut files = vec![root.join("guidepress.toml")];
    files.extend(fs::read_dir(root.join("editions")).unwrap().map(|e| e.unwrap().path()));
    for path in files {
        let text = fs::read_to_string(&path).unwrap();
        let kept: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with("verified =")).collect();
        let text = kept.join("\n").replace("[[contact]]", "[[contact]]\nverified = 2026-11-01");
        fs::write(&path, text).unwrap();
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

/// A QR code found in pixels.
pub struct FoundQr {
    /// What it decodes to.
    pub payload: String,
    /// Its width in pixels with the 4-module quiet zones, from the symbol's corners and version.
    pub width_px: f64,
}

/// Decodes every QR code found in greyscale pixels, with its printed width.
pub fn decode_qr_codes(w: usize, h: usize, grey: &[u8]) -> Vec<FoundQr> {
    decode_scaled(w, h, grey, 1)
}

/// Decodes the one QR code expected in greyscale pixels. rqrr finds a code's finder patterns
/// less reliably than zbar when a module is a few pixels wide and not a whole number of them
/// (3.7 px at 150 dpi, where zbar reads every code): if the pixels as they are give nothing,
/// they are read again enlarged 2× and 3× (each pixel repeated, nothing smoothed or invented).
pub fn decode_one_qr(w: usize, h: usize, grey: &[u8]) -> Vec<FoundQr> {
    for scale in [1, 2, 3] {
        let found = decode_scaled(w, h, grey, scale);
        if !found.is_empty() {
            return found
                .into_iter()
                .map(|f| FoundQr { payload: f.payload, width_px: f.width_px / scale as f64 })
                .collect();
        }
    }
    Vec::new()
}

fn decode_scaled(w: usize, h: usize, grey: &[u8], scale: usize) -> Vec<FoundQr> {
    // Binarise first: anti-aliased module edges confuse rqrr's adaptive threshold.
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w * scale, h * scale, |x, y| {
        if grey[(y / scale) * w + x / scale] < 128 { 0 } else { 255 }
    });
    img.detect_grids()
        .into_iter()
        .filter_map(|g| {
            let [a, b, ..] = g.bounds;
            let (meta, payload) = g.decode().ok()?;
            let modules = 17.0 + 4.0 * meta.version.0 as f64;
            let side = f64::from(b.x - a.x).hypot(f64::from(b.y - a.y));
            Some(FoundQr { payload, width_px: side * (modules + 8.0) / modules })
        })
        .collect()
}

/// Bounding boxes `[x0, y0, x1, y1]` (pt, page coordinates, bleed included) of every QR code
/// drawn in a frame: a filled curve of many sub-paths (one per run of dark modules), quiet zone
/// not included.
pub fn qr_boxes(frame: &Frame) -> Vec<[f64; 4]> {
    let mut out = Vec::new();
    collect_qr(frame, Transform::identity(), &mut out);
    out
}

fn collect_qr(frame: &Frame, ts: Transform, out: &mut Vec<[f64; 4]>) {
    for (pos, item) in frame.items() {
        let ts = ts.pre_concat(Transform::translate(pos.x, pos.y));
        match item {
            FrameItem::Group(g) => collect_qr(&g.frame, ts.pre_concat(g.transform), out),
            FrameItem::Shape(shape, _) => {
                let Geometry::Curve(curve) = &shape.geometry else { continue };
                let moves = curve.0.iter().filter(|i| matches!(i, CurveItem::Move(_))).count();
                if moves < 30 || shape.fill.is_none() {
                    continue;
                }
                let mut bx = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
                for item in &curve.0 {
                    if let CurveItem::Move(p) | CurveItem::Line(p) = item {
                        let p: Point = p.transform(ts);
                        bx = [
                            bx[0].min(p.x.to_pt()),
                            bx[1].min(p.y.to_pt()),
                            bx[2].max(p.x.to_pt()),
                            bx[3].max(p.y.to_pt()),
                        ];
                    }
                }
                out.push(bx);
            }
            _ => {}
        }
    }
}

/// Decodes the QR code inside one box (pt; `dx`, `dy` pt moved, e.g. by a bleed the pixels do
/// not have) of a page rendered at `ppi`, alone: several codes on one page are read one by one.
pub fn decode_qr_in(w: usize, h: usize, grey: &[u8], ppi: f32, bx: [f64; 4]) -> Vec<FoundQr> {
    let k = f64::from(ppi) / 72.0;
    // The quiet zone and a little more.
    let margin = (bx[2] - bx[0]) * 0.25;
    let x0 = ((bx[0] - margin) * k).max(0.0) as usize;
    let y0 = ((bx[1] - margin) * k).max(0.0) as usize;
    let x1 = (((bx[2] + margin) * k) as usize).min(w);
    let y1 = (((bx[3] + margin) * k) as usize).min(h);
    let (cw, ch) = (x1 - x0, y1 - y0);
    let crop: Vec<u8> = (y0..y1).flat_map(|y| grey[y * w + x0..y * w + x1].iter().copied()).collect();
    decode_one_qr(cw, ch, &crop)
}

/// The QR codes zbar (`zbarimg`, installed by .ci/run) reads on page `page` (1-based) of a PDF
/// rendered by poppler's pdftoppm at `dpi`, in greyscale; `scratch` is a folder for the image.
pub fn zbar_page(pdf: &Path, page: usize, dpi: u32, scratch: &Path) -> Vec<String> {
    let prefix = scratch.join(format!("zbar-{dpi}-{page}"));
    let status = std::process::Command::new("pdftoppm")
        .args([
            "-gray",
            "-png",
            "-singlefile",
            "-r",
            &dpi.to_string(),
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
        ])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .expect("pdftoppm (poppler-utils) must be installed; .ci/run installs it");
    assert!(status.success(), "pdftoppm failed on {}", pdf.display());
    let png = prefix.with_extension("png");
    let out = std::process::Command::new("zbarimg")
        .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .arg(&png)
        .output()
        .expect("zbarimg (zbar-tools) must be installed; .ci/run installs it");
    // Exit status 4: no code found on the page.
    assert!(out.status.success() || out.status.code() == Some(4), "zbarimg failed on {}", png.display());
    let _ = fs::remove_file(&png);
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}

/// Page `page` (1-based) of a PDF rendered by poppler's pdftoppm at `dpi`, as greyscale pixels.
pub fn pdftoppm_grey(pdf: &Path, page: usize, dpi: u32) -> (usize, usize, Vec<u8>) {
    let out = std::process::Command::new("pdftoppm")
        .args(["-gray", "-r", &dpi.to_string(), "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .output()
        .expect("pdftoppm (poppler-utils) must be installed; .ci/run installs it");
    assert!(out.status.success(), "pdftoppm failed on {}", pdf.display());
    parse_pgm(&out.stdout)
}

/// Width, height and pixels of a binary PGM (P5, 8-bit) image.
pub fn parse_pgm(bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if bytes[i] == b'#' {
            while bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..i]).into_owned());
    }
    assert_eq!(fields[0], "P5", "not a binary PGM");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    assert_eq!(fields[3], "255");
    let data = bytes[i + 1..i + 1 + w * h].to_vec();
    (w, h, data)
}

/// The text of a PDF as poppler's pdftotext extracts it (installed by .ci/run).
pub fn pdftotext(pdf: &Path) -> String {
    pdftotext_with(pdf, &[])
}

/// Like [`pdftotext`], with more of pdftotext's options (a page range, a crop box …).
pub fn pdftotext_with(pdf: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .args(args)
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed; .ci/run installs it");
    assert!(out.status.success(), "pdftotext failed on {}", pdf.display());
    String::from_utf8(out.stdout).unwrap()
}

/// A path for a record of its own (not yet created), under the system's temporary folder.
pub fn fresh_record() -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("guidepress-test-records-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{n}.sqlite"))
}

/// Ships with a record of its own, so that a test about labels and packing sheets finds every
/// order line still owed, however often the same orders are shipped.
pub fn ship_fresh(
    project: &guidepress::project::Project,
    options: &guidepress::ship::ShipOptions,
) -> Result<guidepress::ship::ShipReport, guidepress::Error> {
    let mut project = project.clone();
    project.records.path = fresh_record().to_string_lossy().into_owned();
    guidepress::press::ship(&project, options)
}

/// Shipping output with what changes from day to day and build to build put as placeholders:
/// print codes (`{code}`) and batch ids (`{batch}`).
pub fn placeholders(text: &str) -> String {
    let code = regex::Regex::new(r"\b[A-Z]{2}-[0-9A-Za-z.]+-[0-9A-F]{4}\b").unwrap();
    let batch = regex::Regex::new(r"\b\d{8}-\d+\b").unwrap();
    batch.replace_all(&code.replace_all(text, "{code}"), "{batch}").into_owned()
}

/// Headless Chromium's screenshot of `html` in a window `w`×`h`, as RGBA pixels with its size
/// (`scratch`: a folder for the image).
pub fn chromium_screenshot(html: &Path, w: u32, h: u32, scratch: &Path) -> (u32, u32, Vec<u8>) {
    let chromium = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| std::process::Command::new(c).arg("--version").output().is_ok());
    let Some(chromium) = chromium else {
        panic!("headless Chromium is needed for this test: install Debian's `chromium` package (.ci/run does)");
    };
    let shot = scratch.join("shot.png");
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg("--hide-scrollbars")
        .arg(format!("--window-size={w},{h}"))
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    assert!(shot.exists(), "chromium wrote no screenshot: {}", String::from_utf8_lossy(&out.stderr));
    let decoder = png::Decoder::new(std::io::BufReader::new(fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf.chunks(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect(),
        other => panic!("unexpected screenshot colour type {other:?}"),
    };
    (info.width, info.height, rgba)
}
