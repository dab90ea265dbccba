//! The contacts report as a CSV file for a spreadsheet: a header row, then one row per contact
//! with one column per kind of number.

use crate::project::standing::Report;

/// The header row.
pub const COLUMNS: [&str; 16] = [
    "id",
    "kind",
    "name",
    "phone",
    "emergency_phone",
    "short",
    "sms",
    "email",
    "web",
    "verified",
    "due",
    "status",
    "source",
    "editions",
    "file",
    "line",
];

/// The CSV text (UTF-8, comma-separated, quoted where needed, `\n` line ends).
pub fn to_csv(report: &Report) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = w.write_record(COLUMNS);
    for r in &report.rows {
        let number = |kind: &str| {
            r.numbers.iter().filter(|n| n.kind == kind).map(|n| n.text.as_str()).collect::<Vec<_>>().join("; ")
        };
        let kind = r.kind.word();
        let line = r.line.to_string();
        let record: [&str; 16] = [
            &r.id,
            kind,
            &r.name,
            &number("phone"),
            &number("emergency-phone"),
            &number("short"),
            &number("sms"),
            &number("email"),
            &number("web"),
            r.verified.as_deref().unwrap_or(""),
            r.due.as_deref().unwrap_or(""),
            r.status.word(),
            r.source.as_deref().unwrap_or(""),
            &r.editions.join(" "),
            &r.file,
            &line,
        ];
        let _ = w.write_record(record);
    }
    w.into_inner().unwrap_or_default()
}
