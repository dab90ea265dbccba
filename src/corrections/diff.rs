//! What copies in the field print that today's data no longer says, and who holds them: a pure
//! comparison of the contacts as printed (recorded with each print code) against today's, joined
//! with the shipments of each print code and the corrections already sent.

use std::collections::{BTreeMap, HashMap};

use crate::model::contact::Contact;
pub use crate::model::correction::OutdatedEntry as Entry;
use crate::model::correction::outdated_entries;
use crate::model::record::{CorrectionLine, Release, Shipment, recipient_key};

/// One print code shipped whose printed contacts are no longer today's.
#[derive(Debug, Clone, PartialEq)]
pub struct Outdated {
    /// The edition.
    pub edition: String,
    /// The release.
    pub print_code: String,
    /// The entries printed that changed or were removed, in page order.
    pub entries: Vec<Entry>,
    /// Who received copies, by organisation, person and address (oldest shipment first).
    pub holders: Vec<Holder>,
    /// Copies shipped to recipients whose details were forgotten (`shipments forget`): they
    /// cannot be reached from the record.
    pub forgotten_copies: u64,
}

/// A recipient of copies of one print code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// Organisation as shipped.
    pub organization: String,
    /// Person as shipped.
    pub recipient: String,
    /// Address lines as printed on the label, joined with `\n`.
    pub address: String,
    /// Country code.
    pub country: String,
    /// E-mail as given in the order.
    pub email: String,
    /// Copies shipped (voided batches excluded).
    pub copies: u64,
    /// [`recipient_key`].
    pub key: String,
    /// Per entry (same order as [`Outdated::entries`]): copies still to correct (0: sent).
    pub owed: Vec<u64>,
}

impl Holder {
    /// True when every entry's correction was sent for every copy.
    pub fn corrected(&self) -> bool {
        self.owed.iter().all(|n| *n == 0)
    }
}

/// Everything [`outdated`] compares.
pub struct Inputs<'a> {
    /// Releases recorded (any edition).
    pub releases: &'a [Release],
    /// Every shipment line (voided ones are skipped).
    pub shipments: &'a [Shipment],
    /// Today's contacts per edition id (an edition missing here is skipped).
    pub today: &'a BTreeMap<String, &'a [Contact]>,
    /// Corrections already sent.
    pub corrected: &'a [CorrectionLine],
}

/// Every shipped print code whose printed contacts differ from today's, with its holders.
pub fn outdated(inputs: &Inputs) -> Vec<Outdated> {
    let mut shipped: BTreeMap<&str, Vec<&Shipment>> = BTreeMap::new();
    for s in inputs.shipments.iter().filter(|s| !s.voided && s.line.copies > 0) {
        shipped.entry(s.line.print_code.as_str()).or_default().push(s);
    }
    let mut sent: HashMap<(&str, &str, &str, &str), u64> = HashMap::new();
    for l in inputs.corrected {
        *sent.entry((&l.print_code, &l.contact, &l.target, &l.recipient)).or_default() += l.copies;
    }
    let mut out = Vec::new();
    for release in inputs.releases {
        let Some(lines) = shipped.get(release.print_code.as_str()) else { continue };
        let Some(today) = inputs.today.get(&release.edition) else { continue };
        let entries = outdated_entries(release, today);
        if entries.is_empty() {
            continue;
        }
        let (holders, forgotten_copies) = holders(release, lines, &entries, &sent);
        out.push(Outdated {
            edition: release.edition.clone(),
            print_code: release.print_code.clone(),
            entries,
            holders,
            forgotten_copies,
        });
    }
    out.sort_by(|a, b| (&a.edition, &a.print_code).cmp(&(&b.edition, &b.print_code)));
    out
}

type Sent<'a> = HashMap<(&'a str, &'a str, &'a str, &'a str), u64>;

/// The holders of `release` (by recipient key, in order of first shipment), with what each is
/// still owed; and the copies whose recipients were forgotten.
fn holders(release: &Release, lines: &[&Shipment], entries: &[Entry], sent: &Sent) -> (Vec<Holder>, u64) {
    let mut holders: Vec<Holder> = Vec::new();
    let mut forgotten = 0;
    let mut ordered: Vec<&&Shipment> = lines.iter().collect();
    ordered.sort_by(|a, b| (&a.date, &a.batch).cmp(&(&b.date, &b.batch)));
    for s in ordered {
        let l = &s.line;
        if s.forgotten {
            forgotten += l.copies;
            continue;
        }
        let key = recipient_key(&l.organization, &l.recipient, &l.address);
        match holders.iter_mut().find(|h| h.key == key) {
            Some(h) => {
                h.copies += l.copies;
                h.email = if l.email.is_empty() { h.email.clone() } else { l.email.clone() };
            }
            None => holders.push(Holder {
                organization: l.organization.clone(),
                recipient: l.recipient.clone(),
                address: l.address.clone(),
                country: l.country.clone(),
                email: l.email.clone(),
                copies: l.copies,
                key,
                owed: Vec::new(),
            }),
        }
    }
    for h in &mut holders {
        h.owed = entries
            .iter()
            .map(|e| {
                let done =
                    sent.get(&(release.print_code.as_str(), e.printed.id.as_str(), e.target.as_str(), h.key.as_str()));
                h.copies.saturating_sub(done.copied().unwrap_or(0))
            })
            .collect();
    }
    (holders, forgotten)
}

#[cfg(test)]
mod tests;
