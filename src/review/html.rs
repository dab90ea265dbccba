//! `out/index.html`: one static page, no script, every string from the project HTML-escaped.

use std::fmt::Write as _;
use std::path::Path;

use super::changes::{Changes, EditionChanges};
use super::{EditionState, Settings, State, cover_png};
use crate::error::Error;
use crate::manifest::Manifest;
use crate::model::LangMap;
use crate::model::contact::Status;
use crate::project::{Edition, Project};

pub use crate::model::html::escape;

/// Percent-encodes a relative file path for an `href` or `src` (then HTML-escaped).
pub fn url(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    escape(&out)
}

/// A page being written: markup is pushed raw, text only through [`Page::text`].
struct Page<'a> {
    html: String,
    words: &'a Settings,
}

impl Page<'_> {
    fn raw(&mut self, markup: &str) {
        self.html.push_str(markup);
    }
    fn text(&mut self, text: &str) {
        self.html.push_str(&escape(text));
    }
    fn word(&mut self, key: &str) {
        let w = escape(self.words.word(key));
        self.html.push_str(&w);
    }
    /// `<tag>word</tag>`.
    fn word_in(&mut self, tag: &str, key: &str) {
        let w = escape(self.words.word(key));
        let _ = write!(self.html, "<{tag}>{w}</{tag}>");
    }
    /// `<tag>text</tag>`.
    fn text_in(&mut self, tag: &str, text: &str) {
        let _ = write!(self.html, "<{tag}>{}</{tag}>", escape(text));
    }
    /// Each language's text in a span with its `lang`, joined by ` · `.
    fn langs(&mut self, map: &LangMap, order: &[String]) {
        let mut first = true;
        let ordered = order.iter().filter_map(|l| map.get(l).map(|t| (l, t)));
        let rest = map.iter().filter(|(l, _)| !order.contains(l));
        for (lang, text) in ordered.chain(rest) {
            if !first {
                self.raw(" · ");
            }
            first = false;
            let _ = write!(self.html, "<span lang=\"{}\">{}</span>", escape(lang), escape(text));
        }
    }
}

/// The whole page.
pub fn index(
    project: &Project,
    out: &Path,
    manifest: &Manifest,
    settings: &Settings,
    state: &State,
    changes: &Changes,
) -> Result<String, Error> {
    let mut p = Page { html: String::new(), words: settings };
    let title = format!(
        "{} — {}",
        settings.word("title"),
        project.guide.title.get("en").or_else(|| project.guide.title.values().next()).cloned().unwrap_or_default()
    );
    p.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    p.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    p.text(&title);
    p.raw("</title>\n<link rel=\"stylesheet\" href=\"review/review.css\">\n</head>\n<body>\n<header>\n<h1>");
    p.text(&title);
    p.raw("</h1>\n<p class=\"meta\">");
    p.word("built");
    p.raw(" ");
    p.text(&changes.built_at);
    p.raw(" · guidepress ");
    p.text(&changes.guidepress);
    p.raw(" · ");
    p.word("as-of");
    p.raw(" ");
    p.text(&project.guide.date);
    p.raw("</p>\n<nav aria-labelledby=\"nav-title\"><h2 id=\"nav-title\" class=\"nav-title\">");
    p.word("on-this-page");
    p.raw("</h2><ul>");
    for e in &project.editions {
        let _ = write!(p.html, "<li><a href=\"#edition-{}\">", escape(&e.id));
        p.text(&e.id);
        p.raw(" — ");
        p.langs(&e.name, &e.languages);
        p.raw("</a></li>");
    }
    p.raw("<li><a href=\"#contacts\">");
    p.word("contacts");
    p.raw("</a></li></ul></nav>\n</header>\n<main>\n");
    for e in &project.editions {
        edition(&mut p, project, out, manifest, e, state.editions.get(&e.id));
        let none = EditionChanges::default();
        changed(&mut p, changes.editions.get(&e.id).unwrap_or(&none));
        p.raw("</section>\n");
    }
    contacts(&mut p, project)?;
    p.raw("</main>\n</body>\n</html>\n");
    Ok(p.html)
}

/// A length in millimetres to a tenth (`139.7`, `210`).
fn mm(v: f64) -> String {
    let text = format!("{v:.1}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_string)
}

fn size(bytes: u64) -> String {
    if bytes >= 1_000_000 { format!("{:.1} MB", bytes as f64 / 1e6) } else { format!("{} kB", bytes.div_ceil(1000)) }
}

fn edition(
    p: &mut Page,
    project: &Project,
    out: &Path,
    manifest: &Manifest,
    e: &Edition,
    state: Option<&EditionState>,
) {
    let id = escape(&e.id);
    let _ = write!(
        p.html,
        "<section id=\"edition-{id}\" class=\"edition\" aria-labelledby=\"h-{id}\">\n<h2 id=\"h-{id}\">"
    );
    p.langs(&e.name, &e.languages);
    let _ = write!(p.html, " <span class=\"id\">({id})</span></h2>\n<div class=\"card\">\n");
    if out.join(cover_png(&e.id)).exists() {
        let alt = format!("{} {}", p.words.word("cover-of"), e.id);
        let _ = writeln!(p.html, "<img class=\"cover\" src=\"{}\" alt=\"{}\">", url(&cover_png(&e.id)), escape(&alt));
    }
    p.raw("<dl>\n");
    let entry = manifest.editions.get(&e.id);
    let pages = entry.and_then(|m| m.pages.get("press")).map_or("—".to_string(), usize::to_string);
    let trim = format!("{} × {} mm", mm(e.trim.width_mm), mm(e.trim.height_mm));
    let code = entry.map(|m| m.print_code()).filter(|c| !c.is_empty()).unwrap_or("—").to_string();
    let rows = [
        ("country", &e.country),
        ("languages", &e.languages.join(", ")),
        ("trim", &trim),
        ("pages", &pages),
        ("print-code", &code),
    ];
    for (key, value) in rows {
        p.word_in("dt", key);
        p.text_in("dd", value);
    }
    p.word_in("dt", "status");
    p.raw("<dd>");
    draft(p, project, e);
    p.raw("</dd>\n");
    p.word_in("dt", "last-rebuilt");
    match state {
        Some(s) => p.text_in("dd", &format!("{} ({})", s.built_at, s.reason)),
        None => p.word_in("dd", "not-built-yet"),
    }
    p.word_in("dt", "files");
    p.raw("<dd><ul class=\"files\">");
    for (key, rel) in [
        ("press", format!("editions/{}.pdf", e.id)),
        ("screen", format!("editions/{}-screen.pdf", e.id)),
        ("booklet", format!("editions/{}-booklet.pdf", e.id)),
        ("cards", format!("editions/{}-cards.pdf", e.id)),
    ] {
        let Ok(meta) = std::fs::metadata(out.join(&rel)) else { continue };
        let _ = write!(p.html, "<li><a href=\"{}\">", url(&rel));
        p.word(key);
        p.raw("</a> ");
        p.text(&size(meta.len()));
        p.raw("</li>");
    }
    p.raw("</ul></dd>\n</dl>\n</div>\n");
}

fn draft(p: &mut Page, project: &Project, e: &Edition) {
    if !e.draft {
        p.raw("<strong class=\"final\">");
        p.word("final");
        p.raw("</strong>");
        return;
    }
    let count = |s: Status| e.contacts.iter().filter(|c| c.status == s).count();
    let passages = project.unconfirmed_passages(&[e]).len();
    let why: Vec<String> = [
        (count(Status::Unverified), "why-unverified"),
        (count(Status::Stale), "why-stale"),
        (passages, "why-unconfirmed"),
        (project.untranslated_words(e), "why-untranslated"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, key)| format!("{n} {}", p.words.word(key)))
    .chain(translations_behind(p, project, e))
    .collect();
    p.raw("<strong class=\"draft\">");
    p.word("draft");
    p.raw("</strong>: ");
    p.text(&why.join(", "));
}

/// `translations behind their source: en/03 (outdated)`, when the edition prints any.
fn translations_behind(p: &Page, project: &Project, e: &Edition) -> Option<String> {
    let behind: Vec<String> =
        project.translations.behind(&e.languages).map(|c| format!("{} ({})", c.short(), c.standing.word())).collect();
    (!behind.is_empty()).then(|| format!("{}: {}", p.words.word("why-translations"), behind.join(", ")))
}

fn changed(p: &mut Page, c: &EditionChanges) {
    p.word_in("h3", "changes");
    let simple = match (&c.rebuilt, c.first_build) {
        (None, _) => Some(p.words.word("not-rebuilt").to_string()),
        (Some(why), true) => Some(format!("{} ({why})", p.words.word("first-build"))),
        (Some(why), false) if c.is_empty() => Some(format!("{} ({why})", p.words.word("no-change"))),
        _ => None,
    };
    if let Some(line) = simple {
        p.text_in("p", &line);
        return;
    }
    let _ = write!(p.html, "<p>{} ", escape(p.words.word("rebuilt-because")));
    p.text(c.rebuilt.as_deref().unwrap_or_default());
    p.raw("</p>\n");
    if !c.contacts_changed.is_empty() {
        p.raw("<table class=\"diff\"><caption>");
        p.word("contacts-changed");
        p.raw("</caption><thead><tr>");
        for key in ["contact", "field", "old", "new"] {
            p.raw("<th scope=\"col\">");
            p.word(key);
            p.raw("</th>");
        }
        p.raw("</tr></thead><tbody>\n");
        for ch in &c.contacts_changed {
            for f in &ch.fields {
                p.raw("<tr>");
                p.text_in("td", &format!("{} ({})", ch.name, ch.id));
                p.text_in("td", &f.field);
                let dash = "—".to_string();
                let _ = write!(p.html, "<td><del>{}</del></td>", escape(f.old.as_ref().unwrap_or(&dash)));
                let _ = write!(p.html, "<td><ins>{}</ins></td>", escape(f.new.as_ref().unwrap_or(&dash)));
                p.raw("</tr>\n");
            }
        }
        p.raw("</tbody></table>\n");
    }
    let lists = [("contacts-added", &c.contacts_added), ("contacts-removed", &c.contacts_removed)];
    for (key, list) in lists {
        if !list.is_empty() {
            p.word_in("h4", key);
            p.raw("<ul>");
            for r in list {
                p.text_in("li", &format!("{} ({})", r.name, r.id));
            }
            p.raw("</ul>\n");
        }
    }
    if !c.chapters.is_empty() {
        p.word_in("h4", "chapters-changed");
        p.raw("<ul>");
        for ch in &c.chapters {
            p.text_in("li", &format!("{} ({})", ch.file, p.words.word(&ch.change)));
        }
        p.raw("</ul>\n");
    }
    if !c.translations_outdated.is_empty() {
        p.word_in("h4", "translations-outdated");
        p.raw("<ul>");
        for t in &c.translations_outdated {
            p.text_in("li", t);
        }
        p.raw("</ul>\n");
    }
    pages(p, c);
}

fn pages(p: &mut Page, c: &EditionChanges) {
    if c.pages.is_empty() {
        return;
    }
    let list: Vec<String> = c.pages.iter().map(|x| x.page.to_string()).collect();
    let sides: Vec<String> = c.booklet_sides.iter().map(usize::to_string).collect();
    let line = format!(
        "{} {}; {} {}",
        p.words.word("pages-to-proofread"),
        list.join(", "),
        p.words.word("booklet-sides"),
        sides.join(", ")
    );
    p.text_in("p", &line);
    p.raw("<div class=\"pairs\">\n");
    for pc in &c.pages {
        p.raw("<figure class=\"pair\">");
        for (key, img) in [("before", &pc.before), ("after", &pc.after)] {
            p.raw("<div class=\"shot\">");
            let alt = format!("{} {}, {}", p.words.word("page"), pc.page, p.words.word(key));
            match img {
                Some(src) => {
                    let _ = write!(p.html, "<img src=\"{}\" alt=\"{}\">", url(src), escape(&alt));
                }
                None => p.text_in("span", &format!("{alt}: {}", p.words.word("none"))),
            }
            if let (Some(r), Some(_)) = (pc.region, img) {
                let _ = write!(
                    p.html,
                    "<span class=\"region\" style=\"left:{:.2}%;top:{:.2}%;width:{:.2}%;height:{:.2}%\"></span>",
                    r.x * 100.0,
                    r.y * 100.0,
                    r.w * 100.0,
                    r.h * 100.0
                );
            }
            p.raw("</div>");
        }
        let _ = writeln!(p.html, "<figcaption>{} {}</figcaption></figure>", escape(p.words.word("page")), pc.page);
    }
    p.raw("</div>\n");
}

fn contacts(p: &mut Page, project: &Project) -> Result<(), Error> {
    let report = crate::project::standing::report(project, &[])?;
    p.raw("<section id=\"contacts\" aria-labelledby=\"h-contacts\">\n<h2 id=\"h-contacts\">");
    p.word("contacts");
    p.raw("</h2>\n");
    p.text_in("p", &report.summary());
    p.raw("<table class=\"contacts\"><thead><tr>");
    for key in ["contact", "id", "numbers", "editions", "verified", "due-again", "status"] {
        p.raw("<th scope=\"col\">");
        p.word(key);
        p.raw("</th>");
    }
    p.raw("</tr></thead><tbody>\n");
    for r in &report.rows {
        p.raw("<tr><td>");
        p.langs(&r.names, &["en".to_string()]);
        p.raw("</td>");
        p.text_in("td", &r.id);
        p.raw("<td><ul class=\"numbers\">");
        for n in &r.numbers {
            p.text_in("li", &format!("{}: {}", n.kind, n.text));
        }
        p.raw("</ul></td>");
        p.text_in("td", &r.editions.join(", "));
        p.text_in("td", r.verified.as_deref().unwrap_or("—"));
        p.text_in("td", r.due.as_deref().unwrap_or("—"));
        let word = format!("status-{}", r.status.word());
        let _ = writeln!(p.html, "<td class=\"{}\">{}</td></tr>", escape(&word), escape(p.words.word(&word)));
    }
    p.raw("</tbody></table>\n</section>\n");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped() {
        assert_eq!(
            escape("<script>\"a\" & 'b'</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
        assert_eq!(url("editions/a b\"<.pdf"), "editions/a%20b%22%3C.pdf");
    }

    #[test]
    fn the_sample_has_every_word() {
        let settings = Settings::load(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        for key in super::super::WORDS {
            assert!(!settings.word(key).is_empty(), "{key}");
        }
    }
}
