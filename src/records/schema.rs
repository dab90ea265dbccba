//! The record's tables and the numbered migrations that build them. The schema version lives in
//! `PRAGMA user_version`: version N means the first N steps of [`MIGRATIONS`] were applied.

/// Marks the file as a guidepress record (`PRAGMA application_id`, the bytes `gprs`).
pub const APPLICATION_ID: i32 = 0x6770_7273;

/// The migration steps, in order; step `i` takes the record from version `i` to `i + 1`. Never
/// edit a released step: add a new one.
pub const MIGRATIONS: &[&str] = &[V1, V2];

/// The newest record version this guidepress knows.
pub const LATEST: u32 = MIGRATIONS.len() as u32;

/// Version 1: releases, print runs, batches and shipment lines.
const V1: &str = r#"
PRAGMA application_id = 1735422579;

-- One row per print code: an edition as built.
CREATE TABLE releases (
    print_code    TEXT PRIMARY KEY NOT NULL,
    edition       TEXT NOT NULL,
    guide_version TEXT NOT NULL,
    guide_date    TEXT NOT NULL,
    is_final      INTEGER NOT NULL
) STRICT;
CREATE INDEX releases_edition ON releases (edition);

-- Each contact as printed in a release; `fields` is a JSON object of the printed fields.
CREATE TABLE release_contacts (
    print_code TEXT NOT NULL REFERENCES releases (print_code),
    seq        INTEGER NOT NULL,
    id         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    fields     TEXT NOT NULL,
    page       INTEGER NOT NULL,
    x_mm       REAL NOT NULL,
    y_mm       REAL NOT NULL,
    w_mm       REAL NOT NULL,
    h_mm       REAL NOT NULL,
    PRIMARY KEY (print_code, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX release_contacts_id ON release_contacts (id);

CREATE TABLE release_chapters (
    print_code TEXT NOT NULL REFERENCES releases (print_code),
    seq        INTEGER NOT NULL,
    path       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    PRIMARY KEY (print_code, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE print_runs (
    id         INTEGER PRIMARY KEY,
    print_code TEXT NOT NULL REFERENCES releases (print_code),
    edition    TEXT NOT NULL,
    copies     INTEGER NOT NULL CHECK (copies >= 0),
    date       TEXT NOT NULL,
    note       TEXT NOT NULL,
    draft      INTEGER NOT NULL
) STRICT;
CREATE INDEX print_runs_edition ON print_runs (edition, date);
CREATE INDEX print_runs_print_code ON print_runs (print_code);

-- One row per `ship` run. `files` is a JSON array of [name, sha256]; `seq` orders batches.
CREATE TABLE batches (
    seq           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    orders_file   TEXT NOT NULL,
    orders_sha256 TEXT NOT NULL,
    date          TEXT NOT NULL,
    stock         TEXT NOT NULL,
    start         INTEGER NOT NULL,
    out_dir       TEXT NOT NULL,
    files         TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'done',
    voided_on     TEXT,
    void_why      TEXT
) STRICT;
CREATE INDEX batches_date ON batches (date);

-- Personal data (organization, recipient, address, email) is emptied by `forget`, which sets
-- `forgotten`; order id, edition, print code, country and copies stay, so totals never change.
CREATE TABLE shipment_lines (
    id           INTEGER PRIMARY KEY,
    batch        INTEGER NOT NULL REFERENCES batches (seq),
    order_id     TEXT NOT NULL,
    edition      TEXT NOT NULL,
    print_code   TEXT NOT NULL,
    copies       INTEGER NOT NULL CHECK (copies >= 0),
    organization TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    address      TEXT NOT NULL,
    country      TEXT NOT NULL,
    email        TEXT NOT NULL,
    row          INTEGER NOT NULL,
    forgotten    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX shipment_lines_key ON shipment_lines (order_id, edition);
CREATE INDEX shipment_lines_print_code ON shipment_lines (print_code);
-- Covers `stock` and `draw` (an index-only scan) and serves a filter by edition.
CREATE INDEX shipment_lines_stock ON shipment_lines (edition, print_code, batch, copies);
CREATE INDEX shipment_lines_batch ON shipment_lines (batch);

-- The files a batch wrote (labels, packing sheets, pick list, summary), byte for byte, recorded in
-- the same transaction as its lines: `ship --reprint` writes them again, and a run stopped after
-- recording but before putting its files in place is completed from here. `forget` removes them
-- with the personal data they hold.
CREATE TABLE batch_files (
    id    INTEGER PRIMARY KEY,
    batch INTEGER NOT NULL REFERENCES batches (seq),
    name  TEXT NOT NULL,
    bytes BLOB NOT NULL,
    UNIQUE (batch, name)
) STRICT;
"#;

/// Version 2: corrections sent for copies in the field (`corrections make`, and stickers packed by
/// `ship` into boxes of an outdated print code).
const V2: &str = r#"
-- One row per correction batch. `files` is a JSON array of [name, sha256]; `kind` is `make` (a
-- `corrections make` run, files under out/corrections/<id>/) or `ship` (stickers packed by a
-- shipping batch of the same id).
CREATE TABLE corrections (
    seq     INTEGER PRIMARY KEY,
    id      TEXT NOT NULL UNIQUE,
    kind    TEXT NOT NULL CHECK (kind IN ('make', 'ship')),
    date    TEXT NOT NULL,
    out_dir TEXT NOT NULL,
    files   TEXT NOT NULL
) STRICT;

-- Stickers sent for one contact of one print code to one recipient. `target` fingerprints the
-- contact's fields as corrected (or is `removed`), so a later change lists the recipient again;
-- `recipient` fingerprints organisation, person and address (no personal data is kept here).
CREATE TABLE correction_lines (
    id         INTEGER PRIMARY KEY,
    correction INTEGER NOT NULL REFERENCES corrections (seq),
    print_code TEXT NOT NULL,
    contact    TEXT NOT NULL,
    target     TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    copies     INTEGER NOT NULL CHECK (copies >= 0)
) STRICT;
CREATE INDEX correction_lines_print_code ON correction_lines (print_code, contact);
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn application_id_matches_the_migration() {
        assert!(V1.contains(&format!("application_id = {APPLICATION_ID};")));
        assert_eq!(LATEST, 2);
    }
}
