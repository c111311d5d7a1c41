//! The `digest` command line: parses flags, calls the library, prints diagnostics, picks the
//! exit code. No logic of its own.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

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
        Command::Build { root, output, drafts } => build(digest::BuildOptions { root, output, drafts, base_url: None }),
    }
}

fn print_diagnostics(diags: &[digest::Diagnostic]) {
    for d in diags {
        eprintln!("{d}\n");
    }
}

fn build(opts: digest::BuildOptions) -> ExitCode {
    let started = Instant::now();
    match digest::build(&opts) {
        Ok(b) => {
            print_diagnostics(&b.warnings);
            let writing = Instant::now();
            if let Err(e) = b.output.write(&b.output_dir) {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
            if std::env::var_os("DIGEST_TIMINGS").is_some() {
                for (stage, t) in b.timings.iter().skip(1) {
                    eprintln!("  {stage:<10} {:>7.1} ms", t.as_secs_f64() * 1000.0);
                }
                eprintln!("  {:<10} {:>7.1} ms", "write", writing.elapsed().as_secs_f64() * 1000.0);
            }
            eprintln!(
                "built {} articles, {} files into {} in {} ms{}",
                b.site.articles.len(),
                b.output.files.len(),
                b.output_dir.display(),
                started.elapsed().as_millis(),
                match b.warnings.len() {
                    0 => String::new(),
                    n => format!(" ({n} warning{})", if n == 1 { "" } else { "s" }),
                }
            );
            ExitCode::SUCCESS
        }
        Err(digest::Failure::Diagnostics(diags)) => {
            print_diagnostics(&diags);
            let errors = diags.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "error: build failed with {errors} error{}; the output folder was left as it was",
                if errors == 1 { "" } else { "s" }
            );
            ExitCode::from(1)
        }
        Err(digest::Failure::Env(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
