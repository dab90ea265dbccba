//! Toll-free numbers (libphonenumber's number type) are marked as a free call on the contacts
//! page, in the edition's languages; other numbers are not.

use crate::support;

use guidepress::editions::BuildOptions;
use guidepress::project::Project;

#[test]
fn the_us_hotline_is_printed_with_the_free_call_mark() {
    let project = Project::load(&support::sample_root()).expect("sample project loads");
    let us = project.edition("us").unwrap();
    let free: Vec<&str> =
        us.contacts.iter().flat_map(|c| &c.channels).filter(|ch| ch.free).map(|ch| ch.text.as_str()).collect();
    assert_eq!(free, ["(888) 373-7888", "(866) 347-2423"], "the toll-free numbers of the us edition");

    let out = tempfile::tempdir().unwrap();
    let options = BuildOptions { ids: vec!["us".into()], out: Some(out.path().to_path_buf()), ..Default::default() };
    guidepress::press::build(&project, &options).expect("us builds");
    for file in ["us.pdf", "us-screen.pdf"] {
        let text = support::pdftotext(&out.path().join("editions").join(file));
        let line = |number: &str| {
            text.lines().find(|l| l.contains(number)).unwrap_or_else(|| panic!("{file}: {number} is not printed"))
        };
        for number in ["(888) 373-7888", "(866) 347-2423"] {
            let l = line(number);
            assert!(
                l.contains("무료 전화") && l.contains("free call"),
                "{file}: no free-call mark after {number}: {l:?}"
            );
        }
        let embassy = line("(202) 939-5600");
        assert!(!embassy.contains("free call"), "{file}: an ordinary number is marked free: {embassy:?}");
        assert_eq!(text.matches("free call").count(), 2, "{file}: the mark is printed once per toll-free number");
    }
}
