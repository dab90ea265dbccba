//! QR codes for `tel:`, `sms:`, `mailto:` and `https:` payloads, as their module matrix in JSON.
//!
//! The layouts draw each code as one vector path from the matrix (`layouts/qr.typ`), filled with
//! black ink alone in the press file: a vector code is sharp in every viewer and at every zoom,
//! where a small image scaled up is smoothed (blurred) by poppler and by Acrobat's "smooth images".

use std::collections::BTreeMap;
use std::sync::Mutex;

use qrcode::{Color, EcLevel, QrCode};
use serde::Serialize;

use crate::model::contact::Contact;
use crate::typeset::world::DATA_DIR;

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

/// The QR code of `payload` as its module matrix (JSON) and its width in modules with the quiet
/// zones, encoded once per process: the shared contacts are in every edition, and each edition's
/// data is made more than once.
pub fn qr_cached(payload: &str) -> Result<(Vec<u8>, usize), crate::error::Error> {
    static CODES: Mutex<BTreeMap<String, (Vec<u8>, usize)>> = Mutex::new(BTreeMap::new());
    if let Some(code) = CODES.lock().ok().and_then(|c| c.get(payload).cloned()) {
        return Ok(code);
    }
    let matrix = qr_matrix(payload).map_err(crate::error::Error::internal)?;
    let code = (matrix.to_json(), matrix.modules());
    if let Ok(mut codes) = CODES.lock() {
        codes.insert(payload.to_string(), code.clone());
    }
    Ok(code)
}

/// Points every channel of `contacts` that has a payload at its QR code's virtual file
/// (`/.guidepress/qr/N.json`, N counting from `first`), and returns those files and the payloads
/// in order. Without `encode`, the channels name their files but no file is made (enough to
/// tell whether anything changed: the matrix follows from the payload and the tool version).
pub fn attach(contacts: &mut [Contact], first: usize, encode: bool) -> Result<QrFiles, crate::error::Error> {
    let mut out = QrFiles::default();
    for contact in contacts {
        for channel in &mut contact.channels {
            if let Some(payload) = &channel.payload {
                let path = format!("{DATA_DIR}/qr/{}.json", first + out.payloads.len());
                if encode {
                    let (matrix, modules) = qr_cached(payload)?;
                    out.virtuals.push((path.clone(), matrix));
                    channel.qr_modules = Some(modules);
                }
                channel.qr = Some(path);
                out.payloads.push(payload.clone());
            }
        }
    }
    Ok(out)
}

/// What [`attach`] made.
#[derive(Debug, Default)]
pub struct QrFiles {
    /// (virtual path, matrix JSON).
    pub virtuals: Vec<(String, Vec<u8>)>,
    /// The payloads, in order.
    pub payloads: Vec<String>,
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
