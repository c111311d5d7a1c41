//! An article about to be written by `import` or `new`: its front matter and body as the text of
//! a file, and the file it goes to. Writing never overwrites: an existing file is an error the
//! caller turns into a numbered slug.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::error::Error;

/// When the article happened: a calendar day, or an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    /// A bare date: midnight in the site's zone.
    Day(NaiveDate),
    /// An instant with its offset.
    At(DateTime<FixedOffset>),
}

impl When {
    /// The calendar day used for the folder.
    pub fn day(&self) -> NaiveDate {
        match self {
            When::Day(d) => *d,
            When::At(t) => t.date_naive(),
        }
    }

    fn toml(&self) -> String {
        match self {
            When::Day(d) => d.format("%Y-%m-%d").to_string(),
            When::At(t) => t.to_rfc3339(),
        }
    }
}

/// A `related` entry to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelatedOut {
    /// A title (or slug) to resolve against the site.
    Title(String),
    /// A titled outside link, resolved against the site by url or title.
    Link {
        /// Shown text.
        title: String,
        /// The url.
        url: String,
    },
}

/// A new article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// Headline.
    pub title: String,
    /// Date.
    pub date: When,
    /// Outlet.
    pub source: Option<String>,
    /// Original url.
    pub url: Option<String>,
    /// Topics.
    pub topics: Vec<String>,
    /// Related entries.
    pub related: Vec<RelatedOut>,
    /// Markdown body.
    pub body: String,
}

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| q(s)).collect::<Vec<_>>().join(", "))
}

impl Draft {
    /// The slug its file is named after.
    pub fn slug(&self) -> String {
        let s = slug::slugify(&self.title);
        let s: String = s.chars().take(80).collect();
        let s = s.trim_end_matches('-').to_string();
        if s.is_empty() { "article".into() } else { s }
    }

    /// `content/YYYY/MM/DD/SLUG.md` relative to the site root, with `-N` added for N > 1.
    pub fn path(&self, n: usize) -> PathBuf {
        let d = self.date.day();
        let name = if n <= 1 { format!("{}.md", self.slug()) } else { format!("{}-{n}.md", self.slug()) };
        Path::new("content")
            .join(d.format("%Y").to_string())
            .join(d.format("%m").to_string())
            .join(d.format("%d").to_string())
            .join(name)
    }

    /// The whole file: `+++` front matter, then the body.
    pub fn to_file(&self) -> String {
        let mut s = String::from("+++\n");
        s.push_str(&format!("title = {}\n", q(&self.title)));
        s.push_str(&format!("date = {}\n", self.date.toml()));
        if let Some(src) = &self.source {
            s.push_str(&format!("source = {}\n", q(src)));
        }
        if let Some(u) = &self.url {
            s.push_str(&format!("url = {}\n", q(u)));
        }
        s.push_str(&format!("topics = {}\n", list(&self.topics)));
        if !self.related.is_empty() {
            s.push_str("related = [\n");
            for r in &self.related {
                match r {
                    RelatedOut::Title(t) => s.push_str(&format!("  {},\n", q(t))),
                    RelatedOut::Link { title, url } => {
                        s.push_str(&format!("  {{ title = {}, url = {} }},\n", q(title), q(url)))
                    }
                }
            }
            s.push_str("]\n");
        }
        s.push_str("+++\n");
        if !self.body.is_empty() {
            s.push('\n');
            s.push_str(self.body.trim_end());
            s.push('\n');
        }
        s
    }

    /// Writes the file under `root`, taking the first free numbered slug. Never overwrites.
    /// Returns the path written, relative to `root`.
    pub fn write_new(&self, root: &Path) -> Result<PathBuf, Error> {
        let text = self.to_file();
        for n in 1.. {
            let rel = self.path(n);
            let abs = root.join(&rel);
            let dir = abs.parent().expect("an article path has a folder");
            std::fs::create_dir_all(dir).map_err(Error::io("creating", dir))?;
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&abs) {
                Ok(mut f) => {
                    f.write_all(text.as_bytes()).map_err(Error::io("writing", &abs))?;
                    return Ok(rel);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(Error::io("creating", &abs)(e)),
            }
        }
        unreachable!("some numbered slug is free")
    }

    /// The path `write_new` would take now, for `--dry-run`.
    pub fn free_path(&self, root: &Path) -> PathBuf {
        (1..).map(|n| self.path(n)).find(|p| !root.join(p).exists()).expect("some numbered slug is free")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        Draft {
            title: "Quotes \"and\" backslash \\ here".into(),
            date: When::Day(NaiveDate::from_ymd_opt(2025, 3, 5).unwrap()),
            source: Some("The Times".into()),
            url: Some("https://x.example/a".into()),
            topics: vec!["peace-talks".into()],
            related: vec![
                RelatedOut::Title("Other".into()),
                RelatedOut::Link { title: "T".into(), url: "https://y.example/".into() },
            ],
            body: "Para.\n".into(),
        }
    }

    #[test]
    fn file_round_trips_through_the_front_matter_parser() {
        let text = draft().to_file();
        let (fm, _) = crate::frontmatter::parse(Path::new("content/a.md"), &text, &crate::date::Zone::utc())
            .expect("valid front matter");
        assert_eq!(fm.title, "Quotes \"and\" backslash \\ here");
        assert_eq!(fm.related.len(), 2);
        assert_eq!(fm.date.date_naive().to_string(), "2025-03-05");
    }

    #[test]
    fn path_and_numbering() {
        assert_eq!(draft().path(1), Path::new("content/2025/03/05/quotes-and-backslash-here.md"));
        assert_eq!(draft().path(2), Path::new("content/2025/03/05/quotes-and-backslash-here-2.md"));
    }

    #[test]
    fn never_overwrites() {
        let tmp = tempfile::tempdir().unwrap();
        let a = draft().write_new(tmp.path()).unwrap();
        let b = draft().write_new(tmp.path()).unwrap();
        assert_ne!(a, b);
        assert!(b.to_string_lossy().ends_with("-2.md"));
    }
}
