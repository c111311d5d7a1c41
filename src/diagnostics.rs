//! Problems in the user's content, configuration or theme, with where they are.
//!
//! A `Diagnostic` is collected, never thrown: every stage returns all of them so one build
//! reports every broken file at once. This module only formats; it never prints.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is. Warnings become errors when the site is `strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The build goes on and succeeds.
    Warning,
    /// The build fails; nothing is written.
    Error,
}

/// The source line shown under a diagnostic, with the span underlined.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Snippet {
    text: String,
    /// 0-based char column where the underline starts.
    col: usize,
    /// Underline width in chars (at least 1).
    width: usize,
}

/// One problem, GNU style: `path:line:col: severity: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// File relative to the site root, if the problem is in a file.
    pub path: Option<PathBuf>,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// 1-based column in characters, 0 when unknown.
    pub col: usize,
    /// What is wrong, and what was expected.
    pub message: String,
    /// How to fix it, when we can tell.
    pub hint: Option<String>,
    snippet: Option<Snippet>,
}

impl Diagnostic {
    /// An error with no location yet.
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: None,
            line: 0,
            col: 0,
            message: message.into(),
            hint: None,
            snippet: None,
        }
    }

    /// A warning with no location yet.
    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(message) }
    }

    /// Names the file without pointing into it.
    pub fn in_file(mut self, path: impl AsRef<Path>) -> Self {
        self.path = Some(path.as_ref().to_path_buf());
        self
    }

    /// Points at the bytes `span` of `text`, the whole content of `path`.
    pub fn at(mut self, path: impl AsRef<Path>, text: &str, span: std::ops::Range<usize>) -> Self {
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let end = floor_char_boundary(text, span.end.clamp(start, text.len()));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line_text = text[line_start..line_end].trim_end_matches('\r');
        let col = text[line_start..start].chars().count();
        let width = text[start..end.min(line_end)].chars().count().max(1);
        self.path = Some(path.as_ref().to_path_buf());
        self.line = text[..start].matches('\n').count() + 1;
        self.col = col + 1;
        self.snippet = Some(Snippet { text: line_text.replace('\t', " "), col, width });
        self
    }

    /// Points at a 1-based line and column given by another tool, showing that line of `text`.
    pub fn at_line(mut self, path: impl AsRef<Path>, text: &str, line: usize, col: usize) -> Self {
        self.path = Some(path.as_ref().to_path_buf());
        self.line = line;
        self.col = col;
        if let Some(l) = text.lines().nth(line.saturating_sub(1)) {
            self.snippet = Some(Snippet { text: l.replace('\t', " "), col: col.saturating_sub(1), width: 1 });
        }
        self
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The first line alone: `path:line:col: error: message`.
    pub fn headline(&self) -> String {
        let mut s = String::new();
        if let Some(p) = &self.path {
            s.push_str(&p.to_string_lossy().replace('\\', "/"));
            if self.line > 0 {
                s.push_str(&format!(":{}:{}", self.line, self.col.max(1)));
            }
            s.push_str(": ");
        }
        s.push_str(match self.severity {
            Severity::Error => "error: ",
            Severity::Warning => "warning: ",
        });
        s.push_str(&self.message);
        s
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.headline())?;
        if let Some(sn) = &self.snippet {
            let num = self.line.to_string();
            let pad = " ".repeat(num.len());
            write!(f, "\n{pad} |\n{num} | {}\n{pad} | {}{}", sn.text, " ".repeat(sn.col), "^".repeat(sn.width))?;
        }
        if let Some(h) = &self.hint {
            let pad = if self.snippet.is_some() { " ".repeat(self.line.to_string().len()) } else { String::new() };
            write!(f, "\n{pad} = hint: {h}")?;
        }
        Ok(())
    }
}

/// Sorts diagnostics by file, line and column so reports are stable.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| (&a.path, a.line, a.col, &a.message).cmp(&(&b.path, b.line, b.col, &b.message)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_at_line_and_column() {
        let text = "+++\ntitle = \"x\"\ndate = 2025-13-02\n+++\n";
        let start = text.find("2025").unwrap();
        let d = Diagnostic::error("invalid date").at("content/x.md", text, start..start + 10);
        assert_eq!(d.line, 3);
        assert_eq!(d.col, 8);
        assert_eq!(
            d.to_string(),
            "content/x.md:3:8: error: invalid date\n  |\n3 | date = 2025-13-02\n  |        ^^^^^^^^^^"
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "title = \"Zürich\" x";
        let start = text.find('x').unwrap();
        let d = Diagnostic::error("m").at("a.md", text, start..start + 1);
        assert_eq!(d.col, 18);
    }

    #[test]
    fn hint_and_no_location() {
        let d = Diagnostic::warning("w").with_hint("do this");
        assert_eq!(d.to_string(), "warning: w\n = hint: do this");
    }
}
