//! The files `init` and `new edition` write. Every value that comes from the command line is
//! checked before it gets here (ids, country codes and language codes are plain ASCII).

use super::NewEdition;
use crate::model::country::country_name;
use crate::project::words::MARK;

/// `guidepress.toml` of a new project.
pub fn config(languages: &[String], date: &str) -> String {
    let mut s = String::from(
        "# The guide: titles per language, publisher, version and date. Contacts printed in every\n\
         # edition go here as [[contact]] tables; an edition's own contacts in editions/<id>.toml.\n\n[guide]\n",
    );
    for (key, ko, en) in [("title", "안내서 제목", "Title of the guide"), ("publisher", "발행 기관", "Publisher")]
    {
        for lang in languages {
            let text = match lang.as_str() {
                "ko" => ko.to_string(),
                "en" => en.to_string(),
                _ => format!("{en} (translate into {lang})"),
            };
            s.push_str(&format!("{key}.{lang} = \"{text}\"\n"));
        }
    }
    s.push_str(&format!("version = \"0.1\"\ndate = {date}\nstale-after-days = 730\n"));
    s
}

/// `editions/<id>.toml` of a new edition: the country's name and a commented contact to fill in.
pub fn edition(e: &NewEdition) -> String {
    let country = e.country.to_ascii_uppercase();
    let name = country_name(&country).unwrap_or(&country);
    let languages: Vec<String> = e.languages.iter().map(|l| format!("\"{l}\"")).collect();
    let mut s = format!(
        "# The {name} edition. Every contact needs a `source` and, once someone has confirmed its\n\
         # details, `verified = YYYY-MM-DD`; until then the edition is a draft.\n\
         country = \"{country}\"\nlanguages = [{}]\n",
        languages.join(", ")
    );
    for lang in e.languages {
        let note = if lang == "en" { "" } else { "  # translate" };
        s.push_str(&format!("name.{lang} = \"{name}\"{note}\n"));
    }
    s.push_str(
        "\n# The local emergency number: fill in, check it on an official site, then remove the #s.\n\
         # [[contact]]\n# kind = \"emergency\"\n",
    );
    for lang in e.languages {
        s.push_str(&format!("# name.{lang} = \"…\"\n"));
    }
    s.push_str("# short = \"…\"\n# source = \"…\"\n");
    s
}

/// The first chapter of a new project in `lang`: a title and a passage marked unconfirmed.
pub fn chapter(lang: &str) -> String {
    let (title, body) = match lang {
        "ko" => ("소개", "이 장의 내용을 쓰세요. 출처를 확인한 뒤 #unconfirmed 표시를 지우세요."),
        _ => (
            "Introduction",
            "Write this chapter. Remove the #unconfirmed mark once its facts are checked against a source.",
        ),
    };
    format!("#import \"/layouts/prose.typ\": unconfirmed\n\n= {title}\n\n#unconfirmed[{body}]\n")
}

/// A README for the editors of a new project.
pub fn readme(e: &NewEdition) -> String {
    format!(
        "# A guidepress project\n\n\
         - `guidepress.toml`: the guide's titles, publisher, version and date, and contacts shared by every edition.\n\
         - `editions/{id}.toml`: the {country} edition: its languages, name and contacts.\n\
         - `chapters/<language>/NN-slug.typ`: the chapters, the same file names in every language.\n\
         - `layouts/`: how the pages look; `layouts/strings.toml`: the words the layouts print.\n\
         - `fonts/`: the only fonts used (see their licences in `fonts/licenses/`).\n\n\
         Build the editions with `guidepress build` (PDFs in `out/editions/`), check everything with\n\
         `guidepress check`, see which contacts need confirming with `guidepress contacts`.\n\
         A passage marked `#unconfirmed[…]` prints marked and blocks `guidepress build --final`.\n",
        id = e.id,
        country = e.country.to_ascii_uppercase(),
    )
}

/// The words of a new language `tag` for `layouts/strings.toml`: every word of `[en]` (and its
/// sub-tables) that `needed` keeps, in the same order, each still in English and marked
/// [`MARK`], so the edition builds at once as a draft. `None` when `strings` has no `[en]`.
pub fn words(strings: &str, tag: &str, needed: &dyn Fn(&str) -> bool) -> Option<String> {
    let doc: toml_edit::DocumentMut = strings.parse().ok()?;
    let en = doc.get("en")?.as_table()?;
    let mut out = format!(
        "\n# The words in {tag}: each is still the English text, marked `{MARK}`. Replace the text with its\n\
         # translation and delete the mark; a word still marked prints in English and makes the edition a draft.\n[{tag}]\n"
    );
    let mut subtables = Vec::new();
    table_words(&mut out, en, "", "", needed, &mut subtables);
    for (name, table) in subtables {
        out.push_str(&format!("\n[{tag}.{name}]\n"));
        table_words(&mut out, table, &format!("{name}."), "", needed, &mut Vec::new());
    }
    Some(out)
}

fn table_words<'t>(
    out: &mut String,
    table: &'t toml_edit::Table,
    path: &str,
    prefix: &str,
    needed: &dyn Fn(&str) -> bool,
    subtables: &mut Vec<(String, &'t toml_edit::Table)>,
) {
    for (key, item) in table.iter() {
        let shown = if key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            key.to_string()
        } else {
            format!("{key:?}")
        };
        match item {
            toml_edit::Item::Value(v) if needed(&format!("{path}{key}")) => {
                let mut v = v.clone();
                v.decor_mut().clear();
                out.push_str(&format!("{prefix}{shown} = {v}  {MARK}\n"));
            }
            toml_edit::Item::Table(t) if t.is_dotted() => {
                table_words(out, t, &format!("{path}{key}."), &format!("{prefix}{shown}."), needed, subtables);
            }
            toml_edit::Item::Table(t) => subtables.push((shown, t)),
            _ => {}
        }
    }
}
