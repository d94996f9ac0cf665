//! The version verdict (issue 27) compares a crate with its past: the manifests need no
//! compiler, the public API does (`--build`). Nothing of either side runs without
//! `--build`, the API tool is never one the checkout names, and what it says about the
//! crate's items is redacted like everything else.

use std::fs;
use std::path::Path;

use super::{PACKAGE, contains, every_output_byte, git, report, run, write};

/// A repository at `<tmp>/ws`: `before` committed and tagged `v1`, then `after` committed.
fn history(tmp: &Path, before: &[(&str, &str)], after: &[(&str, &str)]) -> std::path::PathBuf {
    let ws = tmp.join("ws");
    write(&ws, before);
    git(&ws, &["init", "-q"]);
    git(&ws, &["add", "-A"]);
    git(&ws, &["commit", "-q", "-m", "one"]);
    git(&ws, &["tag", "v1"]);
    write(&ws, after);
    git(&ws, &["add", "-A"]);
    git(&ws, &["commit", "-q", "-m", "two"]);
    ws
}

/// The tool run in `cwd` on `ws` with `--baseline v1` and `args`; the site is `<tmp>/site`.
fn compare(
    tmp: &Path,
    cwd: &Path,
    ws: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> std::process::Output {
    let manifest = ws.join("Cargo.toml");
    let out = tmp.join("site");
    let target = tmp.join("target");
    let mut all: Vec<&std::ffi::OsStr> = vec![
        "--manifest-path".as_ref(),
        manifest.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--baseline".as_ref(),
        "v1".as_ref(),
    ];
    all.extend(args.iter().map(|a| std::ffi::OsStr::new(*a)));
    let mut env = env.to_vec();
    env.push(("CARGO_TARGET_DIR", target.to_str().unwrap()));
    run(cwd, &all, &env, false)
}

/// A build script on either side that would write outside runs neither in the comparison
/// nor in the version verdict without `--build`: the manifest's breaking change is still
/// found, and the API is "not compared" with the reason.
#[test]
fn no_build_script_runs_for_the_verdict_without_build() {
    let tmp = tempfile::tempdir().unwrap();
    let marker = tmp.path().join("PWNED");
    let script = format!("fn main() {{ std::fs::write({:?}, \"x\").unwrap(); }}\n", marker);
    let before = format!("{PACKAGE}build = \"build.rs\"\n[features]\nold = []\n");
    let after = format!("{}build = \"build.rs\"\n", PACKAGE.replace("0.1.0", "0.1.1"));
    let ws = history(
        tmp.path(),
        &[("Cargo.toml", &before), ("src/lib.rs", "pub fn f() {}\n"), ("build.rs", &script)],
        &[("Cargo.toml", &after), ("src/lib.rs", "pub fn g() {}\n")],
    );
    let output = compare(tmp.path(), tmp.path(), &ws, &[], &[]);
    assert_eq!(output.status.code(), Some(1), "blocked: {output:?}");
    assert!(!marker.exists(), "a build script ran without --build");
    let site = tmp.path().join("site");
    let report = report(&site);
    let semver = &report["crates"][0]["semver"];
    assert_eq!(semver["api"]["reason"], "the build check is off (--build)", "{semver}");
    assert_eq!(semver["changes"][0]["item"], "features.old");
    assert_eq!(semver["required_version"], "0.2.0");
    let everything = [every_output_byte(&site), output.stdout, output.stderr].concat();
    assert!(!contains(&everything, marker.to_str().unwrap()), "the marker's path is shown");
}

/// A `cargo-semver-checks` in the checkout, on `PATH` by an absolute entry or a relative
/// one (resolved against the folder the tool runs in, the checkout), is never run: the
/// API is "not compared", and the verdict says how to install the real one.
#[cfg(unix)]
#[test]
fn a_cargo_semver_checks_in_the_checkout_never_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let marker = tmp.path().join("PWNED");
    let fake = format!("#!/bin/sh\ntouch {}\necho cargo-semver-checks 9.9.9\n", marker.display());
    let ws = history(
        tmp.path(),
        &[("Cargo.toml", PACKAGE), ("src/lib.rs", "pub fn f() {}\n")],
        &[("src/lib.rs", "pub fn g() {}\n")],
    );
    super::executable(&ws.join("tools/cargo-semver-checks"), &fake);
    // cargo and rustc from the toolchain, alone in a folder outside.
    let bin = tmp.path().join("bin");
    fs::create_dir_all(&bin).unwrap();
    let path = std::env::var_os("PATH").unwrap();
    let cargo = std::env::split_paths(&path).map(|d| d.join("cargo")).find(|p| p.is_file());
    let cargo = cargo.expect("cargo on PATH");
    for tool in ["cargo", "rustc", "rustdoc"] {
        std::os::unix::fs::symlink(cargo.with_file_name(tool), bin.join(tool)).unwrap();
    }
    let path = format!("{}:tools:{}", ws.join("tools").display(), bin.display());
    let output = compare(tmp.path(), &ws, &ws, &["--build"], &[("PATH", &path)]);
    assert!(output.status.code().is_some_and(|c| c < 2), "{output:?}");
    assert!(!marker.exists(), "the checkout's cargo-semver-checks ran");
    let report = report(&tmp.path().join("site"));
    assert_eq!(
        report["crates"][0]["semver"]["api"]["reason"],
        "cargo-semver-checks not installed (cargo install cargo-semver-checks --locked)"
    );
}

/// An item whose name is a token, removed: what cargo-semver-checks says of it is
/// redacted in every output (where it is installed; the test says so where it is not).
#[test]
fn a_token_in_an_items_name_is_redacted() {
    let installed = std::process::Command::new("cargo-semver-checks")
        .args(["semver-checks", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        eprintln!(
            "a_token_in_an_items_name_is_redacted: skipped, cargo-semver-checks is not installed"
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let token = format!("ghp_{}", "Zx5c".repeat(9));
    let ws = history(
        tmp.path(),
        &[("Cargo.toml", PACKAGE), ("src/lib.rs", &format!("pub fn {token}() {{}}\n"))],
        &[("src/lib.rs", "pub fn g() {}\n")],
    );
    let output = compare(tmp.path(), tmp.path(), &ws, &["--build"], &[]);
    assert_eq!(output.status.code(), Some(1), "blocked: {output:?}");
    let site = tmp.path().join("site");
    let report = report(&site);
    let changes = &report["crates"][0]["semver"]["changes"];
    assert_eq!(changes[0]["item"], "function victim::[redacted: GitHub token]", "{changes}");
    let everything = [every_output_byte(&site), output.stdout, output.stderr].concat();
    assert!(!contains(&everything, &token), "the token reached an output");
}
