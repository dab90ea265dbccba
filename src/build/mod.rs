//! Building editions: which editions need work (manifest), typesetting them in parallel, writing
//! every file atomically, and the `check` and `preview` commands.

mod typeset;

pub use typeset::*;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::diag::Problems;
use crate::error::Error;
use crate::manifest::{EditionEntry, Manifest, Stamp, sha256_hex, stale_reason};
use crate::output;
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
    /// Formatted Typst warnings.
    pub warnings: String,
}

/// Parses `I/N` for `--shard` (1 ≤ I ≤ N).
pub fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let bad = || format!("`--shard {text}` must be I/N with 1 ≤ I ≤ N, e.g. --shard 2/3");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if n == 0 || i == 0 || i > n {
        return Err(bad());
    }
    Ok((i, n))
}

/// The hash of everything an edition's layouts receive as data, plus the tool version.
pub fn data_hash(project: &Project, edition: &Edition) -> Result<String, Error> {
    let inputs = edition_data(project, edition, Variant::Press, false)?;
    let mut bytes = format!("guidepress {}\n", env!("CARGO_PKG_VERSION")).into_bytes();
    bytes.extend_from_slice(&inputs.virtuals[0].1);
    bytes.extend_from_slice(format!("\noffice-paper {}\n", edition.office_paper).as_bytes());
    Ok(sha256_hex(&bytes))
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

/// A no-op build without loading the project: when the manifest says the project's data files
/// are unchanged and every selected edition's inputs and outputs are too, returns the "up to date"
/// report; `None` means "load the project and build normally".
pub fn up_to_date_fast(root: &Path, options: &BuildOptions) -> Option<Vec<Built>> {
    if options.force || options.final_ {
        return None;
    }
    let out = options.out.clone().unwrap_or_else(|| root.join("out"));
    let manifest = Manifest::load(&out);
    if manifest.guidepress != env!("CARGO_PKG_VERSION") || manifest.project.is_empty() {
        return None;
    }
    if crate::manifest::project_stamps(root, &manifest.project) != manifest.project {
        return None;
    }
    let mut ids: Vec<String> = if options.ids.is_empty() {
        manifest
            .project
            .keys()
            .filter_map(|k| k.strip_prefix("editions/")?.strip_suffix(".toml"))
            .map(str::to_string)
            .collect()
    } else {
        options.ids.clone()
    };
    if let Some((i, n)) = options.shard {
        ids = ids.into_iter().enumerate().filter(|(k, _)| k % n == i - 1).map(|(_, id)| id).collect();
    }
    let fonts = crate::typeset::fonts::font_file_names(root);
    let mut report = Vec::new();
    for id in ids {
        let entry = manifest.editions.get(&id)?;
        if stale_reason(Some(entry), &entry.data, root, &out, &fonts).is_some() {
            return None;
        }
        report.push(Built {
            path: out.join("editions").join(format!("{id}.pdf")),
            pages: entry.pages.get("press").copied().unwrap_or(0),
            id,
            rebuilt: None,
            elapsed: Duration::ZERO,
            timings: Timings::default(),
            warnings: String::new(),
        });
    }
    Some(report)
}

/// [`build`] reusing what `session` has loaded.
pub fn build_in(session: &mut Session, project: &Project, options: &BuildOptions) -> Result<Vec<Built>, Error> {
    let start = Instant::now();
    let mut editions = select(project, &options.ids)?;
    if let Some((i, n)) = options.shard {
        editions = editions.into_iter().enumerate().filter(|(k, _)| k % n == i - 1).map(|(_, e)| e).collect();
    }
    if options.final_ {
        project.check_final(&editions)?;
    }
    let out = out_dir(project, options.out.as_deref());
    let mut manifest = Manifest::load(&out);
    let fonts = crate::typeset::fonts::font_file_names(&project.root);
    let mut review = Vec::new();
    // Decide what to rebuild.
    let mut plan = Vec::new();
    for e in &editions {
        let data = data_hash(project, e)?;
        let reason = if options.force {
            Some("--force".to_string())
        } else {
            stale_reason(manifest.editions.get(&e.id), &data, &project.root, &out, &fonts)
        };
        plan.push((*e, data, reason));
    }
    let todo: Vec<&Edition> = plan.iter().filter(|(_, _, r)| r.is_some()).map(|(e, _, _)| *e).collect();
    let mut made = BTreeMap::new();
    let mut load = Duration::ZERO;
    // What a run killed while writing left behind.
    output::remove_stale_temps(&out.join("editions"));
    if !todo.is_empty() {
        let base = session.base(project)?;
        load = start.elapsed();
        let mut missing = Problems::default();
        for e in &todo {
            missing.0.extend(crate::typeset::coverage::check_edition(project, e, &base.fonts).0);
        }
        missing.into_result()?;
        // Each worker writes (and hashes) its edition's files under temporary names; they replace
        // the old files only once every edition has succeeded, or are removed.
        let results = par_map(&todo, options.jobs, |e| {
            let t = Instant::now();
            let files = edition_files(project, base, e)?;
            let mut staged = Vec::new();
            for (rel, made) in files.named() {
                let file = output::stage(&out.join(&rel), &made.pdf)?;
                staged.push((rel, file, sha256_hex(&made.pdf), made.pdf.len()));
            }
            Ok((files, staged, t.elapsed()))
        })?;
        for (f, staged, elapsed) in all_or_errors(results)? {
            made.insert(f.press.id.clone(), (f, staged, elapsed));
        }
    }
    // Put every new file in place, then write the manifest that describes them.
    let dir = out.join("editions");
    let mut report = Vec::new();
    // Each input is stamped once per run, however many editions read it (the fonts: all).
    let mut stamped: BTreeMap<String, Option<Stamp>> =
        session.fonts.iter().map(|(rel, stamp)| (rel.clone(), stamp.clone())).collect();
    for (edition, data, reason) in plan {
        let id = edition.id.clone();
        let path = dir.join(format!("{id}.pdf"));
        let Some((mut files, staged, elapsed)) = made.remove(&id) else {
            let pages = manifest.editions.get(&id).and_then(|m| m.pages.get("press").copied()).unwrap_or(0);
            report.push(Built {
                id,
                path,
                pages,
                rebuilt: None,
                elapsed: Duration::ZERO,
                timings: Timings::default(),
                warnings: String::new(),
            });
            continue;
        };
        let pages = std::mem::take(&mut files.pages);
        review.push(crate::review::Rebuilt { id: id.clone(), reason: reason.clone().unwrap_or_default(), pages });
        let t = Instant::now();
        let mut stamps = BTreeMap::new();
        for (rel, file, sha256, len) in staged {
            let target = file.target().to_path_buf();
            file.commit()?;
            stamps.insert(rel, Stamp::of_written(sha256, &target, len as u64));
        }
        let mut inputs = BTreeMap::new();
        let previous = manifest.editions.get(&id);
        for rel in files.inputs().into_iter().chain(fonts.iter().cloned()).chain([format!("editions/{id}.toml")]) {
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
        ]);
        manifest.editions.insert(
            id.clone(),
            EditionEntry {
                id: id.clone(),
                country: edition.country.clone(),
                languages: edition.languages.clone(),
                trim: edition.trim,
                pages,
                files: stamps,
                inputs,
                data,
            },
        );
        let (compile, export) = files.times();
        let write = t.elapsed();
        report.push(Built {
            id,
            path,
            pages: files.press.pages,
            rebuilt: reason,
            elapsed: elapsed + write,
            timings: Timings { load, compile, export, write },
            warnings: files.warnings(),
        });
    }
    if report.iter().any(|b| b.rebuilt.is_some()) || !out.join(crate::manifest::MANIFEST).exists() {
        manifest.guidepress = env!("CARGO_PKG_VERSION").to_string();
        manifest.editions.retain(|id, _| project.edition(id).is_some());
        manifest.project = crate::manifest::project_stamps(&project.root, &manifest.project);
        manifest.save(&out)?;
    }
    if !review.is_empty() || !out.join(crate::review::INDEX).exists() {
        crate::review::update(project, &out, &manifest, &review)?;
    }
    Ok(report)
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
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = jobs {
        pool = pool.num_threads(n.max(1));
    }
    let pool = pool.build().map_err(|e| Error::Usage(format!("cannot start {jobs:?} worker threads: {e}")))?;
    let plan = schedule(editions);
    // Per edition: claimed by a worker, finished.
    let state = std::sync::Mutex::new((vec![false; editions.len()], vec![false; editions.len()]));
    let results: Vec<std::sync::Mutex<Option<Result<T, Error>>>> =
        editions.iter().map(|_| std::sync::Mutex::new(None)).collect();
    let workers = pool.current_num_threads().min(editions.len());
    pool.scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|_| {
                loop {
                    let next = {
                        let mut guard = state.lock().unwrap_or_else(|e| e.into_inner());
                        let (claimed, done) = &mut *guard;
                        if claimed.iter().all(|c| *c) {
                            break;
                        }
                        let ready = plan
                            .iter()
                            .find(|(i, waits)| !claimed[*i] && waits.iter().all(|w| done[*w]))
                            .map(|(i, _)| *i);
                        if let Some(i) = ready {
                            claimed[i] = true;
                        }
                        ready
                    };
                    match next {
                        Some(i) => {
                            // Marked finished even if `f` panics, so that no worker waits for it
                            // for ever (the scope then passes the panic on).
                            let _finished = Finished(&state, i);
                            let r = f(editions[i]);
                            *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                        }
                        // Nothing ready: run a piece of another edition's work, or wait a moment.
                        None => {
                            if rayon::yield_now() != Some(rayon::Yield::Executed) {
                                std::thread::sleep(Duration::from_micros(200));
                            }
                        }
                    }
                }
            });
        }
    });
    Ok(results
        .into_iter()
        .map(|r| {
            r.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| Err(Error::Typst("an edition was not built (internal error)".into())))
        })
        .collect())
}

/// Marks edition `.1` finished in [`par_map`]'s state when dropped.
struct Finished<'a>(&'a std::sync::Mutex<(Vec<bool>, Vec<bool>)>, usize);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).1[self.1] = true;
    }
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
        // The same layout error in several editions is shown once, naming them all.
        let mut groups: Vec<(Vec<String>, String)> = Vec::new();
        for t in typst {
            let (head, body) = t.split_once('\n').unwrap_or(("", &t));
            let head = head.trim_end_matches(':').to_string();
            match groups.iter_mut().find(|(_, b)| b == body) {
                Some((heads, _)) => heads.push(head),
                None => groups.push((vec![head], body.to_string())),
            }
        }
        let mut text: String =
            groups.iter().map(|(heads, body)| format!("{}:\n{body}", heads.join(", "))).collect::<Vec<_>>().join("\n");
        if !problems.is_empty() {
            text = format!("{problems}\n{text}");
        }
        return Err(Error::Typst(text));
    }
    problems.into_result()?;
    Ok(ok)
}

/// `guidepress check`: validates data and compiles every edition, writing nothing.
pub fn check(project: &Project, jobs: Option<usize>) -> Result<Vec<(String, usize, String)>, Error> {
    let editions = select(project, &[])?;
    let base = load_base(project)?;
    let mut missing = Problems::default();
    for e in &editions {
        missing.0.extend(crate::typeset::coverage::check_edition(project, e, &base.fonts).0);
    }
    missing.into_result()?;
    let results = par_map(&editions, jobs, |e| {
        // The screen form is derived from the press layout, so compiling the press form checks both.
        typeset(project, &base, e, Variant::Press, false)
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
