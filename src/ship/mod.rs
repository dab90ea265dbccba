//! Shipping: orders, boxes, label stocks, postal address formats and box barcodes, and the
//! `guidepress ship` run that turns an orders file into labels, packing sheets and a pick list.
//!
//! Everything but [`run`] and [`render`] is pure: bytes and numbers in, data out. [`run`] reads
//! the orders file, typesets with Typst (through [`render`]) and writes the outputs.

pub mod address;
pub mod barcode;
pub mod boxes;
pub mod country;
pub mod orders;
pub mod plan;
pub mod postal;
pub mod render;
pub mod run;
pub mod script;
pub mod stock;
pub mod template;

pub use run::{ShipOptions, ShipReport, ShipTimings, ship};
