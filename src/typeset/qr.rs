//! QR codes as vector SVG, with the 4-module quiet zone, for `tel:`, `sms:`, `mailto:` and `https:` payloads.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// Renders `payload` as an SVG QR code (error correction M, quiet zone included); also returns
/// the number of modules across, quiet zones included.
pub fn qr_svg(payload: &str) -> Result<(String, usize), String> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
        .map_err(|e| format!("cannot encode `{payload}` as a QR code: {e}"))?;
    let modules = code.width() + 8;
    let svg = code
        .render::<svg::Color>()
        .quiet_zone(true)
        .module_dimensions(4, 4)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    Ok((svg, modules))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_is_deterministic_and_square() {
        let (a, modules) = qr_svg("tel:+18883737888").unwrap();
        assert_eq!(a, qr_svg("tel:+18883737888").unwrap().0);
        assert_eq!(modules, 21 + 8);
        assert!(a.starts_with("<?xml") && a.contains("<svg"));
        let width = a.split("width=\"").nth(1).unwrap().split('"').next().unwrap();
        let height = a.split("height=\"").nth(1).unwrap().split('"').next().unwrap();
        assert_eq!(width, height);
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
