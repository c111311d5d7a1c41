//! `digest import`, `new`, `init` and `check`.

use std::path::Path;

use crate::support::Site;

fn fixture_file(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import").join(name).to_string_lossy().into_owned()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn read(site: &Site, rel: &str) -> String {
    std::fs::read_to_string(site.root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

const SEED_FILE: &str = "content/2025/03/05/lukashenko-offers-to-host-russia-ukraine-peace-talks.md";

#[test]
fn seed_clipping_becomes_an_article_with_its_related_link() {
    let site = Site::fixture("import/site");
    let o = site.run(&["import", &fixture_file("seed.txt"), "--topic", "Peace talks"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("imported "), "{}", stdout(&o));
    let text = read(&site, SEED_FILE);
    let split = text.split("+++").collect::<Vec<_>>();
    let fm: toml::Table = split[1].parse().unwrap();
    assert_eq!(
        fm["url"].as_str(),
        Some("https://www.themoscowtimes.com/2025/03/05/lukashenko-offers-to-host-russia-ukraine-peace-talks-a88252")
    );
    assert_eq!(fm["date"].to_string(), "2025-03-05");
    assert_eq!(fm["title"].as_str(), Some("Lukashenko offers to host russia ukraine peace talks"));
    assert_eq!(fm["source"].as_str(), Some("The Moscow Times"));
    let related = fm["related"].as_array().unwrap();
    assert_eq!(related.len(), 1);
    assert_eq!(
        related[0]["title"].as_str(),
        Some("Trump Says Zelensky Ready for Talks With Russia, U.S. Minerals Deal")
    );
    assert_eq!(
        related[0]["url"].as_str(),
        Some(
            "https://www.themoscowtimes.com/2025/07/19/trump-says-zelensky-ready-for-talks-with-russia-us-minerals-deal"
        )
    );
    let body = split[2].trim();
    assert_eq!(body.split("\n\n").count(), 12);
    assert!(!body.contains("Related article") && !body.contains("Original url") && !body.contains("http"));

    // Built, the article page shows the related article, found in the site by its url.
    let r = site.build();
    let page = r.page("2025/03/05/lukashenko-offers-to-host-russia-ukraine-peace-talks/index.html");
    assert_eq!(page.attrs("#related ~ .cards .card-title a", "href"), ["/2025/07/19/trump-talks/"]);
    assert_eq!(page.texts(".body p").len(), 12);
}

#[test]
fn importing_twice_writes_nothing_the_second_time() {
    let site = Site::fixture("import/site");
    let seed = fixture_file("seed.txt");
    assert!(site.run(&["import", &seed]).status.success());
    let before = read(&site, SEED_FILE);
    let o = site.run(&["import", &seed]);
    assert!(o.status.success());
    assert!(stdout(&o).starts_with("skipped "), "{}", stdout(&o));
    assert!(stdout(&o).contains("already in the site as content/2025/03/05/"));
    assert_eq!(read(&site, SEED_FILE), before);
    assert!(!site.root.join("content/2025/03/05/lukashenko-offers-to-host-russia-ukraine-peace-talks-2.md").exists());
}

#[test]
fn odd_clipping_crlf_bom_wrapped_url_and_related_out_of_order() {
    let site = Site::fixture("import/site");
    let o = site.run(&["import", &fixture_file("crlf_bom.txt")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = read(&site, "content/2025/04/02/harbour-crane.md");
    let fm: toml::Table = text.split("+++").nth(1).unwrap().parse().unwrap();
    assert_eq!(fm["title"].as_str(), Some("Harbour crane"));
    assert_eq!(fm["url"].as_str(), Some("https://news.example.org/2025/04/02/harbour-crane-repaired-a12345"));
    assert_eq!(fm["source"].as_str(), Some("Example News"));
    let rel = fm["related"].as_array().unwrap();
    assert_eq!(rel[0]["title"].as_str(), Some("Second Crane Story"));
    assert_eq!(rel[0]["url"].as_str(), Some("https://news.example.org/2025/03/09/second-crane-story-77881"));
    assert_eq!(rel[1]["title"].as_str(), Some("First crane story"));
    assert_eq!(rel[1]["url"].as_str(), Some("https://news.example.org/2025/03/01/first-crane-story"));
    let body = text.split("+++").nth(2).unwrap().trim();
    assert_eq!(body, "The harbour crane was repaired on Tuesday.\n\nWorkers said \\*it\\* works.");
    assert!(!text.contains('\r') && !text.contains('\u{feff}'));
}

#[test]
fn percent_encoded_url_and_tracking_parameters() {
    let site = Site::fixture("import/site");
    let o = site.run(&["import", &fixture_file("percent.txt")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(site.root.join("content/2025/05/06/cafe-reopens.md").exists(), "{}", stdout(&o));
    let text = read(&site, "content/2025/05/06/cafe-reopens.md");
    assert!(text.contains("title = \"Café reopens\""), "{text}");
}

#[test]
fn clipping_without_url_needs_a_date() {
    let site = Site::fixture("import/site");
    let o = site.run(&["import", &fixture_file("no_url.txt")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no_url.txt"), "{}", stderr(&o));
    assert!(stderr(&o).contains("--date"), "{}", stderr(&o));
    // With a date it still has no title to take.
    let o = site.run(&["import", &fixture_file("no_url.txt"), "--date", "2025-03-01"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no title"), "{}", stderr(&o));
}

#[test]
fn rss_items_become_sanitised_articles_and_skip_known_urls() {
    let site = Site::fixture("import/site");
    let o = site.run(&["import", &fixture_file("feed.rss")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 2, "{}", stdout(&o));
    let text = read(&site, "content/2025/03/03/ferry-returns-sails.md");
    let fm: toml::Table = text.split("+++").nth(1).unwrap().parse().unwrap();
    assert_eq!(fm["title"].as_str(), Some("Ferry returns & sails"));
    assert_eq!(fm["source"].as_str(), Some("Example Wire"));
    assert_eq!(fm["date"].to_string(), "2025-03-03T09:30:00+00:00");
    assert_eq!(fm["topics"].as_array().unwrap().len(), 2);
    let body = text.split("+++").nth(2).unwrap();
    assert!(body.contains("**back**"), "{body}");
    assert!(body.contains("[more](https://wire.example/more)"), "{body}");
    assert!(!body.contains("script") && !body.contains("javascript"), "{body}");
    // A second import of the same feed, with the url spelled with a tracking parameter, skips both.
    let o = site.run(&["import", &fixture_file("feed.rss")]);
    assert_eq!(stdout(&o).lines().filter(|l| l.starts_with("skipped")).count(), 2, "{}", stdout(&o));
    assert!(site.build().exists("2025/03/03/ferry-returns-sails/index.html"));
}

#[test]
fn atom_feed_and_dry_run() {
    let site = Site::fixture("import/site");
    let o = site.run(&["import", "--dry-run", &fixture_file("feed.atom")]);
    assert!(o.status.success());
    assert!(stdout(&o).starts_with("would import"), "{}", stdout(&o));
    assert!(!site.root.join("content/2025/03/05").exists());
    let o = site.run(&["import", &fixture_file("feed.atom")]);
    assert!(o.status.success());
    let text = read(&site, "content/2025/03/05/council-votes-on-budget.md");
    assert!(text.contains("topics = [\"Local politics\"]"), "{text}");
    assert!(text.contains("The council _voted_.") || text.contains("The council *voted*."), "{text}");
}

#[test]
fn same_slug_different_story_gets_a_numbered_file() {
    let site = Site::fixture("import/site");
    site.write("content/2025/03/05/council-votes-on-budget.md", "+++\ntitle = \"Other\"\ndate = 2025-03-05\n+++\nx\n");
    let o = site.run(&["import", &fixture_file("feed.atom")]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("council-votes-on-budget-2.md"), "{}", stdout(&o));
    assert_eq!(
        read(&site, "content/2025/03/05/council-votes-on-budget.md"),
        "+++\ntitle = \"Other\"\ndate = 2025-03-05\n+++\nx\n"
    );
}

#[test]
fn new_writes_an_article_that_builds() {
    let site = Site::fixture("import/site");
    let o = site.run(&[
        "new",
        "Harbour \"crane\" fixed",
        "--topic",
        "Peace talks",
        "--url",
        "https://news.example.org/a",
        "--date",
        "2025-03-09",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "content/2025/03/09/harbour-crane-fixed.md");
    let text = read(&site, "content/2025/03/09/harbour-crane-fixed.md");
    assert!(text.contains("source = \"Example News\""), "{text}");
    let r = site.build();
    assert_eq!(r.page("2025/03/09/harbour-crane-fixed/index.html").text("h1"), "Harbour \"crane\" fixed");
}

#[test]
fn init_creates_a_site_that_builds_and_refuses_a_non_empty_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("fresh");
    let bin = env!("CARGO_BIN_EXE_digest");
    let o = std::process::Command::new(bin).arg("init").arg(&dir).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = std::process::Command::new(bin).args(["build", "--root"]).arg(&dir).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.join("public/index.html").exists());
    let o = std::process::Command::new(bin).arg("init").arg(&dir).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not empty"));
}

#[test]
fn check_reports_a_summary_and_writes_nothing() {
    let site = Site::fixture("build/basic");
    let o = site.run(&["check"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).trim(),
        "3 articles, 3 topics, 2 people, 1 place, 2 sources, 2 warnings, 0 errors: ok (nothing written)"
    );
    assert!(!site.root.join("public").exists());
    let broken = Site::fixture("errors/several_files");
    let o = broken.run(&["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o).trim(), "0 warnings, 3 errors");
}

/// A tiny HTTP server on loopback: `/gone*` answers 404, everything else 200. Records each
/// request's path and time. Serves `limit` requests, then stops.
fn serve(limit: usize) -> (String, std::thread::JoinHandle<Vec<(String, std::time::Instant)>>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for stream in listener.incoming().take(limit) {
            let mut stream = stream.unwrap();
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            reader.read_line(&mut line).unwrap();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap() == 0 || h == "\r\n" {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
            let status = if path.starts_with("/gone") { "404 Not Found" } else { "200 OK" };
            write!(stream, "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
            seen.push((path, std::time::Instant::now()));
        }
        seen
    });
    (base, handle)
}

#[test]
fn check_external_asks_each_url_politely_and_caches_answers() {
    let (base, server) = serve(3);
    let site = Site::fixture("build/drafts");
    for (name, path) in [("a", "/ok-a"), ("b", "/ok-b"), ("c", "/gone")] {
        site.write(
            &format!("content/{name}.md"),
            &format!("+++\ntitle = \"{name}\"\ndate = 2025-03-0{}\nurl = \"{base}{path}\"\n+++\nx\n", name.len()),
        );
    }
    let o = site.run(&["check", "--external", "--delay-ms", "200", "--timeout", "5"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("content/c.md: error: original url"), "{}", stderr(&o));
    assert!(stderr(&o).contains("answered HTTP 404"), "{}", stderr(&o));
    assert!(stdout(&o).contains("external: 3 urls checked (3 asked now"), "{}", stdout(&o));
    let seen = server.join().unwrap();
    assert_eq!(seen.len(), 3);
    // One host: requests one after the other, at least the delay apart.
    for w in seen.windows(2) {
        assert!(w[1].1 - w[0].1 >= std::time::Duration::from_millis(190), "{seen:?}");
    }
    assert!(site.root.join(".digest/external-links.json").exists());

    // The second run asks only about the url that failed (the server is gone by now).
    let o = site.run(&["check", "--external", "--delay-ms", "0", "--timeout", "2"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("(1 asked now"), "{}", stdout(&o));
}

#[test]
fn the_seed_clipping_is_already_in_the_example_site() {
    // The repository's own digest carries the seed story in the curator's words; importing the
    // clipping into it finds the same original url and writes nothing.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(repo.join("site.toml"), tmp.path().join("site.toml")).unwrap();
    let status = std::process::Command::new("cp").arg("-r").arg(repo.join("content")).arg(tmp.path()).status().unwrap();
    assert!(status.success());
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_digest"))
        .args(["import", &fixture_file("seed.txt"), "--root"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(
            "already in the site as content/2025/03/05/lukashenko-offers-to-host-russia-ukraine-peace-talks.md"
        ),
        "{}",
        stdout(&o)
    );
}
