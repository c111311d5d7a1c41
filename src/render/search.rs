//! The client-side search index: every article's title, date, url and the names of its topics,
//! people, places and source, in one compact JSON file; summaries in separate shards that the
//! search page loads only once the reader starts typing.

use serde_json::{Value, json};

use crate::model::{ArticleId, Site};

/// Articles per summary shard.
const SHARD: usize = 1000;
/// Longest summary kept, in characters.
const SUMMARY_CHARS: usize = 240;

/// `(path, bytes)` of `search-index.json` and its summary shards.
pub fn index(site: &Site) -> Vec<(String, String)> {
    let mut files = vec![titles(site)];
    files.extend((0..shard_count(site)).map(|i| shard(site, i)));
    files
}

/// How many summary shards the site has.
pub fn shard_count(site: &Site) -> usize {
    site.articles.len().div_ceil(SHARD)
}

/// The summary shard holding an article's summary.
pub fn shard_of(id: ArticleId) -> usize {
    id.0 as usize / SHARD
}

/// `search/summaries-I.json`: the summaries of articles `I * SHARD ..`, clipped.
pub fn shard(site: &Site, i: usize) -> (String, String) {
    let chunk = site.articles.iter().skip(i * SHARD).take(SHARD);
    let summaries: Vec<String> = chunk.map(|a| a.summary.chars().take(SUMMARY_CHARS).collect()).collect();
    (format!("search/summaries-{i}.json"), serde_json::to_string(&summaries).expect("json serialises"))
}

/// `search-index.json`: everything but the summaries.
pub fn titles(site: &Site) -> (String, String) {
    let names = |kind| site.entities(kind).iter().map(|e| e.name.as_str()).collect::<Vec<_>>();
    let articles: Vec<Value> = site
        .articles
        .iter()
        .map(|a| {
            // Routes that start with the article's own date are stored without it: "~slug/".
            let day = a.day.format("%Y/%m/%d/").to_string();
            let route = match a.route.strip_prefix(&day) {
                Some(rest) => format!("~{rest}"),
                None => a.route.clone(),
            };
            json!([
                a.title,
                route,
                a.day.format("%Y-%m-%d").to_string(),
                a.source.map_or(-1, |s| s.0 as i64),
                a.topics.iter().map(|t| t.0).collect::<Vec<_>>(),
                a.people.iter().map(|p| p.0).collect::<Vec<_>>(),
                a.places.iter().map(|p| p.0).collect::<Vec<_>>(),
            ])
        })
        .collect();
    let json = serde_json::to_string(&json!({
        "version": 1,
        "base": site.config.base_path,
        "topics": site.topics.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        "people": names(crate::model::EntityKind::Person),
        "places": names(crate::model::EntityKind::Place),
        "sources": names(crate::model::EntityKind::Source),
        "shards": shard_count(site),
        "shard_size": SHARD,
        "articles": articles,
    }))
    .expect("json serialises");
    ("search-index.json".to_string(), json)
}
