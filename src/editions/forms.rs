//! The forms of one edition: press (CMYK, bleed), screen (RGB, PDF/A-2a + PDF/UA-1, derived from
//! the press layout) and booklet (the press pages imposed on office paper).

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use typst_layout::PagedDocument;
use typst_pdf::PdfStandard;

use super::cards;
use super::data::{edition_data, edition_inputs};
use crate::error::Error;
use crate::project::{BOOK_LAYOUT, Edition, Project};
use crate::typeset::bleed::add_bleed_box;
use crate::typeset::compile::{self, PdfSettings};
use crate::typeset::fonts::Fonts;
use crate::typeset::world::{Base, DocWorld};

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

impl Typeset {
    /// A document compiled `compile` after `start` and exported by now.
    pub fn made(
        id: &str,
        compiled: compile::Compiled,
        pdf: Vec<u8>,
        inputs: Vec<String>,
        start: Instant,
        compile: Duration,
    ) -> Self {
        Typeset {
            id: id.to_string(),
            document: compiled.document,
            pdf,
            warnings: compiled.warnings,
            inputs,
            compile,
            export: start.elapsed() - compile,
        }
    }
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
    let world = DocWorld::new(base, &main, inputs.virtuals, project.guide.ymd).map_err(Error::internal)?;
    let (standards, tagged): (&[PdfStandard], bool) = match variant {
        Variant::Press => (&[], false),
        Variant::Screen => (&[PdfStandard::A_2a, PdfStandard::Ua_1], true),
    };
    let ident = format!("guidepress/{}/{}", edition.id, variant.name());
    let export = export.then_some(PdfSettings { ident: &ident, date: project.guide.ymd, standards, tagged });
    let mut t = compile_and_export(&world, edition, variant.name(), export.as_ref(), start)?;
    if variant == Variant::Press && !t.pdf.is_empty() {
        t.pdf = add_bleed_box(&t.pdf).map_err(|e| Error::internal(format!("edition {} (press): {e}", edition.id)))?;
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
    let in_edition = |d| Error::typst(format!("edition {} ({form})", edition.id), d);
    let compiled = compile::compile(world).map_err(in_edition)?;
    let compile_time = start.elapsed();
    let pdf = match settings {
        Some(settings) => compile::export_pdf(world, &compiled.document, settings).map_err(in_edition)?,
        None => Vec::new(),
    };
    Ok(Typeset::made(&edition.id, compiled, pdf, world.accessed(), start, compile_time))
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
    let paper = crate::model::edition::parse_size(&edition.office_paper).map_err(Error::internal)?;
    let first = &edition.languages[0];
    let data = json!({
        "title": project.guide.title.get(first).cloned().unwrap_or_default(),
        "edition": edition.name.get(first).cloned().unwrap_or_default(),
        "pages": pages,
        "trim": edition.trim,
        "bleed_mm": project.build.bleed_mm,
        "paper": paper,
        "press": PRESS_PDF,
    });
    let virtuals = vec![(BOOKLET_JSON.to_string(), data.to_string().into_bytes()), (PRESS_PDF.to_string(), press_pdf)];
    let main = format!("/{BOOKLET_LAYOUT}");
    let world = DocWorld::new(base, &main, virtuals, project.guide.ymd).map_err(Error::internal)?;
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
        DocWorld::new(base, &format!("/{BOOK_LAYOUT}"), inputs.virtuals, project.guide.ymd).map_err(Error::internal)?;
    let ident = format!("guidepress/{}/screen", edition.id);
    let settings = PdfSettings {
        ident: &ident,
        date: project.guide.ymd,
        standards: &[PdfStandard::A_2a, PdfStandard::Ua_1],
        tagged: true,
    };
    let pdf = compile::export_pdf(&world, &document, &settings)
        .map_err(|d| Error::typst(format!("edition {} (screen)", edition.id), d))?;
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

/// All files of one edition: press, screen and booklet PDFs, and the wallet cards.
pub struct EditionFiles {
    /// The press form.
    pub press: Made,
    /// The screen form.
    pub screen: Made,
    /// The booklet.
    pub booklet: Made,
    /// The wallet cards on office paper ([`super::cards`]).
    pub cards: Made,
    /// One wallet card with bleed, for a print shop.
    pub cards_press: Made,
    /// The press form's laid-out pages (cheap shared handles), for the review's renderings.
    pub pages: Vec<typst_layout::Page>,
}

impl EditionFiles {
    /// Warnings of all files, without repeats.
    pub fn warnings(&self) -> String {
        let mut w = self.press.warnings.clone();
        for other in [&self.screen.warnings, &self.booklet.warnings, &self.cards.warnings, &self.cards_press.warnings] {
            if !w.contains(other.as_str()) {
                w.push_str(other);
            }
        }
        w
    }

    /// The files with their paths under the output folder.
    pub fn named(&self) -> [(String, &Made); 5] {
        let id = &self.press.id;
        [
            (format!("editions/{id}.pdf"), &self.press),
            (format!("editions/{id}-screen.pdf"), &self.screen),
            (format!("editions/{id}-booklet.pdf"), &self.booklet),
            (format!("editions/{}", cards::Form::Sheet.file_name(id)), &self.cards),
            (format!("editions/{}", cards::Form::Press.file_name(id)), &self.cards_press),
        ]
    }

    /// Every project file read for any of them, sorted.
    pub fn inputs(&self) -> Vec<String> {
        let mut all: Vec<String> = self.named().iter().flat_map(|(_, t)| t.inputs.iter().cloned()).collect();
        all.sort();
        all.dedup();
        all
    }

    /// Total compile and export time.
    pub fn times(&self) -> (Duration, Duration) {
        let all = self.named();
        (all.iter().map(|(_, t)| t.compile).sum(), all.iter().map(|(_, t)| t.export).sum())
    }
}

/// The press PDF of a laid-out press form, with its BleedBox.
fn export_press(project: &Project, base: &Base, edition: &Edition, press: &Typeset) -> Result<Vec<u8>, Error> {
    // A world only to name files in diagnostics; nothing is compiled.
    let inputs = edition_data(project, edition, Variant::Press, false)?;
    let world =
        DocWorld::new(base, &format!("/{BOOK_LAYOUT}"), inputs.virtuals, project.guide.ymd).map_err(Error::internal)?;
    let ident = format!("guidepress/{}/press", edition.id);
    let settings = PdfSettings { ident: &ident, date: project.guide.ymd, standards: &[], tagged: false };
    let pdf = compile::export_pdf(&world, &press.document, &settings)
        .map_err(|d| Error::typst(format!("edition {} (press)", edition.id), d))?;
    add_bleed_box(&pdf).map_err(|e| Error::internal(format!("edition {} (press): {e}", edition.id)))
}

/// Typesets an edition in all its forms.
///
/// The press form is laid out first; then, in parallel, its PDF is exported and the booklet
/// imposed from it, the screen PDF is exported from the same layout, and the wallet cards are
/// made: a worker with nothing else to do takes one of them.
///
/// Memory stays bounded for long editions: each laid-out document is dropped once exported, and
/// when the edition is done Typst's memoisation cache forgets what the last few editions did not
/// use (once per edition: each eviction walks the whole cache).
pub fn edition_files(project: &Project, base: &Base, edition: &Edition) -> Result<EditionFiles, Error> {
    let mut press = typeset(project, base, edition, Variant::Press, false)?;
    let pages = press.document.pages().len();
    let ((printed, screen), cards) = rayon::join(
        || {
            rayon::join(
                || -> Result<(Vec<u8>, Duration, Made), Error> {
                    let t = Instant::now();
                    let pdf = export_press(project, base, edition, &press)?;
                    let took = t.elapsed();
                    let booklet = impose(project, base, edition, pdf.clone(), pages)?;
                    Ok((pdf, took, Made::from(booklet)))
                },
                || screen_from(project, base, edition, &press).map(Made::from),
            )
        },
        || cards::card_files(project, base, edition),
    );
    let (pdf, export, booklet) = printed?;
    (press.pdf, press.export) = (pdf, export);
    let (cards, cards_press) = cards?;
    let kept = press.document.pages().to_vec();
    let files = EditionFiles {
        pages: kept,
        press: Made::from(press),
        screen: screen?,
        booklet,
        cards: Made::from(cards),
        cards_press: Made::from(cards_press),
    };
    typst::comemo::evict(4);
    Ok(files)
}
