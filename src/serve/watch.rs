//! Which file-system events matter: a pure function from a changed path to what kind of change
//! it is, so that editor junk, the output folder and unrelated files never trigger a rebuild;
//! and how events are gathered into the batches each rebuild starts from.

use std::path::{Component, Path};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long the watched folders must stay quiet before a batch of changes is handed over: an
/// editor's save (a file written in place, or a temporary file renamed over the article) is
/// over in well under a millisecond, a `git checkout` of many files writes them without pauses.
pub const QUIET: Duration = Duration::from_millis(10);

/// A batch is handed over at the latest this long after its first change, however busy the
/// folders stay.
pub const MAX_WAIT: Duration = Duration::from_millis(500);

/// Waits for the next batch of events: `take` folds each event received into the caller's batch
/// and says whether it mattered. The batch starts with the first event that matters and ends
/// once `quiet` passes without another one (or `max_wait` after it started). Blocks while
/// nothing happens: no timer runs while the folders are quiet. Returns when the batch started,
/// or None when the watcher has gone and nothing was gathered.
pub fn gather<T>(
    rx: &Receiver<T>,
    quiet: Duration,
    max_wait: Duration,
    mut take: impl FnMut(T) -> bool,
) -> Option<Instant> {
    let first = loop {
        let event = rx.recv().ok()?;
        let seen = Instant::now();
        if take(event) {
            break seen;
        }
    };
    let (mut last, end) = (first, first + max_wait);
    loop {
        let deadline = (last + quiet).min(end);
        let Some(wait) = deadline.checked_duration_since(Instant::now()).filter(|w| !w.is_zero()) else {
            return Some(first);
        };
        match rx.recv_timeout(wait) {
            Ok(event) => {
                let seen = Instant::now();
                if take(event) {
                    last = seen;
                }
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return Some(first),
        }
    }
}

/// What a change touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// An article or asset under `content/`.
    Content,
    /// A template (site `templates/` or a theme's `templates/`).
    Template,
    /// A static file (site `static/` or a theme's `static/`).
    Static,
    /// `site.toml`.
    Config,
}

/// Sorts a changed path (absolute or relative to the site root). None: ignore it.
pub fn classify(root: &Path, output_dir: &Path, path: &Path) -> Option<ChangeKind> {
    if path.starts_with(output_dir) {
        return None;
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<&str> = rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str().unwrap_or(""),
            _ => "",
        })
        .collect();
    if parts.is_empty() || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let name = parts[parts.len() - 1];
    // Hidden folders anywhere (.git, .digest), editor swap and backup files.
    if parts.iter().any(|p| crate::source::is_junk(p)) || name.ends_with(".bak") || name.ends_with(".orig") {
        return None;
    }
    match parts.as_slice() {
        ["site.toml"] => Some(ChangeKind::Config),
        ["content", _, ..] => Some(ChangeKind::Content),
        ["templates", _, ..] => Some(ChangeKind::Template),
        ["static", _, ..] => Some(ChangeKind::Static),
        ["themes", _, "templates", _, ..] => Some(ChangeKind::Template),
        ["themes", _, "static", _, ..] => Some(ChangeKind::Static),
        // A whole folder appearing or going (content/, templates/ …) counts too.
        ["content"] => Some(ChangeKind::Content),
        ["templates"] | ["themes", ..] => Some(ChangeKind::Template),
        ["static"] => Some(ChangeKind::Static),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(p: &str) -> Option<ChangeKind> {
        classify(Path::new("/site"), Path::new("/site/public"), Path::new(p))
    }

    #[test]
    fn kinds() {
        assert_eq!(c("/site/content/2025/a.md"), Some(ChangeKind::Content));
        assert_eq!(c("/site/content/2025/photo.jpg"), Some(ChangeKind::Content));
        assert_eq!(c("/site/site.toml"), Some(ChangeKind::Config));
        assert_eq!(c("/site/templates/article.html"), Some(ChangeKind::Template));
        assert_eq!(c("/site/themes/default/templates/base.html"), Some(ChangeKind::Template));
        assert_eq!(c("/site/themes/default/static/style.css"), Some(ChangeKind::Static));
        assert_eq!(c("/site/static/logo.svg"), Some(ChangeKind::Static));
        assert_eq!(c("/site/content"), Some(ChangeKind::Content));
    }

    #[test]
    fn editor_junk_is_ignored() {
        for p in [
            "/site/content/.a.md.swp",
            "/site/content/.a.md.swx",
            "/site/content/a.md~",
            "/site/content/.#a.md",
            "/site/content/4913",
            "/site/content/a.md.tmp",
            "/site/content/.hidden/a.md",
            "/site/.git/index",
        ] {
            assert_eq!(c(p), None, "{p}");
        }
    }

    #[test]
    fn events_close_together_make_one_batch_and_others_wait_for_the_next() {
        let (tx, rx) = std::sync::mpsc::channel();
        // Ignored events neither start a batch nor keep it open.
        for e in [0, 1, 1, 0, 1, 0] {
            tx.send(e).unwrap();
        }
        let mut batch = Vec::new();
        let quiet = Duration::from_millis(20);
        assert!(
            gather(&rx, quiet, Duration::from_secs(5), |e| e == 1 && {
                batch.push(e);
                true
            })
            .is_some()
        );
        assert_eq!(batch, [1, 1, 1]);
        // A later event is the next batch; a watcher gone ends the batches.
        tx.send(1).unwrap();
        drop(tx);
        let mut next = 0;
        assert!(
            gather(&rx, quiet, Duration::from_secs(5), |_| {
                next += 1;
                true
            })
            .is_some()
        );
        assert_eq!(next, 1);
        assert_eq!(gather(&rx, quiet, Duration::from_secs(5), |_: i32| true), None);
    }

    #[test]
    fn a_folder_that_never_goes_quiet_still_gets_its_batch() {
        use std::sync::atomic::{AtomicBool, Ordering};
        let (tx, rx) = std::sync::mpsc::channel();
        let (stop, ran_out) =
            (std::sync::Arc::new(AtomicBool::new(false)), std::sync::Arc::new(AtomicBool::new(false)));
        // An event every millisecond for two seconds at least, unless stopped.
        let writer = {
            let (stop, ran_out) = (stop.clone(), ran_out.clone());
            std::thread::spawn(move || {
                for _ in 0..2000 {
                    if stop.load(Ordering::Relaxed) || tx.send(()).is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
                ran_out.store(true, Ordering::Relaxed);
            })
        };
        // Quiet never comes while the writer runs: the batch ends at `max_wait`, before it is done.
        let mut n = 0;
        let first = gather(&rx, Duration::from_secs(1), Duration::from_millis(50), |_| {
            n += 1;
            true
        });
        let still_writing = !ran_out.load(Ordering::Relaxed);
        stop.store(true, Ordering::Relaxed);
        writer.join().unwrap();
        assert!(first.is_some());
        assert!(still_writing, "the batch waited for the events to stop");
        assert!(n > 1, "events kept coming and were taken");
    }

    #[test]
    fn output_and_other_files_are_ignored() {
        assert_eq!(c("/site/public/index.html"), None);
        assert_eq!(c("/site/README.md"), None);
        assert_eq!(c("/site/target/debug/x"), None);
        assert_eq!(c("/elsewhere/content/a.md"), None);
        assert_eq!(c("/site/site.toml.bak"), None);
    }
}
