//! Compiling a document, exporting it to PDF and PNG, and printing Typst diagnostics like typst-cli.

use typst::World;
use typst::diag::{Severity, SourceDiagnostic, Warned};
use typst::foundations::{Datetime, Smart};
use typst_kit::diagnostics::termcolor::NoColor;
use typst_kit::diagnostics::{DiagnosticFormat, emit};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use super::world::DocWorld;
use crate::error::Diagnostics;

/// A compiled document and the warnings Typst gave, already formatted.
pub struct Compiled {
    /// The laid-out pages.
    pub document: PagedDocument,
    /// Warnings, as typst-cli prints them and one line each (empty when none).
    pub warnings: Diagnostics,
}

/// Formats diagnostics the way typst-cli does, both ways: `human` (file:line:col, the source
/// excerpt, hints) and `short` (one line each).
pub fn render_diagnostics<'a>(
    world: &DocWorld,
    diags: impl IntoIterator<Item = &'a SourceDiagnostic> + Clone,
) -> Diagnostics {
    let render = |format| {
        let mut out = NoColor::new(Vec::new());
        if emit(&mut out, world, diags.clone(), format).is_err() {
            return "error: the diagnostic could not be printed\n".into();
        }
        String::from_utf8_lossy(&out.into_inner()).into_owned()
    };
    Diagnostics { human: render(DiagnosticFormat::Human), short: render(DiagnosticFormat::Short) }
}

/// Diagnostics for a problem Typst did not report itself (e.g. a setting it refused).
fn plain(message: impl std::fmt::Display) -> Diagnostics {
    Diagnostics { human: format!("error: {message}\n"), short: format!("error: {message}\n") }
}

/// Compiles the world's main file; `Err` holds the formatted errors (and warnings).
///
/// A font family that no file in `fonts/` provides is an error, not Typst's warning: Typst
/// would silently fall back to another font.
pub fn compile(world: &DocWorld) -> Result<Compiled, Diagnostics> {
    let Warned { output, warnings } = typst::compile::<PagedDocument>(world);
    let (fatal, warnings): (Vec<_>, Vec<_>) =
        warnings.into_iter().partition(|w| w.message.starts_with("unknown font family"));
    let fatal = missing_families(world, fatal);
    match output {
        Ok(document) if fatal.is_empty() => Ok(Compiled { document, warnings: render_diagnostics(world, &warnings) }),
        Ok(_) => Err(render_diagnostics(world, fatal.iter().chain(&warnings))),
        Err(errors) => Err(render_diagnostics(world, errors.iter().chain(&fatal).chain(&warnings))),
    }
}

/// Typst's "unknown font family" warnings as errors saying which families fonts/ has: one
/// per family, at its first place in the layouts.
fn missing_families(world: &DocWorld, warnings: Vec<SourceDiagnostic>) -> Vec<SourceDiagnostic> {
    let mut families: Vec<&str> = world.book().families().map(|(name, _)| name).collect();
    families.sort_unstable();
    // (file, line, column) of a diagnostic, from its span, so the choice is stable.
    let place = |w: &SourceDiagnostic| -> (String, usize, usize) {
        let Some(id) = w.span.id() else { return (String::new(), 0, 0) };
        let Ok(source) = world.source(id) else { return (String::new(), 0, 0) };
        let start = typst::WorldExt::range(world, w.span).map_or(0, |r| r.start);
        let lines = source.lines();
        let line = lines.byte_to_line(start).unwrap_or(0);
        let column = lines.byte_to_column(start).unwrap_or(0);
        (id.vpath().get_without_slash().to_string(), line, column)
    };
    type Place = (String, usize, usize);
    let mut by_family: std::collections::BTreeMap<String, Vec<(Place, SourceDiagnostic)>> = Default::default();
    for w in warnings {
        by_family.entry(w.message.to_string()).or_default().push((place(&w), w));
    }
    by_family
        .into_values()
        .map(|mut places| {
            places.sort_by(|a, b| a.0.cmp(&b.0));
            let n = places.len();
            let mut w = places.swap_remove(0).1;
            w.severity = Severity::Error;
            w.message = w.message.replacen("unknown font family", "no font file in fonts/ has the font family", 1);
            if n > 1 {
                w.hint("the layouts ask for this family in other places too; this is the first");
            }
            w.hint(format!(
                "add the font file of this family to fonts/, or use a family fonts/ has: {}",
                families.join(", ")
            ));
            w
        })
        .collect()
}

/// What kind of PDF to write.
pub struct PdfSettings<'a> {
    /// A stable identifier of the document (e.g. `guidepress/us/press`).
    pub ident: &'a str,
    /// The document date.
    pub date: crate::model::date::Date,
    /// Standards to enforce (empty for none).
    pub standards: &'a [PdfStandard],
    /// Whether to write a tagged PDF.
    pub tagged: bool,
}

/// Exports a compiled document to PDF bytes, reproducibly.
pub fn export_pdf(world: &DocWorld, document: &PagedDocument, settings: &PdfSettings) -> Result<Vec<u8>, Diagnostics> {
    let date = settings.date;
    let datetime = Datetime::from_ymd_hms(date.year, date.month, date.day, 0, 0, 0)
        .ok_or_else(|| plain(format!("{date} is not a date Typst can write")))?;
    let standards = PdfStandards::new(settings.standards).map_err(|e| plain(e.message()))?;
    let options = PdfOptions {
        ident: Smart::Custom(settings.ident.to_string()),
        creator: Smart::Custom(Some(format!("guidepress {}", env!("CARGO_PKG_VERSION")))),
        timestamp: Some(Timestamp::new_utc(datetime)),
        page_ranges: None,
        standards,
        tagged: settings.tagged,
        pretty: false,
    };
    typst_pdf::pdf(document, &options).map_err(|errors| render_diagnostics(world, &errors))
}

/// The values of every metadata element labelled `name` in `doc`, as JSON, in document order.
pub fn metadata(doc: &PagedDocument, name: &str) -> Vec<serde_json::Value> {
    use typst::foundations::{Label, Selector};
    use typst::introspection::{Introspector, MetadataElem};
    let Some(label) = Label::new(typst::utils::PicoStr::intern(name)) else { return Vec::new() };
    doc.introspector()
        .query(&Selector::Label(label))
        .iter()
        .filter_map(|c| c.to_packed::<MetadataElem>())
        .filter_map(|m| serde_json::to_value(&m.value).ok())
        .collect()
}

/// Renders one page to PNG bytes at `ppi` pixels per inch.
pub fn render_png(document: &PagedDocument, page: usize, ppi: f32) -> Option<Vec<u8>> {
    let page = document.pages().get(page)?;
    let pixmap = typst_render::render(
        page,
        &typst_render::RenderOptions { pixel_per_pt: (f64::from(ppi) / 72.0).into(), render_bleed: false },
    );
    pixmap.encode_png().ok()
}
