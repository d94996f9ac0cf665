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
        .env("CARGO_HOME", scratch.join("cargo-home"))
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
        // An empty cargo home: what crates.io holds on this machine changes nothing.
        .env("CARGO_HOME", scratch.join("cargo-home"))
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

/// The text of `path` inside a `.crate`.
fn entry(krate: &[u8], path: &str) -> Option<String> {
    use std::io::Read;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(krate));
    for file in archive.entries().unwrap() {
        let mut file = file.unwrap();
        if file.path().unwrap().to_string_lossy().split_once('/').map(|(_, p)| p) == Some(path) {
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            return Some(text);
        }
    }
    None
}

/// Every key cargo normalizes, in one workspace: inherited package keys and dependencies
/// (features merged, renamed, optional, target-specific), lints, features naming a dropped
/// dev-dependency, metadata in written order, badges, profiles, discovered and declared
/// targets, a build script, a resolver differing from the edition's, readme and license
/// files outside the package.
const RICH: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        r#"[workspace]
members = ["core", "app", "macros", "helper"]
resolver = "2"

[workspace.package]
version = "0.3.1"
edition = "2021"
rust-version = "1.80"
authors = ["A <a@example.com>", "B"]
description = "Shared description"
license = "MIT OR Apache-2.0"
repository = "https://example.com/repo"
homepage = "https://example.com"
documentation = "https://docs.rs/wcore"
keywords = ["alpha", "beta"]
categories = ["development-tools"]
readme = "README.md"
exclude = ["/junk"]
publish = true

[workspace.dependencies]
core = { path = "core", version = "0.3.1", package = "wcore", default-features = false, features = ["std"] }
macros = { path = "macros", version = "=0.3.1" }
helper = { path = "helper", version = "0.1" }

[workspace.lints.rust]
unsafe_code = "forbid"
missing_docs = { level = "warn", priority = -1 }

[workspace.lints.clippy]
all = "warn"

[profile.release]
lto = true
"#,
    ),
    ("README.md", "# Shared\n"),
    ("LICENSE", "MIT\n"),
    (
        "core/Cargo.toml",
        r#"[package]
name = "wcore"
version.workspace = true
edition.workspace = true
rust-version.workspace = true
authors.workspace = true
description.workspace = true
license.workspace = true
repository.workspace = true
homepage.workspace = true
documentation.workspace = true
readme.workspace = true
keywords.workspace = true
categories.workspace = true
exclude.workspace = true
publish.workspace = true
links = "wcore"

[package.metadata.docs.rs]
all-features = true
rustdoc-args = ["--cfg", "docsrs"]

[package.metadata.zeta]
z = 1

[package.metadata.alpha]
a = "x"

[features]
default = ["std"]
std = []
extra = ["dep:macros", "macros?/x"]
testing = ["helper/fast"]

[dependencies]
macros = { workspace = true, optional = true }

[dev-dependencies]
helper = { path = "../helper" }

[target.'cfg(unix)'.dependencies]
libm = { package = "macros", path = "../macros", version = "0.3", features = ["x"] }

[target."cfg(any(windows, target_os = \"macos\"))".build-dependencies]
macros = { workspace = true, features = ["x"] }

[lints]
workspace = true

[[example]]
name = "demo"
required-features = ["std"]

[[bench]]
name = "speed"
harness = false

[badges]
maintenance = { status = "actively-developed" }

[profile.dev]
opt-level = 1
"#,
    ),
    ("core/build.rs", "fn main() {}\n"),
    ("core/src/lib.rs", "//! Core.\n"),
    ("core/src/bin/tool.rs", "fn main() {}\n"),
    ("core/src/bin/multi/main.rs", "fn main() {}\n"),
    ("core/examples/demo.rs", "fn main() {}\n"),
    ("core/examples/other.rs", "fn main() {}\n"),
    ("core/tests/it.rs", "\n"),
    ("core/benches/speed.rs", "fn main() {}\n"),
    ("core/junk/notes.txt", "junk\n"),
    (
        "app/Cargo.toml",
        r#"[package]
name = "app"
version = "0.3.1"
edition = "2018"
description = "An app"
license-file = "../LICENSE"
readme = false
autoexamples = false
include = ["/src", "/lib", "/examples"]

[lib]
path = "lib/mod.rs"

[[bin]]
name = "app"
path = "src/main.rs"
test = false

[dependencies]
core = { workspace = true, features = ["extra"] }
mac = { package = "macros", path = "../macros", version = "0.3" }
helper = { workspace = true, optional = true }
"#,
    ),
    ("app/lib/mod.rs", "\n"),
    ("app/src/main.rs", "fn main() {}\n"),
    ("app/examples/skipped.rs", "fn main() {}\n"),
    (
        "macros/Cargo.toml",
        r#"[package]
name = "macros"
version = "0.3.1"
edition = "2024"
description = "Macros"
license = "MIT"
readme = "../README.md"

[lib]
proc-macro = true

[features]
x = []
"#,
    ),
    ("macros/src/lib.rs", "\n"),
    (
        "helper/Cargo.toml",
        "[package]\nname = \"helper\"\nversion = \"0.1.0\"\nedition = \"2021\"\ndescription = \"Helper\"\nlicense = \"MIT\"\n\n[features]\nfast = []\n",
    ),
    ("helper/src/lib.rs", "\n"),
];

#[test]
fn the_published_manifest_lock_and_crate_are_cargos_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = workspace(&tmp.path().join("ws"), RICH);
    let report = report(&manifest, tmp.path());
    for name in ["wcore", "app", "macros", "helper"] {
        let cargo = cargo_package(&manifest, tmp.path(), name);
        let ours = fs::read(tmp.path().join(format!("site/crates/{name}/{name}-0.3.1.crate")))
            .or_else(|_| {
                fs::read(tmp.path().join(format!("site/crates/{name}/{name}-0.1.0.crate")))
            })
            .unwrap();
        assert_eq!(
            entry(&ours, "Cargo.toml").unwrap(),
            entry(&cargo, "Cargo.toml").unwrap(),
            "{name}: Cargo.toml"
        );
        assert_eq!(entry(&ours, "Cargo.lock"), entry(&cargo, "Cargo.lock"), "{name}: Cargo.lock");
        let archive = &krate(&report, name)["archive"];
        assert_eq!(archive["exact"], true, "{name}: {}", archive["estimates"]);
        assert_eq!(archive["checksum"], sha256(&cargo).as_str(), "{name}");
        assert!(ours == cargo, "{name}: the whole .crate");
    }
}
