//! Plain data of a guide and its validation: contacts, editions, trims. No I/O, no Typst.

pub mod contact;
pub mod correction;
pub mod country;
pub mod date;
pub mod edition;
pub mod fields;
pub mod phone;
pub mod postal;
pub mod record;
pub mod stock;
pub mod text;
pub mod web;

use std::collections::BTreeMap;

/// Text in several languages, keyed by language code (`ko`, `en`, `zh-Hant`, `ja`).
pub type LangMap = BTreeMap<String, String>;
