//! Web and e-mail addresses: only plain ones, so that what is printed is what a phone opens.
//!
//! A web address must be `https://` + a site name in ASCII + an optional path and query: no user
//! name before the site (`https://www.stop.or.kr@evil.example` opens `evil.example`), no port,
//! no numeric address, no backslash (browsers read it as `/`), no `#` part, and no letters of
//! other scripts in the site name (Cyrillic `раураl.com` looks like `paypal.com`; the QR code
//! would send its `xn--` form, so that form is what must be printed). An e-mail address must be
//! one bare address, `name@example.org`: no `mailto:`, no `?subject=…` (it fills in a message
//! the reader does not see), no display name, no list. Pure functions, no I/O.
//!
//! Each check returns the end of a sentence that starts with the value (`` `url = "…"` ``).

/// Checks that a web address is a plain `https://site/path` address.
pub fn check_url(v: &str) -> Result<(), String> {
    let Some(rest) = v.strip_prefix("https://") else {
        let not_http = if v.starts_with("http://") { " (not http://)" } else { "" };
        return Err(format!(
            "must start with https://{not_http}; write the full address as a browser shows it, e.g. https://www.example.org"
        ));
    };
    if v.contains('\\') {
        return Err("has a backslash (\\), which browsers read as /, so the page a phone opens is not the one \
                    printed; write / instead, or delete it"
            .into());
    }
    if v.chars().any(|c| c.is_whitespace() || c.is_control() || "\"<>^`{|}".contains(c)) {
        return Err("contains spaces or characters not allowed in a web address".into());
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if let Some((user, host)) = authority.rsplit_once('@') {
        return Err(format!(
            "has `{user}@` before the site's name: a phone opens `{host}`, not the site the printed text seems \
             to name; write only https://, the site's name and the page, e.g. https://www.example.org/help"
        ));
    }
    if authority.starts_with('[') {
        return Err(numeric_site(authority));
    }
    if let Some((host, port)) = authority.split_once(':') {
        return Err(format!(
            "has a port number (`:{port}`) after the site's name; print the address without it, as \
             https://{host}/…, or ask the site for an address without a port"
        ));
    }
    if authority.is_empty() || !authority.contains('.') {
        return Err(
            "has no site name after https://; write the full address as a browser shows it, e.g. https://www.example.org"
                .into(),
        );
    }
    check_host(authority).map_err(|e| match e {
        HostError::NotAscii => not_ascii(authority, "site's name", &format!("https://{}", ascii_form(authority))),
        HostError::Numeric => numeric_site(authority),
        HostError::Char(c) => {
            format!(
                "has `{c}` in the site's name `{authority}`, where only letters a-z, digits, hyphens and dots belong"
            )
        }
        HostError::Shape => format!(
            "has `{authority}` as the site's name, which is not a valid name (like www.example.org); check the address"
        ),
    })?;
    if let Some((_, fragment)) = rest.split_once('#') {
        return Err(format!(
            "has a `#{fragment}` part; print the address of the page itself, without # and what follows"
        ));
    }
    let page = &rest[authority.len()..];
    if !page.is_ascii() {
        // QR readers do not agree on how to read letters outside ASCII (the code's byte mode means
        // ISO 8859-1 by its standard, UTF-8 to most phones), so the page a phone opens could differ.
        return Err(format!(
            "has letters outside a-z in the page part `{page}`, which some phones read wrongly from a QR code; \
             write it as a browser copies it, https://{authority}{}",
            percent_encoded(page)
        ));
    }
    Ok(())
}

/// What `guide.contacts-url` writes for an edition's id.
pub const EDITION_PLACEHOLDER: &str = "{edition}";

/// Checks `guide.contacts-url`: a plain `https://` address as [`check_url`] wants, in which
/// `{edition}` may stand for an edition's id (lower-case letters, digits and dashes, which keep
/// any address plain).
pub fn check_contacts_url(v: &str) -> Result<(), String> {
    let filled = v.replace(EDITION_PLACEHOLDER, "nz");
    if filled.contains(['{', '}']) {
        return Err(format!(
            "has braces other than `{EDITION_PLACEHOLDER}`, which stands for the edition's id; write the address \
             with only that, e.g. https://www.example.org/guide/{EDITION_PLACEHOLDER}"
        ));
    }
    check_url(&filled)
}

/// `text` with every byte outside ASCII written as `%XX` (how browsers copy such an address).
fn percent_encoded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Checks that an e-mail address is one bare address, `name@example.org`.
pub fn check_email(v: &str) -> Result<(), String> {
    if v.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("mailto:")) {
        return Err("starts with `mailto:`; write only the address, e.g. name@example.org (the QR code adds \
                    mailto: itself)"
            .into());
    }
    if let Some((_, query)) = v.split_once('?') {
        return Err(format!(
            "has a `?{query}` part, which fills in a message (a subject, more recipients, a text) that the reader does not \
             see; write only the address, e.g. name@example.org"
        ));
    }
    if v.contains('<') || v.contains('>') || v.contains('"') {
        return Err("has a name with the address (like `Name <name@example.org>`); write only the address, \
                    e.g. name@example.org"
            .into());
    }
    if v.contains([',', ';']) || v.matches('@').count() > 1 {
        return Err("holds more than one e-mail address; give only one".into());
    }
    if v.chars().any(char::is_whitespace) {
        return Err("has a space in it; write the address without spaces, e.g. name@example.org".into());
    }
    let Some((local, domain)) = v.split_once('@') else {
        return Err("is not an e-mail address; write it like name@example.org".into());
    };
    if local.is_empty() || domain.is_empty() {
        return Err("is not an e-mail address; write it like name@example.org".into());
    }
    if !local.is_ascii() {
        return Err("has letters that are not plain ASCII before the @, which not every phone or mail program \
                    can send to; give an address written in ASCII letters"
            .into());
    }
    if let Some(c) = local.chars().find(|c| !(c.is_ascii_alphanumeric() || "._+-'".contains(*c))) {
        return Err(format!(
            "has `{c}` before the @, which phones do not all read alike in a mailto: code; check the address \
             (letters, digits and . _ + - ' only)"
        ));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err("is not an e-mail address (a dot at the start or end of the name, or two dots); check it".into());
    }
    if domain.starts_with('[') {
        return Err("names the mail server by a numeric address; give an address with a domain name, e.g. \
                    name@example.org"
            .into());
    }
    check_host(domain).map_err(|e| match e {
        HostError::NotAscii => not_ascii(domain, "part after the @", &format!("{local}@{}", ascii_form(domain))),
        HostError::Numeric => "names the mail server by a numeric address; give an address with a domain name, \
                               e.g. name@example.org"
            .into(),
        HostError::Char(c) => {
            format!("has `{c}` after the @, where only letters a-z, digits, hyphens and dots belong")
        }
        HostError::Shape => "is not an e-mail address; write it like name@example.org".into(),
    })
}

/// Why a host name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostError {
    /// Letters outside ASCII (possibly lookalikes of Latin ones).
    NotAscii,
    /// A numeric (IP) address.
    Numeric,
    /// An ASCII character that has no place in a host name.
    Char(char),
    /// Not dotted labels of 1 to 63 characters that neither start nor end with a hyphen.
    Shape,
}

/// Checks a host name: ASCII letters, digits, hyphens and dots, at least two labels, not numeric.
fn check_host(host: &str) -> Result<(), HostError> {
    if !host.is_ascii() {
        return Err(HostError::NotAscii);
    }
    if let Some(c) = host.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.')) {
        return Err(HostError::Char(c));
    }
    let labels: Vec<&str> = host.split('.').collect();
    let label_ok = |l: &&str| !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-');
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return Err(HostError::Shape);
    }
    let last = labels.last().copied().unwrap_or_default();
    if last.bytes().all(|b| b.is_ascii_digit()) || last.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("0x")) {
        return Err(HostError::Numeric);
    }
    if !last.as_bytes()[0].is_ascii_alphabetic() {
        return Err(HostError::Shape);
    }
    Ok(())
}

/// The host's ASCII form (its `xn--` labels), as a phone sends it; the host itself if it has none.
fn ascii_form(host: &str) -> String {
    idna::domain_to_ascii(host).unwrap_or_else(|_| host.to_string())
}

fn not_ascii(host: &str, what: &str, ascii: &str) -> String {
    let scripts = "letters of other scripts can look like Latin ones, and a phone opens the name's ASCII form";
    if ascii.contains("xn--") {
        format!(
            "has letters that are not plain ASCII in the {what} (`{host}`): {scripts}; if the address is right, \
             write it as phones send it (and its QR code holds it), `{ascii}`, so that what is printed is what \
             they open"
        )
    } else {
        format!(
            "has letters that are not plain ASCII in the {what} (`{host}`): {scripts}; write it in its ASCII \
             (xn--…) form"
        )
    }
}

fn numeric_site(authority: &str) -> String {
    format!(
        "names the site by a numeric address (`{authority}`), which a reader cannot check; use the site's name, \
         e.g. https://www.example.org"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_addresses_pass() {
        for url in [
            "https://humantraffickinghotline.org",
            "https://www.women1366.kr",
            "https://www.stop.or.kr/",
            "https://105.police.govt.nz",
            "https://example.org/help?lang=ko&x=1",
            "https://xn--80ak6aa92e.com/",
            "https://www.example.org/%EC%83%81%EB%8B%B4",
        ] {
            assert_eq!(check_url(url), Ok(()), "{url}");
        }
    }

    #[test]
    fn user_info_is_refused() {
        let e = check_url("https://www.stop.or.kr@evil.example/help").unwrap_err();
        assert!(e.starts_with("has `www.stop.or.kr@` before the site's name: a phone opens `evil.example`"), "{e}");
        assert!(check_url("https://user:pass@example.org").unwrap_err().contains("`user:pass@`"));
    }

    #[test]
    fn ports_are_refused() {
        assert!(check_url("https://example.org:8443/x").unwrap_err().starts_with("has a port number (`:8443`)"));
        assert!(check_url("https://example.org:443").unwrap_err().starts_with("has a port number (`:443`)"));
    }

    #[test]
    fn a_page_part_outside_ascii_is_refused_with_its_percent_encoded_form() {
        assert_eq!(
            check_url("https://www.example.kr/상담?q=도움").unwrap_err(),
            "has letters outside a-z in the page part `/상담?q=도움`, which some phones read wrongly from a QR \
             code; write it as a browser copies it, https://www.example.kr/%EC%83%81%EB%8B%B4?q=%EB%8F%84%EC%9B%80"
        );
        assert_eq!(check_url("https://www.example.kr/%EC%83%81%EB%8B%B4"), Ok(()));
    }

    #[test]
    fn lookalike_host_names_are_refused_with_their_ascii_form() {
        // Cyrillic р, а, у and а: looks like "paypal.com".
        let e = check_url("https://раураl.com").unwrap_err();
        assert!(e.starts_with("has letters that are not plain ASCII in the site's name (`раураl.com`)"), "{e}");
        assert!(e.contains("`https://xn--l-7sba6dbr.com`"), "{e}");
        let e = check_url("https://한국.kr/").unwrap_err();
        assert!(e.contains("`https://xn--3e0b707e.kr`"), "{e}");
    }

    #[test]
    fn numeric_hosts_are_refused() {
        for url in ["https://192.0.2.1/", "https://[2001:db8::1]/", "https://0x7f.0x1"] {
            assert!(check_url(url).unwrap_err().starts_with("names the site by a numeric address"), "{url}");
        }
    }

    #[test]
    fn other_addresses_are_refused() {
        assert!(check_url("http://example.org").unwrap_err().starts_with("must start with https:// (not http://)"));
        assert!(check_url("HTTPS://example.org").is_err());
        assert!(check_url("https://localhost").unwrap_err().starts_with("has no site name"));
        assert!(check_url("https://example.org\\@evil.example").unwrap_err().starts_with("has a backslash"));
        assert!(check_url("https://exa mple.org").unwrap_err().starts_with("contains spaces"));
        assert!(
            check_url("https://example.org/#@evil.example").unwrap_err().starts_with("has a `#@evil.example` part")
        );
        assert!(check_url("https://exa_mple.org").unwrap_err().starts_with("has `_` in the site's name"));
        assert!(check_url("https://-example.org").unwrap_err().contains("not a valid name"));
        assert!(check_url("https://example..org").unwrap_err().contains("not a valid name"));
    }

    #[test]
    fn contacts_url_may_name_the_edition() {
        assert_eq!(check_contacts_url("https://www.example.org/guide/{edition}"), Ok(()));
        assert_eq!(check_contacts_url("https://www.example.org/guide"), Ok(()));
        assert!(check_contacts_url("https://www.example.org/{id}").unwrap_err().contains("braces"));
        assert!(check_contacts_url("http://www.example.org/{edition}").unwrap_err().contains("https://"));
        assert!(check_contacts_url("https://user@evil.example/{edition}").unwrap_err().contains("user@"));
    }

    #[test]
    fn bare_emails_pass() {
        for email in
            ["toronto@mofa.go.kr", "first.last+tag@example.org", "o'brien@example.ie", "a-b_c@sub.example.co.nz"]
        {
            assert_eq!(check_email(email), Ok(()), "{email}");
        }
    }

    #[test]
    fn emails_with_more_than_the_address_are_refused() {
        let e = check_email("toronto@mofa.go.kr?subject=Help&body=x").unwrap_err();
        assert!(e.starts_with("has a `?subject=Help&body=x` part, which fills in a message"), "{e}");
        assert!(check_email("Consulate <toronto@mofa.go.kr>").unwrap_err().starts_with("has a name with the address"));
        assert!(check_email("\"Consulate\" toronto@mofa.go.kr").unwrap_err().starts_with("has a name"));
        assert!(check_email("mailto:toronto@mofa.go.kr").unwrap_err().starts_with("starts with `mailto:`"));
        assert!(check_email("MAILTO:toronto@mofa.go.kr").unwrap_err().starts_with("starts with `mailto:`"));
        assert!(check_email("a@example.org, b@example.org").unwrap_err().starts_with("holds more than one"));
        assert!(check_email("a@b@example.org").unwrap_err().starts_with("holds more than one"));
    }

    #[test]
    fn emails_must_be_ascii_with_a_plain_domain() {
        let e = check_email("help@раураl.com").unwrap_err();
        assert!(e.contains("`help@xn--l-7sba6dbr.com`"), "{e}");
        assert!(check_email("상담@example.kr").unwrap_err().contains("not plain ASCII before the @"));
        assert!(check_email("a@[192.0.2.1]").unwrap_err().starts_with("names the mail server by a numeric address"));
        assert!(check_email("a@192.0.2.1").unwrap_err().starts_with("names the mail server by a numeric address"));
        assert!(check_email("a#b@example.org").unwrap_err().starts_with("has `#` before the @"));
        assert!(check_email("a%b@example.org").unwrap_err().starts_with("has `%` before the @"));
        assert!(check_email("toronto.mofa.go.kr").is_err());
        assert!(check_email("a@b").is_err());
        assert!(check_email("a b@c.org").is_err());
        assert!(check_email(".a@c.org").is_err());
    }
}
