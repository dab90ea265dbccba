//! The HTML of the live contacts pages: markup pushed raw, every string from the project
//! escaped, every run of a language in an element with its `lang`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Built, Words};
use crate::model::contact::{Channel, Contact, Kind, Status};
use crate::model::html::escape;
use crate::model::{LangMap, distinct_langs};
use crate::project::{Edition, Project};

/// Readable from a 320-px phone to a desktop, in the contacts pages' colours (contrast at least
/// 7:1 for text), the reader's own fonts; nothing loaded from elsewhere.
const STYLE: &str = "*{box-sizing:border-box}\
body{margin:0;background:#fff;color:#111;font:1rem/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif}\
.wrap{max-width:46rem;margin:0 auto;padding:1rem}\
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0}\
h2{font-size:1.15rem;color:#1d4f5e;border-bottom:2px solid #1d4f5e;margin:2rem 0 .75rem}\
h3{font-size:1.05rem;line-height:1.35;margin:0 0 .3rem}\
h1,h2,h3,p,li,dd,a,code{overflow-wrap:anywhere}:lang(ko){word-break:keep-all}:lang(ja),:lang(zh){word-break:normal}\
.contact{border-left:4px solid #1d4f5e;padding:.2rem 0 .2rem .75rem;margin:0 0 1.5rem}\
.ways{list-style:none;padding:0;margin:.5rem 0}.ways li{margin:.4rem 0}\
.label,.muted,dt{color:#444;font-size:.9rem}\
.number{font-weight:700;font-size:1.15rem}\
a{color:#0b4a6f}\
.status{display:inline-block;font-size:.9rem;padding:.05rem .4rem;border-radius:3px;background:#e3eef1;color:#102a33}\
.status.warn{background:#fbe9d0;color:#5c3500}\
dl{margin:.5rem 0}dd{margin:0 0 .4rem}\
code{font-family:ui-monospace,monospace}\
footer{margin-top:2rem;border-top:1px solid #aaa;padding-top:.5rem}";

/// A page being written.
struct Page {
    html: String,
}

impl Page {
    /// The head of a page in `lang` titled `title`, up to the start of its content.
    fn start(lang: &str, title: &str) -> Page {
        let mut html = String::new();
        let _ = write!(
            html,
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n\
             <style>{STYLE}</style>\n</head>\n<body>\n<div class=\"wrap\">\n",
            escape(lang),
            escape(title)
        );
        Page { html }
    }

    fn raw(&mut self, markup: &str) {
        self.html.push_str(markup);
    }

    /// `text` in a span with its `lang`.
    fn span(&mut self, lang: &str, text: &str) {
        let _ = write!(self.html, "<span lang=\"{}\">{}</span>", escape(lang), escape(text));
    }

    /// Each language's text in a span with its `lang`, joined by ` · `; a text the same in
    /// several languages once.
    fn langs(&mut self, map: &LangMap, order: &[String]) {
        for (i, (lang, text)) in distinct_langs(map, order).into_iter().enumerate() {
            if i > 0 {
                self.raw(" · ");
            }
            self.span(lang, text);
        }
    }

    /// The word `key` in every language of `order`.
    fn words(&mut self, words: &Words, key: &str, order: &[String]) {
        self.langs(&per_lang(order, |l| words.word(l, key)), order);
    }

    fn finish(mut self) -> String {
        self.raw("</div>\n</body>\n</html>\n");
        self.html
    }
}

/// A map of each language of `order` to `f(language)`.
fn per_lang<'a>(order: &[String], f: impl Fn(&str) -> &'a str) -> LangMap {
    order.iter().map(|l| (l.clone(), f(l).to_string())).collect()
}

/// The page of one edition: its current contacts, grouped by kind as the contacts pages group
/// them, and the print codes they supersede (`earlier`).
pub fn edition_page(project: &Project, built: &Built, earlier: &[String], words: &Words) -> String {
    let edition = built.edition;
    let langs = &edition.languages;
    let last = langs.last().map_or("en", String::as_str);
    let name = edition.name.get(last).map_or(edition.id.as_str(), String::as_str);
    let title = format!("{} — {name}", words.word(last, "latest-numbers"));
    let mut page = Page::start(langs.first().map_or("en", String::as_str), &title);
    page.raw("<header>\n<h1>");
    page.words(words, "latest-numbers", langs);
    page.raw("</h1>\n<p class=\"edition\">");
    page.langs(&edition.name, langs);
    page.raw("</p>\n");
    for lang in langs {
        let _ = writeln!(page.html, "<p lang=\"{}\">{}</p>", escape(lang), escape(words.word(lang, "site-intro")));
    }
    page.raw("<p class=\"muted\">");
    page.words(words, "print-code", langs);
    let _ = writeln!(page.html, ": <code>{}</code></p>", escape(built.print_code));
    if !earlier.is_empty() {
        page.raw("<p class=\"muted\">");
        page.words(words, "site-supersedes", langs);
        let codes: Vec<String> = earlier.iter().map(|c| format!("<code>{}</code>", escape(c))).collect();
        let _ = writeln!(page.html, ": {}</p>", codes.join(", "));
    }
    page.raw("</header>\n<main>\n");
    let mut groups: BTreeMap<Kind, Vec<&Contact>> = BTreeMap::new();
    for c in &edition.contacts {
        groups.entry(c.kind).or_default().push(c);
    }
    for (kind, contacts) in groups {
        let _ = write!(page.html, "<section aria-labelledby=\"{0}\">\n<h2 id=\"{0}\">", kind.word());
        page.langs(&per_lang(langs, |l| words.kind(l, kind.word())), langs);
        page.raw("</h2>\n");
        for c in contacts {
            contact(&mut page, c, langs, words);
        }
        page.raw("</section>\n");
    }
    page.raw("</main>\n<footer>\n<p class=\"muted\">");
    page.langs(&project.guide.title, langs);
    let _ = writeln!(page.html, " · {} {}</p>\n</footer>", escape(&project.guide.version), escape(&project.guide.date));
    page.finish()
}

/// One contact: its names, when it was confirmed, its ways of reaching it, its details.
fn contact(page: &mut Page, c: &Contact, langs: &[String], words: &Words) {
    page.raw("<article class=\"contact\">\n<h3>");
    page.langs(&c.name, langs);
    page.raw("</h3>\n");
    let (class, key) = match c.status {
        Status::Verified => ("status", "verified"),
        Status::Unverified => ("status warn", "unverified"),
        Status::Stale => ("status warn", "stale"),
    };
    let _ = write!(page.html, "<p><span class=\"{class}\">");
    page.words(words, key, langs);
    if let (Some(date), false) = (&c.verified, c.status == Status::Verified) {
        page.raw(" (");
        page.words(words, "verified", langs);
        let _ = write!(page.html, " {})", escape(date));
    } else if let Some(date) = &c.verified {
        let _ = write!(page.html, " {}", escape(date));
    }
    page.raw("</span></p>\n<ul class=\"ways\">\n");
    for ch in &c.channels {
        channel(page, ch, langs, words);
    }
    page.raw("</ul>\n");
    let details = [("address", &c.address), ("hours", &c.hours), ("languages", &c.languages), ("notes", &c.notes)];
    if details.iter().any(|(_, map)| !map.is_empty()) {
        page.raw("<dl>\n");
        for (key, map) in details.iter().filter(|(_, map)| !map.is_empty()) {
            page.raw("<dt>");
            page.words(words, key, langs);
            page.raw("</dt>\n<dd>");
            page.langs(map, langs);
            page.raw("</dd>\n");
        }
        page.raw("</dl>\n");
    }
    page.raw("</article>\n");
}

/// One way to reach a contact: its label, and its printed form linked to the payload its QR
/// code carries (`tel:`, `sms:`, `mailto:`, `https:`).
fn channel(page: &mut Page, ch: &Channel, langs: &[String], words: &Words) {
    page.raw("<li><span class=\"label\">");
    page.words(words, ch.kind, langs);
    page.raw("</span><br>");
    match &ch.payload {
        Some(payload) => {
            let _ = write!(page.html, "<a class=\"number\" href=\"{}\">{}</a>", escape(payload), escape(&ch.text));
        }
        None => {
            let _ = write!(page.html, "<span class=\"number\">{}</span>", escape(&ch.text));
        }
    }
    if ch.free {
        page.raw(" <span class=\"muted\">");
        page.words(words, "free-call", langs);
        page.raw("</span>");
    }
    if let Some(alt) = &ch.alt {
        let _ = write!(page.html, "<br>{} <span class=\"muted\">(", escape(alt));
        page.words(words, "from-abroad", langs);
        page.raw(")</span>");
    }
    if ch.kind == "short" {
        page.raw("<br><span class=\"muted\">");
        page.words(words, "short-note", langs);
        page.raw("</span>");
    }
    page.raw("</li>\n");
}

/// `out/site/index.html`: a link to each edition's page.
pub fn index_page(project: &Project, listed: &[&Edition], words: &Words) -> String {
    let mut langs: Vec<String> = vec!["ko".to_string()];
    for e in listed {
        langs.extend(e.languages.iter().filter(|l| !langs.contains(l)).cloned().collect::<Vec<_>>());
    }
    let title = project.guide.title.get("en").or_else(|| project.guide.title.values().next());
    let mut page = Page::start("ko", &format!("{} — {}", words.word("en", "latest-numbers"), title.map_or("", |t| t)));
    page.raw("<header>\n<h1>");
    page.words(words, "latest-numbers", &langs);
    page.raw("</h1>\n<p>");
    page.langs(&project.guide.title, &langs);
    page.raw("</p>\n</header>\n<main>\n<h2>");
    page.words(words, "site-editions", &langs);
    page.raw("</h2>\n<ul>\n");
    for e in listed {
        let _ = write!(page.html, "<li><a href=\"{}/index.html\">", escape(&e.id));
        page.langs(&e.name, &e.languages);
        page.raw("</a></li>\n");
    }
    page.raw("</ul>\n</main>\n");
    page.finish()
}
