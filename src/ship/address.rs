//! Postal address formats: the lines of a shipping label, per destination country.
//!
//! Line order follows Google's libaddressinput data (N = recipient, O = organization,
//! A = street lines, C = city, S = region, Z = postal code, D = district):
//!
//! | country | lines | capitals |
//! |---|---|---|
//! | US | N / O / A / `C, S Z` | C, S |
//! | CA | N / O / A / `C S Z` | everything |
//! | AU | O / N / A / `C S Z` | C, S |
//! | NZ | N / O / A / D / `C Z` (our region column is printed as the district line) | — |
//! | JP, KR, MO | N / O / A / locality line (see below) | — |
//! | others | N / O / A / `C S Z` | — |
//!
//! Japan, Korea and Macao write addresses from the largest unit down when they use their own
//! script; their labels here keep N / O / A first (the sender writes in that order) and put the
//! city, region and postal code on one line after A, in the local convention:
//! JP `〒160-0023 東京都新宿区`, KR `서울특별시 중구 04524`, MO `澳門`; in Latin script
//! `Shinjuku-ku, Tokyo 160-0023`. Nothing given is ever dropped.
//!
//! The last line is the destination country's English name in capitals. Capitals apply to
//! Latin letters only; Hangul, Han and kana are left as they are.

use crate::model::country::country_name;

/// The parts of a postal address, as given in an order (already trimmed or not).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Address<'a> {
    /// The person the box is for.
    pub recipient: &'a str,
    /// The organization the box goes to.
    pub organization: &'a str,
    /// First street line.
    pub line1: &'a str,
    /// Second street line (building, suite, floor).
    pub line2: &'a str,
    /// City, town or district.
    pub city: &'a str,
    /// State, province, prefecture or region.
    pub region: &'a str,
    /// Postal code (ZIP).
    pub postal_code: &'a str,
    /// ISO 3166-1 alpha-2 country code.
    pub country: &'a str,
}

/// The lines of the address as they go on the label, top to bottom.
///
/// Empty fields leave no blank line, stray comma or double space; a field containing line
/// breaks becomes several lines (street lines) or is joined with spaces (city, region, postal
/// code). The recipient and organization are printed once if they are the same (ignoring
/// case). An unknown country code is printed as given, in capitals, rather than dropped.
pub fn format_address(a: &Address) -> Vec<String> {
    let country = a.country.trim().to_ascii_uppercase();
    let name = lines(a.recipient);
    let org = if same(&one_line(a.organization), &one_line(a.recipient)) { Vec::new() } else { lines(a.organization) };
    let street: Vec<String> = lines(a.line1).into_iter().chain(lines(a.line2)).collect();
    let city = one_line(a.city);
    let region = one_line(a.region);
    let zip = one_line(a.postal_code);

    let mut out: Vec<String> = Vec::new();
    match country.as_str() {
        "US" => {
            out.extend(name);
            out.extend(org);
            out.extend(street);
            out.push(locality(&upper_latin(&city), ", ", &[&upper_latin(&region), &zip]));
        }
        "CA" => {
            out.extend(name);
            out.extend(org);
            out.extend(street);
            out.push(locality(&city, " ", &[&region, &zip]));
            out = out.iter().map(|l| upper_latin(l)).collect();
        }
        "AU" => {
            out.extend(org);
            out.extend(name);
            out.extend(street);
            out.push(locality(&upper_latin(&city), " ", &[&upper_latin(&region), &zip]));
        }
        "NZ" => {
            out.extend(name);
            out.extend(org);
            out.extend(street);
            if !same(&region, &city) {
                out.push(region.clone());
            }
            out.push(locality(&city, " ", &[&zip]));
        }
        "JP" | "KR" | "MO" => {
            out.extend(name);
            out.extend(org);
            out.extend(street);
            out.push(east_asian_locality(&country, &city, &region, &zip));
        }
        _ => {
            out.extend(name);
            out.extend(org);
            out.extend(street);
            out.push(locality(&city, " ", &[&region, &zip]));
        }
    }
    if !country.is_empty() {
        out.push(upper_latin(country_name(&country).unwrap_or(&country)));
    }
    out.retain(|l| !l.is_empty());
    out
}

/// The locality line of a JP, KR or MO address: local order and spacing when the city or
/// region is written in the local script, `C, S Z` otherwise.
fn east_asian_locality(country: &str, city: &str, region: &str, zip: &str) -> String {
    if !(has_east_asian_script(city) || has_east_asian_script(region)) {
        return locality(city, ", ", &[region, zip]);
    }
    // Largest unit first; Japanese and Chinese write the units without spaces, Korean with.
    let units: Vec<&str> = if same(region, city) { vec![city] } else { vec![region, city] };
    let units: Vec<&str> = units.into_iter().filter(|u| !u.is_empty()).collect();
    match country {
        "JP" => {
            let zip = zip.trim_start_matches('〒').trim();
            let zip = if zip.is_empty() { String::new() } else { format!("〒{zip}") };
            join_nonempty(&[&zip, &units.concat()], " ")
        }
        "KR" => join_nonempty(&[&units.join(" "), zip], " "),
        _ => join_nonempty(&[&units.concat(), zip], " "),
    }
}

/// `city` + `sep` + the non-empty `rest` joined by spaces, without dangling separators:
/// `sep` (e.g. `", "` in `C, S Z`) belongs to the region, so with no region a space is used.
fn locality(city: &str, sep: &str, rest: &[&str]) -> String {
    let right = join_nonempty(rest, " ");
    let sep = if rest.first().is_some_and(|r| r.is_empty()) { " " } else { sep };
    join_nonempty(&[city, &right], sep)
}

fn join_nonempty(parts: &[&str], sep: &str) -> String {
    parts.iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join(sep)
}

/// The non-empty, trimmed lines of a field.
fn lines(field: &str) -> Vec<String> {
    field.lines().flat_map(|l| l.split('\r')).map(str::trim).filter(|l| !l.is_empty()).map(collapse_spaces).collect()
}

/// A field on one line: its lines joined with single spaces.
fn one_line(field: &str) -> String {
    lines(field).join(" ")
}

fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn same(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// Upper-cases Latin letters only; every other script is left as it is.
pub fn upper_latin(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_latin_letter(c) {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn is_latin_letter(c: char) -> bool {
    // The ranges first: `is_alphabetic` is a table search for anything beyond ASCII, and most
    // characters of an East Asian address fall outside them.
    c != 'µ'
        && (c < '\u{0250}'
            || ('\u{1E00}'..='\u{1EFF}').contains(&c)
            || ('\u{2C60}'..='\u{2C7F}').contains(&c)
            || ('\u{A720}'..='\u{A7FF}').contains(&c)
            || ('\u{FF21}'..='\u{FF5A}').contains(&c))
        && c.is_alphabetic()
}

/// Whether `s` contains Hangul, Han (CJK ideographs) or kana.
pub fn has_east_asian_script(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c,
            '\u{1100}'..='\u{11FF}'      // Hangul Jamo
            | '\u{3040}'..='\u{30FF}'    // Hiragana, Katakana
            | '\u{3130}'..='\u{318F}'    // Hangul Compatibility Jamo
            | '\u{31F0}'..='\u{31FF}'    // Katakana extensions
            | '\u{3400}'..='\u{4DBF}'    // CJK Extension A
            | '\u{4E00}'..='\u{9FFF}'    // CJK Unified Ideographs
            | '\u{AC00}'..='\u{D7AF}'    // Hangul syllables
            | '\u{F900}'..='\u{FAFF}'    // CJK Compatibility Ideographs
            | '\u{FF66}'..='\u{FF9F}'    // half-width katakana
            | '\u{20000}'..='\u{3134F}') // CJK Extensions B–G
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(a: Address) -> Vec<String> {
        format_address(&a)
    }

    #[test]
    fn united_states() {
        let a = Address {
            recipient: "Dana Whitfield",
            organization: "Pacific Coast Anti-Trafficking Coalition",
            line1: "1450 W 7th St",
            line2: "Suite 300",
            city: "Los Angeles",
            region: "CA",
            postal_code: "90017",
            country: "US",
        };
        assert_eq!(
            fmt(a),
            [
                "Dana Whitfield",
                "Pacific Coast Anti-Trafficking Coalition",
                "1450 W 7th St",
                "Suite 300",
                "LOS ANGELES, CA 90017",
                "UNITED STATES",
            ]
        );
        // No region: no dangling comma.
        let a = Address { region: "", line2: "", ..a };
        assert_eq!(fmt(a)[3], "LOS ANGELES 90017");
        let a = Address { city: "", ..a };
        assert_eq!(fmt(a)[3], "90017");
    }

    #[test]
    fn canada_is_all_capitals() {
        let a = Address {
            recipient: "Marie-Ève Tremblay",
            organization: "Harbourfront Women's Shelter",
            line1: "221 Queens Quay W",
            line2: "",
            city: "Toronto",
            region: "ON",
            postal_code: "M5J 2G2",
            country: "ca",
        };
        assert_eq!(
            fmt(a),
            ["MARIE-ÈVE TREMBLAY", "HARBOURFRONT WOMEN'S SHELTER", "221 QUEENS QUAY W", "TORONTO ON M5J 2G2", "CANADA",]
        );
    }

    #[test]
    fn australia_puts_the_organization_first() {
        let a = Address {
            recipient: "Priya Raman",
            organization: "Inner West Community Legal Centre",
            line1: "Level 2, 88 Parramatta Rd",
            line2: "",
            city: "Camperdown",
            region: "NSW",
            postal_code: "2050",
            country: "AU",
        };
        assert_eq!(
            fmt(a),
            [
                "Inner West Community Legal Centre",
                "Priya Raman",
                "Level 2, 88 Parramatta Rd",
                "CAMPERDOWN NSW 2050",
                "AUSTRALIA",
            ]
        );
    }

    #[test]
    fn new_zealand_prints_the_region_as_the_district_line() {
        let a = Address {
            recipient: "Aroha Ngata",
            organization: "Waitematā Migrant Support Trust",
            line1: "17 Karangahape Rd",
            line2: "",
            city: "Auckland",
            region: "Newton",
            postal_code: "1010",
            country: "NZ",
        };
        assert_eq!(
            fmt(a),
            [
                "Aroha Ngata",
                "Waitematā Migrant Support Trust",
                "17 Karangahape Rd",
                "Newton",
                "Auckland 1010",
                "NEW ZEALAND",
            ]
        );
        // The same name twice is printed once.
        let a = Address { region: "auckland", ..a };
        assert_eq!(fmt(a)[3], "Auckland 1010");
    }

    #[test]
    fn japan_in_japanese_and_in_latin_script() {
        let a = Address {
            recipient: "佐藤 美咲",
            organization: "みなと女性相談センター",
            line1: "西新宿2-8-1",
            line2: "第一ビル5階",
            city: "新宿区",
            region: "東京都",
            postal_code: "160-0023",
            country: "JP",
        };
        assert_eq!(
            fmt(a),
            ["佐藤 美咲", "みなと女性相談センター", "西新宿2-8-1", "第一ビル5階", "〒160-0023 東京都新宿区", "JAPAN",]
        );
        let a = Address { postal_code: "〒160-0023", ..a };
        assert_eq!(fmt(a)[4], "〒160-0023 東京都新宿区");
        let latin = Address {
            recipient: "Misaki Sato",
            organization: "Minato Women's Counselling Centre",
            line1: "2-8-1 Nishi-Shinjuku",
            line2: "",
            city: "Shinjuku-ku",
            region: "Tokyo",
            postal_code: "160-0023",
            country: "JP",
        };
        assert_eq!(fmt(latin)[3], "Shinjuku-ku, Tokyo 160-0023");
    }

    #[test]
    fn korea_in_hangul_and_in_latin_script() {
        let a = Address {
            recipient: "김지은",
            organization: "한빛여성인권상담소",
            line1: "세종대로 110",
            line2: "3층",
            city: "중구",
            region: "서울특별시",
            postal_code: "04524",
            country: "KR",
        };
        assert_eq!(
            fmt(a),
            ["김지은", "한빛여성인권상담소", "세종대로 110", "3층", "서울특별시 중구 04524", "SOUTH KOREA"]
        );
        let latin = Address { city: "Jung-gu", region: "Seoul", line1: "110 Sejong-daero", line2: "", ..a };
        assert_eq!(fmt(latin)[3], "Jung-gu, Seoul 04524");
    }

    #[test]
    fn macao_in_chinese_and_in_latin_script() {
        let a = Address {
            recipient: "陳美玲",
            organization: "澳門婦女援助協會",
            line1: "新馬路123號",
            line2: "4樓A座",
            city: "澳門",
            region: "澳門",
            postal_code: "",
            country: "MO",
        };
        assert_eq!(fmt(a), ["陳美玲", "澳門婦女援助協會", "新馬路123號", "4樓A座", "澳門", "MACAO"]);
        let a = Address { region: "", city: "氹仔", ..a };
        assert_eq!(fmt(a)[4], "氹仔");
        let latin = Address { city: "Macau", region: "", line1: "Avenida de Almeida Ribeiro 123", ..a };
        assert_eq!(fmt(latin)[4], "Macau");
    }

    #[test]
    fn other_countries_use_the_default_order() {
        let a = Address {
            recipient: "Jana Novák",
            organization: "Beratungsstelle Nord",
            line1: "Hauptstraße 5",
            line2: "",
            city: "Hamburg",
            region: "",
            postal_code: "20095",
            country: "DE",
        };
        assert_eq!(fmt(a), ["Jana Novák", "Beratungsstelle Nord", "Hauptstraße 5", "Hamburg 20095", "GERMANY"]);
        let a = Address { country: "th", region: "Bangkok", postal_code: "10330", city: "Pathum Wan", ..a };
        assert_eq!(fmt(a)[3..], ["Pathum Wan Bangkok 10330", "THAILAND"]);
    }

    #[test]
    fn empty_fields_leave_no_gaps_and_nothing_is_dropped() {
        let a = Address { recipient: "  A  ", line1: "1 Main St", city: "Town", country: "US", ..Default::default() };
        assert_eq!(fmt(a), ["A", "1 Main St", "TOWN", "UNITED STATES"]);
        assert!(fmt(Address::default()).is_empty());
        // Unknown code: printed, not dropped.
        let a = Address { recipient: "A", country: "xk", ..Default::default() };
        assert_eq!(fmt(a), ["A", "XK"]);
        // Line breaks inside a field.
        let a = Address { recipient: "A", line1: "Unit 5\r\n 10  High St ", country: "GB", ..Default::default() };
        assert_eq!(fmt(a), ["A", "Unit 5", "10 High St", "UNITED KINGDOM"]);
        // Organization equal to recipient is printed once.
        let a = Address { recipient: "Front Desk", organization: "front desk", country: "NZ", ..Default::default() };
        assert_eq!(fmt(a), ["Front Desk", "NEW ZEALAND"]);
    }

    #[test]
    fn capitals_apply_to_latin_letters_only() {
        assert_eq!(upper_latin("québec ß ÿ ǆ ẽ"), "QUÉBEC SS Ÿ Ǆ Ẽ");
        assert_eq!(upper_latin("서울 東京 とうきょう Ωμέγα µ ｔｏｋｙｏ"), "서울 東京 とうきょう Ωμέγα µ ＴＯＫＹＯ");
        let a =
            Address { recipient: "r", city: "밴쿠버 vancouver", region: "bc", country: "CA", ..Default::default() };
        assert_eq!(fmt(a), ["R", "밴쿠버 VANCOUVER BC", "CANADA"]);
    }

    #[test]
    fn literal_markup_characters_pass_through() {
        let a = Address { recipient: "#1 *Team* $ [x] \\ <a> @b", country: "NZ", ..Default::default() };
        assert_eq!(fmt(a)[0], "#1 *Team* $ [x] \\ <a> @b");
    }
}
