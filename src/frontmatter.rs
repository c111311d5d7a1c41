//! An article file: its `+++` TOML front matter, checked and typed, and where its body starts.
//!
//! The splitter keeps byte offsets so that every error points at the right line and column of
//! the whole file, not of the TOML fragment.

use std::ops::Range;
use std::path::Path;

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use toml::Spanned;

use crate::date::{self, Zone};
use crate::diagnostics::Diagnostic;

/// A value and the bytes of the file it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Byte range in the whole file.
    pub span: Range<usize>,
}

/// A `related` entry as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelatedRef {
    /// A slug, a title or an original url of another article.
    Ref(String),
    /// `{ title, url }`: an article of the site with that url or title, else an outside link.
    Link {
        /// Shown text, and a title to match.
        title: String,
        /// Original url to match, and the fallback target.
        url: String,
    },
}

/// The checked front matter of one article.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontMatter {
    /// Headline.
    pub title: String,
    /// Publication instant, in the site's zone.
    pub date: DateTime<FixedOffset>,
    /// Last update, in the site's zone.
    pub updated: Option<DateTime<FixedOffset>>,
    /// Overrides the file name as slug.
    pub slug: Option<Located<String>>,
    /// The outlet.
    pub source: Option<String>,
    /// Original url of the story.
    pub url: Option<String>,
    /// Topic names or slugs as written.
    pub topics: Vec<Located<String>>,
    /// People named.
    pub people: Vec<Located<String>>,
    /// Places named.
    pub places: Vec<Located<String>>,
    /// Editorial related articles.
    pub related: Vec<Located<RelatedRef>>,
    /// Explicit summary.
    pub summary: Option<String>,
    /// Left out of builds without `--drafts`.
    pub draft: bool,
    /// Free-form values for themes.
    pub extra: toml::Table,
}

/// Which fields of two front matters may differ in `FrontMatter::same_but`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leeway {
    /// The title and the summary: an edit of wording alone, which `model::reassemble_texts`
    /// can take without assembling the site again.
    Wording,
    /// The topics, people and places: an edit that `model::reassemble_tags` can take.
    Tags,
}

impl FrontMatter {
    /// True when everything but what `leeway` allows is the same (where in the file each value
    /// was written aside).
    pub fn same_but(&self, other: &FrontMatter, leeway: Leeway) -> bool {
        fn values<T: PartialEq>(a: &[Located<T>], b: &[Located<T>]) -> bool {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.value == y.value)
        }
        let FrontMatter {
            title,
            date,
            updated,
            slug,
            source,
            url,
            topics,
            people,
            places,
            related,
            summary,
            draft,
            extra,
        } = self;
        let wording = leeway == Leeway::Wording || (*title == other.title && *summary == other.summary);
        let tags = leeway == Leeway::Tags
            || (values(topics, &other.topics) && values(people, &other.people) && values(places, &other.places));
        wording
            && tags
            && *date == other.date
            && *updated == other.updated
            && slug.as_ref().map(|s| &s.value) == other.slug.as_ref().map(|s| &s.value)
            && *source == other.source
            && *url == other.url
            && values(related, &other.related)
            && *draft == other.draft
            && *extra == other.extra
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrontMatter {
    title: Option<Spanned<String>>,
    date: Option<Spanned<toml::Value>>,
    updated: Option<Spanned<toml::Value>>,
    slug: Option<Spanned<String>>,
    source: Option<Spanned<String>>,
    url: Option<Spanned<String>>,
    #[serde(default)]
    topics: Vec<Spanned<String>>,
    #[serde(default)]
    people: Vec<Spanned<String>>,
    #[serde(default)]
    places: Vec<Spanned<String>>,
    #[serde(default)]
    related: Vec<Spanned<RawRelated>>,
    summary: Option<String>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    extra: toml::Table,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawRelated {
    Ref(String),
    Link { title: String, url: String },
}

const KEYS: &str = "title, date, updated, slug, source, url, topics, people, places, related, summary, draft, [extra]";

/// Where the parts of an article file are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// Bytes of the TOML between the fences.
    pub toml: Range<usize>,
    /// Bytes of the Markdown body.
    pub body: Range<usize>,
}

/// Finds the `+++` fences. A byte-order mark and CRLF line ends are accepted.
pub fn split(text: &str) -> Result<Split, (String, Range<usize>, Option<&'static str>)> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut lines = LineIter { text, pos: start };
    let Some(first) = lines.next() else {
        return Err(("empty file: an article starts with a `+++` line".into(), 0..0, None));
    };
    let first_text = text[first.clone()].trim_end();
    if first_text != "+++" {
        let hint = if first_text == "---" {
            Some("digest reads TOML front matter between `+++` lines, not YAML between `---`")
        } else {
            Some("start the file with a `+++` line, then TOML keys (title = \"...\", date = ...), then `+++`")
        };
        return Err(("missing front matter: expected `+++` on the first line".into(), first, hint));
    }
    let toml_start = first.end;
    for line in lines {
        if text[line.clone()].trim_end() == "+++" {
            return Ok(Split { toml: toml_start..line.start, body: line.end..text.len() });
        }
    }
    Err((
        "front matter is never closed: expected a line with only `+++` after the TOML".into(),
        first.start..first.start + 3,
        None,
    ))
}

/// Lines as byte ranges including their line end.
struct LineIter<'a> {
    text: &'a str,
    pos: usize,
}

impl Iterator for LineIter<'_> {
    type Item = Range<usize>;
    fn next(&mut self) -> Option<Range<usize>> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let end = self.text[start..].find('\n').map_or(self.text.len(), |i| start + i + 1);
        self.pos = end;
        Some(start..end)
    }
}

/// Splits and checks an article file. `path` (relative to the site root) names it in diagnostics.
/// Returns the front matter and the byte offset where the body starts.
pub fn parse(path: &Path, text: &str, zone: &Zone) -> Result<(FrontMatter, usize), Vec<Diagnostic>> {
    let split = split(text).map_err(|(msg, span, hint)| {
        let d = Diagnostic::error(msg).at(path, text, span);
        vec![match hint {
            Some(h) => d.with_hint(h),
            None => d,
        }]
    })?;
    let toml_text = &text[split.toml.clone()];
    let off = split.toml.start;
    let raw: RawFrontMatter = toml::from_str(toml_text).map_err(|e| {
        let msg = e.message().trim_end().to_string();
        let span = e.span().map_or(off..off, |s| s.start + off..s.end + off);
        let mut d = Diagnostic::error(format!("invalid front matter: {msg}")).at(path, text, span);
        if msg.contains("unknown field") {
            d = d.with_hint(format!("front matter accepts {KEYS}; put your own keys under [extra]"));
        } else if msg.contains("did not match any variant") {
            d = d.with_hint("a related entry is a string (slug, title or url) or { title = \"...\", url = \"...\" }");
        }
        vec![d]
    })?;
    resolve(path, text, off, raw, zone).map(|fm| (fm, split.body.start))
}

fn resolve(
    path: &Path,
    text: &str,
    off: usize,
    raw: RawFrontMatter,
    zone: &Zone,
) -> Result<FrontMatter, Vec<Diagnostic>> {
    let RawFrontMatter {
        title,
        date,
        updated,
        slug,
        source,
        url,
        topics,
        people,
        places,
        related,
        summary,
        draft,
        extra,
    } = raw;
    let mut diags = Vec::new();
    let shift = |s: Range<usize>| s.start + off..s.end + off;
    let fence = text.find("+++").unwrap_or(0);
    let err = |diags: &mut Vec<Diagnostic>, msg: String, span: Range<usize>| {
        diags.push(Diagnostic::error(msg).at(path, text, span))
    };

    let title = match title {
        Some(t) if !t.get_ref().trim().is_empty() => t.get_ref().trim().to_string(),
        Some(t) => {
            err(&mut diags, "`title` must not be empty".into(), shift(t.span()));
            String::new()
        }
        None => {
            err(&mut diags, "missing `title` in front matter: every article needs a headline".into(), fence..fence + 3);
            String::new()
        }
    };
    let read_date =
        |diags: &mut Vec<Diagnostic>, v: Spanned<toml::Value>, key: &str| -> Option<DateTime<FixedOffset>> {
            let span = shift(v.span());
            let s = match v.into_inner() {
                toml::Value::Datetime(d) => d.to_string(),
                toml::Value::String(s) => s,
                other => {
                    err(diags, format!("`{key}` must be a date, found a {}", other.type_str()), span);
                    return None;
                }
            };
            date::parse(&s, zone).map_err(|m| err(diags, m, span)).ok()
        };
    let date = match date {
        Some(d) => read_date(&mut diags, d, "date"),
        None => {
            err(
                &mut diags,
                "missing `date` in front matter: e.g. date = 2025-03-05 or 2025-03-05T10:00:00+03:00".into(),
                fence..fence + 3,
            );
            None
        }
    };
    let updated = updated.and_then(|d| read_date(&mut diags, d, "updated"));
    let slug = slug.and_then(|s| {
        let v = s.get_ref().trim();
        if v.is_empty() || v.contains('/') || v.starts_with('.') {
            err(
                &mut diags,
                format!("invalid slug \"{v}\": expected a single path segment like \"my-story\""),
                shift(s.span()),
            );
            return None;
        }
        Some(Located { value: v.to_string(), span: shift(s.span()) })
    });
    let url = url.and_then(|u| {
        let v = u.get_ref().trim();
        if !(v.starts_with("https://") || v.starts_with("http://")) || v.contains(char::is_whitespace) {
            err(
                &mut diags,
                format!("invalid url \"{v}\": expected the original article's http:// or https:// address"),
                shift(u.span()),
            );
            return None;
        }
        Some(v.to_string())
    });
    let names = |diags: &mut Vec<Diagnostic>, list: Vec<Spanned<String>>, key: &str| -> Vec<Located<String>> {
        let mut out = Vec::with_capacity(list.len());
        for n in list {
            let span = shift(n.span());
            let v = n.into_inner().trim().to_string();
            if slug::slugify(&v).is_empty() {
                err(diags, format!("empty name in `{key}`: each entry needs letters or digits"), span);
            } else {
                out.push(Located { value: v, span });
            }
        }
        out
    };
    let topics = names(&mut diags, topics, "topics");
    let people = names(&mut diags, people, "people");
    let places = names(&mut diags, places, "places");
    let related = related
        .into_iter()
        .map(|r| {
            let span = shift(r.span());
            let value = match r.into_inner() {
                RawRelated::Ref(s) => RelatedRef::Ref(s.trim().to_string()),
                RawRelated::Link { title, url } => {
                    RelatedRef::Link { title: title.trim().into(), url: url.trim().into() }
                }
            };
            Located { value, span }
        })
        .collect();
    let source = source.map(|s| s.into_inner().trim().to_string()).filter(|s| !s.is_empty());
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(FrontMatter {
        title,
        date: date.expect("a missing or bad date is reported above"),
        updated,
        slug,
        source,
        url,
        topics,
        people,
        places,
        related,
        summary: summary.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
        draft,
        extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<(FrontMatter, usize), Vec<Diagnostic>> {
        parse(Path::new("content/a.md"), text, &Zone::utc())
    }

    #[test]
    fn split_keeps_offsets_with_bom_and_crlf() {
        let text = "\u{feff}+++\r\ntitle = \"x\"\r\n+++\r\nBody\r\n";
        let s = split(text).unwrap();
        assert_eq!(&text[s.toml.clone()], "title = \"x\"\r\n");
        assert_eq!(&text[s.body.clone()], "Body\r\n");
    }

    #[test]
    fn unclosed_front_matter_points_at_the_opening_fence() {
        let e = parse_str("+++\ntitle = \"x\"\n\nBody\n").unwrap_err();
        assert_eq!((e[0].line, e[0].col), (1, 1));
        assert!(e[0].message.contains("never closed"));
    }

    #[test]
    fn yaml_gets_a_hint() {
        let e = parse_str("---\ntitle: x\n---\n").unwrap_err();
        assert!(e[0].hint.as_deref().unwrap().contains("TOML"));
    }

    #[test]
    fn toml_error_maps_to_file_line() {
        let e = parse_str("+++\ntitle = \"x\"\ndate = 2025-13-02\n+++\n").unwrap_err();
        assert_eq!(e[0].line, 3);
        assert!(e[0].message.contains("invalid front matter"), "{}", e[0].message);
    }

    #[test]
    fn invalid_date_string_points_at_value() {
        let e = parse_str("+++\ntitle = \"x\"\ndate = \"2025-02-30\"\n+++\n").unwrap_err();
        assert_eq!((e[0].line, e[0].col), (3, 8));
        assert!(e[0].message.contains("invalid date \"2025-02-30\""));
    }

    #[test]
    fn missing_title_and_date_both_reported() {
        let e = parse_str("+++\nsource = \"X\"\n+++\n").unwrap_err();
        assert_eq!(e.len(), 2);
        assert!(e.iter().all(|d| d.line == 1));
    }

    #[test]
    fn wrong_type_points_at_value() {
        let e = parse_str("+++\ntitle = \"x\"\ndate = 2025-01-01\ntopics = \"one\"\n+++\n").unwrap_err();
        assert_eq!(e[0].line, 4);
    }

    #[test]
    fn all_keys_read() {
        let text = "+++\ntitle = \" A \"\ndate = 2025-03-05T10:00:00+03:00\nsource = \"S\"\nurl = \"https://x.example/a\"\n\
                    topics = [\"Peace talks\"]\npeople = [\"P\"]\nplaces = [\"Q\"]\n\
                    related = [\"b\", { title = \"T\", url = \"https://y.example/\" }]\nsummary = \"Sum\"\ndraft = true\n+++\nBody";
        let (fm, body) = parse_str(text).unwrap();
        assert_eq!(fm.title, "A");
        assert_eq!(fm.date.to_rfc3339(), "2025-03-05T07:00:00+00:00");
        assert_eq!(fm.related.len(), 2);
        assert!(matches!(&fm.related[1].value, RelatedRef::Link { title, .. } if title == "T"));
        assert!(fm.draft);
        assert_eq!(&text[body..], "Body");
    }

    #[test]
    fn javascript_url_is_refused() {
        let e = parse_str("+++\ntitle = \"x\"\ndate = 2025-01-01\nurl = \"javascript:alert(1)\"\n+++\n").unwrap_err();
        assert_eq!(e[0].line, 4);
    }
}
