//! The one job runner: every parallel stage (editions, label and packing-sheet chunks) runs its
//! tasks through [`run`].
//!
//! A fixed number of workers on a rayon pool each claim the next task that is ready, one at a
//! time, so memory holds the tasks being worked on and no more. Typst's own parallel work inside
//! a task runs on the same pool; a worker with nothing ready helps with it.

use std::sync::Mutex;
use std::time::Duration;

use crate::error::Error;

/// Tasks in the order they are taken, each with the tasks it waits for (indexes into the same
/// list of tasks; every task appears once).
pub type Plan = [(usize, Vec<usize>)];

/// A plan of `n` tasks that wait for none, taken in order.
pub fn independent(n: usize) -> Vec<(usize, Vec<usize>)> {
    (0..n).map(|i| (i, Vec::new())).collect()
}

/// Runs `f` for every task of `plan` on `jobs` threads (default: one per core), and returns the
/// results in task order; `None` for a task that did not run (a worker died).
pub fn run<T: Send>(
    plan: &Plan,
    jobs: Option<usize>,
    f: impl Fn(usize) -> T + Sync + Send,
) -> Result<Vec<Option<T>>, Error> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = jobs {
        pool = pool.num_threads(n.max(1));
    }
    let pool = pool.build().map_err(|e| {
        Error::System(format!(
            "cannot start {} worker threads: {e}; try fewer with --jobs",
            jobs.map_or_else(|| "the".to_string(), |n| n.to_string())
        ))
    })?;
    let n = plan.len();
    // Per task: claimed by a worker, finished.
    let state = Mutex::new((vec![false; n], vec![false; n]));
    let results: Vec<Mutex<Option<T>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let workers = pool.current_num_threads().min(n);
    pool.scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|_| {
                while let Some(next) = claim(&state, plan) {
                    match next {
                        Some(i) => {
                            // Marked finished even if `f` panics, so that no worker waits for it
                            // for ever (the scope then passes the panic on).
                            let _finished = Finished(&state, i);
                            let r = f(i);
                            *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                        }
                        // Nothing ready: run a piece of another task's work, or wait a moment.
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
    Ok(results.into_iter().map(|r| r.into_inner().unwrap_or_else(|e| e.into_inner())).collect())
}

/// State of [`run`]: per task, claimed and finished.
type State = Mutex<(Vec<bool>, Vec<bool>)>;

/// The next task for a worker: `None` when every task is claimed, `Some(None)` when none is
/// ready yet, `Some(Some(i))` for task `i` (now claimed).
fn claim(state: &State, plan: &Plan) -> Option<Option<usize>> {
    let mut guard = state.lock().unwrap_or_else(|e| e.into_inner());
    let (claimed, done) = &mut *guard;
    if claimed.iter().all(|c| *c) {
        return None;
    }
    let ready = plan.iter().find(|(i, waits)| !claimed[*i] && waits.iter().all(|w| done[*w])).map(|(i, _)| *i);
    if let Some(i) = ready {
        claimed[i] = true;
    }
    Some(ready)
}

/// Marks task `.1` finished in [`run`]'s state when dropped.
struct Finished<'a>(&'a State, usize);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).1[self.1] = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_runs_once_after_those_it_waits_for() {
        let order = Mutex::new(Vec::new());
        let plan = vec![(2, vec![]), (0, vec![2]), (1, vec![0, 2])];
        let out = run(&plan, Some(2), |i| {
            order.lock().unwrap().push(i);
            i * 10
        })
        .unwrap();
        assert_eq!(out, [Some(0), Some(10), Some(20)]);
        assert_eq!(order.into_inner().unwrap(), [2, 0, 1]);
        assert_eq!(run(&independent(0), None, |i| i).unwrap(), Vec::<Option<usize>>::new());
        assert_eq!(run(&independent(5), Some(1), |i| i).unwrap().len(), 5);
    }
}
