//! The wallet cards: built for every sample edition, read back from the PDFs — QR codes (poppler
//! and zbar at 150 and 300 dpi, typst-render and rqrr), text per card, card size, crop marks,
//! duplex registration — plus discreet cards and the cards' errors.

use crate::support;

use std::fs;
use std::path::Path;

use guidepress::editions::cards::{self, Form};
use guidepress::editions::{self, BuildOptions};
use guidepress::project::Project;
use lopdf::content::Content;
use typst::layout::{Frame, FrameItem};

const MM: f64 = 72.0 / 25.4;
/// ISO/IEC 7810 ID-1, in points.
const CARD: (f64, f64) = (85.6 * MM, 54.0 * MM);

/// A box `[x0, y0, x1, y1]` in PDF points (origin bottom left).
type Rect = [f64; 4];
/// A page rendered in grey: width, height, pixels.
type Pixels = (usize, usize, Vec<u8>);

/// What one page of a card file draws: the card faces (their clip, which is trim plus bleed),
/// whether each is a front (its band on the left), and every stroked straight line.
#[derive(Debug, Default)]
struct Drawn {
    faces: Vec<(Rect, bool)>,
    lines: Vec<Rect>,
}

fn mul(m: [f64; 6], n: [f64; 6]) -> [f64; 6] {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

fn bbox(points: &[(f64, f64)]) -> Rect {
    points.iter().fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, &(x, y)| {
        [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)]
    })
}

/// Reads a page's content stream: clip paths (`W n`), filled paths (`f`) and strokes (`S`), in
/// page coordinates (every `cm` applied).
fn drawn(doc: &lopdf::Document, page: lopdf::ObjectId) -> Drawn {
    let content = Content::decode(&doc.get_page_content(page).unwrap()).unwrap();
    let mut ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
    let mut stack = Vec::new();
    let mut path: Vec<(f64, f64)> = Vec::new();
    let mut clip = false;
    let mut out = Drawn::default();
    let mut fills: Vec<Rect> = Vec::new();
    let num = |o: &lopdf::Object| o.as_float().map(f64::from).or_else(|_| o.as_i64().map(|i| i as f64)).unwrap();
    for op in content.operations {
        let a: Vec<f64> = op.operands.iter().filter(|o| o.as_float().is_ok() || o.as_i64().is_ok()).map(num).collect();
        match op.operator.as_str() {
            "q" => stack.push(ctm),
            "Q" => ctm = stack.pop().unwrap(),
            "cm" => ctm = mul([a[0], a[1], a[2], a[3], a[4], a[5]], ctm),
            "m" | "l" => {
                let (x, y) = (a[0], a[1]);
                path.push((ctm[0] * x + ctm[2] * y + ctm[4], ctm[1] * x + ctm[3] * y + ctm[5]));
            }
            "W" => clip = true,
            "n" | "f" | "S" | "B" | "f*" => {
                if clip && !path.is_empty() {
                    out.faces.push((bbox(&path), true));
                } else if op.operator == "f" && !path.is_empty() {
                    fills.push(bbox(&path));
                } else if op.operator == "S" && path.len() == 2 {
                    out.lines.push(bbox(&path));
                }
                clip = false;
                path.clear();
            }
            _ => {}
        }
    }
    // A face is a front when its band (a fill as high as the face) touches its left edge.
    for (face, front) in &mut out.faces {
        let band = fills.iter().find(|f| {
            (f[3] - f[1] - (face[3] - face[1])).abs() < 0.5 && f[0] >= face[0] - 0.5 && f[2] <= face[2] + 0.5
        });
        *front = band.is_some_and(|b| (b[0] - face[0]).abs() < 0.5);
    }
    out
}

fn near(a: Rect, b: Rect, tol: f64) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
}

/// The trim of a face: its clip less the bleed.
fn trim(face: Rect, bleed: f64) -> Rect {
    [face[0] + bleed, face[1] + bleed, face[2] - bleed, face[3] - bleed]
}

/// Text of a region (PDF points, origin bottom left) of a page, by pdftotext.
fn text_in(pdf: &Path, page: usize, r: Rect, page_h: f64) -> String {
    let (x, y, w, h) = (r[0], page_h - r[3], r[2] - r[0], r[3] - r[1]);
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-f", &page.to_string(), "-l", &page.to_string()])
        .args(["-x", &format!("{}", x.floor()), "-y", &format!("{}", y.floor())])
        .args(["-W", &format!("{}", w.ceil()), "-H", &format!("{}", h.ceil())])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// The QR codes zbar reads in a region (PDF points) of a page rendered by pdftoppm at `dpi`
/// (`pixels`: the page as [`support::pdftoppm_grey`] gives it).
fn zbar_region(pixels: &Pixels, r: Rect, page_h: f64, dpi: u32, scratch: &Path) -> Vec<String> {
    let (w, h, grey) = pixels;
    let k = f64::from(dpi) / 72.0;
    let x0 = ((r[0] * k).round() as usize).min(*w);
    let x1 = ((r[2] * k).round() as usize).min(*w);
    let y0 = (((page_h - r[3]) * k).round() as usize).min(*h);
    let y1 = (((page_h - r[1]) * k).round() as usize).min(*h);
    let mut pgm = format!("P5\n{} {}\n255\n", x1 - x0, y1 - y0).into_bytes();
    for y in y0..y1 {
        pgm.extend_from_slice(&grey[y * w + x0..y * w + x1]);
    }
    let file = scratch.join(format!("zbar-region-{dpi}.pgm"));
    fs::write(&file, pgm).unwrap();
    let out = std::process::Command::new("zbarimg")
        .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .arg(&file)
        .output()
        .expect("zbarimg (zbar-tools) must be installed; .ci/run installs it");
    assert!(out.status.success() || out.status.code() == Some(4), "zbarimg failed");
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}

fn build_into(root: &Path, out: &Path) -> Project {
    let project = Project::load(root).expect("project loads");
    let options = BuildOptions { out: Some(out.to_path_buf()), ..Default::default() };
    guidepress::press::build(&project, &options).expect("builds");
    project
}

fn smallest_text(frame: &Frame) -> f64 {
    let mut min = f64::MAX;
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(g) => min = min.min(smallest_text(&g.frame)),
            FrameItem::Text(t) => min = min.min(t.size.to_pt()),
            _ => {}
        }
    }
    min
}

#[test]
fn every_card_reads_back_its_numbers_codes_size_marks_and_duplex_positions() {
    let out = tempfile::tempdir().unwrap();
    let project = build_into(&support::sample_root(), out.path());
    let base = editions::load_base(&project).unwrap();
    for edition in &project.editions {
        let id = &edition.id;
        let numbers = cards::card_numbers(&project, edition).unwrap();
        assert!((3..=4).contains(&numbers.len()), "{id}: {} numbers on the card", numbers.len());
        let mut want: Vec<String> = numbers.iter().filter_map(|n| n.channel.payload.clone()).collect();
        want.sort();
        let printed: Vec<String> = numbers.iter().map(|n| n.printed().to_string()).collect();
        let cx = Cx { project: &project, edition, scratch: out.path(), want: &want };
        press_card_reads_back(&cx, &base, &out.path().join("editions").join(Form::Press.file_name(id)));
        let sheet = out.path().join("editions").join(Form::Sheet.file_name(id));
        let (sides, pw, ph) = sheet_is_laid_out_for_duplex_and_cutting(&cx, &sheet);
        sheet_cards_read_back(&cx, &sheet, &sides, (pw, ph), &printed);
    }
}

/// What the checks of one edition's cards share.
struct Cx<'a> {
    project: &'a Project,
    edition: &'a guidepress::project::Edition,
    scratch: &'a Path,
    /// The QR payloads of the card, sorted.
    want: &'a [String],
}

/// The print-shop card: its size and bleed, its codes (poppler and zbar, typst-render and
/// rqrr), its smallest text.
fn press_card_reads_back(cx: &Cx, base: &guidepress::typeset::world::Base, press: &Path) {
    let (id, want, bleed) = (&cx.edition.id, cx.want, cx.project.build.bleed_mm * MM);
    let (project, edition) = (cx.project, cx.edition);
    let out = cx.scratch;

    // The print-shop card: trim 85.6 × 54 mm (within 0.2 mm), bleed around it.
    let doc = lopdf::Document::load(press).unwrap();
    assert_eq!(doc.get_pages().len(), 2, "{id}: the press card is front and back");
    for (_, &pid) in doc.get_pages().iter() {
        let page = doc.get_dictionary(pid).unwrap();
        let get = |k: &[u8]| -> Vec<f64> {
            page.get(k)
                .unwrap()
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o.as_float().map(f64::from).or_else(|_| o.as_i64().map(|i| i as f64)).unwrap())
                .collect()
        };
        let (t, b) = (get(b"TrimBox"), get(b"BleedBox"));
        assert!((t[2] - t[0] - CARD.0).abs() < 0.2 * MM && (t[3] - t[1] - CARD.1).abs() < 0.2 * MM, "{id}: trim {t:?}");
        assert!(
            (t[0] - b[0] - bleed).abs() < 0.1 && (b[3] - t[3] - bleed).abs() < 0.1,
            "{id}: bleed {b:?} around {t:?}"
        );
    }
    // Codes: zbar on poppler's rendering at 150 and 300 dpi, both sides.
    for dpi in [150, 300] {
        let mut found: Vec<String> = (1..=2).flat_map(|p| support::zbar_page(press, p, dpi, out)).collect();
        found.sort();
        assert_eq!(found, want, "{id}: press card at {dpi} dpi");
    }
    // Codes: typst-render and rqrr, each code alone, at least 15 mm wide without its quiet zone.
    let t = cards::typeset_cards(project, base, edition, Form::Press, false).unwrap();
    let mut found = Vec::new();
    for (i, page) in t.document.pages().iter().enumerate() {
        assert!(smallest_text(&page.frame) >= 6.5 - 1e-6, "{id}: text under 6.5 pt on side {}", i + 1);
        let (w, h, grey) = support::render_grey(&t.document, i, 300.0);
        for bx in support::qr_boxes(&page.frame) {
            assert!(bx[2] - bx[0] >= 15.0 * MM - 0.01, "{id}: a code is {:.1} mm wide", (bx[2] - bx[0]) / MM);
            let codes = support::decode_qr_in(w, h, &grey, 300.0, bx);
            assert_eq!(codes.len(), 1, "{id}: the code at {bx:?} did not decode");
            found.push(codes.into_iter().next().unwrap().payload);
        }
    }
    found.sort();
    assert_eq!(found, want, "{id}: typst-render");
}

/// The sheet: its paper, 8 fronts on page 1 and 8 backs on page 2, each back behind its front
/// after a long-edge flip, crop marks on every cut line and outside every card; returns what
/// each page draws and the page size.
fn sheet_is_laid_out_for_duplex_and_cutting(cx: &Cx, sheet: &Path) -> (Vec<Drawn>, f64, f64) {
    let (id, edition, bleed) = (&cx.edition.id, cx.edition, cx.project.build.bleed_mm * MM);
    // The sheet: 8 fronts on page 1, 8 backs on page 2, crop marks, registration, text.
    let doc = lopdf::Document::load(sheet).unwrap();
    let pages: Vec<_> = doc.get_pages().values().copied().collect();
    let media = doc.get_dictionary(pages[0]).unwrap().get(b"MediaBox").unwrap().as_array().unwrap().clone();
    let (pw, ph) = (media[2].as_float().map(f64::from).unwrap(), media[3].as_float().map(f64::from).unwrap());
    let paper = guidepress::model::edition::parse_size(&edition.office_paper).unwrap();
    assert!((pw - paper.width_mm * MM).abs() < 0.5 && (ph - paper.height_mm * MM).abs() < 0.5, "{id}: paper");
    let sides: Vec<Drawn> = pages.iter().map(|&p| drawn(&doc, p)).collect();
    let cards_on_sheet = sides[0].faces.len();
    assert_eq!(cards_on_sheet, 8, "{id}: cards on the sheet");
    assert_eq!(pages.len(), 2 * cards_on_sheet.div_ceil(8), "{id}: pages");
    for (k, side) in sides.iter().enumerate() {
        let fronts = k % 2 == 0;
        assert_eq!(side.faces.len(), cards_on_sheet, "{id}: page {}", k + 1);
        for (face, front) in &side.faces {
            assert_eq!(
                *front,
                fronts,
                "{id}: page {} has a {} at {face:?}",
                k + 1,
                if *front { "front" } else { "back" }
            );
            let t = trim(*face, bleed);
            assert!(
                (t[2] - t[0] - CARD.0).abs() < 0.2 * MM && (t[3] - t[1] - CARD.1).abs() < 0.2 * MM,
                "{id}: card {t:?}"
            );
        }
    }
    // Long-edge flip: each back, mirrored left–right across the sheet, lies on a front.
    for (back, _) in &sides[1].faces {
        let mirrored = [pw - back[2], back[1], pw - back[0], back[3]];
        assert!(
            sides[0].faces.iter().any(|(f, _)| near(*f, mirrored, 0.5 * MM)),
            "{id}: the back at {back:?} is behind no front"
        );
    }
    // Crop marks: outside every card and its bleed, and on every cut line.
    let marks = &sides[0].lines;
    assert!(!marks.is_empty(), "{id}: no crop marks");
    for m in marks {
        for (f, _) in &sides[0].faces {
            let apart = m[2] < f[0] - 0.1 || m[0] > f[2] + 0.1 || m[3] < f[1] - 0.1 || m[1] > f[3] + 0.1;
            assert!(apart, "{id}: crop mark {m:?} touches the card (with bleed) {f:?}");
        }
    }
    for (f, _) in &sides[0].faces {
        let t = trim(*f, bleed);
        for x in [t[0], t[2]] {
            assert!(marks.iter().any(|m| (m[0] - x).abs() < 0.1 && (m[2] - x).abs() < 0.1), "{id}: no mark at x {x}");
        }
        for y in [t[1], t[3]] {
            assert!(marks.iter().any(|m| (m[1] - y).abs() < 0.1 && (m[3] - y).abs() < 0.1), "{id}: no mark at y {y}");
        }
    }
    (sides, pw, ph)
}

/// Each card of the sheet, front and back together: its codes decode (zbar at 150 and 300 dpi),
/// its text has its numbers and, for a draft, the draft mark on both sides.
fn sheet_cards_read_back(cx: &Cx, sheet: &Path, sides: &[Drawn], (pw, ph): (f64, f64), printed: &[String]) {
    let (id, edition, want, out) = (&cx.edition.id, cx.edition, cx.want, cx.scratch);
    // Each card's numbers are in its text and its codes decode, front and back together.
    let rendered: Vec<(u32, [Pixels; 2])> = [150, 300]
        .into_iter()
        .map(|dpi| (dpi, [support::pdftoppm_grey(sheet, 1, dpi), support::pdftoppm_grey(sheet, 2, dpi)]))
        .collect();
    for (front, _) in &sides[0].faces {
        let back = [pw - front[2], front[1], pw - front[0], front[3]];
        for (dpi, [fronts, backs]) in &rendered {
            let mut found = zbar_region(fronts, *front, ph, *dpi, out);
            found.extend(zbar_region(backs, back, ph, *dpi, out));
            found.sort();
            assert_eq!(found, want, "{id}: the card at {front:?} at {dpi} dpi");
        }
        let text = text_in(sheet, 1, *front, ph) + &text_in(sheet, 2, back, ph);
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for p in printed {
            assert!(flat.contains(p.as_str()), "{id}: card at {front:?} lacks {p}:\n{flat}");
        }
        // A draft edition's card says so, on both sides (in Korean, which every card prints).
        if edition.draft {
            assert_eq!(flat.matches("초안 — 배포하지 마십시오").count(), 2, "{id}: draft card not marked:\n{flat}");
        }
    }
}

#[test]
fn a_discreet_card_has_no_sensitive_word() {
    let dir = support::sample_copy();
    let out = dir.path().join("out");
    let project = build_into(dir.path(), &out);
    let words = cards::sensitive_list(&project).unwrap();
    assert!(words.contains(&"trafficking".to_string()) && words.contains(&"인신매매".to_string()), "{words:?}");
    let found = || -> Vec<String> {
        let mut text = String::new();
        for form in [Form::Sheet, Form::Press] {
            text += &support::pdftotext(&out.join("editions").join(form.file_name("us"))).to_lowercase();
        }
        words.iter().filter(|w| text.contains(w.as_str())).cloned().collect()
    };
    // The ordinary card names the trafficking hotline; the discreet one must not.
    assert!(!found().is_empty(), "the ordinary us card has no sensitive word: the test would prove nothing");
    let toml = dir.path().join("editions/us.toml");
    let mut text = fs::read_to_string(&toml).unwrap();
    text = text.replacen("\n[[contact]]", "\n[cards]\ndiscreet = true\n\n[[contact]]", 1);
    fs::write(&toml, text).unwrap();
    let project = build_into(dir.path(), &out);
    assert!(project.edition("us").unwrap().cards.discreet);
    assert_eq!(found(), Vec::<String>::new(), "sensitive words on the discreet us card");
    // The numbers are the same as on the ordinary card.
    let sheet = support::pdftotext(&out.join("editions").join(Form::Sheet.file_name("us")));
    for n in cards::card_numbers(&project, project.edition("us").unwrap()).unwrap() {
        assert!(sheet.contains(n.printed()), "discreet us card lacks {}", n.printed());
    }
    // Data a discreet card would print with a sensitive word is refused, at its place.
    support::edit(
        dir.path(),
        "editions/us.toml",
        "hours.en = \"24 hours, every day\"",
        "hours.en = \"24 hours, every day (trafficking reports)\"",
    );
    let run = support::guidepress(dir.path(), &["build", "us"]);
    let err = support::stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(err.contains("editions/us.toml:") && err.contains("`hours.en` contains \"trafficking\""), "{err}");
}

#[test]
fn numbers_that_do_not_fit_and_too_many_card_contacts_are_refused() {
    let dir = support::sample_copy();
    // Five contacts marked for nz's card.
    let toml = dir.path().join("editions/nz.toml");
    let text = fs::read_to_string(&toml).unwrap().replace("\n[[contact]]\n", "\n[[contact]]\ncard = true\n");
    fs::write(&toml, &text).unwrap();
    let run = support::guidepress(dir.path(), &["build", "nz"]);
    let err = support::stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(err.contains("a wallet card prints at most 4 numbers"), "{err}");
    assert!(!dir.path().join("out/editions/nz-cards.pdf").exists());
    // Three marked, one with languages too long for the card: the layout cannot hold it.
    let mut marked = 0;
    let text: String = fs::read_to_string(&toml)
        .unwrap()
        .split_inclusive('\n')
        .filter(|line| {
            if *line == "card = true\n" {
                marked += 1;
                return marked <= 3;
            }
            true
        })
        .collect();
    // Hours and languages as long as a contacts page takes (under 300 characters each), too
    // long for either side of a card.
    let long = "한국어, 영어, 중국어, 일본어, 베트남어, 프랑스어, 러시아어, 스페인어, 타갈로그어, 태국어, 몽골어, 우즈베크어, 캄보디아어, 인도네시아어, 네팔어, 미얀마어, 아랍어 통역".repeat(3);
    assert!(long.chars().count() < 300);
    let phone = "phone = \"0800 555 111\"\n";
    assert!(text.contains(phone));
    let text = text.replacen(phone, &format!("{phone}hours.ko = \"{long}\"\nlanguages.ko = \"{long}\"\n"), 1);
    fs::write(&toml, text).unwrap();
    let run = support::guidepress(dir.path(), &["build", "nz"]);
    let err = support::stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(err.contains("edition `nz`: the wallet card cannot hold all 3 of its numbers legibly"), "{err}");
    assert!(err.contains("drop "), "{err}");
    assert!(!dir.path().join("out/editions/nz-cards.pdf").exists());
}

#[test]
fn marked_contacts_are_the_card_in_their_order() {
    let dir = support::sample_copy();
    support::edit(dir.path(), "editions/nz.toml", "short = \"105\"", "short = \"105\"\ncard = true");
    support::edit(
        dir.path(),
        "guidepress.toml",
        "phone = \"+82-2-3210-0404\"",
        "phone = \"+82-2-3210-0404\"\ncard = true",
    );
    let project = Project::load(dir.path()).unwrap();
    let nz = project.edition("nz").unwrap();
    let printed: Vec<String> =
        cards::card_numbers(&project, nz).unwrap().iter().map(|n| n.printed().to_string()).collect();
    assert_eq!(printed, ["105", "+82 2-3210-0404"]);
    // The same channel as the contacts pages: the printed number and the QR payload are one parse.
    for n in cards::card_numbers(&project, nz).unwrap() {
        let page = n.contact.channels.iter().find(|c| c.kind == n.channel.kind).unwrap();
        assert_eq!(page, n.channel);
    }
}
