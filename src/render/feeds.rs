//! Feeds: Atom and RSS through the theme's `atom.xml` and `rss.xml` templates, JSON Feed 1.1
//! through serde. Every item carries the source outlet and the original url.

use std::borrow::Cow;
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::json;

use crate::model::{Article, ArticleId, EntityKind, Site};

/// What a feed is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedOf {
    /// The whole site.
    Site,
    /// One topic.
    Topic(usize),
    /// One person or source (places have pages but no feeds).
    Entity(EntityKind, usize),
}

impl FeedOf {
    /// Whether the feed's items carry the article's whole text. The site's and the topics'
    /// feeds are the ones read in a feed reader: full text. A person's or source's feed is an
    /// alert (there are thousands, and each article is in several): summary and links only, as
    /// Hugo's feeds are by default.
    pub fn full_text(self) -> bool {
        !matches!(self, FeedOf::Entity(..))
    }
}

/// Makes feed items. An item is made for each feed that lists it and freed with that feed. Kept
/// for the whole build, an article's item would serve about three person and source feeds at
/// 10k but 0.6 at 100k (feeds list the newest 20), and held 150 MB there that no later page needs.
/// Its fingerprint is kept (a number): a rebuild fingerprints every feed, and most list the
/// same articles as several others.
pub struct Items {
    origin: String,
    /// The fingerprint of each article's item, with and without its text (`FeedOf::full_text`).
    prints: [Vec<OnceLock<u64>>; 2],
}

/// `https://example.org` from `https://example.org/digest/`; empty for a relative base url.
fn origin(base_url: &str) -> String {
    match base_url.find("://") {
        Some(i) => {
            let rest = &base_url[i + 3..];
            let host_end = rest.find('/').map_or(base_url.len(), |j| i + 3 + j);
            base_url[..host_end].to_string()
        }
        None => String::new(),
    }
}

/// Root-relative `href` and `src` made absolute, for feed readers. One pass over the text; the
/// text itself when it has none.
pub fn absolute_links<'a>(html: &'a str, origin: &str) -> Cow<'a, str> {
    if origin.is_empty() {
        return Cow::Borrowed(html);
    }
    let mut out = String::new();
    let mut done = 0;
    for at in memchr::memmem::find_iter(html.as_bytes(), "=\"/") {
        let attr = &html[..at];
        if attr.ends_with(" href") || attr.ends_with(" src") {
            if out.is_empty() {
                out.reserve(html.len() + 256);
            }
            out.push_str(&html[done..at + 2]);
            out.push_str(origin);
            done = at + 2;
        }
    }
    if done == 0 {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[done..]);
    Cow::Owned(out)
}

#[derive(Serialize)]
struct Category<'a> {
    name: &'a str,
    url: String,
}

#[derive(Serialize)]
struct Source<'a> {
    name: &'a str,
    url: String,
}

/// An article as a feed's template sees it.
#[derive(Serialize)]
pub struct Item<'a> {
    id: String,
    title: &'a str,
    permalink: String,
    published: String,
    updated: String,
    published_rfc2822: String,
    summary: &'a str,
    content: Option<Cow<'a, str>>,
    categories: Vec<Category<'a>>,
    source: Option<Source<'a>>,
    original_url: Option<&'a str>,
}

impl Items {
    /// For the feeds of `site`.
    pub fn new(site: &Site) -> Self {
        let n = site.articles.len();
        let cells = || (0..n).map(|_| OnceLock::new()).collect();
        Items { origin: origin(&site.config.base_url), prints: [cells(), cells()] }
    }

    /// The fingerprint of the item of article `id` in feed `of`.
    pub fn print(&self, site: &Site, id: ArticleId, of: FeedOf) -> u64 {
        *self.prints[usize::from(of.full_text())][id.0 as usize]
            .get_or_init(|| super::print::of(&self.item(site, site.article(id), of)))
    }

    fn item<'a>(&self, site: &'a Site, a: &'a Article, of: FeedOf) -> Item<'a> {
        let permalink = site.url(&a.route);
        Item {
            id: permalink.clone(),
            title: &a.title,
            permalink,
            published: a.date.to_rfc3339(),
            updated: a.updated.unwrap_or(a.date).to_rfc3339(),
            published_rfc2822: a.date.to_rfc2822(),
            summary: &a.summary,
            content: of.full_text().then(|| absolute_links(&a.body_html, &self.origin)),
            categories: a
                .topics
                .iter()
                .map(|t| {
                    let t = site.topic(*t);
                    Category { name: &t.name, url: site.url(&t.route) }
                })
                .collect(),
            source: a.source.map(|s| {
                let e = site.entity(EntityKind::Source, s);
                Source { name: &e.name, url: site.url(&e.route) }
            }),
            original_url: a.url.as_deref(),
        }
    }

    /// The items of some articles in feed `of` (`content` is none in a feed of summaries).
    pub fn items<'a>(&self, site: &'a Site, ids: &[ArticleId], of: FeedOf) -> Vec<Item<'a>> {
        ids.iter().map(|id| self.item(site, site.article(*id), of)).collect()
    }
}

/// The articles, name (none for the site's own feed) and url path (relative to the site root,
/// without file) of a feed.
pub fn scope(site: &Site, of: FeedOf) -> (&[ArticleId], Option<&str>, &str) {
    match of {
        FeedOf::Site => (&[], None, ""),
        FeedOf::Topic(i) => {
            let t = &site.topics[i];
            (&t.articles, Some(&t.name), &t.route)
        }
        FeedOf::Entity(kind, i) => {
            let e = &site.entities(kind)[i];
            (&e.articles, Some(&e.name), &e.route)
        }
    }
}

/// The newest `limit` articles of a feed.
pub fn newest(site: &Site, of: FeedOf) -> Vec<ArticleId> {
    let limit = site.config.feed_limit;
    match of {
        FeedOf::Site => site.articles.iter().take(limit).map(|a| a.id).collect(),
        _ => scope(site, of).0.iter().take(limit).copied().collect(),
    }
}

/// The `feed` value of a feed template.
#[derive(Serialize)]
pub struct Head<'a> {
    title: String,
    description: &'a str,
    url: String,
    home: String,
    updated: String,
    updated_rfc2822: String,
    language: &'a str,
    generator: &'static str,
}

/// The `feed` variable of a feed template. `file` is the feed's own path.
pub fn head<'a>(site: &'a Site, of: FeedOf, file: &str, ids: &[ArticleId]) -> Head<'a> {
    let (_, name, route) = scope(site, of);
    let title = match name {
        Some(name) => format!("{}: {name}", site.config.title),
        None => site.config.title.clone(),
    };
    let updated = ids
        .iter()
        .map(|id| site.article(*id))
        .map(|a| a.updated.unwrap_or(a.date))
        .max()
        .or(site.articles.first().map(|a| a.date))
        .unwrap_or_else(|| chrono::DateTime::UNIX_EPOCH.fixed_offset());
    Head {
        title,
        description: &site.config.description,
        url: site.url(file),
        home: site.url(route),
        updated: updated.to_rfc3339(),
        updated_rfc2822: updated.to_rfc2822(),
        language: &site.config.language,
        generator: concat!("digest ", env!("CARGO_PKG_VERSION")),
    }
}

/// The site's JSON Feed 1.1.
pub fn json_feed(site: &Site, ids: &[ArticleId]) -> String {
    let base = &site.config.base_url;
    let origin = origin(base);
    let items: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| {
            let a = site.article(*id);
            let url = site.url(&a.route);
            let mut item = json!({
                "id": url,
                "url": url,
                "title": a.title,
                "content_html": absolute_links(&a.body_html, &origin),
                "summary": a.summary,
                "date_published": a.date.to_rfc3339(),
                "date_modified": a.updated.unwrap_or(a.date).to_rfc3339(),
                "tags": a.topics.iter().map(|t| site.topic(*t).name.as_str()).collect::<Vec<_>>(),
            });
            if let Some(u) = &a.url {
                item["external_url"] = json!(u);
            }
            if let Some(s) = a.source {
                let e = site.entity(EntityKind::Source, s);
                item["authors"] = json!([{"name": e.name, "url": site.url(&e.route)}]);
            }
            item
        })
        .collect();
    let feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": site.config.title,
        "home_page_url": base,
        "feed_url": site.url("feed.json"),
        "description": site.config.description,
        "language": site.config.language,
        "items": items,
    });
    serde_json::to_string_pretty(&feed).expect("json serialises") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(origin("https://example.org/digest/"), "https://example.org");
        assert_eq!(origin("https://example.org/"), "https://example.org");
        assert_eq!(origin("/"), "");
    }

    #[test]
    fn links_become_absolute() {
        let h = r##"<a href="/a/">x</a> <img src="/i.png"> <a href="https://o.example/">y</a> <a href="#f">z</a>"##;
        assert_eq!(
            absolute_links(h, "https://example.org"),
            r##"<a href="https://example.org/a/">x</a> <img src="https://example.org/i.png"> <a href="https://o.example/">y</a> <a href="#f">z</a>"##
        );
    }

    #[test]
    fn a_text_without_root_relative_links_is_not_copied() {
        let h = r##"<p><a href="https://o.example/">y</a> data="/not-an-attribute" <a href="#f">z</a></p>"##;
        assert!(matches!(absolute_links(h, "https://example.org"), Cow::Borrowed(b) if b == h));
        assert!(matches!(absolute_links("<a href=\"/a/\">x</a>", ""), Cow::Borrowed(_)));
        assert!(matches!(absolute_links("<a href=\"/a/\">x</a>", "https://example.org"), Cow::Owned(_)));
    }
}
