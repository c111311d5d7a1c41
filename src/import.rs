//! `digest import`: clippings and RSS/Atom feeds into new articles under `content/`.
//!
//! Plain text is a clipping, XML (or JSON Feed) is a feed: decided by content, not by name.
//! Nothing is ever overwritten, and an item whose original url is already in `content/` (after
//! `url::normalise`) is skipped, so importing the same file twice writes nothing the second time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};

use crate::clipping;
use crate::config::Config;
use crate::draft::{Draft, RelatedOut, When};
use crate::error::Error;
use crate::source;

/// Flags of `digest import`.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Topics added to every imported article.
    pub topics: Vec<String>,
    /// Date used when the clipping's url has none (and for every item, if set).
    pub date: Option<NaiveDate>,
    /// Say what would be written, write nothing.
    pub dry_run: bool,
}

/// What happened to one clipping or feed item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Written to this path (relative to the site root).
    Imported(PathBuf),
    /// `--dry-run`: would be written to this path.
    WouldImport(PathBuf),
    /// Already in the site: the url matches this file.
    Duplicate(PathBuf),
    /// Could not be imported; why.
    Refused(String),
}

/// One line of the import report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The input file.
    pub input: PathBuf,
    /// The item's title, when it has one.
    pub title: Option<String>,
    /// What happened.
    pub outcome: Outcome,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = self.title.as_deref().map(|t| format!(" \"{t}\"")).unwrap_or_default();
        let input = self.input.display();
        match &self.outcome {
            Outcome::Imported(p) => write!(f, "imported {input}{what} -> {}", p.display()),
            Outcome::WouldImport(p) => write!(f, "would import {input}{what} -> {}", p.display()),
            Outcome::Duplicate(p) => write!(f, "skipped {input}{what}: already in the site as {}", p.display()),
            Outcome::Refused(why) => write!(f, "error: {input}{what}: {why}"),
        }
    }
}

/// Imports `files` into the site at `root`. Environment failures stop the import; problems with
/// one input are reported on its line and the others go on.
pub fn run(root: &Path, config: &Config, files: &[PathBuf], opts: &ImportOptions) -> Result<Vec<Report>, Error> {
    let mut known = existing_urls(root)?;
    let mut reports = Vec::new();
    for file in files {
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                reports.push(Report {
                    input: file.clone(),
                    title: None,
                    outcome: Outcome::Refused(format!("cannot read it: {e}")),
                });
                continue;
            }
        };
        let drafts = match drafts_from(&bytes, config, opts) {
            Ok(d) => d,
            Err(why) => {
                reports.push(Report { input: file.clone(), title: None, outcome: Outcome::Refused(why) });
                continue;
            }
        };
        for (title, item) in drafts {
            let outcome = match item {
                Err(why) => Outcome::Refused(why),
                Ok(draft) => {
                    let key = draft.url.as_deref().map(crate::url::normalise);
                    match key.as_ref().and_then(|k| known.get(k)) {
                        Some(p) => Outcome::Duplicate(p.clone()),
                        None if opts.dry_run => {
                            let p = draft.free_path(root);
                            if let Some(k) = key {
                                known.insert(k, p.clone());
                            }
                            Outcome::WouldImport(p)
                        }
                        None => {
                            let p = draft.write_new(root)?;
                            if let Some(k) = key {
                                known.insert(k, p.clone());
                            }
                            Outcome::Imported(p)
                        }
                    }
                }
            };
            reports.push(Report { input: file.clone(), title: Some(title).filter(|t| !t.is_empty()), outcome });
        }
    }
    Ok(reports)
}

/// A draft, or why an item cannot become one.
type Item = Result<Draft, String>;

/// The items of one input file, each with its title (empty when it has none).
fn drafts_from(bytes: &[u8], config: &Config, opts: &ImportOptions) -> Result<Vec<(String, Item)>, String> {
    let text = String::from_utf8_lossy(bytes);
    let head = text.trim_start_matches('\u{feff}').trim_start();
    let is_feed = head.starts_with("<?xml")
        || head.starts_with("<rss")
        || head.starts_with("<feed")
        || head.starts_with("<rdf")
        || (head.starts_with('{') && head.contains("jsonfeed.org"));
    if is_feed {
        from_feed(bytes, opts)
    } else {
        let item = from_clipping(&text, config, opts);
        let title = item.as_ref().map(|d| d.title.clone()).unwrap_or_default();
        Ok(vec![(title, item)])
    }
}

/// The outlet of a url: from `[sources]` by host, else the host without `www.`.
pub fn source_for(config: &Config, url: &str) -> Option<String> {
    let host = url.split("://").nth(1)?.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    let host = host.split('@').next_back()?.split(':').next()?.to_string();
    if host.is_empty() {
        return None;
    }
    if let Some(name) = config.sources.get(&host) {
        return Some(name.clone());
    }
    let bare = host.strip_prefix("www.").unwrap_or(&host);
    config
        .sources
        .iter()
        .find(|(h, _)| h.strip_prefix("www.").unwrap_or(h) == bare)
        .map(|(_, n)| n.clone())
        .or(Some(bare.to_string()))
}

/// One clipping → one draft.
pub fn from_clipping(text: &str, config: &Config, opts: &ImportOptions) -> Item {
    let c = clipping::parse(text);
    if c.paragraphs.is_empty() {
        return Err("no text: a clipping needs at least one paragraph".into());
    }
    let url = c.urls.first().cloned();
    let date = match (opts.date, url.as_deref().and_then(clipping::date_from_url)) {
        (Some(d), _) | (None, Some(d)) => d,
        (None, None) => {
            return Err(match &url {
                Some(u) => {
                    format!("no date: the url {u} has no /YYYY/MM/DD/ in its path; give one with --date YYYY-MM-DD")
                }
                None => "no date: the clipping has no `Original url:` to take it from; give one with --date YYYY-MM-DD"
                    .into(),
            });
        }
    };
    let title = c
        .title
        .clone()
        .or_else(|| url.as_deref().and_then(clipping::title_from_url))
        .ok_or("no title: the clipping has no `Title:` line and no url to derive one from")?;
    let related = clipping::match_related(&c.related_titles, c.urls.get(1..).unwrap_or(&[]))
        .into_iter()
        .map(|r| match r.url {
            Some(url) => RelatedOut::Link { title: r.title, url },
            None => RelatedOut::Title(r.title),
        })
        .collect();
    let body = c.paragraphs.iter().map(|p| clipping::escape_markdown(p)).collect::<Vec<_>>().join("\n\n");
    Ok(Draft {
        source: url.as_deref().and_then(|u| source_for(config, u)),
        title,
        date: When::Day(date),
        url,
        topics: opts.topics.clone(),
        related,
        body,
    })
}

fn from_feed(bytes: &[u8], opts: &ImportOptions) -> Result<Vec<(String, Item)>, String> {
    let feed = feed_rs::parser::parse(bytes).map_err(|e| format!("not a readable RSS or Atom feed: {e}"))?;
    let outlet = feed.title.as_ref().map(|t| plain(&t.content)).filter(|t| !t.is_empty());
    let mut out = Vec::new();
    for entry in feed.entries {
        let title = entry.title.as_ref().map(|t| plain(&t.content)).unwrap_or_default();
        let link = entry
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .or(entry.links.first())
            .map(|l| l.href.trim().to_string())
            .filter(|h| h.starts_with("http://") || h.starts_with("https://"));
        let when = match (opts.date, entry.published.or(entry.updated)) {
            (Some(d), _) => Some(When::Day(d)),
            (None, Some(t)) => Some(When::At(t.with_timezone(&Utc).fixed_offset())),
            (None, None) => link.as_deref().and_then(clipping::date_from_url).map(When::Day),
        };
        let item: Item = (|| {
            let date = when.ok_or("no date: the item has no published or updated date; give one with --date")?;
            if title.is_empty() {
                return Err("no title".to_string());
            }
            let html = entry
                .content
                .as_ref()
                .and_then(|c| c.body.clone())
                .or(entry.summary.as_ref().map(|s| s.content.clone()));
            let body = html.map(|h| html_to_markdown(&h)).unwrap_or_default();
            let mut topics = opts.topics.clone();
            for c in &entry.categories {
                let t = c.label.clone().unwrap_or_else(|| c.term.clone());
                let t = plain(&t);
                if !t.is_empty() && !topics.iter().any(|x| slug::slugify(x) == slug::slugify(&t)) {
                    topics.push(t);
                }
            }
            Ok(Draft {
                title: title.clone(),
                date,
                source: outlet.clone(),
                url: link.clone(),
                topics,
                related: vec![],
                body,
            })
        })();
        out.push((title, item));
    }
    if out.is_empty() {
        return Err("the feed has no items".into());
    }
    Ok(out)
}

/// Text with tags removed and whitespace collapsed, for titles and categories.
fn plain(s: &str) -> String {
    let cleaned = ammonia::Builder::empty().clean(s).to_string();
    let unescaped = cleaned
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    unescaped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Untrusted feed HTML: sanitised, then turned into Markdown.
fn html_to_markdown(html: &str) -> String {
    let safe = ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(None)
        .clean(html)
        .to_string();
    htmd::convert(&safe).unwrap_or(safe).trim().to_string()
}

/// The normalised original url of every article in `content/`, with its file.
fn existing_urls(root: &Path) -> Result<HashMap<String, PathBuf>, Error> {
    let mut known = HashMap::new();
    for (abs, rel) in source::walk(&root.join("content"))? {
        if !rel.ends_with(".md") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&abs) else { continue };
        let Ok(split) = crate::frontmatter::split(&text) else { continue };
        let Ok(table) = text[split.toml].parse::<toml::Table>() else { continue };
        if let Some(toml::Value::String(u)) = table.get("url") {
            known.insert(crate::url::normalise(u), Path::new("content").join(rel));
        }
    }
    Ok(known)
}
