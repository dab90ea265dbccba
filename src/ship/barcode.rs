//! Code 128 barcodes for box labels: the modules and an SVG for printing; the scanline decoder
//! that tests read labels back with is [`decode`].

use barcoders::sym::code128::Code128;
use std::fmt::Write as _;

pub mod decode;

pub use decode::{decode_all_code128, decode_code128};

/// Light modules printed on each side of the symbol (the quiet zone scanners need).
pub const QUIET_ZONE_MODULES: usize = 10;

/// Why a text cannot be made into a barcode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BarcodeError {
    /// Nothing to encode.
    #[error("the barcode text is empty")]
    Empty,
    /// A character Code 128 set B cannot hold.
    #[error(
        "`{ch}` (character {position} of `{data}`) cannot be put in a barcode; use only \
         letters A-Z and a-z, digits, spaces and plain punctuation"
    )]
    Unsupported {
        /// The whole text.
        data: String,
        /// The character that does not fit.
        ch: char,
        /// Its position in the text, counting from 1.
        position: usize,
    },
    /// A barcode with no height.
    #[error("a barcode must be at least 1 unit high")]
    ZeroHeight,
    /// The encoder refused the text (should not happen after our own checks).
    #[error("the barcode for `{data}` could not be made")]
    Encoder {
        /// The text.
        data: String,
    },
}

/// The modules (true = dark) of a Code 128 set B symbol for `data`, quiet zones included.
///
/// `data` may contain the printable ASCII characters (space to `~`) only.
pub fn code128_modules(data: &str) -> Result<Vec<bool>, BarcodeError> {
    if data.is_empty() {
        return Err(BarcodeError::Empty);
    }
    if let Some((i, ch)) = data.chars().enumerate().find(|(_, c)| !(' '..='~').contains(c)) {
        return Err(BarcodeError::Unsupported { data: data.to_string(), ch, position: i + 1 });
    }
    // 'Ɓ' tells barcoders to start in character set B.
    let code = Code128::new(format!("Ɓ{data}")).map_err(|_| BarcodeError::Encoder { data: data.to_string() })?;
    let quiet = std::iter::repeat_n(false, QUIET_ZONE_MODULES);
    Ok(quiet.clone().chain(code.encode().into_iter().map(|m| m == 1)).chain(quiet).collect())
}

/// A Code 128 (set B) barcode for `data` as an SVG document, with a quiet zone of
/// [`QUIET_ZONE_MODULES`] on each side.
///
/// The drawing is measured in modules: one module is 1 unit wide and the symbol is
/// `height_px` units high, so a layout scales it to the width it wants (at least 0.25 mm per
/// module for reliable scanning). The symbology is encoded by `barcoders`; the SVG is written
/// here so that each bar is one rectangle (no hairline seams between adjacent modules when
/// rendered) and the output is byte-for-byte deterministic.
pub fn code128_svg(data: &str, height_px: u32) -> Result<String, BarcodeError> {
    if height_px == 0 {
        return Err(BarcodeError::ZeroHeight);
    }
    let modules = code128_modules(data)?;
    let (w, h) = (modules.len(), height_px);
    let mut bars = String::new();
    for (start, len) in runs(&modules).into_iter().filter(|r| r.dark).map(|r| (r.start, r.len)) {
        let _ = write!(bars, "M{start} 0h{len}v{h}h-{len}z");
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\
         <path d=\"{bars}\" fill=\"#000000\"/></svg>"
    ))
}

#[derive(Debug, Clone, Copy)]
struct Run {
    dark: bool,
    start: usize,
    len: usize,
}

fn runs(line: &[bool]) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for (i, &d) in line.iter().enumerate() {
        match out.last_mut() {
            Some(r) if r.dark == d => r.len += 1,
            _ => out.push(Run { dark: d, start: i, len: 1 }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_have_quiet_zones_and_the_standard_length() {
        let m = code128_modules("ORD-2026-014-2").unwrap();
        // start + 14 data + check = 16 symbols of 11, stop 13, quiet 2 × 10.
        assert_eq!(m.len(), 16 * 11 + 13 + 2 * QUIET_ZONE_MODULES);
        assert!(m[..QUIET_ZONE_MODULES].iter().all(|d| !d));
        assert!(m[m.len() - QUIET_ZONE_MODULES..].iter().all(|d| !d));
        assert!(m[QUIET_ZONE_MODULES] && m[m.len() - QUIET_ZONE_MODULES - 1]);
    }

    #[test]
    fn svg_is_deterministic_and_one_rectangle_per_bar() {
        let svg = code128_svg("ORD-2026-014-2", 40).unwrap();
        assert_eq!(svg, code128_svg("ORD-2026-014-2", 40).unwrap());
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("viewBox=\"0 0 209 40\""));
        let bars = runs(&code128_modules("ORD-2026-014-2").unwrap()).iter().filter(|r| r.dark).count();
        assert_eq!(svg.matches('M').count(), bars);
        // The first bar starts right after the quiet zone.
        assert!(svg.contains("d=\"M10 0h2v40h-2z"));
    }

    #[test]
    fn bad_input_is_an_error() {
        assert_eq!(code128_svg("", 10), Err(BarcodeError::Empty));
        assert_eq!(code128_svg("A", 0), Err(BarcodeError::ZeroHeight));
        let err = code128_svg("ORD-2026-011-서", 10).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`서` (character 14 of `ORD-2026-011-서`) cannot be put in a barcode; use only \
             letters A-Z and a-z, digits, spaces and plain punctuation"
        );
        for bad in ["tab\there", "é", "Ɓ", "À", "Ć", "\u{7f}", "line\n"] {
            assert!(code128_modules(bad).is_err(), "{bad:?}");
        }
    }
}
