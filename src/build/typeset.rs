//! Typesetting one edition: the JSON and QR codes it gets, press and screen PDFs, the booklet.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use typst_layout::PagedDocument;
use typst_pdf::PdfStandard;

use crate::error::Error;
use crate::model::contact::Contact;
use crate::project::{BOOK_LAYOUT, Edition, Project};
use crate::typeset::compile::{self, PdfSettings};
use crate::typeset::fonts::Fonts;
use crate::typeset::qr::qr_matrix;
use crate::typeset::world::{Base, DATA_DIR, DocWorld};

/// The virtual path of an edition's data.
pub const EDITION_JSON: &str = "/.guidepress/edition.json";
/// The virtual path of the booklet's data.
pub const BOOKLET_JSON: &str = "/.guidepress/booklet.json";
/// The virtual path under which the press PDF is served to the booklet layout.
pub const PRESS_PDF: &str = "/.guidepress/press.pdf";
/// The layout that imposes the booklet.
pub const BOOKLET_LAYOUT: &str = "layouts/booklet.typ";

/// The two typeset forms of an edition (the booklet is imposed from the press form).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// For the print shop: trim plus bleed, CMYK, text black in K only.
    Press,
    /// For e-mail and screens: no bleed, RGB, PDF/A-2a and PDF/UA-1.
    Screen,
}

impl Variant {
    /// The name the layouts see in `data.variant`.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Press => "press",
            Variant::Screen => "screen",
        }
    }
}

/// Everything Typst needs for one edition besides the project files: its JSON and QR codes.
pub struct EditionInputs {
    /// (virtual path, bytes) pairs served by the World.
    pub virtuals: Vec<(String, Vec<u8>)>,
    /// The QR payloads in the order the codes appear.
    pub payloads: Vec<String>,
}

/// Builds the data file and QR codes of an edition.
pub fn edition_inputs(project: &Project, edition: &Edition, variant: Variant) -> Result<EditionInputs, Error> {
    edition_data(project, edition, variant, true)
}

/// The QR code of `payload` as its module matrix (JSON) and its width in modules with the quiet
/// zones, encoded once per process: the shared contacts are in every edition, and each edition's
/// data is made more than once.
fn qr_cached(payload: &str) -> Result<(Vec<u8>, usize), Error> {
    static CODES: Mutex<BTreeMap<String, (Vec<u8>, usize)>> = Mutex::new(BTreeMap::new());
    if let Some(code) = CODES.lock().ok().and_then(|c| c.get(payload).cloned()) {
        return Ok(code);
    }
    let matrix = qr_matrix(payload).map_err(Error::Typst)?;
    let code = (matrix.to_json(), matrix.modules());
    if let Ok(mut codes) = CODES.lock() {
        codes.insert(payload.to_string(), code.clone());
    }
    Ok(code)
}

/// [`edition_inputs`]; without `encode`, only the data file, whose QR entries then carry their
/// payloads but no matrix (enough to tell whether anything changed: the matrix follows from the
/// payload and the tool version).
pub(crate) fn edition_data(
    project: &Project,
    edition: &Edition,
    variant: Variant,
    encode: bool,
) -> Result<EditionInputs, Error> {
    let mut virtuals = Vec::new();
    let mut payloads = Vec::new();
    let mut contacts: Vec<Contact> = edition.contacts.clone();
    for contact in &mut contacts {
        for channel in &mut contact.channels {
            if let Some(payload) = &channel.payload {
                let path = format!("{DATA_DIR}/qr/{}.json", payloads.len());
                if encode {
                    let (matrix, modules) = qr_cached(payload)?;
                    virtuals.push((path.clone(), matrix));
                    channel.qr_modules = Some(modules);
                }
                channel.qr = Some(path);
                payloads.push(payload.clone());
            }
        }
    }
    let chapters: serde_json::Map<String, serde_json::Value> = edition
        .languages
        .iter()
        .map(|l| (l.clone(), json!(project.chapters.get(l).cloned().unwrap_or_default())))
        .collect();
    let data = json!({
        "variant": variant.name(),
        "bleed_mm": project.build.bleed_mm,
        "guide": project.guide,
        "edition": {
            "id": edition.id,
            "country": edition.country,
            "languages": edition.languages,
            "name": edition.name,
            "trim": edition.trim,
            "office-paper": edition.office_paper,
            "draft": edition.draft,
            // Passages marked #unconfirmed in the chapters this edition prints.
            "unconfirmed": project.unconfirmed_passages(&[edition]).len(),
        },
        "chapters": chapters,
        "contacts": contacts,
    });
    let bytes = serde_json::to_vec_pretty(&data).map_err(|e| Error::Typst(e.to_string()))?;
    virtuals.insert(0, (EDITION_JSON.to_string(), bytes));
    Ok(EditionInputs { virtuals, payloads })
}

/// Fonts and the shared Typst base for a project, loaded once per run.
pub fn load_base(project: &Project) -> Result<Base, Error> {
    let fonts = Fonts::load(&project.root)?;
    Base::new(&project.root, Arc::new(fonts)).map_err(|e| Error::io(&project.root, e))
}

/// One typeset edition.
pub struct Typeset {
    /// The edition id.
    pub id: String,
    /// The laid-out document.
    pub document: PagedDocument,
    /// The PDF bytes (empty when only checking).
    pub pdf: Vec<u8>,
    /// Formatted Typst warnings.
    pub warnings: String,
    /// Project files Typst read (layouts, chapters), relative to the project.
    pub inputs: Vec<String>,
    /// Time spent compiling.
    pub compile: Duration,
    /// Time spent exporting the PDF.
    pub export: Duration,
}

/// Compiles (and, with `export`, exports) one edition in one variant.
pub fn typeset(
    project: &Project,
    base: &Base,
    edition: &Edition,
    variant: Variant,
    export: bool,
) -> Result<Typeset, Error> {
    let start = Instant::now();
    let inputs = edition_inputs(project, edition, variant)?;
    let main = format!("/{BOOK_LAYOUT}");
    let world = DocWorld::new(base, &main, inputs.virtuals, project.guide.ymd).map_err(Error::Typst)?;
    let (standards, tagged): (&[PdfStandard], bool) = match variant {
        Variant::Press => (&[], false),
        Variant::Screen => (&[PdfStandard::A_2a, PdfStandard::Ua_1], true),
    };
    let ident = format!("guidepress/{}/{}", edition.id, variant.name());
    let export = export.then_some(PdfSettings { ident: &ident, date: project.guide.ymd, standards, tagged });
    let mut t = compile_and_export(&world, edition, variant.name(), export.as_ref(), start)?;
    if variant == Variant::Press && !t.pdf.is_empty() {
        t.pdf = add_bleed_box(&t.pdf).map_err(|e| Error::Typst(format!("edition {} (press):\n{e}", edition.id)))?;
    }
    Ok(t)
}

/// Compiles the world's document and, with `settings`, exports it; errors name the edition and
/// its form (`press`, `screen`, `booklet`).
fn compile_and_export(
    world: &DocWorld,
    edition: &Edition,
    form: &str,
    settings: Option<&PdfSettings>,
    start: Instant,
) -> Result<Typeset, Error> {
    let in_edition = |e: String| Error::Typst(format!("edition {} ({form}):\n{e}", edition.id));
    let compiled = compile::compile(world).map_err(in_edition)?;
    let compile_time = start.elapsed();
    let pdf = match settings {
        Some(settings) => compile::export_pdf(world, &compiled.document, settings).map_err(in_edition)?,
        None => Vec::new(),
    };
    Ok(Typeset {
        id: edition.id.clone(),
        document: compiled.document,
        pdf,
        warnings: compiled.warnings,
        inputs: world.accessed(),
        compile: compile_time,
        export: start.elapsed() - compile_time,
    })
}

/// Sets a BleedBox equal to the MediaBox on every page that has a TrimBox (Typst writes none).
///
/// Typst's PDFs have plain page objects and one classic cross-reference table, so the box is
/// inserted into each page object and the table's offsets are moved; a file of any other shape
/// is rewritten through lopdf instead.
pub fn add_bleed_box(pdf: &[u8]) -> Result<Vec<u8>, String> {
    match insert_bleed_boxes(pdf) {
        Some(out) => Ok(out),
        None => add_bleed_box_lopdf(pdf),
    }
}

/// [`add_bleed_box`] by inserting bytes; `None` when the file is not laid out as expected.
fn insert_bleed_boxes(pdf: &[u8]) -> Option<Vec<u8>> {
    fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
        hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
    }
    fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
        hay.windows(needle.len()).rposition(|w| w == needle)
    }
    // The trailer: `startxref\n<offset>\n%%EOF`, pointing at `xref\n0 <count>\n` and
    // <count> entries of 20 bytes.
    let sx = rfind(pdf, b"startxref")?;
    let xref_at: usize = std::str::from_utf8(pdf.get(sx + 9..)?).ok()?.split_whitespace().next()?.parse().ok()?;
    let head_end = find(pdf, b"\n", find(pdf, b"\n", xref_at)? + 1)? + 1;
    let head = std::str::from_utf8(pdf.get(xref_at..head_end)?).ok()?;
    let mut words = head.split_whitespace();
    if words.next()? != "xref" || words.next()? != "0" {
        return None;
    }
    let count: usize = words.next()?.parse().ok()?;
    let entries = pdf.get(head_end..head_end + 20 * count)?;
    let trailer = pdf.get(head_end + 20 * count..sx)?;
    if !trailer.starts_with(b"trailer") || trailer.windows(5).any(|w| w == b"/Prev") {
        return None;
    }
    let mut offsets = Vec::with_capacity(count);
    for e in entries.chunks(20) {
        let text = std::str::from_utf8(&e[..18]).ok()?;
        let (offset, kind) = (text.get(..10)?.parse::<usize>().ok()?, text.get(17..18)?);
        offsets.push((offset, kind == "n"));
    }
    // Every page object with a TrimBox gets its MediaBox as BleedBox, before the closing `>>`;
    // any TrimBox found elsewhere means the file is not what this expects.
    let mut inserts: Vec<(usize, Vec<u8>)> = Vec::new();
    for &(offset, _) in offsets.iter().skip(1).filter(|(_, used)| *used) {
        let header = pdf.get(offset..(offset + 40).min(pdf.len()))?;
        let Some(dict) = find(header, b" obj\n<</Type/Page/", 0).map(|at| offset + at + 5) else { continue };
        let end = find(pdf, b">>\nendobj", dict)?;
        let object = &pdf[dict..end];
        if !object.windows(8).any(|w| w == b"/TrimBox") || object.windows(9).any(|w| w == b"/BleedBox") {
            continue;
        }
        let media_at = find(object, b"/MediaBox[", 0)?;
        let media_end = find(object, b"]", media_at)? + 1;
        let mut text = b"/BleedBox".to_vec();
        text.extend_from_slice(&object[media_at + 9..media_end]);
        inserts.push((end, text));
    }
    let trim_boxes = pdf.windows(8).filter(|w| w == b"/TrimBox").count();
    if inserts.len() != trim_boxes {
        return None;
    }
    inserts.sort_by_key(|(at, _)| *at);
    // Bytes inserted before each insertion point, for moving the offsets after it.
    let before: Vec<usize> = inserts
        .iter()
        .scan(0, |sum, (_, t)| {
            *sum += t.len();
            Some(*sum - t.len())
        })
        .collect();
    let moved = |at: usize| {
        let k = inserts.partition_point(|(i, _)| *i < at);
        at + before.get(k).copied().unwrap_or_else(|| inserts.iter().map(|(_, t)| t.len()).sum())
    };
    let mut out = Vec::with_capacity(pdf.len() + inserts.iter().map(|(_, t)| t.len()).sum::<usize>());
    let mut from = 0;
    for (at, text) in &inserts {
        out.extend_from_slice(&pdf[from..*at]);
        out.extend_from_slice(text);
        from = *at;
    }
    out.extend_from_slice(&pdf[from..xref_at]);
    let new_xref = out.len();
    out.extend_from_slice(&pdf[xref_at..head_end]);
    for (e, &(offset, used)) in entries.chunks(20).zip(&offsets) {
        let offset = if used { moved(offset) } else { offset };
        out.extend_from_slice(format!("{offset:010}").as_bytes());
        out.extend_from_slice(&e[10..]);
    }
    out.extend_from_slice(trailer);
    out.extend_from_slice(format!("startxref\n{new_xref}\n%%EOF").as_bytes());
    Some(out)
}

/// [`add_bleed_box`] by reading and rewriting the whole file with lopdf.
fn add_bleed_box_lopdf(pdf: &[u8]) -> Result<Vec<u8>, String> {
    let mut doc = lopdf::Document::load_mem(pdf).map_err(|e| format!("error: cannot read the press PDF back: {e}"))?;
    let pages: Vec<lopdf::ObjectId> = doc.get_pages().values().copied().collect();
    for id in pages {
        let page = doc.get_dictionary_mut(id).map_err(|e| format!("error: press PDF page: {e}"))?;
        if page.has(b"TrimBox")
            && let Ok(media) = page.get(b"MediaBox").cloned()
        {
            page.set("BleedBox", media);
        }
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| format!("error: cannot write the press PDF: {e}"))?;
    Ok(out)
}

/// Imposes the press PDF of an edition two-up on office paper (layouts/booklet.typ).
pub fn impose(
    project: &Project,
    base: &Base,
    edition: &Edition,
    press_pdf: Vec<u8>,
    pages: usize,
) -> Result<Typeset, Error> {
    let start = Instant::now();
    let paper = crate::model::edition::parse_size(&edition.office_paper).map_err(Error::Typst)?;
    let title = format!(
        "{} — {} (booklet)",
        project.guide.title.get(&edition.languages[0]).cloned().unwrap_or_default(),
        edition.name.get(&edition.languages[0]).cloned().unwrap_or_default()
    );
    let data = json!({
        "title": title,
        "pages": pages,
        "trim": edition.trim,
        "bleed_mm": project.build.bleed_mm,
        "paper": paper,
        "press": PRESS_PDF,
    });
    let virtuals = vec![(BOOKLET_JSON.to_string(), data.to_string().into_bytes()), (PRESS_PDF.to_string(), press_pdf)];
    let main = format!("/{BOOKLET_LAYOUT}");
    let world = DocWorld::new(base, &main, virtuals, project.guide.ymd).map_err(Error::Typst)?;
    let ident = format!("guidepress/{}/booklet", edition.id);
    let settings = PdfSettings { ident: &ident, date: project.guide.ymd, standards: &[], tagged: false };
    compile_and_export(&world, edition, "booklet", Some(&settings), start)
}

/// The screen PDF from the laid-out press form: the same pages with RGB colours and no bleed
/// ([`crate::typeset::recolor`]), exported as PDF/A-2a + PDF/UA-1 — no second layout.
pub fn screen_from(project: &Project, base: &Base, edition: &Edition, press: &Typeset) -> Result<Typeset, Error> {
    let start = Instant::now();
    let document = crate::typeset::recolor::screen_from_press(&press.document);
    // A world only to name files in diagnostics; nothing is compiled.
    let inputs = edition_data(project, edition, Variant::Screen, false)?;
    let world =
        DocWorld::new(base, &format!("/{BOOK_LAYOUT}"), inputs.virtuals, project.guide.ymd).map_err(Error::Typst)?;
    let ident = format!("guidepress/{}/screen", edition.id);
    let settings = PdfSettings {
        ident: &ident,
        date: project.guide.ymd,
        standards: &[PdfStandard::A_2a, PdfStandard::Ua_1],
        tagged: true,
    };
    let pdf = compile::export_pdf(&world, &document, &settings)
        .map_err(|e| Error::Typst(format!("edition {} (screen):\n{e}", edition.id)))?;
    Ok(Typeset {
        id: edition.id.clone(),
        document,
        pdf,
        warnings: String::new(),
        inputs: press.inputs.clone(),
        compile: Duration::ZERO,
        export: start.elapsed(),
    })
}

/// One exported document without its layout (kept small while the other forms are made).
pub struct Made {
    /// The edition id.
    pub id: String,
    /// The PDF bytes.
    pub pdf: Vec<u8>,
    /// Number of pages.
    pub pages: usize,
    /// Formatted Typst warnings.
    pub warnings: String,
    /// Project files Typst read.
    pub inputs: Vec<String>,
    /// Time spent compiling.
    pub compile: Duration,
    /// Time spent exporting.
    pub export: Duration,
}

impl From<Typeset> for Made {
    fn from(t: Typeset) -> Made {
        Made {
            pages: t.document.pages().len(),
            id: t.id,
            pdf: t.pdf,
            warnings: t.warnings,
            inputs: t.inputs,
            compile: t.compile,
            export: t.export,
        }
    }
}

/// All files of one edition: press, screen and booklet PDFs.
pub struct EditionFiles {
    /// The press form.
    pub press: Made,
    /// The screen form.
    pub screen: Made,
    /// The booklet.
    pub booklet: Made,
    /// The press form's laid-out pages (cheap shared handles), for the review's renderings.
    pub pages: Vec<typst_layout::Page>,
}

impl EditionFiles {
    /// Warnings of all three, without repeats.
    pub fn warnings(&self) -> String {
        let mut w = self.press.warnings.clone();
        for other in [&self.screen.warnings, &self.booklet.warnings] {
            if !w.contains(other.as_str()) {
                w.push_str(other);
            }
        }
        w
    }

    /// The three files with their paths under the output folder.
    pub fn named(&self) -> [(String, &Made); 3] {
        let id = &self.press.id;
        [
            (format!("editions/{id}.pdf"), &self.press),
            (format!("editions/{id}-screen.pdf"), &self.screen),
            (format!("editions/{id}-booklet.pdf"), &self.booklet),
        ]
    }

    /// Every project file read for any of the three, sorted.
    pub fn inputs(&self) -> Vec<String> {
        let mut all: Vec<String> =
            [&self.press, &self.screen, &self.booklet].iter().flat_map(|t| t.inputs.iter().cloned()).collect();
        all.sort();
        all.dedup();
        all
    }

    /// Total compile and export time.
    pub fn times(&self) -> (Duration, Duration) {
        let all = [&self.press, &self.screen, &self.booklet];
        (all.iter().map(|t| t.compile).sum(), all.iter().map(|t| t.export).sum())
    }
}

/// Typesets an edition in all its forms.
///
/// Memory stays bounded for long editions: each laid-out document is dropped once exported, and
/// when the edition is done Typst's memoisation cache forgets what the last few editions did not
/// use (once per edition: each eviction walks the whole cache).
pub fn edition_files(project: &Project, base: &Base, edition: &Edition) -> Result<EditionFiles, Error> {
    let press = typeset(project, base, edition, Variant::Press, true)?;
    // The screen file and the booklet both come from the press form; a worker with nothing else
    // to do takes one of them.
    let pages = press.document.pages().len();
    let (screen, booklet) = rayon::join(
        || screen_from(project, base, edition, &press).map(Made::from),
        || impose(project, base, edition, press.pdf.clone(), pages).map(Made::from),
    );
    let kept = press.document.pages().to_vec();
    let press = Made::from(press);
    let files = EditionFiles { press, screen: screen?, booklet: booklet?, pages: kept };
    typst::comemo::evict(4);
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-page PDF laid out as Typst writes it: plain objects, one classic xref table.
    fn typst_like_pdf() -> Vec<u8> {
        let objects = [
            "<</Type/Pages/Kids[2 0 R 3 0 R]/Count 2>>",
            "<</Type/Page/Resources<<>>/MediaBox[0 0 100 200]/TrimBox[5 5 95 195]/Parent 1 0 R>>",
            "<</Type/Page/Resources<<>>/MediaBox[0 0 110 210]/Parent 1 0 R/Annots[]>>",
            "<</Type/Catalog/Pages 1 0 R>>",
        ];
        let mut pdf = b"%PDF-1.7\n%\x80\x80\x80\x80\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = pdf.len();
        pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f\r\n", objects.len() + 1).as_bytes());
        for o in offsets {
            pdf.extend_from_slice(format!("{o:010} 00000 n\r\n").as_bytes());
        }
        pdf.extend_from_slice(format!("trailer\n<</Size 5/Root 4 0 R>>\nstartxref\n{xref}\n%%EOF").as_bytes());
        pdf
    }

    /// Every in-use entry of the (single, classic) xref table points at its object.
    fn xref_points_at_objects(pdf: &[u8]) -> bool {
        let tail = |at: usize| String::from_utf8_lossy(&pdf[at..]).into_owned();
        let sx = pdf.windows(9).rposition(|w| w == b"startxref").unwrap();
        let start: usize = tail(sx + 9).split_whitespace().next().unwrap().parse().unwrap();
        let table = tail(start);
        let mut lines = table.lines().skip(1);
        let count: usize = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
        lines.take(count).enumerate().skip(1).all(|(i, line)| {
            let offset: usize = line[..10].parse().unwrap();
            pdf[offset..].starts_with(format!("{i} 0 obj").as_bytes())
        })
    }

    #[test]
    fn bleed_box_is_inserted_in_place_and_the_xref_follows() {
        let pdf = typst_like_pdf();
        assert!(xref_points_at_objects(&pdf));
        let out = insert_bleed_boxes(&pdf).expect("a Typst-like file takes the fast path");
        assert!(xref_points_at_objects(&out));
        // Only the page with a TrimBox gets a BleedBox, equal to its MediaBox.
        let doc = lopdf::Document::load_mem(&out).unwrap();
        let pages: Vec<_> = doc.get_pages().values().map(|id| doc.get_dictionary(*id).unwrap().clone()).collect();
        assert_eq!(pages[0].get(b"BleedBox").unwrap(), pages[0].get(b"MediaBox").unwrap());
        assert!(pages[1].get(b"BleedBox").is_err());
        // Nothing else changed: without the inserted box the objects are byte for byte the same.
        // (After the binary comment in the header.)
        let strip = |b: &[u8]| String::from_utf8_lossy(&b[15..]).replace("/BleedBox[0 0 100 200]", "");
        let body = |s: &str| s[..s.find("xref\n").unwrap()].to_string();
        assert_eq!(body(&strip(&out)), body(&strip(&pdf)));
        // The same as the lopdf rewrite, page by page.
        let slow = lopdf::Document::load_mem(&add_bleed_box_lopdf(&pdf).unwrap()).unwrap();
        let slow_pages: Vec<_> = slow
            .get_pages()
            .values()
            .map(|id| slow.get_dictionary(*id).unwrap().get(b"BleedBox").ok().cloned())
            .collect();
        assert_eq!(slow_pages, vec![pages[0].get(b"BleedBox").ok().cloned(), None]);
    }

    #[test]
    fn a_file_of_another_shape_goes_through_lopdf() {
        let pdf = typst_like_pdf();
        // An incremental update (a second xref section) is not handled in place.
        let mut updated = pdf.clone();
        let s = String::from_utf8_lossy(&pdf).replace("trailer\n<<", "trailer\n<</Prev 9");
        updated.clear();
        updated.extend_from_slice(s.as_bytes());
        assert!(insert_bleed_boxes(&updated).is_none());
        // Garbage is an error, not a panic.
        assert!(add_bleed_box(b"not a pdf").is_err());
    }
}
