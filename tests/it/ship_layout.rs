//! layouts/shipping.toml is read by the layouts and by guidepress alike: its sizes decide what
//! fits on a label (and the refusal quotes them), its words reach the pick list and the packing
//! sheets; without it a run stops before writing anything.

use crate::support;

use std::fs;
use std::path::Path;

use crate::support::ship_fresh as ship;
use guidepress::project::Project;
use guidepress::ship::ShipOptions;

const LAYOUT: &str = "layouts/shipping.toml";

fn edit(root: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(root.join(LAYOUT)).unwrap();
    assert!(text.contains(from), "{from}");
    fs::write(root.join(LAYOUT), text.replace(from, to)).unwrap();
}

fn ship_sample(root: &Path, out: &Path) -> Result<guidepress::ship::ShipReport, guidepress::Error> {
    let project = Project::load(root).unwrap();
    let options = ShipOptions {
        orders: root.join("orders/sample-requests.csv"),
        out: Some(out.to_path_buf()),
        ..Default::default()
    };
    ship(&project, &options)
}

#[test]
fn the_smallest_recipient_size_is_the_layouts_and_the_messages() {
    let dir = support::sample_copy();
    // Sizes at which no sample address fits: labels.typ shrinks no further than 19 pt, and the
    // refusal quotes that size.
    edit(dir.path(), "recipient-max-pt = 8.5", "recipient-max-pt = 20.0");
    edit(dir.path(), "recipient-min-pt = 7.0", "recipient-min-pt = 19.0");
    let out = tempfile::tempdir().unwrap();
    let text = ship_sample(dir.path(), out.path()).unwrap_err().to_string();
    assert!(text.contains("does not fit on the avery-l7163 label (99.1 × 38.1 mm) even at 19 pt (it needs "), "{text}");
    assert!(!out.path().join("shipping").exists(), "something was written");
}

#[test]
fn the_edition_title_comes_from_the_layout_and_a_missing_layout_is_an_error() {
    let dir = support::sample_copy();
    edit(dir.path(), "\"{name} edition\"", "\"{name} guide\"");
    let out = tempfile::tempdir().unwrap();
    let report = ship_sample(dir.path(), out.path()).unwrap();
    let pick = fs::read_to_string(report.dir.join("picklist.csv")).unwrap();
    assert!(pick.contains(",Macao guide,"), "{pick}");
    assert!(support::pdftotext(&report.dir.join("packing.pdf")).contains("Macao guide"));

    fs::remove_file(dir.path().join(LAYOUT)).unwrap();
    let out = tempfile::tempdir().unwrap();
    let text = ship_sample(dir.path(), out.path()).unwrap_err().to_string();
    assert!(text.starts_with("error: layouts/shipping.toml: not found; the shipping labels take"), "{text}");
    assert!(!out.path().join("shipping").exists(), "something was written");
}
