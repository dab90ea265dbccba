//! The words of the live contacts pages, per language, from `layouts/strings.toml` (the words
//! the contacts pages print, so the page and the paper say the same).

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::Error;
use crate::project::{STRINGS, layout_toml};

/// Every language's table of `layouts/strings.toml`.
pub struct Words {
    tables: BTreeMap<String, toml::Table>,
}

impl Words {
    /// Reads `layouts/strings.toml` of the project at `root` (a located error when it is broken).
    pub fn load(root: &Path) -> Result<Words, Error> {
        let file = layout_toml::read::<BTreeMap<String, toml::Table>>(
            root,
            STRINGS,
            "it holds the words the contacts pages and the live contacts pages print",
        )?;
        Ok(Words { tables: file.value })
    }

    /// The word `key` in `lang` (English when the language has none; the key itself when no
    /// language has it).
    pub fn word<'a>(&'a self, lang: &str, key: &'a str) -> &'a str {
        self.lookup(lang, |t| t.get(key)).unwrap_or(key)
    }

    /// The heading of a kind of contact (`kind.hotline`) in `lang`.
    pub fn kind<'a>(&'a self, lang: &str, kind: &'a str) -> &'a str {
        self.lookup(lang, |t| t.get("kind").and_then(|k| k.get(kind))).unwrap_or(kind)
    }

    fn lookup<'a>(&'a self, lang: &str, get: impl Fn(&'a toml::Table) -> Option<&'a toml::Value>) -> Option<&'a str> {
        [lang, "en"].iter().filter_map(|l| self.tables.get(*l)).find_map(|t| get(t).and_then(toml::Value::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fall_back_to_english() {
        let tables = toml::from_str("[en]\na = \"A\"\nkind.hotline = \"Hotlines\"\n[ko]\na = \"가\"\n").unwrap();
        let words = Words { tables };
        assert_eq!(words.word("ko", "a"), "가");
        assert_eq!(words.word("ja", "a"), "A");
        assert_eq!(words.kind("ko", "hotline"), "Hotlines");
        assert_eq!(words.word("en", "missing"), "missing");
    }
}
