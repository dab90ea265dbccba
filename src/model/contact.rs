//! Contacts as editors write them, and their validated form with QR payloads per channel.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::LangMap;
use super::phone::{Cost, PhoneError, is_short_number, parse_phone};
use super::text::first_hidden;
use super::web::{check_email, check_url};
use crate::diag::{Location, Problem, Problems};

/// What kind of place a contact is; the contacts pages group by it, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Police and emergency numbers.
    Emergency,
    /// Police reporting lines.
    Police,
    /// National anti-trafficking hotlines.
    Hotline,
    /// Non-governmental support organisations.
    Ngo,
    /// Korean embassies.
    Embassy,
    /// Korean consulates.
    Consulate,
    /// Counselling in Korea reachable from abroad.
    KoreaCounselling,
}

impl Kind {
    /// The word editors write for it (`korea-counselling`).
    pub fn word(self) -> &'static str {
        match self {
            Kind::Emergency => "emergency",
            Kind::Police => "police",
            Kind::Hotline => "hotline",
            Kind::Ngo => "ngo",
            Kind::Embassy => "embassy",
            Kind::Consulate => "consulate",
            Kind::KoreaCounselling => "korea-counselling",
        }
    }
}

/// A contact as written in `guidepress.toml` or `editions/<id>.toml` (`[[contact]]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ContactDef {
    /// A stable id for `guidepress contacts verify` (default: made from the name, see [`ContactDef::id`]).
    pub id: Option<Spanned<String>>,
    /// What kind of contact this is.
    pub kind: Kind,
    /// Name per language.
    pub name: LangMap,
    /// Country whose numbering plan national numbers follow (default: the edition's; `KR` in guidepress.toml).
    pub country: Option<Spanned<String>>,
    /// Main phone number.
    pub phone: Option<Spanned<String>>,
    /// After-hours or 24-hour emergency number.
    pub emergency_phone: Option<Spanned<String>>,
    /// A short number dialled only inside its country (112, 1366, 911).
    pub short: Option<Spanned<String>>,
    /// Number or short code for text messages.
    pub sms: Option<Spanned<String>>,
    /// E-mail address.
    pub email: Option<Spanned<String>>,
    /// Web address (https).
    pub url: Option<Spanned<String>>,
    /// Postal or street address per language.
    #[serde(default)]
    pub address: LangMap,
    /// Opening hours per language.
    #[serde(default)]
    pub hours: LangMap,
    /// Languages spoken, per language of the guide.
    #[serde(default)]
    pub languages: LangMap,
    /// Notes per language.
    #[serde(default)]
    pub notes: LangMap,
    /// The date someone last confirmed these details (YYYY-MM-DD).
    pub verified: Option<Spanned<toml::value::Datetime>>,
    /// Where the details were confirmed (not printed).
    pub source: Option<String>,
    /// Printed on the edition's wallet card (`card = true`; see `crate::cards`).
    #[serde(default)]
    pub card: bool,
}

/// Longest contact name, in characters, that fits on a contacts page (two lines of A5).
pub const MAX_NAME_CHARS: usize = 120;
/// Longest address, hours or languages text, in characters.
pub const MAX_TEXT_CHARS: usize = 300;
/// Longest notes text, in characters.
pub const MAX_NOTES_CHARS: usize = 1000;

/// Whether a contact's details can be trusted for print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Confirmed recently enough.
    Verified,
    /// Never confirmed.
    Unverified,
    /// Confirmed longer ago than the guide allows.
    Stale,
}

/// One way to reach a contact, as the layouts print it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Channel {
    /// `phone`, `emergency-phone`, `short`, `sms`, `email` or `web`.
    pub kind: &'static str,
    /// A call to it is free for the caller (a toll-free number): the layouts mark it.
    pub free: bool,
    /// The main printed text (national form for phones).
    pub text: String,
    /// A second printed form (the international form of a phone), if any.
    pub alt: Option<String>,
    /// The QR code payload (`tel:+…`, `sms:…`, `mailto:…`, `https:…`), if the channel has a code.
    pub payload: Option<String>,
    /// The virtual path of the QR code's module matrix (JSON), filled in when the edition is typeset.
    pub qr: Option<String>,
    /// Modules across the QR code including its 4-module quiet zones (layouts size codes by it).
    pub qr_modules: Option<usize>,
}

/// A validated contact, ready for the layouts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contact {
    /// What kind of contact this is.
    pub kind: Kind,
    /// Name per language.
    pub name: LangMap,
    /// Ways to reach it, in print order.
    pub channels: Vec<Channel>,
    /// Address per language.
    pub address: LangMap,
    /// Hours per language.
    pub hours: LangMap,
    /// Languages spoken.
    pub languages: LangMap,
    /// Notes per language.
    pub notes: LangMap,
    /// Last confirmation date, `YYYY-MM-DD`.
    pub verified: Option<String>,
    /// Verified, unverified or stale.
    pub status: Status,
    /// Where the contact is written (its `[[contact]]` table), for messages.
    #[serde(skip)]
    pub origin: Location,
    /// Its stable id (`id`, or made from the name); not printed.
    #[serde(skip)]
    pub id: String,
    /// Where the details were confirmed; not printed.
    #[serde(skip)]
    pub source: Option<String>,
    /// Marked `card = true`: printed on the edition's wallet card.
    pub card: bool,
}

/// What validation needs to know besides the contact itself.
pub struct Context<'a> {
    /// File the contacts come from, relative to the project root.
    pub file: &'a str,
    /// The file's text, to turn byte offsets into lines.
    pub text: &'a str,
    /// Country for national numbers when the contact names none.
    pub default_country: &'a str,
    /// The guide's date, `YYYY-MM-DD`, as printed in messages.
    pub guide_date: &'a str,
    /// The guide's date as days since 1970-01-01.
    pub guide_day: i64,
    /// Contacts confirmed more than this many days before the guide's date are stale.
    pub stale_after_days: i64,
}

/// Validates contacts, pushing every problem found; returns the ones that are sound.
pub fn validate(defs: &[Spanned<ContactDef>], cx: &Context, problems: &mut Problems) -> Vec<Contact> {
    defs.iter().filter_map(|def| validate_one(def, cx, problems)).collect()
}

fn validate_one(spanned: &Spanned<ContactDef>, cx: &Context, problems: &mut Problems) -> Option<Contact> {
    let def = spanned.get_ref();
    let label = display_name(def);
    let mut found: Vec<Problem> = Vec::new();
    let mut report = |offset: usize, msg: String| {
        found.push(Problem::at(cx.file, cx.text, offset, format!("contact \"{label}\": {msg}")));
    };
    if def.name.values().all(|n| n.trim().is_empty()) {
        report(spanned.span().start, "the name is empty; give it at least `name.en`".into());
    }
    // Text that cannot fit its place on the contacts page is refused, never clipped.
    for (field, map, max) in [
        ("name", &def.name, MAX_NAME_CHARS),
        ("address", &def.address, MAX_TEXT_CHARS),
        ("hours", &def.hours, MAX_TEXT_CHARS),
        ("languages", &def.languages, MAX_TEXT_CHARS),
        ("notes", &def.notes, MAX_NOTES_CHARS),
    ] {
        for (lang, text) in map {
            let n = text.chars().count();
            if n > max {
                let offset = cx.text.find(text.as_str()).unwrap_or(spanned.span().start);
                report(
                    offset,
                    format!(
                        "`{field}.{lang}` is {n} characters long; at most {max} fit on a contacts page, so shorten it"
                    ),
                );
            }
        }
    }
    if let Some(id) = &def.id
        && !is_contact_id(id.get_ref())
    {
        report(
            id.span().start,
            format!(
                "`id = \"{}\"` must be lower-case letters a to z, digits and single dashes, starting with a letter, e.g. \"{}\"",
                id.get_ref(),
                slug_or(id.get_ref(), "police-non-emergency")
            ),
        );
    }
    let country = def.country.as_ref().map_or(cx.default_country.to_string(), |c| c.get_ref().to_ascii_uppercase());
    let edition_country_unknown = def.country.is_none() && crate::ship::country::country_name(&country).is_none();
    let mut channels = Vec::new();
    // A value with a character a reader cannot see is reported where it is by the check of the
    // whole file (`text::find_hidden`), and not read any further here.
    let clean = |field: &Option<Spanned<String>>| field.clone().filter(|v| first_hidden(v.get_ref()).is_none());
    for (kind, field) in [("phone", clean(&def.phone)), ("emergency-phone", clean(&def.emergency_phone))] {
        if let Some(value) = field {
            match parse_phone(value.get_ref(), &country) {
                Ok(p) if matches!(p.cost(), Cost::Refused(_)) => {
                    report(value.span().start, cost_message(kind, value.get_ref(), &country, &p));
                }
                Ok(p) => channels.push(Channel {
                    kind,
                    free: p.cost() == Cost::Free,
                    text: p.national,
                    alt: Some(p.international),
                    payload: Some(format!("tel:{}", p.e164)),
                    qr: None,
                    qr_modules: None,
                }),
                // An edition's unknown country code is reported once, at the edition's `country`.
                Err(PhoneError::UnknownCountry(_)) if edition_country_unknown => {}
                Err(e) => report(value.span().start, phone_message(kind, value.get_ref(), &country, &e)),
            }
        }
    }
    if let Some(value) = &clean(&def.short) {
        let v = value.get_ref().trim();
        if is_short_number(v) {
            channels.push(Channel {
                kind: "short",
                free: false,
                text: v.to_string(),
                alt: None,
                payload: None,
                qr: None,
                qr_modules: None,
            });
        } else {
            report(
                value.span().start,
                format!(
                    "`short = \"{v}\"` must be a short number of 3 to 6 digits (like 112 or 1366); put longer numbers in `phone`"
                ),
            );
        }
    }
    if let Some(value) = &clean(&def.sms) {
        let v = value.get_ref().trim();
        if is_short_number(v) || (v.len() <= 8 && v.bytes().all(|b| b.is_ascii_digit()) && v.len() >= 3) {
            channels.push(Channel {
                kind: "sms",
                free: false,
                text: v.to_string(),
                alt: None,
                payload: Some(format!("sms:{v}")),
                qr: None,
                qr_modules: None,
            });
        } else {
            match parse_phone(v, &country) {
                Ok(p) if matches!(p.cost(), Cost::Refused(_)) => {
                    report(value.span().start, cost_message("sms", v, &country, &p));
                }
                Ok(p) => channels.push(Channel {
                    kind: "sms",
                    free: false,
                    text: p.national,
                    alt: Some(p.international),
                    payload: Some(format!("sms:{}", p.e164)),
                    qr: None,
                    qr_modules: None,
                }),
                Err(PhoneError::UnknownCountry(_)) if edition_country_unknown => {}
                Err(e) => report(value.span().start, phone_message("sms", v, &country, &e)),
            }
        }
    }
    if let Some(value) = &clean(&def.email) {
        let v = value.get_ref().trim();
        let checked = check_email(v);
        if checked.is_ok() {
            channels.push(Channel {
                kind: "email",
                free: false,
                text: v.to_string(),
                alt: None,
                payload: Some(format!("mailto:{v}")),
                qr: None,
                qr_modules: None,
            });
        } else if let Err(why) = checked {
            report(value.span().start, format!("`email = \"{v}\"` {why}"));
        }
    }
    if let Some(value) = &clean(&def.url) {
        let v = value.get_ref().trim();
        match check_url(v) {
            Ok(()) => {
                let text = v.trim_start_matches("https://").trim_end_matches('/').to_string();
                channels.push(Channel {
                    kind: "web",
                    free: false,
                    text,
                    alt: None,
                    payload: Some(v.to_string()),
                    qr: None,
                    qr_modules: None,
                });
            }
            Err(why) => report(value.span().start, format!("`url = \"{v}\"` {why}")),
        }
    }
    if channels.is_empty() && !has_channel_field(def) {
        report(
            spanned.span().start,
            "has no way to reach it; give at least one of phone, short, sms, email or url".into(),
        );
    }
    let (verified, status) = match &def.verified {
        None => (None, Status::Unverified),
        Some(v) => match v.get_ref().date.filter(|_| v.get_ref().time.is_none()) {
            None => {
                report(
                    v.span().start,
                    format!(
                        "`verified = {}` must be a date without a time, like 2026-11-02; delete the time",
                        v.get_ref()
                    ),
                );
                (None, Status::Unverified)
            }
            Some(d) => {
                let day = days_from_civil(i64::from(d.year), u32::from(d.month), u32::from(d.day));
                if day > cx.guide_day {
                    report(
                        v.span().start,
                        format!(
                            "`verified = {d}` is after the guide's date ({}); write the day someone really confirmed these details",
                            cx.guide_date
                        ),
                    );
                }
                let status = if cx.guide_day - day > cx.stale_after_days { Status::Stale } else { Status::Verified };
                (Some(d.to_string()), status)
            }
        },
    };
    if !found.is_empty() {
        problems.0.extend(found);
        return None;
    }
    Some(Contact {
        kind: def.kind,
        name: def.name.clone(),
        channels,
        address: def.address.clone(),
        hours: def.hours.clone(),
        languages: def.languages.clone(),
        notes: def.notes.clone(),
        verified,
        status,
        origin: Location::at(cx.file, cx.text, spanned.span().start),
        id: def.id(),
        source: def.source.clone(),
        card: def.card,
    })
}

/// Longest id made from a name, in characters (cut at a dash).
pub const MAX_DERIVED_ID_CHARS: usize = 40;

impl ContactDef {
    /// The contact's stable id: `id` when set; else its English name (else the name in the
    /// first language, in code order) as a slug (see [`slug_or`]), e.g.
    /// `national-human-trafficking-hotline`; else, for a name without Latin letters, its kind
    /// (`emergency`).
    pub fn id(&self) -> String {
        if let Some(id) = &self.id {
            return id.get_ref().clone();
        }
        let name = self.name.get("en").or_else(|| self.name.values().next()).map_or("", String::as_str);
        slug_or(name, self.kind.word())
    }
}

/// Short words left out of ids made from names.
const ID_STOP_WORDS: [&str; 10] = ["a", "an", "and", "at", "for", "in", "of", "on", "the", "to"];

/// `text` as a lower-case ASCII slug (its letters and digits, words joined by single dashes,
/// apostrophes and the words of [`ID_STOP_WORDS`] left out, at most [`MAX_DERIVED_ID_CHARS`]
/// characters, cut between words); `fallback` when that has no Latin letter.
pub fn slug_or(text: &str, fallback: &str) -> String {
    let mut slug = String::new();
    let text = text.replace(['\'', '\u{2019}'], "").to_ascii_lowercase();
    let words = text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty());
    for word in words.filter(|w| !ID_STOP_WORDS.contains(w)) {
        if !slug.is_empty() && slug.len() + 1 + word.len() > MAX_DERIVED_ID_CHARS {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.extend(word.chars().take(MAX_DERIVED_ID_CHARS));
    }
    if is_contact_id(&slug) { slug } else { fallback.to_string() }
}

/// True for a contact id: lower-case ASCII letters, digits and single dashes, starting with a letter.
pub fn is_contact_id(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && !id.ends_with('-')
        && !id.contains("--")
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn has_channel_field(def: &ContactDef) -> bool {
    [&def.phone, &def.emergency_phone, &def.short, &def.sms, &def.email, &def.url].iter().any(|f| f.is_some())
}

/// The contact's name for messages: English if it has one, else the first language's.
pub fn display_name(def: &ContactDef) -> String {
    let names = &def.name;
    let name = names.get("en").or_else(|| names.values().next()).cloned().unwrap_or_default();
    // Names within the limit are shown whole; a runaway one is cut so the message stays readable.
    let name = super::text::visible(&name);
    if name.chars().count() > MAX_NAME_CHARS { name.chars().take(60).chain("…".chars()).collect() } else { name }
}

/// Why a number of this cost cannot be printed, and what to do.
fn cost_message(field: &str, value: &str, country: &str, p: &super::phone::Phone) -> String {
    // A number written as dialled in `country` is named by it (the numbering plan of +1 holds
    // non-geographic numbers libphonenumber files under US).
    let region = if value.trim_start().starts_with('+') { p.region.as_str() } else { country };
    let place = crate::ship::country::country_name(region).unwrap_or(region);
    match p.cost() {
        Cost::Refused("unknown-type") => format!(
            "`{field} = \"{value}\"` is a number of unknown type in {place} ({region}): libphonenumber cannot tell \
             what kind of line it is, so a caller cannot know what the call costs; check the number with the \
             organisation and print a fixed-line, mobile or toll-free number"
        ),
        Cost::Refused(what) => {
            let cost = if what == "premium-rate" {
                "a call costs the caller more than an ordinary call"
            } else {
                "the caller pays part of the cost of the call"
            };
            format!(
                "`{field} = \"{value}\"` is a {what} number in {place} ({region}) (so says libphonenumber): {cost}, \
                 and such numbers often cannot be dialled from abroad or from every phone; print the \
                 organisation's ordinary (fixed-line, mobile or toll-free) number instead"
            )
        }
        Cost::Free | Cost::Ordinary => String::new(),
    }
}

fn phone_message(field: &str, value: &str, country: &str, e: &PhoneError) -> String {
    match e {
        PhoneError::UnknownCountry(c) => {
            format!(
                "`{field} = \"{value}\"`: `{c}` is not a country code; set `country` to a two-letter code such as KR or US"
            )
        }
        PhoneError::Unparsable | PhoneError::Invalid => {
            let place = crate::ship::country::country_name(country).unwrap_or(country);
            format!(
                "`{field} = \"{value}\"` is not a valid phone number in {place} ({country}); write it as dialled in {place}, \
                 or in international form starting with + and the country code (and set `country` if the number belongs to another country)"
            )
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date `(year, month, day)` of a day number since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_words_are_the_toml_words() {
        for kind in [
            Kind::Emergency,
            Kind::Police,
            Kind::Hotline,
            Kind::Ngo,
            Kind::Embassy,
            Kind::Consulate,
            Kind::KoreaCounselling,
        ] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.word());
        }
    }

    #[test]
    fn ids_from_names() {
        assert_eq!(slug_or("National Human Trafficking Hotline", "hotline"), "national-human-trafficking-hotline");
        assert_eq!(slug_or("Migrant exploitation line (MBIE)", "hotline"), "migrant-exploitation-line-mbie");
        assert_eq!(
            slug_or("Consular Call Center, Ministry of Foreign Affairs of Korea", "x"),
            "consular-call-center-ministry-foreign"
        );
        assert_eq!(
            slug_or("Consulate General of the Republic of Korea in Sydney", "x"),
            "consulate-general-republic-korea-sydney"
        );
        assert_eq!(slug_or("警察（緊急）", "emergency"), "emergency");
        assert_eq!(slug_or("警視庁 英語による通報（24時間）", "police"), "police", "digits alone are no id");
        assert_eq!(slug_or("国際移住機関（IOM）駐日事務所", "ngo"), "iom");
        assert_eq!(slug_or("Women's Emergency Line 1366", "x"), "womens-emergency-line-1366");
        assert!(is_contact_id("nz-police-105"));
        assert!(!is_contact_id("NZ-police") && !is_contact_id("-a") && !is_contact_id("a--b") && !is_contact_id("1a"));
    }

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2026, 11, 29) - days_from_civil(2025, 11, 29), 365);
        for day in [-1, 0, 59, 11_017, 20_000, 20_786, 100_000] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
    }
}
