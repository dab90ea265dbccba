//! The pixel size an image file declares in its header (PNG, JPEG, GIF, WebP), read before Typst
//! decodes it, so that a small file claiming a huge picture is refused instead of unpacked.

/// The most pixels one image may have (e.g. 8,000 × 6,250): a full-page photo at 600 dpi has
/// about 35 million.
pub const MAX_PIXELS: u64 = 50_000_000;
/// The most pixels one side of an image may have.
pub const MAX_SIDE: u64 = 20_000;

/// Why an image may not be decoded (its size and the limits), or `None` when it may (or is not
/// an image this module reads: Typst then judges it).
pub fn too_large(bytes: &[u8]) -> Option<String> {
    let (w, h) = declared_size(bytes)?;
    (w > MAX_SIDE || h > MAX_SIDE || w * h > MAX_PIXELS).then(|| {
        format!(
            "the image declares {w} × {h} pixels, more than guidepress decodes ({MAX_SIDE} pixels a side and \
             {} million pixels in all); scale it down in an image editor (300 dpi at its printed size is plenty)",
            MAX_PIXELS / 1_000_000
        )
    })
}

/// Width and height as the file's header states them.
pub fn declared_size(b: &[u8]) -> Option<(u64, u64)> {
    let be32 = |i: usize| b.get(i..i + 4).map(|s| u64::from(u32::from_be_bytes([s[0], s[1], s[2], s[3]])));
    let be16 = |i: usize| b.get(i..i + 2).map(|s| u64::from(u16::from_be_bytes([s[0], s[1]])));
    let le16 = |i: usize| b.get(i..i + 2).map(|s| u64::from(u16::from_le_bytes([s[0], s[1]])));
    let le24 = |i: usize| b.get(i..i + 3).map(|s| u64::from(s[0]) | u64::from(s[1]) << 8 | u64::from(s[2]) << 16);
    if b.starts_with(b"\x89PNG\r\n\x1a\n") && b.get(12..16) == Some(b"IHDR") {
        return Some((be32(16)?, be32(20)?));
    }
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        return Some((le16(6)?, le16(8)?));
    }
    if b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WEBP") {
        return match b.get(12..16)? {
            b"VP8X" => Some((le24(24)? + 1, le24(27)? + 1)),
            b"VP8L" => {
                let v = u64::from(u32::from_le_bytes(b.get(21..25)?.try_into().ok()?));
                Some(((v & 0x3FFF) + 1, ((v >> 14) & 0x3FFF) + 1))
            }
            b"VP8 " => Some((le16(26)? & 0x3FFF, le16(28)? & 0x3FFF)),
            _ => None,
        };
    }
    if b.starts_with(b"\xFF\xD8") {
        // Walk the JPEG segments to the first start-of-frame marker.
        let mut i = 2;
        while b.get(i) == Some(&0xFF) {
            let marker = *b.get(i + 1)?;
            if marker == 0xFF {
                i += 1;
                continue;
            }
            let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
            if is_sof {
                return Some((be16(i + 7)?, be16(i + 5)?));
            }
            i += 2 + usize::try_from(be16(i + 2)?).ok()?;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend(w.to_be_bytes());
        b.extend(h.to_be_bytes());
        b
    }

    #[test]
    fn headers_tell_the_size() {
        assert_eq!(declared_size(&png(640, 480)), Some((640, 480)));
        assert_eq!(declared_size(b"GIF89a\x80\x02\xe0\x01"), Some((640, 480)));
        let jpeg = b"\xFF\xD8\xFF\xE0\x00\x04ab\xFF\xC0\x00\x11\x08\x01\xe0\x02\x80";
        assert_eq!(declared_size(jpeg), Some((640, 480)));
        let mut webp = b"RIFF\0\0\0\0WEBPVP8X\0\0\0\0\0\0\0\0".to_vec();
        webp.extend([0x7f, 0x02, 0x00, 0xdf, 0x01, 0x00]);
        assert_eq!(declared_size(&webp), Some((640, 480)));
        assert_eq!(declared_size(b"<svg/>"), None);
    }

    #[test]
    fn a_bomb_is_refused_and_a_photo_is_not() {
        assert_eq!(too_large(&png(6000, 4000)), None);
        let why = too_large(&png(60_000, 60_000)).unwrap();
        assert!(why.starts_with("the image declares 60000 × 60000 pixels"), "{why}");
        assert!(too_large(&png(10_000, 10_000)).is_some());
    }
}
