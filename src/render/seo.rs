//! What search engines and aggregators read: schema.org JSON-LD, sitemaps (with a Google News
//! sitemap and an index past 50,000 urls) and robots.txt. Built in Rust, not templates: the
//! formats are fixed and escaping is easier to get right here.

use chrono::{DateTime, Duration, FixedOffset};

use crate::model::{Article, EntityKind, Site};

/// JSON for a `<script type="application/ld+json">`: `<` escaped so the text cannot close the
/// script element.
pub fn script_json<T: serde::Serialize + ?Sized>(v: &T) -> String {
    let json = serde_json::to_string(v).expect("json values serialise");
    if json.contains('<') { json.replace('<', "\\u003c") } else { json }
}

/// A schema.org thing with a name and a url (`@type` first, keys in the order serde_json sorts).
#[derive(serde::Serialize)]
struct Named<'a> {
    #[serde(rename = "@type")]
    ty: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

/// A page's schema.org JSON-LD. A template gets it as the text of a script element
/// (`script_json`); a fingerprint (`render::print`, not human-readable) takes the fields that
/// text is written from, without writing it.
pub enum JsonLd<'a> {
    News(Box<NewsArticle<'a>>),
    Crumbs(BreadcrumbList),
    Text(String),
}

impl serde::Serialize for JsonLd<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match (self, s.is_human_readable()) {
            (JsonLd::Text(t), _) => s.serialize_str(t),
            (JsonLd::News(n), true) => s.serialize_str(&script_json(n)),
            (JsonLd::Crumbs(c), true) => s.serialize_str(&script_json(c)),
            (JsonLd::News(n), false) => n.serialize(s),
            (JsonLd::Crumbs(c), false) => c.serialize(s),
        }
    }
}

/// schema.org `NewsArticle`, keys sorted as a JSON object's.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewsArticle<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    ty: &'static str,
    about: Vec<Named<'a>>,
    author: Named<'a>,
    date_modified: String,
    date_published: String,
    description: String,
    headline: &'a str,
    in_language: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_based_on: Option<&'a str>,
    main_entity_of_page: String,
    mentions: Vec<Named<'a>>,
    publisher: Named<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_organization: Option<Named<'a>>,
    url: String,
}

/// The site as the publisher (and author) of its article pages.
fn publisher(site: &Site) -> Named<'_> {
    Named { ty: "Organization", name: &site.config.title, url: Some(site.config.base_url.clone()) }
}

/// The `NewsArticle` JSON-LD of an article page, described as its meta description is.
pub fn news_article<'a>(site: &'a Site, a: &'a Article, description: String) -> JsonLd<'a> {
    let about = a.topics.iter().map(|t| site.topic(*t)).map(|t| Named {
        ty: "Thing",
        name: &t.name,
        url: Some(site.url(&t.route)),
    });
    let mut mentions = Vec::new();
    for (kind, ty, ids) in [(EntityKind::Person, "Person", &a.people), (EntityKind::Place, "Place", &a.places)] {
        for id in ids {
            let e = site.entity(kind, *id);
            mentions.push(Named { ty, name: &e.name, url: Some(site.url(&e.route)) });
        }
    }
    JsonLd::News(Box::new(NewsArticle {
        context: "https://schema.org",
        ty: "NewsArticle",
        about: about.collect(),
        author: publisher(site),
        date_modified: a.updated.unwrap_or(a.date).to_rfc3339(),
        date_published: a.date.to_rfc3339(),
        description,
        headline: &a.title,
        in_language: &site.config.language,
        is_based_on: a.url.as_deref(),
        main_entity_of_page: site.url(&a.route),
        mentions,
        publisher: publisher(site),
        source_organization: a.source.map(|s| Named {
            ty: "Organization",
            name: &site.entity(EntityKind::Source, s).name,
            url: None,
        }),
        url: site.url(&a.route),
    }))
}

/// One step of a `BreadcrumbList` (keys in the order serde_json sorts them).
#[derive(serde::Serialize)]
pub struct Crumb {
    #[serde(rename = "@type")]
    ty: &'static str,
    item: String,
    name: String,
    position: usize,
}

/// schema.org `BreadcrumbList` (keys sorted as a JSON object's).
#[derive(serde::Serialize)]
pub struct BreadcrumbList {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    ty: &'static str,
    #[serde(rename = "itemListElement")]
    items: Vec<Crumb>,
}

/// The `BreadcrumbList` JSON-LD of a page from its trail of (name, route) pairs, home first.
pub fn breadcrumbs(site: &Site, trail: &[(&str, &str)]) -> JsonLd<'static> {
    let items = trail
        .iter()
        .enumerate()
        .map(|(i, (name, route))| Crumb {
            ty: "ListItem",
            item: site.url(route),
            name: name.to_string(),
            position: i + 1,
        })
        .collect();
    JsonLd::Crumbs(BreadcrumbList { context: "https://schema.org", ty: "BreadcrumbList", items })
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_xml_escaped(&mut out, s);
    out
}

/// Appends `s` to `out`, escaped for XML text and attributes. Runs of plain text are copied
/// whole: a sitemap escapes every page's route, which seldom needs it.
fn push_xml_escaped(out: &mut String, s: &str) {
    let mut plain = 0;
    for (i, b) in s.bytes().enumerate() {
        let escaped = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&apos;",
            b'\t' | b'\n' | b'\r' => continue,
            // Other control characters are not allowed in XML 1.0 at all.
            b if b < 0x20 => "",
            _ => continue,
        };
        // ASCII bytes: `i` is on a character boundary.
        out.push_str(&s[plain..i]);
        out.push_str(escaped);
        plain = i + 1;
    }
    out.push_str(&s[plain..]);
}

/// Most urls in one sitemap file (the protocol's limit).
pub const SITEMAP_LIMIT: usize = 50_000;

/// A fingerprint of what `sitemaps` makes its files from.
pub fn sitemaps_print(base_url: &str, pages: &[(String, Option<DateTime<FixedOffset>>)], limit: usize) -> u64 {
    use std::hash::Hasher;
    let mut h = twox_hash::XxHash3_64::new();
    h.write(base_url.as_bytes());
    h.write_usize(limit);
    for (route, lastmod) in pages {
        h.write_usize(route.len());
        h.write(route.as_bytes());
        match lastmod {
            Some(t) => {
                h.write_u8(1);
                h.write_i64(t.timestamp());
                h.write_u32(t.timestamp_subsec_nanos());
                h.write_i32(t.offset().local_minus_utc());
            }
            None => h.write_u8(0),
        }
    }
    h.finish()
}

/// `sitemap.xml` (and `sitemap-N.xml` files with `sitemap.xml` as their index past `limit`
/// urls). `pages` are (route, lastmod), already in output order; `base_url` is absolute.
pub fn sitemaps(
    base_url: &str,
    pages: &[(String, Option<DateTime<FixedOffset>>)],
    limit: usize,
) -> Vec<(String, String)> {
    let abs = |route: &str| format!("{base_url}{route}");
    let base = xml_escape(base_url);
    let urls = |part: &[(String, Option<DateTime<FixedOffset>>)]| {
        let mut s = String::with_capacity(part.len() * 120);
        for (route, lastmod) in part {
            s.push_str("<url><loc>");
            s.push_str(&base);
            push_xml_escaped(&mut s, route);
            s.push_str("</loc>");
            if let Some(t) = lastmod {
                s.push_str("<lastmod>");
                s.push_str(&t.to_rfc3339());
                s.push_str("</lastmod>");
            }
            s.push_str("</url>\n");
        }
        s
    };
    // Made in parts side by side: a sitemap of 20,000 pages is a few megabytes, and a serve
    // rebuild that adds or removes a page makes it again.
    let one = |chunk: &[(String, Option<DateTime<FixedOffset>>)]| {
        use rayon::prelude::*;
        let parts: Vec<String> = chunk.par_chunks(2048).map(urls).collect();
        let mut s = String::with_capacity(parts.iter().map(String::len).sum::<usize>() + 200);
        s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
        parts.iter().for_each(|p| s.push_str(p));
        s.push_str("</urlset>\n");
        s
    };
    if pages.len() <= limit {
        return vec![("sitemap.xml".into(), one(pages))];
    }
    let mut files = Vec::new();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (i, chunk) in pages.chunks(limit).enumerate() {
        let name = format!("sitemap-{}.xml", i + 1);
        let newest = chunk.iter().filter_map(|(_, t)| *t).max();
        index.push_str(&format!("<sitemap><loc>{}</loc>", xml_escape(&abs(&name))));
        if let Some(t) = newest {
            index.push_str(&format!("<lastmod>{}</lastmod>", t.to_rfc3339()));
        }
        index.push_str("</sitemap>\n");
        files.push((name, one(chunk)));
    }
    index.push_str("</sitemapindex>\n");
    files.insert(0, ("sitemap.xml".into(), index));
    files
}

/// The Google News sitemap: articles of the two days up to the newest article.
pub fn news_sitemap(site: &Site) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n",
    );
    if let Some(newest) = site.articles.first().map(|a| a.date) {
        let since = newest - Duration::hours(48);
        for a in site.articles.iter().take_while(|a| a.date > since) {
            s.push_str(&format!(
                "<url><loc>{}</loc><news:news><news:publication><news:name>{}</news:name><news:language>{}</news:language>\
                 </news:publication><news:publication_date>{}</news:publication_date><news:title>{}</news:title>\
                 </news:news></url>\n",
                xml_escape(&site.url(&a.route)),
                xml_escape(&site.config.title),
                xml_escape(&site.config.language),
                a.date.to_rfc3339(),
                xml_escape(&a.title),
            ));
        }
    }
    s.push_str("</urlset>\n");
    s
}

/// `robots.txt`, naming both sitemaps.
pub fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\nSitemap: {}\n",
        site.url("sitemap.xml"),
        site.url("news-sitemap.xml")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn script_json_cannot_close_the_script() {
        let v = json!({"headline": "</script><script>alert(1)</script>"});
        assert!(!script_json(&v).contains("</"));
    }

    #[test]
    fn json_ld_is_its_text_in_templates_and_its_fields_in_a_fingerprint() {
        let list = |name: &str| BreadcrumbList {
            context: "https://schema.org",
            ty: "BreadcrumbList",
            items: vec![Crumb { ty: "ListItem", item: "https://x.example/".into(), name: name.into(), position: 1 }],
        };
        let value = tera::Value::from_serializable(&JsonLd::Crumbs(list("</script>")));
        assert_eq!(value.as_str(), Some(script_json(&list("</script>")).as_str()));
        let print = |name: &str| super::super::print::of(&JsonLd::Crumbs(list(name)));
        assert_eq!(print("a"), print("a"));
        assert_ne!(print("a"), print("b"));
    }

    #[test]
    fn sitemap_index_past_the_limit() {
        let t = DateTime::parse_from_rfc3339("2025-03-05T10:00:00+00:00").unwrap();
        let pages: Vec<_> = (0..5).map(|i| (format!("p{i}/"), Some(t))).collect();
        let one = sitemaps("https://x.example/", &pages, 5);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].1.matches("<url>").count(), 5);
        let many = sitemaps("https://x.example/", &pages, 2);
        let names: Vec<&str> = many.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"]);
        assert!(many[0].1.contains("<sitemapindex"));
        assert!(
            many[0]
                .1
                .contains("<loc>https://x.example/sitemap-3.xml</loc><lastmod>2025-03-05T10:00:00+00:00</lastmod>")
        );
        assert_eq!(many[3].1.matches("<url>").count(), 1);
    }

    #[test]
    fn xml_escaping_drops_control_characters() {
        assert_eq!(xml_escape("a & b <c> \"d\" \u{1}"), "a &amp; b &lt;c&gt; &quot;d&quot; ");
        assert_eq!(xml_escape("l’été&'ö'\tx\ny"), "l’été&amp;&apos;ö&apos;\tx\ny");
        assert_eq!(xml_escape("2025/03/04/plain/"), "2025/03/04/plain/");
        assert_eq!(xml_escape(""), "");
    }
}
