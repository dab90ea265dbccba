//! QR codes for `tel:`, `sms:`, `mailto:` and `https:` payloads, as their module matrix in JSON.
//!
//! The layouts draw each code as one vector path from the matrix (`layouts/qr.typ`), filled with
//! black ink alone in the press file: a vector code is sharp in every viewer and at every zoom,
//! where a small image scaled up is smoothed (blurred) by poppler and by Acrobat's "smooth images".

use qrcode::{Color, EcLevel, QrCode};
use serde::Serialize;

/// Light modules around the code.
pub const QUIET_ZONE: usize = 4;

/// A QR code's modules as the layouts read them (`/.guidepress/qr/N.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matrix {
    /// Modules across the symbol, quiet zone excluded.
    pub size: usize,
    /// Light modules to leave around the symbol on every side.
    pub quiet: usize,
    /// The symbol row by row, top first: `1` a dark module, `0` a light one.
    pub rows: Vec<String>,
}

impl Matrix {
    /// Modules across the code with its quiet zones: what the layouts size it by.
    pub fn modules(&self) -> usize {
        self.size + 2 * self.quiet
    }

    /// Whether the module at column `x`, row `y` of the symbol is dark.
    pub fn dark(&self, x: usize, y: usize) -> bool {
        self.rows[y].as_bytes()[x] == b'1'
    }

    /// The JSON bytes served to Typst.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a matrix is always serialisable")
    }
}

/// The module matrix of `payload`'s QR code (error correction M).
pub fn qr_matrix(payload: &str) -> Result<Matrix, String> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
        .map_err(|e| format!("cannot encode `{payload}` as a QR code: {e}"))?;
    let n = code.width();
    let colors = code.to_colors();
    let rows =
        colors.chunks(n).map(|row| row.iter().map(|c| if *c == Color::Dark { '1' } else { '0' }).collect()).collect();
    Ok(Matrix { size: n, quiet: QUIET_ZONE, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders the matrix at `px` pixels per module, quiet zone included, and decodes it.
    fn decode(m: &Matrix, px: usize) -> Option<String> {
        let side = m.modules() * px;
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            let (mx, my) = ((x / px) as isize - m.quiet as isize, (y / px) as isize - m.quiet as isize);
            let inside = mx >= 0 && my >= 0 && (mx as usize) < m.size && (my as usize) < m.size;
            if inside && m.dark(mx as usize, my as usize) { 0 } else { 255 }
        });
        img.detect_grids().first().and_then(|g| g.decode().ok()).map(|(_, s)| s)
    }

    #[test]
    fn matrix_is_deterministic_square_and_decodes() {
        let m = qr_matrix("tel:+18883737888").unwrap();
        assert_eq!(m, qr_matrix("tel:+18883737888").unwrap());
        assert_eq!(m.size, 21);
        assert_eq!(m.modules(), 29);
        assert_eq!(m.rows.len(), 21);
        assert!(m.rows.iter().all(|r| r.len() == 21 && r.bytes().all(|b| b == b'0' || b == b'1')));
        // A finder pattern's corner module is dark.
        assert!(m.dark(0, 0) && m.dark(20, 0) && m.dark(0, 20));
        assert_eq!(decode(&m, 4).as_deref(), Some("tel:+18883737888"));
    }

    #[test]
    fn sample_payloads_roundtrip() {
        for p in [
            "https://canadianhumantraffickinghotline.ca",
            "mailto:toronto@mofa.go.kr",
            "tel:+14169203809",
            "sms:233733",
        ] {
            assert_eq!(decode(&qr_matrix(p).unwrap(), 3).as_deref(), Some(p));
        }
    }

    #[test]
    fn json_has_size_quiet_and_rows() {
        let json: serde_json::Value = serde_json::from_slice(&qr_matrix("tel:112").unwrap().to_json()).unwrap();
        assert_eq!(json["size"], 21);
        assert_eq!(json["quiet"], 4);
        assert_eq!(json["rows"].as_array().unwrap().len(), 21);
    }
}
