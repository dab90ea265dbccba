//! Tests of contact validation: kinds, ids, numbers, dates.

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
