//! The load stage: reads `site.toml`, the articles under `content/` and lists the other files
//! to copy. The only stage besides theme loading and writing that touches the disk.

use std::path::{Path, PathBuf};

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
    pub articles: Vec<Source>,
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
    let read: Vec<Result<Result<Source, Diagnostic>, Error>> = md
        .into_par_iter()
        .map(|(abs, rel)| {
            let bytes = std::fs::read(&abs).map_err(Error::io("reading", &abs))?;
            let path = Path::new("content").join(&rel);
            Ok(match String::from_utf8(bytes) {
                Ok(text) => Ok(Source { path, rel, text }),
                Err(e) => Err(Diagnostic::error(format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()))
                    .in_file(path)
                    .with_hint("save the file as UTF-8")),
            })
        })
        .collect();
    let mut content = Content::default();
    for r in read {
        match r? {
            Ok(source) => content.articles.push(source),
            Err(d) => content.diagnostics.push(d),
        }
    }
    content.assets = assets.into_iter().map(|(from, to)| Asset { from, to }).collect();
    Ok(content)
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
    fn junk_names() {
        for n in [".x.md.swp", "x.md~", ".#x.md", "4913", "x.tmp", ".hidden"] {
            assert!(is_junk(n), "{n}");
        }
        for n in ["x.md", "photo.jpg", "2025"] {
            assert!(!is_junk(n), "{n}");
        }
    }
}
