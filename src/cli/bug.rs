//! What a panic (a bug in guidepress) prints: one line naming the command and the version, never
//! a raw backtrace unless `RUST_BACKTRACE` asks for one. The process then exits with 101, as
//! Rust's runtime does after a panic; files being written are dropped unplaced (see
//! `guidepress::output::Staged`), so earlier outputs stay as they were.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

/// Replaces Rust's panic message with guidepress's: `command` is what the user ran.
pub fn install(command: String) {
    let printed = AtomicBool::new(false);
    std::panic::set_hook(Box::new(move |info| {
        // Several workers may panic at once, or a panic be raised again on the main thread: one line.
        if printed.swap(true, Ordering::SeqCst) {
            return;
        }
        let payload = info.payload();
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into());
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "error: this is a bug in guidepress {} (`{command}` stopped: {}{at}); files it was writing were \
             discarded and earlier outputs are untouched; please report this line with the command you ran",
            env!("CARGO_PKG_VERSION"),
            what.replace('\n', " ")
        );
        if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
            let _ = writeln!(err, "{}", std::backtrace::Backtrace::force_capture());
        }
    }));
}

/// The command line as typed, for the bug line: `guidepress build nz --force`.
pub fn command_line() -> String {
    let args: Vec<String> = std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    std::iter::once("guidepress".to_string()).chain(args).collect::<Vec<_>>().join(" ")
}
