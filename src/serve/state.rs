//! What the preview server shows, as a plain state machine: the last good output and, after a
//! failed rebuild, the diagnostics to overlay on every page. No sockets, no clocks.

use std::sync::Arc;

use crate::diagnostics::Diagnostic;
use crate::output::Output;

/// The result of one (re)build.
pub enum Outcome {
    /// A new output.
    Built(Arc<Output>),
    /// The build failed; these are its diagnostics (errors and warnings), already formatted.
    Failed(Vec<Diagnostic>),
}

/// What is being served.
pub struct Preview {
    /// The last good output (None until a first build succeeds).
    pub output: Option<Arc<Output>>,
    /// While a rebuild that handed over the pages open in a browser goes on: those pages, as it
    /// rendered them. Every other page waits for the rebuild.
    pub early: Option<Arc<Output>>,
    /// Diagnostics of the last build, if it failed.
    pub errors: Option<Arc<Vec<Diagnostic>>>,
    /// Counts rebuilds; pages compare it to know they are stale.
    pub generation: u64,
}

impl Preview {
    /// Nothing built yet.
    pub fn new() -> Self {
        Preview { output: None, early: None, errors: None, generation: 0 }
    }

    /// Takes in the pages open in a browser, rendered by a rebuild that goes on: a new
    /// generation, whose pages should reload. Returns it. The rebuild got as far as rendering,
    /// so the errors of the last one are gone (should it fail after all, `apply` says so).
    pub fn show_early(&mut self, pages: Output) -> u64 {
        self.early = Some(Arc::new(pages));
        self.errors = None;
        self.generation += 1;
        self.generation
    }

    /// Where the file `key` is served from: the output, or while a rebuild that showed pages
    /// early goes on, those pages (`Early`) or nowhere yet (`Waits`: the request waits for it).
    pub fn lookup(&self, key: &str) -> Lookup {
        match &self.early {
            None => Lookup::Output,
            Some(early) if early.files.contains_key(key) => Lookup::Early(early.clone()),
            Some(_) => Lookup::Waits,
        }
    }

    /// Forgets the pages shown early by a rebuild that ended without a build (the environment
    /// failed): pages reload to the last good output. Returns whether there were any.
    pub fn drop_early(&mut self) -> bool {
        let had = self.early.take().is_some();
        if had {
            self.generation += 1;
        }
        had
    }

    /// Takes in a rebuild. A good one replaces the output and clears the errors; a broken one
    /// keeps the last good output and sets the errors. Either way pages should reload, unless
    /// the open pages were shown already (`show_early`) and the rebuild succeeded: then its
    /// generation stays. Returns whether pages should reload, and the output replaced, for the
    /// caller to free when it suits it (not under a lock).
    pub fn apply(&mut self, outcome: Outcome) -> (bool, Option<Arc<Output>>) {
        let shown = self.early.take().is_some();
        let reload = !(shown && matches!(outcome, Outcome::Built(_)));
        if reload {
            self.generation += 1;
        }
        let replaced = match outcome {
            Outcome::Built(o) => {
                self.errors = None;
                self.output.replace(o)
            }
            Outcome::Failed(d) => {
                self.errors = Some(Arc::new(d));
                None
            }
        };
        (reload, replaced)
    }
}

/// Where a request's file comes from (see `Preview::lookup`).
pub enum Lookup {
    /// The output.
    Output,
    /// The pages handed over early.
    Early(Arc<Output>),
    /// Nowhere yet: the rebuild has not rendered it.
    Waits,
}

impl Default for Preview {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::FileData;

    fn output(text: &str) -> Arc<Output> {
        let mut o = Output::default();
        o.insert("index.html".into(), FileData::Bytes(text.as_bytes().to_vec().into()));
        Arc::new(o)
    }

    #[test]
    fn good_broken_good_again() {
        let mut p = Preview::new();
        p.apply(Outcome::Built(output("one")));
        assert_eq!(p.output.as_ref().unwrap().bytes("index.html"), Some(&b"one"[..]));
        assert!(p.errors.is_none());

        p.apply(Outcome::Failed(vec![Diagnostic::error("broken").in_file("content/a.md")]));
        assert_eq!(p.output.as_ref().unwrap().bytes("index.html"), Some(&b"one"[..]), "last good output kept");
        assert_eq!(p.errors.as_ref().unwrap().len(), 1);

        let (reload, replaced) = p.apply(Outcome::Built(output("two")));
        assert!(reload);
        assert_eq!(replaced.unwrap().bytes("index.html"), Some(&b"one"[..]), "the old output is handed back");
        assert_eq!(p.output.as_ref().unwrap().bytes("index.html"), Some(&b"two"[..]));
        assert!(p.errors.is_none(), "a good rebuild clears the overlay");
        assert_eq!(p.generation, 3);
    }

    #[test]
    fn pages_shown_early_are_served_and_the_rest_waits_for_the_rebuild() {
        let page = |text: &str| {
            let mut o = Output::default();
            o.insert("a/index.html".into(), FileData::Bytes(text.as_bytes().to_vec().into()));
            o
        };
        let mut p = Preview::new();
        p.apply(Outcome::Built(output("one")));
        assert!(matches!(p.lookup("a/index.html"), Lookup::Output));
        assert_eq!(p.show_early(page("new a")), 2, "the open pages reload");
        assert!(matches!(p.lookup("a/index.html"), Lookup::Early(e) if e.bytes("a/index.html") == Some(&b"new a"[..])));
        assert!(matches!(p.lookup("index.html"), Lookup::Waits));
        let (reload, _) = p.apply(Outcome::Built(output("two")));
        assert!(!reload, "the open pages show this build already");
        assert_eq!(p.generation, 2);
        assert!(matches!(p.lookup("index.html"), Lookup::Output));

        // A failed rebuild's errors go with the pages a later one shows early.
        p.apply(Outcome::Failed(vec![Diagnostic::error("x")]));
        p.show_early(page("fixed a"));
        assert!(p.errors.is_none());
        let (reload, _) = p.apply(Outcome::Built(output("three")));
        assert!(!reload && p.errors.is_none());

        // A rebuild that fails after showing pages: the last good output stays, and pages reload
        // to show the errors.
        p.show_early(page("newer a"));
        let (reload, replaced) = p.apply(Outcome::Failed(vec![Diagnostic::error("x")]));
        assert!(reload && replaced.is_none());
        assert_eq!(p.generation, 6);
        assert!(p.errors.is_some());
        assert!(matches!(p.lookup("a/index.html"), Lookup::Output));
        assert_eq!(p.output.as_ref().unwrap().bytes("index.html"), Some(&b"three"[..]));
    }

    #[test]
    fn broken_from_the_start_has_no_output_but_errors() {
        let mut p = Preview::new();
        p.apply(Outcome::Failed(vec![Diagnostic::error("x")]));
        assert!(p.output.is_none());
        assert!(p.errors.is_some());
    }
}
