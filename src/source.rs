//! The load stage: reads `site.toml`, the articles under `content/` and lists the other files
//! to copy. The only stage besides theme loading and writing that touches the disk.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::Diagnostic;
use crate::error::Error;

/// An article file as read from disk.
#[derive(Debug, Clone)]
pub struct Source {
    /// Relative to the site root: `content/2025/03/05/x.md`.
    pub path: PathBuf,
    /// Relative to `content/`, `/`-separated: `2025/03/05/x.md`.
    pub rel: String,
    /// The whole file.
    pub text: String,
    /// A hash of `text`, made on first use (see `Source::digest`).
    digest: std::sync::OnceLock<u64>,
}

impl Source {
    pub fn new(path: PathBuf, rel: String, text: String) -> Self {
        Source { path, rel, text, digest: std::sync::OnceLock::new() }
    }

    /// A hash (xxh3) of the text: memo keys take it rather than hashing the file again on
    /// every rebuild, since a file read once stays the same `Source` until it changes.
    pub fn digest(&self) -> u64 {
        *self.digest.get_or_init(|| twox_hash::XxHash3_64::oneshot(self.text.as_bytes()))
    }
}

/// A file copied to the output as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// Where it is read from (absolute or relative to the working directory).
    pub from: PathBuf,
    /// Path in the output, `/`-separated.
    pub to: String,
}

/// Everything read from `content/`.
#[derive(Debug, Default)]
pub struct Content {
    /// The `*.md` files.
    pub articles: Vec<Arc<Source>>,
    /// Every other file.
    pub assets: Vec<Asset>,
    /// Files that could not be read as text.
    pub diagnostics: Vec<Diagnostic>,
}

/// Names editors and systems leave behind, never content.
pub fn is_junk(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.starts_with("#")
        || name == "4913"
}

/// Walks `dir` (skipping hidden and editor files), sorted by name, yielding `(absolute, relative)`
/// for every file, depth first. Folders are read in parallel: at 100,000 articles a walk one
/// folder at a time kept a core idle for a quarter of a second.
pub fn walk(dir: &Path) -> Result<Vec<(PathBuf, String)>, Error> {
    // Symlinks are skipped, not followed, the root's included: nothing outside the site ends up
    // in the output.
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => walk_in(dir, ""),
        _ => Ok(Vec::new()),
    }
}

fn walk_in(dir: &Path, rel: &str) -> Result<Vec<(PathBuf, String)>, Error> {
    use rayon::prelude::*;
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(Error::io("reading", dir))? {
        let entry = entry.map_err(Error::io("reading", dir))?;
        let kind = entry.file_type().map_err(Error::io("reading", &entry.path()))?;
        let name = entry.file_name();
        if (kind.is_dir() || kind.is_file()) && !is_junk(&name.to_string_lossy()) {
            entries.push((name, kind.is_dir()));
        }
    }
    entries.sort_unstable();
    let parts = entries
        .into_par_iter()
        .map(|(name, is_dir)| {
            let abs = dir.join(&name);
            let name = name.to_string_lossy();
            let rel = if rel.is_empty() { name.into_owned() } else { format!("{rel}/{name}") };
            if is_dir { walk_in(&abs, &rel) } else { Ok(vec![(abs, rel)]) }
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(parts.concat())
}

/// Reads `root/content/`.
pub fn load_content(root: &Path) -> Result<Content, Error> {
    use rayon::prelude::*;
    let dir = root.join("content");
    let (md, assets): (Vec<_>, Vec<_>) = walk(&dir)?.into_iter().partition(|(_, rel)| rel.ends_with(".md"));
    // Reading in parallel keeps both cores busy on cold caches; order is kept.
    let read: Vec<Result<Result<Source, Diagnostic>, Error>> =
        md.into_par_iter().map(|(abs, rel)| read_article(&abs, Path::new("content").join(&rel), rel)).collect();
    let mut content = Content::default();
    for r in read {
        match r? {
            Ok(source) => content.articles.push(Arc::new(source)),
            Err(d) => content.diagnostics.push(d),
        }
    }
    content.assets = assets.into_iter().map(|(from, to)| Asset { from, to }).collect();
    Ok(content)
}

/// The articles of `previous` (a `load_content` of the same site) with the files named in
/// `changed` (paths relative to the root) read again, added or dropped, in the order
/// `load_content` gives, and those read and the diagnostics of those that could not be; or
/// None when a change is anything
/// but an article file under `content/` (a folder, an asset, a symlink): then the whole folder
/// must be read.
pub fn reload(root: &Path, previous: &[Arc<Source>], changed: &[PathBuf]) -> Result<Option<Reloaded>, Error> {
    let mut articles = previous.to_vec();
    let (mut read, mut diagnostics) = (Vec::new(), Vec::new());
    for path in changed {
        let Ok(rel) = path.strip_prefix("content") else { return Ok(None) };
        let names: Vec<&str> = rel.components().filter_map(|c| c.as_os_str().to_str()).collect();
        if names.len() != rel.components().count()
            || names.iter().any(|n| is_junk(n))
            || !names.last().is_some_and(|n| n.ends_with(".md"))
        {
            return Ok(None);
        }
        let rel = names.join("/");
        let at = articles.binary_search_by(|a| Path::new(&a.rel).cmp(Path::new(&rel)));
        let abs = root.join(path);
        match std::fs::symlink_metadata(&abs) {
            Ok(m) if m.is_file() => match read_article(&abs, path.clone(), rel)? {
                Ok(source) => {
                    let source = Arc::new(source);
                    read.push(source.clone());
                    match at {
                        Ok(i) => articles[i] = source,
                        Err(i) => articles.insert(i, source),
                    }
                }
                Err(d) => {
                    diagnostics.push(d);
                    if let Ok(i) = at {
                        articles.remove(i);
                    }
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Ok(i) = at {
                    articles.remove(i);
                }
            }
            Err(e) => return Err(Error::io("reading", &abs)(e)),
            Ok(_) => return Ok(None),
        }
    }
    Ok(Some(Reloaded { articles, read, diagnostics }))
}

/// The article files after `reload`.
#[derive(Debug)]
pub struct Reloaded {
    /// Every article file, as `Content::articles` has them.
    pub articles: Vec<Arc<Source>>,
    /// The files read again, in the order named (not those gone or unreadable as text).
    pub read: Vec<Arc<Source>>,
    /// Files read again that could not be read as text.
    pub diagnostics: Vec<Diagnostic>,
}

impl Reloaded {
    /// Whether each of the `changed` files named was read again: an article still there, and
    /// text (what the fast paths of a rebuild take; the others report the rest).
    pub fn read_all(&self, changed: &[PathBuf]) -> bool {
        self.read.len() == changed.len() && self.diagnostics.is_empty()
    }
}

/// Reads the article at `abs` (`path` relative to the root, `rel` to `content/`): the file, or
/// the diagnostic of one that is not UTF-8.
fn read_article(abs: &Path, path: PathBuf, rel: String) -> Result<Result<Source, Diagnostic>, Error> {
    let bytes = std::fs::read(abs).map_err(Error::io("reading", abs))?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => Ok(Source::new(path, rel, text)),
        Err(e) => Err(Diagnostic::error(format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()))
            .in_file(&path)
            .with_hint("save the file as UTF-8")),
    })
}

/// Reads a text file that must exist.
pub fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(Error::io("reading", path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_is_depth_first_by_name_and_skips_junk_and_symlinks() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for f in ["b.md", "a/z.md", "a/b/c.md", "a0.md", ".git/x.md", "a/x.md~"] {
            std::fs::create_dir_all(root.join(f).parent().unwrap()).unwrap();
            std::fs::write(root.join(f), "").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("b.md"), root.join("link.md")).unwrap();
        let rels: Vec<String> = walk(root).unwrap().into_iter().map(|(_, rel)| rel).collect();
        assert_eq!(rels, ["a/b/c.md", "a/z.md", "a0.md", "b.md"]);
        assert!(walk(&root.join("missing")).unwrap().is_empty());
    }

    #[test]
    fn a_reload_reads_only_the_changed_articles_and_equals_a_load() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let write = |rel: &str, text: &[u8]| {
            let p = root.join("content").join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        for f in ["a/x.md", "a-b/y.md", "a/z/w.md", "b.md"] {
            write(f, f.as_bytes());
        }
        write("photo.jpg", b"");
        let before = load_content(root).unwrap().articles;
        let texts =
            |c: &[Arc<Source>]| c.iter().map(|a| (a.path.clone(), a.rel.clone(), a.text.clone())).collect::<Vec<_>>();
        let load = || load_content(root).unwrap().articles;
        // Edited, added (between others), removed; and a file that was not there and is not.
        write("a/x.md", b"new");
        write("a/y.md", b"added");
        std::fs::remove_file(root.join("content/b.md")).unwrap();
        let changed: Vec<PathBuf> =
            ["a/x.md", "a/y.md", "b.md", "gone.md"].iter().map(|f| Path::new("content").join(f)).collect();
        let again = reload(root, &before, &changed).unwrap().expect("only articles changed");
        assert_eq!(texts(&again.articles), texts(&load()));
        assert!(again.diagnostics.is_empty());
        let read: Vec<&str> = again.read.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(read, ["new", "added"]);
        // An article that is no longer UTF-8 is reported and left out, as a load does.
        write("a/x.md", b"\xff");
        let broken = reload(root, &again.articles, &changed[..1]).unwrap().unwrap();
        assert_eq!(broken.diagnostics.len(), 1);
        assert_eq!(texts(&broken.articles), texts(&load()));
        // Anything else needs a whole load.
        for other in ["content/photo.jpg", "content/a", "content", "site.toml"] {
            assert!(reload(root, &before, &[PathBuf::from(other)]).unwrap().is_none(), "{other}");
        }
    }

    #[test]
    fn junk_names() {
        for n in [".x.md.swp", "x.md~", ".#x.md", "4913", "x.tmp", ".hidden"] {
            assert!(is_junk(n), "{n}");
        }
        for n in ["x.md", "photo.jpg", "2025"] {
            assert!(!is_junk(n), "{n}");
        }
    }
}
