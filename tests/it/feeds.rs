//! Feeds, sitemaps, page metadata and the search index, parsed back with real parsers.

use crate::support::Site;

fn parse_feed(r: &crate::support::Run, rel: &str) -> feed_rs::model::Feed {
    feed_rs::parser::parse(r.file(rel).as_bytes()).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn site_feeds_parse_and_carry_source_and_original_url() {
    let r = Site::fixture("build/basic").build();
    for f in ["atom.xml", "rss.xml", "feed.json"] {
        let feed = parse_feed(&r, f);
        let titles: Vec<String> = feed.entries.iter().map(|e| e.title.as_ref().unwrap().content.clone()).collect();
        assert_eq!(
            titles,
            [
                "Leader offers to host talks",
                "President says rival is ready to talk",
                "Earlier meeting ends without deal"
            ],
            "{f}"
        );
        let first = &feed.entries[0];
        let links: Vec<&str> = first.links.iter().map(|l| l.href.as_str()).collect();
        assert!(links.contains(&"https://example.org/2025/03/05/offer/"), "{f}: {links:?}");
        assert_eq!(first.published.unwrap().to_rfc3339(), "2025-03-05T07:00:00+00:00", "{f}");
    }
    let atom = parse_feed(&r, "atom.xml");
    let e = &atom.entries[0];
    let related: Vec<_> = e.links.iter().filter(|l| l.rel.as_deref() == Some("related")).collect();
    assert_eq!(related[0].href, "https://times.example/2025/03/05/offer-a1");
    assert_eq!(e.categories.iter().map(|c| c.term.as_str()).collect::<Vec<_>>(), ["Peace talks", "Belarus"]);
    let content = e.content.as_ref().unwrap().body.as_ref().unwrap();
    assert!(content.contains("href=\"https://example.org/2025/03/04/claim/\""), "links are absolute: {content}");
    assert_eq!(e.authors[0].name.as_deref(), Some("The Example Times"));
    // RSS names the outlet and original url in <source>.
    assert!(
        r.file("rss.xml")
            .contains("<source url=\"https://times.example/2025/03/05/offer-a1\">The Example Times</source>")
    );
    // JSON Feed: external_url.
    let json: serde_json::Value = serde_json::from_str(&r.file("feed.json")).unwrap();
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["items"][0]["external_url"], "https://times.example/2025/03/05/offer-a1");
}

#[test]
fn topic_person_and_source_feeds_and_the_feed_limit() {
    let site = Site::fixture("build/pagination");
    site.write("site.toml", "title = \"Fixture\"\nbase_url = \"https://example.org/\"\nper_page = 2\nfeed_limit = 3\n");
    let r = site.build();
    assert_eq!(parse_feed(&r, "atom.xml").entries.len(), 3);
    let topic = parse_feed(&r, "topics/busy/atom.xml");
    assert_eq!(topic.entries.len(), 3);
    assert_eq!(topic.entries[0].title.as_ref().unwrap().content, "Article 5");
    let source = parse_feed(&r, "sources/wire/atom.xml");
    assert_eq!(source.entries.len(), 3);
    // Site and topic feeds carry the whole text; a source's (or person's) feed the summary only.
    for (feed, full) in [(&topic, true), (&source, false)] {
        for e in &feed.entries {
            assert!(e.summary.is_some(), "{e:?}");
            assert_eq!(e.content.is_some(), full, "{e:?}");
        }
    }
    let page = r.page("topics/busy/index.html");
    let alternates = page.attrs("link[rel=alternate]", "href");
    assert_eq!(alternates, ["/topics/busy/atom.xml", "/atom.xml", "/rss.xml", "/feed.json"]);
}

#[test]
fn every_html_page_links_feeds_and_has_social_tags() {
    let r = Site::fixture("build/basic").build();
    let mut titles = std::collections::HashSet::new();
    for f in r.listing().iter().filter(|f| f.ends_with(".html")) {
        let p = r.page(f);
        assert!(
            p.attrs("link[rel=alternate][type='application/atom+xml']", "href").contains(&"/atom.xml".to_string()),
            "{f}"
        );
        assert_eq!(p.attrs("meta[property='og:url']", "content"), p.attrs("link[rel=canonical]", "href"), "{f}");
        assert_eq!(p.count("meta[name='twitter:card']"), 1, "{f}");
        assert_eq!(p.count("meta[name=description]"), 1, "{f}");
        assert!(titles.insert(p.text("title")), "duplicate <title> on {f}");
    }
}

#[test]
fn article_pages_carry_news_article_json_ld() {
    let r = Site::fixture("build/basic").build();
    let p = r.page("2025/03/05/offer/index.html");
    let selector = scraper::Selector::parse("script[type='application/ld+json']").unwrap();
    let scripts = p.0.select(&selector);
    let json: Vec<serde_json::Value> = scripts.map(|s| serde_json::from_str(&s.inner_html()).unwrap()).collect();
    assert_eq!(json.len(), 1);
    let j = &json[0];
    assert_eq!(j["@type"], "NewsArticle");
    assert_eq!(j["headline"], "Leader offers to host talks");
    assert_eq!(j["datePublished"], "2025-03-05T10:00:00+03:00");
    assert_eq!(j["isBasedOn"], "https://times.example/2025/03/05/offer-a1");
    assert_eq!(j["publisher"]["name"], "Fixture");
    assert_eq!(p.attrs("meta[name=description]", "content"), [j["description"].as_str().unwrap()]);
    assert_eq!(j["about"][0]["name"], "Peace talks");
    let mentions: Vec<&str> = j["mentions"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(mentions, ["Ana Example", "Bo Sample", "Minsk"]);
    // List pages: a breadcrumb trail.
    let t = r.page("topics/peace-talks/index.html");
    let s = t.0.select(&scraper::Selector::parse("script[type='application/ld+json']").unwrap()).next().unwrap();
    let b: serde_json::Value = serde_json::from_str(&s.inner_html()).unwrap();
    assert_eq!(b["@type"], "BreadcrumbList");
    let names: Vec<&str> =
        b["itemListElement"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Fixture", "Topics", "Peace talks"]);
}

#[test]
fn sitemaps_and_robots() {
    let r = Site::fixture("build/basic").build();
    let sitemap = r.file("sitemap.xml");
    let html_pages = r.listing().iter().filter(|f| f.ends_with(".html") && *f != "404.html").count();
    assert_eq!(sitemap.matches("<url>").count(), html_pages);
    assert!(
        sitemap
            .contains("<loc>https://example.org/2025/03/05/offer/</loc><lastmod>2025-03-05T10:00:00+03:00</lastmod>")
    );
    assert!(!sitemap.contains("404.html"));
    let news = r.file("news-sitemap.xml");
    // The newest article is on 5 March; the news sitemap covers the 48 hours up to it.
    assert_eq!(news.matches("<news:title>").count(), 2, "{news}");
    assert!(news.contains("<news:name>Fixture</news:name>"));
    assert_eq!(
        r.file("robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://example.org/sitemap.xml\nSitemap: https://example.org/news-sitemap.xml\n"
    );
}

#[test]
fn search_index_holds_titles_and_entities() {
    let r = Site::fixture("build/basic").build();
    let index: serde_json::Value = serde_json::from_str(&r.file("search-index.json")).unwrap();
    let people: Vec<&str> = index["people"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    assert_eq!(people, ["Ana Example", "Bo Sample"]);
    let first = &index["articles"][0];
    assert_eq!(first[0], "Leader offers to host talks");
    assert_eq!(first[1], "~offer/");
    assert_eq!(first[2], "2025-03-05");
    // Bo Sample (index 1) is in the first two articles.
    let with_bo =
        index["articles"].as_array().unwrap().iter().filter(|a| a[5].as_array().unwrap().contains(&1.into())).count();
    assert_eq!(with_bo, 2);
    let summaries: Vec<String> = serde_json::from_str(&r.file("search/summaries-0.json")).unwrap();
    assert_eq!(summaries[1], "A claim made on Tuesday.");
    let page = r.page("search/index.html");
    assert_eq!(page.attrs("script[data-index]", "data-index"), ["/search-index.json"]);
    assert_eq!(page.attrs("label[for=q]", "for"), ["q"]);
}

#[test]
fn a_site_under_a_path_prefix_keeps_it_in_feeds_and_sitemaps() {
    let r = Site::fixture("build/base_path").build();
    let feed = parse_feed(&r, "atom.xml");
    assert_eq!(feed.entries[0].links[0].href, "https://example.org/digest/2025/03/05/a/");
    let content = feed.entries[0].content.as_ref().unwrap().body.clone().unwrap();
    assert!(content.contains("href=\"https://example.org/digest/2025/03/04/b/\""), "{content}");
    assert!(r.file("sitemap.xml").contains("<loc>https://example.org/digest/</loc>"));
    assert!(r.file("robots.txt").contains("Sitemap: https://example.org/digest/sitemap.xml"));
    let index: serde_json::Value = serde_json::from_str(&r.file("search-index.json")).unwrap();
    assert_eq!(index["base"], "/digest/");
}

#[test]
fn every_feed_of_the_site_parses() {
    let r = Site::fixture("build/basic").build();
    let feeds: Vec<String> = r
        .listing()
        .into_iter()
        .filter(|f| f.ends_with("atom.xml") || f.ends_with("rss.xml") || f == "feed.json")
        .collect();
    // Site (3), 3 topics, 2 people, 2 sources.
    assert_eq!(feeds.len(), 10, "{feeds:?}");
    for f in &feeds {
        let feed = parse_feed(&r, f);
        assert!(!feed.entries.is_empty(), "{f} has items");
        for e in &feed.entries {
            assert!(e.published.is_some() && e.updated.is_some(), "{f}: dates");
            assert!(e.links.iter().any(|l| l.href.starts_with("https://example.org/")), "{f}: permalink");
        }
    }
}
