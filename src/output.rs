//! The rendered site as a value (output path → bytes), and the write stage that puts it on disk
//! so that a failed or interrupted build never leaves a half-written folder.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Contents of one output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileData {
    /// Rendered bytes.
    Bytes(Vec<u8>),
    /// A file copied as it is (an asset or a static file).
    Copy(PathBuf),
}

/// The whole output, keyed by `/`-separated path relative to the output folder.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Output {
    /// Sorted, so iteration (and so everything written) is deterministic.
    pub files: BTreeMap<String, FileData>,
}

impl Output {
    /// Adds or replaces a file.
    pub fn insert(&mut self, path: String, data: FileData) {
        self.files.insert(path, data);
    }

    /// The bytes of a rendered file, if it is one.
    pub fn bytes(&self, path: &str) -> Option<&[u8]> {
        match self.files.get(path) {
            Some(FileData::Bytes(b)) => Some(b),
            _ => None,
        }
    }

    /// Writes the output to `dir`: first into a sibling folder, then swapped in, so the old
    /// output stays whole until the new one is complete.
    pub fn write(&self, dir: &Path) -> Result<(), Error> {
        let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(Error::io("creating", parent))?;
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{name}.new-"))
            .tempdir_in(parent)
            .map_err(Error::io("creating", parent))?;
        self.write_into(staging.path())?;
        let staged = staging.keep();
        if dir.exists() {
            let old = parent.join(format!(".{name}.old-{}", std::process::id()));
            std::fs::rename(dir, &old).map_err(Error::io("renaming", dir))?;
            std::fs::rename(&staged, dir).map_err(Error::io("renaming", &staged))?;
            std::fs::remove_dir_all(&old).map_err(Error::io("removing", &old))?;
        } else {
            std::fs::rename(&staged, dir).map_err(Error::io("renaming", &staged))?;
        }
        Ok(())
    }

    fn write_into(&self, root: &Path) -> Result<(), Error> {
        use rayon::prelude::*;
        let mut dirs: Vec<PathBuf> =
            self.files.keys().filter_map(|k| Path::new(k).parent().map(|p| root.join(p))).collect();
        dirs.dedup();
        for d in &dirs {
            std::fs::create_dir_all(d).map_err(Error::io("creating", d))?;
        }
        self.files.par_iter().try_for_each(|(rel, data)| {
            let to = root.join(rel);
            match data {
                FileData::Bytes(b) => {
                    let mut f = std::fs::File::create(&to).map_err(Error::io("writing", &to))?;
                    f.write_all(b).map_err(Error::io("writing", &to))
                }
                FileData::Copy(from) => std::fs::copy(from, &to).map(|_| ()).map_err(Error::io("copying", from)),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_replaces_old_output_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("public");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("stale.html"), "old").unwrap();
        let mut out = Output::default();
        out.insert("a/index.html".into(), FileData::Bytes(b"new".to_vec()));
        out.write(&dir).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("a/index.html")).unwrap(), "new");
        assert!(!dir.join("stale.html").exists());
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no staging folders left behind");
    }
}
