//! `digest`: a static site generator for curated news digests.
//!
//! A build is a row of plain functions over one model:
//!
//! ```text
//! source::load_content ─┐
//! config::Config::parse ├─> model::assemble ─> render::render ─> Sink
//! render::theme::load ──┘      (Site)          (collisions     (Output or Staging)
//!                                               checked, pages)
//! ```
//!
//! Module map: `config` (site.toml), `frontmatter` (article headers), `date` (zones), `markdown`
//! (bodies), `url` (original urls as keys), `model` (the Site and `assemble`), `related`
//! (computed related articles), `routes` (urls and files), `render` (templates and views),
//! `output` (the rendered files and writing them), `diagnostics`, `error`, `source` (reading),
//! `serve` (the preview server), `import`/`clipping`/`draft` (new articles), `scaffold` (`init`),
//! `linkcheck` (`check --external`).
//!
//! Entry points: `build` (in memory), `build_to_disk` (streamed into a staging folder) and
//! `build_after` (a rebuild that reuses the previous build when only article text changed).
//! The library never prints: it returns values and diagnostics.

pub mod clipping;
pub mod config;
pub mod date;
pub mod diagnostics;
pub mod draft;
pub mod error;
pub mod frontmatter;
pub mod import;
pub mod linkcheck;
pub mod markdown;
pub mod model;
pub mod output;
pub mod related;
pub mod render;
pub mod routes;
pub mod scaffold;
pub mod serve;
pub mod source;
pub mod url;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use config::Config;
pub use diagnostics::{Diagnostic, Severity};
pub use error::Error;
pub use model::Site;
pub use output::Output;

/// What to build and how.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site folder (holds `site.toml`).
    pub root: PathBuf,
    /// Output folder; `output_dir` of site.toml (relative to the root) when None.
    pub output: Option<PathBuf>,
    /// Include articles with `draft = true`.
    pub drafts: bool,
    /// Replaces `base_url` (used by `serve`, which serves the site on its own address).
    pub base_url: Option<String>,
    /// `build_after` calls will follow (`serve`): the `Build` keeps the article files as read,
    /// so that a rebuild reads again only those that changed (80 MB at 10,000 articles), and
    /// every page is fingerprinted, so that a rebuild renders only the pages that changed. A
    /// one-off build (`check`, tests) skips both.
    pub rebuilds: bool,
}

/// A successful build, not yet written.
#[derive(Debug)]
pub struct Build {
    /// The model.
    pub site: Site,
    /// Every file of the output (shared with what `serve` shows).
    pub output: Arc<Output>,
    /// Warnings (a successful build has no errors).
    pub warnings: Vec<Diagnostic>,
    /// Where the output belongs.
    pub output_dir: PathBuf,
    /// How long each stage took, in order.
    pub timings: Vec<(&'static str, std::time::Duration)>,
    /// Files copied from `content/` as they are.
    pub assets: Vec<source::Asset>,
    /// Set by `build_after` when only some articles' text changed: how many files were
    /// rendered again (the rest of the output was kept).
    pub rerendered: Option<usize>,
    /// Parsed front matter and rendered bodies the next `build_after` can reuse.
    pub memo: model::Memo,
    /// The fingerprint of every rendered page and the cards made: the next `build_after` keeps
    /// those that match.
    pub render_memo: render::Memo,
    /// The theme it was rendered with.
    pub theme: std::sync::Arc<render::theme::Theme>,
    /// The article files as read, with `BuildOptions::rebuilds`.
    pub sources: Option<Vec<Arc<source::Source>>>,
}

/// Why a build failed.
#[derive(Debug)]
pub enum Failure {
    /// The content, configuration or theme has errors (warnings may be among them).
    Diagnostics(Vec<Diagnostic>),
    /// The environment failed: an unreadable folder, a failed write.
    Env(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Env(e)
    }
}

/// Reads and checks `site.toml` of the site at `root` (for commands that do not build).
pub fn load_config(root: &Path) -> Result<Config, Failure> {
    let path = root.join("site.toml");
    if !path.is_file() {
        return Err(Failure::Env(Error::NotASite(format!(
            "{} is not a digest site: it has no site.toml (run `digest init` to make one)",
            root.display()
        ))));
    }
    Config::parse("site.toml", &source::read(&path)?).map_err(Failure::Diagnostics)
}

/// Builds the site in memory: every stage but writing. `serve`, `check` and tests use it.
pub fn build(opts: &BuildOptions) -> Result<Build, Failure> {
    build_after(opts, None, None)
}

/// Like `build`, given the previous build of the same site and, when every change was under
/// `content/`, the changed files (relative to the root). When nothing but some articles'
/// wording (rendered bodies, summaries, titles) differs, only the files that show it are
/// rendered again (`render::render_texts`) and the rest of the previous output is kept; when
/// moreover only article files changed and their front matter differs at most in title and
/// summary, even loading and assembling are skipped (`model::reassemble_texts`); when it
/// differs only in topics, people and places, the last site is copied with the new
/// memberships (`model::reassemble_tags`) and rendered as below. Otherwise
/// everything is loaded and assembled, and when the templates are the same, only the pages
/// whose variables changed are rendered (`render::Fingerprints`). The result is the same
/// either way (tested).
pub fn build_after(
    opts: &BuildOptions,
    previous: Option<&Build>,
    content_files: Option<&[PathBuf]>,
) -> Result<Build, Failure> {
    build_after_first(opts, previous, content_files, None)
}

/// `build_after`, handing the pages of `first` over as soon as they are rendered, when the
/// site was assembled again (a rebuild of wording alone renders a few pages in all and hands
/// over nothing). `serve` shows the pages open in a browser with them.
pub fn build_after_first(
    opts: &BuildOptions,
    previous: Option<&Build>,
    content_files: Option<&[PathBuf]>,
    first: Option<render::First>,
) -> Result<Build, Failure> {
    // The changed article files, read once for either path (against no files when the last
    // build kept none: then only the text path can use them).
    let reloaded = match (previous, content_files) {
        (Some(p), Some(files)) => source::reload(&opts.root, p.sources.as_deref().unwrap_or_default(), files)?,
        _ => None,
    };
    if let (Some(previous), Some(files), Some(reloaded)) = (previous, content_files, &reloaded)
        && let Some(b) = rebuild_texts(opts, previous, files, reloaded)?
    {
        return Ok(b);
    }
    if let (Some(previous), Some(files), Some(reloaded)) = (previous, content_files, &reloaded)
        && let Some(prepared) = retag(opts, previous, files, reloaded)
    {
        // What the change reaches is found from the last site, as below.
        return prepared.into_build(render::Fingerprints::Reuse(&previous.render_memo, Some(&previous.site)), first);
    }
    let content_only = content_files.is_some();
    let empty = model::Memo::default();
    let reloaded = match previous {
        Some(Build { sources: Some(_), assets, .. }) => reloaded.map(|r| (r, assets.clone())),
        _ => None,
    };
    // Nothing outside `content/` changed since the last build: its theme is the one on disk.
    let theme = previous.filter(|_| content_only).map(|p| p.theme.clone());
    let prepared = prepare(opts, Some(previous.map_or(&empty, |p| &p.memo)), reloaded, theme)?;
    let output_dir = prepared.output_dir.clone();
    let assets = prepared.assets.clone();
    // Only article files changed since the last build: the site is compared with its site.
    let articles_changed = previous.filter(|p| content_only && p.assets == assets);
    let reuse =
        articles_changed.and_then(|p| model::changed_texts(&p.site, &prepared.site).map(|changed| (p, changed)));
    if let Some((previous, changed)) = reuse {
        // The routes are the last build's (only wording differs, the assets and theme are the
        // same), checked then: as in `rebuild_texts`, no clash is looked for again.
        let Prepared { site, theme, mut warnings, mut clock, memo, sources, .. } = prepared;
        let (output, rendered) = match rerender_texts(previous, &site, &theme, &changed) {
            Ok(done) => done,
            Err(e) => return Err(render_failed(e, warnings)),
        };
        clock.lap("render");
        diagnostics::sort(&mut warnings);
        return Ok(Build {
            site,
            output,
            warnings,
            output_dir,
            timings: clock.laps,
            assets,
            rerendered: Some(rendered.files),
            memo,
            render_memo: rendered.memo,
            theme,
            sources,
        });
    }
    let prints = match previous {
        _ if !opts.rebuilds => render::Fingerprints::Off,
        Some(p) if p.theme.renders_like(&prepared.theme) => {
            // What the change reaches is found from the last site.
            render::Fingerprints::Reuse(&p.render_memo, articles_changed.map(|p| &p.site))
        }
        _ => render::Fingerprints::Make,
    };
    prepared.into_build(prints, first)
}

/// The fast path of `build_after` when only article files changed, each only in its topics,
/// people and places (see `model::reassemble_tags`): the site is the last one with the new
/// memberships, ready to render like any other (only the pages whose variables changed are).
fn retag(opts: &BuildOptions, previous: &Build, files: &[PathBuf], reloaded: &source::Reloaded) -> Option<Prepared> {
    let mut clock = Clock::default();
    clock.lap("start");
    // From a build that kept the last files.
    let old = previous.sources.as_deref().filter(|_| opts.rebuilds && reloaded.read_all(files))?;
    clock.lap("load");
    let (site, memo) = model::reassemble_tags(&previous.site, &previous.memo, &previous.warnings, &reloaded.read, old)?;
    clock.lap("reassemble");
    Some(Prepared {
        sources: Some(reloaded.articles.clone()),
        site,
        theme: previous.theme.clone(),
        assets: previous.assets.clone(),
        warnings: previous.warnings.clone(),
        output_dir: previous.output_dir.clone(),
        clock,
        memo,
    })
}

/// The fast path of `build_after`: only article files changed, each only in its wording.
fn rebuild_texts(
    opts: &BuildOptions,
    previous: &Build,
    files: &[PathBuf],
    reloaded: &source::Reloaded,
) -> Result<Option<Build>, Failure> {
    let mut clock = Clock::default();
    clock.lap("start");
    if !reloaded.read_all(files) {
        return Ok(None);
    }
    clock.lap("load");
    let read = |path: &Path| std::fs::read_to_string(opts.root.join(path)).ok();
    let Some((site, changed, memo)) =
        model::reassemble_texts(&previous.site, &previous.memo, &previous.warnings, &reloaded.read, &read)
    else {
        return Ok(None);
    };
    clock.lap("reassemble");
    let (output, rendered) = match rerender_texts(previous, &site, &previous.theme, &changed) {
        Ok(done) => done,
        Err(e) => return Err(render_failed(e, Vec::new())),
    };
    clock.lap("render");
    Ok(Some(Build {
        site,
        output,
        warnings: previous.warnings.clone(),
        output_dir: previous.output_dir.clone(),
        timings: clock.laps,
        assets: previous.assets.clone(),
        rerendered: Some(rendered.files),
        memo,
        render_memo: rendered.memo,
        theme: previous.theme.clone(),
        sources: previous.sources.is_some().then(|| reloaded.articles.clone()),
    }))
}

/// The previous output with what `changed` shows rendered again over it, how many files that
/// was, and the fingerprints of every page.
fn rerender_texts(
    previous: &Build,
    site: &Site,
    theme: &render::theme::Theme,
    changed: &model::TextChanges,
) -> Result<(Arc<Output>, render::Rendered), render::RenderError> {
    let sink = std::sync::Mutex::new(Output::clone(&previous.output));
    let mut rendered = render::render_texts(site, theme, &sink, changed)?;
    let output = Arc::new(sink.into_inner().expect("output lock is never poisoned"));
    debug_assert_eq!(previous.output.files.len(), output.files.len(), "re-rendering text adds no file");
    let mut memo = previous.render_memo.clone();
    memo.update(std::mem::take(&mut rendered.memo));
    rendered.memo = memo;
    Ok((output, rendered))
}

/// A build written to disk.
#[derive(Debug)]
pub struct Written {
    /// The model.
    pub site: Site,
    /// Warnings (a successful build has no errors).
    pub warnings: Vec<Diagnostic>,
    /// Where the output went.
    pub output_dir: PathBuf,
    /// How long each stage took, in order.
    pub timings: Vec<(&'static str, std::time::Duration)>,
    /// Files written and kept.
    pub stats: output::WriteStats,
    /// Files in the output.
    pub files: usize,
}

/// Builds the site and writes it, each page as soon as it is rendered, into a folder beside the
/// output folder that replaces it only when the build succeeds. `digest build` uses it.
pub fn build_to_disk(opts: &BuildOptions) -> Result<Written, Failure> {
    let prepared = prepare(opts, None, None, None)?;
    let output_dir = prepared.output_dir.clone();
    let staging = output::Staging::new(&output_dir)?;
    let mut done = prepared.render(&staging, render::Fingerprints::Off, None)?;
    let stats = staging.finish()?;
    done.clock.lap("write");
    Ok(Written {
        site: done.site,
        warnings: done.warnings,
        output_dir,
        timings: done.clock.laps,
        files: stats.written + stats.unchanged,
        stats,
    })
}

/// Everything up to rendering: loaded, parsed and assembled (the routes are checked as the
/// render starts).
struct Prepared {
    /// The article files, when kept (`BuildOptions::rebuilds`).
    sources: Option<Vec<Arc<source::Source>>>,
    site: Site,
    theme: Arc<render::theme::Theme>,
    assets: Vec<source::Asset>,
    warnings: Vec<Diagnostic>,
    output_dir: PathBuf,
    clock: Clock,
    memo: model::Memo,
}

/// A rendered build.
struct Rendered {
    sources: Option<Vec<Arc<source::Source>>>,
    site: Site,
    theme: Arc<render::theme::Theme>,
    warnings: Vec<Diagnostic>,
    clock: Clock,
    memo: model::Memo,
    rendered: render::Rendered,
}

/// With a memo, reuses what it holds and returns the next (see `model::assemble_with`). With
/// the article files of a `source::reload` (and the assets, the same as before), reads nothing
/// else under `content/`. With a theme (the last build's, when only `content/` changed since),
/// loads none.
fn prepare(
    opts: &BuildOptions,
    memo: Option<&model::Memo>,
    reloaded: Option<(source::Reloaded, Vec<source::Asset>)>,
    theme: Option<Arc<render::theme::Theme>>,
) -> Result<Prepared, Failure> {
    let root = &opts.root;
    let mut clock = Clock::default();
    clock.lap("start");
    let config_path = root.join("site.toml");
    if !config_path.is_file() {
        return Err(Failure::Env(Error::NotASite(format!(
            "{} is not a digest site: it has no site.toml (run `digest init` to make one)",
            root.display()
        ))));
    }
    let config_text = source::read(&config_path)?;
    let mut diags = Vec::new();
    let config = match Config::parse("site.toml", &config_text) {
        Ok(c) => Some(c),
        Err(d) => {
            diags.extend(d);
            None
        }
    };
    // Kept for the next rebuild, which may reload some of them.
    let keep_articles = opts.rebuilds || reloaded.is_some();
    // The theme's templates are compiled while the articles are read: a few milliseconds that
    // would otherwise keep a core idle.
    let (content, theme) = rayon::join(
        || match reloaded {
            Some((r, assets)) => Ok(source::Content { articles: r.articles, assets, diagnostics: r.diagnostics }),
            None => source::load_content(root),
        },
        || match theme {
            Some(kept) => Some(Ok(Ok(kept))),
            None => config.as_ref().map(|c| render::theme::load(root, c).map(|t| t.map(Arc::new))),
        },
    );
    let content = content?;
    let sources = keep_articles.then(|| content.articles.clone());
    diags.extend(content.diagnostics);
    clock.lap("load");
    let Some(mut config) = config else {
        // Still read every article, so one run reports every broken file.
        let fallback =
            Config::parse("site.toml", "title = \"x\"\nbase_url = \"/\"\n").expect("fallback config is valid");
        let (_, d) = model::assemble(fallback, content.articles, opts.drafts);
        diags.extend(d.into_iter().filter(Diagnostic::is_error));
        return Err(fail(diags));
    };
    if let Some(b) = &opts.base_url {
        let (url, path) = config::normalise_base_url(b).map_err(|m| Failure::Env(Error::NotASite(m)))?;
        config.base_url = url;
        config.base_path = path;
    }
    let output_dir = opts.output.clone().unwrap_or_else(|| root.join(&config.output_dir));
    let theme = theme.expect("a theme is loaded when site.toml parses")?;
    let (site, assemble_diags, memo) = model::assemble_with(config, content.articles, opts.drafts, memo);
    diags.extend(assemble_diags);
    clock.lap("assemble");
    let theme = match theme {
        Ok(t) => Some(t),
        Err(d) => {
            diags.extend(d);
            None
        }
    };
    let (Some(site), Some(theme)) = (site, theme) else {
        return Err(fail(diags));
    };
    if diags.iter().any(Diagnostic::is_error) {
        return Err(fail(diags));
    }
    Ok(Prepared { sources, site, theme, assets: content.assets, warnings: diags, output_dir, clock, memo })
}

impl Prepared {
    /// Renders (see `render`) into memory: the build `serve` and tests keep.
    fn into_build(self, prints: render::Fingerprints, first: Option<render::First>) -> Result<Build, Failure> {
        let (output_dir, assets) = (self.output_dir.clone(), self.assets.clone());
        let sink = std::sync::Mutex::new(Output::default());
        let done = self.render(&sink, prints, first)?;
        let output = Arc::new(sink.into_inner().expect("output lock is never poisoned"));
        Ok(Build {
            site: done.site,
            output,
            warnings: done.warnings,
            output_dir,
            timings: done.clock.laps,
            assets,
            rerendered: matches!(prints, render::Fingerprints::Reuse(..)).then_some(done.rendered.files),
            memo: done.memo,
            render_memo: done.rendered.memo,
            theme: done.theme,
            sources: done.sources,
        })
    }

    /// Renders every page (or keeps it, see `render::Fingerprints`) and copies the assets into
    /// `sink`.
    fn render(
        self,
        sink: &dyn output::Sink,
        prints: render::Fingerprints,
        first: Option<render::First>,
    ) -> Result<Rendered, Failure> {
        let Prepared { sources, site, theme, assets, mut warnings, mut clock, memo, .. } = self;
        let rendered = match render::render(&site, &theme, &assets, sink, prints, first) {
            Ok(r) => r,
            Err(e) => return Err(render_failed(e, warnings)),
        };
        clock.lap("render");
        // Collisions of assets with generated files were ruled out by `render::render`.
        for asset in assets {
            sink.put(asset.to, output::FileData::Copy(asset.from))?;
        }
        diagnostics::sort(&mut warnings);
        Ok(Rendered { sources, site, theme, warnings, clock, memo, rendered })
    }
}

/// A render failure as a build failure: template errors join the diagnostics found before.
fn render_failed(e: render::RenderError, mut diags: Vec<Diagnostic>) -> Failure {
    match e {
        render::RenderError::Diagnostics(d) => {
            diags.extend(d);
            fail(diags)
        }
        render::RenderError::Env(e) => Failure::Env(e),
    }
}

fn fail(mut diags: Vec<Diagnostic>) -> Failure {
    diagnostics::sort(&mut diags);
    Failure::Diagnostics(diags)
}

/// Stage timings: measured, never printed, by the library.
#[derive(Default, Debug, Clone)]
struct Clock {
    last: Option<std::time::Instant>,
    laps: Vec<(&'static str, std::time::Duration)>,
}

impl Clock {
    fn lap(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        let since = self.last.map_or(std::time::Duration::ZERO, |l| now - l);
        self.laps.push((name, since));
        self.last = Some(now);
    }
}

/// A count with its word, plural unless it is one: `3 files`, `1 warning`.
pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Frees `value` on a thread of its own: a build's caches are many small allocations, and
/// freeing them one by one need not hold up the caller (nor the process exit, for `build`).
pub(crate) fn drop_later<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_are_plural_unless_one() {
        assert_eq!(super::plural(1, "warning"), "1 warning");
        assert_eq!(super::plural(0, "warning"), "0 warnings");
        assert_eq!(super::plural(2, "article"), "2 articles");
    }
}
