//! `guidepress watch`: rebuild what a change affects, keeping fonts and Typst's caches warm.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{EventKind, RecursiveMode, Watcher};

use crate::editions::{BuildOptions, Built, Session};
use crate::error::Error;
use crate::project::Project;

/// What the watcher reports to its caller (the CLI prints it).
pub enum Event {
    /// A build round finished.
    Built {
        /// Per edition, built or up to date.
        editions: Vec<Built>,
        /// How long the round took.
        took: Duration,
        /// How much of it went to reading and validating the project.
        reading: Duration,
    },
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
            && let Some(change) = change_of(&event.kind)
            && relevant(&event.paths, &filter)
        {
            let _ = tx.send(change);
        }
    })
    .map_err(|e| Error::io(&root, std::io::Error::other(e)))?;
    watcher.watch(&root, RecursiveMode::Recursive).map_err(|e| Error::io(&root, std::io::Error::other(e)))?;
    let mut session = Session::default();
    let mut first = true;
    loop {
        let start = Instant::now();
        let loaded = Project::load(&root).map_err(Error::from);
        let reading = start.elapsed();
        match loaded.and_then(|p| crate::press::build_in(&mut session, &p, options)) {
            Ok(editions) => {
                if first || editions.iter().any(|b| b.rebuilt.is_some() || !b.warnings.is_empty()) {
                    report(Event::Built { editions, took: start.elapsed(), reading });
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
        !ignored.iter().any(|i| p.starts_with(i)) && !crate::project::is_editor_leftover(&name)
    })
}

/// What an event says about a file's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// Content is being written: more may follow within milliseconds.
    Writing,
    /// A write ended: the file was closed after writing, or renamed into place.
    Done,
}

/// The change an event stands for, or `None` for events that change no content (reads,
/// metadata).
fn change_of(kind: &EventKind) -> Option<Change> {
    match kind {
        // Closed after writing, or another file renamed to this one (an editor's saved copy).
        EventKind::Access(AccessKind::Close(AccessMode::Write))
        | EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both)) => Some(Change::Done),
        // A file renamed away or removed may be written anew at once (an editor keeping a backup).
        EventKind::Create(_)
        | EventKind::Remove(_)
        | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any | ModifyKind::Name(_)) => Some(Change::Writing),
        _ => None,
    }
}

/// Blocks until a relevant change, then lets a burst of events settle: after a write that is
/// still open or a file removed or renamed away, [`SETTLE`] of quiet; once the last event ended a
/// write (an editor saving in place closes the file, one saving a copy renames it into place),
/// only [`SETTLE_DONE`]. False when the watcher
/// is gone.
fn wait_for_change(rx: &mpsc::Receiver<Change>) -> bool {
    let Ok(mut last) = rx.recv() else {
        return false;
    };
    loop {
        let quiet = if last == Change::Done { SETTLE_DONE } else { SETTLE };
        match rx.recv_timeout(quiet) {
            Ok(change) => last = change,
            Err(mpsc::RecvTimeoutError::Timeout) => return true,
            Err(mpsc::RecvTimeoutError::Disconnected) => return false,
        }
    }
}

/// How long the project must be quiet after a write that may go on before a round starts.
const SETTLE: Duration = Duration::from_millis(15);
/// How long after a finished write: enough for the next file of a save that touches several.
const SETTLE_DONE: Duration = Duration::from_millis(2);

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange, RemoveKind};

    #[test]
    fn reads_and_metadata_are_no_change_and_a_finished_write_is_done() {
        assert_eq!(change_of(&EventKind::Access(AccessKind::Close(AccessMode::Read))), None);
        assert_eq!(change_of(&EventKind::Access(AccessKind::Open(AccessMode::Any))), None);
        assert_eq!(change_of(&EventKind::Modify(ModifyKind::Metadata(notify::event::MetadataKind::Any))), None);
        assert_eq!(change_of(&EventKind::Modify(ModifyKind::Data(DataChange::Content))), Some(Change::Writing));
        assert_eq!(change_of(&EventKind::Create(CreateKind::File)), Some(Change::Writing));
        assert_eq!(change_of(&EventKind::Access(AccessKind::Close(AccessMode::Write))), Some(Change::Done));
        assert_eq!(change_of(&EventKind::Modify(ModifyKind::Name(RenameMode::To))), Some(Change::Done));
        assert_eq!(change_of(&EventKind::Modify(ModifyKind::Name(RenameMode::Both))), Some(Change::Done));
        // Renamed away or removed: a new file may follow.
        assert_eq!(change_of(&EventKind::Modify(ModifyKind::Name(RenameMode::From))), Some(Change::Writing));
        assert_eq!(change_of(&EventKind::Remove(RemoveKind::File)), Some(Change::Writing));
    }

    #[test]
    fn a_round_waits_for_a_write_to_go_quiet() {
        let (tx, rx) = mpsc::channel();
        // A save in place: writes, then the close; a round may start once it is closed.
        let sender = std::thread::spawn(move || {
            for _ in 0..3 {
                tx.send(Change::Writing).unwrap();
                std::thread::sleep(Duration::from_millis(5));
            }
            tx.send(Change::Done).unwrap();
            std::thread::sleep(Duration::from_millis(200));
            drop(tx);
        });
        let start = Instant::now();
        assert!(wait_for_change(&rx));
        let waited = start.elapsed();
        // Not before the last write (three writes 5 ms apart), and well before the sender goes.
        assert!(waited >= Duration::from_millis(10), "{waited:?}");
        assert!(waited < Duration::from_millis(150), "{waited:?}");
        // The sender gone: no more changes.
        assert!(!wait_for_change(&rx));
        sender.join().unwrap();
    }
}
