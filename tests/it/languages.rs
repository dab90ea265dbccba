//! A new language is data: `init` and `new edition` with French, Spanish, German, Vietnamese or
//! Tagalog build at once as drafts in the Latin faces, Typst hyphenates French as French, `check`
//! names what a new language still needs, and scripts the fonts cannot draw are refused.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;

use crate::support::{self, guidepress, sample_root, stderr};

/// `init DIR --country CC --languages ko,LANG` from the sample's layouts and fonts.
fn init(dir: &Path, country: &str, langs: &str) -> std::process::Output {
    guidepress(&sample_root(), &["init", dir.to_str().unwrap(), "--country", country, "--languages", langs])
}

/// The fonts a PDF embeds, without their subset prefix.
fn fonts(pdf: &Path) -> BTreeSet<String> {
    let out = Command::new("pdffonts").arg(pdf).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next())
        .map(|n| n.split_once('+').map_or(n, |(_, name)| name))
        .map(|n| n.strip_suffix("-Identity-H").unwrap_or(n).to_string())
        .collect()
}

/// Replaces the chapter of `lang` in a new project with `body` under a title.
fn write_chapter(p: &Path, lang: &str, body: &str) {
    fs::write(p.join(format!("chapters/{lang}/01-introduction.typ")), format!("= Introduction\n\n{body}\n")).unwrap();
}

#[test]
fn latin_languages_build_at_once_as_drafts_in_the_latin_faces() {
    let cases = [
        ("fr", "CA", "Sommaire", "Les victimes coréennes reçoivent une aide à Montréal."),
        ("es", "US", "Índice", "Las víctimas coreanas reciben ayuda en el extranjero: ¿dónde?"),
        ("de", "DE", "Inhalt", "Koreanische Opfer erhalten Hilfe im Ausland; Straße, Größe."),
        ("vi", "VN", "Mục lục", "Nạn nhân người Hàn Quốc được hỗ trợ ở nước ngoài."),
        ("tl", "PH", "Nilalaman", "Tinutulungan ang mga biktimang Koreano sa ibang bansa."),
    ];
    let expected: BTreeSet<String> =
        ["NotoSerifKR-Regular", "Pretendard-Bold", "Pretendard-Regular", "SourceSerif4Roman-Regular"]
            .map(String::from)
            .into();
    for (lang, country, contents, sentence) in cases {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p");
        let out = init(&p, country, &format!("ko,{lang}"));
        assert!(out.status.success(), "{lang}: {}", stderr(&out));
        assert!(stderr(&out).contains(&format!("translate the words of [{lang}]")), "{}", stderr(&out));
        // Straight after init it builds, as a draft.
        let out = guidepress(&p, &["build"]);
        assert!(out.status.success(), "{lang}: {}", stderr(&out));
        // A translator's first word and sentence.
        support::edit(
            &p,
            "layouts/strings.toml",
            "contents = \"Contents\"  # translate",
            &format!("contents = \"{contents}\""),
        );
        write_chapter(&p, lang, sentence);
        let out = guidepress(&p, &["build"]);
        assert!(out.status.success(), "{lang}: {}", stderr(&out));
        let id = country.to_ascii_lowercase();
        let pdf = p.join(format!("out/editions/{id}.pdf"));
        let text = support::pdftotext(&pdf).replace('\n', " ");
        assert!(text.contains(&format!("차례 · {contents}")), "{lang}: {contents}");
        assert!(text.contains(sentence), "{lang}: the chapter's text");
        assert!(text.contains("DRAFT"), "{lang}: words still marked make a draft");
        assert!(text.contains("not translated yet"), "{lang}: the draft box says why");
        let used = fonts(&pdf);
        assert_eq!(used, expected, "{lang}: the Latin faces plus Korean");
        let cards = fonts(&p.join(format!("out/editions/{id}-cards.pdf")));
        assert!(cards.iter().all(|f| f.starts_with("Pretendard")), "{lang}: cards in sans-serif faces: {cards:?}");
    }
}

/// Every word broken across lines in `text` (`adminis-` then `tratives`; Typst's hyphen reads
/// back as a soft hyphen), as (word, break offset).
fn broken_words(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let mut out = Vec::new();
    for pair in lines.windows(2) {
        let Some(head) = pair[0].strip_suffix(['-', '\u{ad}']) else { continue };
        let first = head.rsplit(' ').next().unwrap_or_default();
        let rest: String = pair[1].chars().take_while(|c| c.is_alphabetic()).collect();
        if first.chars().all(char::is_alphabetic) && !first.is_empty() && !rest.is_empty() {
            out.push((format!("{first}{rest}").to_lowercase(), first.chars().count()));
        }
    }
    out
}

/// Where hypher's patterns for `lang` let `word` break (in characters from its start).
fn breaks(word: &str, lang: hypher::Lang) -> BTreeSet<usize> {
    let mut at = 0;
    let mut out = BTreeSet::new();
    for s in hypher::hyphenate(word, lang) {
        at += s.chars().count();
        out.insert(at);
    }
    out
}

#[test]
fn french_is_hyphenated_with_french_patterns() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p");
    assert!(init(&p, "CA", "ko,fr").status.success());
    let sentence = "Les organisations internationales accompagnent systématiquement les victimes \
        particulièrement vulnérables. Les administrations consulaires reconnaissent immédiatement \
        les circonstances exceptionnellement dangereuses. Les professionnels expérimentés documentent \
        méticuleusement les irrégularités administratives constatées. Les interprètes professionnels \
        transmettent fidèlement les témoignages bouleversants.";
    write_chapter(&p, "fr", &[sentence; 6].join("\n\n"));
    let out = guidepress(&p, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = support::pdftotext(&p.join("out/editions/ca.pdf"));
    let broken = broken_words(&text);
    assert!(broken.len() >= 3, "Typst hyphenates the French chapter: {broken:?}");
    let mut not_english = 0;
    for (word, at) in &broken {
        assert!(breaks(word, hypher::Lang::French).contains(at), "{word} broken after {at}: not a French break");
        not_english += usize::from(!breaks(word, hypher::Lang::English).contains(at));
    }
    assert!(not_english > 0, "some break is one English patterns would not make: {broken:?}");
}

fn strings_of(p: &Path) -> String {
    fs::read_to_string(p.join("layouts/strings.toml")).unwrap()
}

#[test]
fn a_new_edition_in_the_sample_says_what_french_needs_then_builds() {
    let dir = support::sample_copy();
    let p = dir.path();
    let out = guidepress(p, &["new", "edition", "qc", "--country", "CA", "--languages", "ko,fr"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written = strings_of(p);
    let fr_words = &written[written.find("\n[fr]\n").unwrap()..];
    assert!(fr_words.contains("contents = \"Contents\"  # translate"), "{fr_words}");
    assert!(!fr_words.contains("callsheet-"), "the call sheet is ko and en only");
    // A word deleted from [fr] is missing, at [fr]'s line, with the English text.
    support::edit(p, "layouts/strings.toml", "contents = \"Contents\"  # translate\n", "");
    support::edit(p, "layouts/strings.toml", "turn = \"Numbers on the back\"  # translate\n", "");
    let strings = strings_of(p);
    let line = |needle: &str| strings.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    let (fr, fr_card) = (line("[fr]"), line("[fr.card]"));
    let out = guidepress(p, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for expected in [
        "error: guidepress.toml:".to_string(),
        "`guide.title` has no `fr` title, which edition `qc` uses".into(),
        "has no `name.fr`; edition `qc` prints every contact in fr".into(),
        "edition `qc` uses language `fr`, but chapters/fr/ does not exist".into(),
        format!(
            "layouts/strings.toml:{fr}:1: [fr] has no `contents`, which edition qc prints in fr; add contents = … translated from the English \"Contents\""
        ),
        format!(
            "layouts/strings.toml:{fr_card}:1: [fr.card] has no `turn`, which edition qc prints in fr; add turn = … translated from the English \"Numbers on the back\""
        ),
    ] {
        assert!(err.contains(&expected), "missing {expected:?} in\n{err}");
    }
    assert!(!p.join("out").exists(), "check writes nothing");
    // The test fills in what check asked for: the words back, a title, names, the chapters.
    let mut strings = fs::read_to_string(p.join("layouts/strings.toml")).unwrap();
    strings = strings.replacen("[fr]\n", "[fr]\ncontents = \"Sommaire\"\n", 1);
    strings = strings.replacen("[fr.card]\n", "[fr.card]\nturn = \"Numéros au verso\"\n", 1);
    fs::write(p.join("layouts/strings.toml"), strings).unwrap();
    let config = fs::read_to_string(p.join("guidepress.toml")).unwrap();
    let mut filled = String::new();
    for l in config.lines() {
        filled.push_str(l);
        filled.push('\n');
        if let Some(rest) = l.strip_prefix("name.en = ") {
            filled.push_str(&format!("name.fr = {rest}\n"));
        }
        if l.starts_with("title.en = ") {
            filled.push_str(
                "title.fr = \"Soutenir les femmes coréennes victimes de prostitution et de traite à l'étranger\"\n",
            );
        }
    }
    fs::write(p.join("guidepress.toml"), filled).unwrap();
    fs::create_dir_all(p.join("chapters/fr")).unwrap();
    for f in fs::read_dir(p.join("chapters/en")).unwrap() {
        let f = f.unwrap();
        fs::copy(f.path(), p.join("chapters/fr").join(f.file_name())).unwrap();
    }
    let out = guidepress(p, &["build", "qc"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = support::pdftotext(&p.join("out/editions/qc.pdf")).replace('\n', " ");
    assert!(
        text.contains("차례 · Sommaire") && text.contains("Soutenir les femmes coréennes"),
        "the French words print"
    );
    // Words still marked: a final build refuses them, naming the file and lines.
    let out = guidepress(p, &["build", "--final", "qc"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("error: layouts/strings.toml:{}:1: ", fr + 2))
            && err.contains("words of [fr] are still marked `# translate` and print in English (lines ")
            && err.contains("so a final build refuses edition qc"),
        "{err}"
    );
}

#[test]
fn scripts_the_fonts_cannot_draw_and_unknown_tags_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (langs, expected) in [
        (
            "ko,zh-Hans",
            "language `zh-Hans` is written in the Simplified Chinese (Han) script, which no font in fonts/ is chosen for; add a Simplified Chinese font such as Noto Sans SC",
        ),
        (
            "ko,th",
            "language `th` is written in the Thai script, which no font in fonts/ is chosen for; add a Thai font",
        ),
        ("ko,ar", "language `ar` is written in the Arabic script, right to left, which the layouts do not support yet"),
        ("ko,French", "`French` is not a BCP 47 language tag"),
        ("ko,xq", "language `xq` is not known to layouts/languages.toml"),
    ] {
        let p = dir.path().join(langs.replace(',', "-"));
        let out = init(&p, "US", langs);
        assert_eq!(out.status.code(), Some(1), "{langs}");
        assert!(stderr(&out).contains(expected), "{langs}: {}", stderr(&out));
        assert!(!p.exists(), "{langs}: nothing written");
    }
    // `new edition` too, and each refused language is named in one run.
    let sample = support::sample_copy();
    let before = fs::read_to_string(sample.path().join("layouts/strings.toml")).unwrap();
    let out = guidepress(sample.path(), &["new", "edition", "th", "--country", "TH", "--languages", "ko,th,zh"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("`th` is written in the Thai")
            && stderr(&out).contains("`zh` is written in the Simplified")
    );
    assert!(!sample.path().join("editions/th.toml").exists());
    assert_eq!(fs::read_to_string(sample.path().join("layouts/strings.toml")).unwrap(), before);
}

#[test]
fn broken_language_data_is_located() {
    let dir = support::sample_copy();
    let p = dir.path();
    support::edit(p, "layouts/strings.toml", "contents = \"차례\"", "contents = \"차례\"\ncontnets = \"차례\"");
    support::edit(p, "editions/nz.toml", "languages = [\"ko\", \"en\"]", "languages = [\"ko\", \"en\", \"th\"]");
    let out = guidepress(p, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let strings = fs::read_to_string(p.join("layouts/strings.toml")).unwrap();
    let line = 1 + strings.lines().position(|l| l.starts_with("contnets")).unwrap();
    let expected =
        format!("error: layouts/strings.toml:{line}:1: [ko] has `contnets`, a word the layouts do not print");
    assert!(err.contains(&expected), "{err}");
    assert!(err.contains("error: editions/nz.toml:") && err.contains("`th` is written in the Thai script"), "{err}");
    // A face that is not in fonts/: named at its place in languages.toml.
    let dir = support::sample_copy();
    let p = dir.path();
    support::edit(
        p,
        "layouts/languages.toml",
        "heading = [\"Pretendard\", \"Source Serif 4\"]",
        "heading = [\"Pretendardo\", \"Source Serif 4\"]",
    );
    let text = fs::read_to_string(p.join("layouts/languages.toml")).unwrap();
    let line = text.lines().position(|l| l.contains("Pretendardo")).unwrap() + 1;
    let out = guidepress(p, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!(
            "error: layouts/languages.toml:{line}:13: the face \"Pretendardo\" is not the family of any font in fonts/"
        )),
        "{}",
        stderr(&out)
    );
}
