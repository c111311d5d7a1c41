//! Where every page lives: the permalink pattern for articles, the fixed layout for the other
//! pages, and the check that no two pages want the same file.
//!
//! Pure. Urls here are relative to the site root (`2025/03/05/x/`); `Config::base_path` is
//! prepended by the model when it makes hrefs.

use std::collections::hash_map::Entry;

use chrono::{DateTime, Datelike, FixedOffset};
use rustc_hash::FxHashMap;

use crate::diagnostics::Diagnostic;

/// A parsed `permalink` pattern such as `/:year/:month/:day/:slug/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permalink {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Lit(String),
    Year,
    Month,
    Day,
    Slug,
    Topic,
}

impl Default for Permalink {
    fn default() -> Self {
        Permalink::parse("/:year/:month/:day/:slug/").expect("the default pattern is valid")
    }
}

impl Permalink {
    /// Reads a pattern. It must start with `/` and contain `:slug`.
    pub fn parse(pattern: &str) -> Result<Permalink, String> {
        if !pattern.starts_with('/') {
            return Err(format!("invalid permalink \"{pattern}\": it must start with `/`"));
        }
        if pattern.contains("..") || pattern.contains('\\') || pattern.contains("//") {
            return Err(format!("invalid permalink \"{pattern}\": no `..`, `\\` or empty segments"));
        }
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut rest = &pattern[1..];
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix(':') {
                let end = after.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(after.len());
                let part = match &after[..end] {
                    "year" => Part::Year,
                    "month" => Part::Month,
                    "day" => Part::Day,
                    "slug" => Part::Slug,
                    "topic" => Part::Topic,
                    other => {
                        return Err(format!(
                            "unknown permalink placeholder \":{other}\": expected :year, :month, :day, :slug or :topic"
                        ));
                    }
                };
                if !lit.is_empty() {
                    parts.push(Part::Lit(std::mem::take(&mut lit)));
                }
                parts.push(part);
                rest = &after[end..];
            } else {
                let c = rest.chars().next().expect("rest is not empty");
                lit.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        if !parts.contains(&Part::Slug) {
            return Err(format!(
                "invalid permalink \"{pattern}\": it must contain :slug so that articles get distinct urls"
            ));
        }
        Ok(Permalink { parts })
    }

    /// The article's url, relative to the site root.
    pub fn expand(&self, date: &DateTime<FixedOffset>, slug: &str, topic: Option<&str>) -> String {
        use crate::date::push_digits;
        let mut s = String::with_capacity(32);
        let day = date.date_naive();
        for p in &self.parts {
            match p {
                Part::Lit(l) => s.push_str(l),
                // Every article's url: digits by hand, not `format!` (years past 9999 too).
                Part::Year => match u32::try_from(day.year()) {
                    Ok(y) if y <= 9999 => push_digits(&mut s, y, 4),
                    _ => s.push_str(&format!("{:04}", day.year())),
                },
                Part::Month => push_digits(&mut s, day.month(), 2),
                Part::Day => push_digits(&mut s, day.day(), 2),
                Part::Slug => s.push_str(slug),
                Part::Topic => s.push_str(topic.unwrap_or("uncategorised")),
            }
        }
        s
    }
}

/// The file a url is written to: `a/b/` becomes `a/b/index.html`.
pub fn file_for(url: &str) -> String {
    if url.is_empty() || url.ends_with('/') { [url, "index.html"].concat() } else { url.to_string() }
}

/// Whether `file` is `file_for(url)`, without making it.
pub fn has_file(url: &str, file: &str) -> bool {
    if url.is_empty() || url.ends_with('/') { file.strip_suffix("index.html") == Some(url) } else { file == url }
}

/// Page `n` (1-based) of a paginated list whose first page is `url`.
pub fn paged(url: &str, n: usize) -> String {
    if n <= 1 { url.to_string() } else { format!("{url}page/{n}/") }
}

/// Urls of the fixed layout.
pub mod layout {
    use chrono::{Datelike, NaiveDate};

    /// All topics.
    pub const TOPICS: &str = "topics/";
    /// All editions.
    pub const EDITIONS: &str = "editions/";
    /// A topic's first page.
    pub fn topic(slug: &str) -> String {
        format!("topics/{slug}/")
    }
    /// An entity's first page; `section` is `people`, `places` or `sources`.
    pub fn entity(section: &str, slug: &str) -> String {
        format!("{section}/{slug}/")
    }
    /// A year archive.
    pub fn year(y: i32) -> String {
        format!("{y:04}/")
    }
    /// A month archive.
    pub fn month(y: i32, m: u32) -> String {
        format!("{y:04}/{m:02}/")
    }
    /// A day archive.
    pub fn day(d: NaiveDate) -> String {
        Day(d).to_string()
    }
    /// A day archive's route (`day`) written where it goes, without a string of its own.
    pub struct Day(pub NaiveDate);
    impl std::fmt::Display for Day {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{:04}/{:02}/{:02}/", self.0.year(), self.0.month(), self.0.day())
        }
    }
    /// An edition.
    pub fn edition(id: &str) -> String {
        format!("editions/{id}/")
    }
}

/// Claims output files and reports two owners of one file. Owners are named (`finish`) only
/// when they collide: a site of many pages has few collisions, if any.
pub struct Claims<O> {
    /// Hashed fast: the keys are the site's own paths, 20,000 of them at 10,000 articles.
    owners: FxHashMap<String, O>,
    collisions: Vec<(String, O, O)>,
}

impl<O> Default for Claims<O> {
    fn default() -> Self {
        Claims { owners: FxHashMap::default(), collisions: Vec::new() }
    }
}

impl<O: Clone> Claims<O> {
    /// Room for `n` files.
    pub fn with_capacity(n: usize) -> Self {
        Claims { owners: FxHashMap::with_capacity_and_hasher(n, Default::default()), collisions: Vec::new() }
    }

    /// `owner` wants `file`.
    pub fn claim(&mut self, file: String, owner: O) {
        match self.owners.entry(file) {
            Entry::Occupied(first) => self.collisions.push((first.key().clone(), first.get().clone(), owner)),
            Entry::Vacant(free) => {
                free.insert(owner);
            }
        }
    }

    /// `owner` replaces whatever else wants `file`, without complaint: a static file may stand in
    /// for a generated one on purpose. Later claims collide with it.
    pub fn replace(&mut self, file: String, owner: O) {
        self.owners.insert(file, owner);
    }

    /// The collisions found, each naming both owners by `name`: a source path, or a
    /// description like "the topics index".
    pub fn finish(self, name: impl Fn(&O) -> String) -> Vec<Diagnostic> {
        self.collisions
            .into_iter()
            .map(|(file, first, other)| {
                let (first, other) = (name(&first), name(&other));
                let (a, b) = if first <= other { (first, other) } else { (other, first) };
                let at = if a.starts_with("content/") { a.clone() } else { b.clone() };
                Diagnostic::error(format!("{a} and {b} both want to be written to {file}"))
                    .in_file(at)
                    .with_hint("give one of them another `slug`, or change `permalink` in site.toml")
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2025-03-05T10:00:00+03:00").unwrap()
    }

    #[test]
    fn default_pattern() {
        assert_eq!(Permalink::default().expand(&date(), "x", None), "2025/03/05/x/");
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        // The day where the article was placed, years padded as `{:04}` pads them.
        assert_eq!(Permalink::default().expand(&at("0999-12-31T23:30:00-01:00"), "x", None), "0999/12/31/x/");
        let far = at("9999-12-31T23:00:00+00:00") + chrono::Duration::days(400);
        assert_eq!(Permalink::default().expand(&far, "x", None), "10001/02/03/x/");
    }

    #[test]
    fn custom_patterns() {
        let p = Permalink::parse("/news/:topic/:slug.html").unwrap();
        assert_eq!(p.expand(&date(), "x", Some("belarus")), "news/belarus/x.html");
        assert_eq!(file_for("news/belarus/x.html"), "news/belarus/x.html");
        assert_eq!(file_for("a/"), "a/index.html");
        assert_eq!(file_for(""), "index.html");
    }

    #[test]
    fn a_file_is_its_urls_and_no_other() {
        for url in ["", "a/", "a/b/", "news/x.html", "atom.xml", "a/index.html"] {
            for file in ["index.html", "a/index.html", "a/b/index.html", "news/x.html", "atom.xml", "b/index.html"] {
                assert_eq!(has_file(url, file), file_for(url) == file, "{url:?} {file:?}");
            }
        }
    }

    #[test]
    fn bad_patterns() {
        assert!(Permalink::parse("/:year/").unwrap_err().contains(":slug"));
        assert!(Permalink::parse("/:yr/:slug/").unwrap_err().contains(":yr"));
        assert!(Permalink::parse(":slug/").is_err());
        assert!(Permalink::parse("/../:slug/").is_err());
    }

    #[test]
    fn collisions_name_both_owners() {
        let mut c = Claims::default();
        c.claim("a/index.html".into(), "content/b.md");
        c.claim("a/index.html".into(), "content/a.md");
        c.claim("b/index.html".into(), "content/c.md");
        let d = c.finish(|owner| owner.to_string());
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].message, "content/a.md and content/b.md both want to be written to a/index.html");
    }

    #[test]
    fn paging() {
        assert_eq!(paged("topics/x/", 1), "topics/x/");
        assert_eq!(paged("topics/x/", 3), "topics/x/page/3/");
    }
}
