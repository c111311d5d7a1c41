//! The client-side search index: every article's title, date, url and the names of its topics,
//! people, places and source, in one compact JSON file; summaries in separate shards that the
//! search page loads only once the reader starts typing.

use serde::Serialize;

use crate::model::{Article, ArticleId, EntityKind, Site};

/// Articles per summary shard.
const SHARD: usize = 1000;
/// Longest summary kept, in characters.
const SUMMARY_CHARS: usize = 240;

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
    (shard_name(i), serde_json::to_string(&summaries).expect("json serialises"))
}

/// The file of shard `i`.
pub fn shard_name(i: usize) -> String {
    format!("search/summaries-{i}.json")
}

/// A fingerprint of what shard `i` is made from: its articles' summaries.
pub fn shard_print(site: &Site, i: usize) -> u64 {
    use std::hash::Hasher;
    let mut h = twox_hash::XxHash3_64::new();
    for a in site.articles.iter().skip(i * SHARD).take(SHARD) {
        h.write_usize(a.summary.len());
        h.write(a.summary.as_bytes());
    }
    h.finish()
}

/// `search-index.json`: everything but the summaries. Serialized as it is made (a title edit
/// in `serve` writes it again: at 10,000 articles, building a JSON tree first took 30 ms).
pub fn titles(site: &Site) -> (String, String) {
    let names = |kind| site.entities(kind).iter().map(|e| e.name.as_str()).collect::<Vec<_>>();
    // Fields in the order a JSON object's keys were written before (sorted).
    #[derive(Serialize)]
    struct Index<'a> {
        articles: Vec<Entry<'a>>,
        base: &'a str,
        people: Vec<&'a str>,
        places: Vec<&'a str>,
        shard_size: usize,
        shards: usize,
        sources: Vec<&'a str>,
        topics: Vec<&'a str>,
        version: u32,
    }
    let index = Index {
        articles: site.articles.iter().map(|a| Entry(a)).collect(),
        base: &site.config.base_path,
        people: names(EntityKind::Person),
        places: names(EntityKind::Place),
        shard_size: SHARD,
        shards: shard_count(site),
        sources: names(EntityKind::Source),
        topics: site.topics.iter().map(|t| t.name.as_str()).collect(),
        version: 1,
    };
    ("search-index.json".to_string(), serde_json::to_string(&index).expect("json serialises"))
}

/// An article in the search index: `[title, route, day, source, topics, people, places]`, the
/// source -1 when there is none.
struct Entry<'a>(&'a Article);

impl Serialize for Entry<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let a = self.0;
        // Routes that start with the article's own date are stored without it: "~slug/".
        let route = match a.route.strip_prefix(&crate::routes::layout::day(a.day)) {
            Some(rest) => std::borrow::Cow::Owned(format!("~{rest}")),
            None => std::borrow::Cow::Borrowed(a.route.as_str()),
        };
        let mut t = serializer.serialize_tuple(7)?;
        t.serialize_element(&a.title)?;
        t.serialize_element(&route)?;
        t.serialize_element(&a.day.to_string())?;
        t.serialize_element(&a.source.map_or(-1, |s| s.0 as i64))?;
        t.serialize_element(&Numbers(a.topics.iter().map(|t| t.0)))?;
        t.serialize_element(&Numbers(a.people.iter().map(|p| p.0)))?;
        t.serialize_element(&Numbers(a.places.iter().map(|p| p.0)))?;
        t.end()
    }
}

/// Numbers as a JSON array, without collecting them first.
struct Numbers<I>(I);

impl<I: Iterator<Item = u32> + Clone> Serialize for Numbers<I> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.clone())
    }
}
