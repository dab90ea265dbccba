//! Errors in the layouts: Typst's own with file, line and column, the limits of what fits, and
//! characters a reader cannot see.

use std::fs;
use std::path::Path;

use crate::support::{guidepress, sample_copy, stderr};
use guidepress::project::Project;

fn problems(root: &Path) -> String {
    match Project::load(root) {
        Ok(_) => panic!("the project loaded, but a problem was expected"),
        Err(p) => p.to_string(),
    }
}

#[test]
fn typst_error_in_a_layout_is_reported_with_file_line_and_column() {
    let p = sample_copy();
    let layout = p.path().join("layouts/book.typ");
    let mut text = fs::read_to_string(&layout).unwrap();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let line = text.lines().count() + 1;
    text.push_str("#guidepress-oops\n");
    fs::write(&layout, text).unwrap();
    let out = guidepress(p.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("error: unknown variable: guidepress-oops"), "{err}");
    assert!(err.contains(&format!("layouts/book.typ:{line}:1")), "{err}");
    assert!(err.contains(&format!("{line} │ #guidepress-oops")), "{err}");
}

#[test]
fn the_limits_of_what_fits_come_from_the_layouts() {
    let dir = sample_copy();
    fs::write(
        dir.path().join("layouts/limits.toml"),
        "[contact]\nname-chars = 20\ntext-chars = 300\nnotes-chars = 1000\n",
    )
    .unwrap();
    let text = problems(dir.path());
    assert!(
        text.contains("`name.en` is 29 characters long; at most 20 fit on a contacts page, so shorten it"),
        "{text}"
    );
    fs::write(dir.path().join("layouts/limits.toml"), "[contact]\nname-chars = \"many\"\n").unwrap();
    let text = problems(dir.path());
    assert!(text.starts_with("error: layouts/limits.toml:2:14: `name-chars` must be a number"), "{text}");
}

#[test]
fn a_hidden_character_in_a_layout_is_an_error_with_its_place() {
    let dir = sample_copy();
    let layout = dir.path().join("layouts/contacts.typ");
    let text = fs::read_to_string(&layout).unwrap();
    fs::write(&layout, format!("// A comment\u{202e}here\n{text}")).unwrap();
    let text = problems(dir.path());
    assert!(text.starts_with("error: layouts/contacts.typ:1:13: the text has "), "{text}");
}
