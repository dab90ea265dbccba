//! Which writing system a line of text is in, so the layouts can pick the right face for it.
//!
//! Typst draws each character with the first font in the list that has it, so Han characters
//! come out with Korean, Japanese or Chinese shapes depending on the order. We decide per line,
//! here in Rust, and hand the layout a hint; the layout maps the hint to a font list.

use serde::Serialize;

/// The script hint of one line of text, as the layouts see it (`"latin"`, `"ko"`, `"ja"`, `"zh-Hant"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Script {
    /// Latin or anything without East Asian characters.
    #[serde(rename = "latin")]
    Latin,
    /// Contains Hangul: a Korean face first.
    #[serde(rename = "ko")]
    Korean,
    /// Contains kana, or Han in a Japanese context: a Japanese face first.
    #[serde(rename = "ja")]
    Japanese,
    /// Han without kana or Hangul: a Traditional Chinese face first.
    #[serde(rename = "zh-Hant")]
    TraditionalChinese,
}

fn is_hangul(c: char) -> bool {
    matches!(c, '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}' | '\u{A960}'..='\u{A97F}' | '\u{AC00}'..='\u{D7AF}' | '\u{D7B0}'..='\u{D7FF}')
}

fn is_kana(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9F}')
}

fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}'
        | '\u{3005}' | '\u{3007}' | '\u{3021}'..='\u{3029}')
}

/// The script of one line of text.
///
/// Hangul → Korean; kana → Japanese; Han without Hangul or kana → Japanese when `japanese_context`
/// (the rest of the address has kana, or it goes to Japan), otherwise Traditional Chinese (so a
/// Macao address is never drawn with Japanese or Korean Han forms); anything else → Latin.
pub fn script_of(text: &str, japanese_context: bool) -> Script {
    let (mut hangul, mut kana, mut han) = (false, false, false);
    for c in text.chars() {
        hangul |= is_hangul(c);
        kana |= is_kana(c);
        han |= is_han(c);
    }
    if hangul {
        Script::Korean
    } else if kana {
        Script::Japanese
    } else if han {
        if japanese_context { Script::Japanese } else { Script::TraditionalChinese }
    } else {
        Script::Latin
    }
}

/// Whether an address (all its parts) should draw Han-only lines with Japanese forms: it has
/// kana somewhere, or it goes to Japan.
pub fn japanese_context<'a>(parts: impl IntoIterator<Item = &'a str>, country: &str) -> bool {
    country.eq_ignore_ascii_case("JP") || parts.into_iter().any(|p| p.chars().any(is_kana))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_face_for_each_script() {
        assert_eq!(script_of("1450 W 7th St", false), Script::Latin);
        assert_eq!(script_of("Montréal QC H2L 2H5", false), Script::Latin);
        assert_eq!(script_of("율곡로 75", false), Script::Korean);
        assert_eq!(script_of("서울特別市", false), Script::Korean);
        assert_eq!(script_of("みなと女性相談センター", false), Script::Japanese);
        assert_eq!(script_of("新宿区", true), Script::Japanese);
        assert_eq!(script_of("新馬路 123號", false), Script::TraditionalChinese);
        assert_eq!(script_of("澳門", false), Script::TraditionalChinese);
        assert_eq!(script_of("", false), Script::Latin);
    }

    #[test]
    fn japanese_context_comes_from_kana_or_the_country() {
        assert!(japanese_context(["新宿区"], "jp"));
        assert!(japanese_context(["新宿区", "みなと"], "US"));
        assert!(!japanese_context(["新馬路 123號", "澳門"], "MO"));
    }
}
