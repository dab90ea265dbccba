//! Copies drawn from a print code whose contacts are no longer today's go out with correction
//! stickers: for every such copy, one sticker per outdated entry, made by the caller (the
//! corrections layout, see [`StickerMaker`]) into `stickers.pdf` beside the labels; each packing
//! sheet tells the packer how many to put in, and the batch records them as sent (so
//! `corrections` does not list those copies again).
//!
//! An entry whose new text is not confirmed gets no sticker (a correction prints only what
//! would pass `build --final`): the run says so, and `corrections make` sends it later.

use std::collections::BTreeMap;

use crate::error::Error;
use crate::model::contact::Status;
use crate::model::correction::{Group, GroupEntry, OutdatedEntry, outdated_entries};
use crate::model::record::{Release, ShipmentLine, recipient_key};
use crate::project::Project;
use crate::records::Reader;

/// Typesets the stickers of these groups as one PDF (the orchestration above shipping supplies
/// it from the corrections feature).
pub type StickerMaker<'a> = dyn Fn(&[Group]) -> Result<Vec<u8>, Error> + Sync + 'a;

/// The stickers a run packs.
#[derive(Debug, Default)]
pub struct Stickers {
    /// One group per shipment line of an outdated print code.
    pub groups: Vec<Group>,
    /// Per print code: (stickers per copy, the entries they correct, for the packing sheet).
    pub notes: BTreeMap<String, (usize, String)>,
    /// What the run should say.
    pub warnings: Vec<String>,
}

/// The stickers for `lines` (the copies this run ships, by print code); `current` holds the
/// releases of the current builds, `read` the record (older releases).
pub fn plan(
    project: &Project,
    read: Option<&Reader>,
    lines: &[ShipmentLine],
    current: &BTreeMap<String, Release>,
) -> Result<Stickers, Error> {
    let mut out = Stickers::default();
    let mut codes: Vec<&str> = lines.iter().map(|l| l.print_code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let mut usable: BTreeMap<&str, Vec<OutdatedEntry>> = BTreeMap::new();
    for code in codes {
        let release = match current.values().find(|r| r.print_code == code) {
            Some(r) => Some(r.clone()),
            None => read.map(|r| r.release(code)).transpose()?.flatten(),
        };
        let Some(release) = release else { continue };
        let Some(edition) = project.edition(&release.edition) else { continue };
        let (ok, unconfirmed): (Vec<_>, Vec<_>) =
            outdated_entries(&release, &edition.contacts).into_iter().partition(confirmed);
        let copies: u64 = lines.iter().filter(|l| l.print_code == code).map(|l| l.copies).sum();
        let names = |es: &[OutdatedEntry]| -> String {
            es.iter().map(|e| format!("p. {} {}", e.printed.page, e.printed.name)).collect::<Vec<_>>().join("; ")
        };
        if !ok.is_empty() {
            out.warnings.push(format!(
                "{copies} copies of {code} ({}) print contacts that have changed since ({}): the packing sheets say \
                 to put in correction stickers, from stickers.pdf",
                release.edition,
                names(&ok)
            ));
            out.notes.insert(code.to_string(), (ok.len(), names(&ok)));
        }
        if !unconfirmed.is_empty() {
            out.warnings.push(format!(
                "{copies} copies of {code} print entries that changed but whose new text is not confirmed ({}): no \
                 stickers for them; confirm them, then `guidepress corrections make` sends them",
                names(&unconfirmed)
            ));
        }
        usable.insert(code, ok);
    }
    for l in lines {
        let Some(entries) = usable.get(l.print_code.as_str()).filter(|e| !e.is_empty()) else { continue };
        out.groups.push(Group {
            edition: l.edition.clone(),
            print_code: l.print_code.clone(),
            organization: l.organization.clone(),
            recipient: l.recipient.clone(),
            address: l.address.lines().map(str::to_string).collect(),
            country: l.country.clone(),
            email: l.email.clone(),
            copies: l.copies,
            key: recipient_key(&l.organization, &l.recipient, &l.address),
            entries: entries.iter().map(|e| GroupEntry::of(e, l.copies, l.copies)).collect(),
        });
    }
    Ok(out)
}

/// True when everything the entry's sticker prints is confirmed and not overdue.
fn confirmed(e: &OutdatedEntry) -> bool {
    e.today.iter().chain(&e.replacement).all(|c| c.status == Status::Verified)
}
