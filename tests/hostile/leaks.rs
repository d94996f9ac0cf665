//! Every text that reaches an output is redacted and made visible: diffs, whole-run
//! errors, terminal lines, identifiers. The tokens are of shapes the secret patterns know,
//! made at run time, so that this file holds none.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::{PACKAGE, contains, git, report, run, shown_bytes, write};

/// A GitHub token (`ghp_` and 36 letters and digits); `n` tells them apart.
fn github_token(n: u32) -> String {
    format!("ghp_{}{n:04}", "Lk8T".repeat(8))
}

/// A crates.io token (`cio` and 32 letters and digits): a valid pre-release tag too.
fn crates_io_token() -> String {
    format!("cio{}", "m4Qz".repeat(8))
}

/// Bidirectional controls and zero-width characters, as a hostile manifest writes them.
const HIDDEN: [char; 5] = ['\u{202E}', '\u{202C}', '\u{200B}', '\u{2066}', '\u{2069}'];

/// Runs the binary on `manifest` with `args` (a subcommand first), from `scratch`.
fn run_on(manifest: &Path, scratch: &Path, args: &[&str]) -> Output {
    let mut all: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    all.extend([OsStr::new("--manifest-path"), manifest.as_os_str()]);
    let target = scratch.join("target");
    run(scratch, &all, &[("CARGO_TARGET_DIR", target.to_str().unwrap())], false)
}

/// The site's pages, report.json and summary.md (not the cards' pixels, nor fonts), by path.
fn text_files(site: &Path) -> Vec<(PathBuf, String)> {
    let text =
        |path: &Path| path.extension().is_some_and(|x| x == "html" || x == "md" || x == "json");
    walkdir::WalkDir::new(site)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && text(e.path()))
        .map(|e| (e.path().to_path_buf(), fs::read_to_string(e.path()).unwrap()))
        .collect()
}

fn head(repo: &Path) -> String {
    let out = Command::new("git").args(["rev-parse", "HEAD"]).current_dir(repo).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Since a baseline commit, a token went into `homepage` (a query parameter) and into the
/// `repository` URL (as its password), a token became a feature name and a dependency key,
/// and a crates.io token the pre-release tag; a second crate is named like a token. The
/// secret scan blocks the crate, and no token is in any output: not in the diff of
/// `--baseline` (page, report.json, summary.md), not in the manifest preview, not in a
/// site file's name, not on the terminal; nor in `verify`'s lines for the stale sign-off,
/// which still say which manifest keys changed.
#[test]
fn tokens_added_since_the_baseline_are_in_no_diff_and_no_line() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let named = github_token(5);
    let manifest = |extra: &str| format!("{PACKAGE}{extra}");
    write(
        &repo,
        &[
            (
                "Cargo.toml",
                &format!("[workspace]\nmembers = [\"victim\", \"{named}\"]\nresolver = \"2\"\n"),
            ),
            (
                "victim/Cargo.toml",
                &manifest(
                    "homepage = \"https://example.com/\"\nrepository = \"https://github.com/o/r\"\n",
                ),
            ),
            ("victim/src/lib.rs", "pub fn f() {}\n"),
            (
                &format!("{named}/Cargo.toml"),
                &PACKAGE.replace("\"victim\"", &format!("\"{named}\"")),
            ),
            (&format!("{named}/src/lib.rs"), "pub fn g() {}\n"),
        ],
    );
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "release"]);
    git(&repo, &["tag", "release"]);
    let base = head(&repo);

    let cio = crates_io_token();
    let added = manifest(&format!(
        "homepage = \"https://example.com/?token={}\"\nrepository = \"https://x:{}@github.com/o/r\"\n\n[features]\n{} = []\n\n[dependencies]\n{} = {{ path = \"../{named}\", version = \"0.1.0\", package = \"{named}\" }}\n",
        github_token(1),
        github_token(2),
        github_token(3),
        github_token(4),
    ))
    .replace("version = \"0.1.0\"\nedition", &format!("version = \"0.2.0-{cio}\"\nedition"));
    write(&repo, &[("victim/Cargo.toml", &added)]);
    let tokens: Vec<String> = (1..=5).map(github_token).chain([cio.clone()]).collect();

    let site = tmp.path().join("site");
    let manifest_path = repo.join("Cargo.toml");
    let output = run_on(
        &manifest_path,
        tmp.path(),
        &["--out", site.to_str().unwrap(), "--baseline", "release", "-v"],
    );
    assert_eq!(output.status.code(), Some(1), "the secret scan blocks: {output:?}");
    let all = shown_bytes(&site, &output);
    for token in &tokens {
        assert!(!contains(&all, token), "{token} is shown");
    }
    // The views are there, the tokens redacted in them.
    let report = report(&site);
    let victim = report["crates"].as_array().unwrap().iter().find(|c| c["name"] == "victim");
    let baseline = &victim.unwrap()["baseline"];
    assert_eq!(baseline["status"], "changed", "{baseline}");
    let changes = baseline["manifest_changes"].as_array().unwrap();
    let homepage = changes.iter().find(|c| c["key"] == "package.homepage").unwrap();
    assert!(homepage["after"].as_str().unwrap().contains("[redacted: GitHub token]"));
    assert!(changes.iter().any(|c| c["key"] == "features.[redacted: GitHub token]"), "{changes:?}");
    let page = fs::read_to_string(site.join("crates/victim/index.html")).unwrap();
    assert!(page.contains("package.homepage"), "the diff table is on the page");
    assert!(page.contains("[redacted: GitHub token]"));
    assert!(site.join("crates/-redacted--GitHub-token-/index.html").is_file());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("victim 0.2.0-[redacted: crates.io API token]"), "{stdout}");

    // `verify`: the sign-off names the baseline commit and another fingerprint.
    let zeros = "0".repeat(64);
    let signoff = format!(
        "[[signoff]]\nname = \"victim\"\nversion = \"0.2.0-{cio}\"\nfingerprint = \"sha256:{zeros}\"\nreviewer = \"r\"\ndate = 2026-01-01\ncommit = \"{base}\"\n"
    );
    write(&repo, &[("readiness-signoff.toml", &signoff)]);
    let verified = run_on(&manifest_path, tmp.path(), &["verify"]);
    assert_eq!(verified.status.code(), Some(1), "stale: {verified:?}");
    let stdout = String::from_utf8_lossy(&verified.stdout);
    assert!(stdout.contains("manifest package.homepage: https://example.com/ → https://example.com/?token=[redacted: GitHub token]"), "{stdout}");
    assert!(stdout.contains("manifest package.repository: https://github.com/o/r → https://x:[redacted: GitHub token]@github.com/o/r"), "{stdout}");
    let mut printed = verified.stdout.clone();
    printed.extend(&verified.stderr);
    for token in &tokens {
        assert!(!contains(&printed, token), "verify shows {token}: {stdout}");
    }
}

/// A run that fails as a whole (exit 2) quotes cargo's or the tool's own message, which
/// quotes the manifest: a token as a `links` value, a version requirement, a feature a
/// feature enables, or a check id in the readiness settings is redacted in that one line,
/// and no site is written.
#[test]
fn a_whole_run_failure_quotes_no_token() {
    let token = github_token(7);
    for (what, extra) in [
        ("links", format!("links = \"{token}\"\n")),
        ("requirement", format!("\n[dependencies]\nserde = \"{token}\"\n")),
        ("feature", format!("\n[features]\ndefault = [\"{token}\"]\n")),
        // A package's own bad table is that crate's finding; the workspace's stops the run.
        ("check id", format!("\n[workspace.metadata.readiness.checks]\n{token} = \"allow\"\n")),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let ws = tmp.path().join("ws");
        write(&ws, &[("Cargo.toml", &format!("{PACKAGE}{extra}")), ("src/lib.rs", "")]);
        let site = tmp.path().join("site");
        let output = run_on(&ws.join("Cargo.toml"), tmp.path(), &["--out", site.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{what}: {stderr}");
        assert!(stderr.starts_with("error: ") && stderr.lines().count() == 1, "{what}: {stderr}");
        assert!(stderr.contains("[redacted: GitHub token]"), "{what} is quoted: {stderr}");
        assert!(!contains(&shown_bytes(&site, &output), &token), "{what}: {stderr}");
        assert!(!site.exists(), "{what}: no site");
    }
}

/// Bidirectional controls and zero-width characters in the description, a keyword and a
/// category are shown as `<U+202E>` in summary.md (Markdown-escaped), on the terminal and
/// in the pages (the crate's description, the manifest preview, the findings), and are in
/// no output as themselves.
#[test]
fn hidden_characters_are_shown_in_the_summary_the_terminal_and_the_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let manifest = PACKAGE.replace(
        "description = \"d\"",
        "description = \"a safe \u{202E}exe.txt\u{202C} tool\u{200B}\"\nkeywords = [\"fine\", \"evil\u{202E}kw\"]\ncategories = [\"\u{2066}command-line-utilities\u{2069}\"]",
    );
    write(&ws, &[("Cargo.toml", &manifest), ("src/lib.rs", "pub fn f() {}\n")]);
    let site = tmp.path().join("site");
    let output =
        run_on(&ws.join("Cargo.toml"), tmp.path(), &["--out", site.to_str().unwrap(), "-v"]);
    assert_eq!(output.status.code(), Some(1), "the keyword blocks: {output:?}");

    let summary = fs::read_to_string(site.join("summary.md")).unwrap();
    assert!(summary.contains("evil&lt;U+202E&gt;kw"), "{summary}");
    assert!(summary.contains("&lt;U+2066&gt;command-line-utilities&lt;U+2069&gt;"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("evil<U+202E>kw"), "{stdout}");
    let page = fs::read_to_string(site.join("crates/victim/index.html")).unwrap();
    assert!(page.contains("a safe &lt;U+202E&gt;exe.txt&lt;U+202C&gt; tool&lt;U+200B&gt;"));
    let preview = page.split("id=\"manifest\"").nth(1).expect("a manifest preview");
    assert!(preview.contains("&lt;U+202E&gt;"), "in the manifest preview");

    let mut texts = text_files(&site);
    texts.push(("stdout".into(), stdout.into_owned()));
    texts.push(("stderr".into(), String::from_utf8_lossy(&output.stderr).into_owned()));
    for (path, text) in texts {
        for c in HIDDEN {
            assert!(!text.contains(c), "U+{:04X} in {}", u32::from(c), path.display());
        }
    }
}
