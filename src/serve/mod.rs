//! `digest serve`: builds the site with the same library call as `digest build`, keeps the output
//! in memory and serves it on loopback; with `--watch`, rebuilds on every change and reloads open
//! pages. A failed rebuild keeps serving the last good site with the errors overlaid.
//!
//! An explicit loop over a closed `Event` type drives rebuilds; the state lives in the server
//! (`state::Preview`), not in statics. Serving never touches the disk except to read the
//! `Copy` files of the output, whose paths come from the build, never from a request.

pub mod http;
pub mod state;
pub mod watch;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use notify::{EventKind, RecursiveMode, Watcher as _};
use tokio::sync::broadcast;

use crate::error::Error;
use crate::output::FileData;
use crate::{Build, BuildOptions, Failure};
use state::{Outcome, Preview};
use watch::ChangeKind;

/// Flags of `digest serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site folder.
    pub root: PathBuf,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Address to listen on.
    pub bind: IpAddr,
    /// Rebuild on changes.
    pub watch: bool,
    /// Include drafts.
    pub drafts: bool,
}

/// What the server tells the terminal. The library never prints; the caller decides how.
pub type Log = Arc<dyn Fn(&str) + Send + Sync>;

/// Everything the request handlers share.
struct Server {
    preview: RwLock<Preview>,
    reloads: broadcast::Sender<u64>,
    /// The pages open in a browser (the paths their live-reload streams name), each with how
    /// many streams name it: a rebuild renders them first.
    open: Mutex<HashMap<String, usize>>,
    /// False while a rebuild that showed the open pages early goes on; requests for other
    /// pages wait for it to turn true.
    settled: tokio::sync::watch::Sender<bool>,
    /// Turns true on Ctrl-C, so that open event streams end and shutdown does not wait on them.
    stopping: tokio::sync::watch::Sender<bool>,
}

/// What drives the rebuild loop.
enum Event {
    /// Files changed: their kinds, paths (relative to the root) and when the first was seen.
    Changed(Vec<(ChangeKind, PathBuf)>, Instant),
    /// The watcher failed.
    WatchError(String),
}

/// One (re)build, handing over the pages of `first` as soon as they are rendered. Returns what
/// to show, the line for the terminal, and the build to start from next time when it
/// succeeded.
fn build_once(
    opts: &BuildOptions,
    previous: Option<&Build>,
    content_files: Option<&[PathBuf]>,
    first: Option<crate::render::First>,
) -> Result<(Outcome, String, Option<Build>), Error> {
    let started = Instant::now();
    Ok(match crate::build_after_first(opts, previous, content_files, first) {
        Ok(b) => {
            let rendered = match b.rerendered {
                Some(n) => format!("rendered {n} of {} files again", b.output.files.len()),
                None => format!("{} files", b.output.files.len()),
            };
            let mut summary = format!(
                "built {}, {rendered} in {} ms{}",
                crate::plural(b.site.articles.len(), "article"),
                started.elapsed().as_millis(),
                if b.warnings.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", crate::plural(b.warnings.len(), "warning"))
                }
            );
            if std::env::var_os("DIGEST_TIMINGS").is_some() {
                let laps: Vec<String> =
                    b.timings.iter().skip(1).map(|(s, t)| format!("{s} {:.0} ms", t.as_secs_f64() * 1000.0)).collect();
                summary.push_str(&format!(" [{}]", laps.join(", ")));
            }
            (Outcome::Built(Arc::clone(&b.output)), summary, Some(b))
        }
        Err(Failure::Diagnostics(d)) => {
            let errors = d.iter().filter(|x| x.is_error()).count();
            let mut text: Vec<String> = d.iter().map(|x| x.to_string()).collect();
            text.push(format!(
                "build failed with {}: still serving the last good version",
                crate::plural(errors, "error")
            ));
            (Outcome::Failed(d), text.join("\n\n"), None)
        }
        Err(Failure::Env(e)) => return Err(e),
    })
}

/// Runs the preview server until Ctrl-C.
pub fn run(opts: ServeOptions, log: Log) -> Result<(), Error> {
    let root = opts.root.canonicalize().map_err(Error::io("reading", &opts.root))?;
    let addr = SocketAddr::new(opts.bind, opts.port);
    let listener = std::net::TcpListener::bind(addr).map_err(Error::io("listening on", addr.to_string()))?;
    listener.set_nonblocking(true).map_err(Error::io("listening on", addr.to_string()))?;
    let local = listener.local_addr().map_err(Error::io("listening on", addr.to_string()))?;
    let shown_host = if local.ip().is_unspecified() { "127.0.0.1".to_string() } else { local.ip().to_string() };
    let url = match local.ip() {
        IpAddr::V6(_) => format!("http://[{shown_host}]:{}/", local.port()),
        IpAddr::V4(_) => format!("http://{shown_host}:{}/", local.port()),
    };
    if !local.ip().is_loopback() {
        log(&format!("warning: listening on {} : anyone who can reach this machine can read the preview", local.ip()));
    }
    let build_opts = BuildOptions {
        root: root.clone(),
        output: None,
        drafts: opts.drafts,
        base_url: Some(url.clone()),
        rebuilds: true,
    };
    let (outcome, summary, last) = build_once(&build_opts, None, None, None)?;
    log(&summary);
    let mut preview = Preview::new();
    preview.apply(outcome);
    let (reloads, _) = broadcast::channel(16);
    let (stopping, _) = tokio::sync::watch::channel(false);
    let server = Arc::new(Server {
        preview: RwLock::new(preview),
        reloads,
        open: Mutex::new(HashMap::new()),
        settled: tokio::sync::watch::Sender::new(true),
        stopping,
    });

    let _watcher = if opts.watch {
        // The output folder is never watched; the first build knows where it is.
        let output_dir = match &last {
            Some(b) => b.output_dir.clone(),
            None => crate::load_config(&root).map(|c| root.join(c.output_dir)).unwrap_or_else(|_| root.join("public")),
        };
        Some(start_watching(root.clone(), output_dir, build_opts, last, server.clone(), log.clone())?)
    } else {
        None
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(Error::io("starting", "the server runtime"))?;
    runtime.block_on(async move {
        use axum::serve::ListenerExt;
        let listener = tokio::net::TcpListener::from_std(listener).map_err(Error::io("listening on", url.clone()))?;
        // Reload events are a few bytes: send them at once rather than waiting to fill a packet.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        // Listening for Ctrl-C before saying where the server is: a Ctrl-C that comes as soon as
        // it is said is not missed (`ctrl_c` listens only once first polled, when serving).
        #[cfg(unix)]
        let mut interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
            .map_err(Error::io("listening for", "Ctrl-C"))?;
        log(&format!("serving {url}{}  (Ctrl-C to stop)", if opts.watch { " with live reload" } else { "" }));
        let handler_server = server.clone();
        let app = axum::Router::new().fallback(move |method: Method, uri: Uri| {
            let server = handler_server.clone();
            async move { respond(&server, method, uri).await }
        });
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                #[cfg(unix)]
                interrupt.recv().await;
                #[cfg(not(unix))]
                let _ = tokio::signal::ctrl_c().await;
                let _ = server.stopping.send(true);
            })
            .await
            .map_err(Error::io("serving", url.clone()))?;
        log("stopped");
        Ok(())
    })
}

type Watcher = notify::RecommendedWatcher;

/// The folders whose files a site is built from, watched recursively.
const SOURCE_DIRS: [&str; 4] = ["content", "templates", "static", "themes"];

fn start_watching(
    root: PathBuf,
    output_dir: PathBuf,
    build_opts: BuildOptions,
    last: Option<Build>,
    server: Arc<Server>,
    log: Log,
) -> Result<Arc<Mutex<Watcher>>, Error> {
    let (tx, rx) = std::sync::mpsc::channel::<Event>();
    let (raw_tx, raw_rx) = std::sync::mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(raw_tx)
        .map_err(|e| Error::NotASite(format!("cannot watch {}: {e}", root.display())))?;
    // Events are gathered into batches on a thread of their own (see `watch::gather`); the
    // thread ends when the watcher is dropped.
    let handler_root = root.clone();
    std::thread::spawn(move || {
        loop {
            let (mut changed, mut errors): (Vec<(ChangeKind, PathBuf)>, Vec<String>) = (Vec::new(), Vec::new());
            let first = watch::gather(&raw_rx, watch::QUIET, watch::MAX_WAIT, |res| match res {
                Ok(e) if matches!(e.kind, EventKind::Access(_)) => false,
                Ok(e) => {
                    let before = changed.len();
                    for p in &e.paths {
                        if let Some(kind) = watch::classify(&handler_root, &output_dir, p) {
                            let rel = p.strip_prefix(&handler_root).unwrap_or(p).to_path_buf();
                            if !changed.iter().any(|(_, q)| *q == rel) {
                                changed.push((kind, rel));
                            }
                        }
                    }
                    changed.len() > before
                }
                Err(e) => {
                    errors.push(e.to_string());
                    true
                }
            });
            let Some(first) = first else { break };
            let gone = (!errors.is_empty() && tx.send(Event::WatchError(errors.join("; "))).is_err())
                || (!changed.is_empty() && tx.send(Event::Changed(changed, first)).is_err());
            if gone {
                break;
            }
        }
    });
    // The root itself (for site.toml and folders that appear later), then each source folder.
    watcher
        .watch(&root, RecursiveMode::NonRecursive)
        .map_err(|e| Error::NotASite(format!("cannot watch {}: {e}", root.display())))?;
    for dir in SOURCE_DIRS {
        let d = root.join(dir);
        if d.is_dir() {
            watcher
                .watch(&d, RecursiveMode::Recursive)
                .map_err(|e| Error::NotASite(format!("cannot watch {}: {e}", d.display())))?;
        }
    }
    let watcher = Arc::new(Mutex::new(watcher));
    let for_loop = watcher.clone();
    std::thread::spawn(move || rebuild_loop(rx, build_opts, last, server, log, &for_loop));
    Ok(watcher)
}

/// A source folder that appeared (say `templates/`, made while serving) is watched from now on;
/// the rebuild that follows reads it whole, so nothing written before the watch is missed.
fn watch_new_folders(watcher: &Mutex<Watcher>, root: &Path, changed: &[(ChangeKind, PathBuf)], log: &Log) {
    for (_, rel) in changed {
        if SOURCE_DIRS.iter().any(|d| rel.as_os_str() == *d) && root.join(rel).is_dir() {
            let mut w = watcher.lock().expect("watcher lock is never poisoned");
            if let Err(e) = w.watch(&root.join(rel), RecursiveMode::Recursive) {
                log(&format!("warning: cannot watch {}: {e}", rel.display()));
            }
        }
    }
}

/// Rebuilds after each batch of changes; changes that arrive during a rebuild are merged into
/// the next one. The last good build is kept so that an edit to article text re-renders only
/// what shows that text; every file changed since it (failed rebuilds too) is measured against
/// it, so an error in one file is not forgotten when another file is saved.
fn rebuild_loop(
    rx: std::sync::mpsc::Receiver<Event>,
    opts: BuildOptions,
    mut last: Option<Build>,
    server: Arc<Server>,
    log: Log,
    watcher: &Mutex<Watcher>,
) {
    let mut unbuilt: Vec<(ChangeKind, PathBuf)> = Vec::new();
    // A rebuild of nothing, thrown away: the first real one then finds its memory made (freed
    // memory is kept, see main.rs) instead of touching fresh pages (about 70 ms at 10,000
    // articles). Edits made meanwhile wait for it and are measured against the first build.
    if last.is_some() {
        drop(crate::build_after(&opts, last.as_ref(), None));
    }
    while let Ok(event) = rx.recv() {
        let (mut changed, mut since) = match event {
            Event::Changed(c, t) => (c, t),
            Event::WatchError(e) => {
                log(&format!("warning: file watching: {e}"));
                continue;
            }
        };
        while let Ok(more) = rx.try_recv() {
            if let Event::Changed(c, t) = more {
                changed.extend(c);
                since = since.min(t);
            }
        }
        changed.sort();
        changed.dedup();
        watch_new_folders(watcher, &opts.root, &changed, &log);
        let what: Vec<String> = changed.iter().map(|(_, p)| p.display().to_string()).collect();
        // Measured from the last good build: what changed since then, failed rebuilds included.
        unbuilt.extend(changed);
        unbuilt.sort();
        unbuilt.dedup();
        let content_only = unbuilt.iter().all(|(kind, _)| *kind == ChangeKind::Content);
        let files: Vec<PathBuf> = unbuilt.iter().map(|(_, p)| p.clone()).collect();
        // The pages open in a browser are rendered first and shown at once; the others wait.
        let open = open_files(&server);
        let early: Mutex<Option<Duration>> = Mutex::new(None);
        let ready = |pages: crate::Output| {
            let generation = {
                let mut p = server.preview.write().expect("preview lock is never poisoned");
                server.settled.send_replace(false);
                p.show_early(pages)
            };
            let _ = server.reloads.send(generation);
            *early.lock().expect("never poisoned") = Some(since.elapsed());
        };
        let first = (!open.is_empty()).then_some(crate::render::First { files: &open, ready: &ready });
        let settle = Settle(&server);
        let built = build_once(&opts, last.as_ref(), content_only.then_some(files.as_slice()), first);
        let early = early.into_inner().expect("never poisoned");
        match built {
            Ok((outcome, summary, good)) => {
                let replaced = if good.is_some() {
                    unbuilt.clear();
                    std::mem::replace(&mut last, good)
                } else {
                    None
                };
                let (reload, generation, shown) = {
                    let mut p = server.preview.write().expect("preview lock is never poisoned");
                    let (reload, shown) = p.apply(outcome);
                    (reload, p.generation, shown)
                };
                drop(settle);
                if reload {
                    let _ = server.reloads.send(generation);
                }
                let done = since.elapsed().as_millis();
                let sent = match early {
                    Some(t) if !reload => format!(
                        "reload sent {} ms after the change, with the {} open (all pages done at {done} ms)",
                        t.as_millis(),
                        if open.len() == 1 { "page".to_string() } else { format!("{} pages", open.len()) }
                    ),
                    _ => format!("reload sent {done} ms after the change"),
                };
                log(&format!("changed {}: {summary}; {sent}", what.join(", ")));
                // The last build and output go only now, on a thread of their own: freeing a
                // model and 20,000 files' entries took about 15 ms at 10,000 articles.
                crate::drop_later((replaced, shown));
            }
            Err(e) => {
                drop(settle);
                log(&format!("error: {e}"))
            }
        }
    }
}

/// Ends a rebuild that may have shown the open pages early, however it ends (a panic
/// included): pages shown of a build that did not finish give way to the last good output
/// (pages reload), and requests waiting for the rebuild go on.
struct Settle<'a>(&'a Server);

impl Drop for Settle<'_> {
    fn drop(&mut self) {
        let generation = match self.0.preview.write() {
            Ok(mut p) => p.drop_early().then_some(p.generation),
            Err(_) => None,
        };
        if let Some(g) = generation {
            let _ = self.0.reloads.send(g);
        }
        self.0.settled.send_replace(true);
    }
}

/// The files of the pages open in a browser, as the current output names them.
fn open_files(server: &Server) -> Vec<String> {
    let open: Vec<String> = server.open.lock().expect("never poisoned").keys().cloned().collect();
    let p = server.preview.read().expect("preview lock is never poisoned");
    let Some(output) = &p.output else { return Vec::new() };
    let mut files: Vec<String> = open
        .iter()
        .filter_map(|path| match http::resolve(output, path) {
            http::Resolved::File(key) => Some(key),
            _ => None,
        })
        .collect();
    files.sort();
    files.dedup();
    files
}

fn plain(status: StatusCode, text: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text.to_string()).into_response()
}

async fn respond(server: &Arc<Server>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n");
        r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    if uri.path() == http::EVENTS {
        return events(server.clone(), &uri);
    }
    let mut settled = server.settled.subscribe();
    let (output, key, status, errors, generation) = loop {
        let found = {
            let p = server.preview.read().expect("preview lock is never poisoned");
            let Some(output) = p.output.clone() else {
                // No good build yet: a page with only the errors and the reload script.
                let html = http::inject(
                    "<!DOCTYPE html><html><head><title>Build failed</title></head><body></body></html>",
                    p.generation,
                    p.errors.as_deref().map(Vec::as_slice),
                );
                return html_response(StatusCode::SERVICE_UNAVAILABLE, html);
            };
            let (status, key) = match http::resolve(&output, uri.path()) {
                http::Resolved::File(k) => (StatusCode::OK, k),
                http::Resolved::Redirect(to) => {
                    return Response::builder()
                        .status(StatusCode::MOVED_PERMANENTLY)
                        .header(header::LOCATION, to)
                        .body(Body::empty())
                        .expect("a valid redirect");
                }
                http::Resolved::NotFound => (StatusCode::NOT_FOUND, "404.html".to_string()),
            };
            match p.lookup(&key) {
                state::Lookup::Output => Some((output, key, status, p.errors.clone(), p.generation)),
                state::Lookup::Early(early) => Some((early, key, status, p.errors.clone(), p.generation)),
                state::Lookup::Waits => None,
            }
        };
        match found {
            Some(found) => break found,
            // A page the rebuild going on has not rendered yet.
            None => {
                let _ = settled.wait_for(|done| *done).await;
            }
        }
    };
    let errors_ref = errors.as_deref().map(Vec::as_slice);
    // Rendered files are shared with the output, not copied; only HTML is copied, to inject.
    let bytes: Bytes = match output.files.get(&key) {
        Some(FileData::Bytes(b)) => b.clone(),
        Some(FileData::Copy(from)) => match tokio::fs::read(from).await {
            Ok(b) => Bytes::from(b),
            Err(_) => return plain(StatusCode::NOT_FOUND, "not found\n"),
        },
        None => return plain(StatusCode::NOT_FOUND, "not found\n"),
    };
    let ctype = http::content_type(&key);
    if ctype.starts_with("text/html") {
        let html = http::inject(&String::from_utf8_lossy(&bytes), generation, errors_ref);
        return html_response(status, html);
    }
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, ctype)
        .header(header::CACHE_CONTROL, "no-store")
        .header("x-content-type-options", "nosniff")
        .body(Body::from(bytes))
        .expect("a valid response")
}

fn html_response(status: StatusCode, html: String) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .header("x-content-type-options", "nosniff")
        .body(Body::from(html))
        .expect("a valid response")
}

/// A page open in a browser, counted in `Server::open` while its live-reload stream is.
struct OpenPage {
    server: Arc<Server>,
    path: Option<String>,
}

impl OpenPage {
    fn new(server: Arc<Server>, path: Option<String>) -> Self {
        if let Some(p) = &path {
            *server.open.lock().expect("never poisoned").entry(p.clone()).or_default() += 1;
        }
        OpenPage { server, path }
    }
}

impl Drop for OpenPage {
    fn drop(&mut self) {
        let Some(p) = &self.path else { return };
        let mut open = self.server.open.lock().expect("never poisoned");
        if let Some(n) = open.get_mut(p) {
            *n -= 1;
            if *n == 0 {
                open.remove(p);
            }
        }
    }
}

/// The Server-Sent Events stream: `hello` with the current generation, then `reload` after
/// each rebuild, and a comment every 15 s to keep the connection open. `?page=` names the page
/// (its path) the stream serves, which rebuilds render first while it is open.
fn events(server: Arc<Server>, uri: &Uri) -> Response {
    let generation = server.preview.read().expect("preview lock is never poisoned").generation;
    let rx = server.reloads.subscribe();
    let stop = server.stopping.subscribe();
    let page = uri.query().and_then(|q| q.strip_prefix("page=")).filter(|p| p.starts_with('/'));
    let open = OpenPage::new(server.clone(), page.map(str::to_string));
    let first = format!("event: hello\ndata: {generation}\n\n");
    let stream =
        futures_util::stream::unfold((Some(first), rx, stop, open), |(first, mut rx, mut stop, open)| async move {
            if *stop.borrow() {
                return None;
            }
            if let Some(f) = first {
                return Some((Ok::<Bytes, std::convert::Infallible>(Bytes::from(f)), (None, rx, stop, open)));
            }
            let msg = tokio::select! {
                r = tokio::time::timeout(Duration::from_secs(15), rx.recv()) => match r {
                    Ok(Ok(g)) => format!("event: reload\ndata: {g}\n\n"),
                    Ok(Err(broadcast::error::RecvError::Lagged(_))) => ": lagged\n\n".to_string(),
                    Ok(Err(broadcast::error::RecvError::Closed)) => return None,
                    Err(_) => ": ping\n\n".to_string(),
                },
                _ = stop.changed() => return None,
            };
            Some((Ok(Bytes::from(msg)), (None, rx, stop, open)))
        });
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from_stream(stream))
        .expect("a valid response")
}
