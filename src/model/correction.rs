//! Corrections of copies in the field, as plain data: the entries a release prints that today's
//! data no longer says ([`outdated_entries`]), and what one recipient is sent to correct them
//! ([`Group`]). `corrections make` and `ship` (stickers packed with outdated copies) share them.

use std::collections::BTreeMap;

use crate::model::contact::Contact;
use crate::model::fields::{FieldChange, Fields, diff_contacts, printed_fields};
use crate::model::record::{CorrectionLine, PrintedContact, Release, correction_target};

/// One printed entry that no longer reads as today's data says.
#[derive(Debug, Clone, PartialEq)]
pub struct OutdatedEntry {
    /// The entry as printed, with its page and box.
    pub printed: PrintedContact,
    /// Today's contact, or `None` when it was removed.
    pub today: Option<Contact>,
    /// For a removed contact: a contact of the same kind the release does not print (its
    /// replacement), if there is one.
    pub replacement: Option<Contact>,
    /// The fields that differ, old → new.
    pub fields: Vec<FieldChange>,
    /// The correction's target ([`correction_target`]).
    pub target: String,
}

/// The printed entries of `release` that changed or were removed, in page order.
pub fn outdated_entries(release: &Release, today: &[Contact]) -> Vec<OutdatedEntry> {
    let now: BTreeMap<String, Fields> = today.iter().map(|c| (c.id.clone(), printed_fields(c))).collect();
    let printed: BTreeMap<String, Fields> = release.contacts.iter().map(|c| (c.id.clone(), c.fields.clone())).collect();
    let diff = diff_contacts(&printed, &now);
    let mut out = Vec::new();
    for change in &diff.contacts_changed {
        let Some(p) = release.contacts.iter().find(|c| c.id == change.id) else { continue };
        let contact = today.iter().find(|c| c.id == change.id).cloned();
        let target = correction_target(now.get(&change.id));
        out.push(OutdatedEntry {
            printed: p.clone(),
            today: contact,
            replacement: None,
            fields: change.fields.clone(),
            target,
        });
    }
    for removed in &diff.contacts_removed {
        let Some(p) = release.contacts.iter().find(|c| c.id == removed.id) else { continue };
        let replacement = today.iter().find(|c| c.kind.word() == p.kind && !printed.contains_key(&c.id)).cloned();
        let fields =
            p.fields.iter().map(|(k, v)| FieldChange { field: k.clone(), old: Some(v.clone()), new: None }).collect();
        out.push(OutdatedEntry {
            printed: p.clone(),
            today: None,
            replacement,
            fields,
            target: correction_target(None),
        });
    }
    out.sort_by(|a, b| {
        (a.printed.page, a.printed.y_mm)
            .partial_cmp(&(b.printed.page, b.printed.y_mm))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    out
}

/// One recipient of one print code, and the entries to correct in their copies.
#[derive(Debug, Clone)]
pub struct Group {
    /// The edition.
    pub edition: String,
    /// The release they hold.
    pub print_code: String,
    /// Organisation, person, address lines, country, e-mail as shipped.
    pub organization: String,
    /// The person.
    pub recipient: String,
    /// Address lines as on the shipping label.
    pub address: Vec<String>,
    /// Country code.
    pub country: String,
    /// E-mail.
    pub email: String,
    /// Copies they received.
    pub copies: u64,
    /// The recipient's fingerprint (see [`crate::model::record::recipient_key`]).
    pub key: String,
    /// What to correct.
    pub entries: Vec<GroupEntry>,
}

/// One entry to correct in one recipient's copies.
#[derive(Debug, Clone)]
pub struct GroupEntry {
    /// The contact's id.
    pub id: String,
    /// Its name as printed.
    pub name: String,
    /// The page it is printed on.
    pub page: u32,
    /// Its box, mm: width and height.
    pub box_mm: (f64, f64),
    /// Today's contact (none: removed).
    pub contact: Option<Contact>,
    /// A removed contact's replacement.
    pub replacement: Option<Contact>,
    /// The fields that changed.
    pub fields: Vec<FieldChange>,
    /// The record's target.
    pub target: String,
    /// Copies not yet corrected.
    pub owed: u64,
    /// Stickers to make: owed + spares.
    pub stickers: u64,
}

impl GroupEntry {
    /// The entry to correct for `owed` copies, with `stickers` stickers.
    pub fn of(e: &OutdatedEntry, owed: u64, stickers: u64) -> Self {
        GroupEntry {
            id: e.printed.id.clone(),
            name: e.printed.name.clone(),
            page: e.printed.page,
            box_mm: (e.printed.w_mm, e.printed.h_mm),
            contact: e.today.clone(),
            replacement: e.replacement.clone(),
            fields: e.fields.iter().filter(|f| f.field != "kind").cloned().collect(),
            target: e.target.clone(),
            owed,
            stickers,
        }
    }
}

/// The record's lines for the stickers of `groups`: one per group and entry, for the copies it
/// corrects.
pub fn correction_lines(groups: &[Group]) -> Vec<CorrectionLine> {
    let mut out = Vec::new();
    for g in groups {
        for e in &g.entries {
            out.push(CorrectionLine {
                print_code: g.print_code.clone(),
                contact: e.id.clone(),
                target: e.target.clone(),
                recipient: g.key.clone(),
                copies: e.owed,
            });
        }
    }
    out
}
