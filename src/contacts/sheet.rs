//! The call sheet: the contacts report typeset with `layouts/callsheet.typ` as a PDF to print,
//! one row per contact with boxes to tick and room for the date and initials. The report
//! reaches the layout as JSON (`/.guidepress/callsheet.json`), never as markup.

use std::sync::Arc;

use serde::Serialize;

use crate::diag::{Problem, Problems};
use crate::error::Error;
use crate::model::LangMap;
use crate::project::Project;
use crate::project::standing::Report;
use crate::typeset::compile::{self, PdfSettings};
use crate::typeset::coverage;
use crate::typeset::fonts::Fonts;
use crate::typeset::world::{Base, DocWorld};

/// The layout, relative to the project.
pub const LAYOUT: &str = "layouts/callsheet.typ";
/// Where the layout finds the report.
pub const DATA: &str = "/.guidepress/callsheet.json";

/// What the layout receives.
#[derive(Serialize)]
struct SheetData<'a> {
    /// The guide's title per language.
    title: &'a LangMap,
    /// The guide's version.
    version: &'a str,
    /// The report.
    report: &'a Report,
    /// `[ok, due, overdue, unverified]` counts.
    counts: [usize; 4],
}

/// A typeset call sheet.
pub struct Sheet {
    /// The PDF.
    pub pdf: Vec<u8>,
    /// Pages.
    pub pages: usize,
    /// Typst's warnings.
    pub warnings: crate::error::Diagnostics,
}

/// Typesets the call sheet of `report` (dated the guide's date, so the same report gives the
/// same bytes).
pub fn call_sheet(project: &Project, report: &Report) -> Result<Sheet, Error> {
    if !project.root.join(LAYOUT).is_file() {
        let mut p = Problems::default();
        p.push(Problem::file(LAYOUT, "is missing; the call sheet is typeset with it"));
        return Err(Error::Problems(p));
    }
    let fonts = Fonts::load(&project.root)?;
    check_glyphs(report, &fonts)?;
    let base = Base::new(&project.root, Arc::new(fonts)).map_err(|e| Error::io(&project.root, e))?;
    let data = SheetData {
        title: &project.guide.title,
        version: &project.guide.version,
        report,
        counts: report.counts().map(|(_, n)| n),
    };
    let json = serde_json::to_vec(&data).map_err(Error::internal)?;
    let date = project.guide.ymd;
    let world =
        DocWorld::new(&base, &format!("/{LAYOUT}"), vec![(DATA.to_string(), json)], date).map_err(Error::internal)?;
    let compiled = compile::compile(&world).map_err(|d| Error::typst("the call sheet", d))?;
    let settings = PdfSettings { ident: "guidepress/callsheet", date, standards: &[], tagged: false };
    let pdf =
        compile::export_pdf(&world, &compiled.document, &settings).map_err(|d| Error::typst("the call sheet", d))?;
    Ok(Sheet { pdf, pages: compiled.document.pages().len(), warnings: compiled.warnings })
}

/// Every character the sheet prints must be drawable: the source is printed nowhere else, so
/// the build's glyph check has not seen it.
fn check_glyphs(report: &Report, fonts: &Fonts) -> Result<(), Problems> {
    let mut problems = Problems::default();
    for r in &report.rows {
        let fields = r
            .names
            .iter()
            .map(|(lang, name)| (format!("name.{lang}"), name.as_str()))
            .chain(r.source.as_deref().map(|s| ("source".to_string(), s)));
        for (field, text) in fields {
            if let Some(c) = coverage::first_undrawable(text, fonts) {
                problems.push(Problem::line(
                    &r.file,
                    r.line,
                    format!(
                        "contact `{}`: `{field}` has the character \"{c}\" (U+{:04X}), which no font in fonts/ can draw, \
                         so the call sheet cannot print it; replace it",
                        r.id, c as u32
                    ),
                ));
            }
        }
    }
    problems.into_result()
}
