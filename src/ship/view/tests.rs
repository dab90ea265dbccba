use super::*;

fn order(country: &str, parts: [&str; 6]) -> OrderLine {
    let [recipient, organization, line1, line2, city, region] = parts.map(String::from);
    OrderLine {
        row: 2,
        order_id: "A".into(),
        received: "2026-11-02".into(),
        organization,
        recipient,
        email: String::new(),
        phone: String::new(),
        address_line1: line1,
        address_line2: line2,
        city,
        region,
        postal_code: String::new(),
        country: country.into(),
        edition: "mo".into(),
        copies: 1,
        notes: String::new(),
    }
}

fn hints(l: &OrderLine) -> Vec<(String, String, String)> {
    address_lines(l)
        .iter()
        .map(|v| {
            let script = serde_json::to_value(v.script).unwrap().as_str().unwrap().to_string();
            (v.text.clone(), script, v.field.to_string())
        })
        .collect()
}

#[test]
fn a_macao_address_is_traditional_chinese_line_by_line() {
    let l = order("MO", ["陳美玲", "澳門新橋婦女支援中心", "新馬路 123號", "4樓 A座", "澳門", ""]);
    let got = hints(&l);
    let want = [
        ("陳美玲", "zh-Hant", "recipient"),
        ("澳門新橋婦女支援中心", "zh-Hant", "organization"),
        ("新馬路 123號", "zh-Hant", "address_line1"),
        ("4樓 A座", "zh-Hant", "address_line2"),
        ("澳門", "zh-Hant", "city"),
        ("MACAO", "latin", "country"),
    ];
    assert_eq!(got, want.map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())));
}

#[test]
fn japanese_han_lines_use_the_japanese_face_and_hangul_the_korean() {
    let jp = order("JP", ["佐藤 美咲", "みなと女性相談センター", "西新宿3-17-5", "", "新宿区", "東京都"]);
    assert!(hints(&jp).iter().filter(|h| h.2 != "country").all(|h| h.1 == "ja"), "{:?}", hints(&jp));
    let kr = order("KR", ["이서연", "가람여성인권지원센터", "율곡로 75", "4층", "종로구", "서울특별시"]);
    assert!(hints(&kr).iter().filter(|h| h.2 != "country").all(|h| h.1 == "ko"));
    let ca =
        order("CA", ["Marie-Claire Dubois", "Harbourview Women's Shelter", "215 Spadina Ave", "", "Toronto", "ON"]);
    let got = hints(&ca);
    assert_eq!(got[0], ("MARIE-CLAIRE DUBOIS".into(), "latin".into(), "recipient".into()));
    assert_eq!(got[3].2, "city");
}

#[test]
fn the_dashed_barcode_is_the_code128_symbol() {
    for code in ["2026-11-001-1", "B-0000001-12", "x"] {
        let v = Barcode::new(code);
        let mut modules = vec![false; v.quiet];
        for (i, w) in v.dash.iter().enumerate() {
            modules.extend(std::iter::repeat_n(i % 2 == 0, *w));
        }
        modules.resize(v.modules, false);
        assert_eq!(modules, code128_modules(code).unwrap(), "{code}");
        assert_eq!(crate::ship::barcode::decode_code128(&modules).as_deref(), Some(code));
    }
}

#[test]
fn a_line_serializes_with_its_keys_in_order() {
    let json = serde_json::to_string(&Line::new("Toronto", false, "city")).unwrap();
    assert_eq!(json, r#"{"chars":7,"field":"city","script":"latin","text":"Toronto"}"#);
}
