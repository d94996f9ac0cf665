//! Reads the packaged files' contents once more for what the checks need to know about
//! them: secrets, and the files Rust sources pull in at compile time. Binary files and
//! files over [`MAX_SCANNED`] bytes are not scanned.

use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use proc_macro2::{Delimiter, Literal, TokenStream, TokenTree};
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

/// The compile-time inputs named in one source file. The source is lexed (comments and
/// string contents are never mistaken for code), and items under `#[cfg(test)]` are
/// skipped: the verification build does not compile them. A file that does not lex
/// yields nothing.
pub fn compile_inputs(source: &Path, text: &str) -> Vec<CompileInput> {
    let mut inputs = Vec::new();
    if let Ok(tokens) = text.parse::<TokenStream>() {
        let dir = source.parent().unwrap_or(Path::new(""));
        collect_inputs(tokens, source, dir, &mut inputs);
    }
    inputs
}

fn collect_inputs(tokens: TokenStream, source: &Path, dir: &Path, out: &mut Vec<CompileInput>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            // `#[cfg(test)]`: skip the attributes and the item that follow.
            TokenTree::Punct(p) if p.as_char() == '#' && is_cfg_test(tokens.get(i + 1)) => {
                i += 2;
                while i < tokens.len() {
                    let end = match &tokens[i] {
                        TokenTree::Group(g) => g.delimiter() == Delimiter::Brace,
                        TokenTree::Punct(p) => p.as_char() == ';',
                        _ => false,
                    };
                    i += 1;
                    if end {
                        break;
                    }
                }
                continue;
            }
            // `#[path = "…"]`
            TokenTree::Punct(p) if p.as_char() == '#' => {
                if let Some(TokenTree::Group(attr)) = tokens.get(i + 1)
                    && attr.delimiter() == Delimiter::Bracket
                {
                    let inner: Vec<TokenTree> = attr.stream().into_iter().collect();
                    if let [TokenTree::Ident(name), TokenTree::Punct(eq), TokenTree::Literal(lit)] =
                        inner.as_slice()
                        && name == "path"
                        && eq.as_char() == '='
                        && let Some(written) = string_value(lit)
                    {
                        out.push(CompileInput {
                            source: source.to_path_buf(),
                            line: name.span().start().line,
                            via: "#[path]",
                            resolved: normalize(&dir.join(&written)),
                            written,
                        });
                    }
                }
            }
            // `include_str!(…)`, `include_bytes!(…)`, `include!(…)`
            TokenTree::Ident(ident) => {
                let via = match ident.to_string().as_str() {
                    "include_str" => Some("include_str!"),
                    "include_bytes" => Some("include_bytes!"),
                    "include" => Some("include!"),
                    _ => None,
                };
                if let (Some(via), Some(TokenTree::Punct(bang)), Some(TokenTree::Group(args))) =
                    (via, tokens.get(i + 1), tokens.get(i + 2))
                    && bang.as_char() == '!'
                    && let Some((written, base)) = include_argument(args.stream())
                {
                    let resolved = match base {
                        Base::Source => normalize(&dir.join(&written)),
                        Base::ManifestDir => normalize(Path::new(written.trim_start_matches('/'))),
                    };
                    out.push(CompileInput {
                        source: source.to_path_buf(),
                        line: ident.span().start().line,
                        via,
                        written,
                        resolved,
                    });
                    i += 3;
                    continue;
                }
            }
            TokenTree::Group(group) => collect_inputs(group.stream(), source, dir, out),
            _ => {}
        }
        i += 1;
    }
}

/// What an include path is relative to.
enum Base {
    /// The including file's folder.
    Source,
    /// `concat!(env!("CARGO_MANIFEST_DIR"), "/…")`: the package root.
    ManifestDir,
}

/// The path of `include_str!("…")` or `include_str!(concat!(env!("CARGO_MANIFEST_DIR"),
/// "/…"))`; `None` for anything else (`OUT_DIR`, macro variables).
fn include_argument(args: TokenStream) -> Option<(String, Base)> {
    let args: Vec<TokenTree> = args.into_iter().collect();
    match args.as_slice() {
        [TokenTree::Literal(lit), ..] => Some((string_value(lit)?, Base::Source)),
        [TokenTree::Ident(concat), TokenTree::Punct(bang), TokenTree::Group(inner), ..]
            if concat == "concat" && bang.as_char() == '!' =>
        {
            let inner: Vec<TokenTree> = inner.stream().into_iter().collect();
            match inner.as_slice() {
                [
                    TokenTree::Ident(env),
                    TokenTree::Punct(_),
                    TokenTree::Group(var),
                    TokenTree::Punct(_),
                    TokenTree::Literal(rest),
                    ..,
                ] if env == "env" && var.stream().to_string() == "\"CARGO_MANIFEST_DIR\"" => {
                    Some((string_value(rest)?, Base::ManifestDir))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn is_cfg_test(token: Option<&TokenTree>) -> bool {
    matches!(token, Some(TokenTree::Group(g))
        if g.delimiter() == Delimiter::Bracket
            && g.stream().to_string().split_whitespace().collect::<String>() == "cfg(test)")
}

/// The value of a plain or raw string literal (`"a\\b"`, `r#"a"#`).
fn string_value(lit: &Literal) -> Option<String> {
    let text = lit.to_string();
    if let Some(raw) = text.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = raw.get(hashes..raw.len() - hashes)?;
        return body.strip_prefix('"')?.strip_suffix('"').map(str::to_owned);
    }
    let body = text.strip_prefix('"')?.strip_suffix('"')?;
    let mut value = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            value.push(c);
            continue;
        }
        match chars.next()? {
            'n' => value.push('\n'),
            't' => value.push('\t'),
            '0' => value.push('\0'),
            other => value.push(other), // \\ \" \'
        }
    }
    Some(value)
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
const S: &str = "include_str!(\"in-a-string.txt\")";
#[cfg(test)]
mod tests { const T: &str = include_str!("test-only.txt"); }
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
