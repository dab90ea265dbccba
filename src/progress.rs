//! How long runs tell how far they are: the library reports stages and steps to a [`Progress`];
//! the command line draws them (a bar on a terminal, nothing otherwise).

use std::fmt;
use std::sync::Arc;

/// Receives the progress of a run. Called from worker threads.
pub trait Progress: Send + Sync {
    /// A stage begins with `total` steps (e.g. "typesetting", 6 editions).
    fn stage(&self, name: &str, total: usize);
    /// `n` more steps of the current stage are done.
    fn advance(&self, n: usize);
    /// The current stage is over.
    fn finish(&self);
}

/// A shared [`Progress`], or none (the default: nothing is reported).
#[derive(Clone, Default)]
pub struct Reporter(Option<Arc<dyn Progress>>);

impl Reporter {
    /// Reports to `progress`.
    pub fn to(progress: Arc<dyn Progress>) -> Self {
        Self(Some(progress))
    }

    /// See [`Progress::stage`].
    pub fn stage(&self, name: &str, total: usize) {
        if let Some(p) = &self.0 {
            p.stage(name, total);
        }
    }

    /// See [`Progress::advance`].
    pub fn advance(&self, n: usize) {
        if let Some(p) = &self.0 {
            p.advance(n);
        }
    }

    /// See [`Progress::finish`].
    pub fn finish(&self) {
        if let Some(p) = &self.0 {
            p.finish();
        }
    }
}

impl fmt::Debug for Reporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() { "Reporter(on)" } else { "Reporter(off)" })
    }
}
