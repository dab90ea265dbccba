//! The layers of src/ (README: The code) hold: scripts/layers.py passes on the tree, and fails,
//! naming the file, the line and the rule, on a fixture tree with a sideways and an upward use.

use std::path::Path;
use std::process::Command;

use crate::support;

fn check(src: &Path) -> (bool, String) {
    let script = support::sample_root().join("scripts/layers.py");
    let out = Command::new("python3").arg(script).arg(src).output().expect("python3 runs scripts/layers.py");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn the_tree_keeps_its_layers() {
    let (ok, found) = check(&support::sample_root().join("src"));
    assert!(ok, "uses that break the layers:\n{found}");
}

#[test]
fn a_sideways_or_upward_use_fails_with_its_place_and_rule() {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "ship/mod.rs",
        "//! Shipping.\n\n// crate::editions in a comment does not count\nuse crate::editions::select;\n",
    );
    write("model/date.rs", "//! Dates.\nfn f() { let s = \"crate::ship\"; crate::project::CONFIG; }\n");
    write("ship/view.rs", "use crate::ship::plan::Plan;\nuse crate::model::date::Date;\n");
    let (ok, found) = check(dir.path());
    assert!(!ok, "{found}");
    let lines: Vec<&str> = found.lines().collect();
    assert_eq!(lines.len(), 2, "{found}");
    assert!(lines.iter().any(|l| l.ends_with(
        "model/date.rs:2: model (model) uses crate::project (project): the model layer must not use the project layer above it"
    )), "{found}");
    assert!(
        lines.iter().any(|l| l.contains(
            "ship/mod.rs:4: ship (features) uses crate::editions (features): features must not use each other"
        )),
        "{found}"
    );
}
