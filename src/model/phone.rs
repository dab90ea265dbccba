//! Phone numbers: validation and the national, international and E.164 forms (libphonenumber data).

use phonenumber::{Mode, country};

/// A validated phone number in the forms the contacts pages print.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Phone {
    /// As dialled inside the number's country, e.g. `(888) 373-7888`.
    pub national: String,
    /// As dialled from abroad, e.g. `+1 888-373-7888`.
    pub international: String,
    /// E.164, e.g. `+18883737888` (used for `tel:` links).
    pub e164: String,
}

/// Why a phone number was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneError {
    /// The country code is not one libphonenumber knows.
    UnknownCountry(String),
    /// The text is not a phone number at all.
    Unparsable,
    /// A number, but not one that exists in that country's numbering plan.
    Invalid,
}

/// Parses `text` as dialled in `region` (ISO alpha-2) or in international form (`+…`).
pub fn parse_phone(text: &str, region: &str) -> Result<Phone, PhoneError> {
    let id: country::Id =
        region.to_ascii_uppercase().parse().map_err(|_| PhoneError::UnknownCountry(region.to_string()))?;
    let number = phonenumber::parse(Some(id), text).map_err(|_| PhoneError::Unparsable)?;
    if !number.is_valid() {
        return Err(PhoneError::Invalid);
    }
    let form = |mode| number.format().mode(mode).to_string();
    Ok(Phone { national: form(Mode::National), international: form(Mode::International), e164: form(Mode::E164) })
}

/// A short number dialled only inside its country (`112`, `1366`, `911`): 3 to 6 digits.
pub fn is_short_number(text: &str) -> bool {
    (3..=6).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn us_hotline_forms() {
        let p = parse_phone("1-888-373-7888", "US").unwrap();
        assert_eq!(p.e164, "+18883737888");
        assert_eq!(p.national, "(888) 373-7888");
        assert_eq!(p.international, "+1 888-373-7888");
    }

    #[test]
    fn korean_consular_call_centre() {
        let p = parse_phone("+82-2-3210-0404", "US").unwrap();
        assert_eq!(p.e164, "+82232100404");
        assert_eq!(p.international, "+82 2-3210-0404");
        assert_eq!(p.national, "02-3210-0404");
    }

    #[test]
    fn national_form_uses_region() {
        let p = parse_phone("(09) 379 0818", "NZ").unwrap();
        assert_eq!(p.e164, "+6493790818");
        let p = parse_phone("416-920-3809", "CA").unwrap();
        assert_eq!(p.e164, "+14169203809");
        let p = parse_phone("2888 9911", "MO").unwrap();
        assert_eq!(p.e164, "+85328889911");
    }

    #[test]
    fn refuses_wrong_numbers() {
        assert_eq!(parse_phone("123", "US"), Err(PhoneError::Invalid));
        assert_eq!(parse_phone("call us", "US"), Err(PhoneError::Unparsable));
        assert!(matches!(parse_phone("555 0100", "XX"), Err(PhoneError::UnknownCountry(_))));
    }

    #[test]
    fn short_numbers() {
        assert!(is_short_number("1366"));
        assert!(is_short_number("911"));
        assert!(!is_short_number("91"));
        assert!(!is_short_number("1-366"));
    }
}
