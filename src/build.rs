//! Typesetting editions: the JSON and QR codes each edition gets, compiling in parallel, writing PDFs.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::json;
use typst_layout::PagedDocument;
use typst_pdf::PdfStandard;

use crate::error::Error;
use crate::model::contact::Contact;
use crate::output;
use crate::project::{BOOK_LAYOUT, Edition, Project};
use crate::typeset::compile::{self, PdfSettings};
use crate::typeset::fonts::Fonts;
use crate::typeset::qr::qr_svg;
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

/// Everything Typst needs for one edition besides the project files: its JSON and QR SVGs.
pub struct EditionInputs {
    /// (virtual path, bytes) pairs served by the World.
    pub virtuals: Vec<(String, Vec<u8>)>,
    /// The QR payloads in the order the codes appear.
    pub payloads: Vec<String>,
}

/// Builds the data file and QR codes of an edition.
pub fn edition_inputs(project: &Project, edition: &Edition, variant: Variant) -> Result<EditionInputs, Error> {
    let mut virtuals = Vec::new();
    let mut payloads = Vec::new();
    let mut contacts: Vec<Contact> = edition.contacts.clone();
    for contact in &mut contacts {
        for channel in &mut contact.channels {
            if let Some(payload) = &channel.payload {
                let path = format!("{DATA_DIR}/qr/{}.svg", payloads.len());
                let (svg, modules) = qr_svg(payload).map_err(Error::Typst)?;
                virtuals.push((path.clone(), svg.into_bytes()));
                channel.qr = Some(path);
                channel.qr_modules = Some(modules);
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
    /// Time spent.
    pub elapsed: Duration,
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
    let in_edition = |e: String| Error::Typst(format!("edition {} ({}):\n{e}", edition.id, variant.name()));
    let compiled = compile::compile(&world).map_err(in_edition)?;
    let pdf = if export {
        let ident = format!("guidepress/{}/{}", edition.id, variant.name());
        let standards: &[PdfStandard] = match variant {
            Variant::Press => &[],
            Variant::Screen => &[PdfStandard::A_2a, PdfStandard::Ua_1],
        };
        let settings = PdfSettings { ident: &ident, date: project.guide.ymd, standards, tagged: true };
        let pdf = compile::export_pdf(&world, &compiled.document, &settings).map_err(in_edition)?;
        match variant {
            Variant::Press => add_bleed_box(&pdf).map_err(in_edition)?,
            Variant::Screen => pdf,
        }
    } else {
        Vec::new()
    };
    Ok(Typeset {
        id: edition.id.clone(),
        document: compiled.document,
        pdf,
        warnings: compiled.warnings,
        elapsed: start.elapsed(),
    })
}

/// Sets a BleedBox equal to the MediaBox on every page that has a TrimBox (Typst writes none).
pub fn add_bleed_box(pdf: &[u8]) -> Result<Vec<u8>, String> {
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
) -> Result<Vec<u8>, Error> {
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
    let in_edition = |e: String| Error::Typst(format!("edition {} (booklet):\n{e}", edition.id));
    let compiled = compile::compile(&world).map_err(in_edition)?;
    let ident = format!("guidepress/{}/booklet", edition.id);
    let settings = PdfSettings { ident: &ident, date: project.guide.ymd, standards: &[], tagged: false };
    compile::export_pdf(&world, &compiled.document, &settings).map_err(in_edition)
}

/// All files of one edition: press, screen and booklet PDFs.
pub struct EditionFiles {
    /// The press typesetting (pages, warnings, PDF).
    pub press: Typeset,
    /// The screen PDF.
    pub screen: Vec<u8>,
    /// The booklet PDF.
    pub booklet: Vec<u8>,
    /// Time for all three.
    pub elapsed: Duration,
}

/// Typesets an edition in all its forms.
pub fn edition_files(project: &Project, base: &Base, edition: &Edition) -> Result<EditionFiles, Error> {
    let start = Instant::now();
    let press = typeset(project, base, edition, Variant::Press, true)?;
    let screen = typeset(project, base, edition, Variant::Screen, true)?;
    let booklet = impose(project, base, edition, press.pdf.clone(), press.document.pages().len())?;
    let mut warnings = press.warnings.clone();
    if screen.warnings != press.warnings {
        warnings.push_str(&screen.warnings);
    }
    Ok(EditionFiles { press: Typeset { warnings, ..press }, screen: screen.pdf, booklet, elapsed: start.elapsed() })
}

/// Options of `guidepress build` and `check`.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Edition ids to build; empty for all.
    pub ids: Vec<String>,
    /// Worker threads (default: one per core).
    pub jobs: Option<usize>,
    /// Output folder (default `<project>/out`).
    pub out: Option<PathBuf>,
    /// Refuse draft editions.
    pub final_: bool,
}

/// What a build did, per edition.
#[derive(Debug, Clone)]
pub struct Built {
    /// Edition id.
    pub id: String,
    /// Written PDF path.
    pub path: PathBuf,
    /// Number of pages.
    pub pages: usize,
    /// Time to typeset and export.
    pub elapsed: Duration,
    /// Formatted Typst warnings.
    pub warnings: String,
}

/// Picks the editions named on the command line (all when none), or a usage error listing the ids.
pub fn select<'a>(project: &'a Project, ids: &[String]) -> Result<Vec<&'a Edition>, Error> {
    if ids.is_empty() {
        return Ok(project.editions.iter().collect());
    }
    let unknown: Vec<&String> = ids.iter().filter(|id| project.edition(id).is_none()).collect();
    if !unknown.is_empty() {
        let list: Vec<String> = unknown.iter().map(|s| format!("`{s}`")).collect();
        return Err(Error::Usage(format!(
            "no edition {} in this project; the editions are: {}",
            list.join(", "),
            project.edition_ids().join(", ")
        )));
    }
    Ok(ids.iter().filter_map(|id| project.edition(id)).collect())
}

/// Runs `f` over the editions on a pool of `jobs` threads, collecting every result.
pub fn par_map<T: Send>(
    editions: &[&Edition],
    jobs: Option<usize>,
    f: impl Fn(&Edition) -> Result<T, Error> + Sync + Send,
) -> Result<Vec<Result<T, Error>>, Error> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = jobs {
        pool = pool.num_threads(n.max(1));
    }
    let pool = pool.build().map_err(|e| Error::Usage(format!("cannot start {jobs:?} worker threads: {e}")))?;
    Ok(pool.install(|| editions.par_iter().map(|e| f(e)).collect()))
}

/// Joins the errors of several editions into one, or passes the values through.
pub fn all_or_errors<T>(results: Vec<Result<T, Error>>) -> Result<Vec<T>, Error> {
    let mut ok = Vec::new();
    let mut problems = crate::diag::Problems::default();
    let mut typst = Vec::new();
    for r in results {
        match r {
            Ok(v) => ok.push(v),
            Err(Error::Problems(p)) => problems.0.extend(p.0),
            Err(Error::Typst(t)) => typst.push(t),
            Err(other) => return Err(other),
        }
    }
    if !typst.is_empty() {
        let mut text = typst.join("\n");
        if !problems.is_empty() {
            text = format!("{problems}\n{text}");
        }
        return Err(Error::Typst(text));
    }
    problems.into_result()?;
    Ok(ok)
}

/// `guidepress build`: typesets the selected editions in parallel and writes their PDFs,
/// only when every edition succeeded.
pub fn build(project: &Project, options: &BuildOptions) -> Result<Vec<Built>, Error> {
    let editions = select(project, &options.ids)?;
    if options.final_ {
        project.check_final(&editions)?;
    }
    let base = load_base(project)?;
    let results = par_map(&editions, options.jobs, |e| edition_files(project, &base, e))?;
    let done = all_or_errors(results)?;
    let dir = out_dir(project, options.out.as_deref()).join("editions");
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut built = Vec::new();
    for f in done {
        let id = f.press.id.clone();
        let path = dir.join(format!("{id}.pdf"));
        built.push(Built {
            id: id.clone(),
            path: path.clone(),
            pages: f.press.document.pages().len(),
            elapsed: f.elapsed,
            warnings: f.press.warnings,
        });
        files.push((path, f.press.pdf));
        files.push((dir.join(format!("{id}-screen.pdf")), f.screen));
        files.push((dir.join(format!("{id}-booklet.pdf")), f.booklet));
    }
    output::write_all(&files)?;
    Ok(built)
}

/// `guidepress check`: validates data and compiles every edition, writing nothing.
pub fn check(project: &Project, jobs: Option<usize>) -> Result<Vec<(String, usize, String)>, Error> {
    let editions = select(project, &[])?;
    let base = load_base(project)?;
    let results = par_map(&editions, jobs, |e| {
        let press = typeset(project, &base, e, Variant::Press, false)?;
        typeset(project, &base, e, Variant::Screen, false)?;
        Ok(press)
    })?;
    Ok(all_or_errors(results)?.into_iter().map(|t| (t.id, t.document.pages().len(), t.warnings)).collect())
}

/// `guidepress preview`: PNG pages of one edition under `out/preview/<id>/`.
pub fn preview(project: &Project, id: &str, page: Option<usize>, out: Option<&Path>) -> Result<Vec<PathBuf>, Error> {
    let editions = select(project, &[id.to_string()])?;
    let base = load_base(project)?;
    let t = typeset(project, &base, editions[0], Variant::Press, false)?;
    let count = t.document.pages().len();
    let pages: Vec<usize> = match page {
        Some(n) if n == 0 || n > count => {
            return Err(Error::Usage(format!("edition `{id}` has pages 1 to {count}; --page {n} is not one of them")));
        }
        Some(n) => vec![n - 1],
        None => (0..count).collect(),
    };
    let dir = out_dir(project, out).join("preview").join(id);
    let mut written = Vec::new();
    for i in pages {
        let png = compile::render_png(&t.document, i, 110.0)
            .ok_or_else(|| Error::Typst(format!("page {} could not be rendered", i + 1)))?;
        let path = dir.join(format!("page-{:03}.png", i + 1));
        output::write_atomic(&path, &png)?;
        written.push(path);
    }
    Ok(written)
}

/// The output folder: `--out` or `<project>/out`.
pub fn out_dir(project: &Project, out: Option<&Path>) -> PathBuf {
    out.map(Path::to_path_buf).unwrap_or_else(|| project.root.join("out"))
}
