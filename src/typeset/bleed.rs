//! The BleedBox of press PDFs: Typst writes a TrimBox but no BleedBox; print shops read both.

/// Sets a BleedBox equal to the MediaBox on every page that has a TrimBox (Typst writes none).
///
/// Typst's PDFs have plain page objects and one classic cross-reference table, so the box is
/// inserted into each page object and the table's offsets are moved; a file of any other shape
/// is rewritten through lopdf instead.
pub fn add_bleed_box(pdf: &[u8]) -> Result<Vec<u8>, String> {
    match insert_bleed_boxes(pdf) {
        Some(out) => Ok(out),
        None => add_bleed_box_lopdf(pdf),
    }
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// A PDF's one classic cross-reference table: where it starts, where its entries start, the
/// `startxref` keyword's offset, and each entry's (offset, in use).
struct Xref {
    at: usize,
    head_end: usize,
    startxref: usize,
    offsets: Vec<(usize, bool)>,
}

/// The trailer: `startxref\n<offset>\n%%EOF`, pointing at `xref\n0 <count>\n` and <count>
/// entries of 20 bytes; `None` for any other shape (e.g. an incremental update).
fn read_xref(pdf: &[u8]) -> Option<Xref> {
    let sx = rfind(pdf, b"startxref")?;
    let xref_at: usize = std::str::from_utf8(pdf.get(sx + 9..)?).ok()?.split_whitespace().next()?.parse().ok()?;
    let head_end = find(pdf, b"\n", find(pdf, b"\n", xref_at)? + 1)? + 1;
    let head = std::str::from_utf8(pdf.get(xref_at..head_end)?).ok()?;
    let mut words = head.split_whitespace();
    if words.next()? != "xref" || words.next()? != "0" {
        return None;
    }
    let count: usize = words.next()?.parse().ok()?;
    let entries = pdf.get(head_end..head_end + 20 * count)?;
    let trailer = pdf.get(head_end + 20 * count..sx)?;
    if !trailer.starts_with(b"trailer") || trailer.windows(5).any(|w| w == b"/Prev") {
        return None;
    }
    let mut offsets = Vec::with_capacity(count);
    for e in entries.chunks(20) {
        let text = std::str::from_utf8(&e[..18]).ok()?;
        let (offset, kind) = (text.get(..10)?.parse::<usize>().ok()?, text.get(17..18)?);
        offsets.push((offset, kind == "n"));
    }
    Some(Xref { at: xref_at, head_end, startxref: sx, offsets })
}

/// [`add_bleed_box`] by inserting bytes; `None` when the file is not laid out as expected.
fn insert_bleed_boxes(pdf: &[u8]) -> Option<Vec<u8>> {
    let Xref { at: xref_at, head_end, startxref: sx, offsets } = read_xref(pdf)?;
    let count = offsets.len();
    let entries = &pdf[head_end..head_end + 20 * count];
    let trailer = &pdf[head_end + 20 * count..sx];
    // Every page object with a TrimBox gets its MediaBox as BleedBox, before the closing `>>`;
    // any TrimBox found elsewhere means the file is not what this expects.
    let mut inserts: Vec<(usize, Vec<u8>)> = Vec::new();
    for &(offset, _) in offsets.iter().skip(1).filter(|(_, used)| *used) {
        let header = pdf.get(offset..(offset + 40).min(pdf.len()))?;
        let Some(dict) = find(header, b" obj\n<</Type/Page/", 0).map(|at| offset + at + 5) else { continue };
        let end = find(pdf, b">>\nendobj", dict)?;
        let object = &pdf[dict..end];
        if !object.windows(8).any(|w| w == b"/TrimBox") || object.windows(9).any(|w| w == b"/BleedBox") {
            continue;
        }
        let media_at = find(object, b"/MediaBox[", 0)?;
        let media_end = find(object, b"]", media_at)? + 1;
        let mut text = b"/BleedBox".to_vec();
        text.extend_from_slice(&object[media_at + 9..media_end]);
        inserts.push((end, text));
    }
    let trim_boxes = pdf.windows(8).filter(|w| w == b"/TrimBox").count();
    if inserts.len() != trim_boxes {
        return None;
    }
    inserts.sort_by_key(|(at, _)| *at);
    // Bytes inserted before each insertion point, for moving the offsets after it.
    let before: Vec<usize> = inserts
        .iter()
        .scan(0, |sum, (_, t)| {
            *sum += t.len();
            Some(*sum - t.len())
        })
        .collect();
    let moved = |at: usize| {
        let k = inserts.partition_point(|(i, _)| *i < at);
        at + before.get(k).copied().unwrap_or_else(|| inserts.iter().map(|(_, t)| t.len()).sum())
    };
    let mut out = Vec::with_capacity(pdf.len() + inserts.iter().map(|(_, t)| t.len()).sum::<usize>());
    let mut from = 0;
    for (at, text) in &inserts {
        out.extend_from_slice(&pdf[from..*at]);
        out.extend_from_slice(text);
        from = *at;
    }
    out.extend_from_slice(&pdf[from..xref_at]);
    let new_xref = out.len();
    out.extend_from_slice(&pdf[xref_at..head_end]);
    for (e, &(offset, used)) in entries.chunks(20).zip(&offsets) {
        let offset = if used { moved(offset) } else { offset };
        out.extend_from_slice(format!("{offset:010}").as_bytes());
        out.extend_from_slice(&e[10..]);
    }
    out.extend_from_slice(trailer);
    out.extend_from_slice(format!("startxref\n{new_xref}\n%%EOF").as_bytes());
    Some(out)
}

/// [`add_bleed_box`] by reading and rewriting the whole file with lopdf.
fn add_bleed_box_lopdf(pdf: &[u8]) -> Result<Vec<u8>, String> {
    let mut doc = lopdf::Document::load_mem(pdf).map_err(|e| format!("error: cannot read the press PDF back: {e}"))?;
    let pages: Vec<lopdf::ObjectId> = doc.get_pages().values().copied().collect();
    for id in pages {
        let page = doc.get_dictionary_mut(id).map_err(|e| format!("error: press PDF page: {e}"))?;
        if page.has(b"TrimBox")
            && let Ok(media) = page.get(b"MediaBox").cloned()
        {
            page.set("BleedBox", media);
        }
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| format!("error: cannot write the press PDF: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-page PDF laid out as Typst writes it: plain objects, one classic xref table.
    fn typst_like_pdf() -> Vec<u8> {
        let objects = [
            "<</Type/Pages/Kids[2 0 R 3 0 R]/Count 2>>",
            "<</Type/Page/Resources<<>>/MediaBox[0 0 100 200]/TrimBox[5 5 95 195]/Parent 1 0 R>>",
            "<</Type/Page/Resources<<>>/MediaBox[0 0 110 210]/Parent 1 0 R/Annots[]>>",
            "<</Type/Catalog/Pages 1 0 R>>",
        ];
        let mut pdf = b"%PDF-1.7\n%\x80\x80\x80\x80\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = pdf.len();
        pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f\r\n", objects.len() + 1).as_bytes());
        for o in offsets {
            pdf.extend_from_slice(format!("{o:010} 00000 n\r\n").as_bytes());
        }
        pdf.extend_from_slice(format!("trailer\n<</Size 5/Root 4 0 R>>\nstartxref\n{xref}\n%%EOF").as_bytes());
        pdf
    }

    /// Every in-use entry of the (single, classic) xref table points at its object.
    fn xref_points_at_objects(pdf: &[u8]) -> bool {
        let tail = |at: usize| String::from_utf8_lossy(&pdf[at..]).into_owned();
        let sx = pdf.windows(9).rposition(|w| w == b"startxref").unwrap();
        let start: usize = tail(sx + 9).split_whitespace().next().unwrap().parse().unwrap();
        let table = tail(start);
        let mut lines = table.lines().skip(1);
        let count: usize = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
        lines.take(count).enumerate().skip(1).all(|(i, line)| {
            let offset: usize = line[..10].parse().unwrap();
            pdf[offset..].starts_with(format!("{i} 0 obj").as_bytes())
        })
    }

    #[test]
    fn bleed_box_is_inserted_in_place_and_the_xref_follows() {
        let pdf = typst_like_pdf();
        assert!(xref_points_at_objects(&pdf));
        let out = insert_bleed_boxes(&pdf).expect("a Typst-like file takes the fast path");
        assert!(xref_points_at_objects(&out));
        // Only the page with a TrimBox gets a BleedBox, equal to its MediaBox.
        let doc = lopdf::Document::load_mem(&out).unwrap();
        let pages: Vec<_> = doc.get_pages().values().map(|id| doc.get_dictionary(*id).unwrap().clone()).collect();
        assert_eq!(pages[0].get(b"BleedBox").unwrap(), pages[0].get(b"MediaBox").unwrap());
        assert!(pages[1].get(b"BleedBox").is_err());
        // Nothing else changed: without the inserted box the objects are byte for byte the same.
        // (After the binary comment in the header.)
        let strip = |b: &[u8]| String::from_utf8_lossy(&b[15..]).replace("/BleedBox[0 0 100 200]", "");
        let body = |s: &str| s[..s.find("xref\n").unwrap()].to_string();
        assert_eq!(body(&strip(&out)), body(&strip(&pdf)));
        // The same as the lopdf rewrite, page by page.
        let slow = lopdf::Document::load_mem(&add_bleed_box_lopdf(&pdf).unwrap()).unwrap();
        let slow_pages: Vec<_> = slow
            .get_pages()
            .values()
            .map(|id| slow.get_dictionary(*id).unwrap().get(b"BleedBox").ok().cloned())
            .collect();
        assert_eq!(slow_pages, vec![pages[0].get(b"BleedBox").ok().cloned(), None]);
    }

    #[test]
    fn a_file_of_another_shape_goes_through_lopdf() {
        let pdf = typst_like_pdf();
        // An incremental update (a second xref section) is not handled in place.
        let mut updated = pdf.clone();
        let s = String::from_utf8_lossy(&pdf).replace("trailer\n<<", "trailer\n<</Prev 9");
        updated.clear();
        updated.extend_from_slice(s.as_bytes());
        assert!(insert_bleed_boxes(&updated).is_none());
        // Garbage is an error, not a panic.
        assert!(add_bleed_box(b"not a pdf").is_err());
    }
}
