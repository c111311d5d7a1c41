//! Plain-text news clippings: hard-wrapped paragraphs, `Related article: TITLE` lines, then
//! `Original url:` and one or more urls, which may be wrapped over several lines.
//!
//! Pure: text in, `Clipping` out. Never panics, whatever the input (it is fuzzed).

use chrono::NaiveDate;

/// What a clipping says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clipping {
    /// A `Title:` line, when the clipping has one.
    pub title: Option<String>,
    /// Paragraphs, each rejoined into one line.
    pub paragraphs: Vec<String>,
    /// `Related article:` titles, in order.
    pub related_titles: Vec<String>,
    /// The urls after `Original url:`, rejoined, in order. The first is the article's.
    pub urls: Vec<String>,
}

/// A related article: a title and, when one of the urls matched it, its url.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedLink {
    /// Title from the clipping, or derived from the url.
    pub title: String,
    /// The matching url.
    pub url: Option<String>,
}

/// Cleans the text: byte-order mark, CRLF, tabs, trailing spaces.
fn clean(text: &str) -> String {
    let t = text.strip_prefix('\u{feff}').unwrap_or(text);
    t.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\t', " ")
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

fn strip_label<'a>(line: &'a str, label: &str) -> Option<&'a str> {
    let t = line.trim_start();
    let head = t.get(..label.len())?;
    head.eq_ignore_ascii_case(label).then(|| t[label.len()..].trim())
}

fn has_scheme(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://")
}

/// Reads a clipping.
pub fn parse(text: &str) -> Clipping {
    let text = clean(text);
    let mut title = None;
    let mut related_titles = Vec::new();
    let mut body_lines: Vec<&str> = Vec::new();
    let mut url_lines: Vec<&str> = Vec::new();
    let mut in_urls = false;
    for line in text.lines() {
        if let Some(rest) = strip_label(line, "Original url:") {
            in_urls = true;
            if !rest.is_empty() {
                url_lines.push(rest);
            }
            continue;
        }
        if let Some(rest) = strip_label(line, "Related article:") {
            if !rest.is_empty() {
                related_titles.push(rest.to_string());
            }
            continue;
        }
        if in_urls {
            url_lines.push(line);
            continue;
        }
        if title.is_none()
            && body_lines.iter().all(|l| l.trim().is_empty())
            && let Some(rest) = strip_label(line, "Title:")
        {
            title = Some(rest.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|t| !t.is_empty());
            continue;
        }
        body_lines.push(line);
    }
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    for line in body_lines {
        let l = line.trim();
        if l.is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
        } else {
            for w in l.split_whitespace() {
                if !current.is_empty() {
                    current.push(' ');
                }
                current.push_str(w);
            }
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    Clipping { title, paragraphs, related_titles, urls: join_urls(&url_lines) }
}

/// Rejoins wrapped urls: a piece with no scheme and no spaces continues the url above it.
fn join_urls(lines: &[&str]) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    let mut open = false; // the last url may still continue (no blank line needed between pieces)
    for line in lines {
        let l = line.trim();
        if l.is_empty() {
            continue;
        }
        if has_scheme(l) {
            urls.push(l.split_whitespace().next().unwrap_or(l).to_string());
            open = true;
        } else if open
            && !l.contains(' ')
            && let Some(last) = urls.last_mut()
        {
            last.push_str(l);
        } else {
            open = false;
        }
    }
    urls
}

/// The url's last path segment, decoded, without a trailing article id like `-a88252`.
pub fn url_slug(url: &str) -> String {
    let no_query = url.split(['?', '#']).next().unwrap_or(url);
    let after_host = no_query.splitn(4, '/').nth(3).unwrap_or("");
    let seg = after_host.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let seg = crate::url::percent_decode(seg);
    let seg = seg.strip_suffix(".html").or_else(|| seg.strip_suffix(".htm")).unwrap_or(&seg).to_string();
    strip_article_id(&seg).to_string()
}

/// `story-title-a88252` → `story-title`; `story-123456` → `story`.
fn strip_article_id(seg: &str) -> &str {
    if let Some(i) = seg.rfind('-') {
        let tail = &seg[i + 1..];
        let digits = tail.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        let letters = tail.len() - digits.len();
        if letters <= 2 && digits.len() >= 3 && digits.chars().all(|c| c.is_ascii_digit()) && i > 0 {
            return &seg[..i];
        }
    }
    seg
}

/// A title from a url: its slug in words, first letter capitalised.
pub fn title_from_url(url: &str) -> Option<String> {
    let slug = url_slug(url);
    let words: Vec<&str> = slug.split(['-', '_', '+', ' ']).filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return None;
    }
    let s = words.join(" ");
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str())
}

/// The date in a url path, as in `/2025/03/05/`.
pub fn date_from_url(url: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = url.split(['/', '?', '#']).collect();
    parts.windows(3).find_map(|w| {
        let ok = w[0].len() == 4 && w[1].len() == 2 && w[2].len() == 2;
        if !ok {
            return None;
        }
        NaiveDate::from_ymd_opt(w[0].parse().ok()?, w[1].parse().ok()?, w[2].parse().ok()?)
    })
}

/// Letters and digits only, lowercase, accents removed: "U.S." and "us" compare equal.
fn compact(s: &str) -> String {
    slug::slugify(s).chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

fn words(s: &str) -> Vec<String> {
    slug::slugify(s).split('-').filter(|w| !w.is_empty()).map(String::from).collect()
}

/// How well a url's slug matches a title, 0 to 1.
fn similarity(url: &str, title: &str) -> f64 {
    let slug = url_slug(url);
    if !slug.is_empty() && compact(&slug) == compact(title) {
        return 1.0;
    }
    let a = words(&slug);
    let b = words(title);
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let shared = a.iter().filter(|w| b.contains(w)).count();
    shared as f64 / a.len().max(b.len()) as f64
}

/// Pairs the related titles with the urls after the first, by comparing each url's slug with
/// the titles (not by order). Urls that match no title become links titled from their slug;
/// titles that match no url stay titles.
pub fn match_related(titles: &[String], urls: &[String]) -> Vec<RelatedLink> {
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (ti, t) in titles.iter().enumerate() {
        for (ui, u) in urls.iter().enumerate() {
            let s = similarity(u, t);
            if s >= 0.5 {
                pairs.push((s, ti, ui));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut title_url: Vec<Option<usize>> = vec![None; titles.len()];
    let mut url_used = vec![false; urls.len()];
    for (_, ti, ui) in pairs {
        if title_url[ti].is_none() && !url_used[ui] {
            title_url[ti] = Some(ui);
            url_used[ui] = true;
        }
    }
    let mut out: Vec<RelatedLink> = titles
        .iter()
        .zip(&title_url)
        .map(|(t, u)| RelatedLink { title: t.clone(), url: u.map(|i| urls[i].clone()) })
        .collect();
    for (u, used) in urls.iter().zip(url_used) {
        if !used {
            out.push(RelatedLink { title: title_from_url(u).unwrap_or_else(|| u.clone()), url: Some(u.clone()) });
        }
    }
    out
}

/// Escapes what Markdown would read as markup in plain prose.
pub fn escape_markdown(p: &str) -> String {
    let mut out = String::with_capacity(p.len() + 8);
    for c in p.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    // A paragraph that starts like a heading, list item or numbered item would become one.
    let starts_block =
        out.starts_with('#') || out.starts_with("- ") || out.starts_with("+ ") || out.starts_with('=') || {
            let digits = out.chars().take_while(|c| c.is_ascii_digit()).count();
            digits > 0 && matches!(out[digits..].chars().next(), Some('.') | Some(')'))
        };
    if starts_block {
        let digits = out.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 {
            out.insert(digits, '\\');
        } else {
            out.insert(0, '\\');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../tests/fixtures/import/seed.txt");

    #[test]
    fn seed_clipping() {
        let c = parse(SEED);
        assert_eq!(c.paragraphs.len(), 12);
        assert!(c.paragraphs.iter().all(|p| !p.contains("Related article") && !p.contains("http")));
        assert!(c.paragraphs[4].contains("Ukrainian President Volodymyr Zelensky “since"), "{}", c.paragraphs[4]);
        assert_eq!(c.related_titles, ["Trump Says Zelensky Ready for Talks With Russia, U.S. Minerals Deal"]);
        assert_eq!(
            c.urls,
            [
                "https://www.themoscowtimes.com/2025/03/05/lukashenko-offers-to-host-russia-ukraine-peace-talks-a88252",
                "https://www.themoscowtimes.com/2025/07/19/trump-says-zelensky-ready-for-talks-with-russia-us-minerals-deal"
            ]
        );
        let rel = match_related(&c.related_titles, &c.urls[1..]);
        assert_eq!(rel.len(), 1);
        assert_eq!(rel[0].url.as_deref(), Some(c.urls[1].as_str()));
        assert_eq!(title_from_url(&c.urls[0]).unwrap(), "Lukashenko offers to host russia ukraine peace talks");
        assert_eq!(date_from_url(&c.urls[0]), NaiveDate::from_ymd_opt(2025, 3, 5));
    }

    #[test]
    fn url_wrapped_over_three_lines_with_crlf_and_bom() {
        let text = "\u{feff}Body line one\r\nline two.\r\n\r\nOriginal url:\r\nhttps://news.example/2024/01/02/a-very-\r\nlong-story-\r\nslug-123456\r\n";
        let c = parse(text);
        assert_eq!(c.paragraphs, ["Body line one line two."]);
        assert_eq!(c.urls, ["https://news.example/2024/01/02/a-very-long-story-slug-123456"]);
        assert_eq!(title_from_url(&c.urls[0]).unwrap(), "A very long story slug");
    }

    #[test]
    fn related_titles_matched_by_slug_not_order() {
        let titles = vec!["Second Story Here".to_string(), "First One".to_string()];
        let urls = vec![
            "https://x.example/2025/01/01/first-one-a1234".to_string(),
            "https://x.example/second-story-here".to_string(),
        ];
        let r = match_related(&titles, &urls);
        assert_eq!(r[0].url.as_deref(), Some("https://x.example/second-story-here"));
        assert_eq!(r[1].url.as_deref(), Some("https://x.example/2025/01/01/first-one-a1234"));
    }

    #[test]
    fn percent_encoded_slugs() {
        assert_eq!(url_slug("https://x.example/2025/01/01/caf%C3%A9-opens"), "café-opens");
    }

    #[test]
    fn title_line_and_no_url() {
        let c = parse("Title: A headline\n\nText.\n");
        assert_eq!(c.title.as_deref(), Some("A headline"));
        assert!(c.urls.is_empty());
    }

    #[test]
    fn markdown_is_escaped() {
        assert_eq!(escape_markdown("# not a heading *x*"), "\\# not a heading \\*x\\*");
        assert_eq!(escape_markdown("1. not a list"), "1\\. not a list");
        assert_eq!(escape_markdown("<script>"), "\\<script\\>");
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "",
            "Original url:",
            "Original url: %",
            "Related article:",
            "\u{feff}",
            "%%%",
            "Original url:\nhttps://",
            "é%C3",
        ] {
            let c = parse(s);
            let _ = match_related(&c.related_titles, &c.urls);
            for u in &c.urls {
                let _ = (url_slug(u), title_from_url(u), date_from_url(u));
            }
        }
    }
}
