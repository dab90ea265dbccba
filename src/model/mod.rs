//! Plain data of a guide and its validation: contacts, editions, trims. No I/O, no Typst.

pub mod contact;
pub mod correction;
pub mod country;
pub mod date;
pub mod edition;
pub mod fields;
pub mod html;
pub mod phone;
pub mod postal;
pub mod record;
pub mod stock;
pub mod text;
pub mod web;

use std::collections::BTreeMap;

/// Text in several languages, keyed by language code (`ko`, `en`, `zh-Hant`, `ja`).
pub type LangMap = BTreeMap<String, String>;

/// The languages of `order` that `map` has, each text once: a language is left out when a later
/// one has the same text (an address written identically in Korean and English prints once, in
/// English). The layouts' `distinct` (layouts/style.typ) does the same on paper.
pub fn distinct_langs<'a>(map: &'a LangMap, order: &'a [String]) -> Vec<(&'a str, &'a str)> {
    let present: Vec<(&str, &str)> =
        order.iter().filter_map(|l| map.get(l).map(|t| (l.as_str(), t.as_str()))).collect();
    present
        .iter()
        .enumerate()
        .filter(|(i, (_, t))| present[i + 1..].iter().all(|(_, u)| u != t))
        .map(|(_, p)| *p)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_the_same_in_several_languages_is_kept_once_in_the_last() {
        let map: LangMap = [("ko", "PO Box 5744"), ("en", "PO Box 5744"), ("ja", "私書箱")]
            .iter()
            .map(|(l, t)| (l.to_string(), t.to_string()))
            .collect();
        let order: Vec<String> = ["ko", "en", "ja"].iter().map(|s| s.to_string()).collect();
        assert_eq!(distinct_langs(&map, &order), [("en", "PO Box 5744"), ("ja", "私書箱")]);
        let order: Vec<String> = ["ja", "ko"].iter().map(|s| s.to_string()).collect();
        assert_eq!(distinct_langs(&map, &order), [("ja", "私書箱"), ("ko", "PO Box 5744")]);
    }
}
