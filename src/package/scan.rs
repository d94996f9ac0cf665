//! Reads the packaged files' contents once more for what the checks need to know about
//! them: secrets (through [`crate::base::secrets`], every file whatever its size), and (through
//! [`super::modules`]) the files Rust sources pull in at compile time.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use super::modules::CompileInput;
use super::{ArchiveFile, Content};
use crate::base::error::Error;
use crate::base::secrets;

/// Rust sources larger than this are not searched for includes or counted.
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
    /// Why it looks like test data (a private key under a test folder or in code only
    /// tests compile): then a warning, not a blocker. See [`crate::base::secrets::test_data`].
    #[serde(default)]
    pub test_data: Option<String>,
}

/// Scans every packaged file, the generated ones too: names and contents, whatever their
/// size or encoding (see [`crate::base::secrets::scan`]).
/// `default_features`: the features `cargo publish`'s verification builds with.
pub fn scan(
    files: &[ArchiveFile],
    roots: &[PathBuf],
    default_features: BTreeSet<String>,
) -> Result<ContentFacts, Error> {
    let modules = super::modules::compile_inputs(files, roots, Some(default_features))?;
    let mut facts = ContentFacts::default();
    for file in files {
        // A Rust source's lines, when it was read whole: which are doc comments.
        let mut rust: Option<Vec<u8>> = None;
        let is_rust = file.path.extension().is_some_and(|e| e == "rs");
        let found = match &file.content {
            Content::Bytes(bytes) => secrets::scan(bytes.as_slice()),
            // Rust sources are read whole (they are small) to count their lines too.
            Content::File(disk) if is_rust && file.size <= MAX_SCANNED => {
                let bytes = crate::base::paths::read_bounded(disk, file.size)
                    .map_err(|e| Error::io(disk, e))?;
                facts.rust_lines += String::from_utf8_lossy(&bytes)
                    .lines()
                    .map(str::trim)
                    .filter(|line| !line.is_empty() && !line.starts_with("//"))
                    .count() as u64;
                let found = secrets::scan(bytes.as_slice());
                rust = Some(bytes);
                found
            }
            Content::File(disk) => crate::base::paths::open_regular(disk)
                .and_then(|f| secrets::scan(f.take(file.size))),
        };
        let hit = |line: usize, kind: &str| {
            let in_doc_comment = rust.as_deref().is_some_and(|bytes| {
                let text = line.checked_sub(1).and_then(|i| bytes.split(|b| *b == b'\n').nth(i));
                let text = String::from_utf8_lossy(text.unwrap_or_default());
                let text = text.trim_start();
                // `////` is a plain comment, not a doc comment.
                (text.starts_with("///") && !text.starts_with("////")) || text.starts_with("//!")
            });
            let in_test_code = modules.in_test_code(&file.path, line);
            let line_is = secrets::test_data::Line { in_test_code, in_doc_comment };
            SecretHit {
                path: file.path.clone(),
                line,
                kind: kind.to_owned(),
                test_data: secrets::test_data::reason(kind, &file.path, line_is),
            }
        };
        if let Some(kind) = secrets::in_name(&file.path) {
            facts.secrets.push(hit(0, kind));
        }
        let found = found.map_err(|e| Error::io(&file.path, e))?;
        facts.secrets.extend(found.into_iter().map(|h| hit(h.line, h.kind)));
    }
    facts.compile_inputs = modules.inputs;
    facts.out_dir_uses = modules.out_dir_uses;
    Ok(facts)
}
