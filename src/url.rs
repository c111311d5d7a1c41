//! Original urls as keys: two spellings of one story's address compare equal after `normalise`.

/// Query parameters that only track the reader, dropped before comparing urls.
fn is_tracking_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("utm_")
        || matches!(
            n.as_str(),
            "fbclid"
                | "gclid"
                | "dclid"
                | "msclkid"
                | "mc_cid"
                | "mc_eid"
                | "igshid"
                | "ref_src"
                | "_hsenc"
                | "_hsmi"
                | "yclid"
        )
}

/// Lowercases scheme and host, drops the fragment, tracking parameters, a default port and a
/// trailing slash. Not a full url parser: enough to recognise the same article twice.
pub fn normalise(url: &str) -> String {
    let url = url.trim();
    let url = url.split('#').next().unwrap_or("");
    let (scheme, rest) = match url.find("://") {
        Some(i) => (url[..i].to_ascii_lowercase(), &url[i + 3..]),
        None => return url.trim_end_matches('/').to_string(),
    };
    let (authority, path_query) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let mut host = authority.to_ascii_lowercase();
    for (s, port) in [("http", ":80"), ("https", ":443")] {
        if scheme == s && host.ends_with(port) {
            host.truncate(host.len() - port.len());
        }
    }
    let (path, query) = match path_query.find('?') {
        Some(i) => (&path_query[..i], Some(&path_query[i + 1..])),
        None => (path_query, None),
    };
    let mut out = [scheme.as_str(), "://", &host, path.trim_end_matches('/')].concat();
    if let Some(q) = query {
        let kept: Vec<&str> =
            q.split('&').filter(|p| !p.is_empty() && !is_tracking_param(p.split('=').next().unwrap_or(""))).collect();
        if !kept.is_empty() {
            out.push('?');
            out.push_str(&kept.join("&"));
        }
    }
    out
}

/// True for urls a browser would run as code or that can smuggle content: `javascript:`,
/// `vbscript:`, `data:`. Control characters and spaces browsers ignore are skipped first.
pub fn is_dangerous(url: &str) -> bool {
    let cleaned: String = url.chars().filter(|c| !c.is_whitespace() && !c.is_control()).take(16).collect();
    let lower = cleaned.to_ascii_lowercase();
    lower.starts_with("javascript:") || lower.starts_with("vbscript:") || lower.starts_with("data:")
}

/// Decodes `%XX` escapes; invalid ones are kept as written, invalid UTF-8 is replaced.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_story_different_spellings() {
        let a = normalise("HTTPS://WWW.Example.org/2025/03/05/story/?utm_source=x&id=3#top");
        let b = normalise("https://www.example.org/2025/03/05/story?id=3");
        assert_eq!(a, b);
        assert_eq!(a, "https://www.example.org/2025/03/05/story?id=3");
    }

    #[test]
    fn path_case_is_kept() {
        assert_ne!(normalise("https://x.example/A"), normalise("https://x.example/a"));
    }

    #[test]
    fn default_port_dropped() {
        assert_eq!(normalise("http://x.example:80/a/"), "http://x.example/a");
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("caf%C3%A9"), "café");
        assert_eq!(percent_decode("%2e%2E/x"), "../x");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%"), "%");
    }

    #[test]
    fn dangerous_schemes() {
        assert!(is_dangerous("javascript:alert(1)"));
        assert!(is_dangerous(" JaVa\tScRiPt:alert(1)"));
        assert!(is_dangerous("data:text/html,x"));
        assert!(!is_dangerous("https://x.example/"));
        assert!(!is_dangerous("/local/"));
    }
}
