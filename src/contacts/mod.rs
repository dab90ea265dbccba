//! `guidepress contacts`: every contact of the selected editions with when it was last
//! confirmed, when it is due again and its status, as a terminal table, a CSV file or a call
//! sheet PDF; and `contacts verify`, which records a confirmation in the TOML file.
//!
//! The report itself (where each contact stands) is the project's: [`crate::project::standing`].

pub mod sheet;
pub mod spreadsheet;
pub mod table;
pub mod verify;
