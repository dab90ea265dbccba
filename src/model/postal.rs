//! Postal rules per destination: `[shipping.destinations.XX]` in guidepress.toml.
//!
//! ```toml
//! [shipping]
//! max-box-kg = 5
//!
//! [shipping.destinations.CA]
//! max-box-kg = 2
//! service = "SMALL PACKET / PETIT PAQUET"
//! ```
//!
//! A destination's `max-box-kg` replaces `shipping.max-box-kg` for the boxes going there; its
//! `service` is stamped on their labels and named on their packing sheets instead of the
//! layouts' default (printed papers). Plain data and its validation; shipping applies it
//! (`ship/postal.rs`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diag::{Problem, Problems, key_offset};
use crate::model::country::country_name;
use crate::model::text;

/// The longest line of a service's stamp (a part between ` / `), in characters: as long as
/// "PRINTED PAPERS /", which is what the stamp of the smallest label is sized for.
pub const MAX_SERVICE_CHARS: usize = 16;
/// The most lines a service's stamp may have: two fit beside the sender block.
pub const MAX_SERVICE_LINES: usize = 2;

/// The postal rules of one destination country.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Destination {
    /// Heaviest parcel to this country, kg (default: `shipping.max-box-kg`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_box_kg: Option<f64>,
    /// The postal service printed on labels and packing sheets, e.g. `PRINTED PAPERS / IMPRIMÉ`
    /// (parts split at ` / ` go on separate lines of the stamp).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
}

/// Every destination's rules, by ISO 3166-1 alpha-2 code.
pub type Destinations = BTreeMap<String, Destination>;

/// Heaviest box to `country`, in grams: its own limit, else `default_kg`.
pub fn max_box_g(destinations: &Destinations, country: &str, default_kg: f64) -> f64 {
    destinations.get(country).and_then(|d| d.max_box_kg).unwrap_or(default_kg) * 1000.0
}

/// The service of every destination that names one (the others get the layouts' default).
pub fn services(destinations: &Destinations) -> BTreeMap<String, String> {
    destinations.iter().filter_map(|(code, d)| Some((code.clone(), d.service.clone()?))).collect()
}

/// Checks the destination table of guidepress.toml (`file`, text `text`): known country codes in
/// upper case, limits within 0.5 to 30 kg, service names short, printable and on one line.
pub fn validate(destinations: &Destinations, file: &str, text: &str, problems: &mut Problems) {
    for (code, d) in destinations {
        let at = |key: Option<&str>| destination_offset(text, code, key);
        let name = format!("shipping.destinations.{code}");
        if country_name(code).is_none() || code.len() != 2 || *code != code.to_ascii_uppercase() {
            let upper = code.to_ascii_uppercase();
            let hint = match country_name(&upper) {
                Some(country) if upper.len() == 2 => format!("write it in capitals, `{upper}` ({country})"),
                _ => "use the two-letter ISO 3166 code, e.g. CA, AU, NZ, JP or KR".to_string(),
            };
            problems.push(Problem::at(
                file,
                text,
                at(None),
                format!("`{name}`: `{code}` is not a country code; {hint}"),
            ));
        }
        if let Some(kg) = d.max_box_kg
            && !(0.5..=30.0).contains(&kg)
        {
            let message = format!("`{name}.max-box-kg` is {kg}; it must be between 0.5 and 30 (kg)");
            problems.push(Problem::at(file, text, at(Some("max-box-kg")), message));
        }
        if let Some(service) = &d.service {
            let why = if service.trim().is_empty() {
                Some("is empty; name the postal service, or delete the line to print the default".to_string())
            } else if let Some(c) = service.chars().find(|c| text::is_hidden(*c, text::Lines::Single)) {
                Some(format!("has {}", text::hidden_advice(c)))
            } else if service.split(" / ").count() > MAX_SERVICE_LINES
                || service.split(" / ").any(|part| part.chars().count() + 2 > MAX_SERVICE_CHARS)
            {
                Some(format!(
                    "is too long for the label's stamp, which holds {MAX_SERVICE_LINES} lines of {MAX_SERVICE_CHARS} \
                     characters; write at most two parts separated by \" / \", each at most {} characters, \
                     e.g. \"PRINTED PAPERS / IMPRIMÉ\"",
                    MAX_SERVICE_CHARS - 2
                ))
            } else {
                None
            };
            if let Some(why) = why {
                problems.push(Problem::at(file, text, at(Some("service")), format!("`{name}.service` {why}")));
            }
        }
    }
}

/// Where the table text sets `key` of destination `code` (or names the destination): in a
/// `[shipping.destinations.XX]` table, or as a key of `[shipping.destinations]`.
fn destination_offset(text: &str, code: &str, key: Option<&str>) -> usize {
    let table = format!("shipping.destinations.{code}");
    let quoted = format!("shipping.destinations.\"{code}\"");
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        let header: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
        if header == format!("[{table}]") || header == format!("[{quoted}]") {
            let found = key.map(|k| key_offset(text, &table, k));
            let code_at = offset + line.find(code).unwrap_or(0);
            // key_offset falls back to the table header when the key is absent.
            return found.filter(|o| *o > offset).unwrap_or(code_at);
        }
        offset += line.len();
    }
    let in_table = key_offset(text, "shipping.destinations", code);
    if in_table > 0 {
        return in_table;
    }
    key_offset(text, "shipping", "destinations")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(toml_text: &str) -> Vec<String> {
        #[derive(Deserialize)]
        struct File {
            shipping: Shipping,
        }
        #[derive(Deserialize)]
        struct Shipping {
            destinations: Destinations,
        }
        let f: File = toml::from_str(toml_text).unwrap();
        let mut problems = Problems::default();
        validate(&f.shipping.destinations, "guidepress.toml", toml_text, &mut problems);
        problems.0.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn an_unknown_country_code_is_located() {
        let text = "[shipping]\nmax-box-kg = 5\n\n[shipping.destinations.XK]\nmax-box-kg = 2\n";
        let found = check(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("guidepress.toml:4:24: `shipping.destinations.XK`: `XK` is not"), "{found:?}");
    }

    #[test]
    fn lower_case_codes_and_bad_limits_are_refused() {
        let text = "[shipping.destinations.ca]\nmax-box-kg = 40\n";
        let found = check(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("write it in capitals, `CA` (Canada)"), "{found:?}");
        assert!(found[1].starts_with("guidepress.toml:2:1: `shipping.destinations.ca.max-box-kg` is 40"), "{found:?}");
    }

    #[test]
    fn limits_fall_back_to_the_default() {
        let mut d = Destinations::new();
        d.insert("CA".into(), Destination { max_box_kg: Some(2.0), service: Some("SMALL PACKET".into()) });
        assert_eq!(max_box_g(&d, "CA", 5.0), 2000.0);
        assert_eq!(max_box_g(&d, "US", 5.0), 5000.0);
        assert_eq!(services(&d).get("CA").map(String::as_str), Some("SMALL PACKET"));
        assert!(check("[shipping.destinations.CA]\nmax-box-kg = 2\nservice = \"SMALL PACKET\"\n").is_empty());
    }
}
