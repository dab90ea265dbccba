//! Building editions: which editions need work (manifest), typesetting them in parallel, writing
//! every file atomically, and the `check` and `preview` commands.

pub mod cards;
mod data;
mod forms;
mod pages;
pub mod print_code;
pub mod release;
mod stale;

pub use data::{EDITION_JSON, EditionInputs, edition_inputs};
pub use forms::{
    BOOKLET_JSON, BOOKLET_LAYOUT, EditionFiles, Made, PRESS_PDF, StagedFile, Typeset, Variant, edition_files,
    file_names, impose, load_base, screen_from, typeset,
};
pub use pages::{current_release, press_pages};
pub use stale::{data_hash, up_to_date_fast};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::diag::Problems;
use crate::error::Error;
use crate::manifest::{EditionEntry, Manifest, stale_reason};
use crate::output;
use crate::output::Stamp;
use crate::project::{Edition, Project};
use crate::typeset::compile;

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
    /// Rebuild even editions that are up to date.
    pub force: bool,
    /// Build only the I-th of N slices of the editions: `(I, N)`, 1-based.
    pub shard: Option<(usize, usize)>,
    /// Where to report how many editions are typeset.
    pub progress: crate::progress::Reporter,
}

/// Time spent per stage for one edition (`--timings`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    /// Reading the project and fonts (shared by every edition of the run).
    pub load: Duration,
    /// Compiling press, screen and booklet.
    pub compile: Duration,
    /// Exporting the three PDFs.
    pub export: Duration,
    /// Writing files and the manifest.
    pub write: Duration,
    /// Compiling and exporting each file, in the order of [`file_names`]: press, screen,
    /// booklet, cards, cards for a print shop (made side by side, so they add up to more than
    /// the run took).
    pub files: [Duration; 5],
}

/// What a build did with one edition.
#[derive(Debug, Clone)]
pub struct Built {
    /// Edition id.
    pub id: String,
    /// The press PDF path.
    pub path: PathBuf,
    /// Press pages.
    pub pages: usize,
    /// `Some(reason)` when typeset in this run, `None` when up to date.
    pub rebuilt: Option<String>,
    /// Time spent on this edition.
    pub elapsed: Duration,
    /// Stage times (zero when up to date).
    pub timings: Timings,
    /// Typst's warnings.
    pub warnings: crate::error::Diagnostics,
    /// The press pages as laid out in this run (empty when up to date), for the review page.
    pub laid_out: Vec<typst_layout::Page>,
    /// The print code its pages carry (empty when the manifest does not know it).
    pub print_code: String,
    /// `final`, or `draft: ` and why (see [`Project::standing_line`]).
    pub standing: String,
}

impl Built {
    /// The report of an edition that was up to date.
    pub fn up_to_date(id: String, path: PathBuf, pages: usize, print_code: String) -> Self {
        Built {
            id,
            path,
            pages,
            rebuilt: None,
            elapsed: Duration::ZERO,
            timings: Timings::default(),
            warnings: Default::default(),
            laid_out: Vec::new(),
            print_code,
            standing: String::new(),
        }
    }
}

/// What stays loaded between builds of one process (watch mode): fonts and the Typst base.
#[derive(Default)]
pub struct Session {
    base: Option<crate::typeset::world::Base>,
    fonts: Vec<(String, Option<Stamp>)>,
}

impl Session {
    /// The shared base, reloaded when the fonts changed; project files are re-read.
    fn base(&mut self, project: &Project) -> Result<&crate::typeset::world::Base, Error> {
        let same_root =
            self.base.as_ref().is_some_and(|b| std::fs::canonicalize(&project.root).ok().as_ref() == Some(&b.root));
        if same_root {
            let fonts: Vec<(String, Option<Stamp>)> = crate::typeset::fonts::font_file_names(&project.root)
                .into_iter()
                .map(|rel| {
                    let prev = self.fonts.iter().find(|(r, _)| *r == rel).and_then(|(_, s)| s.as_ref());
                    let stamp = Stamp::of_file(&project.root.join(&rel), prev);
                    (rel, stamp)
                })
                .collect();
            if fonts == self.fonts
                && let Some(base) = self.base.as_mut()
            {
                base.reset_files();
                return Ok(self.base.as_ref().expect("base is loaded"));
            }
        }
        // The fonts are stamped as they are read (on the prefetch thread of a fresh run).
        let base = load_base(project)?;
        self.fonts = base.fonts.files.iter().map(|f| (f.rel.clone(), Some(f.stamp.clone()))).collect();
        Ok(self.base.insert(base))
    }
}

/// `guidepress build`: typesets, in parallel, the selected editions whose inputs or outputs
/// changed since the manifest was written, then writes their PDFs and the manifest — only when
/// every edition succeeded.
pub fn build(project: &Project, options: &BuildOptions) -> Result<Vec<Built>, Error> {
    build_in(&mut Session::default(), project, options)
}

/// [`build`] reusing what `session` has loaded.
pub fn build_in(session: &mut Session, project: &Project, options: &BuildOptions) -> Result<Vec<Built>, Error> {
    let start = Instant::now();
    let editions = shard(project.select(&options.ids)?, options.shard);
    if options.final_ {
        project.check_final(&editions)?;
    }
    cards::check(project, &editions)?;
    let out = out_dir(project, options.out.as_deref());
    let mut manifest = Manifest::load(&out);
    let fonts = crate::typeset::fonts::font_file_names(&project.root);
    // Decide what to rebuild.
    let mut plan = Vec::new();
    for e in &editions {
        let data = data_hash(project, e)?;
        let reason = if options.force {
            Some("forced".to_string())
        } else {
            stale_reason(manifest.editions.get(&e.id), &data, &project.root, &out, &fonts)
        };
        plan.push((*e, data, reason));
    }
    let todo: Vec<&Edition> = plan.iter().filter(|(_, _, r)| r.is_some()).map(|(e, _, _)| *e).collect();
    // What a run killed while writing left behind.
    output::remove_stale_temps(&out.join("editions"));
    let (mut made, load) = if todo.is_empty() {
        (BTreeMap::new(), Duration::ZERO)
    } else {
        let base = session.base(project)?;
        let load = start.elapsed();
        options.progress.stage("typesetting editions", todo.len());
        let made = typeset_all(project, base, &todo, &out, options);
        options.progress.finish();
        (made?, load)
    };
    // Put every new file in place, then write the manifest that describes them.
    let mut report = Vec::new();
    // Each input is stamped once per run, however many editions read it (the fonts: all).
    let mut stamped: BTreeMap<String, Option<Stamp>> =
        session.fonts.iter().map(|(rel, stamp)| (rel.clone(), stamp.clone())).collect();
    for (edition, data, reason) in plan {
        let path = out.join("editions").join(format!("{}.pdf", edition.id));
        let Some((mut files, staged, elapsed)) = made.remove(&edition.id) else {
            let entry = manifest.editions.get(&edition.id);
            let pages = entry.and_then(|m| m.pages.get("press").copied()).unwrap_or(0);
            let code = entry.map(|m| m.print_code().to_string()).unwrap_or_default();
            let mut built = Built::up_to_date(edition.id.clone(), path, pages, code);
            built.standing = project.standing_line(edition);
            report.push(built);
            continue;
        };
        let laid_out = std::mem::take(&mut files.pages);
        let t = Instant::now();
        let previous = manifest.editions.get(&edition.id);
        let entry = commit(project, edition, data, (&files, staged), &fonts, previous, &mut stamped)?;
        manifest.editions.insert(edition.id.clone(), entry);
        let (compile, export) = files.times();
        let write = t.elapsed();
        report.push(Built {
            id: edition.id.clone(),
            path,
            pages: files.press.pages,
            rebuilt: reason,
            elapsed: elapsed + write,
            timings: Timings { load, compile, export, write, files: files.named().map(|(_, m)| m.compile + m.export) },
            warnings: files.warnings(),
            laid_out,
            print_code: files.release.print_code.clone(),
            standing: project.standing_line(edition),
        });
    }
    if report.iter().any(|b| b.rebuilt.is_some()) || !out.join(crate::manifest::MANIFEST).exists() {
        manifest.guidepress = env!("CARGO_PKG_VERSION").to_string();
        manifest.editions.retain(|id, _| project.edition(id).is_some());
        manifest.project = crate::manifest::project_stamps(&project.root, &manifest.project);
        manifest.save(&out)?;
    }
    Ok(report)
}

/// The I-th of N slices of the editions (all without a shard).
fn shard(editions: Vec<&Edition>, shard: Option<(usize, usize)>) -> Vec<&Edition> {
    match shard {
        Some((i, n)) => editions.into_iter().enumerate().filter(|(k, _)| k % n == i - 1).map(|(_, e)| e).collect(),
        None => editions,
    }
}

/// An edition's files made in this run, staged under temporary names, with the time it took.
type Done = (EditionFiles, Vec<StagedFile>, Duration);

/// Typesets the editions in parallel; each worker writes (and hashes) its edition's files under
/// temporary names. They replace the old files only once every edition has succeeded, or are
/// removed.
fn typeset_all(
    project: &Project,
    base: &crate::typeset::world::Base,
    todo: &[&Edition],
    out: &Path,
    options: &BuildOptions,
) -> Result<BTreeMap<String, Done>, Error> {
    // The fonts' coverage of the text is checked while the editions are typeset: a gap fails
    // the run, and what was made is then removed.
    let (missing, results) = std::thread::scope(|scope| {
        let coverage = scope.spawn(|| {
            let mut missing = Problems::default();
            for e in todo {
                missing.0.extend(crate::typeset::coverage::check_edition(project, e, &base.fonts).0);
            }
            missing
        });
        let results = par_map(todo, options.jobs, |e| {
            let t = Instant::now();
            let (files, staged) = edition_files(project, base, e, out)?;
            if todo.len() > 1 {
                // Keep memory bounded over many editions: Typst's cache forgets what the last few
                // editions did not use (once per edition: each eviction walks the whole cache). A
                // single edition's caller evicts when it likes (watch: after each round).
                typst::comemo::evict(4);
            }
            options.progress.advance(1);
            Ok((files, staged, t.elapsed()))
        });
        (coverage.join(), results)
    });
    missing.map_err(|_| Error::internal("the font coverage check stopped"))?.into_result()?;
    Ok(all_or_errors(results?)?.into_iter().map(|done| (done.0.press.id.clone(), done)).collect())
}

/// Puts an edition's staged files in place and returns its manifest entry: the files written and
/// every input read, stamped (each input once per run, in `stamped`).
fn commit(
    project: &Project,
    edition: &Edition,
    data: String,
    (files, staged): (&EditionFiles, Vec<StagedFile>),
    fonts: &[String],
    previous: Option<&EditionEntry>,
    stamped: &mut BTreeMap<String, Option<Stamp>>,
) -> Result<EditionEntry, Error> {
    let id = &edition.id;
    let mut stamps = BTreeMap::new();
    for (rel, file, sha256, len) in staged {
        let target = file.target().to_path_buf();
        file.commit()?;
        stamps.insert(rel, Stamp::of_written(sha256, &target, len as u64));
    }
    let mut inputs = BTreeMap::new();
    let read = files.inputs().into_iter().chain(fonts.iter().cloned()).chain([format!("editions/{id}.toml")]);
    for rel in read.chain(project.translation_inputs(edition)) {
        let prev = previous.and_then(|m| m.inputs.get(&rel));
        let stamp =
            stamped.entry(rel.clone()).or_insert_with(|| Stamp::of_file(&project.root.join(&rel), prev)).clone();
        if let Some(stamp) = stamp {
            inputs.insert(rel, stamp);
        }
    }
    let pages = BTreeMap::from([
        ("press".to_string(), files.press.pages),
        ("screen".to_string(), files.screen.pages),
        ("booklet".to_string(), files.booklet.pages),
        ("cards".to_string(), files.cards.pages),
        ("cards-press".to_string(), files.cards_press.pages),
    ]);
    Ok(EditionEntry {
        id: id.clone(),
        country: edition.country.clone(),
        languages: edition.languages.clone(),
        trim: edition.trim,
        pages,
        files: stamps,
        inputs,
        data,
        release: Some(files.release.clone()),
        standing: project.standing_line(edition),
    })
}

/// Runs `f` over the editions on a pool of `jobs` threads, collecting every result (in the
/// editions' order).
///
/// Editions of the same trim lay out each language's chapters identically (book.typ keeps the
/// chapters' styles free of the edition's other languages), so Typst's cache can serve a
/// language part from an edition laid out before. Each edition therefore waits for the editions
/// that first lay out its languages in its trim ([`schedule`]); every worker takes the next
/// edition that is ready and, while none is, helps with the others' parallel work.
pub fn par_map<T: Send>(
    editions: &[&Edition],
    jobs: Option<usize>,
    f: impl Fn(&Edition) -> Result<T, Error> + Sync + Send,
) -> Result<Vec<Result<T, Error>>, Error> {
    let results = crate::typeset::pool::run(&schedule(editions), jobs, |i| f(editions[i]))?;
    let missing = || Err(Error::internal("an edition was not built"));
    Ok(results.into_iter().map(|r| r.unwrap_or_else(missing)).collect())
}

/// The order in which [`par_map`] takes the editions, each with the editions it waits for
/// (indexes into `editions`).
///
/// Within a trim, editions are taken sorted by their languages; an edition waits for the first
/// edition of its trim that has each of its languages, unless that is itself. Editions that wait
/// for none come first, those with more languages (more work) before those with fewer.
pub fn schedule(editions: &[&Edition]) -> Vec<(usize, Vec<usize>)> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, e) in editions.iter().enumerate() {
        match groups.iter_mut().find(|g| editions[g[0]].trim == e.trim) {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    let mut plan: Vec<(usize, Vec<usize>)> = Vec::new();
    for g in &mut groups {
        g.sort_by(|a, b| editions[*a].languages.cmp(&editions[*b].languages));
        for (k, &i) in g.iter().enumerate() {
            let mut waits: Vec<usize> = editions[i]
                .languages
                .iter()
                .filter_map(|lang| g[..k].iter().copied().find(|j| editions[*j].languages.contains(lang)))
                .collect();
            waits.sort_unstable();
            waits.dedup();
            plan.push((i, waits));
        }
    }
    plan.sort_by_key(|(i, waits)| (!waits.is_empty(), std::cmp::Reverse(editions[*i].languages.len())));
    plan
}

/// Joins the errors of several editions into one, or passes the values through.
pub fn all_or_errors<T>(results: Vec<Result<T, Error>>) -> Result<Vec<T>, Error> {
    let mut ok = Vec::new();
    let mut problems = crate::diag::Problems::default();
    let mut typst = crate::error::TypstErrors::default();
    for r in results {
        match r {
            Ok(v) => ok.push(v),
            Err(Error::Problems(p)) => problems.0.extend(p.0),
            // The same layout error in several editions is shown once, naming them all.
            Err(Error::Typst(t)) => typst.add(t),
            Err(other) => return Err(other),
        }
    }
    if !typst.groups.is_empty() {
        typst.problems.0.splice(0..0, problems.0);
        return Err(Error::Typst(typst));
    }
    problems.into_result()?;
    Ok(ok)
}

/// `guidepress check`: validates data and compiles every edition, writing nothing.
pub fn check(project: &Project, jobs: Option<usize>) -> Result<Vec<(String, usize, crate::error::Diagnostics)>, Error> {
    let editions = project.select(&[])?;
    cards::check(project, &editions)?;
    let base = load_base(project)?;
    let mut missing = Problems::default();
    for e in &editions {
        missing.0.extend(crate::typeset::coverage::check_edition(project, e, &base.fonts).0);
    }
    missing.into_result()?;
    let results = par_map(&editions, jobs, |e| {
        // The screen form is derived from the press layout, so compiling the press form checks both.
        let press = typeset(project, &base, e, Variant::Press, false)?;
        cards::typeset_cards(project, &base, e, cards::Form::Sheet, false)?;
        Ok(press)
    })?;
    Ok(all_or_errors(results)?.into_iter().map(|t| (t.id, t.document.pages().len(), t.warnings)).collect())
}

/// `guidepress preview`: PNG pages of one edition under `out/preview/<id>/`.
pub fn preview(project: &Project, id: &str, page: Option<usize>, out: Option<&Path>) -> Result<Vec<PathBuf>, Error> {
    let editions = project.select(&[id.to_string()])?;
    let base = load_base(project)?;
    let t = typeset(project, &base, editions[0], Variant::Press, false)?;
    let count = t.document.pages().len();
    let pages: Vec<usize> = match page {
        Some(n) if n == 0 || n > count => {
            return Err(Error::Usage(format!("edition `{id}` has pages 1 to {count}; page {n} is not one of them")));
        }
        Some(n) => vec![n - 1],
        None => (0..count).collect(),
    };
    let dir = out_dir(project, out).join("preview").join(id);
    let mut written = Vec::new();
    for i in pages {
        let png = compile::render_png(&t.document, i, 110.0)
            .ok_or_else(|| Error::internal(format!("page {} could not be rendered", i + 1)))?;
        let path = dir.join(format!("page-{:03}.png", i + 1));
        output::write_atomic(&path, &png)?;
        written.push(path);
    }
    Ok(written)
}

/// The output folder: `--out` or `<project>/out`.
pub fn out_dir(project: &Project, out: Option<&Path>) -> PathBuf {
    output::out_dir(&project.root, out)
}
