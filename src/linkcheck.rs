//! `digest check --external`: does every original url still answer?
//!
//! Polite by construction: one request at a time per host with a delay between them, a timeout
//! on each, and a cache of answers so that a second run asks only about what failed or is old.
//! The clock ("now") comes in as an argument.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::{Related, Site};

/// Settings of one check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Pause between two requests to the same host.
    pub delay: Duration,
    /// Give up on a request after this long.
    pub timeout: Duration,
    /// Reuse a good answer younger than this.
    pub max_age: Duration,
    /// Seconds since the Unix epoch.
    pub now: u64,
    /// Where answers are kept between runs.
    pub cache: PathBuf,
}

/// The answer for one url.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// HTTP status, or 0 when there was none (timeout, refused, bad name).
    pub status: u16,
    /// Why it failed, when it did.
    pub error: Option<String>,
    /// When it was asked (Unix seconds).
    pub checked: u64,
}

impl Answer {
    /// 2xx and 3xx (after redirects) count as alive.
    pub fn ok(&self) -> bool {
        (200..400).contains(&self.status)
    }
}

/// A url that did not answer well, with the articles that cite it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The url.
    pub url: String,
    /// What happened.
    pub answer: Answer,
    /// Source files citing it.
    pub cited_by: Vec<PathBuf>,
}

/// Every outside url of the site (original urls and outside related links), with the files citing it.
pub fn urls(site: &Site) -> BTreeMap<String, Vec<PathBuf>> {
    let mut out: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for a in &site.articles {
        let mut cite = |u: &str| {
            let list = out.entry(u.to_string()).or_default();
            if !list.contains(&a.path) {
                list.push(a.path.clone());
            }
        };
        if let Some(u) = &a.url {
            cite(u);
        }
        for r in &a.related {
            if let Related::External { url, .. } = r {
                cite(url);
            }
        }
    }
    out
}

fn host_of(url: &str) -> String {
    url.split("://").nth(1).and_then(|r| r.split(['/', '?', '#']).next()).unwrap_or("").to_ascii_lowercase()
}

/// Checks the urls. Returns the broken ones and how many requests were made.
pub fn check(urls: &BTreeMap<String, Vec<PathBuf>>, opts: &CheckOptions) -> Result<(Vec<Broken>, usize), Error> {
    let mut cache: HashMap<String, Answer> =
        std::fs::read_to_string(&opts.cache).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
    let fresh = |a: &Answer| a.ok() && opts.now.saturating_sub(a.checked) < opts.max_age.as_secs();
    let mut by_host: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for u in urls.keys() {
        if !cache.get(u).is_some_and(fresh) {
            by_host.entry(host_of(u)).or_default().push(u.clone());
        }
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(opts.timeout))
        .http_status_as_error(false)
        .max_redirects(5)
        .user_agent(concat!("digest/", env!("CARGO_PKG_VERSION"), " (link check)"))
        .build()
        .into();
    // Hosts in parallel, each host's urls one after the other.
    let answers: Vec<(String, Answer)> = std::thread::scope(|s| {
        let handles: Vec<_> = by_host
            .values()
            .map(|list| {
                let agent = agent.clone();
                s.spawn(move || {
                    let mut got = Vec::new();
                    for (i, u) in list.iter().enumerate() {
                        if i > 0 {
                            std::thread::sleep(opts.delay);
                        }
                        got.push((u.clone(), ask(&agent, u, opts.now)));
                    }
                    got
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a link-check thread does not panic")).collect()
    });
    let asked = answers.len();
    cache.extend(answers);
    if let Some(dir) = opts.cache.parent() {
        std::fs::create_dir_all(dir).map_err(Error::io("creating", dir))?;
    }
    let sorted: BTreeMap<&String, &Answer> = cache.iter().collect();
    let json = serde_json::to_string_pretty(&sorted).expect("answers serialise");
    std::fs::write(&opts.cache, json).map_err(Error::io("writing", &opts.cache))?;
    let broken = urls
        .iter()
        .filter_map(|(u, cited)| {
            let a = cache.get(u)?;
            (!a.ok()).then(|| Broken { url: u.clone(), answer: a.clone(), cited_by: cited.clone() })
        })
        .collect();
    Ok((broken, asked))
}

/// HEAD first; GET when the server does not do HEAD.
fn ask(agent: &ureq::Agent, url: &str, now: u64) -> Answer {
    let once = |head: bool| if head { agent.head(url).call() } else { agent.get(url).call() };
    let result = match once(true) {
        Ok(r) if matches!(r.status().as_u16(), 403 | 405 | 501) => once(false),
        other => other,
    };
    match result {
        Ok(r) => Answer { status: r.status().as_u16(), error: None, checked: now },
        Err(e) => Answer { status: 0, error: Some(e.to_string()), checked: now },
    }
}

/// The cache file of a site.
pub fn cache_path(root: &Path) -> PathBuf {
    root.join(".digest").join("external-links.json")
}
