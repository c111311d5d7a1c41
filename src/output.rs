//! The rendered site as a value (output path → bytes), and the write stage that puts it on disk
//! so that a failed or interrupted build never leaves a half-written folder.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rustc_hash::FxHashSet;

use crate::error::Error;

/// Contents of one output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileData {
    /// Rendered bytes, shared: copying an `Output` copies no file contents.
    Bytes(bytes::Bytes),
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

    /// Writes the output to `dir`: first into a sibling folder, then swapped in (see `Staging`).
    pub fn write(&self, dir: &Path) -> Result<WriteStats, Error> {
        use rayon::prelude::*;
        let staging = Staging::new(dir)?;
        self.files.par_iter().try_for_each(|(path, data)| staging.put(path.clone(), data.clone()))?;
        staging.finish()
    }
}

/// Where rendered files go: memory (an `Output` behind a lock) or a `Staging` folder on disk.
pub trait Sink: Sync {
    /// Adds a file. Called from many threads at once.
    fn put(&self, path: String, data: FileData) -> Result<(), Error>;

    /// Adds a file from bytes the caller keeps (a buffer it reuses): copied, unless the sink
    /// writes them out at once.
    fn put_bytes(&self, path: String, bytes: &[u8]) -> Result<(), Error> {
        self.put(path, FileData::Bytes(bytes::Bytes::copy_from_slice(bytes)))
    }
}

impl Sink for Mutex<Output> {
    fn put(&self, path: String, data: FileData) -> Result<(), Error> {
        self.lock().expect("output lock is never poisoned").insert(path, data);
        Ok(())
    }
}

/// A new output folder being written beside the old one. `finish` swaps it in; dropping it
/// unfinished (a failed build) removes it, so the old output stays exactly as it was. A file
/// whose bytes did not change is hard-linked from the old output instead of written, so it
/// keeps its modification time and a sync to a host moves only what changed.
pub struct Staging {
    target: PathBuf,
    staged: PathBuf,
    previous: Option<PathBuf>,
    /// Distinct files put (a static file may replace a generated one: counted once). Fx
    /// hashes: every worker waits for this lock, and SipHash over a 10k build's 20,000 paths
    /// (again each time the set grew) was about 1 % of its samples.
    paths: Mutex<FxHashSet<String>>,
    /// Folders made, relative to the staging folder (a path's hash walks its components: a
    /// string's does not).
    dirs: Mutex<FxHashSet<String>>,
    unchanged: AtomicUsize,
    done: bool,
}

impl Staging {
    /// Starts a staging folder next to `dir`.
    pub fn new(dir: &Path) -> Result<Staging, Error> {
        let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(Error::io("creating", parent))?;
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
        let staged = tempfile::Builder::new()
            .prefix(&format!(".{name}.new-"))
            .tempdir_in(parent)
            .map_err(Error::io("creating", parent))?
            .keep();
        Ok(Staging {
            target: dir.to_path_buf(),
            previous: dir.is_dir().then(|| dir.to_path_buf()),
            staged,
            paths: Mutex::default(),
            dirs: Mutex::default(),
            unchanged: AtomicUsize::new(0),
            done: false,
        })
    }

    /// Swaps the new folder in and removes the old one.
    pub fn finish(mut self) -> Result<WriteStats, Error> {
        let dir = self.target.clone();
        let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if dir.exists() {
            let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let old = parent.join(format!(".{name}.old-{}", std::process::id()));
            std::fs::rename(&dir, &old).map_err(Error::io("renaming", &dir))?;
            std::fs::rename(&self.staged, &dir).map_err(Error::io("renaming", &self.staged))?;
            remove_tree(&old).map_err(Error::io("removing", &old))?;
        } else {
            std::fs::rename(&self.staged, &dir).map_err(Error::io("renaming", &self.staged))?;
        }
        self.done = true;
        let total = self.paths.lock().expect("never poisoned").len();
        let unchanged = self.unchanged.load(Ordering::Relaxed);
        Ok(WriteStats { written: total - unchanged, unchanged })
    }

    /// Makes the folder of `rel` (`/`-separated, relative) unless it was made already.
    fn make_parent(&self, rel: &str) -> Result<(), Error> {
        let Some((folder, _)) = rel.rsplit_once('/') else { return Ok(()) };
        if !self.dirs.lock().expect("never poisoned").contains(folder) {
            let at = self.staged.join(folder);
            std::fs::create_dir_all(&at).map_err(Error::io("creating", &at))?;
            self.dirs.lock().expect("never poisoned").insert(folder.to_string());
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = remove_tree(&self.staged);
        }
    }
}

impl Staging {
    fn stage(&self, rel: String, data: Staged<'_>) -> Result<(), Error> {
        self.make_parent(&rel)?;
        let to = self.staged.join(&rel);
        let old = self.previous.as_ref().map(|p| p.join(&rel));
        self.paths.lock().expect("never poisoned").insert(rel);
        if let Some(old) = old
            && same_as(&data, &old)
            && std::fs::hard_link(&old, &to).is_ok()
        {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        match data {
            Staged::Bytes(b) => {
                let mut f = std::fs::File::create(&to).map_err(Error::io("writing", &to))?;
                f.write_all(b).map_err(Error::io("writing", &to))
            }
            Staged::Copy(from) => std::fs::copy(from, &to).map(|_| ()).map_err(Error::io("copying", from)),
        }
    }
}

impl Sink for Staging {
    fn put(&self, rel: String, data: FileData) -> Result<(), Error> {
        match &data {
            FileData::Bytes(b) => self.stage(rel, Staged::Bytes(b)),
            FileData::Copy(from) => self.stage(rel, Staged::Copy(from)),
        }
    }

    fn put_bytes(&self, rel: String, bytes: &[u8]) -> Result<(), Error> {
        self.stage(rel, Staged::Bytes(bytes))
    }
}

/// Removes the folder `dir` and everything in it, its top-level entries side by side: the old
/// output of a 10,000-article site is 37,000 files and folders, whose removal one by one took
/// a quarter of a second, a fifth of a build into an existing output. Symlinks are removed,
/// never followed.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    use rayon::prelude::*;
    if !std::fs::symlink_metadata(dir)?.is_dir() {
        // An output folder that was a symlink: the link goes, what it points to stays.
        return std::fs::remove_file(dir);
    }
    let entries = std::fs::read_dir(dir)?.collect::<Result<Vec<_>, _>>()?;
    entries.par_iter().try_for_each(|e| match e.file_type()?.is_dir() {
        true => std::fs::remove_dir_all(e.path()),
        false => std::fs::remove_file(e.path()),
    })?;
    std::fs::remove_dir(dir)
}

/// A file's contents as `Staging` writes them.
enum Staged<'a> {
    Bytes(&'a [u8]),
    Copy(&'a Path),
}

/// True when the file at `old` has exactly these bytes (sizes are compared first).
fn same_as(data: &Staged<'_>, old: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(old) else { return false };
    if !meta.is_file() {
        return false;
    }
    match *data {
        Staged::Bytes(b) => meta.len() == b.len() as u64 && std::fs::read(old).is_ok_and(|o| o == b),
        Staged::Copy(from) => {
            std::fs::metadata(from).is_ok_and(|m| m.len() == meta.len())
                && matches!((std::fs::read(from), std::fs::read(old)), (Ok(a), Ok(b)) if a == b)
        }
    }
}

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    /// Files written because they are new or changed.
    pub written: usize,
    /// Files kept as they were (hard-linked from the previous output).
    pub unchanged: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_replaces_old_output_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("public");
        std::fs::create_dir_all(dir.join("gone/deeper")).unwrap();
        std::fs::write(dir.join("stale.html"), "old").unwrap();
        std::fs::write(dir.join("gone/deeper/index.html"), "old").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(tmp.path(), dir.join("gone/link")).unwrap();
        let mut out = Output::default();
        out.insert("a/index.html".into(), FileData::Bytes(b"new".to_vec().into()));
        out.write(&dir).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("a/index.html")).unwrap(), "new");
        assert!(!dir.join("stale.html").exists() && !dir.join("gone").exists());
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no staging folders left behind");
    }

    #[cfg(unix)]
    #[test]
    fn an_output_folder_that_is_a_symlink_is_replaced_and_what_it_pointed_to_is_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::write(elsewhere.join("keep.html"), "keep").unwrap();
        let dir = tmp.path().join("public");
        std::os::unix::fs::symlink(&elsewhere, &dir).unwrap();
        let mut out = Output::default();
        out.insert("a/index.html".into(), FileData::Bytes(b"new".to_vec().into()));
        out.write(&dir).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("a/index.html")).unwrap(), "new");
        assert!(!std::fs::symlink_metadata(&dir).unwrap().is_symlink());
        assert_eq!(std::fs::read_to_string(elsewhere.join("keep.html")).unwrap(), "keep");
    }

    #[test]
    fn unchanged_files_keep_their_modification_time() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("public");
        let mut out = Output::default();
        out.insert("same.html".into(), FileData::Bytes(b"same".to_vec().into()));
        out.insert("changes.html".into(), FileData::Bytes(b"one".to_vec().into()));
        assert_eq!(out.write(&dir).unwrap(), WriteStats { written: 2, unchanged: 0 });
        let old_time = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        for f in ["same.html", "changes.html"] {
            std::fs::File::options().write(true).open(dir.join(f)).unwrap().set_modified(old_time).unwrap();
        }
        out.insert("changes.html".into(), FileData::Bytes(b"two".to_vec().into()));
        assert_eq!(out.write(&dir).unwrap(), WriteStats { written: 1, unchanged: 1 });
        let mtime = |f: &str| std::fs::metadata(dir.join(f)).unwrap().modified().unwrap();
        assert_eq!(mtime("same.html"), old_time);
        assert_ne!(mtime("changes.html"), old_time);
        assert_eq!(std::fs::read_to_string(dir.join("changes.html")).unwrap(), "two");
    }
}
