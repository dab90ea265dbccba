//! The command line as its ecosystem expects: `init` and `new edition`, completions and the man
//! page, environment defaults, `SOURCE_DATE_EPOCH`, the short diagnostic format and the progress
//! bar (drawn under a terminal, not in a pipe).

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::support::{self, sample_root};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_guidepress"))
}

fn text(out: &Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A new project from the sample's layouts and fonts, in a fresh folder.
fn new_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("p");
    let out = bin().arg("--project").arg(sample_root()).arg("init").arg(&target).output().unwrap();
    assert!(out.status.success(), "{}", text(&out).1);
    dir
}

#[test]
fn init_makes_a_project_that_builds_at_once_as_a_draft() {
    let dir = new_project();
    let p = dir.path().join("p");
    for f in ["guidepress.toml", "editions/us.toml", "chapters/ko/01-introduction.typ", "README.md", "layouts/book.typ"]
    {
        assert!(p.join(f).is_file(), "{f}");
    }
    // The record of shipments (personal data) is kept out of any repository the project goes in.
    let ignore = std::fs::read_to_string(p.join(".gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "/records/") && ignore.lines().any(|l| l == "/out/"), "{ignore}");
    let out = support::guidepress(&p, &["build"]);
    assert!(out.status.success(), "{}", support::stderr(&out));
    let pdf = p.join("out/editions/us.pdf");
    let txt = Command::new("pdftotext").arg(&pdf).arg("-").output().unwrap();
    assert!(String::from_utf8_lossy(&txt.stdout).contains("DRAFT"), "a new project's edition is a draft");
    // Its chapters are marked unconfirmed, so a final build refuses them.
    let out = support::guidepress(&p, &["build", "--final"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(support::stderr(&out).contains("chapters/en/01-introduction.typ:5:1: this passage is marked #unconfirmed"));
    // init refuses a folder that is not empty.
    let again = bin().arg("--project").arg(sample_root()).arg("init").arg(&p).output().unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again).1.contains("is not empty"), "{}", text(&again).1);
}

#[test]
fn new_edition_writes_its_file_and_says_what_the_language_needs() {
    let dir = new_project();
    let p = dir.path().join("p");
    let out = support::guidepress(&p, &["new", "edition", "fr", "--country", "FR", "--languages", "ko,fr"]);
    assert!(out.status.success(), "{}", support::stderr(&out));
    let file = fs::read_to_string(p.join("editions/fr.toml")).unwrap();
    assert!(file.contains("country = \"FR\"") && file.contains("name.fr = \"France\""), "{file}");
    assert!(
        support::stderr(&out).contains("language `fr` has no chapters yet: translate chapters/ko/01-introduction.typ")
    );
    // The short format: one line per problem, file:line:col first.
    let out = support::guidepress(&p, &["--diagnostic-format", "short", "check"]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<String> = support::stderr(&out).lines().map(str::to_string).collect();
    assert!(
        lines.iter().any(|l| l.starts_with("editions/fr.toml:4:13: error: edition `fr` uses language `fr`")),
        "{lines:?}"
    );
    assert!(lines.iter().all(|l| l.contains(": error: ")), "{lines:?}");
    // A second time is refused, and a bad country is a usage error.
    assert_eq!(
        support::guidepress(&p, &["new", "edition", "fr", "--country", "FR", "--languages", "ko,fr"]).status.code(),
        Some(1)
    );
    assert_eq!(
        support::guidepress(&p, &["new", "edition", "xx", "--country", "ZZ", "--languages", "ko"]).status.code(),
        Some(2)
    );
}

#[test]
fn completions_and_man_page_come_from_the_same_types() {
    let out = bin().args(["completions", "bash"]).output().unwrap();
    let (stdout, _) = text(&out);
    assert!(out.status.success() && stdout.contains("guidepress") && stdout.contains("--diagnostic-format"));
    let out = bin().arg("man").output().unwrap();
    let (stdout, _) = text(&out);
    assert!(out.status.success() && stdout.contains(".TH guidepress"), "{stdout}");
}

#[test]
fn environment_defaults_and_source_date_epoch() {
    let dir = new_project();
    let p = dir.path().join("p");
    // GUIDEPRESS_PROJECT stands for --project, from any folder.
    let out = bin().env("GUIDEPRESS_PROJECT", &p).current_dir(dir.path()).arg("check").output().unwrap();
    assert!(out.status.success(), "{}", text(&out).1);
    // Without guide.date, SOURCE_DATE_EPOCH dates the guide; without either, the date is asked for.
    let config = fs::read_to_string(p.join("guidepress.toml")).unwrap();
    let undated: String = config.lines().filter(|l| !l.starts_with("date = ")).map(|l| format!("{l}\n")).collect();
    fs::write(p.join("guidepress.toml"), undated).unwrap();
    let out = bin().env("SOURCE_DATE_EPOCH", "1764547200").arg("--project").arg(&p).arg("build").output().unwrap();
    assert!(out.status.success(), "{}", text(&out).1);
    let txt = Command::new("pdftotext").arg(p.join("out/editions/us.pdf")).arg("-").output().unwrap();
    assert!(String::from_utf8_lossy(&txt.stdout).contains("2025-12-01"), "the guide is dated by SOURCE_DATE_EPOCH");
    let out = bin().env_remove("SOURCE_DATE_EPOCH").arg("--project").arg(&p).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).1.contains("the required setting `date` is missing"), "{}", text(&out).1);
}

/// Runs the binary under a pseudo-terminal (`script`), returning what the terminal showed.
fn under_terminal(root: &Path, args: &str) -> String {
    let cmd = format!("{} --project {} {args}", env!("CARGO_BIN_EXE_guidepress"), root.display());
    let out = Command::new("script").args(["-q", "-e", "-c", &cmd, "/dev/null"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_progress_bar_is_drawn_on_a_terminal_only() {
    let dir = new_project();
    let p = dir.path().join("p");
    let shown = under_terminal(&p, "build --force");
    assert!(shown.contains("typesetting editions"), "{shown}");
    let piped = support::guidepress(&p, &["build", "--force"]);
    assert!(!support::stderr(&piped).contains("typesetting editions"));
    assert!(support::stderr(&piped).contains("built      us"));
    // --quiet: no status lines, no bar.
    let quiet = under_terminal(&p, "--quiet build --force");
    assert!(!quiet.contains("typesetting editions") && !quiet.contains("built"), "{quiet}");
    // ship too: a bar while its labels and packing sheets are filled in, nothing extra in a pipe.
    let sample = support::sample_copy();
    let shown = under_terminal(sample.path(), "ship orders/sample-requests.csv");
    assert!(shown.contains("filling in labels and packing sheets"), "{shown}");
    let piped = support::guidepress(sample.path(), &["ship", "orders/sample-requests.csv"]);
    assert!(piped.status.success(), "{}", support::stderr(&piped));
    assert!(!support::stderr(&piped).contains("filling in labels"));
}

#[test]
fn typst_errors_in_the_short_format_are_one_line_each() {
    let project = support::sample_copy();
    let chapter = project.path().join("chapters/en/07-counselling-and-help.typ");
    let mut text = fs::read_to_string(&chapter).unwrap();
    text.push_str("\n#no-such-function()\n");
    fs::write(&chapter, text).unwrap();
    let out = support::guidepress(project.path(), &["--diagnostic-format", "short", "check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = support::stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert!(!lines.is_empty() && lines.iter().all(|l| l.contains(": error: ")), "{err}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("chapters/en/07-counselling-and-help.typ:") && l.contains("unknown variable")),
        "{err}"
    );
    // The human format names the editions and shows the source excerpt.
    let human = support::stderr(&support::guidepress(project.path(), &["check"]));
    assert!(human.contains("(press):") && human.contains("┌─ chapters/en/07-counselling-and-help.typ:"), "{human}");
}

#[test]
fn typst_warnings_in_the_short_format_are_one_line_each() {
    let project = support::sample_copy();
    // `**` with nothing between the stars: Typst warns, and the chapter still compiles.
    let chapter = "chapters/en/07-counselling-and-help.typ";
    let mut text = fs::read_to_string(project.path().join(chapter)).unwrap();
    text.push_str("\nSome **text.\n");
    let line = text.lines().count();
    fs::write(project.path().join(chapter), text).unwrap();
    let out = support::guidepress(project.path(), &["--diagnostic-format", "short", "build", "nz"]);
    let err = support::stderr(&out);
    assert!(out.status.success(), "{err}");
    // One line, `file:line:col: warning: message`, and nothing else about it (no excerpt, no hint).
    let warnings: Vec<&str> =
        err.lines().filter(|l| !l.starts_with("built ") && !l.starts_with("nz   draft")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    let col = warnings[0]
        .strip_prefix(&format!("{chapter}:{line}:"))
        .and_then(|rest| rest.strip_suffix(": warning: no text within stars"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(col.parse::<u32>().is_ok(), "{err}");
    // The human format shows it with its source excerpt and hint.
    let out = support::guidepress(project.path(), &["build", "nz", "--force"]);
    let err = support::stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.starts_with("warning: no text within stars\n"), "{err}");
    assert!(err.contains(&format!("┌─ {chapter}:{line}:{col}\n")) && err.contains("Some **text."), "{err}");
    assert!(err.contains("hint: using multiple consecutive stars"), "{err}");
}
