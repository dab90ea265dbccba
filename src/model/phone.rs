//! Phone numbers: validation and the national, international and E.164 forms (libphonenumber data).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, OnceLock};

use phonenumber::metadata::{DATABASE, Database, loader};
use phonenumber::{Mode, PhoneNumber, Type, country};

/// A validated phone number in the forms the contacts pages print.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Phone {
    /// As dialled inside the number's country, e.g. `(888) 373-7888`.
    pub national: String,
    /// As dialled from abroad, e.g. `+1 888-373-7888`.
    pub international: String,
    /// E.164, e.g. `+18883737888` (used for `tel:` links).
    pub e164: String,
    /// What libphonenumber says the number is: fixed line, mobile, toll-free, premium-rate …
    pub kind: Type,
    /// The region whose numbering plan the number belongs to (ISO alpha-2), e.g. `US`.
    pub region: String,
}

/// How a caller pays for a call to a number, as far as libphonenumber tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    /// Free for the caller (toll-free, freephone): the layouts mark it.
    Free,
    /// An ordinary number (fixed line, mobile, universal access, VoIP …).
    Ordinary,
    /// A number a contact must not print, with what it is, for the message: premium-rate,
    /// shared-cost, or of no type libphonenumber knows.
    Refused(&'static str),
}

impl Phone {
    /// What calling the number costs, from its libphonenumber type.
    pub fn cost(&self) -> Cost {
        match self.kind {
            Type::TollFree => Cost::Free,
            Type::PremiumRate => Cost::Refused("premium-rate"),
            Type::SharedCost => Cost::Refused("shared-cost"),
            Type::Unknown => Cost::Refused("unknown-type"),
            _ => Cost::Ordinary,
        }
    }
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
///
/// The phonenumber crate's own database takes about 60 ms to set up (it checks the syntax of
/// every pattern of every country), longer than the rest of loading a project. So the number is
/// first read with a database of only the calling codes it can need — its region's and the one
/// after a `+` — set up from the same libphonenumber metadata in a few milliseconds. The result
/// is the same: calling codes are prefix-free, so such a database finds the number's code
/// exactly when the full one finds that code, and it holds every region sharing it. Whatever it
/// cannot read (an international prefix such as `011` before a code it lacks) is read again with
/// the full database.
///
/// Results are remembered for the life of the process: `watch` reloads the project every round,
/// and reading the same numbers again would cost a few milliseconds of each round.
pub fn parse_phone(text: &str, region: &str) -> Result<Phone, PhoneError> {
    type Parsed = std::collections::HashMap<(String, String), Result<Phone, PhoneError>>;
    static PARSED: OnceLock<Mutex<Parsed>> = OnceLock::new();
    let parsed = PARSED.get_or_init(Default::default);
    let key = (text.to_string(), region.to_string());
    if let Some(done) = parsed.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return done.clone();
    }
    let done = read_phone(text, region);
    let mut parsed = parsed.lock().unwrap_or_else(|e| e.into_inner());
    // Bounded: a long session of edits forgets the old numbers now and then.
    if parsed.len() > 4096 {
        parsed.clear();
    }
    parsed.insert(key, done.clone());
    done
}

/// [`parse_phone`] without remembering.
fn read_phone(text: &str, region: &str) -> Result<Phone, PhoneError> {
    let id: country::Id =
        region.to_ascii_uppercase().parse().map_err(|_| PhoneError::UnknownCountry(region.to_string()))?;
    if let Some(db) = calling_codes(text, &region.to_ascii_uppercase()).and_then(|codes| database_for(&codes))
        && let Ok(number) = phonenumber::parse_with(&db, Some(id), text)
    {
        return forms(&db, &number);
    }
    let number = phonenumber::parse_with(&DATABASE, Some(id), text).map_err(|_| PhoneError::Unparsable)?;
    forms(&DATABASE, &number)
}

fn forms(db: &Database, number: &PhoneNumber) -> Result<Phone, PhoneError> {
    if !number.is_valid_with(db) {
        return Err(PhoneError::Invalid);
    }
    let form = |mode| format_number(db, number, mode).ok_or(PhoneError::Invalid);
    Ok(Phone {
        national: form(Mode::National)?,
        international: form(Mode::International)?,
        e164: form(Mode::E164)?,
        kind: number.number_type(db),
        region: number.metadata(db).map(|m| m.id().to_string()).unwrap_or_default(),
    })
}

/// `number` written in `mode` (national, international or E.164) with `db`'s formatting rules.
///
/// The phonenumber crate's formatter does the same, but it sets up the crate's full database
/// even when given another (`unwrap_or(&DATABASE)` in its `Display`); this is its code (0.3.10,
/// Apache-2.0), and a test checks both write every sample number alike.
fn format_number(db: &Database, number: &PhoneNumber, mode: Mode) -> Option<String> {
    use phonenumber::metadata::{Format, Metadata};
    use std::borrow::Cow;

    static FIRST_GROUP: OnceLock<regex::Regex> = OnceLock::new();
    let first_group = FIRST_GROUP.get_or_init(|| regex::Regex::new(r"(\$\d)").expect("a valid pattern"));

    fn pick<'a>(number: &str, formats: &'a [Format]) -> Option<&'a Format> {
        formats.iter().find(|format| {
            let leading = format.leading_digits();
            leading.is_empty()
                || leading.last().and_then(|l| l.find(number)).is_some_and(|m| m.start() == 0)
                    && format.pattern().find(number).is_some_and(|m| m.start() == 0 && m.end() == number.len())
        })
    }
    let replace = |national: &str, meta: &Metadata, format: &Format, transform: Option<&str>, carrier: Option<&str>| {
        let rule: Cow<str> = match transform {
            Some(transform) => {
                let first = first_group.captures(format.format())?.get(1)?.as_str();
                let rule = transform.replace("$NP", meta.national_prefix().unwrap_or(""));
                let rule = rule.replace("$FG", &format!("${first}"));
                let rule = rule.replace("$CC", carrier.unwrap_or(""));
                Cow::Owned(first_group.replace(format.format(), rule.as_str()).into_owned())
            }
            None => Cow::Borrowed(format.format()),
        };
        Some(format.pattern().replace(national, rule.as_ref()).into_owned())
    };

    let code = number.country().code();
    let meta = db.by_code(&code).and_then(|m| m.into_iter().next())?;
    let national = number.national().to_string();
    let formats = if meta.international_formats().is_empty() || mode == Mode::National {
        meta.formats()
    } else {
        meta.international_formats()
    };
    let format = pick(&national, formats);
    let extension = |text: String| match number.extension() {
        Some(ext) => format!("{text}{}{ext}", meta.preferred_extension_prefix().unwrap_or(" ext. ")),
        None => text,
    };
    match mode {
        Mode::E164 => Some(format!("+{code}{national}")),
        Mode::International => {
            let body = match format {
                Some(format) => replace(&national, meta, format, None, None)?,
                None => national.clone(),
            };
            Some(extension(format!("+{code} {body}")))
        }
        Mode::National => {
            let body = match format {
                Some(format) => {
                    let carrier = number.carrier().and_then(|c| format.domestic_carrier().map(|f| (c, f)));
                    if let Some((carrier, rule)) = carrier {
                        replace(&national, meta, format, Some(rule), Some(carrier.as_ref()))?
                    } else if let Some(prefix) = format.national_prefix() {
                        replace(&national, meta, format, Some(prefix), None)?
                    } else {
                        replace(&national, meta, format, None, None)?
                    }
                }
                None => national.clone(),
            };
            Some(extension(body))
        }
        Mode::Rfc3966 => None,
    }
}

/// libphonenumber's metadata, the version the phonenumber crate embeds (`assets/libphonenumber`;
/// a test checks the versions agree).
const METADATA_XML: &str = include_str!("../../assets/libphonenumber/PhoneNumberMetadata.xml");

/// Every region's metadata, read once (a few milliseconds); empty if it cannot be read, and then
/// every number goes to the full database.
fn metadata() -> &'static [loader::Metadata] {
    static METADATA: OnceLock<Vec<loader::Metadata>> = OnceLock::new();
    METADATA.get_or_init(|| loader::load(std::io::Cursor::new(METADATA_XML)).unwrap_or_default())
}

/// The calling codes reading `text` in `region` can need: the region's, and the code after a
/// `+` if there is one. `None` when the region is not in the metadata.
fn calling_codes(text: &str, region: &str) -> Option<BTreeSet<u16>> {
    let meta = metadata();
    let own = meta.iter().find(|m| m.id.as_deref() == Some(region))?.country_code?;
    let mut codes = BTreeSet::from([own]);
    if let Some((_, after)) = text.split_once('+') {
        let digits: String = after.chars().filter(char::is_ascii_digit).take(3).collect();
        let code = (1..=digits.len())
            .filter_map(|n| digits[..n].parse::<u16>().ok())
            .find(|c| meta.iter().any(|m| m.country_code == Some(*c)));
        codes.extend(code);
    }
    Some(codes)
}

/// A database of the regions of `codes`, set up once per set of codes (one that holds more
/// codes serves too).
fn database_for(codes: &BTreeSet<u16>) -> Option<Arc<Database>> {
    static DATABASES: Mutex<Vec<(BTreeSet<u16>, Arc<Database>)>> = Mutex::new(Vec::new());
    let mut databases = DATABASES.lock().ok()?;
    if let Some((_, db)) = databases.iter().find(|(held, _)| held.is_superset(codes)) {
        return Some(db.clone());
    }
    let regions: Vec<loader::Metadata> =
        metadata().iter().filter(|m| m.country_code.is_some_and(|c| codes.contains(&c))).cloned().collect();
    let db = Arc::new(Database::from(regions).ok()?);
    databases.push((codes.clone(), db.clone()));
    Some(db)
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

    /// What the phonenumber crate itself answers, with its full database and its formatter.
    fn crate_answer(text: &str, region: &str) -> Result<Phone, PhoneError> {
        let id: country::Id =
            region.to_ascii_uppercase().parse().map_err(|_| PhoneError::UnknownCountry(region.to_string()))?;
        let number = phonenumber::parse(Some(id), text).map_err(|_| PhoneError::Unparsable)?;
        if !number.is_valid() {
            return Err(PhoneError::Invalid);
        }
        let form = |mode| number.format().mode(mode).to_string();
        Ok(Phone {
            national: form(Mode::National),
            international: form(Mode::International),
            e164: form(Mode::E164),
            kind: number.number_type(&DATABASE),
            region: number.metadata(&DATABASE).map(|m| m.id().to_string()).unwrap_or_default(),
        })
    }

    /// The sample's numbers and many others (national and international forms, international
    /// prefixes, extensions, carrier codes, `tel:` forms, wrong numbers) in many regions read the
    /// same with the small databases as with the crate's full one.
    #[test]
    fn small_databases_read_numbers_as_the_full_one_does() {
        let numbers: &[(&str, &[&str])] = &[
            (
                "US",
                &[
                    "1-888-373-7888",
                    "(202) 939-5600",
                    "1-866-347-2423",
                    "+82-2-3210-0404",
                    "011 82 2 3210 0404",
                    "+1 202 939 5600 ext. 12",
                    "202-939-5600 x 7",
                    "+852 2529 4141",
                    "+44 20 7946 0958",
                    "+64 9 379 0818",
                    "tel:+1-202-939-5600",
                    "555-0100",
                    "1-800-FLOWERS",
                    "+1 684 633 1234",
                    "+1 876 927 1234",
                    "123",
                ],
            ),
            ("CA", &["416-920-3809", "416-994-4490", "1-833-900-1010", "+1 604 555 1234", "+82 2 3210 0404"]),
            (
                "KR",
                &[
                    "+82-2-3210-0404",
                    "1600-8248",
                    "02-3210-0404",
                    "010-1234-5678",
                    "001-1-202-939-5600",
                    "00700 1 202 939 5600",
                    "031-123-4567",
                    "080-123-4567",
                    "+1 888 373 7888",
                    "1366",
                ],
            ),
            (
                "AU",
                &[
                    "(02) 9210 0200",
                    "(02) 9210 0234",
                    "+61-3-9533-3800",
                    "131 237",
                    "0011 82 2 3210 0404",
                    "0412 345 678",
                    "1800 123 456",
                    "+852 9731 0092",
                ],
            ),
            (
                "NZ",
                &[
                    "(09) 379 0818",
                    "0800 555 111",
                    "0800 20 00 88",
                    "03-331 6005",
                    "033316005",
                    "tel:03-331-6005;phone-context=+64",
                    "00 82 2 3210 0404",
                    "021 123 4567",
                ],
            ),
            ("MO", &["2888 9911", "+853 2835 2222", "6612 3456", "+82 2 3210 0404"]),
            ("HK", &["+852 2529 4141", "+852 9731 0092", "2529 4141"]),
            (
                "JP",
                &[
                    "03-3501-0110",
                    "03-3595-2487",
                    "090-1234-5678",
                    "0120-123-456",
                    "010 82 2 3210 0404",
                    "+81 3 3501 0110",
                ],
            ),
            ("GB", &["020 7946 0958", "+44 7700 900123", "0800 123 4567"]),
            ("DE", &["030 123456", "+49 30 1234567", "0170 1234567"]),
            ("FR", &["01 23 45 67 89", "+33 6 12 34 56 78"]),
            ("AR", &["011 15-2345-6789", "+54 9 11 2345 6789", "0341 123-4567"]),
            ("BR", &["(11) 91234-5678", "0 21 11 2345 6789", "+55 11 3456 7890"]),
            ("CO", &["601 2345678", "+57 321 1234567"]),
            ("MX", &["55 1234 5678", "+52 1 55 1234 5678"]),
            ("IN", &["011 2345 6789", "+91 98765 43210"]),
            ("CN", &["010 1234 5678", "+86 138 0013 8000"]),
            ("TW", &["02 2345 6789", "+886 912 345 678"]),
            ("PH", &["02 8123 4567", "+63 917 123 4567"]),
            ("TH", &["02 123 4567", "+66 81 234 5678"]),
            ("VN", &["024 3825 1234", "+84 91 234 56 78"]),
            ("RU", &["8 495 123-45-67", "+7 912 345-67-89"]),
            ("IT", &["06 1234 5678", "+39 312 345 6789"]),
            ("SG", &["6123 4567", "+65 9123 4567"]),
            ("ZA", &["021 123 4567", "+27 82 123 4567"]),
        ];
        let mut compared = 0;
        for (region, texts) in numbers {
            for text in *texts {
                assert_eq!(parse_phone(text, region), crate_answer(text, region), "{text} in {region}");
                compared += 1;
            }
        }
        assert!(compared > 90);
        // Most of them need no fallback: the sample's numbers never do.
        for (region, text) in [("US", "1-888-373-7888"), ("NZ", "0800 555 111"), ("KR", "+82-2-3210-0404")] {
            let codes = calling_codes(text, region).unwrap();
            let db = database_for(&codes).unwrap();
            let id: country::Id = region.parse().unwrap();
            assert!(phonenumber::parse_with(&db, Some(id), text).is_ok(), "{text}");
        }
    }

    /// The metadata copied into assets/ is the one the phonenumber crate in Cargo.lock embeds.
    #[test]
    fn copied_metadata_is_the_crates_version() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
        let at = lock.find("name = \"phonenumber\"").expect("phonenumber in Cargo.lock");
        let version = lock[at..].lines().nth(1).unwrap().trim().trim_start_matches("version = ").trim_matches('"');
        let copied = std::fs::read_to_string(root.join("assets/libphonenumber/VERSION")).unwrap();
        assert_eq!(
            version.split_once('+').map(|(_, v)| v),
            Some(copied.trim()),
            "Cargo.lock has phonenumber {version}: copy its assets/PhoneNumberMetadata.xml to assets/libphonenumber/ and \
             update VERSION"
        );
        assert_eq!(metadata().len(), 254, "regions read from the copied metadata");
    }

    #[test]
    fn number_types_give_the_cost_of_a_call() {
        let cost = |text: &str, region: &str| parse_phone(text, region).map(|p| (p.kind, p.cost()));
        // Premium-rate and shared-cost numbers are refused on a contact.
        assert_eq!(cost("1900 654 321", "AU"), Ok((Type::PremiumRate, Cost::Refused("premium-rate"))));
        assert_eq!(cost("0906 123 4567", "GB"), Ok((Type::PremiumRate, Cost::Refused("premium-rate"))));
        assert_eq!(cost("131 237", "AU"), Ok((Type::SharedCost, Cost::Refused("shared-cost"))));
        assert_eq!(cost("1300 123 456", "AU"), Ok((Type::SharedCost, Cost::Refused("shared-cost"))));
        // Toll-free numbers are free calls.
        assert_eq!(cost("1-888-373-7888", "US"), Ok((Type::TollFree, Cost::Free)));
        assert_eq!(cost("1-833-900-1010", "CA"), Ok((Type::TollFree, Cost::Free)));
        assert_eq!(cost("0800 555 111", "NZ"), Ok((Type::TollFree, Cost::Free)));
        assert_eq!(cost("1800 123 456", "AU"), Ok((Type::TollFree, Cost::Free)));
        assert_eq!(cost("0120-123-456", "JP"), Ok((Type::TollFree, Cost::Free)));
        // Korean 1600- and 1577- numbers are universal access numbers: ordinary ones.
        assert_eq!(cost("1600-8248", "KR"), Ok((Type::Uan, Cost::Ordinary)));
        assert_eq!(cost("1577-1366", "KR"), Ok((Type::Uan, Cost::Ordinary)));
        assert_eq!(cost("(202) 939-5600", "US"), Ok((Type::FixedLineOrMobile, Cost::Ordinary)));
        assert_eq!(cost("+852 9731 0092", "MO").map(|(_, c)| c), Ok(Cost::Ordinary));
        assert_eq!(parse_phone("+852 9731 0092", "MO").unwrap().region, "HK");
    }

    #[test]
    fn short_numbers() {
        assert!(is_short_number("1366"));
        assert!(is_short_number("911"));
        assert!(!is_short_number("91"));
        assert!(!is_short_number("1-366"));
    }
}
