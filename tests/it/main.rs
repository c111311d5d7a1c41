//! The one integration test binary: each module runs the real `digest` binary on small
//! fixture sites under `tests/fixtures/<area>/<case>/` and asserts on what it writes.
//!
//! - `support`: copies a fixture to a temp dir, runs the binary, parses pages.
//! - `build`: pages, grouping, cross-links, themes, safety, determinism.
//! - `errors`: every kind of diagnostic, with its file and line, and the untouched old output.

mod build;
mod errors;
mod feeds;
mod import;
mod serve;
mod support;
