//! What the precision of the checks opens to a pull request: sources that nest without
//! end (the module walk reads them), links to links (cargo follows each link, so the
//! listing can grow exponentially), and live secrets dressed as placeholders, test data or
//! documentation.

use serde_json::Value;

use super::{PACKAGE, contains, failing, report, shown_bytes, site_run, write};

/// The message of the only crate's check `id`, which must fail.
fn failed_message(report: &Value, id: &str) -> String {
    let checks = report["crates"][0]["checks"].as_array().unwrap();
    let check = checks.iter().find(|c| c["id"] == id).unwrap();
    assert_eq!(check["status"], "fail", "{id}: {check}");
    check["message"].as_str().unwrap().to_owned()
}

/// A source nested 200,000 groups deep (and a `cfg` predicate 20,000 `not(` deep) ends
/// the module walk, not the process: the crate is reported like any other.
#[test]
fn sources_nested_without_end_are_reported_not_crashed_on() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let depth = 200_000;
    let nested = format!("const X: u8 = {}1{};\n", "(".repeat(depth), ")".repeat(depth));
    let predicate =
        format!("#[cfg({}test{})]\nmod t;\n", "not(".repeat(20_000), ")".repeat(20_000));
    write(&ws, &[("Cargo.toml", PACKAGE), ("src/lib.rs", &format!("{nested}{predicate}"))]);
    let (output, site) = site_run(&ws.join("Cargo.toml"), tmp.path(), &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.code().is_some_and(|c| c < 2), "{output:?}");
    assert!(!stderr.contains("panicked") && !stderr.contains("overflow"), "{stderr}");
    let report = report(&site);
    assert_eq!(report["crates"][0]["name"], "victim");
    // Past the nesting the tool reads (256 levels), the crate is that crate's finding.
    assert!(failing(&report, "victim").contains(&"crate-not-checked".to_owned()));
}

/// Twenty folders, each with two links to the next: cargo would list 2^20 paths. The
/// listing stops following links after its budget, says so, and the run ends in time.
#[cfg(unix)]
#[test]
fn links_to_links_are_followed_within_a_budget() {
    for git_mode in [true, false] {
        let tmp = tempfile::tempdir().unwrap();
        let ws = tmp.path().join("ws");
        write(&ws, &[("Cargo.toml", PACKAGE), ("src/lib.rs", "pub fn f() {}\n")]);
        for level in 0..20 {
            write(&ws, &[(&format!("l{level}/file.txt"), "x\n")]);
            for link in ["a", "b"] {
                let target = format!("../l{}", level + 1);
                std::os::unix::fs::symlink(target, ws.join(format!("l{level}/{link}"))).unwrap();
            }
        }
        write(&ws, &[("l20/file.txt", "end\n")]);
        if git_mode {
            super::git(&ws, &["init", "-q"]);
            super::git(&ws, &["add", "-A"]);
        }
        let (output, site) = site_run(&ws.join("Cargo.toml"), tmp.path(), &[]);
        assert!(output.status.code().is_some_and(|c| c < 2), "git {git_mode}: {output:?}");
        let report = report(&site);
        let archive = &report["crates"][0]["archive"];
        let files = archive["files"].as_array().unwrap().len();
        assert!(files <= 20_100, "git {git_mode}: {files} files");
        let warnings = archive["warnings"].to_string();
        assert!(
            warnings.contains("symbolic links to folders lead to more than 20000 entries"),
            "git {git_mode}: {warnings}"
        );
    }
}

/// Only what is obviously no key, or a key in test data, is eased: a real key followed by
/// `...`, under `cfg(not(test))` or `cfg(any(test, unix))`, and a token under `tests/`
/// still block; a key under `tests/` is a warning. No output holds any of them.
#[test]
fn live_secrets_dressed_as_placeholders_or_test_data_still_count() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let header = |end: &str| format!("-----{end} {}PRIVATE KEY-----", "");
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let line = |seed: u32| -> String {
        (0..64u32)
            .map(|i| alphabet[((i + seed * 64).wrapping_mul(2654435761) >> 26) as usize] as char)
            .collect()
    };
    let key = |seed: u32| {
        let body: Vec<String> = (0..20).map(|n| line(seed * 20 + n)).collect();
        format!("{}\\n{}\\n", header("BEGIN"), body.join("\\n"))
    };
    let token = format!("ghp_{}", "Qw3R".repeat(9));
    let lib = format!(
        "pub const A: &str = \"{}...\\n{}\";\n\
         #[cfg(not(test))]\npub const B: &str = \"{}{}\";\n\
         #[cfg(any(test, unix))]\npub const C: &str = \"{}{}\";\n\
         #[cfg(test)]\nmod tests {{ const P: &str = \"{}\\nQQ==\\n{}\"; }}\n",
        key(1),
        header("END"),
        key(2),
        header("END"),
        key(3),
        header("END"),
        header("BEGIN"),
        header("END"),
    );
    let test_key = key(4).replace("\\n", "\n") + &header("END");
    write(
        &ws,
        &[
            ("Cargo.toml", PACKAGE),
            ("src/lib.rs", &lib),
            ("tests/data/server.pem", &test_key),
            ("tests/data/ci.txt", &format!("token = {token}\n")),
        ],
    );
    let (output, site) = site_run(&ws.join("Cargo.toml"), tmp.path(), &[]);
    assert_eq!(output.status.code(), Some(1), "blocked: {output:?}");
    let report = report(&site);
    let blocked = failed_message(&report, "secret-in-archive");
    for needle in ["src/lib.rs line 1 ", "src/lib.rs line 3 ", "src/lib.rs line 5 ", "ci.txt"] {
        assert!(blocked.contains(needle), "{needle} not in: {blocked}");
    }
    assert!(!blocked.contains("line 7") && !blocked.contains("server.pem"), "{blocked}");
    let warned = failed_message(&report, "secret-in-test-data");
    assert!(
        warned.contains(
            "tests/data/server.pem line 1 (private key, under a test or example folder, tests/)"
        ),
        "{warned}"
    );
    let all = shown_bytes(&site, &output);
    for secret in [header("BEGIN"), line(4 * 20), line(20), token] {
        assert!(!contains(&all, &secret), "{secret} leaked");
    }
}

/// Only documentation is eased: a key in a doc comment (`///`) or a Markdown file is a
/// warning, but the same key after `////` (a plain comment), in code whose string holds
/// `///`, and a token in the README still block. No output holds any of them.
#[test]
fn live_secrets_dressed_as_documentation_still_count() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let header = format!("-----BEGIN {}PRIVATE KEY-----", "");
    let body = |seed: u8| -> String {
        (0..40u32).map(|i| char::from(b'A' + ((i * 7 + u32::from(seed) * 3) % 26) as u8)).collect()
    };
    let token = format!("ghp_{}", "Zx9K".repeat(9));
    let lib = format!(
        "/// {header}\n/// {}\n/// {}\npub fn documented() {{}}\n\
         //// {header}\n//// {}\n//// {}\n\
         pub const K: &str = \"/// {header}\\n{}{}\";\n",
        body(1),
        body(2),
        body(3),
        body(4),
        body(5),
        body(6),
    );
    let readme =
        format!("# victim\n\n```text\n{header}\n{}\n{}\n```\n\ntoken: {token}\n", body(7), body(8));
    let manifest = format!("{PACKAGE}readme = \"README.md\"\n");
    write(&ws, &[("Cargo.toml", &manifest), ("src/lib.rs", &lib), ("README.md", &readme)]);
    let (output, site) = site_run(&ws.join("Cargo.toml"), tmp.path(), &[]);
    assert_eq!(output.status.code(), Some(1), "blocked: {output:?}");
    let report = report(&site);
    let blocked = failed_message(&report, "secret-in-archive");
    for needle in ["src/lib.rs line 5 ", "src/lib.rs line 8 ", "README.md line 9 "] {
        assert!(blocked.contains(needle), "{needle} not in: {blocked}");
    }
    assert!(!blocked.contains("src/lib.rs line 1 "), "{blocked}");
    let warned = failed_message(&report, "secret-in-test-data");
    for needle in [
        "src/lib.rs line 1 (private key, in a doc comment",
        "README.md line 4 (private key, in a Markdown file",
    ] {
        assert!(warned.contains(needle), "{needle} not in: {warned}");
    }
    let all = shown_bytes(&site, &output);
    for secret in [header.clone(), body(1), body(4), body(5), body(7), token] {
        assert!(!contains(&all, &secret), "{secret} leaked");
    }
}
