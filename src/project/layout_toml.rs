//! The one reader of the TOML files in `layouts/` (`review.toml`, `shipping.toml`,
//! `orders-columns.toml`, `limits.toml`, `strings.toml`): every one is read the same way, and a
//! file that cannot be read, holds a hidden character, is not TOML or says what its schema does
//! not allow is a problem located at `file:line:col`, with advice — never silently ignored.

use std::path::Path;

use serde::Deserialize;

use super::toml_errors::{check_hidden_in_toml, parse_toml};
use crate::diag::{Problem, Problems};

/// A layout file as read: its value and its text (for locating later checks with
/// [`Problem::at`]).
#[derive(Debug, Clone)]
pub struct LayoutToml<T> {
    /// What it says.
    pub value: T,
    /// The text it was read from.
    pub text: String,
}

/// Reads the layout file `rel` (e.g. `layouts/review.toml`) of the project at `root` into `T`.
/// A missing file is a problem saying what it is `needed_for`.
pub fn read<T: for<'de> Deserialize<'de>>(root: &Path, rel: &str, needed_for: &str) -> Result<LayoutToml<T>, Problems> {
    match read_if_present(root, rel)? {
        Some(file) => Ok(file),
        None => Err(Problems(vec![Problem::file(rel, format!("not found; {needed_for}"))])),
    }
}

/// Like [`read`], `None` when the file does not exist (its defaults then apply).
pub fn read_if_present<T: for<'de> Deserialize<'de>>(
    root: &Path,
    rel: &str,
) -> Result<Option<LayoutToml<T>>, Problems> {
    let path = root.join(rel);
    let text = match crate::input::read_text(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Problems(vec![Problem::file(rel, format!("cannot be read ({e})"))])),
    };
    let mut problems = Problems::default();
    let hidden = check_hidden_in_toml(rel, &text, &mut problems);
    let value = parse_toml::<T>(rel, &text, &hidden, &mut problems);
    match value {
        Some(value) if problems.0.is_empty() => Ok(Some(LayoutToml { value, text })),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "kebab-case")]
    struct Sizes {
        #[allow(dead_code)]
        size_pt: f32,
    }

    fn problems(text: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("layouts")).unwrap();
        std::fs::write(dir.path().join("layouts/x.toml"), text).unwrap();
        read::<Sizes>(dir.path(), "layouts/x.toml", "the labels need it")
            .unwrap_err()
            .0
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    #[test]
    fn every_way_a_layout_file_fails_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let missing = read::<Sizes>(dir.path(), "layouts/x.toml", "the labels need it").unwrap_err();
        assert_eq!(missing.0[0].to_string(), "layouts/x.toml: not found; the labels need it");
        let syntax = problems("size-pt = 8\nsize-pt = = 9\n");
        assert!(syntax[0].starts_with("layouts/x.toml:2:"), "{syntax:?}");
        let schema = problems("size-pt = 8\ncolour = 3\n");
        assert!(schema[0].starts_with("layouts/x.toml:2:1:"), "{schema:?}");
        let good = {
            std::fs::create_dir_all(dir.path().join("layouts")).unwrap();
            std::fs::write(dir.path().join("layouts/x.toml"), "size-pt = 8\n").unwrap();
            read::<Sizes>(dir.path(), "layouts/x.toml", "").unwrap()
        };
        assert_eq!(good.value.size_pt, 8.0);
    }
}
