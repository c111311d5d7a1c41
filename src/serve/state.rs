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
    /// Diagnostics of the last build, if it failed.
    pub errors: Option<Arc<Vec<Diagnostic>>>,
    /// Counts rebuilds; pages compare it to know they are stale.
    pub generation: u64,
}

impl Preview {
    /// Nothing built yet.
    pub fn new() -> Self {
        Preview { output: None, errors: None, generation: 0 }
    }

    /// Takes in a rebuild. A good one replaces the output and clears the errors; a broken one
    /// keeps the last good output and sets the errors. Either way pages should reload. Returns
    /// the output replaced, for the caller to free when it suits it (not under a lock).
    pub fn apply(&mut self, outcome: Outcome) -> Option<Arc<Output>> {
        self.generation += 1;
        match outcome {
            Outcome::Built(o) => {
                self.errors = None;
                self.output.replace(o)
            }
            Outcome::Failed(d) => {
                self.errors = Some(Arc::new(d));
                None
            }
        }
    }
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

        let replaced = p.apply(Outcome::Built(output("two")));
        assert_eq!(replaced.unwrap().bytes("index.html"), Some(&b"one"[..]), "the old output is handed back");
        assert_eq!(p.output.as_ref().unwrap().bytes("index.html"), Some(&b"two"[..]));
        assert!(p.errors.is_none(), "a good rebuild clears the overlay");
        assert_eq!(p.generation, 3);
    }

    #[test]
    fn broken_from_the_start_has_no_output_but_errors() {
        let mut p = Preview::new();
        p.apply(Outcome::Failed(vec![Diagnostic::error("x")]));
        assert!(p.output.is_none());
        assert!(p.errors.is_some());
    }
}
