//! The load stage: reads `site.toml`, the articles under `content/` and lists the other files
//! to copy. The only stage besides theme loading and writing that touches the disk.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

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

/// Walks `dir` (skipping hidden and editor files), sorted by name, yielding `(absolute, relative)`.
pub fn walk(dir: &Path) -> Result<Vec<(PathBuf, String)>, Error> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    let walker = WalkDir::new(dir)
        .sort_by_file_name()
        // Symlinks are skipped, not followed: nothing outside the site ends up in the output.
        .follow_links(false)
        .follow_root_links(false)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_junk(&e.file_name().to_string_lossy()));
    for entry in walker {
        let entry = entry.map_err(|e| {
            let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| dir.to_path_buf());
            Error::Io { action: "reading", path, source: e.into() }
        })?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).expect("walkdir stays under its root");
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            out.push((entry.path().to_path_buf(), rel));
        }
    }
    Ok(out)
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
    fn junk_names() {
        for n in [".x.md.swp", "x.md~", ".#x.md", "4913", "x.tmp", ".hidden"] {
            assert!(is_junk(n), "{n}");
        }
        for n in ["x.md", "photo.jpg", "2025"] {
            assert!(!is_junk(n), "{n}");
        }
    }
}
