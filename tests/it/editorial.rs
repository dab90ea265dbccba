//! The editorial corrections that matter most to a reader, read back from the built sample PDFs
//! (pdftotext): the debt claim, reachability on the contacts pages, Macao's country code, and the
//! stigmatising terms the editorial review named.

use crate::support;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use guidepress::editions::BuildOptions;
use guidepress::project::Project;

/// Each sample edition's press PDF as text, built once for this test binary.
fn texts() -> &'static BTreeMap<String, String> {
    static TEXTS: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        let out = tempfile::tempdir().unwrap();
        let project = Project::load(&support::sample_root()).expect("sample project loads");
        let options = BuildOptions { out: Some(out.path().to_path_buf()), ..Default::default() };
        let built = guidepress::press::build(&project, &options).expect("sample builds");
        built
            .iter()
            .map(|b| {
                let pdf = out.path().join("editions").join(format!("{}.pdf", b.id));
                (b.id.clone(), support::pdftotext(&pdf))
            })
            .collect()
    })
}

/// Text with line-end hyphens joined and all white space removed, so that a phrase can be found
/// whatever the line breaks (Korean, Chinese and Japanese lines break anywhere).
fn flat(text: &str) -> String {
    text.replace("-\n", "").chars().filter(|c| !c.is_whitespace()).collect()
}

fn flat_text(id: &str) -> String {
    flat(texts().get(id).unwrap_or_else(|| panic!("no edition {id}")))
}

/// The languages each sample edition prints.
fn languages(id: &str) -> Vec<String> {
    static PROJECT: OnceLock<Project> = OnceLock::new();
    let project = PROJECT.get_or_init(|| Project::load(&support::sample_root()).unwrap());
    project.edition(id).unwrap().languages.clone()
}

/// Per language: words for a debt, and wordings of "is not punished".
fn debt_and_impunity(lang: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match lang {
        "en" => (&["debt"], &["notpunished", "notbepunished", "nopunishment", "won'tbepunished", "exemptfrom"]),
        "ko" => (&["빚", "채무", "선불금"], &["처벌받지않", "처벌하지않", "처벌되지않", "처벌을받지않", "처벌면제"]),
        "zh-Hant" => (&["債"], &["不會因", "不受處罰", "不會受處罰", "免受處罰", "免於處罰", "毋須受罰"]),
        "ja" => (&["借金", "債務", "前払い金"], &["処罰されず", "処罰されない", "処罰されません", "罰せられない"]),
        other => panic!("no wording list for {other}"),
    }
}

/// The sentences of a flattened text that mention both a debt and not being punished.
fn debt_impunity_sentences(flat: &str, lang: &str) -> Vec<String> {
    let (debt, impunity) = debt_and_impunity(lang);
    flat.split(['.', '。'])
        .filter(|s| debt.iter().any(|d| s.contains(d)) && impunity.iter().any(|i| s.contains(i)))
        .map(str::to_string)
        .collect()
}

#[test]
fn no_edition_says_a_woman_held_by_debt_is_not_punished() {
    // The review's two passages (01:3, 04:33) as they were worded in each language.
    let retired = [
        "heldbydebtortraffickedisnot",
        "빚에묶이거나,인신매매를당한여성은그렇지않습니다",
        "빚에묶이거나,인신매매를당해마사지업소에오게된여성은한국법에서피해자이며",
        "被債務束縛或遭販運的女性並非如此",
        "被債務束縛或遭販運而進入按摩院的女性是受害人",
        "借金で縛られたり、人身取引の被害を受けたりした女性は、そうではありません",
        "借金で縛られたり、人身取引の被害を受けたりしてマッサージ店で働くことになった女性は被害者であり",
    ];
    for id in texts().keys() {
        let text = flat_text(id);
        for phrase in retired {
            assert!(!text.contains(phrase), "{id}: still says {phrase:?}");
        }
        // No sentence, in any language the edition prints, joins a debt with impunity.
        for lang in languages(id) {
            let found = debt_impunity_sentences(&text, &lang);
            assert!(found.is_empty(), "{id} ({lang}): a sentence ties debt to impunity: {found:#?}");
        }
    }
    // The check itself finds the old wording.
    let old = flat(
        "Remember that under Korean law a woman who was deceived, coerced, held by debt or\ntrafficked into a massage parlour is a victim and is not pun-\nished for selling sex.",
    );
    assert_eq!(debt_impunity_sentences(&old, "en").len(), 1);
    let old = flat(
        "속거나, 강요당하거나, 빚에 묶이거나, 인신매매를 당해 마사지업소에 오게 된 여성은 한국 법에서 피해자이며, 성매매를 이유로 처벌받지 않는다는 점을 기억해 주십시오(1장).",
    );
    assert_eq!(debt_impunity_sentences(&old, "ko").len(), 1);
    let old = flat("受欺騙、脅迫、被債務束縛或遭販運而進入按摩院的女性是受害人，不會因出賣性服務而受處罰（第1章）。");
    assert_eq!(debt_impunity_sentences(&old, "zh-Hant").len(), 1);
    let old = flat(
        "借金で縛られたり、人身取引の被害を受けたりしてマッサージ店で働くことになった女性は被害者であり、性を売ったことで処罰されないことを覚えておいてください（第1章）。",
    );
    assert_eq!(debt_impunity_sentences(&old, "ja").len(), 1);
}

#[test]
fn every_edition_says_a_woman_held_by_debt_may_qualify_and_such_debts_are_void() {
    let wording = |lang: &str| match lang {
        "en" => "Awomanheldbydebtmayalsoqualifyasavictim",
        "ko" => "빚에묶인여성도피해자에해당할수있으며",
        "zh-Hant" => "被債務束縛的女性亦可能符合受害人的條件",
        "ja" => "借金で縛られた女性も被害者に当たる場合があり",
        other => panic!("no wording for {other}"),
    };
    for id in texts().keys() {
        let text = flat_text(id);
        for lang in languages(id) {
            assert!(text.contains(wording(&lang)), "{id} ({lang}): missing {:?}", wording(&lang));
        }
    }
}

#[test]
fn contacts_pages_claim_no_reachability_the_data_does_not_carry() {
    // The intro sentence the review found (every contact "can be reached … from abroad in Korea"),
    // in each language, and the "(from abroad)" label that was printed after every number's
    // international form, including 1600-8248, whose reach from abroad is not confirmed.
    let retired = [
        "canbereacheddirectlyinthecountryofthisedition",
        "fromabroadinKorea",
        "바로연결할수있는곳",
        "해외에서한국으로연결할수있는곳",
        "可在本版本所屬地區直接聯絡",
        "從海外聯絡韓國的機構",
        "この版の国で直接連絡できる窓口",
        "海外から韓国に連絡できる窓口",
        "(fromabroad)",
        "(해외에서)",
        "(從海外)",
        "(海外から)",
    ];
    // What the intro says instead, and what the Korean entries say about calls from abroad.
    let intro = |lang: &str| match lang {
        "en" => "forsomeKoreanservicesnowaytoreachthemfromabroadhasbeenconfirmed",
        "ko" => "일부한국기관은해외에서연결하는방법이확인되지않았습니다",
        "zh-Hant" => "部分韓國機構從海外聯絡的方法尚未確認",
        "ja" => "韓国の一部の機関は海外からの連絡方法が確認されていません",
        other => panic!("no wording for {other}"),
    };
    let not_confirmed = |lang: &str| match lang {
        "en" => ["Howtoreachitfromabroadisnotconfirmed", "Whetheritcanbedialledfromabroadisnotconfirmed"],
        "ko" => ["해외에서거는방법은확인되지않았습니다", "해외에서연결되는지는확인되지않았습니다"],
        "zh-Hant" => ["從海外撥打的方法尚未確認", "能否從海外撥打尚未確認"],
        "ja" => ["海外からの発信方法は未確認です", "海外からつながるかは未確認です"],
        other => panic!("no wording for {other}"),
    };
    for id in texts().keys() {
        let text = flat_text(id);
        for phrase in retired {
            assert!(!text.contains(phrase), "{id}: the contacts pages still say {phrase:?}");
        }
        assert!(text.contains("+821600-8248"), "{id}: the Central Agency's number is missing");
        for lang in languages(id) {
            assert!(text.contains(intro(&lang)), "{id} ({lang}): the contacts intro lacks {:?}", intro(&lang));
            for phrase in not_confirmed(&lang) {
                assert!(text.contains(phrase), "{id} ({lang}): missing {phrase:?}");
            }
        }
    }
}

#[test]
fn macao_edition_prints_the_country_code_with_the_trafficking_hotline() {
    let text = flat_text("mo");
    let name = "治安警察局打擊販賣人口24小時舉報熱線";
    let at = text.find(name).expect("the Macao hotline is on the contacts pages");
    let entry: String = text[at..].chars().take(400).collect();
    assert!(
        entry.contains("+85328889911") || entry.contains("(853)28889911"),
        "the Macao hotline is printed without +853: {entry}"
    );
}

#[test]
fn zh_hant_and_ja_editions_avoid_the_terms_the_review_named() {
    // zh-Hant (the Macao edition): the whole book.
    let mo = flat_text("mo");
    for term in ["出賣性服務", "賣淫", "南韓", "受賣淫", "吸引的工作機會"] {
        assert!(!mo.contains(term), "mo: contains {term:?}");
    }
    assert!(
        mo.contains("支援在海外性交易及性販運中受害的韓國女性指南"),
        "mo: the zh-Hant title is not the corrected one"
    );
    // Japanese: one word for trafficking (人身取引), no 売春 in title or imprint, no 草案 for a draft.
    let jp = flat_text("jp");
    for term in ["人身売買", "草案", "売春や性的人身取引"] {
        assert!(!jp.contains(term), "jp: contains {term:?}");
    }
    let imprint = "このガイドは、海外で性売買や人身取引の被害を受けた韓国人女性に接する機関が";
    assert!(jp.contains(imprint), "jp: the imprint is not the corrected one");
    let title = "海外で性売買・人身取引の被害を受けた韓国人女性の支援ガイド";
    assert!(jp.contains(title), "jp: the title is missing");
}

#[test]
fn passages_the_review_found_unsupported_are_gone() {
    let retired = [
        "interpretationaroundtheclock",
        "working-holidayportals",
        "Korean-languageoutletinJapan",
        "oftenthefirstpointatwhichofficials",
        "womenfromthesebusinesses",
        "Koreanpressreportsinthemid-2000s",
        "KLRIEnglishtextsofthethreeActs;",
        "EmbassyoftheRepublicofKorea,ConsularSection",
    ];
    for id in texts().keys() {
        if !languages(id).iter().any(|l| l == "en") {
            continue;
        }
        let text = flat_text(id);
        for phrase in retired {
            assert!(!text.contains(phrase), "{id}: still says {phrase:?}");
        }
    }
    // The U.S. edition names the three consulates; New Zealand's the Immigration NZ line.
    let us = flat_text("us");
    assert!(us.contains("consulatesinAnchorage,DallasandHagåtña"), "us: the consulates are missing");
    let nz = flat_text("nz");
    assert!(nz.contains("0508558855"), "nz: Immigration New Zealand's number is missing");
    let au = flat_text("au");
    assert!(au.contains("0421525446"), "au: the second emergency number is missing");
}
