//! `digest init`: a new site that builds at once, with every setting explained.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::draft::{Draft, When};
use crate::error::Error;

/// The `site.toml` of a new site: every key, commented.
pub fn site_toml(title: &str) -> String {
    format!(
        r#"# Settings of this digest. Only title and base_url are required.

title = {title}                        # the site's name
base_url = "/"                          # where it will live, e.g. "https://example.org/digest/"; "/" for local use
description = "A curated news digest."  # shown on the home page and in feeds
language = "en"                         # BCP 47 language tag of the site
timezone = "UTC"                        # IANA name ("Europe/Berlin") or offset ("+03:00"): decides which day an article belongs to
theme = "default"                       # a folder under themes/, or the built-in "default"
output_dir = "public"                   # where `digest build` writes the site
permalink = "/:year/:month/:day/:slug/" # article urls; placeholders :year :month :day :slug :topic
per_page = 20                           # articles per list page
edition = "weekly"                      # daily | weekly | monthly: how the front page and editions group articles
strict = false                          # true: warnings (unresolved related, unknown topic) fail the build
feed_limit = 20                         # items per feed
smart_punctuation = true                # curly quotes and dashes in Markdown (English)
unsafe_html = false                     # true: raw HTML in Markdown is kept as written, not sanitised

# Topics: names and descriptions. Articles name topics by slug or by name.
[topics.getting-started]
name = "Getting started"
description = "How this digest works."

# Outlet names by host, used by `digest import` to fill in `source`.
[sources]
"www.example.org" = "Example News"
"#,
        title = toml::Value::String(title.to_string())
    )
}

/// Creates a site in `dir`, which must be missing or empty. Returns the files written.
pub fn init(dir: &Path, today: NaiveDate) -> Result<Vec<PathBuf>, Error> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(Error::io("reading", dir))?;
        if entries.next().is_some() {
            return Err(Error::NotASite(format!(
                "{} is not empty: `digest init` only creates a site in a new or empty folder",
                dir.display()
            )));
        }
    }
    std::fs::create_dir_all(dir).map_err(Error::io("creating", dir))?;
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "My digest".into());
    let title = name.replace(['-', '_'], " ");
    let config = dir.join("site.toml");
    std::fs::write(&config, site_toml(&title)).map_err(Error::io("writing", &config))?;
    let example = Draft {
        title: "Welcome to your digest".into(),
        date: When::Day(today),
        source: Some("Example News".into()),
        url: Some("https://www.example.org/2025/03/05/an-original-report".into()),
        topics: vec!["getting-started".into()],
        related: vec![],
        body: "This is the curator's summary of an original report: a few sentences in your own words, \
               with the original url above.\n\n\
               Add articles with `digest new \"Title\"` or `digest import clipping.txt`, \
               then run `digest build` or `digest serve --watch`."
            .into(),
    };
    let article = example.write_new(dir)?;
    Ok(vec![PathBuf::from("site.toml"), article])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_site_builds_and_refuses_non_empty_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("my-digest");
        let files = init(&dir, NaiveDate::from_ymd_opt(2025, 3, 5).unwrap()).unwrap();
        assert_eq!(files.len(), 2);
        let build = crate::build(&crate::BuildOptions { root: dir.clone(), ..Default::default() }).expect("builds");
        assert_eq!(build.site.articles.len(), 1);
        assert_eq!(build.site.config.title, "my digest");
        assert!(init(&dir, NaiveDate::from_ymd_opt(2025, 3, 5).unwrap()).is_err());
    }
}
