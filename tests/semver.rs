//! The version verdict (issue 27): fixture pairs, each two tagged commits of one crate in a
//! throwaway repository, compared with `--baseline`. The manifest's changes are found
//! without the build check; the public API's with `--build` and the installed
//! `cargo-semver-checks` (those tests say why they skip where it is not installed), whose
//! own verdict on the same pairs the last test compares with ours.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use common::repo::{commit, git, init_and_commit, write};

/// A published crate with everything crates.io likes, at `version`, `extra` appended to
/// its manifest.
fn manifest(version: &str, extra: &str) -> String {
    format!(
        "[package]\nname = \"demo\"\nversion = \"{version}\"\nedition = \"2021\"\ndescription = \"A demo.\"\nlicense = \"MIT\"\nrepository = \"https://example.com/demo\"\nkeywords = [\"demo\"]\ncategories = [\"development-tools\"]\nreadme = \"README.md\"\n{extra}"
    )
}

/// A crate at `before` (tagged `v<old>`), then at `after` (committed on top).
struct Pair {
    tmp: tempfile::TempDir,
    old: String,
}

impl Pair {
    fn new(old: &str, before: &[(&str, &str)], after: &[(&str, &str)]) -> Pair {
        let pair = Pair { tmp: tempfile::tempdir().unwrap(), old: old.to_owned() };
        let ws = pair.ws();
        write(&ws, &[("README.md", "# demo\n")]);
        write(&ws, before);
        init_and_commit(&ws, "before");
        git(&ws, &["tag", &format!("v{old}")]);
        write(&ws, after);
        commit(&ws, "after");
        pair
    }

    fn ws(&self) -> PathBuf {
        self.tmp.path().join("ws")
    }

    /// The tool run with `--baseline v<old>` and `args`: its report and its exit code.
    fn report(&self, args: &[&str], path: Option<&str>) -> (Value, i32) {
        let site = self.tmp.path().join("site");
        let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-readiness"));
        command
            .args(args)
            .arg("--baseline")
            .arg(format!("v{}", self.old))
            .arg("--manifest-path")
            .arg(self.ws().join("Cargo.toml"))
            .arg("--out")
            .arg(&site)
            .env("NO_COLOR", "1")
            .env("CARGO_READINESS_CACHE_DIR", self.tmp.path().join("cache"))
            .env("CARGO_TARGET_DIR", self.tmp.path().join("target"));
        if let Some(path) = path {
            command.env("PATH", path);
        }
        let output = command.output().unwrap();
        let code = output.status.code().unwrap();
        assert!(code < 2, "{}", String::from_utf8_lossy(&output.stderr));
        let report = std::fs::read_to_string(site.join("report.json")).unwrap();
        (serde_json::from_str(&report).unwrap(), code)
    }
}

fn krate(report: &Value) -> &Value {
    &report["crates"][0]
}

/// The status of check `id`.
fn status<'a>(report: &'a Value, id: &str) -> &'a str {
    let checks = krate(report)["checks"].as_array().unwrap();
    let check = checks.iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no {id}"));
    check["status"].as_str().unwrap()
}

/// Each change of the verdict as (id, item, level, required).
fn changes(report: &Value) -> Vec<(String, String, String, bool)> {
    let changes = krate(report)["semver"]["changes"].as_array().unwrap();
    changes
        .iter()
        .map(|c| {
            let text = |key: &str| c[key].as_str().unwrap().to_owned();
            (text("id"), text("item"), text("level"), c["required"].as_bool().unwrap())
        })
        .collect()
}

/// Whether `cargo-semver-checks` is on `PATH`; prints why a test skips when it is not.
fn semver_checks_installed(test: &str) -> bool {
    let found = Command::new("cargo-semver-checks").args(["semver-checks", "--version"]).output();
    let installed = found.is_ok_and(|o| o.status.success());
    if !installed {
        eprintln!(
            "{test}: skipped, cargo-semver-checks is not installed (cargo install cargo-semver-checks --locked)"
        );
    }
    installed
}

#[test]
fn a_removed_feature_is_caught_without_the_build_check() {
    let lib = ("src/lib.rs", "pub fn parse() {}\n");
    let before = manifest("1.4.2", "\n[features]\nstd = []\nold = []\n");
    let after = manifest("1.5.0", "\n[features]\nstd = []\n");
    let pair = Pair::new("1.4.2", &[("Cargo.toml", &before), lib], &[("Cargo.toml", &after)]);
    let (report, code) = pair.report(&[], None);
    assert_eq!(code, 1, "blocked");
    assert_eq!(status(&report, "version-bump-too-small"), "fail");
    let semver = &krate(&report)["semver"];
    assert_eq!(semver["compared_with"], "baseline");
    assert_eq!(semver["since"], "1.4.2");
    assert_eq!(semver["required_bump"], "major");
    assert_eq!(semver["required_version"], "2.0.0");
    assert_eq!(semver["manifest_bump"], "minor");
    assert_eq!(semver["api"]["compared"], false);
    assert_eq!(semver["api"]["reason"], "the build check is off (--build)");
    assert_eq!(
        changes(&report),
        [("feature-removed".into(), "features.old".into(), "major".into(), true)]
    );
    let message = &krate(&report)["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "version-bump-too-small")
        .unwrap()["message"];
    assert_eq!(
        message,
        "Since 1.4.2: 1 breaking change (features.old: feature removed) — needs 2.0.0, the manifest says 1.5.0."
    );
    // The page and summary.md say it in one line.
    let line =
        "1 breaking change (features.old: feature removed) — needs 2.0.0, the manifest says 1.5.0.";
    let page =
        std::fs::read_to_string(pair.tmp.path().join("site/crates/demo/index.html")).unwrap();
    assert!(page.contains(&format!("Since v1.4.2 (1.4.2): {line}")), "{page}");
    let summary = std::fs::read_to_string(pair.tmp.path().join("site/summary.md")).unwrap();
    assert!(
        summary.contains("- [demo](crates/demo/index.html#semver): Since v1.4.2 (1.4.2)"),
        "{summary}"
    );

    // Released as 2.0.0, nothing is short; what only the API could tell is not checked.
    let major = manifest("2.0.0", "\n[features]\nstd = []\n");
    let pair = Pair::new("1.4.2", &[("Cargo.toml", &before), lib], &[("Cargo.toml", &major)]);
    let (report, code) = pair.report(&[], None);
    assert_eq!(code, 0);
    assert_eq!(status(&report, "version-bump-too-small"), "pass");
    assert_eq!(status(&report, "version-bump-larger-than-needed"), "pass");
}

#[test]
fn a_patch_release_that_raises_rust_version_is_warned() {
    let lib = ("src/lib.rs", "pub fn parse() {}\n");
    let before = manifest("1.4.2", "rust-version = \"1.70\"\n");
    let after = manifest("1.4.3", "rust-version = \"1.80\"\n");
    let pair = Pair::new("1.4.2", &[("Cargo.toml", &before), lib], &[("Cargo.toml", &after)]);
    let (report, code) = pair.report(&["--deny", "warnings"], None);
    assert_eq!(code, 1, "warned");
    assert_eq!(krate(&report)["verdict"], "warnings");
    assert_eq!(status(&report, "version-bump-smaller-than-expected"), "fail");
    assert_eq!(status(&report, "version-bump-too-small"), "not-checked");
    assert_eq!(
        changes(&report),
        [("rust-version-raised".into(), "package.rust-version".into(), "minor".into(), false)]
    );
    assert_eq!(krate(&report)["semver"]["expected_version"], "1.5.0");
    // As a minor release it is what cargo's guide expects.
    let minor = manifest("1.5.0", "rust-version = \"1.80\"\n");
    let pair = Pair::new("1.4.2", &[("Cargo.toml", &before), lib], &[("Cargo.toml", &minor)]);
    let (report, _) = pair.report(&[], None);
    assert_eq!(status(&report, "version-bump-smaller-than-expected"), "pass");
}

/// Without a comparison point, every version check says why it did not look.
#[test]
fn without_a_comparison_the_checks_are_not_checked() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        &[("Cargo.toml", &manifest("1.0.0", "")), ("src/lib.rs", ""), ("README.md", "# d\n")],
    );
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-readiness"))
        .arg("--manifest-path")
        .arg(tmp.path().join("Cargo.toml"))
        .arg("--out")
        .arg(tmp.path().join("site"))
        .env("CARGO_READINESS_CACHE_DIR", tmp.path().join("cache"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("site/report.json")).unwrap())
            .unwrap();
    for id in [
        "version-bump-too-small",
        "version-bump-smaller-than-expected",
        "version-bump-larger-than-needed",
    ] {
        assert_eq!(status(&report, id), "not-checked", "{id}");
    }
    assert!(krate(&report).get("semver").is_none());
}

/// The API pairs: (name, lib.rs before, lib.rs after, version after).
const API_PAIRS: [(&str, &str, &str, &str); 3] = [
    ("removed function", "pub fn parse() {}\npub fn keep() {}\n", "pub fn keep() {}\n", "1.5.0"),
    ("variant added", "pub enum Mode { A, B }\n", "pub enum Mode { A, B, C }\n", "1.5.0"),
    ("function added", "pub fn parse() {}\n", "pub fn parse() {}\npub fn added() {}\n", "1.5.0"),
];

fn api_pair(before: &str, after: &str, version: &str) -> Pair {
    Pair::new(
        "1.4.2",
        &[("Cargo.toml", &manifest("1.4.2", "")), ("src/lib.rs", before)],
        &[("Cargo.toml", &manifest(version, "")), ("src/lib.rs", after)],
    )
}

#[test]
fn the_public_api_is_compared_with_the_build_check() {
    if !semver_checks_installed("the_public_api_is_compared_with_the_build_check") {
        return;
    }
    let [(_, before, after, version), (_, enum_before, enum_after, _), (_, same, added, _)] =
        API_PAIRS;
    // A removed public function released as a minor is blocked.
    let (report, code) = api_pair(before, after, version).report(&["--build"], None);
    assert_eq!(code, 1);
    assert_eq!(status(&report, "version-bump-too-small"), "fail");
    assert_eq!(krate(&report)["semver"]["api"]["compared"], true);
    assert_eq!(
        changes(&report),
        [("function_missing".into(), "function demo::parse".into(), "major".into(), true)]
    );
    let change = &krate(&report)["semver"]["changes"][0];
    assert_eq!(change["location"], "src/lib.rs:1");
    assert_eq!(change["docs"], "https://doc.rust-lang.org/cargo/reference/semver.html#item-remove");

    // An added variant of an exhaustive enum is blocked.
    let (report, code) = api_pair(enum_before, enum_after, version).report(&["--build"], None);
    assert_eq!(code, 1);
    assert_eq!(status(&report, "version-bump-too-small"), "fail");
    let found = changes(&report);
    assert_eq!(found[0].0, "enum_variant_added", "{found:?}");
    assert_eq!(krate(&report)["semver"]["required_version"], "2.0.0");

    // An added function is a minor change, and passes as a minor release.
    let (report, code) = api_pair(same, added, version).report(&["--build"], None);
    assert_eq!(code, 0);
    assert_eq!(
        changes(&report),
        [("item-added".into(), "function demo::added".into(), "minor".into(), false)]
    );
    let semver = &krate(&report)["semver"];
    assert_eq!(
        (&semver["required_bump"], &semver["expected_bump"]),
        (&"none".into(), &"minor".into())
    );
    for id in [
        "version-bump-too-small",
        "version-bump-smaller-than-expected",
        "version-bump-larger-than-needed",
    ] {
        assert_eq!(status(&report, id), "pass", "{id}");
    }
    // As a patch it is expected to be a minor; as a major, larger than needed.
    let (report, _) = api_pair(same, added, "1.4.3").report(&["--build"], None);
    assert_eq!(status(&report, "version-bump-smaller-than-expected"), "fail");
    let (report, _) = api_pair(same, added, "2.0.0").report(&["--build"], None);
    assert_eq!(status(&report, "version-bump-larger-than-needed"), "fail");
}

/// A crate whose documentation does not build (a broken intra-doc link it denies) is not
/// compared, with rustdoc's first error, and never passed.
#[test]
fn a_crate_whose_documentation_fails_is_not_checked() {
    if !semver_checks_installed("a_crate_whose_documentation_fails_is_not_checked") {
        return;
    }
    let broken =
        "#![deny(rustdoc::broken_intra_doc_links)]\n/// See [`Missing`].\npub fn keep() {}\n";
    let (report, _) = api_pair("pub fn keep() {}\n", broken, "1.4.3").report(&["--build"], None);
    let api = &krate(&report)["semver"]["api"];
    assert_eq!(api["compared"], false);
    let reason = api["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("its documentation did not build: error: unresolved link to `Missing`"),
        "{reason}"
    );
    assert!(reason.ends_with("(src/lib.rs:2:11)"), "{reason}");
    for id in ["version-bump-too-small", "version-bump-smaller-than-expected"] {
        assert_eq!(status(&report, id), "not-checked", "{id}");
    }
}

/// Without `cargo-semver-checks` on `PATH` the API is not compared, and the page says how
/// to install it; the manifest's changes are still found.
#[test]
fn without_cargo_semver_checks_the_api_is_not_compared() {
    let cargo = which("cargo");
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in ["cargo", "rustc", "rustdoc"] {
        std::os::unix::fs::symlink(cargo.with_file_name(tool), bin.join(tool)).unwrap();
    }
    let (_, before, after, version) = API_PAIRS[0];
    let (report, _) = api_pair(before, after, version).report(&["--build"], bin.to_str());
    let semver = &krate(&report)["semver"];
    assert_eq!(semver["api"]["compared"], false);
    assert_eq!(
        semver["api"]["reason"],
        "cargo-semver-checks not installed (cargo install cargo-semver-checks --locked)"
    );
    assert_eq!(status(&report, "version-bump-too-small"), "not-checked");
}

fn which(program: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{program} is not on PATH"))
}

/// Our verdict on each API pair is `cargo semver-checks`' own, run on the same two commits
/// (`--baseline-root` on the tag checked out, `--manifest-path` on the commit after).
#[test]
fn the_verdicts_agree_with_cargo_semver_checks() {
    if !semver_checks_installed("the_verdicts_agree_with_cargo_semver_checks") {
        return;
    }
    for (name, before, after, version) in API_PAIRS {
        let pair = api_pair(before, after, version);
        let (report, _) = pair.report(&["--build"], None);
        let ours = status(&report, "version-bump-too-small") == "pass";
        let old = pair.tmp.path().join("old");
        git(&pair.ws(), &["worktree", "add", "-q", old.to_str().unwrap(), "v1.4.2"]);
        let theirs = cargo_semver_checks(&pair.ws(), &old, pair.tmp.path());
        assert_eq!(
            ours, theirs,
            "{name}: ours passes: {ours}, cargo semver-checks passes: {theirs}"
        );
    }
}

/// Whether `cargo semver-checks` passes the crate in `new` against `old`.
fn cargo_semver_checks(new: &Path, old: &Path, tmp: &Path) -> bool {
    let output = Command::new("cargo-semver-checks")
        .args(["semver-checks", "check-release", "--default-features", "--manifest-path"])
        .arg(new.join("Cargo.toml"))
        .arg("--baseline-root")
        .arg(old)
        .env("CARGO_TARGET_DIR", tmp.join("semver-checks-target"))
        .output()
        .unwrap();
    let code = output.status.code().unwrap();
    assert!(code == 0 || code == 100, "{}", String::from_utf8_lossy(&output.stderr));
    code == 0
}
