//! The errors that stop a run before a report exists (exit code 2). Every message is one
//! line that names the file and the problem.

use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: no such file", .0.display())]
    ManifestNotFound(PathBuf),
    #[error("{}: not a Cargo.toml (a manifest path must end in Cargo.toml)", .0.display())]
    NotAManifest(PathBuf),
    /// `cargo metadata` refused the workspace; the message is cargo's, flattened to one line.
    #[error("{0}")]
    Cargo(String),
    #[error("package `{spec}` is not a member of the workspace at {}", .root.display())]
    UnknownPackage { spec: String, root: PathBuf },
    #[error("no crate selected: every member was excluded")]
    NothingSelected,
    #[error("--step-summary: {0}")]
    StepSummary(String),
    /// `--base-url` or `--report-url` is not a URL the site can be linked at.
    #[error("{flag} {url}: {problem}")]
    BaseUrl { flag: &'static str, url: String, problem: String },
    #[error("--out {}: {problem}", .path.display())]
    OutputPath { path: PathBuf, problem: String },
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
    /// A package's files could not be listed; the message names the path.
    #[error("{0}")]
    List(String),
    #[error("{}: {table}: {message}", .path.display())]
    Config { path: PathBuf, table: String, message: String },
    /// A manifest cargo's own model refuses, or whose published form cannot be written.
    #[error("{}: {message}", .path.display())]
    Manifest { path: PathBuf, message: String },
    #[error("{}: {message}", .path.display())]
    Theme { path: PathBuf, message: String },
    /// `readiness-signoff.toml` is malformed (`line` is 1-based).
    #[error("{}{}: {message}", .path.display(), .line.map(|l| format!(":{l}")).unwrap_or_default())]
    Signoff { path: PathBuf, line: Option<usize>, message: String },
    /// `--allowed-signers`: the source cannot be read, or a line is malformed (`line` is
    /// 1-based); `origin` is the file or `REV:PATH` as given.
    #[error("{origin}{}: {message}", .line.map(|l| format!(":{l}")).unwrap_or_default())]
    AllowedSigners { origin: String, line: Option<usize>, message: String },
    /// `cargo readiness sign`: the row could not be signed or written.
    #[error("sign: {0}")]
    Sign(String),
    /// `--baseline`: the revision cannot be read.
    #[error("--baseline {rev}: {message}")]
    Baseline { rev: String, message: String },
    /// `--registry` / `--index` (or `registry.default`) names no usable registry.
    #[error("{flag}: {message}")]
    Registry { flag: String, message: String },
    /// cargo's own configuration (`$CARGO_HOME/config.toml`, `credentials.toml`) is malformed.
    #[error("{}: {message}", .path.display())]
    CargoConfig { path: PathBuf, message: String },
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
}

impl Error {
    pub fn io(path: impl AsRef<Path>, source: io::Error) -> Self {
        Error::Io { path: path.as_ref().to_path_buf(), source }
    }
}

/// Runs one crate's work; an error or a panic in it becomes the reason the crate could not
/// be checked, and stays that crate's.
pub fn guarded<T>(work: impl FnOnce() -> Result<T, Error>) -> Result<T, String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown cause".to_owned());
            Err(format!("cargo-readiness failed on it ({message}); please report this"))
        }
    }
}

/// Flattens a chain of messages (cargo's stderr, a Tera error and its sources) to one line.
/// A location line (` --> file:line:col`) leads: `file:line:col: message`.
pub fn one_line(text: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let mut location = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(at) = line.strip_prefix("--> ") {
            location.get_or_insert(at);
            continue;
        }
        let line = line.strip_prefix("error: ").unwrap_or(line);
        let is_snippet = line.starts_with('|')
            || line.split_once(" |").is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit()));
        if line.is_empty()
            || line == "Caused by:"
            || line.starts_with("warning:")
            || line.starts_with("note:")
            || line.starts_with("help:")
            || is_snippet
        {
            continue;
        }
        if parts.last() != Some(&line) {
            parts.push(line);
        }
    }
    location.into_iter().chain(parts).collect::<Vec<_>>().join(": ")
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn puts_the_location_first() {
        let stderr = "error: unclosed table, expected `]`\n --> mal/Cargo.toml:1:9\n  |\n1 | [package\n  |         ^\n";
        assert_eq!(one_line(stderr), "mal/Cargo.toml:1:9: unclosed table, expected `]`");
    }

    #[test]
    fn flattens_cargo_errors() {
        let stderr = "error: failed to parse manifest at `/w/Cargo.toml`\n\nCaused by:\n  TOML parse error at line 1, column 5\n    |\n  1 | [pac\n    |     ^\n  invalid table header\n";
        assert_eq!(
            one_line(stderr),
            "failed to parse manifest at `/w/Cargo.toml`: TOML parse error at line 1, column 5: invalid table header"
        );
    }
}
