//! QR codes for `tel:`, `sms:`, `mailto:` and `https:` payloads, as grey pixels: one byte per
//! module (0 dark, 255 light), the 4-module quiet zone included.
//!
//! The layouts place them as raw `luma8` images with `scaling: "pixelated"`, so a module is a
//! sharp square at any size and the press PDF prints the code in black ink alone (a grey image
//! goes to the K plate; an RGB one would be printed as four-colour black, which blurs the edges
//! when the plates are not in perfect register).

use qrcode::{Color, EcLevel, QrCode};

/// Light modules around the code.
pub const QUIET_ZONE: usize = 4;

/// The modules of `payload`'s QR code (error correction M) as grey pixels, row by row, quiet zone
/// included; also returns the number of modules across.
pub fn qr_gray(payload: &str) -> Result<(Vec<u8>, usize), String> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
        .map_err(|e| format!("cannot encode `{payload}` as a QR code: {e}"))?;
    let n = code.width();
    let size = n + 2 * QUIET_ZONE;
    let colors = code.to_colors();
    let mut pixels = vec![255u8; size * size];
    for (i, c) in colors.iter().enumerate() {
        if *c == Color::Dark {
            pixels[(i / n + QUIET_ZONE) * size + i % n + QUIET_ZONE] = 0;
        }
    }
    Ok((pixels, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixels_are_deterministic_square_and_decode() {
        let (a, modules) = qr_gray("tel:+18883737888").unwrap();
        assert_eq!(a, qr_gray("tel:+18883737888").unwrap().0);
        assert_eq!(modules, 21 + 8);
        assert_eq!(a.len(), modules * modules);
        assert!(a.iter().all(|&p| p == 0 || p == 255));
        // The quiet zone is light.
        assert!(a[..modules * QUIET_ZONE].iter().all(|&p| p == 255));
        let px = 4;
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(modules * px, modules * px, |x, y| {
            a[(y / px) * modules + x / px]
        });
        let decoded = img.detect_grids().first().and_then(|g| g.decode().ok()).map(|(_, s)| s);
        assert_eq!(decoded.as_deref(), Some("tel:+18883737888"));
    }
}

#[cfg(test)]
mod decode_tests {
    use qrcode::{Color, EcLevel, QrCode};

    fn roundtrip(payload: &str) -> Option<String> {
        let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M).unwrap();
        let n = code.width();
        let colors = code.to_colors();
        let px = 4;
        let size = (n + 8) * px;
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| {
            let (mx, my) = ((x / px) as isize - 4, (y / px) as isize - 4);
            if mx < 0 || my < 0 || mx >= n as isize || my >= n as isize {
                return 255;
            }
            if colors[my as usize * n + mx as usize] == Color::Dark { 0 } else { 255 }
        });
        img.detect_grids().first().and_then(|g| g.decode().ok()).map(|(_, s)| s)
    }

    #[test]
    fn sample_payloads_roundtrip() {
        for p in [
            "https://canadianhumantraffickinghotline.ca",
            "mailto:toronto@mofa.go.kr",
            "tel:+14169203809",
            "tel:+14169944490",
        ] {
            assert_eq!(roundtrip(p).as_deref(), Some(p));
        }
    }
}
