//! `digest serve --watch` as a user runs it: a real process on an ephemeral loopback port.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::Site;

struct Server {
    child: Child,
    addr: String,
    lines: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(site: &Site) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_digest"))
        .args(["serve", "--watch", "--port", "0", "--root"])
        .arg(&site.root)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // From here on the Server owns the child: dropping it kills and waits.
    let mut server = Server { child, addr: String::new(), lines: rx };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let line = server
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("server prints its url");
        if let Some(rest) = line.strip_prefix("serving http://") {
            server.addr = rest.split('/').next().unwrap().to_string();
            assert!(server.addr.starts_with("127.0.0.1:"), "binds loopback by default: {line}");
            return server;
        }
    }
}

/// A raw request, so that paths reach the server exactly as written.
fn request(s: &Server, method: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(&s.addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", s.addr).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split_whitespace().nth(1).unwrap_or("0").parse().unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

/// Polls `path` until `ok` holds for its body, or fails after 10 s.
fn until(s: &Server, path: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, body) = request(s, "GET", path);
        if ok(&body) {
            return body;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}; last body:\n{body}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

const CLAIM: &str = "content/2025/03/04/claim.md";
const OFFER: &str = "content/2025/03/05/offer.md";

#[test]
fn edits_show_up_broken_files_overlay_and_the_last_good_page_stays() {
    let site = Site::fixture("build/basic");
    let server = start(&site);
    let mut log = Vec::new();
    let (status, body) = request(&server, "GET", "/2025/03/04/claim/");
    assert_eq!(status, 200);
    assert!(body.contains("A claim “made” on Tuesday"), "{body}");
    assert!(body.contains("/__digest/events"), "live-reload script injected");
    // Links point at the served address, not base_url.
    assert!(body.contains(&format!("href=\"http://{}/2025/03/04/claim/\"", server.addr)), "canonical is local");

    // Edit: the new text is served.
    let original = std::fs::read_to_string(site.root.join(CLAIM)).unwrap();
    site.write(CLAIM, &original.replace("A claim \"made\"", "A claim \"REVISED\""));
    until(&server, "/2025/03/04/claim/", "the edit", |b| b.contains("REVISED"));

    // Break the front matter: the overlay appears on the last good page.
    site.write(CLAIM, &original.replace("A claim \"made\"", "A claim \"BROKEN\"").replace("title =", "titel ="));
    let body = until(&server, "/2025/03/04/claim/", "the overlay", |b| b.contains("digest-errors"));
    assert!(body.contains("REVISED"), "the last good version is still served");
    assert!(
        body.contains("content/2025/03/04/claim.md:2:1: error: invalid front matter: unknown field `titel`"),
        "{body}"
    );
    let (_, home) = request(&server, "GET", "/");
    assert!(home.contains("digest-errors"), "the overlay is on every page");

    // Saving another article meanwhile builds against the last good build with both files:
    // the broken one is not forgotten.
    let offer = std::fs::read_to_string(site.root.join(OFFER)).unwrap();
    site.write(OFFER, &offer.replace("The leader said", "The leader stated"));
    let report = report_of(&server, OFFER, &mut log);
    assert!(report.contains("unknown field `titel`") && report.contains("build failed"), "{report}");
    let (_, body) = request(&server, "GET", "/2025/03/04/claim/");
    assert!(body.contains("digest-errors") && body.contains("REVISED"), "{body}");

    // Fix it: the overlay goes.
    site.write(CLAIM, &original.replace("A claim \"made\"", "A claim \"FIXED\""));
    let body = until(&server, "/2025/03/04/claim/", "the fix", |b| b.contains("FIXED"));
    assert!(!body.contains("digest-errors"));

    // New, deleted and renamed files are picked up.
    site.write("content/2025/03/06/new.md", "+++\ntitle = \"Brand new\"\ndate = 2025-03-06\n+++\nNew.\n");
    until(&server, "/2025/03/06/new/", "a new article", |b| b.contains("Brand new"));
    std::fs::rename(site.root.join("content/2025/03/06/new.md"), site.root.join("content/2025/03/06/renamed.md"))
        .unwrap();
    until(&server, "/2025/03/06/renamed/", "a renamed article", |b| b.contains("Brand new"));
    let (status, _) = request(&server, "GET", "/2025/03/06/new/");
    assert_eq!(status, 404);
    std::fs::remove_file(site.root.join("content/2025/03/06/renamed.md")).unwrap();
    until(&server, "/", "a deleted article", |b| !b.contains("Brand new"));

    // site.toml and templates take effect without a restart.
    let toml = std::fs::read_to_string(site.root.join("site.toml")).unwrap();
    site.write("site.toml", &toml.replace("title = \"Fixture\"", "title = \"Renamed Digest\""));
    until(&server, "/", "the new site title", |b| b.contains("Renamed Digest"));
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block main %}<h1>Custom missing page</h1>{% endblock main %}",
    );
    until(&server, "/nowhere/", "the new template", |b| b.contains("Custom missing page"));
    // The templates/ folder appeared while serving: later edits inside it are seen too.
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block main %}<h1>Edited missing page</h1>{% endblock main %}",
    );
    until(&server, "/nowhere/", "the edited template", |b| b.contains("Edited missing page"));
    // A template broken, then an article saved: that rebuild is measured against the last good
    // build with both changes, so it loads the theme again (a rebuild after article changes alone
    // keeps the last build's) and still fails.
    site.write("templates/404.html", "{% extends \"base.html\" %}{% block main %}{{ nope( }}{% endblock main %}");
    until(&server, "/", "the template error", |b| b.contains("digest-errors"));
    site.write(OFFER, &offer.replace("The leader said", "The leader announced"));
    let report = report_of(&server, OFFER, &mut log);
    assert!(report.contains("templates/404.html") && report.contains("build failed with 1 error:"), "{report}");
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block main %}<h1>Mended missing page</h1>{% endblock main %}",
    );
    until(&server, "/nowhere/", "the mended template", |b| b.contains("Mended missing page"));
    until(&server, "/2025/03/05/offer/", "the article saved meanwhile", |b| b.contains("The leader announced"));

    // The terminal shows each rebuild with what changed and how long it took.
    while let Ok(l) = server.lines.try_recv() {
        log.push(l);
    }
    assert!(
        log.iter().any(|l| l.starts_with("changed content/2025/03/04/claim.md: built") && l.contains("reload sent")),
        "{log:?}"
    );
}

#[test]
fn nothing_outside_the_output_and_only_get_and_head() {
    let site = Site::fixture("build/basic");
    site.write("public-secret.txt", "secret");
    let server = start(&site);
    for path in [
        "/../site.toml",
        "/%2e%2e/site.toml",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/2025/../../site.toml",
        "/2025/..%2f..%2fsite.toml",
        "/..%5csite.toml",
        "//etc/passwd",
        "/content/2025/03/04/claim.md",
        "/site.toml",
    ] {
        let (status, body) = request(&server, "GET", path);
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("base_url") && !body.contains("root:"), "{path} leaked: {body}");
    }
    assert_eq!(request(&server, "POST", "/").0, 405);
    assert_eq!(request(&server, "DELETE", "/").0, 405);
    let (status, body) = request(&server, "HEAD", "/");
    assert_eq!((status, body.as_str()), (200, ""));
    let (status, _) = request(&server, "GET", "/2025");
    assert_eq!(status, 301);
}

#[test]
fn a_symlink_leading_out_of_the_site_is_never_served() {
    let site = Site::fixture("build/basic");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "top secret").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), site.root.join("content/leak.txt")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path(), site.root.join("static")).unwrap();
    let server = start(&site);
    for path in ["/leak.txt", "/secret.txt"] {
        let (status, body) = request(&server, "GET", path);
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("top secret"));
    }
}

#[test]
fn ctrl_c_stops_cleanly_even_with_a_page_listening_for_reloads() {
    let site = Site::fixture("build/basic");
    let mut server = start(&site);
    let _events = listen(&server, "/__digest/events");
    let status = Command::new("kill").args(["-INT", &server.child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the server did not stop after Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");
}

/// Opens a live-reload stream, as the script of a page does, once it has answered.
fn listen(s: &Server, path: &str) -> TcpStream {
    let mut events = TcpStream::connect(&s.addr).unwrap();
    write!(events, "GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", s.addr).unwrap();
    events.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut first = [0u8; 512];
    let n = events.read(&mut first).unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).contains("text/event-stream"));
    events.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    events
}

/// Reads a live-reload stream until it brings a `reload` event, or fails after 10 s.
fn next_reload(events: &mut TcpStream) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = String::new();
    let mut buf = [0u8; 1024];
    while !seen.contains("event: reload") {
        assert!(Instant::now() < deadline, "no reload event; the stream so far:\n{seen}");
        if let Ok(n) = events.read(&mut buf) {
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    }
    seen
}

/// The terminal's report of the next rebuild after `file` changed, to its reload line; every
/// line read goes to `log`.
fn report_of(server: &Server, file: &str, log: &mut Vec<String>) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut report = String::new();
    while !report.contains("reload sent") {
        let l = server.lines.recv_timeout(deadline.saturating_duration_since(Instant::now())).expect("a rebuild");
        log.push(l.clone());
        if !report.is_empty() || l.starts_with(&format!("changed {file}")) {
            report.push_str(&l);
            report.push('\n');
        }
    }
    report
}

/// Waits for the terminal line of the rebuild of `file`.
fn rebuilt(server: &Server, file: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let l = server.lines.recv_timeout(deadline.saturating_duration_since(Instant::now())).expect("a rebuild");
        if l.starts_with(&format!("changed {file}: ")) {
            return l;
        }
    }
}

#[test]
fn a_page_open_in_a_browser_is_rendered_first_and_the_rest_follows() {
    let site = Site::fixture("build/basic");
    let server = start(&site);
    // A browser tab showing the claim: its live-reload stream names the page.
    let mut events = listen(&server, "/__digest/events?page=/2025/03/04/claim/");
    std::thread::sleep(Duration::from_millis(100));

    // A front-matter edit: the site is assembled again, the open page is shown first.
    let original = std::fs::read_to_string(site.root.join(CLAIM)).unwrap();
    let edited = original.replace("topics = [\"peace-talks\"]", "topics = [\"peace-talks\", \"Early Topic\"]");
    site.write(CLAIM, &edited);
    next_reload(&mut events);
    let line = rebuilt(&server, CLAIM);
    assert!(line.contains("reload sent") && line.contains("with the page open"), "{line}");
    // The open page, and a page it did not name, are both the new build's.
    let (_, page) = request(&server, "GET", "/2025/03/04/claim/");
    assert!(page.contains("Early Topic"), "{page}");
    let (status, topic) = request(&server, "GET", "/topics/early-topic/");
    assert_eq!(status, 200);
    assert!(topic.contains("President says rival is ready to talk"), "{topic}");

    // The tab closed: rebuilds render in the usual order again.
    drop(events);
    std::thread::sleep(Duration::from_millis(200));
    site.write(CLAIM, &original);
    let line = rebuilt(&server, CLAIM);
    assert!(line.contains("reload sent") && !line.contains(" open"), "{line}");
    let (status, _) = request(&server, "GET", "/topics/early-topic/");
    assert_eq!(status, 404);
}
