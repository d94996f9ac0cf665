//! The checksum crates.io will record, the `exact` flag, and the fingerprint: what they
//! cover, checked against `cargo package` run live on throwaway workspaces.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::registry::{Registry, index_line, index_path};
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

/// Runs the tool on `manifest` with `args`, `$CARGO_HOME` at `home` and its cache in
/// `scratch`; a report run writes its site to `<scratch>/site`, with `--emit-crate`.
fn tool(manifest: &Path, scratch: &Path, home: &Path, args: &[&str]) -> Output {
    fs::create_dir_all(scratch).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-readiness"));
    if args.first() == Some(&"verify") {
        command.args(args);
    } else {
        command.args(args).arg("--out").arg(scratch.join("site")).arg("--emit-crate");
    }
    command
        .arg("--manifest-path")
        .arg(manifest)
        .arg("-q")
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .env("CARGO_READINESS_CACHE_DIR", scratch.join("cache"))
        .env("CARGO_HOME", home)
        .env("NO_COLOR", "1")
        .current_dir(scratch)
        .output()
        .unwrap()
}

/// The report of a run with `args` (see [`tool`]).
fn report_with(manifest: &Path, scratch: &Path, home: &Path, args: &[&str]) -> Value {
    let output = tool(manifest, scratch, home, args);
    assert!(output.status.code().is_some_and(|c| c < 2), "{output:?}");
    let site = scratch.join("site");
    serde_json::from_str(&fs::read_to_string(site.join("report.json")).unwrap()).unwrap()
}

/// Runs the tool with `--emit-crate` and an empty `$CARGO_HOME`; returns report.json.
fn report(manifest: &Path, scratch: &Path) -> Value {
    report_with(manifest, scratch, &scratch.join("cargo-home"), &[])
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

/// No member is on crates.io yet (the loopback registry has none of them): each lock lists
/// the others with the checksums of this release's archives, as `cargo package
/// --workspace` writes them.
#[test]
fn the_published_manifest_lock_and_crate_are_cargos_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = workspace(&tmp.path().join("ws"), RICH);
    let registry = Registry::new();
    let home = registry.cargo_home(&tmp.path().join("online"));
    let report = report_with(&manifest, tmp.path(), &home, &["--online"]);
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

/// `[package]` of a member, with `extra` after it.
fn member(name: &str, version: &str, extra: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\ndescription = \"The {name} crate\"\nlicense = \"MIT\"\n{extra}"
    )
}

/// A member's `.crate` as the tool emitted it.
fn emitted(site: &Path, krate: &Value) -> Vec<u8> {
    let (name, version) = (krate["name"].as_str().unwrap(), krate["version"].as_str().unwrap());
    fs::read(site.join(format!("crates/{name}/{name}-{version}.crate"))).unwrap()
}

/// Binaries whose locks name other members, one of them `publish = false` (so `verify`,
/// which packages only what is published, does not select it), and nothing known of
/// crates.io: the locks that name a member are estimates.
fn selection_workspace(root: &Path) -> PathBuf {
    let manifest = workspace(
        root,
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"corelib\", \"util\", \"tool\", \"app\", \"helper\"]\nresolver = \"2\"\n",
            ),
            ("corelib/Cargo.toml", &member("corelib", "0.1.0", "")),
            ("corelib/src/lib.rs", "pub fn core() {}\n"),
            (
                "util/Cargo.toml",
                &member(
                    "util",
                    "0.2.0",
                    "[dependencies]\ncorelib = { path = \"../corelib\", version = \"0.1.0\" }\n",
                ),
            ),
            ("util/src/lib.rs", "pub fn util() {}\n"),
            (
                "tool/Cargo.toml",
                &member(
                    "tool",
                    "0.3.0",
                    "[dependencies]\nutil = { path = \"../util\", version = \"0.2\" }\n[dev-dependencies]\nhelper = { path = \"../helper\" }\n",
                ),
            ),
            ("tool/src/main.rs", "fn main() {}\n"),
            (
                "app/Cargo.toml",
                &member(
                    "app",
                    "1.0.0",
                    "[dependencies]\ncorelib = { path = \"../corelib\", version = \"0.1\" }\nutil = { path = \"../util\", version = \"0.2\", optional = true }\n",
                ),
            ),
            ("app/src/lib.rs", "pub fn app() {}\n"),
            ("app/src/main.rs", "fn main() {}\n"),
            ("helper/Cargo.toml", &member("helper", "0.1.0", "publish = false\n")),
            ("helper/src/lib.rs", "pub fn help() {}\n"),
        ],
    );
    common::repo::init_and_commit(root, "one");
    manifest
}

/// The fingerprint and the `.crate`'s SHA-256 of every crate of a run.
fn identities(report: &Value, site: &Path) -> BTreeMap<String, (String, String)> {
    let crates = report["crates"].as_array().unwrap();
    crates
        .iter()
        .map(|k| {
            let identity =
                (k["fingerprint"].as_str().unwrap().to_owned(), sha256(&emitted(site, k)));
            (k["name"].as_str().unwrap().to_owned(), identity)
        })
        .collect()
}

/// A crate's fingerprint and checksum are a function of its content (and what crates.io
/// holds) alone: the full report, `-p`, `--exclude` and `verify` agree on every crate, also
/// where its lock is an estimate.
#[test]
fn a_crate_has_one_fingerprint_and_checksum_however_it_is_selected() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("ws");
    let manifest = selection_workspace(&root);
    let home = tmp.path().join("empty-cargo-home");
    let full_run = tmp.path().join("full");
    let full = report_with(&manifest, &full_run, &home, &[]);
    let expected = identities(&full, &full_run.join("site"));
    assert_eq!(expected.len(), 5);
    for name in ["tool", "app"] {
        let archive = &krate(&full, name)["archive"];
        assert_eq!(archive["exact"], false, "{name}: nothing is known of crates.io");
        assert!(archive["estimates"][0].as_str().unwrap().contains("is not known"));
    }
    let selections: [&[&str]; 5] = [
        &["-p", "tool"],
        &["-p", "app", "-p", "corelib"],
        &["--exclude", "util"],
        &["--exclude", "helper"],
        &["-p", "helper"],
    ];
    for (i, args) in selections.iter().enumerate() {
        let run = tmp.path().join(format!("run-{i}"));
        let report = report_with(&manifest, &run, &home, args);
        for (name, identity) in identities(&report, &run.join("site")) {
            assert_eq!(identity, expected[&name], "{name} with {args:?}");
        }
    }
    // The release job's check: every publishable crate signed off as the full report
    // shows it.
    let mut signoffs = String::new();
    for k in full["crates"].as_array().unwrap().iter().filter(|k| k["publish"] == true) {
        signoffs.push_str(&format!(
            "[[signoff]]\nname = {}\nversion = {}\nfingerprint = {}\nreviewer = \"Ada\"\ndate = 2026-11-24\n\n",
            k["name"], k["version"], k["fingerprint"]
        ));
    }
    fs::write(root.join("readiness-signoff.toml"), signoffs).unwrap();
    for args in [&["verify"][..], &["verify", "-p", "tool"], &["verify", "--exclude", "corelib"]] {
        let output = tool(&manifest, &tmp.path().join("verify"), &home, args);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// `cargo package --no-verify` of `packages`, run live from a neutral folder with
/// `$CARGO_HOME` at `home` (offline when asked): each `.crate`'s bytes, by crate name.
fn cargo_packages(
    manifest: &Path,
    scratch: &Path,
    home: &Path,
    packages: &[&str],
    offline: bool,
) -> BTreeMap<String, Vec<u8>> {
    let target = scratch.join("cargo-target");
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.args(["package", "--no-verify", "--allow-dirty", "-q", "--manifest-path"]);
    command.arg(manifest);
    if offline {
        command.arg("--offline");
    }
    for package in packages {
        command.args(["-p", package]);
    }
    fs::create_dir_all(scratch).unwrap();
    let output = command
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_HOME", home)
        .current_dir(scratch)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    fs::read_dir(target.join("package"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "crate"))
        .map(|p| {
            let file = p.file_stem().unwrap().to_string_lossy().into_owned();
            let name = file.rsplit_once('-').unwrap().0.to_owned();
            (name, fs::read(p).unwrap())
        })
        .collect()
}

/// A `$CARGO_HOME` whose copy of crates.io's index holds `lines` (crate name, version,
/// index line), each release downloaded, as `cargo fetch` leaves them: cargo resolves
/// from them offline, and the tool reads them as cargo's index cache.
fn crates_io_cache(home: &Path, lines: &[(&str, &str, String)]) {
    let index = home.join("registry/index/index.crates.io-1949cf8c6b5b557f");
    let downloads = home.join("registry/cache/index.crates.io-1949cf8c6b5b557f");
    fs::create_dir_all(&downloads).unwrap();
    fs::create_dir_all(&index).unwrap();
    fs::write(
        index.join("config.json"),
        r#"{"dl":"https://static.crates.io/crates","api":"https://crates.io"}"#,
    )
    .unwrap();
    for (name, version, line) in lines {
        let file = index.join(".cache").join(index_path(name).trim_start_matches("/index/"));
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        let mut bytes = fs::read(&file).unwrap_or_else(|_| b"\x03\x02\0\0\0etag\0".to_vec());
        bytes.extend(format!("{version}\0{line}\0").as_bytes());
        fs::write(&file, bytes).unwrap();
        fs::write(downloads.join(format!("{name}-{version}.crate")), b"").unwrap();
    }
}

/// Members that depend on one already on crates.io (`base` 0.1.0), on ones that are not
/// (`mid`; `extra`, whose only release is 0.0.9), on one crates.io has a newer release of
/// (`older` 0.5.0, and 0.5.2), through a dev-dependency, behind a feature, and none at all.
fn release_workspace(root: &Path) -> PathBuf {
    let manifest = workspace(
        root,
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"base\", \"mid\", \"extra\", \"top\", \"devy\", \"solo\", \"older\", \"user\"]\nresolver = \"2\"\n",
            ),
            ("older/Cargo.toml", &member("older", "0.5.0", "")),
            ("older/src/lib.rs", "pub fn older() {}\n"),
            (
                "user/Cargo.toml",
                &member(
                    "user",
                    "0.1.0",
                    "[dependencies]\nolder = { path = \"../older\", version = \"0.5\" }\n",
                ),
            ),
            ("user/src/main.rs", "fn main() {}\n"),
            ("base/Cargo.toml", &member("base", "0.1.0", "")),
            ("base/src/lib.rs", "pub fn base() {}\n"),
            (
                "mid/Cargo.toml",
                &member(
                    "mid",
                    "0.2.0",
                    "[dependencies]\nbase = { path = \"../base\", version = \"0.1.0\" }\n",
                ),
            ),
            ("mid/src/lib.rs", "pub fn mid() {}\n"),
            ("extra/Cargo.toml", &member("extra", "0.1.0", "")),
            ("extra/src/lib.rs", "pub fn extra() {}\n"),
            (
                "top/Cargo.toml",
                &member(
                    "top",
                    "0.3.0",
                    "[features]\nfancy = [\"dep:extra\"]\n[dependencies]\nmid = { path = \"../mid\", version = \"0.2\" }\nbase = { path = \"../base\", version = \"0.1\" }\nextra = { path = \"../extra\", version = \"0.1\", optional = true }\n",
                ),
            ),
            ("top/src/lib.rs", "pub fn top() {}\n"),
            ("top/src/main.rs", "fn main() {}\n"),
            (
                "devy/Cargo.toml",
                &member(
                    "devy",
                    "0.1.0",
                    "[dev-dependencies]\nbase = { path = \"../base\", version = \"0.1.0\" }\n",
                ),
            ),
            ("devy/src/lib.rs", "pub fn devy() {}\n"),
            ("solo/Cargo.toml", &member("solo", "1.0.0", "")),
            ("solo/src/main.rs", "fn main() {}\n"),
        ],
    );
    common::repo::init_and_commit(root, "one");
    manifest
}

/// Every crate the tool calls exact is byte for byte the `.crate` cargo writes for it, as
/// the release is published: a member already on crates.io resolved from crates.io (cargo
/// run on that crate alone), the others from this release (cargo run on them together, as
/// `cargo publish --workspace` packages them). Offline with cargo's index cache, and
/// online against a loopback registry that holds the same releases.
#[test]
fn an_exact_claim_is_always_the_crate_cargo_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = release_workspace(&tmp.path().join("ws"));
    let releases = [
        ("base", "0.1.0", index_line("base", "0.1.0", &"ba".repeat(32), false)),
        ("extra", "0.0.9", index_line("extra", "0.0.9", &"e9".repeat(32), false)),
        ("older", "0.5.0", index_line("older", "0.5.0", &"50".repeat(32), false)),
        ("older", "0.5.2", index_line("older", "0.5.2", &"52".repeat(32), false)),
    ];
    // cargo's world, and the tool's offline: crates.io as cargo's index cache holds it.
    let cache_home = tmp.path().join("cargo-home");
    crates_io_cache(&cache_home, &releases);
    let together = ["mid", "extra", "top", "devy", "solo", "user"];
    let scratch = tmp.path().join("together");
    let mut cargo = cargo_packages(&manifest, &scratch, &cache_home, &together, true);
    for published in ["base", "older"] {
        let scratch = tmp.path().join(published);
        cargo.extend(cargo_packages(&manifest, &scratch, &cache_home, &[published], true));
    }
    assert_eq!(cargo.len(), 8);
    let user_lock = entry(&cargo["user"], "Cargo.lock").unwrap();
    assert!(user_lock.contains("version = \"0.5.2\""), "{user_lock}");
    // The same releases on a loopback registry, for --online.
    let mut registry = Registry::new();
    for (name, _, line) in releases {
        registry.line(name, line);
    }
    let online_home = registry.cargo_home(&tmp.path().join("online"));
    let worlds = [("offline", &cache_home, &[][..]), ("online", &online_home, &["--online"][..])];
    for (world, home, args) in worlds {
        let run = tmp.path().join(world);
        let report = report_with(&manifest, &run, home, args);
        let mut exact = Vec::new();
        for k in report["crates"].as_array().unwrap() {
            let name = k["name"].as_str().unwrap();
            let archive = &k["archive"];
            if archive["exact"] == true {
                assert_eq!(archive["checksum"], sha256(&cargo[name]).as_str(), "{world}: {name}");
                assert!(emitted(&run.join("site"), k) == cargo[name], "{world}: {name}'s bytes");
                exact.push(name);
            } else {
                assert_eq!(archive["checksum"], Value::Null, "{world}: {name}");
            }
        }
        let expected: &[&str] = match world {
            // Whether crates.io has mid 0.2.0 is not known offline: top's lock says so.
            "offline" => &["base", "devy", "extra", "mid", "older", "solo", "user"],
            _ => &["base", "devy", "extra", "mid", "older", "solo", "top", "user"],
        };
        assert_eq!(exact, expected, "{world}");
        let members = &krate(&report, "top")["archive"]["lock_members"];
        assert_eq!(
            members[0]["summary"].as_str().unwrap().split(" (").next(),
            Some("base 0.1.0 from crates.io")
        );
        assert_eq!(members[0]["checksum"], format!("sha256:{}", "ba".repeat(32)).as_str());
        assert_eq!(members[1]["from"], "archive", "{world}: extra 0.1.0 is not published");
        let page = fs::read_to_string(run.join("site/crates/top/index.html")).unwrap();
        assert!(page.contains("base 0.1.0 from crates.io"), "{world}");
    }
}

/// A crate's resolution is kept in the cache folder and taken again only while everything
/// it was resolved from holds: a newer release on the index, or a changed requirement, and
/// the next run's lock is cargo's lock of then, not the kept one.
#[test]
fn a_kept_resolution_is_taken_again_only_while_its_inputs_hold() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = release_workspace(&tmp.path().join("ws"));
    let home = tmp.path().join("cargo-home");
    let older = |version: &str, byte: &str| {
        ("older", version.to_owned(), index_line("older", version, &byte.repeat(32), false))
    };
    let (name, version, line) = older("0.5.0", "50");
    crates_io_cache(&home, &[(name, &version, line)]);
    let run = tmp.path().join("run");
    let cargo_user = |scratch: &str| {
        cargo_packages(&manifest, &tmp.path().join(scratch), &home, &["user"], true)["user"].clone()
    };
    let user_crate = |scratch: &Path| {
        let report = report_with(&manifest, scratch, &home, &[]);
        let user = krate(&report, "user");
        assert_eq!(user["archive"]["exact"], true, "{}", user["archive"]["estimates"]);
        emitted(&scratch.join("site"), user)
    };
    let first = user_crate(&run);
    assert!(entry(&first, "Cargo.lock").unwrap().contains("version = \"0.5.0\""));
    assert!(first == cargo_user("cargo-first"), "the first run's .crate is cargo's");
    assert!(user_crate(&run) == first, "an unchanged re-run writes the same bytes");

    // crates.io gets older 0.5.2, which `^0.5` accepts: cargo's lock takes it.
    let (name, version, line) = older("0.5.2", "52");
    crates_io_cache(&home, &[(name, &version, line)]);
    let second = user_crate(&run);
    assert!(entry(&second, "Cargo.lock").unwrap().contains("version = \"0.5.2\""));
    assert!(second == cargo_user("cargo-second"), "after the index changed");

    // The requirement pins 0.5.0 again: a manifest change, and the lock follows it.
    let user_manifest = manifest.parent().unwrap().join("user/Cargo.toml");
    let text = fs::read_to_string(&user_manifest).unwrap();
    fs::write(&user_manifest, text.replace("version = \"0.5\"", "version = \"=0.5.0\"")).unwrap();
    let third = user_crate(&run);
    assert!(entry(&third, "Cargo.lock").unwrap().contains("version = \"0.5.0\""));
    assert!(third == cargo_user("cargo-third"), "after the requirement changed");
}

/// A committed lock with registry packages, on a runner whose `$CARGO_HOME` is empty (no
/// `cargo fetch`): offline the lock is an estimate that names what was missing; with
/// `--online` the tool reads the index itself, as cargo does, and the `.crate` is cargo's.
/// A second run asks the registry nothing new.
#[test]
fn online_a_fresh_runner_writes_the_lock_cargo_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let mut registry = Registry::new();
    let dep = |name: &str, req: &str, optional: bool| {
        serde_json::json!({"name": name, "req": req, "features": [], "optional": optional,
            "default_features": true, "target": null, "kind": "normal"})
    };
    let line = |name: &str, version: &str, deps: Vec<serde_json::Value>, features: Value| {
        serde_json::json!({"name": name, "vers": version, "deps": deps, "features": features,
            "cksum": sha256(format!("{name} {version}").as_bytes())[7..].to_owned(), "yanked": false})
        .to_string()
    };
    registry
        .line("leaf", line("leaf", "1.0.0", vec![], serde_json::json!({})))
        .line("leaf", line("leaf", "1.1.0", vec![], serde_json::json!({})))
        .line("extraleaf", line("extraleaf", "0.3.0", vec![], serde_json::json!({})))
        .line(
            "regdep",
            line(
                "regdep",
                "1.2.0",
                vec![dep("leaf", "^1.0", false), dep("extraleaf", "^0.3", true)],
                serde_json::json!({"more": ["dep:extraleaf"]}),
            ),
        );
    let manifest = workspace(
        &tmp.path().join("ws"),
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"cli\"]\nresolver = \"2\"\n"),
            ("cli/Cargo.toml", &member("cli", "0.1.0", "[dependencies]\nregdep = \"1.2\"\n")),
            ("cli/src/main.rs", "fn main() {}\n"),
        ],
    );
    let cargo_home = registry.cargo_home(&tmp.path().join("for-cargo"));
    let generated = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["generate-lockfile", "-q", "--manifest-path"])
        .arg(&manifest)
        .env("CARGO_HOME", &cargo_home)
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
    let cargo = cargo_packages(&manifest, &tmp.path().join("cargo"), &cargo_home, &["cli"], false);
    let cargo_lock = entry(&cargo["cli"], "Cargo.lock").unwrap();
    assert!(cargo_lock.contains("leaf") && !cargo_lock.contains("extraleaf"), "{cargo_lock}");

    let fresh = registry.cargo_home(&tmp.path().join("fresh"));
    let offline = report_with(&manifest, &tmp.path().join("offline"), &fresh, &[]);
    let archive = &krate(&offline, "cli")["archive"];
    assert_eq!(archive["exact"], false);
    let estimate = archive["estimates"][0].as_str().unwrap();
    assert!(estimate.contains("regdep 1.2.0") && estimate.contains("--online"), "{estimate}");

    let run = tmp.path().join("online");
    let online = report_with(&manifest, &run, &fresh, &["--online"]);
    let cli = krate(&online, "cli");
    assert_eq!(cli["archive"]["exact"], true, "{}", cli["archive"]["estimates"]);
    assert_eq!(cli["archive"]["checksum"], sha256(&cargo["cli"]).as_str());
    assert_eq!(entry(&emitted(&run.join("site"), cli), "Cargo.lock").unwrap(), cargo_lock);
    let asked = |path: &str| registry.server.seen().iter().filter(|s| s.path == path).count();
    let before = asked("/index/re/gd/regdep");
    assert!(before > 0);
    let again = report_with(&manifest, &run, &fresh, &["--online"]);
    assert_eq!(krate(&again, "cli")["fingerprint"], cli["fingerprint"]);
    assert_eq!(asked("/index/re/gd/regdep"), before, "kept in the cache");
}

/// cargo asks git's status of every file it packages, however they were selected: a change
/// not committed in a crate with `include` (walk mode) or in a readme outside the package
/// makes `.cargo_vcs_info.json` say `dirty`, and the tool's bytes say it too.
#[test]
fn a_change_not_committed_is_dirty_however_the_files_are_selected() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("ws");
    let manifest = workspace(
        &root,
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"listed\", \"outside\"]\nresolver = \"2\"\n"),
            ("README.md", "# Shared\n"),
            ("listed/Cargo.toml", &member("listed", "0.1.0", "include = [\"/src\"]\n")),
            ("listed/src/lib.rs", "pub fn f() {}\n"),
            ("outside/Cargo.toml", &member("outside", "0.1.0", "readme = \"../README.md\"\n")),
            ("outside/src/lib.rs", "pub fn g() {}\n"),
        ],
    );
    common::repo::init_and_commit(&root, "one");
    fs::write(root.join("listed/src/lib.rs"), "pub fn f() -> u8 { 1 }\n").unwrap();
    fs::write(root.join("README.md"), "# Shared, changed\n").unwrap();
    let report = report(&manifest, tmp.path());
    for name in ["listed", "outside"] {
        let cargo = cargo_package(&manifest, tmp.path(), name);
        assert!(entry(&cargo, ".cargo_vcs_info.json").unwrap().contains("\"dirty\": true"));
        let archive = &krate(&report, name)["archive"];
        assert_eq!(archive["exact"], true, "{name}: {}", archive["estimates"]);
        assert_eq!(archive["checksum"], sha256(&cargo).as_str(), "{name}");
    }
}

/// A library that commits no lock (serde, tokio): cargo resolves the newest releases the
/// requirements accept when it packages, preferring, with resolver 3, those whose
/// `rust-version` the crate's accepts. With `--online` the tool reads the index and writes
/// the same lock, following a requirement that arrives on a crate already read (`leaf`,
/// read for `^2`, then asked for `^1.0`, whose release depends on `deep`); offline it says
/// the lock is an estimate.
#[test]
fn online_a_library_without_a_lock_gets_the_lock_cargo_resolves() {
    let tmp = tempfile::tempdir().unwrap();
    let mut registry = Registry::new();
    let line = |name: &str, version: &str, deps: Value, features: Value, rust: Option<&str>| {
        serde_json::json!({"name": name, "vers": version, "deps": deps, "features": features,
            "cksum": sha256(format!("{name} {version}").as_bytes())[7..].to_owned(),
            "yanked": false, "rust_version": rust})
        .to_string()
    };
    let dep = |name: &str, req: &str, optional: bool| {
        serde_json::json!({"name": name, "req": req, "features": [], "optional": optional,
            "default_features": true, "target": null, "kind": "normal"})
    };
    let none = || serde_json::json!({});
    registry
        .line("leaf", line("leaf", "1.0.0", serde_json::json!([]), none(), None))
        .line(
            "leaf",
            line(
                "leaf",
                "1.1.0",
                serde_json::json!([dep("deep", "^0.1", false)]),
                none(),
                Some("1.70"),
            ),
        )
        .line("deep", line("deep", "0.1.0", serde_json::json!([]), none(), None))
        .line("leaf", line("leaf", "1.2.0", serde_json::json!([]), none(), Some("1.99")))
        .line("leaf", line("leaf", "2.0.0", serde_json::json!([]), none(), None))
        .line("extraleaf", line("extraleaf", "0.3.1", serde_json::json!([]), none(), None))
        .line(
            "regdep",
            line(
                "regdep",
                "1.2.0",
                serde_json::json!([dep("leaf", "^1.0", false), dep("extraleaf", "^0.3", true)]),
                serde_json::json!({"more": ["dep:extraleaf"]}),
                None,
            ),
        )
        .line(
            "devdep",
            line("devdep", "0.4.0", serde_json::json!([dep("leaf", "^1", false)]), none(), None),
        );
    let manifest = workspace(
        &tmp.path().join("ws"),
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"libby\"]\nresolver = \"3\"\n"),
            (
                "libby/Cargo.toml",
                &member(
                    "libby",
                    "0.1.0",
                    "rust-version = \"1.80\"\n[dependencies]\nregdep = { version = \"1.1\", features = [\"more\"] }\nextraleaf = \"0.3\"\nleaf = \"2\"\n[dev-dependencies]\ndevdep = \"0.4\"\n",
                ),
            ),
            ("libby/src/lib.rs", "pub fn f() {}\n"),
        ],
    );
    let cargo_home = registry.cargo_home(&tmp.path().join("for-cargo"));
    let cargo =
        cargo_packages(&manifest, &tmp.path().join("cargo"), &cargo_home, &["libby"], false);
    let cargo_lock = entry(&cargo["libby"], "Cargo.lock").unwrap();
    for expected in ["extraleaf\"", "\"1.1.0\"", "\"2.0.0\"", "\"deep\""] {
        assert!(cargo_lock.contains(expected), "{expected}: {cargo_lock}");
    }
    assert!(!manifest.with_file_name("Cargo.lock").exists(), "cargo wrote no lock");

    let fresh = registry.cargo_home(&tmp.path().join("fresh"));
    let offline = report_with(&manifest, &tmp.path().join("offline"), &fresh, &[]);
    assert_eq!(krate(&offline, "libby")["archive"]["exact"], false);
    let run = tmp.path().join("online");
    let online = report_with(&manifest, &run, &fresh, &["--online"]);
    let libby = krate(&online, "libby");
    assert_eq!(libby["archive"]["exact"], true, "{}", libby["archive"]["estimates"]);
    assert_eq!(entry(&emitted(&run.join("site"), libby), "Cargo.lock").unwrap(), cargo_lock);
    assert_eq!(libby["archive"]["checksum"], sha256(&cargo["libby"]).as_str());
}

/// An index line whose release depends on `deps` (name, requirement), on no platform
/// (`cfg(any())`), as serde pins serde_derive.
fn line_with_deps(name: &str, version: &str, checksum: &str, deps: &[(&str, &str)]) -> String {
    let deps: Vec<Value> = deps
        .iter()
        .map(|(dep, req)| {
            serde_json::json!({
                "name": dep, "req": req, "features": [], "optional": false,
                "default_features": true, "target": "cfg(any())", "kind": "normal",
            })
        })
        .collect();
    serde_json::json!({
        "name": name, "vers": version, "deps": deps, "cksum": checksum,
        "features": {}, "yanked": false,
    })
    .to_string()
}

/// serde's shape: `kernel` pins `kernel_derive` to its own version and dev-depends on
/// `facade`, whose newest release on crates.io pins a newer `kernel`, which pins a newer
/// `kernel_derive`: no lock holds both releases of `kernel_derive`, so cargo backtracks to
/// the `facade` release that pins the workspace's `kernel`. The tool resolves the same
/// lock with `--online`, and its exact claim is cargo's `.crate`.
#[test]
fn a_newer_release_that_conflicts_is_backtracked_as_cargo_does() {
    let tmp = tempfile::tempdir().unwrap();
    let derive = "[target.'cfg(any())'.dependencies]\nkernel_derive = { path = \"../kernel_derive\", version = \"=1.0.0\" }\n";
    let manifest = workspace(
        &tmp.path().join("ws"),
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"kernel\", \"kernel_derive\", \"facade\"]\nresolver = \"2\"\n",
            ),
            (
                "kernel/Cargo.toml",
                &member(
                    "kernel",
                    "1.0.0",
                    &format!(
                        "{derive}[dev-dependencies]\nfacade = {{ path = \"../facade\", version = \"1\" }}\n"
                    ),
                ),
            ),
            ("kernel/src/lib.rs", "pub fn kernel() {}\n"),
            ("kernel_derive/Cargo.toml", &member("kernel_derive", "1.0.0", "")),
            ("kernel_derive/src/lib.rs", "pub fn derive() {}\n"),
            (
                "facade/Cargo.toml",
                &member(
                    "facade",
                    "1.0.0",
                    "[dependencies]\nkernel = { path = \"../kernel\", version = \"=1.0.0\" }\n",
                ),
            ),
            ("facade/src/lib.rs", "pub fn facade() {}\n"),
        ],
    );
    common::repo::init_and_commit(&tmp.path().join("ws"), "one");
    let mut releases = Vec::new();
    for (patch, tag) in [("1.0.0", "0"), ("1.0.1", "1")] {
        let pin = format!("={patch}");
        let sum = |letter: &str| format!("{letter}{tag}").repeat(32);
        let kernel_deps = [("kernel_derive", pin.as_str())];
        releases.push((
            "kernel_derive",
            patch,
            line_with_deps("kernel_derive", patch, &sum("d"), &[]),
        ));
        releases.push(("kernel", patch, line_with_deps("kernel", patch, &sum("c"), &kernel_deps)));
        releases.push((
            "facade",
            patch,
            line_with_deps("facade", patch, &sum("f"), &[("kernel", &pin)]),
        ));
    }
    let home = tmp.path().join("cargo-home");
    crates_io_cache(&home, &releases);
    let cargo = cargo_packages(&manifest, &tmp.path().join("cargo"), &home, &["kernel"], true);
    let cargo_lock = entry(&cargo["kernel"], "Cargo.lock").unwrap();
    assert!(cargo_lock.contains("name = \"facade\"\nversion = \"1.0.0\""), "{cargo_lock}");
    // The tool reads the same releases online, from a loopback registry.
    let mut registry = Registry::new();
    for (name, _, line) in releases {
        registry.line(name, line);
    }
    let online_home = registry.cargo_home(&tmp.path().join("online"));
    let run = tmp.path().join("run");
    let report = report_with(&manifest, &run, &online_home, &["--online"]);
    let kernel = krate(&report, "kernel");
    assert_eq!(kernel["archive"]["exact"], true, "{}", kernel["archive"]["estimates"]);
    assert_eq!(entry(&emitted(&run.join("site"), kernel), "Cargo.lock").unwrap(), cargo_lock);
    assert_eq!(kernel["archive"]["checksum"], sha256(&cargo["kernel"]).as_str());
}

/// cargo writes no `.crate` for a crate whose dependency names no version (`errors = { path
/// = "../errors" }`): there are no bytes of cargo's to be exact about. Online, where
/// crates.io has an unrelated crate of that name (zola's `errors`, `utils`, `config`), the
/// archive is still an estimate that says why, with no checksum.
#[test]
fn a_crate_cargo_refuses_for_an_unversioned_dependency_is_never_exact() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = workspace(
        &tmp.path().join("ws"),
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"errors\", \"config\"]\nresolver = \"2\"\n"),
            ("errors/Cargo.toml", &member("errors", "0.1.0", "")),
            ("errors/src/lib.rs", "pub fn errors() {}\n"),
            (
                "config/Cargo.toml",
                &member("config", "0.1.0", "[dependencies]\nerrors = { path = \"../errors\" }\n"),
            ),
            ("config/src/lib.rs", "pub fn config() {}\n"),
        ],
    );
    common::repo::init_and_commit(&tmp.path().join("ws"), "one");
    let neutral = tempfile::tempdir().unwrap();
    let cargo = Command::new(env!("CARGO"))
        .args(["package", "--no-verify", "--allow-dirty", "--offline", "-p", "config"])
        .arg("--manifest-path")
        .arg(&manifest)
        .current_dir(neutral.path())
        .env("CARGO_TARGET_DIR", tmp.path().join("cargo-target"))
        .output()
        .unwrap();
    assert!(!cargo.status.success(), "cargo packages no crate with an unversioned dependency");

    let mut registry = Registry::new();
    registry.line("errors", line_with_deps("errors", "0.1.0", &"e".repeat(64), &[]));
    let home = registry.cargo_home(&tmp.path().join("online"));
    let report = report_with(&manifest, &tmp.path().join("run"), &home, &["--online"]);
    let archive = &krate(&report, "config")["archive"];
    assert_eq!(archive["exact"], false);
    assert!(archive["checksum"].is_null(), "{archive}");
    let estimates = archive["estimates"].to_string();
    assert!(estimates.contains("the dependency on errors names no version"), "{estimates}");
}

/// crates.io's index, as the lock resolution reads it with `--online`, is hostile input too:
/// lines that are not JSON, a line that claims another crate's name, a dependency cycle,
/// and a chain of 200 crates each asking for the next. The run ends and names no crate from
/// a line that is not that crate's; cargo refuses to package a crate whose registry
/// dependencies form a cycle, so the lock is never called exact.
#[test]
fn online_a_hostile_index_ends_and_claims_nothing_cargo_would_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    let mut registry = Registry::new();
    let sum = "ab".repeat(32);
    registry
        .line("cyc-a", line_with_deps("cyc-a", "1.0.0", &sum, &[("cyc-b", "^1")]))
        .line("cyc-a", "{ this is not json".to_owned())
        .line("cyc-a", line_with_deps("intruder", "9.0.0", &sum, &[]))
        .line("cyc-b", line_with_deps("cyc-b", "1.0.0", &sum, &[("cyc-a", "^1")]));
    const CHAIN: usize = 200;
    for i in 0..CHAIN {
        let (name, next) = (format!("chain-{i}"), format!("chain-{}", i + 1));
        let deps: &[(&str, &str)] = if i + 1 < CHAIN { &[(&next, "^1")] } else { &[] };
        registry.line(&name, line_with_deps(&name, "1.0.0", &sum, deps));
    }
    let manifest = workspace(
        &tmp.path().join("ws"),
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"libby\"]\nresolver = \"2\"\n"),
            (
                "libby/Cargo.toml",
                &member("libby", "0.1.0", "[dependencies]\ncyc-a = \"1\"\nchain-0 = \"1\"\n"),
            ),
            ("libby/src/lib.rs", "pub fn f() {}\n"),
        ],
    );
    common::repo::init_and_commit(&tmp.path().join("ws"), "one");
    let fresh = registry.cargo_home(&tmp.path().join("fresh"));
    let run = tmp.path().join("online");
    let report = report_with(&manifest, &run, &fresh, &["--online"]);
    let libby = krate(&report, "libby");
    let lock = entry(&emitted(&run.join("site"), libby), "Cargo.lock").unwrap();
    assert!(!lock.contains("intruder"), "{lock}");
    assert_eq!(libby["archive"]["exact"], false, "{lock}");
    assert!(libby["archive"]["checksum"].is_null());
    let cargo_home = registry.cargo_home(&tmp.path().join("cargo"));
    let cargo = Command::new(env!("CARGO"))
        .args(["package", "--no-verify", "--allow-dirty", "-p", "libby", "--manifest-path"])
        .arg(&manifest)
        .current_dir(&cargo_home)
        .env("CARGO_HOME", &cargo_home)
        .env("CARGO_TARGET_DIR", tmp.path().join("cargo-target"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&cargo.stderr);
    assert!(!cargo.status.success() && stderr.contains("cyclic package dependency"), "{stderr}");
}

/// A workspace whose committed lock (written by cargo) pins `leafy` from crates.io, with
/// its feature `extra`, which brings in its optional `leaf` and leaves out `unused`; and a
/// `$CARGO_HOME` whose index cache lists the three. Returns the manifest and the home.
fn leafy_workspace(dir: &Path) -> (PathBuf, PathBuf) {
    let root = dir.join("ws");
    let manifest = workspace(
        &root,
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"app\"]\nresolver = \"2\"\n"),
            (
                "app/Cargo.toml",
                &member(
                    "app",
                    "0.1.0",
                    "[dependencies]\nleafy = { version = \"1\", features = [\"extra\"] }\n",
                ),
            ),
            ("app/src/main.rs", "fn main() {}\n"),
        ],
    );
    let optional = |name: &str| {
        serde_json::json!({
            "name": name, "req": "^1", "features": [], "optional": true,
            "default_features": true, "target": null, "kind": "normal",
        })
    };
    let leafy = serde_json::json!({
        "name": "leafy", "vers": "1.0.0", "deps": [optional("leaf"), optional("unused")],
        "cksum": "1e".repeat(32), "features": { "extra": ["dep:leaf"] }, "yanked": false,
    });
    let home = dir.join("cargo-home");
    crates_io_cache(
        &home,
        &[
            ("leafy", "1.0.0", leafy.to_string()),
            ("leaf", "1.0.0", index_line("leaf", "1.0.0", &"1f".repeat(32), false)),
            ("unused", "1.0.0", index_line("unused", "1.0.0", &"00".repeat(32), false)),
        ],
    );
    let locked = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["generate-lockfile", "--offline", "--manifest-path"])
        .arg(&manifest)
        .env("CARGO_HOME", &home)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(locked.status.success(), "{}", String::from_utf8_lossy(&locked.stderr));
    common::repo::init_and_commit(&root, "one");
    (manifest, home)
}

/// A registry package the workspace's lock pins is walked with the declarations crates.io's
/// index lists for it, as cargo's resolver reads them (see [`leafy_workspace`]). The tool
/// reads them from cargo's index cache (no `cargo metadata` of the registry packages), and
/// its lock and `.crate` are cargo's.
#[test]
fn a_locked_registry_package_is_walked_with_the_declarations_the_index_lists() {
    let tmp = tempfile::tempdir().unwrap();
    let (manifest, home) = leafy_workspace(tmp.path());
    let cargo = cargo_packages(&manifest, &tmp.path().join("cargo"), &home, &["app"], true);
    let cargo_lock = entry(&cargo["app"], "Cargo.lock").unwrap();
    assert!(cargo_lock.contains("name = \"leaf\"") && !cargo_lock.contains("unused"));
    let run = tmp.path().join("run");
    let report = report_with(&manifest, &run, &home, &[]);
    let app = krate(&report, "app");
    assert_eq!(app["archive"]["exact"], true, "{}", app["archive"]["estimates"]);
    assert_eq!(entry(&emitted(&run.join("site"), app), "Cargo.lock").unwrap(), cargo_lock);
    assert_eq!(app["archive"]["checksum"], sha256(&cargo["app"]).as_str());
}

/// The same lock, made hostile after cargo wrote it: one more pinned package named as a
/// path out of the index (`../../../../etc/passwd`), and `leafy`'s index cache entry with
/// a release nested 100,000 arrays deep. Neither is read as declarations: the run ends
/// (no crash, no overflow), reads nothing outside, and claims nothing exact about a lock
/// whose registry package it could not read.
#[test]
fn a_hostile_lock_or_index_entry_is_no_declaration() {
    let tmp = tempfile::tempdir().unwrap();
    let (manifest, home) = leafy_workspace(tmp.path());
    let root = manifest.parent().unwrap();
    let lock = fs::read_to_string(root.join("Cargo.lock")).unwrap();
    let outside = format!(
        "{lock}\n[[package]]\nname = \"../../../../etc/passwd\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{}\"\n",
        "ab".repeat(32)
    );
    fs::write(root.join("Cargo.lock"), outside).unwrap();
    common::repo::commit(root, "hostile lock");
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    crates_io_cache(&home, &[("leafy", "1.0.1", nested)]);

    let run = tmp.path().join("run");
    let output = tool(&manifest, &run, &home, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.code().is_some_and(|c| c < 2), "{output:?}");
    assert!(!stderr.contains("panicked") && !stderr.contains("overflow"), "{stderr}");
    let report: Value =
        serde_json::from_str(&fs::read_to_string(run.join("site/report.json")).unwrap()).unwrap();
    let app = krate(&report, "app");
    assert_eq!(app["archive"]["exact"], false, "{app}");
    assert!(app["archive"]["checksum"].is_null(), "{app}");
    let estimates = app["archive"]["estimates"].to_string();
    assert!(estimates.contains("leafy"), "{estimates}");
    let mut shown = output.stdout.clone();
    shown.extend(&output.stderr);
    for file in walkdir::WalkDir::new(run.join("site")).into_iter().flatten() {
        if file.file_type().is_file() {
            shown.extend(fs::read(file.path()).unwrap());
        }
    }
    assert!(!String::from_utf8_lossy(&shown).contains("root:x:0:0"), "/etc/passwd was read");
}
