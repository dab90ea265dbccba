//! Bad input: each test breaks a copy of the sample project in one way and pins the exact error
//! text an editor would see (the way mdBook pins its config errors), plus exit codes and the
//! promise that a failed run writes nothing.

use crate::support::{self, guidepress, stderr};

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::{edit, sample_copy};
use guidepress::model::contact::Status;
use guidepress::project::Project;

/// Loads a project that must fail and returns the full error text, as `guidepress` prints it.
fn problems(root: &Path) -> String {
    match Project::load(root) {
        Ok(_) => panic!("the project loaded, but a problem was expected"),
        Err(p) => p.to_string(),
    }
}

/// The text printed for exactly one problem.
fn one(problem: &str) -> String {
    format!("error: {problem}\n1 problem found; nothing was written.")
}

/// Every file under `dir` with its bytes, sorted by path.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = fs::read(&path).unwrap();
                files.push((path.strip_prefix(dir).unwrap().to_path_buf(), bytes));
            }
        }
    }
    files.sort();
    files
}

// ---- Malformed TOML, unknown keys, wrong types ---------------------------------------------

#[test]
fn malformed_toml_in_guidepress_toml() {
    let p = sample_copy();
    edit(p.path(), "guidepress.toml", "version = \"2026.1\"", "version = \"2026.1");
    assert_eq!(
        problems(p.path()),
        one("guidepress.toml:24:18: this is not valid TOML (invalid basic string); end the text with a closing quote \
             on the same line (use \"\"\" … \"\"\" for text over several lines)")
    );
}

#[test]
fn malformed_toml_in_an_edition_file() {
    let p = sample_copy();
    edit(p.path(), "editions/nz.toml", "trim = \"a5\"", "trim = a5");
    assert_eq!(
        problems(p.path()),
        one(
            "editions/nz.toml:6:8: this is not valid TOML (invalid string; expected `\"`, `'`); put the text in double \
             quotes, e.g. trim = \"a5\""
        )
    );
}

#[test]
fn a_setting_written_twice() {
    let p = sample_copy();
    edit(p.path(), "editions/nz.toml", "trim = \"a5\"", "trim = \"a5\"\ntrim = \"a4\"");
    assert_eq!(
        problems(p.path()),
        one(
            "editions/nz.toml:7:1: this is not valid TOML (duplicate key `trim` in document root); write each setting \
             only once and delete the other"
        )
    );
}

#[test]
fn unknown_key_names_the_allowed_ones() {
    let p = sample_copy();
    edit(p.path(), "editions/nz.toml", "trim = \"a5\"", "trimm = \"a5\"");
    assert_eq!(
        problems(p.path()),
        one("editions/nz.toml:6:1: unknown setting `trimm`; check the spelling (the settings allowed here are \
             `country`, `languages`, `name`, `trim`, `office-paper`, `cards`, `contact`)")
    );
}

#[test]
fn unknown_key_in_a_contact_names_the_allowed_ones() {
    let p = sample_copy();
    edit(p.path(), "editions/nz.toml", "url = \"https://105", "website = \"https://105");
    assert_eq!(
        problems(p.path()),
        one("editions/nz.toml:20:1: unknown setting `website`; check the spelling (the settings allowed here are \
             `id`, `kind`, `name`, `country`, `phone`, `emergency-phone`, `short`, `sms`, `email`, `url`, `address`, \
             `hours`, `languages`, `notes`, `verified`, `source`, `card`)")
    );
}

#[test]
fn unknown_key_in_a_table_with_one_setting() {
    let p = sample_copy();
    edit(p.path(), "guidepress.toml", "bleed-mm = 3", "bleed = 3");
    assert_eq!(
        problems(p.path()),
        one("guidepress.toml:41:1: unknown setting `bleed`; check the spelling (the only setting allowed here is \
             `bleed-mm`)")
    );
}

#[test]
fn wrong_type_says_what_to_write() {
    let p = sample_copy();
    edit(p.path(), "editions/nz.toml", "languages = [\"ko\", \"en\"]", "languages = \"ko\"");
    assert_eq!(
        problems(p.path()),
        one(
            "editions/nz.toml:3:13: `languages` must be a list in square brackets, e.g. [\"ko\", \"en\"], not the text \"ko\""
        )
    );

    let p = sample_copy();
    edit(p.path(), "guidepress.toml", "max-box-kg = 5", "max-box-kg = \"5\"");
    assert_eq!(
        problems(p.path()),
        one("guidepress.toml:37:14: `max-box-kg` must be a number without quotes, not the text \"5\"")
    );

    let p = sample_copy();
    edit(p.path(), "editions/nz.toml", "verified = 2021-07-30", "verified = \"2021-07-30\"");
    assert_eq!(
        problems(p.path()),
        one(
            "editions/nz.toml:21:12: `verified` must be a date without quotes, e.g. 2026-11-29, not the text \"2021-07-30\""
        )
    );
}

#[test]
fn unknown_contact_kind_lists_the_kinds() {
    let p = sample_copy();
    edit(p.path(), "editions/nz.toml", "kind = \"hotline\"", "kind = \"helpline\"");
    assert_eq!(
        problems(p.path()),
        one(
            "editions/nz.toml:25:8: `kind = \"helpline\"` is not one of the allowed values; write one of `emergency`, \
             `police`, `hotline`, `ngo`, `embassy`, `consulate`, `korea-counselling`"
        )
    );
}

#[test]
fn missing_settings_say_where_to_add_them() {
    let p = sample_copy();
    edit(p.path(), "editions/nz.toml", "country = \"NZ\"\n", "");
    assert_eq!(
        problems(p.path()),
        one("editions/nz.toml:1:1: the required setting `country` is missing; add country = … at the top of the file")
    );

    let p = sample_copy();
    edit(p.path(), "editions/nz.toml", "kind = \"hotline\"\n", "");
    assert_eq!(
        problems(p.path()),
        one("editions/nz.toml:24:1: the required setting `kind` is missing; add kind = … to this [[contact]]")
    );
}

#[test]
fn missing_edition_name_points_at_the_name_lines() {
    let p = sample_copy();
    edit(p.path(), "editions/jp.toml", "name.ja = \"日本\"\n", "");
    assert_eq!(
        problems(p.path()),
        one(
            "editions/jp.toml:5:1: `name` has no `ja` entry; add name.ja = \"…\" (the country's name as printed on the \
             cover)"
        )
    );
}

#[test]
fn contact_names_missing_in_a_language_of_the_edition() {
    let p = sample_copy();
    edit(p.path(), "editions/nz.toml", "name.en = \"Crimestoppers (anonymous reports)\"\n", "");
    assert_eq!(
        problems(p.path()),
        one(
            "editions/nz.toml:24:1: contact \"크라임스토퍼스 (익명 제보)\" has no `name.en`; edition `nz` prints every contact in en"
        )
    );

    // A shared contact is reported in guidepress.toml, where it is written.
    let p = sample_copy();
    edit(p.path(), "guidepress.toml", "name.ja = \"韓国外交部 領事コールセンター\"\n", "");
    assert_eq!(
        problems(p.path()),
        one("guidepress.toml:43:1: contact \"Consular Call Center, Ministry of Foreign Affairs of Korea\" has no \
             `name.ja`; edition `jp` prints every contact in ja")
    );
}

// ---- Chapters ----------------------------------------------------------------------------------

#[test]
fn chapter_missing_in_one_language() {
    let p = sample_copy();
    fs::remove_file(p.path().join("chapters/ja/07-counselling-and-help.typ")).unwrap();
    assert_eq!(
        problems(p.path()),
        one("editions/jp.toml:4:13: edition `jp` prints its chapters in ja, but \
             chapters/ja/07-counselling-and-help.typ is missing (chapters/ko/ has it); translate the chapter into ja \
             and save it under that name")
    );
}

#[test]
fn a_chapter_has_one_title() {
    let p = sample_copy();
    let en = p.path().join("chapters/en/03-fake-overseas-job-sites.typ");
    let text = fs::read_to_string(&en).unwrap();
    let lines = text.lines().count();
    // A second `=` title (a raw block's lines are not titles), and a chapter with none.
    fs::write(&en, format!("{text}\n```\n= not a title\n```\n\n= A Second Title\n\nMore text.\n")).unwrap();
    let ko = p.path().join("chapters/ko/05-how-women-are-controlled.typ");
    let ko_text = fs::read_to_string(&ko).unwrap();
    let body: String = ko_text.lines().skip(1).map(|l| format!("{l}\n")).collect();
    fs::write(&ko, body).unwrap();
    let err = problems(p.path());
    let second = lines + 6;
    assert!(
        err.contains(&format!(
            "chapters/en/03-fake-overseas-job-sites.typ:{second}:1: is a second `= ` title in this chapter file (2 in \
             all); a chapter has one `=` title, so write its sections as `== ` or move this part into a chapter file of \
             its own"
        )),
        "{err}"
    );
    assert!(
        err.contains(
            "chapters/ko/05-how-women-are-controlled.typ: has no `= ` title; start the chapter with its title on a \
             line of its own"
        ),
        "{err}"
    );
}

#[test]
fn extra_chapter_in_one_language() {
    let p = sample_copy();
    fs::write(p.path().join("chapters/ja/08-extra.typ"), "= 追加\n").unwrap();
    assert_eq!(
        problems(p.path()),
        one("editions/jp.toml:4:13: edition `jp` prints its chapters in ko, but chapters/ko/08-extra.typ is missing \
             (chapters/ja/ has it); translate the chapter into ko and save it under that name, or delete \
             chapters/ja/08-extra.typ")
    );
}

#[test]
fn numbering_gap() {
    let p = sample_copy();
    let ja = p.path().join("chapters/ja");
    fs::rename(ja.join("07-counselling-and-help.typ"), ja.join("08-counselling-and-help.typ")).unwrap();
    assert_eq!(
        problems(p.path()),
        "error: chapters/ja/08-counselling-and-help.typ: chapters/ja/ has no chapter 07 before this one; number the \
         chapters 01, 02, 03 … without gaps\n\
         error: editions/jp.toml:4:13: edition `jp` prints its chapters in ja, but \
         chapters/ja/07-counselling-and-help.typ is missing (chapters/ko/ has it); translate the chapter into ja and \
         save it under that name\n\
         error: editions/jp.toml:4:13: edition `jp` prints its chapters in ko, but \
         chapters/ko/08-counselling-and-help.typ is missing (chapters/ja/ has it); translate the chapter into ko and \
         save it under that name, or delete chapters/ja/08-counselling-and-help.typ\n\
         3 problems found; nothing was written."
    );
}

#[test]
fn duplicate_chapter_number() {
    // In a language no edition uses, so only the numbering is reported (and no false gap after it).
    let p = sample_copy();
    let fr = p.path().join("chapters/fr");
    fs::create_dir(&fr).unwrap();
    for name in ["01-victimes.typ", "02-cas.typ", "02-sites.typ", "03-aide.typ"] {
        fs::write(fr.join(name), "= Chapitre\n").unwrap();
    }
    assert_eq!(
        problems(p.path()),
        one(
            "chapters/fr/02-sites.typ: has the same number 02 as chapters/fr/02-cas.typ; renumber one of them so that \
             each chapter has its own number"
        )
    );
}

#[test]
fn chapter_file_with_a_bad_name() {
    let p = sample_copy();
    fs::write(p.path().join("chapters/ko/8-extra.typ"), "= 추가\n").unwrap();
    assert_eq!(
        problems(p.path()),
        one(
            "chapters/ko/8-extra.typ: is not named like a chapter; name it NN-slug.typ (two digits, a dash, lower-case \
             words joined by dashes), e.g. 01-who-is-a-victim.typ"
        )
    );
}

#[test]
fn language_without_a_chapters_folder() {
    let p = sample_copy();
    fs::remove_dir_all(p.path().join("chapters/ja")).unwrap();
    assert_eq!(
        problems(p.path()),
        one("editions/jp.toml:4:13: edition `jp` uses language `ja`, but chapters/ja/ does not exist (languages with \
             chapters: en, ko, zh-Hant); add the chapters in ja to chapters/ja/, or remove `ja` from `languages`")
    );
}

// ---- Contacts ----------------------------------------------------------------------------------

#[test]
fn phone_invalid_for_the_contacts_country() {
    let p = sample_copy();
    edit(p.path(), "editions/nz.toml", "phone = \"(09) 379 0818\"", "phone = \"(09) 379 08\"");
    assert_eq!(
        problems(p.path()),
        one("editions/nz.toml:61:9: contact \"Embassy of the Republic of Korea, Auckland branch office\": \
             `phone = \"(09) 379 08\"` is not a valid phone number in New Zealand (NZ); write it as dialled in New \
             Zealand, or in international form starting with + and the country code (and set `country` if the number \
             belongs to another country)")
    );
}

#[test]
fn url_with_http() {
    let p = sample_copy();
    edit(p.path(), "editions/nz.toml", "url = \"https://105", "url = \"http://105");
    assert_eq!(
        problems(p.path()),
        one("editions/nz.toml:20:7: contact \"New Zealand Police (non-emergency)\": \
             `url = \"http://105.police.govt.nz\"` must start with https:// (not http://); write the full address as a \
             browser shows it, e.g. https://www.example.org")
    );
}

#[test]
fn url_without_a_host() {
    let p = sample_copy();
    edit(p.path(), "editions/nz.toml", "url = \"https://105.police.govt.nz\"", "url = \"https://\"");
    assert_eq!(
        problems(p.path()),
        one("editions/nz.toml:20:7: contact \"New Zealand Police (non-emergency)\": `url = \"https://\"` has no site \
             name after https://; write the full address as a browser shows it, e.g. https://www.example.org")
    );
}

#[test]
fn malformed_email() {
    let p = sample_copy();
    edit(p.path(), "editions/nz.toml", "auckland@mofa.go.kr", "auckland.mofa.go.kr");
    assert_eq!(
        problems(p.path()),
        one("editions/nz.toml:62:9: contact \"Embassy of the Republic of Korea, Auckland branch office\": \
             `email = \"auckland.mofa.go.kr\"` is not an e-mail address; write it like name@example.org")
    );
}

#[test]
fn verified_date_in_the_future() {
    let p = sample_copy();
    edit(p.path(), "editions/nz.toml", "verified = 2021-07-30", "verified = 2027-01-04");
    assert_eq!(
        problems(p.path()),
        one(
            "editions/nz.toml:21:12: contact \"New Zealand Police (non-emergency)\": `verified = 2027-01-04` is after \
             the guide's date (2026-11-29); write the day someone really confirmed these details"
        )
    );
}

// ---- Every problem in one run ------------------------------------------------------------------

#[test]
fn problems_in_several_files_are_reported_together_and_sorted() {
    let p = sample_copy();
    edit(p.path(), "guidepress.toml", "phone = \"1600-8248\"", "phone = \"1600-824\"");
    edit(
        p.path(),
        "editions/us.toml",
        "url = \"https://humantraffickinghotline.org\"",
        "url = \"humantraffickinghotline.org\"",
    );
    edit(p.path(), "editions/nz.toml", "auckland@mofa.go.kr", "auckland.mofa.go.kr");
    edit(p.path(), "editions/au.toml", "languages = [", "languages = [\"ko\", ");
    fs::write(p.path().join("chapters/en/8-extra.typ"), "= Extra\n").unwrap();
    let expected = "\
error: chapters/en/8-extra.typ: is not named like a chapter; name it NN-slug.typ (two digits, a dash, lower-case words joined by dashes), e.g. 01-who-is-a-victim.typ
error: editions/au.toml:3:13: language `ko` is listed twice in `languages`; delete one of them
error: editions/nz.toml:62:9: contact \"Embassy of the Republic of Korea, Auckland branch office\": `email = \"auckland.mofa.go.kr\"` is not an e-mail address; write it like name@example.org
error: editions/us.toml:21:7: contact \"National Human Trafficking Hotline\": `url = \"humantraffickinghotline.org\"` must start with https://; write the full address as a browser shows it, e.g. https://www.example.org
error: guidepress.toml:90:9: contact \"Central Agency for the Protection of the Rights of Trafficking Victims\": `phone = \"1600-824\"` is not a valid phone number in South Korea (KR); write it as dialled in South Korea, or in international form starting with + and the country code (and set `country` if the number belongs to another country)
5 problems found; nothing was written.";
    assert_eq!(problems(p.path()), expected);

    // The binary prints the same text and exits with 1 (errors in the inputs).
    let out = guidepress(p.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), format!("{expected}\n"));
    assert!(out.stdout.is_empty());
}

// ---- The command line --------------------------------------------------------------------------

#[test]
fn unknown_edition_id_is_a_usage_error_listing_the_ids() {
    let p = sample_copy();
    let out = guidepress(p.path(), &["build", "xx"]);
    assert_eq!(stderr(&out), "error: no edition `xx` in this project; the editions are: au, ca, jp, mo, nz, us\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(!p.path().join("out").exists(), "a usage error must not create out/");
}

#[test]
fn final_refuses_the_sample_naming_the_unconfirmed_contacts() {
    // The library's account: each unconfirmed contact once, where it is written, with the editions it stops.
    let project = Project::load(&support::sample_root()).unwrap();
    let editions = [project.edition("nz").unwrap(), project.edition("us").unwrap()];
    let refused = project.check_final(&editions).expect_err("every sample edition is a draft");
    assert_eq!(
        refused.to_string(),
        "\
error: editions/nz.toml:8:1: contact \"Emergency (police, ambulance)\" has no `verified` date, so a final build refuses edition nz; confirm its details, then set `verified` to the date you did
error: editions/nz.toml:15:1: contact \"New Zealand Police (non-emergency)\" was last confirmed on 2021-07-30, too long before this version's date (2026-11-29), so a final build refuses edition nz; confirm its details, then set `verified` to the date you did
error: editions/nz.toml:24:1: contact \"Crimestoppers (anonymous reports)\" was last confirmed on 2021-07-30, too long before this version's date (2026-11-29), so a final build refuses edition nz; confirm its details, then set `verified` to the date you did
error: editions/nz.toml:32:1: contact \"Crimestoppers (number for calls from overseas)\" has no `verified` date, so a final build refuses edition nz; confirm its details, then set `verified` to the date you did
error: editions/nz.toml:41:1: contact \"Migrant exploitation line (MBIE)\" has no `verified` date, so a final build refuses edition nz; confirm its details, then set `verified` to the date you did
error: editions/nz.toml:50:1: contact \"Immigration New Zealand\" has no `verified` date, so a final build refuses edition nz; confirm its details, then set `verified` to the date you did
error: editions/nz.toml:57:1: contact \"Embassy of the Republic of Korea, Auckland branch office\" has no `verified` date, so a final build refuses edition nz; confirm its details, then set `verified` to the date you did
error: editions/us.toml:8:1: contact \"Emergency (police, ambulance)\" has no `verified` date, so a final build refuses edition us; confirm its details, then set `verified` to the date you did
error: editions/us.toml:15:1: contact \"National Human Trafficking Hotline\" has no `verified` date, so a final build refuses edition us; confirm its details, then set `verified` to the date you did
error: editions/us.toml:30:1: contact \"Homeland Security Investigations (HSI) tip line\" has no `verified` date, so a final build refuses edition us; confirm its details, then set `verified` to the date you did
error: editions/us.toml:37:1: contact \"Embassy of the Republic of Korea in Washington\" has no `verified` date, so a final build refuses edition us; confirm its details, then set `verified` to the date you did
error: guidepress.toml:43:1: contact \"Consular Call Center, Ministry of Foreign Affairs of Korea\" was last confirmed on 2024-04-13, too long before this version's date (2026-11-29), so a final build refuses editions nz, us; confirm its details, then set `verified` to the date you did
error: guidepress.toml:65:1: contact \"Women's Emergency Line 1366\" was last confirmed on 2023-09-24, too long before this version's date (2026-11-29), so a final build refuses editions nz, us; confirm its details, then set `verified` to the date you did
error: guidepress.toml:84:1: contact \"Central Agency for the Protection of the Rights of Trafficking Victims\" has no `verified` date, so a final build refuses editions nz, us; confirm its details, then set `verified` to the date you did
14 problems found; nothing was written."
    );

    // The binary refuses with exit code 1, names every unconfirmed contact and writes nothing.
    let p = sample_copy();
    let out = guidepress(p.path(), &["build", "--final", "nz", "us"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for e in editions {
        for c in e.contacts.iter().filter(|c| c.status != Status::Verified) {
            assert!(err.contains(&format!("\"{}\"", c.name["en"])), "{} not named in:\n{err}", c.name["en"]);
        }
    }
    assert!(!p.path().join("out").exists(), "a refused build must not create out/");
}

// ---- A failed build leaves earlier outputs untouched -------------------------------------------

#[test]
fn failing_build_writes_nothing_and_keeps_earlier_outputs() {
    let p = sample_copy();
    let out_dir = p.path().join("earlier-out");
    let out_arg = out_dir.to_str().unwrap();
    let good = guidepress(p.path(), &["--out", out_arg, "build", "nz"]);
    assert!(good.status.success(), "{}", stderr(&good));
    let before = snapshot(&out_dir);
    assert!(before.iter().any(|(path, _)| path == Path::new("editions/nz.pdf")), "{before:?}");

    // A data error: refused before anything is typeset.
    edit(p.path(), "editions/nz.toml", "auckland@mofa.go.kr", "auckland.mofa.go.kr");
    let bad = guidepress(p.path(), &["--out", out_arg, "build", "nz"]);
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
    assert!(snapshot(&out_dir) == before, "a build refused for a data error changed {}", out_dir.display());
    edit(p.path(), "editions/nz.toml", "auckland.mofa.go.kr", "auckland@mofa.go.kr");

    // A Typst error in one edition's chapter: the other edition typesets, but nothing is written.
    let chapter = p.path().join("chapters/ja/01-victims-under-korean-law.typ");
    let mut text = fs::read_to_string(&chapter).unwrap();
    text.push_str("\n#undefined-call()\n");
    fs::write(&chapter, text).unwrap();
    let bad = guidepress(p.path(), &["--out", out_arg, "build", "nz", "jp"]);
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
    assert!(snapshot(&out_dir) == before, "a build that failed in one edition changed {}", out_dir.display());
}
