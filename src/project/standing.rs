//! Where each contact stands at the guide's date (`ok`, `due`, `overdue`, `unverified`), for the
//! contacts report, the call sheet and the review page.
//!
//! The status is reckoned at the guide's date (`guide.date`), the date the build uses for
//! staleness, so a contact `ok` or `due` here is one that `build --final` accepts.

use serde::Serialize;

use crate::error::Error;
use crate::model::LangMap;
use crate::model::contact::{Contact, Kind};
use crate::model::date::{format_date, parse_date};
use crate::project::{CONFIG, Project};

/// A contact confirmed this many days or fewer before it falls stale is `due`.
pub const DUE_WITHIN_DAYS: i64 = 90;

/// Where a contact stands, at the guide's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    /// Confirmed, and not due again within [`DUE_WITHIN_DAYS`].
    Ok,
    /// Falls stale within [`DUE_WITHIN_DAYS`] of the guide's date.
    Due,
    /// Confirmed longer than `stale-after-days` before the guide's date: its editions are drafts.
    Overdue,
    /// Never confirmed: its editions are drafts.
    Unverified,
}

impl Standing {
    /// Every status, in report order.
    pub const ALL: [Standing; 4] = [Standing::Ok, Standing::Due, Standing::Overdue, Standing::Unverified];

    /// The word printed for it (`ok`, `due`, `overdue`, `unverified`).
    pub fn word(self) -> &'static str {
        match self {
            Standing::Ok => "ok",
            Standing::Due => "due",
            Standing::Overdue => "overdue",
            Standing::Unverified => "unverified",
        }
    }
}

/// One way to reach a contact, as its contacts page prints it (phones in international form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Number {
    /// `phone`, `emergency-phone`, `short`, `sms`, `email` or `web`.
    pub kind: &'static str,
    /// The printed text.
    pub text: String,
}

/// One contact of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Its stable id (what `contacts verify` takes).
    pub id: String,
    /// Its kind.
    pub kind: Kind,
    /// Its name in English if it has one, else in the first language.
    pub name: String,
    /// Its name in every language.
    pub names: LangMap,
    /// Its ways to reach it, in print order.
    pub numbers: Vec<Number>,
    /// When it was last confirmed, `YYYY-MM-DD`.
    pub verified: Option<String>,
    /// When it falls stale (`verified` + `stale-after-days`), `YYYY-MM-DD`.
    pub due: Option<String>,
    /// Where it stands at the guide's date.
    pub status: Standing,
    /// Where it was confirmed.
    pub source: Option<String>,
    /// The file it is written in (`editions/nz.toml`, `guidepress.toml`).
    pub file: String,
    /// The line of its `[[contact]]` header.
    pub line: usize,
    /// The selected editions that print it.
    pub editions: Vec<String>,
}

/// Every contact of the selected editions, each once.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The date statuses are reckoned at: the guide's date.
    pub as_of: String,
    /// `guide.stale-after-days`.
    pub stale_after_days: i64,
    /// [`DUE_WITHIN_DAYS`].
    pub due_within_days: i64,
    /// Editions' own contacts edition by edition, in file order, then the shared ones.
    pub rows: Vec<Row>,
}

impl Report {
    /// How many contacts have each status, in [`Standing::ALL`] order.
    pub fn counts(&self) -> [(Standing, usize); 4] {
        Standing::ALL.map(|s| (s, self.rows.iter().filter(|r| r.status == s).count()))
    }

    /// The summary line: `21 contacts as of 2026-11-29 (guide.date): 0 ok, 0 due, 7 overdue, 14 unverified`.
    pub fn summary(&self) -> String {
        let counts: Vec<String> = self.counts().iter().map(|(s, n)| format!("{n} {}", s.word())).collect();
        let n = self.rows.len();
        format!("{n} contact{} as of {} (guide.date): {}", if n == 1 { "" } else { "s" }, self.as_of, counts.join(", "))
    }
}

/// The report for the editions `ids` (all when empty); an unknown id is a usage error listing
/// the editions.
pub fn report(project: &Project, ids: &[String]) -> Result<Report, Error> {
    let editions = project.select(ids)?;
    let as_of = project.guide.ymd.days();
    let stale = project.guide.stale_after_days;
    let mut rows: Vec<Row> = Vec::new();
    let mut shared: Vec<Row> = Vec::new();
    for e in &editions {
        for c in &e.contacts {
            let list = if c.origin.file == CONFIG { &mut shared } else { &mut rows };
            match list.iter_mut().find(|r| r.file == c.origin.file && r.line == c.origin.line) {
                Some(row) => row.editions.push(e.id.clone()),
                None => list.push(row(c, &e.id, as_of, stale)),
            }
        }
    }
    rows.extend(shared);
    Ok(Report { as_of: project.guide.date.clone(), stale_after_days: stale, due_within_days: DUE_WITHIN_DAYS, rows })
}

fn row(c: &Contact, edition: &str, as_of: i64, stale: i64) -> Row {
    let verified_day = c.verified.as_deref().and_then(parse_date);
    let due_day = verified_day.map(|v| v + stale);
    let status = match due_day {
        None => Standing::Unverified,
        Some(due) if as_of > due => Standing::Overdue,
        Some(due) if due - as_of <= DUE_WITHIN_DAYS => Standing::Due,
        Some(_) => Standing::Ok,
    };
    let numbers = c
        .channels
        .iter()
        .map(|ch| Number { kind: ch.kind, text: ch.alt.clone().unwrap_or_else(|| ch.text.clone()) })
        .collect();
    Row {
        id: c.id.clone(),
        kind: c.kind,
        name: c.display_name(),
        names: c.name.clone(),
        numbers,
        verified: c.verified.clone(),
        due: due_day.map(format_date),
        status,
        source: c.source.clone(),
        file: c.origin.file.clone(),
        line: c.origin.line,
        editions: vec![edition.to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standing_at_the_guide_date() {
        let c = |verified: Option<&str>| Contact {
            kind: Kind::Hotline,
            name: LangMap::from([("en".to_string(), "X".to_string())]),
            channels: Vec::new(),
            address: LangMap::new(),
            hours: LangMap::new(),
            languages: LangMap::new(),
            notes: LangMap::new(),
            verified: verified.map(str::to_string),
            status: crate::model::contact::Status::Verified,
            origin: Default::default(),
            id: "x".into(),
            source: None,
            card: false,
        };
        let as_of = parse_date("2026-11-29").unwrap();
        let status = |v| row(&c(v), "nz", as_of, 730).status;
        assert_eq!(status(None), Standing::Unverified);
        // Stale exactly when the build calls it stale: more than 730 days before the guide's date.
        assert_eq!(status(Some("2024-11-29")), Standing::Due, "730 days: still fresh, due today");
        assert_eq!(status(Some("2024-11-28")), Standing::Overdue);
        assert_eq!(status(Some("2025-02-27")), Standing::Due, "due in 90 days");
        assert_eq!(status(Some("2025-02-28")), Standing::Ok, "due in 91 days");
        assert_eq!(row(&c(Some("2025-02-28")), "nz", as_of, 730).due.as_deref(), Some("2027-02-28"));
    }
}
