//! The preview server's answers, as pure functions: which output file a request path names
//! (never anything outside the output), its content type, and the live-reload script and error
//! overlay injected into HTML.

use crate::diagnostics::Diagnostic;
use crate::output::Output;

/// Where the live-reload script listens.
pub const EVENTS: &str = "/__digest/events";

/// What a request path resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// This output file.
    File(String),
    /// A folder asked without its trailing slash: redirect here.
    Redirect(String),
    /// Nothing (including every attempt to leave the output).
    NotFound,
}

/// Resolves a raw (still percent-encoded) request path against the output. `..`, `.`,
/// backslashes, NUL and encoded forms of them never match anything.
pub fn resolve(output: &Output, raw_path: &str) -> Resolved {
    let decoded = crate::url::percent_decode(raw_path);
    let Some(rest) = decoded.strip_prefix('/') else { return Resolved::NotFound };
    if rest.contains(['\\', '\0']) || rest.split('/').any(|seg| seg == ".." || seg == ".") || rest.contains("//") {
        return Resolved::NotFound;
    }
    if rest.is_empty() || rest.ends_with('/') {
        let key = format!("{rest}index.html");
        return if output.files.contains_key(&key) { Resolved::File(key) } else { Resolved::NotFound };
    }
    if output.files.contains_key(rest) {
        return Resolved::File(rest.to_string());
    }
    if output.files.contains_key(&format!("{rest}/index.html")) {
        return Resolved::Redirect(format!("{raw_path}/"));
    }
    Resolved::NotFound
}

/// The content type of an output file, by extension.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => match path.rsplit('/').next() {
            Some("atom.xml") => "application/atom+xml",
            Some("rss.xml") => "application/rss+xml",
            _ => "application/xml",
        },
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "mp4" => "video/mp4",
        "mp3" => "audio/mpeg",
        _ => "application/octet-stream",
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The overlay listing a failed rebuild's diagnostics.
pub fn overlay(errors: &[Diagnostic]) -> String {
    let count = errors.iter().filter(|d| d.is_error()).count();
    let text: Vec<String> = errors.iter().map(|d| escape(&d.to_string())).collect();
    format!(
        "<div id=\"digest-errors\" role=\"alert\" style=\"position:fixed;inset:0 0 auto 0;max-height:70vh;overflow:auto;\
         z-index:2147483647;background:#2b0b0b;color:#ffe9e9;border-bottom:4px solid #ff6b6b;padding:1rem 1.25rem;\
         font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;box-shadow:0 4px 24px rgba(0,0,0,.5)\">\
         <p style=\"margin:0 0 .5rem;font-weight:700\">The last rebuild failed with {}: this is the last good \
         version of the page. Fix the file and save; the page reloads.</p><pre style=\"white-space:pre-wrap;margin:0\">{}</pre></div>",
        crate::plural(count, "error"),
        text.join("\n\n")
    )
}

/// The script that brings the page up to date when a rebuild of another generation is
/// announced (its stream names the page, which rebuilds then render first): it fetches the
/// page again and, when the styles and scripts of its head are unchanged and the page runs no
/// script of its own, swaps in the new body and the rest of the new head (title, meta tags,
/// JSON-LD): faster than a reload, and the scroll position stays. Otherwise it reloads.
pub fn live_script(generation: u64) -> String {
    format!(
        "<script>(function(){{var g={generation};var es=new EventSource(\"{EVENTS}?page=\"+location.pathname);\
         var R='link[rel=stylesheet],style,script:not([type=\"application/ld+json\"])';\
         function res(h){{return Array.prototype.map.call(h.querySelectorAll(R),function(e){{return e.outerHTML;}}).join('');}}\
         function reload(){{es.close();location.reload();}}\
         function check(e){{var n=Number(e.data);if(n===g)return;g=n;\
         if(e.type===\"hello\"||document.querySelector(\"body script[src]\")){{reload();return;}}\
         fetch(location.href,{{cache:\"no-store\"}}).then(function(r){{return r.text();}}).then(function(t){{\
         var d=new DOMParser().parseFromString(t,\"text/html\");\
         if(res(d.head)!==res(document.head)||d.body.querySelector(\"script[src]\")){{reload();return;}}\
         Array.prototype.slice.call(document.head.children).forEach(function(x){{if(!x.matches(R))x.remove();}});\
         Array.prototype.slice.call(d.head.children).forEach(function(x){{if(!x.matches(R))document.head.appendChild(x);}});\
         document.body.replaceWith(d.body);}}).catch(reload);}}\
         es.addEventListener(\"hello\",check);es.addEventListener(\"reload\",check);}})();</script>"
    )
}

/// Adds the live-reload script (and the overlay, when the last rebuild failed) before `</body>`.
pub fn inject(html: &str, generation: u64, errors: Option<&[Diagnostic]>) -> String {
    let mut extra = live_script(generation);
    if let Some(e) = errors {
        extra.push_str(&overlay(e));
    }
    match html.rfind("</body>").or_else(|| html.rfind("</BODY>")) {
        Some(i) => format!("{}{extra}{}", &html[..i], &html[i..]),
        None => format!("{html}{extra}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::FileData;

    fn out() -> Output {
        let mut o = Output::default();
        for f in ["index.html", "a/index.html", "style.css", "caf\u{e9}/index.html"] {
            o.insert(f.into(), FileData::Bytes(Vec::new().into()));
        }
        o
    }

    #[test]
    fn paths_resolve_to_output_files() {
        let o = out();
        assert_eq!(resolve(&o, "/"), Resolved::File("index.html".into()));
        assert_eq!(resolve(&o, "/a/"), Resolved::File("a/index.html".into()));
        assert_eq!(resolve(&o, "/a"), Resolved::Redirect("/a/".into()));
        assert_eq!(resolve(&o, "/style.css"), Resolved::File("style.css".into()));
        assert_eq!(resolve(&o, "/caf%C3%A9/"), Resolved::File("caf\u{e9}/index.html".into()));
        assert_eq!(resolve(&o, "/missing"), Resolved::NotFound);
    }

    #[test]
    fn nothing_outside_the_output() {
        let o = out();
        for p in [
            "/../Cargo.toml",
            "/%2e%2e/site.toml",
            "/%2E%2E/%2E%2E/etc/passwd",
            "/a/../../site.toml",
            "/a/..%2f..%2fsite.toml",
            "/..\\site.toml",
            "/%5c..%5csite.toml",
            "//etc/passwd",
            "/./index.html",
            "/%00",
            "relative",
        ] {
            assert_eq!(resolve(&o, p), Resolved::NotFound, "{p}");
        }
    }

    #[test]
    fn types() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("topics/x/atom.xml"), "application/atom+xml");
        assert_eq!(content_type("sitemap.xml"), "application/xml");
        assert_eq!(content_type("x.unknown"), "application/octet-stream");
    }

    #[test]
    fn injection_goes_before_body_end_and_escapes_errors() {
        let d = vec![Diagnostic::error("bad <b>").in_file("content/a.md")];
        let html = inject("<html><body><p>x</p></body></html>", 7, Some(&d));
        assert!(html.ends_with("</div></body></html>"), "{html}");
        assert!(html.contains("var g=7;"));
        assert!(html.contains("content/a.md: error: bad &lt;b&gt;"));
        assert!(html.contains("failed with 1 error:"), "{html}");
        assert!(!inject("<body></body>", 1, None).contains("digest-errors"));
    }

    #[test]
    fn the_live_reload_stream_names_its_page() {
        // What `serve` renders first: the path of the page the script runs in.
        assert!(live_script(1).contains(&format!("new EventSource(\"{EVENTS}?page=\"+location.pathname)")));
    }
}
