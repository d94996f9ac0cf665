//! Reads the packaged files' contents once more for what the checks need to know about
//! them: secrets, and the files Rust sources pull in at compile time. Binary files and
//! files over [`MAX_SCANNED`] bytes are not scanned.

use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use regex::Regex;

use super::{ArchiveFile, Content};
use crate::error::Error;

/// Files larger than this are not searched for secrets or includes.
pub const MAX_SCANNED: u64 = 4 * 1024 * 1024;

/// What the scan found in one crate's archive.
#[derive(Debug, Clone, Default)]
pub struct ContentFacts {
    pub secrets: Vec<SecretHit>,
    /// Files named by `include_str!`, `include_bytes!`, `include!` or `#[path]` in packaged
    /// Rust sources that are compiled when the crate is built.
    pub compile_inputs: Vec<CompileInput>,
}

/// A line that looks like a secret. The secret itself is never kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretHit {
    /// Path inside the archive.
    pub path: PathBuf,
    /// 1-based; 0 when the whole file is the finding (e.g. `.env`).
    pub line: usize,
    /// What it looks like, e.g. "GitHub token".
    pub kind: &'static str,
}

/// A compile-time input of a packaged source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileInput {
    /// The source file that names it (archive path).
    pub source: PathBuf,
    pub line: usize,
    /// The macro or attribute, e.g. `include_str!`.
    pub via: &'static str,
    /// As written in the source.
    pub written: String,
    /// Resolved against the package root; `None` when it leaves the package.
    pub resolved: Option<PathBuf>,
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

fn include_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"\b(include_str|include_bytes|include)\s*!\s*\(\s*(?:concat\s*!\s*\(\s*env\s*!\s*\(\s*"(CARGO_MANIFEST_DIR|OUT_DIR)"\s*\)\s*,\s*)?"((?:[^"\\]|\\.)*)""#,
        )
        .expect("valid include pattern")
    })
}

fn path_attr_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"#\[\s*path\s*=\s*"((?:[^"\\]|\\.)*)"\s*\]"#).expect("valid path pattern")
    })
}

/// Scans every packaged file that comes from disk.
pub fn scan(files: &[ArchiveFile]) -> Result<ContentFacts, Error> {
    let mut facts = ContentFacts::default();
    for file in files {
        let Content::File(disk) = &file.content else {
            continue;
        };
        if let Some(kind) = secret_file(&file.path) {
            facts.secrets.push(SecretHit { path: file.path.clone(), line: 0, kind });
        }
        if file.size > MAX_SCANNED || file.path.as_os_str() == "Cargo.toml.orig" {
            continue;
        }
        let mut bytes = Vec::with_capacity(file.size as usize);
        std::fs::File::open(disk)
            .and_then(|f| f.take(MAX_SCANNED).read_to_end(&mut bytes))
            .map_err(|e| Error::io(disk, e))?;
        if bytes.iter().take(8192).any(|&b| b == 0) {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        for (i, line) in text.lines().enumerate() {
            for pattern in secret_patterns() {
                if pattern.regex.is_match(line) {
                    facts.secrets.push(SecretHit {
                        path: file.path.clone(),
                        line: i + 1,
                        kind: pattern.kind,
                    });
                }
            }
        }
        if is_compiled_source(&file.path) {
            facts.compile_inputs.extend(compile_inputs(&file.path, &text));
        }
    }
    Ok(facts)
}

/// Rust sources built by `cargo build` on the unpacked crate (which is what `cargo publish`
/// verifies): not tests, benches or examples.
fn is_compiled_source(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "rs")
        && !matches!(
            path.components().next().and_then(|c| c.as_os_str().to_str()),
            Some("tests" | "benches" | "examples")
        )
}

/// The compile-time inputs named in one source file.
pub fn compile_inputs(source: &Path, text: &str) -> Vec<CompileInput> {
    let dir = source.parent().unwrap_or(Path::new(""));
    let mut inputs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        // Comments, doc comments included, show examples that are not compiled.
        if line.trim_start().starts_with("//") {
            continue;
        }
        for caps in include_pattern().captures_iter(line) {
            let via = match &caps[1] {
                "include_str" => "include_str!",
                "include_bytes" => "include_bytes!",
                _ => "include!",
            };
            let written = caps[3].to_owned();
            let resolved = match caps.get(2).map(|m| m.as_str()) {
                Some("OUT_DIR") => continue,
                Some(_) => normalize(Path::new(written.trim_start_matches('/'))),
                None => normalize(&dir.join(&written)),
            };
            inputs.push(CompileInput {
                source: source.to_path_buf(),
                line: i + 1,
                via,
                written,
                resolved,
            });
        }
        for caps in path_attr_pattern().captures_iter(line) {
            let written = caps[1].to_owned();
            inputs.push(CompileInput {
                source: source.to_path_buf(),
                line: i + 1,
                via: "#[path]",
                resolved: normalize(&dir.join(&written)),
                written,
            });
        }
    }
    inputs
}

/// Resolves `.` and `..` lexically; `None` when the path leaves the package root or is
/// absolute.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_includes_relative_to_the_source() {
        let text = r#"
const A: &str = include_str!("../README.md");
static B: &[u8] = include_bytes!( "data/table.bin" );
include!(concat!(env!("OUT_DIR"), "/gen.rs"));
const C: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/x.txt"));
#[path = "platform/unix.rs"]
mod sys;
// include_str!("commented.txt")
/// include_str!("doc-example.txt")
#![doc = include_str!("../../outside.md")]
"#;
        let found: Vec<(&str, Option<PathBuf>)> = compile_inputs(Path::new("src/lib.rs"), text)
            .iter()
            .map(|i| (i.via, i.resolved.clone()))
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
        assert_eq!(
            found,
            [
                ("include_str!", Some(PathBuf::from("README.md"))),
                ("include_bytes!", Some(PathBuf::from("src/data/table.bin"))),
                ("include_str!", Some(PathBuf::from("assets/x.txt"))),
                ("#[path]", Some(PathBuf::from("src/platform/unix.rs"))),
                ("include_str!", None),
            ]
        );
    }

    #[test]
    fn secrets_are_recognised_but_not_kept() {
        let token = format!("ghp_{}", "a".repeat(36));
        assert!(
            secret_patterns().iter().any(|p| p.regex.is_match(&format!("token = \"{token}\"")))
        );
        assert!(
            secret_patterns()
                .iter()
                .any(|p| p.regex.is_match("-----BEGIN OPENSSH PRIVATE KEY-----"))
        );
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
