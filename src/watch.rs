//! `guidepress watch`: rebuild what a change affects, keeping fonts and Typst's caches warm.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::event::ModifyKind;
use notify::{EventKind, RecursiveMode, Watcher};

use crate::build::{self, BuildOptions, Built, Session};
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
/// stopped). Changes under the output folder, `target/` and `.git/` are ignored.
pub fn watch(root: &Path, options: &BuildOptions, mut report: impl FnMut(Event)) -> Result<(), Error> {
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        // Reading files also raises events (access, metadata); only content changes count.
        if let Ok(event) = res
            && matches!(
                event.kind,
                EventKind::Create(_)
                    | EventKind::Remove(_)
                    | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any)
            )
        {
            let _ = tx.send(event.paths);
        }
    })
    .map_err(|e| Error::io(root, std::io::Error::other(e)))?;
    watcher.watch(root, RecursiveMode::Recursive).map_err(|e| Error::io(root, std::io::Error::other(e)))?;
    let root = std::fs::canonicalize(root).map_err(|e| Error::io(root, e))?;
    let out = options.out.clone().unwrap_or_else(|| root.join("out"));
    let out = std::fs::canonicalize(&out).unwrap_or(out);
    let ignored = [out, root.join("target"), root.join(".git")];
    let mut session = Session::default();
    loop {
        let start = Instant::now();
        match Project::load(&root).map_err(Error::from).and_then(|p| build::build_in(&mut session, &p, options)) {
            Ok(built) => report(Event::Built(built, start.elapsed())),
            Err(e) => report(Event::Failed(e)),
        }
        // Keep memory bounded: drop cached results not used in the last few rounds.
        typst::comemo::evict(5);
        report(Event::Waiting);
        wait_for_change(&rx, &ignored);
    }
}

fn relevant(paths: &[PathBuf], ignored: &[PathBuf]) -> bool {
    paths.iter().any(|p| {
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        !ignored.iter().any(|i| p.starts_with(i)) && !name.starts_with('.') && !name.ends_with('~')
    })
}

/// Blocks until a relevant change, then lets a burst of events settle.
fn wait_for_change(rx: &mpsc::Receiver<Vec<PathBuf>>, ignored: &[PathBuf]) {
    loop {
        let Ok(paths) = rx.recv() else { return };
        if relevant(&paths, ignored) {
            break;
        }
    }
    while rx.recv_timeout(Duration::from_millis(150)).is_ok() {}
}
