//! The `digest` command line: parses flags, calls the library, prints diagnostics, picks the
//! exit code. No logic of its own.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use chrono::{NaiveDate, Timelike};
use clap::{Parser, Subcommand};
use digest::{Diagnostic, Failure, plural};

/// A static site generator for curated news digests.
#[derive(Parser)]
#[command(
    name = "digest",
    version,
    about,
    after_help = "Exit status: 0 success, 1 errors in content, configuration or templates, 2 misuse or environment failure."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into its output folder (public/ by default).
    Build {
        /// The site folder, holding site.toml.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder (default: output_dir of site.toml, relative to the root).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Include articles with draft = true.
        #[arg(long)]
        drafts: bool,
    },
    /// Serve the site on 127.0.0.1, rebuilding and reloading pages on changes with --watch.
    Serve {
        /// Rebuild on every change and reload open pages.
        #[arg(long)]
        watch: bool,
        /// Port (0 picks a free one).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on. Anything but loopback exposes the preview to the network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// The site folder, holding site.toml.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Include articles with draft = true.
        #[arg(long)]
        drafts: bool,
    },
    /// Run every check of `build` without writing anything, and print a summary.
    Check {
        /// The site folder, holding site.toml.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Include articles with draft = true.
        #[arg(long)]
        drafts: bool,
        /// Also check that every original url answers (cached in .digest/external-links.json).
        #[arg(long)]
        external: bool,
        /// With --external: milliseconds between two requests to one host.
        #[arg(long, default_value_t = 1000)]
        delay_ms: u64,
        /// With --external: seconds before a request is given up.
        #[arg(long, default_value_t = 10)]
        timeout: u64,
    },
    /// Import plain-text clippings or RSS/Atom feeds as new articles under content/.
    Import {
        /// Clipping or feed files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Add this topic to every imported article (repeatable).
        #[arg(long = "topic")]
        topics: Vec<String>,
        /// The date (YYYY-MM-DD) when the url has none.
        #[arg(long, value_parser = parse_day)]
        date: Option<NaiveDate>,
        /// Print what would be written; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// The site folder, holding site.toml.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Write a new article with its front matter filled in, and print its path.
    New {
        /// The headline.
        title: String,
        /// A topic (repeatable).
        #[arg(long = "topic")]
        topics: Vec<String>,
        /// The original url.
        #[arg(long)]
        url: Option<String>,
        /// The outlet (default: from [sources] by the url's host).
        #[arg(long)]
        source: Option<String>,
        /// The date, YYYY-MM-DD (default: now).
        #[arg(long, value_parser = parse_day)]
        date: Option<NaiveDate>,
        /// The site folder, holding site.toml.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Create a new site that builds at once, in DIR (new or empty).
    Init {
        /// Where to create it.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|e| format!("expected a date like 2025-03-05: {e}"))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    match cli.command {
        Command::Build { root, output, drafts } => {
            build(digest::BuildOptions { root, output, drafts, ..Default::default() })
        }
        Command::Check { root, drafts, external, delay_ms, timeout } => {
            let external = external.then(|| digest::linkcheck::CheckOptions {
                delay: std::time::Duration::from_millis(delay_ms),
                timeout: std::time::Duration::from_secs(timeout.max(1)),
                max_age: std::time::Duration::from_secs(7 * 24 * 3600),
                now: chrono::Utc::now().timestamp().max(0) as u64,
                cache: digest::linkcheck::cache_path(&root),
            });
            check(digest::BuildOptions { root, drafts, ..Default::default() }, external)
        }
        Command::Import { files, topics, date, dry_run, root } => {
            import(root, files, digest::import::ImportOptions { topics, date, dry_run })
        }
        Command::New { title, topics, url, source, date, root } => new(root, title, topics, url, source, date),
        Command::Init { dir } => init(dir),
        Command::Serve { watch, port, bind, root, drafts } => {
            keep_freed_memory();
            let log: digest::serve::Log = std::sync::Arc::new(|line: &str| {
                use std::io::Write;
                let mut err = std::io::stderr().lock();
                let _ = writeln!(err, "{line}");
            });
            match digest::serve::run(digest::serve::ServeOptions { root, port, bind, watch, drafts }, log) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

fn print_diagnostics(diags: &[Diagnostic]) {
    for d in diags {
        eprintln!("{d}\n");
    }
}

/// Prints a failure and gives its exit code: 1 for content errors, 2 for the environment.
fn failed(f: Failure, what: &str, note: &str) -> ExitCode {
    match f {
        Failure::Diagnostics(diags) => {
            print_diagnostics(&diags);
            let errors = diags.iter().filter(|d| d.is_error()).count();
            eprintln!("error: {what} failed with {}{note}", plural(errors, "error"));
            ExitCode::from(1)
        }
        Failure::Env(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn build(opts: digest::BuildOptions) -> ExitCode {
    let started = Instant::now();
    keep_freed_memory();
    more_workers_than_cores();
    let b = match digest::build_to_disk(&opts) {
        Ok(b) => b,
        Err(f) => return failed(f, "build", "; the output folder was left as it was"),
    };
    print_diagnostics(&b.warnings);
    if std::env::var_os("DIGEST_TIMINGS").is_some() {
        for (stage, t) in b.timings.iter().skip(1) {
            eprintln!("  {stage:<10} {:>7.1} ms", t.as_secs_f64() * 1000.0);
        }
    }
    let warnings = match b.warnings.len() {
        0 => String::new(),
        n => format!(" ({})", plural(n, "warning")),
    };
    eprintln!(
        "built {}, {} ({} written, {} unchanged) into {} in {} ms{warnings}",
        plural(b.site.articles.len(), "article"),
        plural(b.files, "file"),
        b.stats.written,
        b.stats.unchanged,
        b.output_dir.display(),
        started.elapsed().as_millis(),
    );
    // The process ends here: the OS takes the memory back faster than freeing the model
    // allocation by allocation would (a tenth of a second at 10,000 articles).
    std::mem::forget(b);
    ExitCode::SUCCESS
}

fn check(opts: digest::BuildOptions, external: Option<digest::linkcheck::CheckOptions>) -> ExitCode {
    match digest::build(&opts) {
        Ok(b) => {
            print_diagnostics(&b.warnings);
            let s = &b.site;
            if let Some(ext) = external {
                let urls = digest::linkcheck::urls(s);
                let (broken, asked) = match digest::linkcheck::check(&urls, &ext) {
                    Ok(r) => r,
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(2);
                    }
                };
                for b in &broken {
                    let why = match (&b.answer.error, b.answer.status) {
                        (Some(e), _) => e.clone(),
                        (None, s) => format!("answered HTTP {s}"),
                    };
                    for f in &b.cited_by {
                        eprintln!("{}: error: original url {} does not answer: {why}", f.display(), b.url);
                    }
                }
                println!(
                    "external: {} checked ({} asked now, the rest from the cache), {} broken",
                    plural(urls.len(), "url"),
                    asked,
                    broken.len()
                );
                if !broken.is_empty() {
                    return ExitCode::from(1);
                }
            }
            println!(
                "{}, {}, {}, {}, {}, {}, 0 errors: ok (nothing written)",
                plural(s.articles.len(), "article"),
                plural(s.topics.len(), "topic"),
                plural(s.people.len(), "person").replace("persons", "people"),
                plural(s.places.len(), "place"),
                plural(s.sources.len(), "source"),
                plural(b.warnings.len(), "warning"),
            );
            ExitCode::SUCCESS
        }
        Err(Failure::Diagnostics(diags)) => {
            print_diagnostics(&diags);
            let errors = diags.iter().filter(|d| d.is_error()).count();
            println!("{}, {}", plural(diags.len() - errors, "warning"), plural(errors, "error"));
            ExitCode::from(1)
        }
        Err(f) => failed(f, "check", ""),
    }
}

fn import(root: PathBuf, files: Vec<PathBuf>, opts: digest::import::ImportOptions) -> ExitCode {
    let config = match digest::load_config(&root) {
        Ok(c) => c,
        Err(f) => return failed(f, "import", ""),
    };
    let reports = match digest::import::run(&root, &config, &files, &opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut refused = 0;
    for r in &reports {
        if matches!(r.outcome, digest::import::Outcome::Refused(_)) {
            refused += 1;
            eprintln!("{r}");
        } else {
            println!("{r}");
        }
    }
    if refused > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

fn new(
    root: PathBuf,
    title: String,
    topics: Vec<String>,
    url: Option<String>,
    source: Option<String>,
    date: Option<NaiveDate>,
) -> ExitCode {
    let config = match digest::load_config(&root) {
        Ok(c) => c,
        Err(f) => return failed(f, "new", ""),
    };
    if title.trim().is_empty() || slug::slugify(&title).is_empty() {
        eprintln!("error: the title needs letters or digits");
        return ExitCode::from(2);
    }
    if let Some(u) = &url
        && !(u.starts_with("https://") || u.starts_with("http://"))
    {
        eprintln!("error: --url must be an http:// or https:// address, not \"{u}\"");
        return ExitCode::from(2);
    }
    let when = match date {
        Some(d) => digest::draft::When::Day(d),
        // The clock is read here, in the CLI, never inside a build.
        None => {
            let now = chrono::Utc::now().fixed_offset();
            digest::draft::When::At(config.timezone.place(now.with_nanosecond(0).unwrap_or(now)))
        }
    };
    let source = source.or_else(|| url.as_deref().and_then(|u| digest::import::source_for(&config, u)));
    let draft = digest::draft::Draft {
        title: title.trim().into(),
        date: when,
        source,
        url,
        topics,
        related: vec![],
        body: String::new(),
    };
    match draft.write_new(&root) {
        Ok(path) => {
            println!("{}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn init(dir: PathBuf) -> ExitCode {
    let today = chrono::Utc::now().date_naive();
    match digest::scaffold::init(&dir, today) {
        Ok(files) => {
            for f in files {
                println!("created {}", dir.join(f).display());
            }
            println!("build it with: digest build --root {}", dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

// A faster allocator than glibc's for the many small strings and values of a build, and one that
// returns memory instead of keeping per-thread arenas.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Build workers spend part of their time in file-system calls (creating 20,000 files and their
/// folders): twice as many workers as cores keep the cores busy meanwhile (about 5 % faster at
/// 10k and 100k articles). `RAYON_NUM_THREADS` still decides when it is set.
fn more_workers_than_cores() {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        let n = std::thread::available_parallelism().map_or(2, |n| n.get()) * 2;
        // Fails only if the pool was already started, which leaves it as it was.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n).build_global();
    }
}

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e`, mimalloc.h; the sys crate
/// names no constant for it). Checked by a test.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// A one-off build frees memory only to use it again a moment later: handing it back to the
/// OS (mimalloc does after a second) means zeroing it again on the next use, a tenth of the time
/// of a 100,000-article build. The process ends soon enough to give it all back at once. A
/// preview server rebuilds every few seconds with as much memory as the last rebuild: it keeps
/// it too (about 15–20 ms of a front-matter rebuild at 10,000 articles).
fn keep_freed_memory() {
    // SAFETY: sets a plain integer option; mimalloc reads options at any time.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_purge_delay_option_is_where_we_think() {
        // mimalloc's default purge delay is 1000 ms (v3); no neighbouring option has it.
        // SAFETY: reads a plain integer option.
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) }, 1000);
    }
}
