//! The checksum crates.io will record, the `exact` flag, and the fingerprint: what they
//! cover, checked against `cargo package` run live on throwaway workspaces.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sha2::{Digest, Sha256};

/// A workspace in a temp dir: `files` relative to its root.
fn workspace(dir: &Path, files: &[(&str, &str)]) -> PathBuf {
    for (path, text) in files {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir.join("Cargo.toml")
}

const MEMBER: &str = "[package]\nname = \"solo\"\nversion = \"0.1.0\"\nedition = \"2021\"\nrust-version.workspace = true\ndescription = \"A crate\"\nlicense = \"MIT\"\n";

fn solo(dir: &Path, rust_version: &str) -> PathBuf {
    workspace(
        dir,
        &[
            (
                "Cargo.toml",
                &format!(
                    "[workspace]\nmembers = [\"solo\"]\nresolver = \"2\"\n\n[workspace.package]\nrust-version = \"{rust_version}\"\n"
                ),
            ),
            ("solo/Cargo.toml", MEMBER),
            ("solo/src/lib.rs", "//! A crate.\npub fn f() {}\n"),
        ],
    )
}

/// Runs the tool with `--emit-crate` and returns report.json.
fn report(manifest: &Path, scratch: &Path) -> Value {
    fs::create_dir_all(scratch).unwrap();
    let out = scratch.join("site");
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-readiness"))
        .arg("--manifest-path")
        .arg(manifest)
        .arg("--out")
        .arg(&out)
        .args(["--emit-crate", "-q"])
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .env("CARGO_READINESS_CACHE_DIR", scratch.join("cache"))
        .current_dir(scratch)
        .output()
        .unwrap();
    assert!(output.status.code().is_some_and(|c| c < 2), "{output:?}");
    serde_json::from_str(&fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
}

fn krate<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["crates"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()
}

/// `cargo package --no-verify` run live from a neutral folder; the `.crate`'s bytes.
fn cargo_package(manifest: &Path, scratch: &Path, name: &str) -> Vec<u8> {
    let target = scratch.join("cargo-target");
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["package", "--no-verify", "--allow-dirty", "--offline", "--workspace", "-q"])
        .arg("--manifest-path")
        .arg(manifest)
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(scratch)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let file = fs::read_dir(target.join("package"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name().unwrap().to_string_lossy().starts_with(&format!("{name}-"))
                && p.extension().is_some_and(|x| x == "crate")
        })
        .unwrap();
    fs::read(file).unwrap()
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_checksum_is_the_sha256_of_the_crate_cargo_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = solo(&tmp.path().join("ws"), "1.70");
    let report = report(&manifest, tmp.path());
    let solo = krate(&report, "solo");
    let cargo = cargo_package(&manifest, tmp.path(), "solo");
    assert_eq!(solo["archive"]["exact"], true, "{}", solo["archive"]["estimates"]);
    assert_eq!(solo["archive"]["checksum"], sha256(&cargo).as_str());
    let emitted = fs::read(tmp.path().join("site/crates/solo/solo-0.1.0.crate")).unwrap();
    assert_eq!(emitted, cargo, "--emit-crate writes cargo's bytes");
    assert_eq!(solo["archive"]["compressed_size"], cargo.len() as u64);
}

#[test]
fn an_estimated_archive_has_no_checksum_and_says_why() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = workspace(
        &tmp.path().join("ws"),
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"app\", \"base\"]\nresolver = \"2\"\n"),
            (
                "app/Cargo.toml",
                "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nbase = { path = \"../base\", version = \"0.1.0\" }\n",
            ),
            ("app/src/lib.rs", ""),
            (
                "base/Cargo.toml",
                "[package]\nname = \"base\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            ("base/src/lib.rs", ""),
        ],
    );
    let report = report(&manifest, tmp.path());
    let archive = &krate(&report, "app")["archive"];
    if archive["exact"] == false {
        assert_eq!(archive["checksum"], Value::Null);
        let estimates = archive["estimates"].as_array().unwrap();
        assert!(!estimates.is_empty(), "an estimate says why");
    } else {
        // Once the lock is computed exactly, the checksum must be cargo's.
        let cargo = cargo_package(&manifest, tmp.path(), "app");
        assert_eq!(archive["checksum"], sha256(&cargo).as_str());
    }
}

#[test]
fn an_inherited_workspace_key_changes_the_fingerprint() {
    let tmp = tempfile::tempdir().unwrap();
    let before = report(&solo(&tmp.path().join("a"), "1.70"), &tmp.path().join("a-run"));
    let after = report(&solo(&tmp.path().join("b"), "1.80"), &tmp.path().join("b-run"));
    let (before, after) = (krate(&before, "solo"), krate(&after, "solo"));
    assert_ne!(
        before["fingerprint"], after["fingerprint"],
        "rust-version in [workspace.package] is published, so it is approved"
    );
    // No file of the crate changed: only the published manifest did.
    let paths = |k: &Value| k["archive"]["files"].as_array().unwrap().clone();
    assert_eq!(paths(before).len(), paths(after).len());
}

#[test]
fn the_same_content_at_two_paths_has_the_same_fingerprint_and_checksum() {
    let tmp = tempfile::tempdir().unwrap();
    let one = report(&solo(&tmp.path().join("one/deep/ws"), "1.70"), &tmp.path().join("r1"));
    let two = report(&solo(&tmp.path().join("two"), "1.70"), &tmp.path().join("r2"));
    let (one, two) = (krate(&one, "solo"), krate(&two, "solo"));
    assert_eq!(one["fingerprint"], two["fingerprint"]);
    assert_eq!(one["archive"]["checksum"], two["archive"]["checksum"]);
    assert!(one["archive"]["checksum"].is_string());
}

fn build_script_workspace(dir: &Path, lib: &str) -> PathBuf {
    workspace(
        dir,
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"gen\"]\nresolver = \"2\"\n"),
            (
                "gen/Cargo.toml",
                "[package]\nname = \"gen\"\nversion = \"0.1.0\"\nedition = \"2021\"\nexclude = [\"/build.rs\"]\n",
            ),
            ("gen/build.rs", "fn main() {}\n"),
            ("gen/src/lib.rs", lib),
        ],
    )
}

fn status<'a>(krate: &'a Value, id: &str) -> &'a str {
    let check = krate["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap();
    check["status"].as_str().unwrap()
}

#[test]
fn an_excluded_build_script_warns_unless_the_sources_need_it() {
    let tmp = tempfile::tempdir().unwrap();
    let report_of = |name: &str, lib: &str| {
        let manifest = build_script_workspace(&tmp.path().join(name), lib);
        report(&manifest, &tmp.path().join(format!("{name}-run")))
    };
    let optional = report_of("optional", "pub fn f() {}\n");
    let generator = krate(&optional, "gen");
    assert_eq!(status(generator, "build-script-excluded"), "fail");
    assert_eq!(status(generator, "build-script-not-packaged"), "pass", "cargo publishes it");

    let needed = report_of("needed", "include!(concat!(env!(\"OUT_DIR\"), \"/gen.rs\"));\n");
    let generator = krate(&needed, "gen");
    assert_eq!(status(generator, "build-script-not-packaged"), "fail", "verification fails");
    assert_eq!(generator["verdict"], "blocked");
}
