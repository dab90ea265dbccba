//! A contact's printed fields (field name → printed value) and the difference between two
//! versions of an edition's contacts: what the review page reports, and what a correction of
//! copies already sent must fix.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::contact::Contact;
use crate::model::edition::Edition;

/// A contact's fields: field name (`phone`, `name.en`, `hours.ko`, …) → printed value.
pub type Fields = BTreeMap<String, String>;

/// A contact named by id and name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactRef {
    /// Its stable id.
    pub id: String,
    /// Its name (English if it has one).
    pub name: String,
}

/// One contact's changed fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactChange {
    /// Its stable id.
    pub id: String,
    /// Its name (English if it has one).
    pub name: String,
    /// The fields that changed, in name order.
    pub fields: Vec<FieldChange>,
}

/// One field, before and after (`None`: absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// `phone`, `name.en`, `hours.ko`, `verified`, …
    pub field: String,
    /// Before.
    pub old: Option<String>,
    /// After.
    pub new: Option<String>,
}

/// The fields of a contact the review compares (what its contacts page prints, and its
/// confirmation).
pub fn contact_fields(c: &Contact) -> Fields {
    let mut f = Fields::new();
    f.insert("kind".into(), c.kind.word().to_string());
    let maps = [
        ("name", &c.name),
        ("address", &c.address),
        ("hours", &c.hours),
        ("languages", &c.languages),
        ("notes", &c.notes),
    ];
    for (key, map) in maps {
        for (lang, text) in map {
            f.insert(format!("{key}.{lang}"), text.clone());
        }
    }
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for ch in &c.channels {
        let n = seen.entry(ch.kind).or_default();
        *n += 1;
        let key = if *n == 1 { ch.kind.to_string() } else { format!("{} {n}", ch.kind) };
        let text = match &ch.alt {
            Some(alt) if *alt != ch.text => format!("{} ({alt})", ch.text),
            _ => ch.text.clone(),
        };
        f.insert(key, text);
    }
    for (key, value) in [("verified", &c.verified), ("source", &c.source)] {
        if let Some(v) = value {
            f.insert(key.into(), v.clone());
        }
    }
    f
}

/// The fields of a contact its page prints: [`contact_fields`] without when and where it was
/// confirmed (what a correction of printed copies compares).
pub fn printed_fields(c: &Contact) -> Fields {
    let mut f = contact_fields(c);
    f.retain(|k, _| k != "verified" && k != "source");
    f
}

/// Every contact of an edition by id, with its fields.
pub fn edition_contacts(edition: &Edition) -> BTreeMap<String, Fields> {
    edition.contacts.iter().map(|c| (c.id.clone(), contact_fields(c))).collect()
}

fn display_name(fields: &Fields) -> String {
    fields
        .get("name.en")
        .or_else(|| fields.iter().find(|(k, _)| k.starts_with("name.")).map(|(_, v)| v))
        .cloned()
        .unwrap_or_default()
}

/// The contacts added, removed and changed between two versions of an edition.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactDiff {
    /// Contacts in `new` and not in `old`.
    pub contacts_added: Vec<ContactRef>,
    /// Contacts in `old` and not in `new`.
    pub contacts_removed: Vec<ContactRef>,
    /// Contacts in both whose fields differ.
    pub contacts_changed: Vec<ContactChange>,
}

/// The contacts added, removed and changed between `old` and `new`.
pub fn diff_contacts(old: &BTreeMap<String, Fields>, new: &BTreeMap<String, Fields>) -> ContactDiff {
    let mut into = ContactDiff::default();
    for (id, fields) in new {
        let Some(before) = old.get(id) else {
            into.contacts_added.push(ContactRef { id: id.clone(), name: display_name(fields) });
            continue;
        };
        let keys: std::collections::BTreeSet<&String> = before.keys().chain(fields.keys()).collect();
        let changed: Vec<FieldChange> = keys
            .into_iter()
            .filter(|k| before.get(*k) != fields.get(*k))
            .map(|k| FieldChange { field: k.clone(), old: before.get(k).cloned(), new: fields.get(k).cloned() })
            .collect();
        if !changed.is_empty() {
            into.contacts_changed.push(ContactChange { id: id.clone(), name: display_name(fields), fields: changed });
        }
    }
    for (id, fields) in old {
        if !new.contains_key(id) {
            into.contacts_removed.push(ContactRef { id: id.clone(), name: display_name(fields) });
        }
    }
    into
}
