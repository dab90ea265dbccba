//! layouts/shipping.toml: the label sizes that layouts/labels.typ uses and that guidepress quotes
//! when it refuses an address, and the words guidepress writes itself (the edition titles of
//! picklist.csv and the packing sheets). The layouts read the same file.

use std::path::Path;

use serde::Deserialize;

use crate::diag::{Problem, Problems};
use crate::error::Error;
use crate::project::layout_toml;

/// The file, relative to the project.
pub const SHIPPING_LAYOUT: &str = "layouts/shipping.toml";

/// What layouts/shipping.toml says.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShippingLayout {
    /// Sizes on the labels.
    pub label: LabelSizes,
    /// Words guidepress writes.
    pub words: Words,
}

/// `[label]`: text sizes in points on a small label (big labels scale them by 1.5).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LabelSizes {
    /// The sender block.
    pub sender_pt: f64,
    /// The recipient block's largest size.
    pub recipient_max_pt: f64,
    /// The recipient block's smallest size: an address that does not fit at it is refused.
    pub recipient_min_pt: f64,
}

/// `[words]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Words {
    /// An edition's title; `{name}` is its English name.
    pub edition_title: String,
}

impl ShippingLayout {
    /// Reads layouts/shipping.toml of the project at `root`.
    pub fn load(root: &Path) -> Result<Self, Error> {
        let problem = |message: String| Error::from(Problems(vec![Problem::file(SHIPPING_LAYOUT, message)]));
        let needed = "the shipping labels take their text sizes from it";
        let layout: ShippingLayout = layout_toml::read(root, SHIPPING_LAYOUT, needed)?.value;
        let l = &layout.label;
        let sizes = [l.sender_pt, l.recipient_max_pt, l.recipient_min_pt];
        if !sizes.iter().all(|s| s.is_finite() && *s > 0.0) || l.recipient_min_pt > l.recipient_max_pt {
            return Err(problem(
                "`label`: every size must be a number of points above 0, and `recipient-min-pt` at most `recipient-max-pt`"
                    .into(),
            ));
        }
        Ok(layout)
    }

    /// The title of the edition called `name`.
    pub fn edition_title(&self, name: &str) -> String {
        self.words.edition_title.replace("{name}", name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn the_sample_layout_reads_and_bad_ones_are_refused() {
        let sample = ShippingLayout::load(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        assert_eq!((sample.label.recipient_min_pt, sample.label.sender_pt), (7.0, 6.0));
        assert_eq!(sample.edition_title("Macao"), "Macao edition");
        let dir = tempfile::tempdir().unwrap();
        let err = ShippingLayout::load(dir.path()).unwrap_err().to_string();
        assert!(err.starts_with("error: layouts/shipping.toml: not found; the shipping labels take"), "{err}");
        fs::create_dir(dir.path().join("layouts")).unwrap();
        let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SHIPPING_LAYOUT)).unwrap();
        fs::write(dir.path().join(SHIPPING_LAYOUT), text.replace("recipient-min-pt = 7.0", "recipient-min-pt = 9.0"))
            .unwrap();
        let err = ShippingLayout::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("`recipient-min-pt` at most `recipient-max-pt`"), "{err}");
    }
}
