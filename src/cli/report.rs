//! Every status line the command line prints on stderr, and the progress bar: one place for the
//! words and widths of `build`, `check`, `watch`, `ship`, `export` and `contacts`.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use guidepress::Error;
use guidepress::diag::{Location, Problems};
use guidepress::editions::Built;
use guidepress::error::Diagnostics;
use guidepress::progress::{Progress, Reporter};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::DiagnosticFormat;

/// Prints status lines (unless quiet) and errors in the chosen format.
#[derive(Debug, Clone, Copy)]
pub struct Report {
    /// No status lines and no progress bar.
    pub quiet: bool,
    /// How errors and warnings are printed.
    pub format: DiagnosticFormat,
}

impl Report {
    /// A status line.
    fn status(&self, line: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", line.as_ref());
        }
    }

    /// Typst's warnings in the chosen format (printed even when quiet).
    pub fn warnings(&self, warnings: &Diagnostics) {
        match self.format {
            DiagnosticFormat::Short => eprint!("{}", warnings.short),
            DiagnosticFormat::Human => eprint!("{}", warnings.human),
        }
    }

    /// The progress bar for a long run: drawn on stderr when it is a terminal and the run is not
    /// quiet; otherwise nothing.
    pub fn progress(&self) -> Reporter {
        if self.quiet || !std::io::stderr().is_terminal() {
            return Reporter::default();
        }
        Reporter::to(Arc::new(Bar::default()))
    }

    /// What `build` did with each edition; with `timings`, the time of each stage.
    pub fn built(&self, built: &[Built], timings: bool) {
        for b in built {
            self.warnings(&b.warnings);
            match &b.rebuilt {
                Some(why) => self.status(format!(
                    "built      {:<4} {:>3} pages {:>7.2} s  {}  ({why})",
                    b.id,
                    b.pages,
                    b.elapsed.as_secs_f64(),
                    b.print_code
                )),
                None => self.status(format!("up to date {:<4} {:>3} pages  {}", b.id, b.pages, b.print_code)),
            }
            if timings && b.rebuilt.is_some() {
                self.stages(b, "");
            }
        }
        self.standings(built.iter().map(|b| (b.id.as_str(), b.standing.as_str())));
    }

    /// Per edition, one line: final, or draft and why (`nz   draft: 6 contacts unverified, …`).
    pub fn standings<'a>(&self, editions: impl IntoIterator<Item = (&'a str, &'a str)>) {
        for (id, standing) in editions.into_iter().filter(|(_, s)| !s.is_empty()) {
            self.status(format!("{id:<4} {standing}"));
        }
    }

    /// What `check` found: each edition compiled, then the passages still marked unconfirmed,
    /// the translations behind their source (as located notes), and each edition's standing.
    pub fn checked<'a>(
        &self,
        editions: &[(String, usize, Diagnostics)],
        unconfirmed: impl IntoIterator<Item = (&'a Location, Vec<&'a str>)>,
        translations: &[(Location, String)],
        standings: &[(String, String)],
    ) {
        for (id, pages, warnings) in editions {
            self.warnings(warnings);
            self.status(format!("ok {id:<4} {pages:>3} pages"));
        }
        for (at, ids) in unconfirmed {
            // A note, not a status: it is what `check` is asked for, so quiet keeps it.
            eprintln!(
                "note: {}:{}:{}: unconfirmed passage, printed marked in {}; build --final refuses it",
                at.file,
                at.line,
                at.column,
                ids.join(", ")
            );
        }
        for (at, what) in translations {
            eprintln!("note: {}:{}:{}: {what}", at.file, at.line, at.column);
        }
        self.standings(standings.iter().map(|(id, s)| (id.as_str(), s.as_str())));
    }

    /// One `watch` round that rebuilt something (or, at the start, that all is up to date).
    pub fn watch_round(&self, built: &[Built], took: Duration) {
        // Draft or final, and why, for each edition typeset in the round (before the round's
        // line, which ends its output).
        self.standings(built.iter().filter(|b| b.rebuilt.is_some()).map(|b| (b.id.as_str(), b.standing.as_str())));
        let rebuilt: Vec<String> = built
            .iter()
            .inspect(|b| self.warnings(&b.warnings))
            .filter_map(|b| b.rebuilt.as_ref().map(|why| format!("{} ({why})", b.id)))
            .collect();
        if rebuilt.is_empty() {
            self.status(format!("up to date: {} edition{}", built.len(), plural(built.len())));
        } else {
            self.status(format!("rebuilt {} in {:.2} s", rebuilt.join(", "), took.as_secs_f64()));
        }
    }

    /// With `watch --timings`: how long the round spent reading the project, then each rebuilt
    /// edition's stages and files, as `build --timings` prints them.
    pub fn watch_timings(&self, built: &[Built], reading: Duration) {
        self.status(format!("           project {:.1} ms", reading.as_secs_f64() * 1000.0));
        for b in built.iter().filter(|b| b.rebuilt.is_some()) {
            self.stages(b, &format!("{}: ", b.id));
        }
    }

    /// An edition's stage times, then each file's (compile and export; made side by side, so
    /// they add up to more than the edition took), in milliseconds.
    fn stages(&self, b: &Built, label: &str) {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let t = b.timings;
        self.status(format!(
            "           {label}load {:.1} ms  compile {:.1} ms  export {:.1} ms  write {:.1} ms",
            ms(t.load),
            ms(t.compile),
            ms(t.export),
            ms(t.write)
        ));
        let [press, screen, booklet, cards, cards_press] = t.files.map(ms);
        self.status(format!(
            "           {label}press {press:.1} ms  screen {screen:.1} ms  booklet {booklet:.1} ms  cards {cards:.1} ms  \
             cards-press {cards_press:.1} ms"
        ));
    }

    /// A `watch` round that failed: the outputs of the last good round stay.
    pub fn watch_failed(&self, e: &Error) {
        self.error(e);
        eprintln!("the last good PDFs are kept");
    }

    /// `watch` is waiting for changes.
    pub fn watching(&self) {
        self.status("watching for changes (Ctrl-C to stop)");
    }

    /// What `ship` found in the record, wrote (or, on a dry run, would ship) and warned about.
    pub fn shipped(&self, report: &guidepress::ship::ShipReport, timings: bool, dry_run: bool) {
        for w in &report.warnings {
            match self.format {
                DiagnosticFormat::Short => eprintln!("{}", w.short().replacen(": error: ", ": warning: ", 1)),
                DiagnosticFormat::Human => eprintln!("warning: {w}"),
            }
        }
        self.warnings(&report.typst_warnings);
        for w in &report.draw_warnings {
            eprintln!("warning: {w}");
        }
        if let Some(batch) = &report.recovered {
            self.status(format!(
                "put in place the files of batch {batch}, which an earlier run recorded and was stopped"
            ));
        }
        for a in &report.already {
            let when: Vec<String> = a.batches.iter().map(|(id, date)| format!("{id} of {date}")).collect();
            self.status(format!(
                "already shipped: row {} order {} {} ×{} (batch {})",
                a.row,
                a.order_id,
                a.edition,
                a.copies,
                when.join(", ")
            ));
        }
        if report.would_ship.is_empty() {
            self.status(format!(
                "nothing owed: all {} order line{} of {} were shipped already; nothing written",
                report.already.len(),
                plural(report.already.len()),
                report.summary.orders_file
            ));
            return;
        }
        let mut per_code: std::collections::BTreeMap<(&str, &str), u64> = Default::default();
        for (edition, code, n) in &report.would_ship {
            *per_code.entry((edition.as_str(), code.as_str())).or_default() += n;
        }
        if dry_run {
            for ((edition, code), n) in per_code {
                self.status(format!("would ship {edition} ×{n} of print code {code}"));
            }
            self.status("dry run: nothing written, nothing recorded");
            return;
        }
        for (path, what) in &report.files {
            self.status(format!("wrote {}  ({what})", path.display()));
        }
        if let Some(batch) = &report.batch {
            let copies: u64 = report.would_ship.iter().map(|(_, _, n)| n).sum();
            let codes = per_code.len();
            self.status(format!("recorded batch {batch}: {copies} copies of {codes} print code{}", plural(codes)));
        }
        if timings {
            self.status(report.timings.to_string());
        }
    }

    /// What `export` wrote, and how to compile it with typst-cli.
    pub fn exported(&self, count: usize, dir: &Path) {
        self.status(format!("wrote {count} files to {}", dir.display()));
        self.status(format!("typst compile --font-path {0}/fonts --ignore-system-fonts {0}/main.typ", dir.display()));
    }

    /// A file written, with what it holds.
    pub fn wrote(&self, path: &Path, what: &str) {
        self.status(format!("wrote {}  ({what})", path.display()));
    }

    /// A verification recorded by `contacts verify`.
    pub fn verified(&self, done: &guidepress::contacts::verify::Recorded, on: &str) {
        let was = done.was.as_ref().map_or("never confirmed before".to_string(), |d| format!("was {d}"));
        self.status(format!("recorded {}:{}: `{}` verified = {on} ({was})", done.file, done.line, done.id));
        self.status(format!("the next build rebuilds {}", done.editions.join(", ")));
    }

    /// What `init` or `new` wrote under `dir`, and what is left to do.
    pub fn created(&self, created: &guidepress::scaffold::Created, dir: &Path) {
        let shown = created.files.iter().filter(|f| !f.starts_with("fonts/") && !f.starts_with("layouts/"));
        for f in shown {
            self.status(format!("wrote {}", dir.join(f).display()));
        }
        let copied = created.files.iter().filter(|f| f.starts_with("fonts/") || f.starts_with("layouts/")).count();
        if copied > 0 {
            self.status(format!("copied {copied} files of layouts/ and fonts/"));
        }
        for next in &created.next {
            self.status(format!("next: {next}"));
        }
    }

    /// Any other status line.
    pub fn line(&self, line: impl AsRef<str>) {
        self.status(line);
    }

    /// An error, in the chosen format.
    pub fn error(&self, e: &Error) {
        match (e, self.format) {
            (Error::Problems(p), DiagnosticFormat::Short) => eprint!("{}", short(p)),
            (Error::Typst(t), DiagnosticFormat::Short) => eprint!("{}", t.short()),
            (
                Error::Usage(_)
                | Error::Io { .. }
                | Error::Refused(_)
                | Error::System(_)
                | Error::Record { .. }
                | Error::Internal(_),
                _,
            ) => {
                eprintln!("error: {e}")
            }
            _ => eprintln!("{e}"),
        }
    }
}

/// Problems as `file:line:col: error: message`, one per line.
fn short(problems: &Problems) -> String {
    problems.0.iter().map(|p| format!("{}\n", p.short())).collect()
}

/// "s" unless `n` is 1.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// An indicatif bar on stderr: stage, done/total, rate and time left.
#[derive(Default)]
struct Bar(Mutex<Option<ProgressBar>>);

impl Progress for Bar {
    fn stage(&self, name: &str, total: usize) {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{msg:>22} [{bar:30}] {pos}/{len}  {per_sec}  ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(name.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(bar);
    }

    fn advance(&self, n: usize) {
        if let Some(bar) = &*self.0.lock().unwrap_or_else(|e| e.into_inner()) {
            bar.inc(n as u64);
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.0.lock().unwrap_or_else(|e| e.into_inner()).take() {
            bar.finish_and_clear();
        }
    }
}
