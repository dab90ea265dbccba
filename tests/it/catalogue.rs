//! The error catalogue: broken projects and broken orders files kept as data under
//! `tests/catalogue/`, each with the exact text `guidepress check` or `guidepress ship` prints.
//!
//! - `project.toml`: `[[case]]`s, each a change to a copy of the sample project (an edit of one
//!   file, or files removed, renamed, copied or written) and the exact stderr of
//!   `guidepress check` (or of the command in `args`), which must exit with 1, print nothing on
//!   stdout and write no file.
//! - `orders/NN-name.csv` + `orders/NN-name.expected`: an orders file shipped from a copy of the
//!   sample project (as `orders/NN-name.csv`) and the exact stderr of `guidepress ship`. A case
//!   whose expected text has no `error:` line is accepted: it must exit with 0, and `{out}` in
//!   its text stands for the output folder.
//!
//! Run with `GUIDEPRESS_BLESS=1` to rewrite every expected text from the current output (then
//! read every change before committing it).

use crate::support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

fn catalogue() -> PathBuf {
    support::sample_root().join("tests/catalogue")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalogue {
    case: Vec<Case>,
}

/// One broken project.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// The file to edit, with `find` replaced once by `replace`.
    file: Option<String>,
    find: Option<String>,
    replace: Option<String>,
    /// Writes `replace` in Latin-1 instead of UTF-8 (as some editors save a file).
    #[serde(default, rename = "replace-in-latin1")]
    replace_in_latin1: bool,
    /// Files to delete (folders are deleted with their content).
    #[serde(default)]
    remove: Vec<String>,
    /// Files to rename, `[from, to]`.
    #[serde(default)]
    rename: Vec<[String; 2]>,
    /// Files to copy, `[from, to]`.
    #[serde(default)]
    copy: Vec<[String; 2]>,
    /// Files to write, path → text.
    #[serde(default)]
    write: BTreeMap<String, String>,
    /// The command line after `--project <copy>`, run in the copy's folder (so that a relative
    /// path, e.g. `orders/sample-requests.csv`, is the copy's).
    #[serde(default = "check")]
    args: Vec<String>,
    /// The exact text on stderr.
    expect: String,
}

impl Case {
    fn paths(&self) -> impl Iterator<Item = &String> {
        self.file
            .iter()
            .chain(&self.remove)
            .chain(self.rename.iter().flatten())
            .chain(self.copy.iter().flatten())
            .chain(self.write.keys())
    }

    /// Applies the case to a copy of the sample project.
    fn apply(&self, root: &Path) {
        if self.paths().any(|p| p.starts_with("fonts")) {
            own_fonts_folder(root);
        }
        if let Some(file) = &self.file {
            let (find, replace) = (self.find.as_deref().unwrap(), self.replace.as_deref().unwrap());
            if self.replace_in_latin1 {
                let text = fs::read_to_string(root.join(file)).unwrap();
                let at = text.find(find).unwrap_or_else(|| panic!("{}: {file} does not contain {find:?}", self.name));
                let mut bytes = text.as_bytes()[..at].to_vec();
                bytes.extend(replace.chars().map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character")));
                bytes.extend(&text.as_bytes()[at + find.len()..]);
                fs::write(root.join(file), bytes).unwrap();
            } else {
                support::edit(root, file, find, replace);
            }
        } else {
            assert!(self.find.is_none() && self.replace.is_none(), "{}: `find` needs `file`", self.name);
        }
        for rel in &self.remove {
            let path = root.join(rel);
            if path.is_dir() { fs::remove_dir_all(&path) } else { fs::remove_file(&path) }
                .unwrap_or_else(|e| panic!("{}: cannot remove {rel}: {e}", self.name));
        }
        for [from, to] in &self.rename {
            fs::rename(root.join(from), root.join(to)).unwrap_or_else(|e| panic!("{}: {from}: {e}", self.name));
        }
        for [from, to] in &self.copy {
            fs::copy(root.join(from), root.join(to)).unwrap_or_else(|e| panic!("{}: {from}: {e}", self.name));
        }
        for (rel, text) in &self.write {
            fs::write(root.join(rel), text).unwrap();
        }
    }
}

fn check() -> Vec<String> {
    vec!["check".into()]
}

/// Every file and folder under `root` (links not followed), relative to it, but for `records/`:
/// `ship` opens its record before anything else (to complete a run that was stopped), which
/// creates it.
fn files(root: &Path) -> std::collections::BTreeSet<PathBuf> {
    fn walk(root: &Path, dir: &Path, found: &mut std::collections::BTreeSet<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let rel = entry.path().strip_prefix(root).unwrap().to_path_buf();
            if rel == Path::new("records") {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                walk(root, &entry.path(), found);
            }
            found.insert(rel);
        }
    }
    let mut found = std::collections::BTreeSet::new();
    walk(root, root, &mut found);
    found
}

/// Replaces the copy's `fonts` link by a folder of links to each font, so that a case can
/// change the folder without touching the sample's fonts.
fn own_fonts_folder(root: &Path) {
    let fonts = root.join("fonts");
    if fonts.is_symlink() {
        fs::remove_file(&fonts).unwrap();
        fs::create_dir(&fonts).unwrap();
        for entry in fs::read_dir(support::sample_root().join("fonts")).unwrap() {
            let entry = entry.unwrap();
            std::os::unix::fs::symlink(entry.path(), fonts.join(entry.file_name())).unwrap();
        }
    }
}

/// Runs the real binary on a project, in its folder: (exit code, stdout, stderr).
fn run(root: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_guidepress"))
        .env_remove("GUIDEPRESS_OUT")
        .env_remove("GUIDEPRESS_RECORD")
        .current_dir(root)
        .arg("--project")
        .arg(root)
        .args(args)
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (out.status.code(), text(out.stdout), text(out.stderr))
}

#[test]
fn broken_projects_give_their_exact_messages() {
    let text = fs::read_to_string(catalogue().join("project.toml")).unwrap();
    let cat: Catalogue = toml::from_str(&text).unwrap();
    let mut failed = Vec::new();
    let mut actual = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for case in &cat.case {
        assert!(names.insert(&case.name), "two cases are named {}", case.name);
        let project = support::sample_copy();
        case.apply(project.path());
        let before = files(project.path());
        let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = run(project.path(), &args);
        actual.push(stderr.clone());
        if code != Some(1) || !stdout.is_empty() || stderr != case.expect {
            failed.push(format!(
                "case {}: exit code {code:?}, stdout {stdout:?}, stderr:\n{stderr}\n--- expected:\n{}",
                case.name, case.expect
            ));
        }
        // It said "nothing was written": no file appeared (out/, a template, ...).
        let written: Vec<_> = files(project.path()).difference(&before).cloned().collect();
        if !written.is_empty() {
            failed.push(format!("case {}: `guidepress {}` failed but wrote {written:?}", case.name, args.join(" ")));
        }
    }
    if std::env::var_os("GUIDEPRESS_BLESS").is_some() {
        fs::write(catalogue().join("project.toml"), bless(&text, &actual)).unwrap();
        return;
    }
    assert!(failed.is_empty(), "{} of {} cases failed:\n\n{}", failed.len(), cat.case.len(), failed.join("\n\n"));
    assert!(cat.case.len() >= 25, "the catalogue has only {} project cases", cat.case.len());
}

/// The catalogue with the `expect` of each case, in order, replaced by `actual`.
fn bless(text: &str, actual: &[String]) -> String {
    let mut out = String::new();
    let mut rest = text;
    for stderr in actual {
        let at = rest.find("\nexpect = ").expect("one `expect` per case") + 1;
        out.push_str(&rest[..at]);
        let value = &rest[at + "expect = ".len()..];
        let end = match value.strip_prefix("'''") {
            Some(v) => 3 + v.find("'''").unwrap() + 3,
            None => value.find('\n').unwrap_or(value.len()),
        };
        assert!(!stderr.contains("'''") && !stderr.ends_with('\''), "cannot write {stderr:?} as a literal string");
        out.push_str(&format!("expect = '''\n{stderr}'''"));
        rest = &value[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn broken_orders_files_give_their_exact_messages() {
    let dir = catalogue().join("orders");
    let mut csvs: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    csvs.sort();
    let bless = std::env::var_os("GUIDEPRESS_BLESS").is_some();
    let project = support::sample_copy();
    let out = tempfile::tempdir().unwrap();
    let out_arg = out.path().to_str().unwrap();
    let mut failed = Vec::new();
    for csv in &csvs {
        let name = csv.file_name().unwrap().to_str().unwrap();
        let target = project.path().join("orders").join(name);
        fs::copy(csv, &target).unwrap();
        let record = support::fresh_record();
        let args = ["--out", out_arg, "--record", record.to_str().unwrap(), "ship", target.to_str().unwrap()];
        let (code, stdout, stderr) = run(project.path(), &args);
        let stderr = support::placeholders(&stderr.replace(out_arg, "{out}"));
        let expected_path = csv.with_extension("expected");
        if bless {
            fs::write(&expected_path, &stderr).unwrap();
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        let accepted = !expected.lines().any(|l| l.starts_with("error:"));
        let want_code = if accepted { 0 } else { 1 };
        if code != Some(want_code) || !stdout.is_empty() || stderr != expected {
            failed.push(format!(
                "{name}: exit code {code:?}, stdout {stdout:?}, stderr:\n{stderr}--- expected:\n{expected}"
            ));
        }
        let shipped = out.path().join("shipping").join(name.trim_end_matches(".csv"));
        assert_eq!(shipped.exists(), accepted, "{name}: written only if accepted");
    }
    assert!(failed.is_empty(), "{} of {} cases failed:\n\n{}", failed.len(), csvs.len(), failed.join("\n\n"));
    assert!(csvs.len() >= 15, "the catalogue has only {} orders cases", csvs.len());
}
