//! `guidepress watch`: rebuild what a change affects, keeping fonts and Typst's caches warm.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::event::ModifyKind;
use notify::{EventKind, RecursiveMode, Watcher};

use crate::editions::{self, BuildOptions, Built, Session};
use crate::error::Error;
use crate::project::Project;

/// What the watcher reports to its caller (the CLI prints it).
pub enum Event {
    /// A build round finished: per edition, built or up to date.
    Built(Vec<Built>, Duration),
    /// A round failed; the last good PDFs stay as they are.
    Failed(Error),
    /// Waiting for the next change.
    Waiting,
}

/// Watches `root` and rebuilds affected editions on every change, forever (until the process is
/// stopped). Changes under the output folder, `target/` and `.git/` are ignored. Reports
/// [`Event::Waiting`] once, then only rounds that rebuilt something or failed: with no change,
/// nothing happens and nothing is reported.
pub fn watch(root: &Path, options: &BuildOptions, mut report: impl FnMut(Event)) -> Result<(), Error> {
    // Watch the canonical folder, so that event paths compare with the ignored folders whatever
    // form `--project` took (`.`, a relative or a symlinked path).
    let root = std::fs::canonicalize(root).map_err(|e| Error::io(root, e))?;
    let out = crate::output::out_dir(&root, options.out.as_deref());
    let out = if out.is_absolute() { out } else { std::env::current_dir().map(|d| d.join(&out)).unwrap_or(out) };
    let out = std::fs::canonicalize(&out).unwrap_or(out);
    let ignored = vec![out, root.join("target"), root.join(".git")];
    let (tx, rx) = mpsc::channel();
    let filter = ignored.clone();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        // Reading files also raises events (access, metadata); only content changes count.
        if let Ok(event) = res
            && matches!(
                event.kind,
                EventKind::Create(_)
                    | EventKind::Remove(_)
                    | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any)
            )
            && relevant(&event.paths, &filter)
        {
            let _ = tx.send(());
        }
    })
    .map_err(|e| Error::io(&root, std::io::Error::other(e)))?;
    watcher.watch(&root, RecursiveMode::Recursive).map_err(|e| Error::io(&root, std::io::Error::other(e)))?;
    let mut session = Session::default();
    let mut first = true;
    loop {
        let start = Instant::now();
        match Project::load(&root).map_err(Error::from).and_then(|p| editions::build_in(&mut session, &p, options)) {
            Ok(built) => {
                if first || built.iter().any(|b| b.rebuilt.is_some() || !b.warnings.is_empty()) {
                    report(Event::Built(built, start.elapsed()));
                }
            }
            Err(e) => report(Event::Failed(e)),
        }
        // Keep memory bounded: drop cached results not used in the last few rounds.
        typst::comemo::evict(5);
        if first {
            report(Event::Waiting);
            first = false;
        }
        if !wait_for_change(&rx) {
            return Ok(());
        }
    }
}

fn relevant(paths: &[PathBuf], ignored: &[PathBuf]) -> bool {
    paths.iter().any(|p| {
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        !ignored.iter().any(|i| p.starts_with(i)) && !name.starts_with('.') && !name.ends_with('~')
    })
}

/// Blocks until a relevant change, then lets a burst of events settle (an editor's save is a few
/// events within milliseconds). False when the watcher is gone.
fn wait_for_change(rx: &mpsc::Receiver<()>) -> bool {
    if rx.recv().is_err() {
        return false;
    }
    while rx.recv_timeout(SETTLE).is_ok() {}
    true
}

/// How long the project must be quiet after a change before a round starts.
const SETTLE: Duration = Duration::from_millis(15);
