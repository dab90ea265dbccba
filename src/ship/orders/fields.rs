//! Checks of single order fields: dates, copies, e-mail, country, edition and postal code.
//!
//! Each check returns the value in its standard form, or a sentence saying what is wrong with
//! the value and how to fix it (the caller adds the row and column).

use super::MAX_COPIES;
use crate::model::country::{code_for_name, country_name};

/// "one of: a, b, c", or a sentence saying there are no editions.
pub(super) fn edition_list(editions: &[&str]) -> String {
    if editions.is_empty() {
        "this guide has no editions yet".into()
    } else {
        format!("one of: {}", editions.join(", "))
    }
}

/// A value in backticks, on one line and cut short if very long.
pub(super) fn show(value: &str) -> String {
    let one_line: String =
        crate::model::text::visible(&value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>());
    let mut cut: String = one_line.chars().take(60).collect();
    if one_line.chars().count() > 60 {
        cut.push('…');
    }
    format!("`{cut}`")
}

/// Like [`show`], but "nothing" for an empty value.
pub(super) fn show_or_nothing(value: &str) -> String {
    if value.is_empty() { "nothing".into() } else { show(value) }
}

/// The longest order id: with a box number added it must still fit in a barcode on a
/// 99 mm label (about 24 characters at 0.25 mm per module, quiet zones included).
pub const MAX_ORDER_ID_CHARS: usize = 20;

/// Checks an order id: printable ASCII (it goes into the box barcode), at most
/// [`MAX_ORDER_ID_CHARS`] characters.
pub fn check_order_id(value: &str) -> Result<(), String> {
    if let Some(c) = value.chars().find(|c| !(' '..='~').contains(c)) {
        return Err(format!(
            "{} contains `{c}`, which cannot go in the box barcode; use only letters A-Z, digits \
             and marks such as - or /, e.g. 2026-11-001",
            show(value)
        ));
    }
    if value.chars().count() > MAX_ORDER_ID_CHARS {
        return Err(format!(
            "{} is longer than {MAX_ORDER_ID_CHARS} characters, too long for the box barcode; use a \
             shorter id, e.g. 2026-11-001",
            show(value)
        ));
    }
    Ok(())
}

/// Checks a YYYY-MM-DD date, including month lengths and leap years.
pub fn check_date(value: &str) -> Result<(), String> {
    let b = value.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return Err(format!(
            "{} is not a date written as YYYY-MM-DD (year, month, day); write it like 2026-11-03",
            show(value)
        ));
    }
    let num = |r: std::ops::Range<usize>| value[r].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (num(0..4), num(5..7), num(8..10));
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    if year == 0 {
        return Err(format!("{} is not a real date: there is no year 0", show(value)));
    }
    if !(1..=12).contains(&month) {
        return Err(format!(
            "{} is not a real date: there is no month {month} (the month comes second, as in \
             2026-11-03)",
            show(value)
        ));
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day == 0 {
        return Err(format!("{} is not a real date: there is no day 0", show(value)));
    }
    if day > days {
        return Err(format!(
            "{} is not a real date: {} {year} has {days} days",
            show(value),
            MONTHS[(month - 1) as usize]
        ));
    }
    Ok(())
}

/// Checks a number of copies: a whole number from 1 to [`MAX_COPIES`], in digits.
pub fn check_copies(value: &str) -> Result<u32, String> {
    let v = show(value);
    // Full-width digits (as typed with a Japanese or Chinese input method) are digits.
    let value: String = value
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect();
    let value = value.as_str();
    if value.bytes().all(|b| b.is_ascii_digit()) && !value.is_empty() {
        let digits = value.trim_start_matches('0');
        if digits.is_empty() {
            return Err(format!(
                "{v} copies: each order line must ask for at least 1 copy; delete the row if \
                 nothing is needed"
            ));
        }
        return match digits.parse::<u32>() {
            Ok(n) if n <= MAX_COPIES => Ok(n),
            _ => Err(format!(
                "{v} copies is more than the {MAX_COPIES} one order line may ask for; check for a \
                 typo, and arrange a really large order with the print shop directly"
            )),
        };
    }
    let rest = value.strip_prefix('-').or_else(|| value.strip_prefix('−'));
    if let Some(rest) = rest
        && !rest.is_empty()
        && rest.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    {
        return Err(format!("{v} is negative; write the number of copies as a positive whole number, e.g. 20"));
    }
    let lower = value.to_ascii_lowercase();
    if let Some((mantissa, exponent)) = lower.split_once('e') {
        let num = |s: &str| !s.is_empty() && s.parse::<f64>().is_ok();
        if num(mantissa) && num(exponent.trim_start_matches('+')) {
            return Err(format!(
                "{v} is written in scientific notation (spreadsheets sometimes do this); write \
                 the number of copies in full digits, e.g. 1000"
            ));
        }
    }
    let ungrouped = value.replace([',', ' ', '\u{A0}', '\'', '’'], "");
    if ungrouped != value && !ungrouped.is_empty() && ungrouped.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{v} has a thousands separator; write the number without commas or spaces, e.g. 1000"));
    }
    if let Some(stripped) = value.strip_prefix('+')
        && !stripped.is_empty()
        && stripped.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format!("{v} has a plus sign; write just the digits, e.g. 20"));
    }
    if value.parse::<f64>().is_ok_and(f64::is_finite) {
        return Err(format!("{v} is not a whole number; write the number of copies as a whole number, e.g. 20"));
    }
    if value.chars().any(|c| c.is_ascii_digit()) {
        return Err(format!(
            "{v} is not just a number; write the number of copies in digits only, e.g. 20, and \
             put any remarks in `notes`"
        ));
    }
    Err(format!("{v} is not a number; write the number of copies in digits, e.g. 10"))
}

/// Checks that a value looks like one e-mail address.
pub fn check_email(value: &str) -> Result<(), String> {
    let v = show(value);
    if value.to_ascii_lowercase().starts_with("mailto:") {
        return Err(format!("{v} starts with `mailto:`; write only the address, e.g. name@example.org"));
    }
    // `?subject=…` and `Name <…>`: said as for an address printed in the guide.
    if value.contains(['?', '<', '>']) {
        crate::model::web::check_email(value).map_err(|why| format!("{v} {why}"))?;
    }
    if value.matches('@').count() > 1 || value.contains([';', ',']) {
        return Err(format!("{v} holds more than one e-mail address; give only one, and put others in `notes`"));
    }
    let problem = || {
        Err(format!(
            "{v} does not look like an e-mail address (name@example.org); correct it, or leave \
             the cell empty"
        ))
    };
    if value.chars().any(|c| c.is_whitespace() || c.is_control() || "<>()[]\\\"".contains(c)) {
        return problem();
    }
    let Some((local, domain)) = value.split_once('@') else { return problem() };
    if local.is_empty() || local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return problem();
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty() && !l.starts_with('-') && !l.ends_with('-') && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) || labels.last().is_some_and(|t| t.chars().count() < 2) {
        return problem();
    }
    // The rules for addresses printed in the guide: one bare address, in ASCII, with a plain domain.
    crate::model::web::check_email(value).map_err(|why| format!("{v} {why}"))
}

/// Checks a country code and returns it in upper case.
pub fn check_country(value: &str) -> Result<String, String> {
    let upper = value.to_ascii_uppercase();
    if country_name(&upper).is_some() {
        return Ok(upper);
    }
    let v = show(value);
    if let Some(code) = code_for_name(value) {
        return Err(format!(
            "{v} is not a two-letter ISO country code; write `{code}` ({}) instead",
            country_name(code).unwrap_or(code)
        ));
    }
    Err(format!(
        "{v} is not a country code guidepress knows; use the two-letter ISO 3166 code, e.g. US, \
         CA, AU, NZ, MO, JP or KR"
    ))
}

/// Checks an edition id against the project's editions; returns the project's spelling.
pub fn check_edition(value: &str, editions: &[&str]) -> Result<String, String> {
    if let Some(e) = editions.iter().find(|e| e.eq_ignore_ascii_case(value)) {
        return Ok(e.to_string());
    }
    if editions.is_empty() {
        return Err(format!(
            "{} cannot be ordered: this guide has no editions yet; add one in the editions folder first",
            show(value)
        ));
    }
    Err(format!("{} is not an edition of this guide; use {}", show(value), edition_list(editions)))
}

/// Checks a postal code against its country's format and returns it in standard form.
///
/// US `12345` or `12345-6789`; CA `A1A 1A1`; AU and NZ 4 digits; JP `123-4567`; KR 5 digits.
/// Full-width digits and letters are read as ordinary ones; other countries are not checked.
pub fn check_postal_code(value: &str, country: &str) -> Result<String, String> {
    let ascii: String = value
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '‐' | '‑' | '‒' | '–' | '—' | '−' | 'ー' => '-',
            c => c,
        })
        .collect();
    let norm = ascii.split_whitespace().collect::<Vec<_>>().join(" ");
    let v = show(value);
    match country {
        "US" => us_zip(&norm, &v),
        "CA" => canadian_postal_code(&norm, &v),
        "AU" | "NZ" => {
            if digits(&norm, 4) {
                return Ok(norm);
            }
            let what = if country == "AU" { "an Australian postcode" } else { "a New Zealand postcode" };
            let example = if country == "AU" { "2000" } else { "1010" };
            Err(format!("{v} is not {what}, which has 4 digits (e.g. {example}){}", lost_zero(&norm, 4)))
        }
        "JP" => {
            let compact: String = norm.trim_start_matches('〒').chars().filter(|c| *c != ' ').collect();
            let plain: String = compact.chars().filter(|c| *c != '-').collect();
            let hyphen_ok = compact.matches('-').count() == 0
                || (compact.matches('-').count() == 1 && compact.find('-') == Some(3));
            if digits(&plain, 7) && hyphen_ok {
                return Ok(format!("{}-{}", &plain[..3], &plain[3..]));
            }
            Err(format!("{v} is not a Japanese postal code, which has 7 digits written 3-4 (e.g. 160-0023)"))
        }
        "KR" => korean_postal_code(&norm, &v),
        _ => Ok(norm),
    }
}

/// `s` is `n` ASCII digits.
fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// Advice when a code of `n` digits seems to have lost its leading zeros in a spreadsheet.
fn lost_zero(norm: &str, n: usize) -> String {
    if norm.len() < n && !norm.is_empty() && norm.bytes().all(|b| b.is_ascii_digit()) {
        format!(
            " (spreadsheets drop leading zeros: if the code starts with 0, format the column \
             as text and type it again, e.g. {:0>n$})",
            norm
        )
    } else {
        String::new()
    }
}

/// A US ZIP code: 5 digits or 5 + 4.
fn us_zip(norm: &str, v: &str) -> Result<String, String> {
    let compact: String = norm.chars().filter(|c| *c != ' ').collect();
    if digits(&compact, 5) {
        return Ok(compact);
    }
    if digits(&compact, 9) {
        return Ok(format!("{}-{}", &compact[..5], &compact[5..]));
    }
    if let Some((a, b)) = compact.split_once('-')
        && digits(a, 5)
        && digits(b, 4)
    {
        return Ok(compact);
    }
    Err(format!(
        "{v} is not a US ZIP code, which has 5 digits (e.g. 90017) or 5 + 4 digits \
         (e.g. 90017-2571){}",
        lost_zero(norm, 5)
    ))
}

/// A Canadian postal code: A1A 1A1, without the letters Canada Post never uses.
fn canadian_postal_code(norm: &str, v: &str) -> Result<String, String> {
    let compact: Vec<char> = norm.chars().filter(|c| *c != ' ').map(|c| c.to_ascii_uppercase()).collect();
    let shape = compact.len() == 6
        && compact
            .iter()
            .enumerate()
            .all(|(i, c)| if i % 2 == 0 { c.is_ascii_uppercase() } else { c.is_ascii_digit() });
    if !shape {
        return Err(format!(
            "{v} is not a Canadian postal code, which is letter, digit, letter, space, \
             digit, letter, digit (e.g. M5J 2G2)"
        ));
    }
    if compact.iter().any(|c| "DFIOQU".contains(*c)) || "WZ".contains(compact[0]) {
        return Err(format!(
            "{v} is not a Canadian postal code: they never use the letters D, F, I, O, Q \
             or U, nor W or Z first; check for an O typed instead of a zero"
        ));
    }
    let s: String = compact.iter().collect();
    Ok(format!("{} {}", &s[..3], &s[3..]))
}

/// A Korean postal code: 5 digits since 2015.
fn korean_postal_code(norm: &str, v: &str) -> Result<String, String> {
    if digits(norm, 5) {
        return Ok(norm.to_string());
    }
    let plain: String = norm.chars().filter(|c| *c != '-').collect();
    if digits(&plain, 6) {
        return Err(format!(
            "{v} is an old 6-digit Korean postal code; Korea has used 5-digit codes since \
             2015, so look up the new one (e.g. 04524)"
        ));
    }
    Err(format!("{v} is not a Korean postal code, which has 5 digits (e.g. 04524){}", lost_zero(norm, 5)))
}
