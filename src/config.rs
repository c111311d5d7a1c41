//! `site.toml`: read into `RawConfig` (the file's mirror), then resolved into a checked `Config`.
//!
//! This is the only place that understands `site.toml`. Resolution destructures `RawConfig`
//! exhaustively, so a new key cannot be added and then silently ignored.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::date::Zone;
use crate::diagnostics::Diagnostic;
use crate::routes::Permalink;

/// How articles are grouped into editions (and so on the front page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditionKind {
    /// One edition per calendar day.
    Daily,
    /// One edition per ISO week (`2025-W10`).
    Weekly,
    /// One edition per month.
    Monthly,
}

/// A topic declared in `[topics.SLUG]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicDecl {
    /// The slug from the table key, normalised.
    pub slug: String,
    /// Display name; the slug's words when not given.
    pub name: Option<String>,
    /// One paragraph shown on the topic page.
    pub description: Option<String>,
}

/// The resolved site settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Site title.
    pub title: String,
    /// Absolute or root-relative base url, always ending in `/`.
    pub base_url: String,
    /// The path part of `base_url`, always starting and ending in `/`: every internal link starts with it.
    pub base_path: String,
    /// Site description, for the home page and feeds.
    pub description: String,
    /// BCP 47 language tag.
    pub language: String,
    /// Decides which day an article belongs to, and how dates are shown.
    pub timezone: Zone,
    /// Name of the theme folder, or the built-in `default`.
    pub theme: String,
    /// Output folder, relative to the site root unless absolute.
    pub output_dir: String,
    /// Article url pattern.
    pub permalink: Permalink,
    /// Articles per list page.
    pub per_page: usize,
    /// Edition period.
    pub edition: EditionKind,
    /// Warnings fail the build.
    pub strict: bool,
    /// Items per feed.
    pub feed_limit: usize,
    /// Curly quotes and dashes in Markdown.
    pub smart_punctuation: bool,
    /// Keep raw HTML in Markdown unsanitised.
    pub unsafe_html: bool,
    /// Declared topics, by slug.
    pub topics: Vec<TopicDecl>,
    /// Outlet names by host, used by import.
    pub sources: BTreeMap<String, String>,
    /// Free-form values for themes (`config.extra` in templates).
    pub extra: toml::Table,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Option<Spanned<String>>,
    base_url: Option<Spanned<String>>,
    description: Option<String>,
    language: Option<String>,
    timezone: Option<Spanned<String>>,
    theme: Option<Spanned<String>>,
    output_dir: Option<Spanned<String>>,
    permalink: Option<Spanned<String>>,
    per_page: Option<Spanned<i64>>,
    edition: Option<Spanned<String>>,
    strict: Option<bool>,
    feed_limit: Option<Spanned<i64>>,
    smart_punctuation: Option<bool>,
    unsafe_html: Option<bool>,
    topics: Option<Spanned<BTreeMap<String, RawTopic>>>,
    #[serde(default)]
    sources: BTreeMap<String, String>,
    #[serde(default)]
    extra: toml::Table,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    name: Option<String>,
    description: Option<String>,
}

/// The keys `site.toml` accepts, for hints.
const KEYS: &str = "title, base_url, description, language, timezone, theme, output_dir, permalink, per_page, \
                    edition, strict, feed_limit, smart_punctuation, unsafe_html, [topics.SLUG], [sources], [extra]";

impl Config {
    /// `base_path` + a route: what an `href` holds.
    pub fn href(&self, route: &str) -> String {
        [self.base_path.as_str(), route].concat()
    }

    /// Parses and checks `site.toml`. `path` names the file in diagnostics.
    pub fn parse(path: &str, text: &str) -> Result<Config, Vec<Diagnostic>> {
        let raw: RawConfig = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                let msg = e.message().trim_end().to_string();
                let mut d = Diagnostic::error(format!("invalid site.toml: {msg}"));
                d = match e.span() {
                    Some(span) => d.at(path, text, span),
                    None => d.in_file(path),
                };
                if msg.contains("unknown field") {
                    d = d.with_hint(format!("site.toml accepts {KEYS}"));
                }
                return Err(vec![d]);
            }
        };
        Self::from_raw(path, text, raw)
    }

    fn from_raw(path: &str, text: &str, raw: RawConfig) -> Result<Config, Vec<Diagnostic>> {
        let RawConfig {
            title,
            base_url,
            description,
            language,
            timezone,
            theme,
            output_dir,
            permalink,
            per_page,
            edition,
            strict,
            feed_limit,
            smart_punctuation,
            unsafe_html,
            topics,
            sources,
            extra,
        } = raw;
        let mut diags = Vec::new();
        let mut err = |msg: String, span: Option<std::ops::Range<usize>>| {
            let d = Diagnostic::error(msg);
            diags.push(match span {
                Some(s) => d.at(path, text, s),
                None => d.at(path, text, 0..0),
            });
        };

        let title = match title {
            Some(t) if !t.get_ref().trim().is_empty() => t.into_inner(),
            Some(t) => {
                err("`title` must not be empty".into(), Some(t.span()));
                String::new()
            }
            None => {
                err("missing required key `title`: the site's name, e.g. title = \"Peace Talks Monitor\"".into(), None);
                String::new()
            }
        };
        let (base_url, base_path) = match base_url {
            Some(b) => match normalise_base_url(b.get_ref()) {
                Ok(pair) => pair,
                Err(m) => {
                    err(m, Some(b.span()));
                    ("/".into(), "/".into())
                }
            },
            None => {
                err(
                    "missing required key `base_url`: where the site will live, e.g. base_url = \"https://example.org/\" (or \"/\")".into(),
                    None,
                );
                ("/".into(), "/".into())
            }
        };
        let timezone = match timezone {
            Some(t) => Zone::parse(t.get_ref()).unwrap_or_else(|m| {
                err(m, Some(t.span()));
                Zone::utc()
            }),
            None => Zone::utc(),
        };
        let theme = match theme {
            Some(t) if is_plain_name(t.get_ref()) => t.into_inner(),
            Some(t) => {
                err(
                    format!("invalid theme name \"{}\": expected a folder name under themes/", t.get_ref()),
                    Some(t.span()),
                );
                "default".into()
            }
            None => "default".into(),
        };
        let output_dir = match output_dir {
            Some(o) if !o.get_ref().trim().is_empty() && o.get_ref().trim() != "." => o.into_inner(),
            Some(o) => {
                err("`output_dir` must name a folder other than the site root".into(), Some(o.span()));
                "public".into()
            }
            None => "public".into(),
        };
        let permalink = match permalink {
            Some(p) => Permalink::parse(p.get_ref()).unwrap_or_else(|m| {
                err(m, Some(p.span()));
                Permalink::default()
            }),
            None => Permalink::default(),
        };
        let mut positive = |v: Option<Spanned<i64>>, key: &str, default: usize| match v {
            Some(n) if *n.get_ref() >= 1 => *n.get_ref() as usize,
            Some(n) => {
                err(format!("`{key}` must be at least 1, found {}", n.get_ref()), Some(n.span()));
                default
            }
            None => default,
        };
        let per_page = positive(per_page, "per_page", 20);
        let feed_limit = positive(feed_limit, "feed_limit", 20);
        let edition = match edition.as_ref().map(|e| (e.get_ref().as_str(), e.span())) {
            None | Some(("weekly", _)) => EditionKind::Weekly,
            Some(("daily", _)) => EditionKind::Daily,
            Some(("monthly", _)) => EditionKind::Monthly,
            Some((other, span)) => {
                err(format!("unknown edition \"{other}\": expected \"daily\", \"weekly\" or \"monthly\""), Some(span));
                EditionKind::Weekly
            }
        };
        let topics_span = topics.as_ref().map_or(0..0, |t| t.span());
        let mut decls: Vec<TopicDecl> = Vec::new();
        for (key, t) in topics.map(Spanned::into_inner).unwrap_or_default() {
            let slug = slug::slugify(&key);
            if slug.is_empty() {
                err(
                    format!("topic key \"{key}\" has no letters or digits to make a slug from"),
                    Some(topics_span.clone()),
                );
                continue;
            }
            if decls.iter().any(|d| d.slug == slug) {
                err(format!("topic \"{key}\" is declared twice (as slug \"{slug}\")"), Some(topics_span.clone()));
                continue;
            }
            decls.push(TopicDecl { slug, name: t.name, description: t.description });
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        Ok(Config {
            title,
            base_url,
            base_path,
            description: description.unwrap_or_default(),
            language: language.unwrap_or_else(|| "en".into()),
            timezone,
            theme,
            output_dir,
            permalink,
            per_page,
            edition,
            strict: strict.unwrap_or(false),
            feed_limit,
            smart_punctuation: smart_punctuation.unwrap_or(true),
            unsafe_html: unsafe_html.unwrap_or(false),
            topics: decls,
            sources,
            extra,
        })
    }
}

fn is_plain_name(s: &str) -> bool {
    !s.is_empty() && !s.starts_with('.') && s.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Gives `(base_url, base_path)`, both ending in `/`. Accepts `http(s)://host[/path]` or a path
/// starting with `/`.
pub fn normalise_base_url(s: &str) -> Result<(String, String), String> {
    let t = s.trim();
    let with_slash = if t.ends_with('/') { t.to_string() } else { format!("{t}/") };
    if with_slash.starts_with('/') {
        return Ok((with_slash.clone(), with_slash));
    }
    for scheme in ["https://", "http://"] {
        if let Some(rest) = with_slash.strip_prefix(scheme) {
            let slash = rest.find('/').unwrap_or(rest.len());
            if slash == 0 || rest[..slash].contains(char::is_whitespace) {
                break;
            }
            return Ok((with_slash.clone(), rest[slash..].to_string()));
        }
    }
    Err(format!("invalid base_url \"{s}\": expected \"https://example.org/\", \"https://example.org/path/\" or \"/\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        Config::parse("site.toml", text)
    }

    #[test]
    fn minimal_config_gets_defaults() {
        let c = parse("title = \"T\"\nbase_url = \"https://example.org/digest\"\n").unwrap();
        assert_eq!(c.base_url, "https://example.org/digest/");
        assert_eq!(c.base_path, "/digest/");
        assert_eq!(c.per_page, 20);
        assert_eq!(c.edition, EditionKind::Weekly);
        assert_eq!(c.output_dir, "public");
        assert!(c.smart_punctuation);
        assert!(!c.unsafe_html);
    }

    #[test]
    fn unknown_key_has_line_and_column() {
        let e = parse("title = \"T\"\nbase_url = \"/\"\ntitel = \"x\"\n").unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].line, e[0].col), (3, 1));
        assert!(e[0].message.contains("unknown field `titel`"), "{}", e[0].message);
    }

    #[test]
    fn wrong_type_has_line_and_column() {
        let e = parse("title = \"T\"\nbase_url = \"/\"\nper_page = \"ten\"\n").unwrap_err();
        assert_eq!((e[0].line, e[0].col), (3, 12));
    }

    #[test]
    fn all_semantic_errors_are_reported_together() {
        let e = parse("timezone = \"Mars/Base\"\nedition = \"hourly\"\n").unwrap_err();
        let msgs: Vec<_> = e.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(e.len(), 4, "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("`title`")));
        assert!(msgs.iter().any(|m| m.contains("`base_url`")));
        assert!(msgs.iter().any(|m| m.contains("Mars/Base")));
        assert!(msgs.iter().any(|m| m.contains("hourly")));
    }

    #[test]
    fn topic_keys_are_slugified() {
        let c = parse("title=\"T\"\nbase_url=\"/\"\n[topics.\"Peace Talks\"]\nname = \"Peace talks\"\n").unwrap();
        assert_eq!(c.topics[0].slug, "peace-talks");
        assert_eq!(c.topics[0].name.as_deref(), Some("Peace talks"));
    }
}
