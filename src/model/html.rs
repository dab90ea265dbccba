//! Text in HTML pages (the review page, the live contacts pages): every string from the project
//! escaped, so that `<script>`, quotes and ampersands in a contact stay text. Pure functions.

/// Escapes text for HTML content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_quotes_stay_text() {
        assert_eq!(
            escape(r#"<script>a("x") & 'y'</script>"#),
            "&lt;script&gt;a(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(escape("오클랜드 1141"), "오클랜드 1141");
    }
}
