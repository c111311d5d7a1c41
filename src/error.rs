//! Failures of the environment (a folder that cannot be read, a file that cannot be written),
//! as opposed to problems in the user's content, which are `Diagnostic`s.

use std::path::PathBuf;

/// An environment failure. Always names the path involved.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing `path` failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What we were doing: "reading", "writing", "creating", "removing", "renaming".
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The site root is not a site.
    #[error("{0}")]
    NotASite(String),
}

impl Error {
    /// Wraps an I/O error with what was being done to which path.
    pub fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { action, path, source }
    }
}
