//! The forms of one edition: press (CMYK, bleed), screen (RGB, PDF/A-2a + PDF/UA-1, derived from
//! the press layout) and booklet (the press pages imposed on office paper).

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;
use typst_layout::PagedDocument;
use typst_pdf::PdfStandard;

use super::cards;
use super::data::{edition_data, edition_inputs};
use crate::error::{Diagnostics, Error};
use crate::output;
use crate::output::sha256_hex;
use crate::project::{BOOK_LAYOUT, Edition, Project};
use crate::typeset::bleed::add_bleed_box;
use crate::typeset::compile::{self, PdfSettings};
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
    Base::load(&project.root)
}

/// One typeset edition.
pub struct Typeset {
    /// The edition id.
    pub id: String,
    /// The laid-out document.
    pub document: PagedDocument,
    /// The PDF bytes (empty when only checking).
    pub pdf: Vec<u8>,
    /// Typst's warnings.
    pub warnings: Diagnostics,
    /// Project files Typst read (layouts, chapters), relative to the project.
    pub inputs: Vec<String>,
    /// The print code its pages carry (see [`super::print_code`]; empty for documents that
    /// print none: cards, booklet).
    pub print_code: String,
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
            print_code: String::new(),
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
    let mut inputs = edition_inputs(project, edition, variant)?;
    let code = super::print_code::print_code(project, edition, &super::print_code::font_hashes(base))?;
    inputs.virtuals.push((super::print_code::PRINT_JSON.to_string(), super::print_code::print_json(&code)));
    let main = format!("/{BOOK_LAYOUT}");
    let world = DocWorld::new(base, &main, inputs.virtuals, project.guide.ymd).map_err(Error::internal)?;
    let (standards, tagged): (&[PdfStandard], bool) = match variant {
        Variant::Press => (&[], false),
        Variant::Screen => (&[PdfStandard::A_2a, PdfStandard::Ua_1], true),
    };
    let ident = format!("guidepress/{}/{}", edition.id, variant.name());
    let export = export.then_some(PdfSettings { ident: &ident, date: project.guide.ymd, standards, tagged });
    let mut t = compile_and_export(&world, edition, variant.name(), export.as_ref(), start)?;
    t.print_code = code;
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
        warnings: Diagnostics::default(),
        inputs: press.inputs.clone(),
        print_code: press.print_code.clone(),
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
    /// Typst's warnings.
    pub warnings: Diagnostics,
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
    /// What the press pages carry, for the record: print code, contacts as printed and where.
    pub release: crate::model::record::Release,
}

impl EditionFiles {
    /// Warnings of all files, without repeats.
    pub fn warnings(&self) -> Diagnostics {
        let mut w = self.press.warnings.clone();
        for other in [&self.screen.warnings, &self.booklet.warnings, &self.cards.warnings, &self.cards_press.warnings] {
            w.extend(other);
        }
        w
    }

    /// The files with their paths under the output folder.
    pub fn named(&self) -> [(String, &Made); 5] {
        let [press, screen, booklet, cards, cards_press] = file_names(&self.press.id);
        [
            (press, &self.press),
            (screen, &self.screen),
            (booklet, &self.booklet),
            (cards, &self.cards),
            (cards_press, &self.cards_press),
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

/// An output file written under a temporary name: (path under the output folder, the file,
/// SHA-256, length).
pub type StagedFile = (String, output::Staged, String, usize);

/// Writes a file's bytes under a temporary name (see [`output::stage`]) and hashes them.
fn stage_pdf(out: &Path, rel: String, pdf: &[u8]) -> Result<StagedFile, Error> {
    let file = output::stage(&out.join(&rel), pdf)?;
    Ok((rel, file, sha256_hex(pdf), pdf.len()))
}

/// Typesets an edition in all its forms and writes each file under a temporary name in `out` as
/// soon as it is made; the caller puts them in place once every edition has succeeded.
///
/// The press form is laid out first; then, in parallel, its PDF is exported and the booklet
/// imposed from it, the screen PDF is exported from the same layout, and the wallet cards are
/// made: a worker with nothing else to do takes one of them. Each file is written and hashed by
/// the worker that made it, so the last file made is the only one that waits for its writing.
///
/// Memory stays bounded for long editions: each laid-out document is dropped once exported.
pub fn edition_files(
    project: &Project,
    base: &Base,
    edition: &Edition,
    out: &Path,
) -> Result<(EditionFiles, Vec<StagedFile>), Error> {
    let mut press = typeset(project, base, edition, Variant::Press, false)?;
    let release = super::release::release(project, edition, &press.document, &press.print_code)?;
    let pages = press.document.pages().len();
    let [press_rel, screen_rel, booklet_rel, cards_rel, cards_press_rel] = file_names(&edition.id);
    // The press chain (export, then the booklet imposed from it) is about as long as the screen
    // export and the cards together: on two workers, one takes the first, the other the rest.
    let printed = || -> Result<_, Error> {
        let t = Instant::now();
        let pdf = export_press(project, base, edition, &press)?;
        let took = t.elapsed();
        let staged = stage_pdf(out, press_rel, &pdf)?;
        let booklet = Made::from(impose(project, base, edition, pdf.clone(), pages)?);
        let booklet_file = stage_pdf(out, booklet_rel, &booklet.pdf)?;
        Ok((pdf, took, booklet, [staged, booklet_file]))
    };
    let screen = || -> Result<_, Error> {
        let screen = Made::from(screen_from(project, base, edition, &press)?);
        let file = stage_pdf(out, screen_rel, &screen.pdf)?;
        Ok((screen, file))
    };
    let cards = || -> Result<_, Error> {
        let (cards, cards_press) = cards::card_files(project, base, edition)?;
        let (cards, cards_press) = (Made::from(cards), Made::from(cards_press));
        let files = [stage_pdf(out, cards_rel, &cards.pdf)?, stage_pdf(out, cards_press_rel, &cards_press.pdf)?];
        Ok((cards, cards_press, files))
    };
    let ((screen, cards), printed) = rayon::join(|| rayon::join(screen, cards), printed);
    let (pdf, export, booklet, [press_file, booklet_file]) = printed?;
    (press.pdf, press.export) = (pdf, export);
    let (screen, screen_file) = screen?;
    let (cards, cards_press, [cards_file, cards_press_file]) = cards?;
    let kept = press.document.pages().to_vec();
    let files = EditionFiles { pages: kept, release, press: Made::from(press), screen, booklet, cards, cards_press };
    Ok((files, vec![press_file, screen_file, booklet_file, cards_file, cards_press_file]))
}

/// The paths under the output folder of an edition's files: press, screen, booklet, cards,
/// cards for a print shop.
pub fn file_names(id: &str) -> [String; 5] {
    [
        format!("editions/{id}.pdf"),
        format!("editions/{id}-screen.pdf"),
        format!("editions/{id}-booklet.pdf"),
        format!("editions/{}", cards::Form::Sheet.file_name(id)),
        format!("editions/{}", cards::Form::Press.file_name(id)),
    ]
}
