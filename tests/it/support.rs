//! A fluent helper: `Site::fixture("build/basic").build()` then look at pages.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::rc::Rc;

use scraper::{Html, Selector};

/// A fixture copied into a temp dir, so builds never touch the repository.
pub struct Site {
    tmp: Rc<tempfile::TempDir>,
    pub root: PathBuf,
}

/// The result of one run of the binary.
pub struct Run {
    /// Keeps the site's folder alive as long as the run is looked at.
    _tmp: Rc<tempfile::TempDir>,
    pub code: i32,
    pub stderr: String,
    pub out: PathBuf,
}

impl Site {
    pub fn fixture(name: &str) -> Site {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
        assert!(src.is_dir(), "no fixture {name}");
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        copy_dir(&src, &root);
        Site { tmp: Rc::new(tmp), root }
    }

    pub fn run(&self, args: &[&str]) -> Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_digest")).args(args).current_dir(&self.root).output().unwrap()
    }

    pub fn build_with(&self, extra: &[&str]) -> Run {
        let mut args = vec!["build", "--root", "."];
        args.extend_from_slice(extra);
        let o = self.run(&args);
        Run {
            _tmp: self.tmp.clone(),
            code: o.status.code().unwrap_or(-1),
            stderr: String::from_utf8(o.stderr).unwrap(),
            out: self.root.join("public"),
        }
    }

    /// Builds and insists it worked.
    pub fn build(&self) -> Run {
        let r = self.build_with(&[]);
        assert_eq!(r.code, 0, "build failed:\n{}", r.stderr);
        r
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

impl Run {
    pub fn file(&self, rel: &str) -> String {
        std::fs::read_to_string(self.out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.out.join(rel).exists()
    }

    pub fn page(&self, rel: &str) -> Page {
        Page(Html::parse_document(&self.file(rel)))
    }

    /// Every output file, `/`-separated, sorted.
    pub fn listing(&self) -> Vec<String> {
        let mut v = Vec::new();
        walk(&self.out, &self.out, &mut v);
        v.sort();
        v
    }

    /// stderr without the final timing line.
    pub fn diagnostics(&self) -> String {
        self.stderr.lines().filter(|l| !l.starts_with("built ")).collect::<Vec<_>>().join("\n")
    }
}

/// A parsed HTML page.
pub struct Page(pub Html);

impl Page {
    fn sel(css: &str) -> Selector {
        Selector::parse(css).unwrap()
    }

    /// Text of every match, whitespace collapsed.
    pub fn texts(&self, css: &str) -> Vec<String> {
        self.0
            .select(&Self::sel(css))
            .map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }

    pub fn text(&self, css: &str) -> String {
        let t = self.texts(css);
        assert!(!t.is_empty(), "nothing matches {css}");
        t[0].clone()
    }

    /// An attribute of every match.
    pub fn attrs(&self, css: &str, attr: &str) -> Vec<String> {
        self.0.select(&Self::sel(css)).filter_map(|e| e.value().attr(attr).map(String::from)).collect()
    }

    pub fn count(&self, css: &str) -> usize {
        self.0.select(&Self::sel(css)).count()
    }

    /// The `<main>` element's HTML, for snapshots.
    pub fn main(&self) -> String {
        let m = self.0.select(&Self::sel("main")).next().expect("a <main>");
        m.html().lines().map(str::trim_end).filter(|l| !l.trim().is_empty()).collect::<Vec<_>>().join("\n")
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(root, &p, out);
        } else {
            out.push(p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"));
        }
    }
}

/// Reads every file under a folder into memory, for byte-for-byte comparisons.
pub fn snapshot_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    files.sort();
    files.into_iter().map(|f| (f.clone(), std::fs::read(dir.join(&f)).unwrap())).collect()
}
