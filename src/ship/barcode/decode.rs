//! A scanline decoder for Code 128, with which tests read the barcodes of typeset labels back.

use super::{Run, runs};

/// Bar and space widths (in modules) of the 107 Code 128 symbols; 106 is the stop symbol's
/// first six elements (its seventh is a 2-module bar).
const PATTERNS: [[u8; 6]; 107] = [
    [2, 1, 2, 2, 2, 2],
    [2, 2, 2, 1, 2, 2],
    [2, 2, 2, 2, 2, 1],
    [1, 2, 1, 2, 2, 3],
    [1, 2, 1, 3, 2, 2],
    [1, 3, 1, 2, 2, 2],
    [1, 2, 2, 2, 1, 3],
    [1, 2, 2, 3, 1, 2],
    [1, 3, 2, 2, 1, 2],
    [2, 2, 1, 2, 1, 3],
    [2, 2, 1, 3, 1, 2],
    [2, 3, 1, 2, 1, 2],
    [1, 1, 2, 2, 3, 2],
    [1, 2, 2, 1, 3, 2],
    [1, 2, 2, 2, 3, 1],
    [1, 1, 3, 2, 2, 2],
    [1, 2, 3, 1, 2, 2],
    [1, 2, 3, 2, 2, 1],
    [2, 2, 3, 2, 1, 1],
    [2, 2, 1, 1, 3, 2],
    [2, 2, 1, 2, 3, 1],
    [2, 1, 3, 2, 1, 2],
    [2, 2, 3, 1, 1, 2],
    [3, 1, 2, 1, 3, 1],
    [3, 1, 1, 2, 2, 2],
    [3, 2, 1, 1, 2, 2],
    [3, 2, 1, 2, 2, 1],
    [3, 1, 2, 2, 1, 2],
    [3, 2, 2, 1, 1, 2],
    [3, 2, 2, 2, 1, 1],
    [2, 1, 2, 1, 2, 3],
    [2, 1, 2, 3, 2, 1],
    [2, 3, 2, 1, 2, 1],
    [1, 1, 1, 3, 2, 3],
    [1, 3, 1, 1, 2, 3],
    [1, 3, 1, 3, 2, 1],
    [1, 1, 2, 3, 1, 3],
    [1, 3, 2, 1, 1, 3],
    [1, 3, 2, 3, 1, 1],
    [2, 1, 1, 3, 1, 3],
    [2, 3, 1, 1, 1, 3],
    [2, 3, 1, 3, 1, 1],
    [1, 1, 2, 1, 3, 3],
    [1, 1, 2, 3, 3, 1],
    [1, 3, 2, 1, 3, 1],
    [1, 1, 3, 1, 2, 3],
    [1, 1, 3, 3, 2, 1],
    [1, 3, 3, 1, 2, 1],
    [3, 1, 3, 1, 2, 1],
    [2, 1, 1, 3, 3, 1],
    [2, 3, 1, 1, 3, 1],
    [2, 1, 3, 1, 1, 3],
    [2, 1, 3, 3, 1, 1],
    [2, 1, 3, 1, 3, 1],
    [3, 1, 1, 1, 2, 3],
    [3, 1, 1, 3, 2, 1],
    [3, 3, 1, 1, 2, 1],
    [3, 1, 2, 1, 1, 3],
    [3, 1, 2, 3, 1, 1],
    [3, 3, 2, 1, 1, 1],
    [3, 1, 4, 1, 1, 1],
    [2, 2, 1, 4, 1, 1],
    [4, 3, 1, 1, 1, 1],
    [1, 1, 1, 2, 2, 4],
    [1, 1, 1, 4, 2, 2],
    [1, 2, 1, 1, 2, 4],
    [1, 2, 1, 4, 2, 1],
    [1, 4, 1, 1, 2, 2],
    [1, 4, 1, 2, 2, 1],
    [1, 1, 2, 2, 1, 4],
    [1, 1, 2, 4, 1, 2],
    [1, 2, 2, 1, 1, 4],
    [1, 2, 2, 4, 1, 1],
    [1, 4, 2, 1, 1, 2],
    [1, 4, 2, 2, 1, 1],
    [2, 4, 1, 2, 1, 1],
    [2, 2, 1, 1, 1, 4],
    [4, 1, 3, 1, 1, 1],
    [2, 4, 1, 1, 1, 2],
    [1, 3, 4, 1, 1, 1],
    [1, 1, 1, 2, 4, 2],
    [1, 2, 1, 1, 4, 2],
    [1, 2, 1, 2, 4, 1],
    [1, 1, 4, 2, 1, 2],
    [1, 2, 4, 1, 1, 2],
    [1, 2, 4, 2, 1, 1],
    [4, 1, 1, 2, 1, 2],
    [4, 2, 1, 1, 1, 2],
    [4, 2, 1, 2, 1, 1],
    [2, 1, 2, 1, 4, 1],
    [2, 1, 4, 1, 2, 1],
    [4, 1, 2, 1, 2, 1],
    [1, 1, 1, 1, 4, 3],
    [1, 1, 1, 3, 4, 1],
    [1, 3, 1, 1, 4, 1],
    [1, 1, 4, 1, 1, 3],
    [1, 1, 4, 3, 1, 1],
    [4, 1, 1, 1, 1, 3],
    [4, 1, 1, 3, 1, 1],
    [1, 1, 3, 1, 4, 1],
    [1, 1, 4, 1, 3, 1],
    [3, 1, 1, 1, 4, 1],
    [4, 1, 1, 1, 3, 1],
    [2, 1, 1, 4, 1, 2],
    [2, 1, 1, 2, 1, 4],
    [2, 1, 1, 2, 3, 2],
    [2, 3, 3, 1, 1, 1],
];

const START_A: u8 = 103;
const START_B: u8 = 104;
const START_C: u8 = 105;
const STOP: u8 = 106;

/// Decodes the first Code 128 symbol found on one scanline.
///
/// `dark` is a row of modules or pixels (true = dark), e.g. one pixel row of a rendered label
/// after thresholding. Bar and space widths are measured, normalised symbol by symbol (each
/// symbol is 11 modules wide) and matched to the nearest of the 107 Code 128 patterns; the
/// symbol must have a start code, a stop code, a light margin before it (or the start of the
/// row) and a correct check symbol. Sets A, B and C and their switches are understood; FNC1–3
/// are skipped. The scanline is also tried reversed (a label upside down). `None` if no symbol
/// decodes.
pub fn decode_code128(dark: &[bool]) -> Option<String> {
    decode_all_code128(dark).into_iter().next()
}

/// Every Code 128 symbol on one scanline, left to right (e.g. both labels of a sheet row);
/// symbols only readable right to left come after those.
pub fn decode_all_code128(dark: &[bool]) -> Vec<String> {
    let forward = decode_runs(&runs(dark));
    let mut reversed_line = dark.to_vec();
    reversed_line.reverse();
    let backward = decode_runs(&runs(&reversed_line));
    forward.into_iter().chain(backward).collect()
}

fn decode_runs(runs: &[Run]) -> Vec<String> {
    let mut found = Vec::new();
    let mut i = 0;
    while i + 6 <= runs.len() {
        if runs[i].dark
            && let Some((text, next)) = decode_at(runs, i)
        {
            found.push(text);
            i = next;
            continue;
        }
        i += 1;
    }
    found
}

/// The symbol value of the six runs starting at `i`, and the module width they imply.
fn match_symbol(runs: &[Run], i: usize) -> Option<(u8, f64)> {
    let widths: Vec<f64> = runs.get(i..i + 6)?.iter().map(|r| r.len as f64).collect();
    let total: f64 = widths.iter().sum();
    let module = total / 11.0;
    let norm: Vec<f64> = widths.iter().map(|w| w / module).collect();
    let mut best: Option<(u8, f64)> = None;
    for (value, p) in PATTERNS.iter().enumerate() {
        // Element widths plus edge-to-edge distances (bar + space), which do not change when
        // ink spread makes every bar a little wider.
        let mut err = 0.0;
        for k in 0..6 {
            err += (norm[k] - f64::from(p[k])).powi(2);
        }
        for k in 0..5 {
            err += (norm[k] + norm[k + 1] - f64::from(p[k] + p[k + 1])).powi(2);
        }
        if best.is_none_or(|(_, e)| err < e) {
            best = Some((value as u8, err));
        }
    }
    let (value, err) = best?;
    (err < 2.5).then_some((value, module))
}

/// Decodes a symbol whose start code begins at run `i`; returns the text and the index of the
/// run after the symbol.
fn decode_at(runs: &[Run], i: usize) -> Option<(String, usize)> {
    let (start, module) = match_symbol(runs, i)?;
    if !matches!(start, START_A | START_B | START_C) {
        return None;
    }
    // A light margin of a few modules before the start code, or the edge of the row.
    if i > 0 && (runs[i - 1].len as f64) < 4.0 * module {
        return None;
    }
    let mut values = vec![start];
    let mut j = i + 6;
    loop {
        let (value, m) = match_symbol(runs, j)?;
        if (m - module).abs() > 0.3 * module {
            return None;
        }
        if value == STOP {
            let last = runs.get(j + 6)?;
            let bar = last.len as f64 / m;
            if !last.dark || !(1.3..=2.8).contains(&bar) {
                return None;
            }
            j += 7;
            break;
        }
        values.push(value);
        j += 6;
        if values.len() > 200 {
            return None;
        }
    }
    if let Some(after) = runs.get(j)
        && (after.len as f64) < 4.0 * module
    {
        return None;
    }
    let (&check, body) = values.split_last()?;
    let sum: u32 = body.iter().enumerate().map(|(pos, &v)| u32::from(v) * (pos as u32).max(1)).sum();
    if sum % 103 != u32::from(check) {
        return None;
    }
    Some((values_to_text(body)?, j))
}

#[derive(Clone, Copy, PartialEq)]
enum Set {
    A,
    B,
    C,
}

fn values_to_text(values: &[u8]) -> Option<String> {
    let mut set = match *values.first()? {
        START_A => Set::A,
        START_B => Set::B,
        START_C => Set::C,
        _ => return None,
    };
    let mut out = String::new();
    let mut shift = false;
    for &v in &values[1..] {
        let current = match (shift, set) {
            (true, Set::A) => Set::B,
            (true, Set::B) => Set::A,
            (_, s) => s,
        };
        shift = false;
        match (current, v) {
            (_, START_A..) => return None,
            (_, 102) | (Set::A | Set::B, 96 | 97) => {} // FNC1, FNC3, FNC2
            (Set::A | Set::B, 98) => shift = true,
            (Set::A | Set::B, 99) => set = Set::C,
            (Set::A, 100) | (Set::C, 100) => set = Set::B,
            (Set::B, 101) | (Set::C, 101) => set = Set::A,
            (Set::A, 101) | (Set::B, 100) => return None, // FNC4: extended ASCII, not used
            (Set::A, 0..=63) => out.push(char::from(32 + v)),
            (Set::A, 64..=95) => out.push(char::from(v - 64)),
            (Set::B, 0..=95) => out.push(char::from(32 + v)),
            (Set::C, 0..=99) => {
                out.push(char::from(b'0' + v / 10));
                out.push(char::from(b'0' + v % 10));
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::super::code128_modules;
    use super::*;
    use barcoders::sym::code128::Code128;
    use proptest::prelude::*;

    /// Widths of one 11-module pattern as produced by barcoders, for checking our table.
    fn widths_of(modules: &[bool]) -> Vec<u8> {
        runs(modules).iter().map(|r| r.len as u8).collect()
    }

    fn barcoders_modules(input: &str) -> Vec<bool> {
        Code128::new(input).unwrap().encode().into_iter().map(|m| m == 1).collect()
    }

    fn rasterise(modules: &[bool], px_per_module: usize) -> Vec<bool> {
        modules.iter().flat_map(|&m| std::iter::repeat_n(m, px_per_module)).collect()
    }

    #[test]
    fn pattern_table_matches_barcoders() {
        // Set C "Ć00".."Ć99" encodes values 0..=99 right after the start code.
        for v in 0..100u8 {
            let m = barcoders_modules(&format!("Ć{v:02}"));
            assert_eq!(widths_of(&m[11..22]), PATTERNS[v as usize], "value {v}");
            assert_eq!(widths_of(&m[..11]), PATTERNS[START_C as usize]);
        }
        // In set C, "Ɓ" is value 100, "À" 101 and FNC1 ("Ź") 102.
        for (ch, v) in [('Ɓ', 100), ('À', 101), ('Ź', 102)] {
            let m = barcoders_modules(&format!("Ć{ch}"));
            assert_eq!(widths_of(&m[11..22]), PATTERNS[v], "value {v}");
        }
        assert_eq!(widths_of(&barcoders_modules("ÀA")[..11]), PATTERNS[START_A as usize]);
        assert_eq!(widths_of(&barcoders_modules("ƁA")[..11]), PATTERNS[START_B as usize]);
        let m = barcoders_modules("ƁA");
        assert_eq!(widths_of(&m[m.len() - 13..m.len() - 2]), PATTERNS[STOP as usize]);
        for p in PATTERNS {
            assert_eq!(p.iter().map(|&w| u32::from(w)).sum::<u32>(), 11);
        }
    }

    #[test]
    fn round_trip_through_pixels() {
        for data in ["ORD-2026-014-2", "2026-11-001/1", "a", " ~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}", "0"] {
            let modules = code128_modules(data).unwrap();
            for px in [1, 2, 3, 5] {
                let line = rasterise(&modules, px);
                assert_eq!(decode_code128(&line).as_deref(), Some(data), "{data} at {px} px");
            }
        }
    }

    /// Pixels of a symbol drawn at a fractional scale: each pixel is dark when more than half
    /// of it is covered by bars, as after anti-aliased rendering and a 50 % threshold.
    fn rasterise_fractional(modules: &[bool], px_per_module: f64, shift: f64) -> Vec<bool> {
        let width = (modules.len() as f64 * px_per_module + shift).ceil() as usize + 2;
        (0..width)
            .map(|px| {
                let (a, b) = (px as f64 - shift, px as f64 + 1.0 - shift);
                let mut dark = 0.0;
                for (i, _) in modules.iter().enumerate().filter(|(_, m)| **m) {
                    let (l, r) = (i as f64 * px_per_module, (i + 1) as f64 * px_per_module);
                    dark += (r.min(b) - l.max(a)).max(0.0);
                }
                dark > 0.5
            })
            .collect()
    }

    #[test]
    fn decodes_at_fractional_scales() {
        let modules = code128_modules("ORD-2026-014-2").unwrap();
        for scale in [1.6, 1.9, 2.25, 2.5, 2.8, 3.3, 4.7] {
            for shift in [0.0, 0.3, 0.5, 0.8] {
                let line = rasterise_fractional(&modules, scale, shift);
                assert_eq!(decode_code128(&line).as_deref(), Some("ORD-2026-014-2"), "{scale} px, shift {shift}");
            }
        }
    }

    #[test]
    fn decodes_with_noise_around_and_upside_down() {
        let modules = code128_modules("2026-11-007/2").unwrap();
        let mut line = vec![true, false, true, true, false, false, true];
        line.extend(vec![false; 30]);
        line.extend(rasterise(&modules, 3));
        line.extend([true, true, false, true]);
        assert_eq!(decode_code128(&line).as_deref(), Some("2026-11-007/2"));
        line.reverse();
        assert_eq!(decode_code128(&line).as_deref(), Some("2026-11-007/2"));
    }

    #[test]
    fn decodes_two_symbols_on_one_row() {
        let mut line = rasterise(&code128_modules("BOX-1").unwrap(), 2);
        line.extend(vec![false; 40]);
        line.extend(rasterise(&code128_modules("BOX-2").unwrap(), 2));
        assert_eq!(decode_all_code128(&line), ["BOX-1", "BOX-2"]);
    }

    #[test]
    fn decodes_bars_widened_by_ink_or_anti_aliasing() {
        // Every bar one pixel wider (and each space one narrower) at 4 px per module.
        let modules = code128_modules("ORD-2026-014-2").unwrap();
        let line = rasterise(&modules, 4);
        let mut wide = line.clone();
        for i in 1..line.len() {
            if line[i - 1] && !line[i] {
                wide[i] = true;
            }
        }
        assert_eq!(decode_code128(&wide).as_deref(), Some("ORD-2026-014-2"));
    }

    #[test]
    fn decodes_sets_a_and_c_from_barcoders() {
        let c = barcoders_modules("Ć1234ƁAb");
        let mut line = vec![false; 10];
        line.extend(rasterise(&c, 2));
        line.extend(vec![false; 10]);
        assert_eq!(decode_code128(&line).as_deref(), Some("1234Ab"));
        let a = barcoders_modules("ÀHELLO\u{0009}");
        let mut line = vec![false; 10];
        line.extend(rasterise(&a, 2));
        line.extend(vec![false; 10]);
        assert_eq!(decode_code128(&line).as_deref(), Some("HELLO\t"));
    }

    #[test]
    fn rejects_damage_and_nonsense() {
        let modules = code128_modules("ORD-2026-014-2").unwrap();
        let mut line = rasterise(&modules, 3);
        // Flip one bar in the middle into a space: the check symbol catches it or matching fails.
        let mid = line.len() / 2;
        for px in line.iter_mut().skip(mid).take(4) {
            *px = !*px;
        }
        assert_ne!(decode_code128(&line).as_deref(), Some("ORD-2026-014-2"));
        assert_eq!(decode_code128(&[]), None);
        assert_eq!(decode_code128(&[true; 100]), None);
        assert_eq!(decode_code128(&[false; 100]), None);
        let stripes: Vec<bool> = (0..500).map(|i| i % 2 == 0).collect();
        assert_eq!(decode_code128(&stripes), None);
    }

    proptest! {
        #[test]
        fn any_printable_ascii_round_trips(data in "[ -~]{1,40}", px in 1usize..5) {
            let line = rasterise(&code128_modules(&data).unwrap(), px);
            prop_assert_eq!(decode_code128(&line), Some(data));
        }

        #[test]
        fn decoding_never_panics(line in prop::collection::vec(any::<bool>(), 0..2000)) {
            let _ = decode_all_code128(&line);
        }
    }
}
