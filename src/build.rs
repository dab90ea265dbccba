//! Typesetting editions: the JSON and QR codes each edition gets, compiling in parallel, writing PDFs.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::json;
use typst_layout::PagedDocument;

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

/// Everything Typst needs for one edition besides the project files: its JSON and QR SVGs.
pub struct EditionInputs {
    /// (virtual path, bytes) pairs served by the World.
    pub virtuals: Vec<(String, Vec<u8>)>,
    /// The QR payloads in the order the codes appear.
    pub payloads: Vec<String>,
}

/// Builds the data file and QR codes of an edition.
pub fn edition_inputs(project: &Project, edition: &Edition, variant: &str) -> Result<EditionInputs, Error> {
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
        "variant": variant,
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

/// Compiles (and, with `export`, exports) one edition.
pub fn typeset(project: &Project, base: &Base, edition: &Edition, export: bool) -> Result<Typeset, Error> {
    let start = Instant::now();
    let inputs = edition_inputs(project, edition, "press")?;
    let main = format!("/{BOOK_LAYOUT}");
    let world = DocWorld::new(base, &main, inputs.virtuals, project.guide.ymd).map_err(Error::Typst)?;
    let compiled = compile::compile(&world).map_err(|e| Error::Typst(format!("edition {}:\n{e}", edition.id)))?;
    let pdf = if export {
        let ident = format!("guidepress/{}/press", edition.id);
        let settings = PdfSettings { ident: &ident, date: project.guide.ymd, standards: &[], tagged: true };
        compile::export_pdf(&world, &compiled.document, &settings)
            .map_err(|e| Error::Typst(format!("edition {}:\n{e}", edition.id)))?
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
        let drafts: Vec<&str> = editions.iter().filter(|e| e.draft).map(|e| e.id.as_str()).collect();
        if !drafts.is_empty() {
            let mut p = crate::diag::Problems::default();
            for e in editions.iter().filter(|e| e.draft) {
                for c in e.contacts.iter().filter(|c| c.status != crate::model::contact::Status::Verified) {
                    let name = c.name.get("en").or_else(|| c.name.values().next()).cloned().unwrap_or_default();
                    p.push(crate::diag::Problem::file(
                        format!("editions/{}.toml", e.id),
                        format!("--final refuses edition `{}`: contact \"{name}\" is {:?}; confirm it and set `verified` to the date", e.id, c.status).to_lowercase(),
                    ));
                }
            }
            return Err(Error::Problems(p));
        }
    }
    let base = load_base(project)?;
    let results = par_map(&editions, options.jobs, |e| typeset(project, &base, e, true))?;
    let typeset = all_or_errors(results)?;
    let out = out_dir(project, options.out.as_deref());
    let files: Vec<(PathBuf, Vec<u8>)> =
        typeset.iter().map(|t| (out.join("editions").join(format!("{}.pdf", t.id)), t.pdf.clone())).collect();
    output::write_all(&files)?;
    Ok(typeset
        .into_iter()
        .zip(files)
        .map(|(t, (path, _))| Built {
            id: t.id,
            path,
            pages: t.document.pages().len(),
            elapsed: t.elapsed,
            warnings: t.warnings,
        })
        .collect())
}

/// `guidepress check`: validates data and compiles every edition, writing nothing.
pub fn check(project: &Project, jobs: Option<usize>) -> Result<Vec<(String, usize, String)>, Error> {
    let editions = select(project, &[])?;
    let base = load_base(project)?;
    let results = par_map(&editions, jobs, |e| typeset(project, &base, e, false))?;
    Ok(all_or_errors(results)?.into_iter().map(|t| (t.id, t.document.pages().len(), t.warnings)).collect())
}

/// `guidepress preview`: PNG pages of one edition under `out/preview/<id>/`.
pub fn preview(project: &Project, id: &str, page: Option<usize>, out: Option<&Path>) -> Result<Vec<PathBuf>, Error> {
    let editions = select(project, &[id.to_string()])?;
    let base = load_base(project)?;
    let t = typeset(project, &base, editions[0], false)?;
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
