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
    // Sized for the articles at once (about 150 bytes each), not grown from 128 bytes.
    let mut json = Vec::with_capacity(160 * site.articles.len() + 4096);
    serde_json::to_writer(&mut json, &index).expect("json serialises");
    ("search-index.json".to_string(), String::from_utf8(json).expect("serde_json writes UTF-8"))
}

/// An article in the search index: `[title, route, day, source, topics, people, places]`, the
/// source -1 when there is none.
struct Entry<'a>(&'a Article);

impl Serialize for Entry<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let a = self.0;
        // Neither the day nor its folders are made into a string of their own: 10,000 of each
        // in every rebuild.
        let mut t = serializer.serialize_tuple(7)?;
        t.serialize_element(&a.title)?;
        // Routes that start with the article's own date are stored without it: "~slug/".
        match folders_of(a.day, &a.route) {
            Some(n) => t.serialize_element(&Shown(format_args!("~{}", &a.route[n..])))?,
            None => t.serialize_element(&a.route)?,
        }
        t.serialize_element(&Shown(a.day))?;
        t.serialize_element(&a.source.map_or(-1, |s| s.0 as i64))?;
        t.serialize_element(&Numbers(a.topics.iter().map(|t| t.0)))?;
        t.serialize_element(&Numbers(a.people.iter().map(|p| p.0)))?;
        t.serialize_element(&Numbers(a.places.iter().map(|p| p.0)))?;
        t.end()
    }
}

/// The length of the day's folders (its archive's route, `layout::day`) when `route` starts
/// with them.
fn folders_of(day: chrono::NaiveDate, route: &str) -> Option<usize> {
    use std::io::Write;
    let mut folders = [0u8; 16];
    let mut rest = &mut folders[..];
    write!(rest, "{}", crate::routes::layout::Day(day)).ok()?;
    let n = 16 - rest.len();
    route.as_bytes().starts_with(&folders[..n]).then_some(n)
}

/// A JSON string written from its `Display`, without making it first.
struct Shown<T>(T);

impl<T: std::fmt::Display> Serialize for Shown<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// Numbers as a JSON array, without collecting them first.
struct Numbers<I>(I);

impl<I: Iterator<Item = u32> + Clone> Serialize for Numbers<I> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::folders_of;

    #[test]
    fn a_route_is_shortened_only_by_its_own_days_folders() {
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(folders_of(day(2025, 3, 5), "2025/03/05/offer/"), Some(11));
        assert_eq!(folders_of(day(2025, 3, 5), "2025/03/06/offer/"), None);
        assert_eq!(folders_of(day(2025, 3, 5), "news/offer/"), None);
        assert_eq!(folders_of(day(987, 12, 31), "0987/12/31/old/"), Some(11));
    }
}
