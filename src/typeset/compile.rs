//! Compiling a document, exporting it to PDF and PNG, and printing Typst diagnostics like typst-cli.

use typst::diag::{SourceDiagnostic, Warned};
use typst::foundations::{Datetime, Smart};
use typst_kit::diagnostics::termcolor::NoColor;
use typst_kit::diagnostics::{DiagnosticFormat, emit};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use super::world::DocWorld;

/// A compiled document and the warnings Typst gave, already formatted.
pub struct Compiled {
    /// The laid-out pages.
    pub document: PagedDocument,
    /// Warnings, printed like typst-cli prints them (empty when none).
    pub warnings: String,
}

/// Formats diagnostics the way typst-cli does: file:line:col, the source excerpt, hints.
pub fn render_diagnostics<'a>(world: &DocWorld, diags: impl IntoIterator<Item = &'a SourceDiagnostic>) -> String {
    let mut out = NoColor::new(Vec::new());
    if emit(&mut out, world, diags, DiagnosticFormat::Human).is_err() {
        return "error: the diagnostic could not be printed".into();
    }
    String::from_utf8_lossy(&out.into_inner()).into_owned()
}

/// Compiles the world's main file; `Err` holds the formatted errors (and warnings).
pub fn compile(world: &DocWorld) -> Result<Compiled, String> {
    let Warned { output, warnings } = typst::compile::<PagedDocument>(world);
    match output {
        Ok(document) => Ok(Compiled { document, warnings: render_diagnostics(world, &warnings) }),
        Err(errors) => Err(render_diagnostics(world, errors.iter().chain(&warnings))),
    }
}

/// What kind of PDF to write.
pub struct PdfSettings<'a> {
    /// A stable identifier of the document (e.g. `guidepress/us/press`).
    pub ident: &'a str,
    /// The document date.
    pub date: (i32, u8, u8),
    /// Standards to enforce (empty for none).
    pub standards: &'a [PdfStandard],
    /// Whether to write a tagged PDF.
    pub tagged: bool,
}

/// Exports a compiled document to PDF bytes, reproducibly.
pub fn export_pdf(world: &DocWorld, document: &PagedDocument, settings: &PdfSettings) -> Result<Vec<u8>, String> {
    let (y, m, d) = settings.date;
    let datetime = Datetime::from_ymd_hms(y, m, d, 0, 0, 0).ok_or("invalid document date")?;
    let standards = PdfStandards::new(settings.standards).map_err(|e| format!("error: {}", e.message()))?;
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

/// Renders one page to PNG bytes at `ppi` pixels per inch.
pub fn render_png(document: &PagedDocument, page: usize, ppi: f32) -> Option<Vec<u8>> {
    let page = document.pages().get(page)?;
    let pixmap = typst_render::render(
        page,
        &typst_render::RenderOptions { pixel_per_pt: (f64::from(ppi) / 72.0).into(), render_bleed: false },
    );
    pixmap.encode_png().ok()
}
