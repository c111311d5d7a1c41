//! What a successful build writes.

use crate::support::{Site, snapshot_tree};

const OFFER: &str = "2025/03/05/offer/index.html";
const CLAIM: &str = "2025/03/04/claim/index.html";

#[test]
fn output_listing() {
    let r = Site::fixture("build/basic").build();
    insta::assert_snapshot!("basic_listing", r.listing().join("\n"));
}

#[test]
fn article_page_main_region() {
    let r = Site::fixture("build/basic").build();
    insta::assert_snapshot!("basic_article_main", r.page(OFFER).main());
}

#[test]
fn article_page_shows_attribution_entities_and_links() {
    let r = Site::fixture("build/basic").build();
    let p = r.page(OFFER);
    assert_eq!(p.text("h1"), "Leader offers to host talks");
    assert_eq!(p.attrs(".original a", "href"), ["https://times.example/2025/03/05/offer-a1"]);
    assert_eq!(p.text(".story .meta"), "5 March 2025 · The Example Times");
    assert_eq!(p.texts(".eyebrow a"), ["Peace talks", "Belarus"]);
    assert_eq!(p.texts(".facts dd a"), ["Ana Example", "Bo Sample", "Minsk", "Week 10, 2025"]);
    // Editorial related first, then one sharing a place; the inline [[claim]] is shown with
    // the other article's title.
    assert_eq!(p.attrs("#related ~ .cards .card-title a", "href"), ["/2025/03/04/claim/", "/2025/02/21/earlier/"]);
    assert_eq!(p.attrs(".body a[href=\"/2025/03/04/claim/\"]", "href").len(), 1);
    assert!(p.texts(".body a").contains(&"President says rival is ready to talk".to_string()));
    // Footnotes are prefixed with the article's slug.
    assert_eq!(p.attrs(".footnote-reference a", "href"), ["#offer-1"]);
    assert_eq!(p.attrs(".footnote-definition", "id"), ["offer-1"]);
    assert_eq!(p.attrs("h2#what-next", "id"), ["what-next"]);
    // Referenced by: the earlier article links here through an @/ link.
    assert_eq!(p.texts("#referenced-by ~ .cards .card-title"), ["Earlier meeting ends without deal"]);
    // Previous/next within each topic.
    assert_eq!(p.texts(".neighbour-topic"), ["Peace talks", "Belarus"]);
    assert_eq!(p.attrs("nav.pager a[rel=next]", "href"), ["/2025/03/04/claim/"]);
}

#[test]
fn original_url_links_become_page_links_and_backlinks() {
    let r = Site::fixture("build/basic").build();
    let earlier = r.page("2025/02/21/earlier/index.html");
    // 23:30 UTC on 20 February is 21 February in Moscow.
    assert_eq!(earlier.attrs(".body a", "href"), ["/2025/03/05/offer/", "/2025/03/04/claim/"]);
    let claim = r.page(CLAIM);
    assert!(claim.texts("#referenced-by ~ .cards .card-title").contains(&"Earlier meeting ends without deal".into()));
    assert_eq!(claim.text(".summary, .story .body p"), "A claim “made” on Tuesday – with bold text.");
}

#[test]
fn home_page_is_the_latest_edition_grouped_by_topic() {
    let r = Site::fixture("build/basic").build();
    let home = r.page("index.html");
    assert_eq!(home.text("h1"), "Week 10, 2025");
    assert_eq!(home.texts(".group-title")[0], "Peace talks");
    assert_eq!(
        home.texts(".group .card-title")[..2],
        ["Leader offers to host talks", "President says rival is ready to talk"]
    );
    assert_eq!(home.attrs(".plain-list a", "href"), ["/editions/2025-W08/"]);
}

#[test]
fn topics_names_and_slugs_are_one_topic_with_declared_name() {
    let r = Site::fixture("build/basic").build();
    let topics = r.page("topics/index.html");
    assert_eq!(topics.texts(".terms li"), ["Belarus 1", "Diplomacy 1", "Peace talks 2"]);
    let t = r.page("topics/peace-talks/index.html");
    assert_eq!(t.text(".dek"), "Efforts to end the war.");
    assert_eq!(t.texts(".card-title"), ["Leader offers to host talks", "President says rival is ready to talk"]);
}

#[test]
fn entity_and_archive_pages() {
    let r = Site::fixture("build/basic").build();
    assert_eq!(r.page("people/bo-sample/index.html").texts(".card-title").len(), 2);
    assert_eq!(r.page("places/minsk/index.html").texts(".card-title").len(), 2);
    assert_eq!(r.page("sources/the-example-times/index.html").texts(".card-title").len(), 2);
    let people = r.page("people/index.html");
    assert_eq!(people.texts(".terms a"), ["Ana Example", "Bo Sample"]);
    let year = r.page("2025/index.html");
    assert_eq!(year.texts(".terms a"), ["March 2025", "February 2025"]);
    let march = r.page("2025/03/index.html");
    assert_eq!(march.texts(".group-title"), ["5 March 2025", "4 March 2025"]);
    assert_eq!(march.attrs("nav.pager a[rel=next]", "href"), ["/2025/02/"]);
    let day = r.page("2025/03/04/index.html");
    assert_eq!(day.attrs("nav.pager a[rel=prev]", "href"), ["/2025/03/05/"]);
    assert_eq!(day.attrs("nav.pager a[rel=next]", "href"), ["/2025/02/21/"]);
    let edition = r.page("editions/2025-W08/index.html");
    assert_eq!(edition.text(".dek"), "17–23 February 2025 · 1 article");
    assert_eq!(r.page("404.html").text("h1"), "Page not found");
}

#[test]
fn every_page_has_title_description_and_canonical() {
    let r = Site::fixture("build/basic").build();
    for f in r.listing().iter().filter(|f| f.ends_with(".html")) {
        let p = r.page(f);
        assert_eq!(p.count("title"), 1, "{f}");
        assert_eq!(p.attrs("link[rel=canonical]", "href").len(), 1, "{f}");
        assert!(p.attrs("link[rel=canonical]", "href")[0].starts_with("https://example.org/"), "{f}");
        assert_eq!(p.count("main#main"), 1, "{f}");
        assert_eq!(p.count("a.skip[href='#main']"), 1, "{f}");
    }
}

#[test]
fn two_builds_are_byte_identical() {
    let site = Site::fixture("build/basic");
    let a = snapshot_tree(&site.build().out);
    let b = snapshot_tree(&site.build().out);
    assert_eq!(a.len(), b.len());
    assert!(a == b, "output differs between builds");
}

#[test]
fn drafts_only_with_flag() {
    let site = Site::fixture("build/drafts");
    let r = site.build();
    assert!(!r.exists("2025/03/06/draft/index.html"));
    assert_eq!(r.page("index.html").texts(".card-title"), ["Published"]);
    let r = site.build_with(&["--drafts"]);
    assert_eq!(r.code, 0);
    assert!(r.exists("2025/03/06/draft/index.html"));
    assert_eq!(r.page("2025/03/06/draft/index.html").text(".story .meta strong"), "Draft");
}

#[test]
fn pagination_gives_each_page_its_slice() {
    let r = Site::fixture("build/pagination").build();
    let p1 = r.page("topics/busy/index.html");
    assert_eq!(p1.texts(".card-title"), ["Article 5", "Article 4"]);
    assert_eq!(p1.attrs("a[rel=next]", "href"), ["/topics/busy/page/2/"]);
    let p3 = r.page("topics/busy/page/3/index.html");
    assert_eq!(p3.texts(".card-title"), ["Article 1"]);
    assert_eq!(p3.attrs("a[rel=prev]", "href"), ["/topics/busy/page/2/"]);
    assert!(!r.exists("topics/busy/page/4/index.html"));
    assert!(r.exists("sources/wire/page/3/index.html"));
    assert!(r.exists("2025/03/page/3/index.html"));
}

#[test]
fn text_is_escaped_and_raw_html_sanitised() {
    let r = Site::fixture("build/sanitise").build();
    let html = r.file("2025/03/05/a/index.html");
    assert!(html.contains("<h1>Tricky &lt;b&gt;title&lt;/b&gt; &amp; &quot;quotes&quot;</h1>"), "{html}");
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("onclick"));
    assert!(!html.contains("href=\"javascript"), "{html}");
    assert_eq!(r.page("2025/03/05/a/index.html").attrs(".body a", "href"), ["#"]);
    assert!(html.contains("<em>kept</em>"));
}

#[test]
fn unsafe_html_opt_out_keeps_raw_html() {
    let r = Site::fixture("build/unsafe_html").build();
    let p = r.page("2025/03/05/a/index.html");
    assert_eq!(p.attrs(".body div.embed", "data-x"), ["1"]);
}

#[test]
fn site_templates_and_static_override_the_theme() {
    let r = Site::fixture("build/theme_override").build();
    assert_eq!(r.page("2025/03/05/a/index.html").text("h1.custom"), "Overridden");
    assert_eq!(r.file("style.css"), "body { color: red; }\n");
    assert_eq!(r.file("robots-note.txt"), "hello\n");
    // Other templates still come from the built-in theme.
    assert_eq!(r.page("topics/index.html").text("h1"), "Topics");
}

#[test]
fn a_named_theme_is_used_with_builtin_fallbacks() {
    let r = Site::fixture("build/custom_theme").build();
    let p = r.page("2025/03/05/a/index.html");
    assert_eq!(p.attrs("body", "class"), ["plain"]);
    assert!(r.exists("plain.css"));
    assert!(r.exists("style.css"), "built-in static files are still there");
}

#[test]
fn base_path_prefixes_every_link_and_assets_are_copied() {
    let r = Site::fixture("build/base_path").build();
    let p = r.page("2025/03/05/a/index.html");
    assert_eq!(p.attrs("link[rel=stylesheet]", "href"), ["/digest/style.css"]);
    assert_eq!(p.attrs("link[rel=canonical]", "href"), ["https://example.org/digest/2025/03/05/a/"]);
    assert!(
        p.attrs("a", "href").iter().all(|h| h.starts_with("/digest/") || h.starts_with('#') || h.starts_with("photo")),
        "{:?}",
        p.attrs("a", "href")
    );
    assert!(p.attrs(".body a", "href").contains(&"/digest/2025/03/04/b/".to_string()));
    assert_eq!(r.file("2025/photo.txt"), "not really a photo\n");
}

#[test]
fn related_merges_editorial_external_and_shared_symmetrically() {
    let r = Site::fixture("build/related").build();
    let alpha = r.page("2025/03/05/a/index.html");
    assert_eq!(alpha.texts("#related ~ .cards .card-title"), ["Outside report", "Gamma story", "Beta"]);
    assert_eq!(alpha.attrs(".card-external a", "href"), ["https://elsewhere.example/report"]);
    // Gamma did not list Alpha, but editorial relations are symmetric.
    let gamma = r.page("2025/03/03/c/index.html");
    assert_eq!(gamma.texts("#related ~ .cards .card-title"), ["Alpha"]);
    // Beta shares a rare person with Alpha.
    let beta = r.page("2025/03/04/b/index.html");
    assert_eq!(beta.texts("#related ~ .cards .card-title"), ["Alpha"]);
}

#[test]
fn missing_site_is_a_misuse_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_digest"))
        .args(["build", "--root"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("has no site.toml"));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_digest")).args(["build", "--bogus"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

/// A rebuild into the previous output (which keeps unchanged files by hard link) must give
/// exactly what a clean build of the changed site gives, for every kind of change.
#[test]
fn rebuilding_over_an_old_output_equals_a_clean_build() {
    type Change = fn(&Site);
    let changes: [(&str, Change); 6] = [
        ("article edited", |s| {
            let p = s.root.join("content/2025/03/04/claim.md");
            let t = std::fs::read_to_string(&p).unwrap();
            std::fs::write(p, t.replace("on Tuesday", "on Wednesday")).unwrap();
        }),
        ("article added", |s| {
            s.write(
                "content/2025/03/06/new.md",
                "+++\ntitle = \"New\"\ndate = 2025-03-06\ntopics = [\"peace-talks\"]\n+++\nNew.\n",
            )
        }),
        ("article deleted", |s| std::fs::remove_file(s.root.join("content/2025/02/20/earlier.md")).unwrap()),
        ("topic renamed", |s| {
            let p = s.root.join("site.toml");
            let t = std::fs::read_to_string(&p).unwrap();
            std::fs::write(p, t.replace("name = \"Peace talks\"", "name = \"Negotiations\"")).unwrap();
        }),
        ("template edited", |s| {
            s.write("templates/404.html", "{% extends \"base.html\" %}{% block main %}<h1>Gone</h1>{% endblock main %}")
        }),
        ("site.toml edited", |s| {
            let p = s.root.join("site.toml");
            let t = std::fs::read_to_string(&p).unwrap();
            std::fs::write(p, t.replace("title = \"Fixture\"", "title = \"Renamed\"")).unwrap();
        }),
    ];
    for (what, change) in changes {
        let site = Site::fixture("build/basic");
        let before = snapshot_tree(&site.build().out);
        change(&site);
        let rebuilt = site.build();
        let stderr = rebuilt.stderr.clone();
        let incremental = snapshot_tree(&rebuilt.out);
        std::fs::remove_dir_all(&rebuilt.out).unwrap();
        let clean = snapshot_tree(&site.build().out);
        assert!(incremental == clean, "{what}: rebuilding over the old output differs from a clean build");
        assert!(incremental != before, "{what}: the change shows in the output");
        // Most files did not change and were kept, not written again.
        let unchanged: usize = stderr
            .split(" written, ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no file counts in: {stderr}"));
        assert!(unchanged > 0, "{what}: nothing was kept: {stderr}");
    }
}

/// `serve` rebuilds with `build_after` (from builds made for rebuilds: article files kept,
/// pages fingerprinted): when only article text changed it renders only those pages and the
/// feeds carrying them; beyond the text, the pages whose variables changed, reading only the
/// changed files. Its result must equal a full build.
#[test]
fn partial_rebuilds_equal_full_builds() {
    partial_rebuilds(true);
}

/// The same from builds that kept nothing for rebuilds (`check`): wording edits still take
/// their shortcuts, anything else renders everything.
#[test]
fn rebuilds_without_kept_files_and_fingerprints_equal_full_builds() {
    partial_rebuilds(false);
}

fn partial_rebuilds(rebuilds: bool) {
    let site = Site::fixture("build/basic");
    let opts = digest::BuildOptions { root: site.root.clone(), rebuilds, ..Default::default() };
    let edit = |rel: &str, from: &str, to: &str| edit_file(&site, rel, from, to);
    let cases: [(&str, &str, &str, Option<usize>); 11] = [
        // Text after the first paragraph of an article in every feed: its page, 7 feeds, feed.json.
        ("content/2025/03/05/offer.md", "- [ ] talks held", "- [ ] talks held\n- [ ] a new item", Some(9)),
        // An explicit summary keeps cards unchanged while the body changes.
        ("content/2025/03/04/claim.md", "with **bold** text", "with *other* text", Some(7)),
        // Same, through the slower path that assembles the whole site again (the change list
        // names a file that is not an article, so the shortcut does not apply).
        ("content/2025/03/04/claim.md", "with *other* text", "with _other_ text!", Some(7)),
        // The first paragraph is the summary shown in lists: every page with its card, too.
        ("content/2025/03/05/offer.md", "The leader said", "The leader declared", Some(22)),
        // A new cross-link changes backlinks elsewhere: the site is assembled again, and the
        // pages whose variables changed are rendered (the linked article's, its feeds…).
        ("content/2025/03/04/claim.md", "with _other_ text!", "with [[offer]]", Some(10)),
        // A new title: its page, feeds and every page with its card, the search index, the news
        // sitemap, and the page of the article whose `[[claim]]` shows the title, with its feeds.
        ("content/2025/03/04/claim.md", "title = \"President", "title = \"The president", Some(25)),
        // A summary written in the front matter: like a first paragraph's.
        ("content/2025/03/04/claim.md", "summary = \"A claim", "summary = \"The claim", Some(16)),
        // A title another article has already: both pages tell them apart, and references by
        // that title become ambiguous: the site is assembled again.
        (
            "content/2025/03/04/claim.md",
            "title = \"The president says rival is ready to talk",
            "title = \"Leader offers to host talks",
            Some(26),
        ),
        // A new topic: its pages and feed, the topic index, and every page showing the card.
        (
            "content/2025/03/04/claim.md",
            "topics = [\"peace-talks\"]",
            "topics = [\"peace-talks\", \"belarus\"]",
            Some(21),
        ),
        // Titles through the slower path: one that stops being shared with another article
        // changes that article's page title too; a plain new title renders what shows it.
        ("content/2025/03/04/claim.md", "title = \"Leader offers", "title = \"Rival offers", Some(26)),
        ("content/2025/03/04/claim.md", "title = \"Rival offers", "title = \"A rival offers", Some(25)),
    ];
    // Cases whose change list also names a file that is not an article: the slower path.
    let slow = [2, 9, 10];
    // Cases that skip loading and assembling (not the slow ones).
    let fast = [0, 1, 3, 5, 6];
    // Cases beyond the wording: only pages whose variables changed are rendered, when the
    // build keeps fingerprints; otherwise everything.
    let printed = [4, 7, 8, 9];
    let mut previous = digest::build(&opts).unwrap();
    for (i, (rel, from, to, expect)) in cases.into_iter().enumerate() {
        edit(rel, from, to);
        let mut files = vec![std::path::PathBuf::from(rel)];
        if slow.contains(&i) {
            files.push("content/notes.txt".into());
        }
        let partial = digest::build_after(&opts, Some(&previous), Some(&files)).unwrap();
        let full = digest::build(&opts).unwrap();
        let expect = if rebuilds || !printed.contains(&i) { expect } else { None };
        assert_eq!(partial.rerendered, expect, "{rel}: {from:?} -> {to:?}");
        // Text edits take the shortcut that skips loading and assembling the site (not the slow cases).
        let assembled_all = partial.timings.iter().any(|(stage, _)| *stage == "assemble");
        assert_eq!(assembled_all, slow.contains(&i) || !fast.contains(&i), "case {i}: shortcut taken or not");
        assert!(partial.output == full.output, "{rel}: {from:?} -> {to:?}: partial differs from full");
        assert!(partial.output != previous.output, "the edit shows");
        previous = partial;
    }
    // A broken cross-link added to the text is reported, never rendered quietly.
    edit("content/2025/03/04/claim.md", "with [[offer]]", "with [[nowhere]]");
    let files = [std::path::PathBuf::from("content/2025/03/04/claim.md")];
    match digest::build_after(&opts, Some(&previous), Some(&files)) {
        Err(digest::Failure::Diagnostics(d)) => {
            assert!(d.iter().any(|x| x.is_error() && x.message.contains("[[nowhere]]")), "{d:?}")
        }
        other => panic!("expected the broken link to be reported, got {other:?}"),
    }
    edit("content/2025/03/04/claim.md", "with [[nowhere]]", "with [[offer]]");
    // Every other kind of change, each through the previous build: articles' front matter,
    // files added and removed, site.toml, templates.
    type Change = fn(&Site);
    // What changed, the file under `content/` that did (serve's list of changed files; None
    // when something else changed), and how many files are rendered again.
    let steps: [(&str, Change, Option<&str>, Option<usize>); 10] = [
        (
            "a person added",
            |s| {
                edit_file(
                    s,
                    "content/2025/03/04/claim.md",
                    "people = [\"Bo Sample\"]",
                    "people = [\"Bo Sample\", \"Al Other\"]",
                )
            },
            Some("content/2025/03/04/claim.md"),
            Some(10),
        ),
        (
            "a date moved",
            |s| edit_file(s, "content/2025/03/04/claim.md", "date = \"2025-03-04\"", "date = \"2025-03-03\""),
            Some("content/2025/03/04/claim.md"),
            Some(27),
        ),
        // The years' counts change, but the default theme shows only their names and links.
        (
            "an article added",
            |s| {
                s.write(
                    "content/2025/03/06/new.md",
                    "+++\ntitle = \"New\"\ndate = 2025-03-06\ntopics = [\"peace-talks\"]\n+++\nNew.\n",
                )
            },
            Some("content/2025/03/06/new.md"),
            Some(21),
        ),
        (
            "an article deleted",
            |s| std::fs::remove_file(s.root.join("content/2025/02/20/earlier.md")).unwrap(),
            Some("content/2025/02/20/earlier.md"),
            Some(20),
        ),
        (
            "a topic renamed",
            |s| edit_file(s, "site.toml", "name = \"Peace talks\"", "name = \"Negotiations\""),
            None,
            Some(29),
        ),
        (
            "the site retitled",
            |s| edit_file(s, "site.toml", "title = \"Fixture\"", "title = \"Renamed\""),
            None,
            Some(36),
        ),
        // A static file may stand in for a page; while static files differ from the last
        // build's, everything is rendered (here, once it is gone, the page must come back).
        ("a static file standing in for a page", |s| s.write("static/404.html", "<p>Gone.</p>"), None, None),
        ("that static file taken away", |s| std::fs::remove_file(s.root.join("static/404.html")).unwrap(), None, None),
        // Other templates may render any page differently: everything is rendered.
        (
            "a template edited",
            |s| {
                s.write(
                    "templates/404.html",
                    "{% extends \"base.html\" %}{% block main %}<h1>Gone</h1>{% for t in site.topics %}{{ t.name }}: \
                     {{ t.count }}{% endfor %}{% endblock main %}",
                )
            },
            None,
            None,
        ),
        // That template shows the topics' counts, which every page is given: all pages are rendered.
        (
            "a topic added where a template counts them",
            |s| {
                let (from, to) = ("\"peace-talks\", \"belarus\"]", "\"peace-talks\", \"belarus\", \"ceasefire\"]");
                edit_file(s, "content/2025/03/04/claim.md", from, to)
            },
            Some("content/2025/03/04/claim.md"),
            Some(39),
        ),
    ];
    for (what, change, file, expect) in steps {
        change(&site);
        let files = file.map(|f| vec![std::path::PathBuf::from(f)]);
        let rebuilt = digest::build_after(&opts, Some(&previous), files.as_deref()).unwrap();
        let full = digest::build(&opts).unwrap();
        assert!(rebuilt.output == full.output, "{what}: the rebuild differs from a full build");
        assert!(rebuilt.output != previous.output, "{what}: the change shows");
        assert_eq!(fingerprinted(&rebuilt), fingerprinted(&full), "{what}: the pages fingerprinted");
        let expect = expect.filter(|_| rebuilds);
        assert_eq!(rebuilt.rerendered, expect, "{what}: files rendered of {}", full.output.files.len());
        // The theme is loaded again unless only article files changed.
        let kept = std::sync::Arc::ptr_eq(&rebuilt.theme, &previous.theme);
        assert_eq!(kept, file.is_some(), "{what}: the last build's theme kept");
        previous = rebuilt;
    }
    // Nothing changed: only the files made from the model as a whole every time (feed.json,
    // the news sitemap, the search index, robots.txt) are made again; the sitemap and the
    // search summaries are kept with what they are made from.
    let again = digest::build_after(&opts, Some(&previous), None).unwrap();
    assert!(again.output == previous.output);
    assert_eq!(again.rerendered, Some(4).filter(|_| rebuilds));
    // The files kept are the files there are.
    let kept = |b: &digest::Build| {
        b.sources.as_ref().map(|s| s.iter().map(|s| (s.rel.clone(), s.text.clone())).collect::<Vec<_>>())
    };
    assert_eq!(kept(&again), kept(&digest::build(&opts).unwrap()));
    assert_eq!(again.sources.is_some(), rebuilds);
    assert_eq!(again.render_memo.prints.is_empty(), !rebuilds);
}

fn edit_file(site: &Site, rel: &str, from: &str, to: &str) {
    let p = site.root.join(rel);
    let t = std::fs::read_to_string(&p).unwrap();
    assert!(t.contains(from), "{rel} has {from:?}");
    std::fs::write(p, t.replacen(from, to, 1)).unwrap();
}

/// Articles name topics and people by their places in the lists of topics and people: one
/// renamed in its place leaves every article's record as it was, and must not be taken for an
/// edit of wording alone.
#[test]
fn a_topic_or_person_renamed_in_its_place_is_rendered_again() {
    let site = Site::fixture("build/basic");
    let opts = digest::BuildOptions { root: site.root.clone(), rebuilds: true, ..Default::default() };
    let mut previous = digest::build(&opts).unwrap();
    let claim = "content/2025/03/04/claim.md";
    let original = std::fs::read_to_string(site.root.join(claim)).unwrap();
    let edits = [
        ("topics = [", "topics = [\"Aaa one\", "),
        ("topics = [", "topics = [\"Aab two\", "),
        ("people = [\"Bo Sample\"]", "people = [\"Bo Samples\"]"),
    ];
    for (from, to) in edits {
        site.write(claim, &original.replace(from, to));
        let files = vec![std::path::PathBuf::from(claim)];
        let rebuilt = digest::build_after(&opts, Some(&previous), Some(&files)).unwrap();
        let full = digest::build(&opts).unwrap();
        assert!(rebuilt.output == full.output, "{to}: the rebuild differs from a full build");
        assert!(rebuilt.output != previous.output, "{to}: the change shows");
        previous = rebuilt;
    }
}

/// Front-matter edits of one article in a site of many, each rebuilt from the last: a rebuild
/// looks only at the pages the edit can reach (debug builds check every page it passes over
/// against its fingerprint) and must equal a full build, whatever the edit touched: topics new
/// and old, people, places, sources, links, dates within the day, titles shared with another
/// article, related articles, summaries, drafts.
#[test]
fn front_matter_edits_rebuild_what_they_reach() {
    let site = Site::fixture("build/basic");
    site.write(
        "site.toml",
        "title = \"Fixture\"\nbase_url = \"https://example.org/\"\nper_page = 3\nfeed_limit = 5\nedition = \
         \"weekly\"\n[topics.peace-talks]\nname = \"Peace talks\"\n",
    );
    let topics = ["peace-talks", "energy", "courts", "health"];
    let people = ["Ana Example", "Bo Sample", "Cy Third"];
    let places = ["Minsk", "Riga", "Oslo"];
    let sources = ["The Example Times", "Daily Sample"];
    for i in 0..18 {
        let day = 1 + i % 12;
        let (t1, t2) = (topics[i % 4], topics[(i / 4) % 4]);
        let related = if i > 0 { format!("related = [\"story-{}\"]\n", i - 1) } else { String::new() };
        let head = format!(
            "title = \"Story {i}\"\ndate = 2025-04-{day:02}T{h:02}:00:00+03:00\nsource = \"{s}\"\n\
             url = \"https://news.example/{i}\"\ntopics = [\"{t1}\", \"{t2}\"]\npeople = [\"{p}\"]\n\
             places = [\"{pl}\"]\n{related}",
            h = 8 + i % 5,
            s = sources[i % 2],
            p = people[i % 3],
            pl = places[i % 3],
        );
        let link = if i % 5 == 0 { " after [[story-1]]" } else { "" };
        let text = format!("+++\n{head}+++\nStory {i} begins here.\n\nIt goes on{link}.\n");
        site.write(&format!("content/2025/04/{day:02}/story-{i}.md"), &text);
    }
    let opts = digest::BuildOptions { root: site.root.clone(), rebuilds: true, ..Default::default() };
    let mut previous = digest::build(&opts).unwrap();
    // Rebuilds from the last build after `file` changed, and compares with a full build.
    let mut rebuilt = |file: &str, what: &str| {
        let files = [std::path::PathBuf::from(file)];
        let rebuilt = digest::build_after(&opts, Some(&previous), Some(&files)).unwrap();
        let full = digest::build(&opts).unwrap();
        assert!(rebuilt.output == full.output, "{what}: the rebuild differs from a full build");
        assert!(rebuilt.output != previous.output, "{what}: the change shows");
        assert_eq!(fingerprinted(&rebuilt), fingerprinted(&full), "{what}: the pages fingerprinted");
        // Whether the site was copied with the change rather than assembled again.
        let reassembled = rebuilt.timings.iter().any(|(stage, _)| *stage == "reassemble");
        previous = rebuilt;
        reassembled
    };
    let story = "content/2025/04/07/story-6.md";
    let edits: [(&str, &str); 21] = [
        ("topics = [\"courts\"", "topics = [\"A new topic\", \"courts\""),
        ("topics = [\"A new topic\"", "topics = [\"A New Topic\""),
        ("topics = [\"A New Topic\", \"courts\"", "topics = [\"courts\""),
        ("topics = [\"courts\"", "topics = [\"energy\", \"courts\""),
        ("people = [\"Ana Example\"]", "people = [\"Ana Example\", \"Dee New\"]"),
        ("people = [\"Ana Example\", \"Dee New\"]", "people = [\"Bo Sample\"]"),
        ("source = \"The Example Times\"", "source = \"Daily Sample\""),
        ("source = \"Daily Sample\"\n", ""),
        ("places = [\"Minsk\"]", "places = [\"Minsk\", \"Oslo\"]"),
        // Tags alone, naming topics, people and places the site has: copied, not assembled.
        ("people = [\"Bo Sample\"]", "people = [\"Cy Third\"]"),
        ("people = [\"Cy Third\"]", "people = [\"cy third\", \"Ana Example\"]"),
        ("topics = [\"energy\"", "topics = [\"peace-talks\", \"energy\""),
        ("places = [\"Minsk\", \"Oslo\"]", "places = [\"Riga\"]"),
        ("topics = [\"peace-talks\", ", "topics = ["),
        ("T09:00:00", "T23:30:00"),
        ("url = \"https://news.example/6\"", "url = \"https://news.example/six\""),
        ("title = \"Story 6\"", "title = \"Story 2\""),
        ("title = \"Story 2\"", "title = \"Story six\"\nupdated = 2025-04-20"),
        ("related = [\"story-5\"]", "related = [\"story-11\", \"story-0\"]"),
        ("+++\nStory 6", "summary = \"Told short.\"\n+++\nStory 6"),
        ("title = \"Story six\"", "title = \"Story six\"\ndraft = true"),
    ];
    let mut copied = Vec::new();
    for (i, (from, to)) in edits.into_iter().enumerate() {
        edit_file(&site, story, from, to);
        if rebuilt(story, &format!("{from:?} -> {to:?}")) {
            copied.push(i);
        }
    }
    // The tag edits (and 19, a summary: wording, copied too) but those that add or take an
    // undeclared topic where topics are declared (a warning names it) or rename a topic; the
    // others change more than tags.
    assert_eq!(copied, [3, 4, 5, 8, 9, 10, 11, 12, 13, 19], "edits that copied the site");
    // Articles added, moved to another day and taken away: every article after them in the
    // site's order changes its id.
    let new = "content/2025/04/05/story-new.md";
    let moved = "content/2025/04/03/story-2.md";
    let steps: [(&str, &str, Change); 5] = [
        (new, "a new article, with a title another has", |s| {
            let text = "+++\ntitle = \"Story 3\"\ndate = 2025-04-05T12:00:00+03:00\ntopics = [\"courts\"]\n\
                        people = [\"Cy Third\"]\nrelated = [\"story-6\"]\n+++\nNew.\n";
            s.write("content/2025/04/05/story-new.md", text)
        }),
        (moved, "an article moved to another day", |s| {
            edit_file(s, "content/2025/04/03/story-2.md", "date = 2025-04-03T", "date = 2025-04-11T")
        }),
        (new, "the new article taken away", |s| {
            std::fs::remove_file(s.root.join("content/2025/04/05/story-new.md")).unwrap()
        }),
        // The first spelling of a place names it: respelled in its oldest article, the place is
        // renamed, and the site assembled again.
        ("content/2025/04/02/story-1.md", "a place respelled in its oldest article", |s| {
            edit_file(s, "content/2025/04/02/story-1.md", "places = [\"Riga\"]", "places = [\"riga\"]")
        }),
        ("content/2025/04/01/story-0.md", "the oldest article taken away", |s| {
            std::fs::remove_file(s.root.join("content/2025/04/01/story-0.md")).unwrap()
        }),
    ];
    type Change = fn(&Site);
    for (file, what, change) in steps {
        change(&site);
        assert!(!rebuilt(file, what), "{what}: assembled again");
    }
}

/// Topics, people and places moved between articles at random, one or two articles at a time,
/// names new to the site among them, each rebuilt from the last: these rebuilds copy the last
/// site with the new tags (`model::reassemble_tags`; one that renames a topic or entity
/// assembles it again), and every one must equal a full build.
#[test]
fn tag_edits_at_random_equal_full_builds() {
    let site = Site::fixture("build/basic");
    site.write(
        "site.toml",
        "title = \"Fixture\"\nbase_url = \"https://example.org/\"\nper_page = 4\nedition = \"weekly\"\n",
    );
    let topics = ["Energy", "Courts", "Health", "Water supply", "water-supply", "Budget"];
    let people = ["Ana Example", "Bo Sample", "Cy Third", "bo sample", "Dee Fourth"];
    let places = ["Minsk", "Riga", "Oslo", "Lima"];
    let mut seed = 7u64;
    let mut next = |n: usize| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) as usize % n
    };
    let pick = |names: &[&str], next: &mut dyn FnMut(usize) -> usize| {
        let k = 1 + next(3);
        // Now and then a name the site has not seen: it joins the registry (moving the ids
        // after it), and leaves it when no article has it any more.
        let name = |next: &mut dyn FnMut(usize) -> usize| match next(12) {
            0 => format!("\"Fresh {}\"", next(1000)),
            _ => format!("\"{}\"", names[next(names.len())]),
        };
        let chosen: Vec<String> = (0..k).map(|_| name(next)).collect();
        chosen.join(", ")
    };
    let file = |i: usize| format!("content/2025/05/{:02}/story-{i}.md", 1 + i % 9);
    let write = |i: usize, next: &mut dyn FnMut(usize) -> usize| {
        let head = format!(
            "title = \"Story {i}\"\ndate = 2025-05-{:02}T{:02}:00:00Z\ntopics = [{}]\npeople = [{}]\nplaces = [{}]\n",
            1 + i % 9,
            8 + i % 7,
            pick(&topics, next),
            pick(&people, next),
            pick(&places, next),
        );
        let link = if i.is_multiple_of(4) { " after [[story-1]]" } else { "" };
        site.write(&file(i), &format!("+++\n{head}+++\nStory {i} begins here.\n\nIt goes on{link}.\n"));
    };
    for i in 0..24 {
        write(i, &mut next);
    }
    let opts = digest::BuildOptions { root: site.root.clone(), rebuilds: true, ..Default::default() };
    let mut previous = digest::build(&opts).unwrap();
    let mut copied = 0;
    for round in 0..40 {
        let changed: Vec<usize> = (0..1 + next(2)).map(|_| next(24)).collect();
        for &i in &changed {
            write(i, &mut next);
        }
        let mut files: Vec<std::path::PathBuf> = changed.iter().map(|&i| file(i).into()).collect();
        files.sort();
        files.dedup();
        let rebuilt = digest::build_after(&opts, Some(&previous), Some(&files)).unwrap();
        let full = digest::build(&opts).unwrap();
        assert!(rebuilt.output == full.output, "round {round} ({changed:?}): the rebuild differs from a full build");
        assert_eq!(fingerprinted(&rebuilt), fingerprinted(&full), "round {round}: the pages fingerprinted");
        copied += usize::from(rebuilt.timings.iter().any(|(stage, _)| *stage == "reassemble"));
        previous = rebuilt;
    }
    assert!(copied >= 30, "{copied} of 40 rebuilds copied the site");
}

/// The pages whose fingerprints a build keeps for the next rebuild, by key: those of its own
/// pages, no more.
fn fingerprinted(build: &digest::Build) -> Vec<u64> {
    let mut keys: Vec<u64> = build.render_memo.prints.keys().copied().collect();
    keys.sort_unstable();
    keys
}
