//! Which file-system events matter: a pure function from a changed path to what kind of change
//! it is, so that editor junk, the output folder and unrelated files never trigger a rebuild.

use std::path::{Component, Path};

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
    fn output_and_other_files_are_ignored() {
        assert_eq!(c("/site/public/index.html"), None);
        assert_eq!(c("/site/README.md"), None);
        assert_eq!(c("/site/target/debug/x"), None);
        assert_eq!(c("/elsewhere/content/a.md"), None);
        assert_eq!(c("/site/site.toml.bak"), None);
    }
}
