//! The integration tests, one crate: each module builds the sample or a fixture project and reads
//! the results back (PDF text, pages, fonts, QR codes and barcodes from pixels).

mod support;

mod bounds;
mod cards;
mod catalogue;
mod cli;
mod contacts;
mod corrections;
mod drafts;
mod editions;
mod editorial;
mod errors;
mod fill;
mod free_call;
mod fuzz_project;
mod hostile;
mod incremental;
mod languages;
mod layers;
mod layout_errors;
mod print_code;
mod record;
mod review;
mod sheets;
mod ship;
mod ship_layout;
mod site;
mod translations;
mod variants;
