use std::path::Path;

use super::*;
use crate::model::fields::printed_fields;
use crate::model::record::{PrintedContact, Shipment, ShipmentLine};
use crate::project::Project;

fn sample() -> Project {
    Project::load(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A release printing `contacts` as they are, one entry per page position.
fn release_of(code: &str, edition: &str, contacts: &[Contact]) -> Release {
    let contacts = contacts
        .iter()
        .enumerate()
        .map(|(i, c)| PrintedContact {
            id: c.id.clone(),
            kind: c.kind.word().to_string(),
            name: c.display_name(),
            fields: printed_fields(c),
            page: 40 + i as u32 / 4,
            x_mm: 15.0,
            y_mm: 20.0 + (i % 4) as f64 * 50.0,
            w_mm: 100.0,
            h_mm: 40.0,
        })
        .collect();
    Release {
        print_code: code.into(),
        edition: edition.into(),
        guide_version: "1".into(),
        guide_date: "2026-01-01".into(),
        is_final: true,
        contacts,
        chapters: vec![],
    }
}

fn shipment(code: &str, org: &str, copies: u64, forgotten: bool) -> Shipment {
    Shipment {
        batch: "20260101-1".into(),
        date: "2026-01-01".into(),
        voided: false,
        forgotten,
        line: ShipmentLine {
            order_id: org.into(),
            edition: "nz".into(),
            print_code: code.into(),
            copies,
            organization: if forgotten { String::new() } else { org.into() },
            recipient: "R".into(),
            address: "1 Street".into(),
            country: "NZ".into(),
            email: String::new(),
            row: 2,
        },
    }
}

#[test]
fn a_changed_number_lists_its_holders_until_corrected() {
    let project = sample();
    let nz = project.edition("nz").unwrap();
    let release = release_of("NZ-1", "nz", &nz.contacts);
    let mut today_contacts = nz.contacts.clone();
    let changed = today_contacts.iter_mut().find(|c| !c.channels.is_empty()).unwrap();
    changed.channels[0].text.push('9');
    let changed_id = changed.id.clone();
    let today: BTreeMap<String, &[Contact]> = [("nz".to_string(), today_contacts.as_slice())].into();
    let shipments =
        vec![shipment("NZ-1", "A", 3, false), shipment("NZ-1", "B", 2, false), shipment("NZ-1", "", 4, true)];
    let releases = vec![release.clone()];
    let inputs = Inputs { releases: &releases, shipments: &shipments, today: &today, corrected: &[] };
    let found = outdated(&inputs);
    assert_eq!(found.len(), 1);
    let o = &found[0];
    assert_eq!(o.entries.len(), 1);
    assert_eq!(o.entries[0].printed.id, changed_id);
    assert_eq!(o.forgotten_copies, 4);
    let owed: Vec<(&str, u64, &[u64])> =
        o.holders.iter().map(|h| (h.organization.as_str(), h.copies, h.owed.as_slice())).collect();
    assert_eq!(owed, vec![("A", 3, &[3][..]), ("B", 2, &[2][..])]);

    // A correction sent to A for today's version: A is done, B is not.
    let line = CorrectionLine {
        print_code: "NZ-1".into(),
        contact: changed_id.clone(),
        target: o.entries[0].target.clone(),
        recipient: o.holders[0].key.clone(),
        copies: 3,
    };
    let corrected = vec![line];
    let inputs = Inputs { corrected: &corrected, ..inputs };
    let found = outdated(&inputs);
    assert!(found[0].holders[0].corrected());
    assert!(!found[0].holders[1].corrected());

    // The number changes again: A is owed a new correction.
    let mut again = today_contacts.clone();
    let changed = again.iter_mut().find(|c| c.id == changed_id).unwrap();
    changed.channels[0].text.push('8');
    let today: BTreeMap<String, &[Contact]> = [("nz".to_string(), again.as_slice())].into();
    let inputs = Inputs { today: &today, ..inputs };
    assert!(!outdated(&inputs)[0].holders[0].corrected());
}

#[test]
fn unchanged_unshipped_and_voided_print_codes_list_nothing() {
    let project = sample();
    let nz = project.edition("nz").unwrap();
    let releases = vec![release_of("NZ-1", "nz", &nz.contacts)];
    let today: BTreeMap<String, &[Contact]> = [("nz".to_string(), nz.contacts.as_slice())].into();
    let shipments = vec![shipment("NZ-1", "A", 3, false)];
    let inputs = Inputs { releases: &releases, shipments: &shipments, today: &today, corrected: &[] };
    assert!(outdated(&inputs).is_empty(), "nothing changed");

    let fewer: Vec<Contact> = nz.contacts[1..].to_vec();
    let today: BTreeMap<String, &[Contact]> = [("nz".to_string(), fewer.as_slice())].into();
    let mut voided = shipment("NZ-1", "A", 3, false);
    voided.voided = true;
    let shipments = vec![voided];
    let inputs = Inputs { releases: &releases, shipments: &shipments, today: &today, corrected: &[] };
    assert!(outdated(&inputs).is_empty(), "only a voided batch shipped it");
    let shipments = vec![shipment("NZ-1", "A", 3, false)];
    let inputs = Inputs { shipments: &shipments, ..inputs };
    let found = outdated(&inputs);
    assert_eq!(found[0].entries.len(), 1);
    assert!(found[0].entries[0].today.is_none(), "removed");
    assert_eq!(found[0].entries[0].target, "removed");
}
