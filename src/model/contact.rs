//! Contacts as editors write them, and their validated form with QR payloads per channel.

mod id;

pub use super::date::{civil_from_days, days_from_civil};
pub use id::{MAX_DERIVED_ID_CHARS, display_name, is_contact_id, slug_or};
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
    /// Printed on the edition's wallet card (`card = true`; the cards are `editions/cards/`).
    #[serde(default)]
    pub card: bool,
}

/// Longest contact name, in characters, shown in messages (the names printed are limited by
/// [`Limits`]).
pub const MAX_NAME_CHARS: usize = 120;

/// How much text fits its place on a contacts page (`layouts/limits.toml`, `[contact]`): longer
/// text is refused, never clipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Limits {
    /// A name, per language.
    pub name_chars: usize,
    /// An address, hours or languages, per language.
    pub text_chars: usize,
    /// Notes, per language.
    pub notes_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { name_chars: 120, text_chars: 300, notes_chars: 1000 }
    }
}

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
    /// Its stable id (`id`, or made from the name); not printed, but given to the layouts, which
    /// name it in the `<gp-contact>` box they place (the record of what was printed).
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
    /// How much text fits.
    pub limits: Limits,
}

/// Validates contacts, pushing every problem found; returns the ones that are sound.
pub fn validate(defs: &[Spanned<ContactDef>], cx: &Context, problems: &mut Problems) -> Vec<Contact> {
    defs.iter().filter_map(|def| validate_one(def, cx, problems)).collect()
}

/// The problems found in one contact, each prefixed with its name.
struct Found<'a> {
    label: String,
    cx: &'a Context<'a>,
    problems: Vec<Problem>,
}

impl Found<'_> {
    fn report(&mut self, offset: usize, msg: String) {
        let label = &self.label;
        self.problems.push(Problem::at(self.cx.file, self.cx.text, offset, format!("contact \"{label}\": {msg}")));
    }
}

/// A value with a character a reader cannot see is reported where it is by the check of the
/// whole file (`text::find_hidden`), and not read any further here.
fn clean(field: &Option<Spanned<String>>) -> Option<Spanned<String>> {
    field.clone().filter(|v| first_hidden(v.get_ref()).is_none())
}

/// A channel that is not a dialled number.
fn channel(kind: &'static str, text: String, payload: Option<String>) -> Channel {
    Channel { kind, free: false, text, alt: None, payload, qr: None, qr_modules: None }
}

fn validate_one(spanned: &Spanned<ContactDef>, cx: &Context, problems: &mut Problems) -> Option<Contact> {
    let def = spanned.get_ref();
    let mut found = Found { label: display_name(def), cx, problems: Vec::new() };
    if def.name.values().all(|n| n.trim().is_empty()) {
        found.report(spanned.span().start, "the name is empty; give it at least `name.en`".into());
    }
    check_lengths(spanned, &mut found);
    check_id(def, &mut found);
    let country = def.country.as_ref().map_or(cx.default_country.to_string(), |c| c.get_ref().to_ascii_uppercase());
    let mut channels = phone_channels(def, &country, &mut found);
    channels.extend(short_and_sms(def, &country, &mut found));
    channels.extend(email_and_url(def, &mut found));
    if channels.is_empty() && !has_channel_field(def) {
        found.report(
            spanned.span().start,
            "has no way to reach it; give at least one of phone, short, sms, email or url".into(),
        );
    }
    let (verified, status) = verified_status(def, &mut found);
    if !found.problems.is_empty() {
        problems.0.extend(found.problems);
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

/// Text that cannot fit its place on the contacts page is refused, never clipped.
fn check_lengths(spanned: &Spanned<ContactDef>, found: &mut Found) {
    let def = spanned.get_ref();
    let cx = found.cx;
    for (field, map, max) in [
        ("name", &def.name, cx.limits.name_chars),
        ("address", &def.address, cx.limits.text_chars),
        ("hours", &def.hours, cx.limits.text_chars),
        ("languages", &def.languages, cx.limits.text_chars),
        ("notes", &def.notes, cx.limits.notes_chars),
    ] {
        for (lang, text) in map {
            let n = text.chars().count();
            if n > max {
                let offset = cx.text.find(text.as_str()).unwrap_or(spanned.span().start);
                found.report(
                    offset,
                    format!(
                        "`{field}.{lang}` is {n} characters long; at most {max} fit on a contacts page, so shorten it"
                    ),
                );
            }
        }
    }
}

/// An `id` set by hand is a slug.
fn check_id(def: &ContactDef, found: &mut Found) {
    if let Some(id) = &def.id
        && !is_contact_id(id.get_ref())
    {
        found.report(
            id.span().start,
            format!(
                "`id = \"{}\"` must be lower-case letters a to z, digits and single dashes, starting with a letter, e.g. \"{}\"",
                id.get_ref(),
                slug_or(id.get_ref(), "police-non-emergency")
            ),
        );
    }
}

/// Whether an unknown country code is the edition's (reported once, at the edition's `country`).
fn edition_country_unknown(def: &ContactDef, country: &str) -> bool {
    def.country.is_none() && crate::model::country::country_name(country).is_none()
}

/// The `phone` and `emergency-phone` numbers, typed by libphonenumber.
fn phone_channels(def: &ContactDef, country: &str, found: &mut Found) -> Vec<Channel> {
    let mut channels = Vec::new();
    let edition_country_unknown = edition_country_unknown(def, country);
    for (kind, field) in [("phone", clean(&def.phone)), ("emergency-phone", clean(&def.emergency_phone))] {
        if let Some(value) = field {
            match parse_phone(value.get_ref(), country) {
                Ok(p) if matches!(p.cost(), Cost::Refused(_)) => {
                    found.report(value.span().start, cost_message(kind, value.get_ref(), country, &p));
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
                Err(e) => found.report(value.span().start, phone_message(kind, value.get_ref(), country, &e)),
            }
        }
    }
    channels
}

/// The `short` number and the `sms` number (short or full).
fn short_and_sms(def: &ContactDef, country: &str, found: &mut Found) -> Vec<Channel> {
    let mut channels = Vec::new();
    let edition_country_unknown = edition_country_unknown(def, country);
    if let Some(value) = &clean(&def.short) {
        let v = value.get_ref().trim();
        if is_short_number(v) {
            channels.push(channel("short", v.to_string(), None));
        } else {
            found.report(
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
            channels.push(channel("sms", v.to_string(), Some(format!("sms:{v}"))));
        } else {
            match parse_phone(v, country) {
                Ok(p) if matches!(p.cost(), Cost::Refused(_)) => {
                    found.report(value.span().start, cost_message("sms", v, country, &p));
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
                Err(e) => found.report(value.span().start, phone_message("sms", v, country, &e)),
            }
        }
    }
    channels
}

/// The `email` address and the `url`: bare, plain, printed as the QR code encodes them.
fn email_and_url(def: &ContactDef, found: &mut Found) -> Vec<Channel> {
    let mut channels = Vec::new();
    if let Some(value) = &clean(&def.email) {
        let v = value.get_ref().trim();
        let checked = check_email(v);
        if checked.is_ok() {
            channels.push(channel("email", v.to_string(), Some(format!("mailto:{v}"))));
        } else if let Err(why) = checked {
            found.report(value.span().start, format!("`email = \"{v}\"` {why}"));
        }
    }
    if let Some(value) = &clean(&def.url) {
        let v = value.get_ref().trim();
        match check_url(v) {
            Ok(()) => {
                let text = v.trim_start_matches("https://").trim_end_matches('/').to_string();
                channels.push(channel("web", text, Some(v.to_string())));
            }
            Err(why) => found.report(value.span().start, format!("`url = \"{v}\"` {why}")),
        }
    }
    channels
}

/// The `verified` date and what it makes of the contact: verified, stale or unverified.
fn verified_status(def: &ContactDef, found: &mut Found) -> (Option<String>, Status) {
    let cx = found.cx;
    match &def.verified {
        None => (None, Status::Unverified),
        Some(v) => match v.get_ref().date.filter(|_| v.get_ref().time.is_none()) {
            None => {
                found.report(
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
                    found.report(
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
    }
}

fn has_channel_field(def: &ContactDef) -> bool {
    [&def.phone, &def.emergency_phone, &def.short, &def.sms, &def.email, &def.url].iter().any(|f| f.is_some())
}

/// Why a number of this cost cannot be printed, and what to do.
fn cost_message(field: &str, value: &str, country: &str, p: &super::phone::Phone) -> String {
    // A number written as dialled in `country` is named by it (the numbering plan of +1 holds
    // non-geographic numbers libphonenumber files under US).
    let region = if value.trim_start().starts_with('+') { p.region.as_str() } else { country };
    let place = crate::model::country::country_name(region).unwrap_or(region);
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
            let place = crate::model::country::country_name(country).unwrap_or(country);
            format!(
                "`{field} = \"{value}\"` is not a valid phone number in {place} ({country}); write it as dialled in {place}, \
                 or in international form starting with + and the country code (and set `country` if the number belongs to another country)"
            )
        }
    }
}

#[cfg(test)]
mod tests;
