//! Shipping: orders, boxes, label stocks, postal address formats and box barcodes.
//!
//! Everything here is pure: bytes and numbers in, data out. Reading files, rendering labels
//! and writing outputs happen elsewhere.

pub mod address;
pub mod barcode;
pub mod boxes;
pub mod country;
pub mod orders;
pub mod stock;
