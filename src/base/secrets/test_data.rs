//! Private keys that look like test data: in a file under a test or example folder, in
//! code only tests compile, or in documentation (a Markdown file, a doc comment: an
//! example, published on purpose). Such a key is still published for everyone to read, so it stays a
//! finding (a warning that says why, not a blocker) and is redacted like any other.
//! Tokens are never test data: a token in a test is a live credential all the same.

use std::path::{Component, Path};

/// The kinds of finding that may be test data: private keys, by content or by file name.
const KEY_KINDS: [&str; 2] = ["private key", "SSH private key"];

/// Folder names that hold test data (any case): `tests`, `test`, `testdata`, `testing`,
/// `fixtures`, `fixture`, `benches`, `examples`, `example`, and any name starting with
/// `test-` or `test_` (`test-data`, `test_vectors`, `test-ca`). An example's key is as
/// public as a test's: a demonstration key, published on purpose.
fn is_test_folder(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "tests"
            | "test"
            | "testdata"
            | "testing"
            | "fixtures"
            | "fixture"
            | "benches"
            | "examples"
            | "example"
    ) || name.starts_with("test-")
        || name.starts_with("test_")
}

/// Where a finding's line is, besides its file's path.
#[derive(Debug, Clone, Copy, Default)]
pub struct Line {
    /// In code only tests compile.
    pub in_test_code: bool,
    /// In a doc comment (`///`, `//!`).
    pub in_doc_comment: bool,
}

/// Why a finding of `kind` in the packaged file `path` (archive path) looks like test
/// data, or `None` when it does not.
pub fn reason(kind: &str, path: &Path, line: Line) -> Option<String> {
    if !KEY_KINDS.contains(&kind) {
        return None;
    }
    let folders = path.parent().map(Path::components).into_iter().flatten();
    let folder = folders.filter_map(|c| match c {
        Component::Normal(name) => name.to_str(),
        _ => None,
    });
    if let Some(folder) = folder.into_iter().find(|name| is_test_folder(name)) {
        return Some(format!("under a test or example folder, {folder}/"));
    }
    let markdown = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("md"));
    if line.in_test_code {
        Some("in code only tests compile (#[cfg(test)])".to_owned())
    } else if line.in_doc_comment {
        Some("in a doc comment: an example in the documentation".to_owned())
    } else {
        markdown.then(|| "in a Markdown file: an example in the documentation".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_under_test_folders_or_in_test_code_are_test_data() {
        let reason = |kind, path: &str, in_test_code| {
            let line = Line { in_test_code, in_doc_comment: false };
            super::reason(kind, Path::new(path), line)
        };
        assert_eq!(
            reason("private key", "src/transport/testdata/key.pem", false).as_deref(),
            Some("under a test or example folder, testdata/")
        );
        assert_eq!(
            reason("SSH private key", "tests/fixtures/id_rsa", false).as_deref(),
            Some("under a test or example folder, tests/")
        );
        for path in [
            "test-ca/rsa/end.key",
            "Tests/k.pem",
            "benches/k.pem",
            "a/test_keys/k",
            "examples/ssl-key.pem",
        ] {
            assert!(reason("private key", path, false).is_some(), "{path}");
        }
        assert_eq!(
            reason("private key", "src/pool.rs", true).as_deref(),
            Some("in code only tests compile (#[cfg(test)])")
        );
        for path in ["src/key.pem", "tests.pem", "latest/k.pem", "contest/k.pem"] {
            assert_eq!(reason("private key", path, false), None, "{path}");
        }
        // Tokens and credentials files are live wherever they are.
        assert_eq!(reason("GitHub token", "tests/fixtures/config", true), None);
        assert_eq!(reason("environment file", "tests/.env", false), None);
    }

    /// A key in a README's code block (pem-rfc7468 0.7.0) or in a doc comment's example
    /// (ssh-key 0.6.7) is an example the crate documents; in plain code it is not.
    #[test]
    fn keys_in_documentation_are_examples() {
        let doc = Line { in_test_code: false, in_doc_comment: true };
        let code = Line::default();
        let reason = |path: &str, line| super::reason("private key", Path::new(path), line);
        assert_eq!(
            reason("src/private.rs", doc).as_deref(),
            Some("in a doc comment: an example in the documentation")
        );
        assert_eq!(
            reason("README.md", code).as_deref(),
            Some("in a Markdown file: an example in the documentation")
        );
        assert_eq!(reason("src/private.rs", code), None);
        assert_eq!(reason("README.txt", code), None);
        let token = super::reason("GitHub token", Path::new("README.md"), doc);
        assert_eq!(token, None, "a token is live wherever it is");
    }

    #[test]
    fn the_key_kinds_are_those_the_scan_reports() {
        let header = format!("-----BEGIN {} PRIVATE KEY-----\n", "RSA");
        let body: String = (0..200u32).map(|i| char::from(b'A' + (i * 7 % 26) as u8)).collect();
        let hits = crate::base::secrets::scan(format!("{header}{body}\n").as_bytes()).unwrap();
        assert_eq!(hits.iter().map(|h| h.kind).collect::<Vec<_>>(), [KEY_KINDS[0]]);
        assert_eq!(crate::base::secrets::in_name(Path::new("id_ed25519")), Some(KEY_KINDS[1]));
    }
}
