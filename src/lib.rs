//! guidepress: typesets per-country editions of a guidebook for organisations that meet Korean
//! victims of prostitution and sex trafficking abroad, and turns order batches into shipping output.
//!
//! The facade: [`project::Project::load`] reads and validates a project folder; [`editions::build`],
//! [`editions::check`] and [`editions::preview`] typeset editions with the embedded Typst compiler.

pub mod contacts;
pub mod corrections;
pub mod diag;
pub mod editions;
pub mod error;
pub mod export;
pub mod input;
pub mod manifest;
pub mod model;
pub mod output;
pub mod press;
pub mod progress;
pub mod project;
pub mod records;
pub mod review;
pub mod scaffold;
pub mod ship;
pub mod shipments;
pub mod site;
pub mod translations;
pub mod typeset;
pub mod watch;

pub use error::Error;
pub use project::Project;
