//! Reads the packaged files' contents once more for what the checks need to know about
//! them: secrets, and (through [`super::modules`]) the files Rust sources pull in at
//! compile time. Binary files and files over [`MAX_SCANNED`] bytes are not scanned.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

pub use super::modules::CompileInput;
use super::{ArchiveFile, Content};
use crate::error::Error;

/// Files larger than this are not searched for secrets or includes.
pub const MAX_SCANNED: u64 = 4 * 1024 * 1024;

/// What the scan found in one crate's archive.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ContentFacts {
    pub secrets: Vec<SecretHit>,
    /// Files named by `include_str!`, `include_bytes!`, `include!` or `#[path]` in packaged
    /// Rust sources that are compiled when the crate is built.
    pub compile_inputs: Vec<CompileInput>,
    /// Where compiled sources read `env!("OUT_DIR")`, which only a build script sets.
    pub out_dir_uses: Vec<(PathBuf, usize)>,
    /// Lines of code of the packaged Rust sources: lines that are neither blank nor only
    /// a `//` comment.
    pub rust_lines: u64,
}

/// A line that looks like a secret. The secret itself is never kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretHit {
    /// Path inside the archive.
    pub path: PathBuf,
    /// 1-based; 0 when the whole file is the finding (e.g. `.env`).
    pub line: usize,
    /// What it looks like, e.g. "GitHub token".
    pub kind: String,
}

struct Pattern {
    kind: &'static str,
    regex: Regex,
}

fn secret_patterns() -> &'static [Pattern] {
    static PATTERNS: OnceLock<Vec<Pattern>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        [
            ("crates.io API token", r"\bcio[A-Za-z0-9]{32}\b"),
            ("GitHub token", r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b"),
            ("GitHub fine-grained token", r"\bgithub_pat_[A-Za-z0-9_]{82}\b"),
            ("GitLab token", r"\bglpat-[A-Za-z0-9_\-]{20}\b"),
            ("AWS access key", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
            ("Google API key", r"\bAIza[0-9A-Za-z_\-]{35}\b"),
            ("Slack token", r"\bxox[baprs]-[0-9A-Za-z\-]{10,}\b"),
            ("Stripe secret key", r"\bsk_live_[0-9A-Za-z]{24,}\b"),
            ("npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
            (
                "private key",
                r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----",
            ),
        ]
        .into_iter()
        .map(|(kind, re)| Pattern { kind, regex: Regex::new(re).expect("valid secret pattern") })
        .collect()
    })
}

/// Files that hold secrets by their name alone.
fn secret_file(path: &Path) -> Option<&'static str> {
    let name = path.file_name()?.to_str()?;
    let in_cargo_dir = path.parent().and_then(Path::file_name).is_some_and(|d| d == ".cargo");
    match name {
        ".env" => Some("environment file"),
        n if n.starts_with(".env.")
            && !matches!(n, ".env.example" | ".env.sample" | ".env.template") =>
        {
            Some("environment file")
        }
        "credentials.toml" | "credentials" if in_cargo_dir => Some("cargo registry credentials"),
        ".npmrc" | ".pypirc" | ".netrc" => Some("credentials file"),
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" => Some("SSH private key"),
        _ => None,
    }
}

/// Scans every packaged file that comes from disk.
pub fn scan(files: &[ArchiveFile], roots: &[PathBuf]) -> Result<ContentFacts, Error> {
    let modules = super::modules::compile_inputs(files, roots)?;
    let mut facts = ContentFacts {
        compile_inputs: modules.inputs,
        out_dir_uses: modules.out_dir_uses,
        ..ContentFacts::default()
    };
    for file in files {
        let Content::File(disk) = &file.content else {
            continue;
        };
        if let Some(kind) = secret_file(&file.path) {
            facts.secrets.push(SecretHit { path: file.path.clone(), line: 0, kind: kind.into() });
        }
        if file.size > MAX_SCANNED || file.path.as_os_str() == "Cargo.toml.orig" {
            continue;
        }
        let mut bytes = Vec::with_capacity(file.size as usize);
        crate::paths::open_regular(disk)
            .and_then(|f| f.take(MAX_SCANNED).read_to_end(&mut bytes))
            .map_err(|e| Error::io(disk, e))?;
        if bytes.iter().take(8192).any(|&b| b == 0) {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        let mut hits: Vec<SecretHit> = Vec::new();
        for pattern in secret_patterns() {
            for found in pattern.regex.find_iter(&text) {
                let line =
                    1 + text.as_bytes()[..found.start()].iter().filter(|&&b| b == b'\n').count();
                hits.push(SecretHit { path: file.path.clone(), line, kind: pattern.kind.into() });
            }
        }
        hits.sort_by_key(|h| h.line);
        hits.dedup();
        facts.secrets.extend(hits);
        if file.path.extension().is_some_and(|e| e == "rs") {
            facts.rust_lines += text
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty() && !line.starts_with("//"))
                .count() as u64;
        }
    }
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_recognised_but_not_kept() {
        let token = format!("ghp_{}", "a".repeat(36));
        assert!(
            secret_patterns().iter().any(|p| p.regex.is_match(&format!("token = \"{token}\"")))
        );
        // Built at run time, so that this source file holds no key header of its own.
        let header = format!("-----BEGIN {} PRIVATE KEY-----", "OPENSSH");
        assert!(secret_patterns().iter().any(|p| p.regex.is_match(&header)));
        assert!(!secret_patterns().iter().any(|p| p.regex.is_match("ghp_short")));
        assert_eq!(secret_file(Path::new(".env")), Some("environment file"));
        assert_eq!(secret_file(Path::new(".env.example")), None);
        assert_eq!(
            secret_file(Path::new(".cargo/credentials.toml")),
            Some("cargo registry credentials")
        );
        assert_eq!(secret_file(Path::new("docs/credentials.toml")), None);
    }
}
