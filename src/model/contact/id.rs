//! Contact ids: set by hand (`id = "…"`) or made from the English name, and the name used in
//! messages.

use super::{Contact, ContactDef, MAX_NAME_CHARS};
use crate::model::text;

/// Longest id made from a name, in characters (cut at a dash).
pub const MAX_DERIVED_ID_CHARS: usize = 40;

impl ContactDef {
    /// The contact's stable id: `id` when set; else its English name (else the name in the
    /// first language, in code order) as a slug (see [`slug_or`]), e.g.
    /// `national-human-trafficking-hotline`; else, for a name without Latin letters, its kind
    /// (`emergency`).
    pub fn id(&self) -> String {
        if let Some(id) = &self.id {
            return id.get_ref().clone();
        }
        let name = self.name.get("en").or_else(|| self.name.values().next()).map_or("", String::as_str);
        slug_or(name, self.kind.word())
    }
}

impl Contact {
    /// Its name in English if it has one, else in the first language (in code order).
    pub fn display_name(&self) -> String {
        self.name.get("en").or_else(|| self.name.values().next()).cloned().unwrap_or_default()
    }
}

/// Short words left out of ids made from names.
const ID_STOP_WORDS: [&str; 10] = ["a", "an", "and", "at", "for", "in", "of", "on", "the", "to"];

/// `text` as a lower-case ASCII slug (its letters and digits, words joined by single dashes,
/// apostrophes and the words of [`ID_STOP_WORDS`] left out, at most [`MAX_DERIVED_ID_CHARS`]
/// characters, cut between words); `fallback` when that has no Latin letter.
pub fn slug_or(text: &str, fallback: &str) -> String {
    let mut slug = String::new();
    let text = text.replace(['\'', '\u{2019}'], "").to_ascii_lowercase();
    let words = text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty());
    for word in words.filter(|w| !ID_STOP_WORDS.contains(w)) {
        if !slug.is_empty() && slug.len() + 1 + word.len() > MAX_DERIVED_ID_CHARS {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.extend(word.chars().take(MAX_DERIVED_ID_CHARS));
    }
    if is_contact_id(&slug) { slug } else { fallback.to_string() }
}

/// True for a contact id: lower-case ASCII letters, digits and single dashes, starting with a letter.
pub fn is_contact_id(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && !id.ends_with('-')
        && !id.contains("--")
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The contact's name for messages: English if it has one, else the first language's.
pub fn display_name(def: &ContactDef) -> String {
    let names = &def.name;
    let name = names.get("en").or_else(|| names.values().next()).cloned().unwrap_or_default();
    // Names within the limit are shown whole; a runaway one is cut so the message stays readable.
    let name = text::visible(&name);
    if name.chars().count() > MAX_NAME_CHARS { name.chars().take(60).chain("…".chars()).collect() } else { name }
}
