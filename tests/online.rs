//! `--online` and `verify --published` (issue 12) against a loopback registry: a tiny HTTP
//! server on 127.0.0.1 serving a sparse index, `config.json` and `.crate` downloads built
//! by `cargo package` itself. No test touches the internet.
//!
//! crates.io is pointed at the loopback server the way cargo is pointed at a mirror: a
//! `[source.crates-io] replace-with` in the `$CARGO_HOME/config.toml` of the run.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::registry::{Registry, Server, index_line, sha256};
use serde_json::{Value, json};

/// A throwaway git repository holding a workspace, with a site, a cache and a cargo home
/// beside it.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new(files: &[(&str, &str)]) -> Repo {
        let repo = Repo { dir: tempfile::tempdir().unwrap() };
        fs::create_dir(repo.root()).unwrap();
        for (path, text) in files {
            repo.write(path, text);
        }
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "-m", "one"]);
        repo
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("ws")
    }

    fn site(&self) -> PathBuf {
        self.dir.path().join("site")
    }

    fn write(&self, path: &str, text: &str) {
        let path = self.root().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn git(&self, args: &[&str]) {
        common::repo::git(&self.root(), args);
    }

    /// Runs the tool with `args` and the environment `env`; a report run writes the site.
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-readiness"));
        if args.first() == Some(&"verify") {
            command.args(args);
        } else {
            command.args(args).arg("--out").arg(self.site());
        }
        let cache = self.dir.path().join("cache");
        command
            .arg("--manifest-path")
            .arg(self.root().join("Cargo.toml"))
            .env("NO_COLOR", "1")
            .env("CARGO_READINESS_CACHE_DIR", &cache)
            .env("CARGO_TARGET_DIR", cache.join("target"))
            .env("CARGO_HOME", self.dir.path().join("cargo-home"))
            .env_remove("CARGO_REGISTRY_DEFAULT")
            .env_remove("CARGO_HTTP_TIMEOUT");
        for (key, value) in env {
            command.env(key, value);
        }
        command.output().unwrap()
    }

    /// `--online` against `registry`: the exit code and the report.
    fn online(&self, registry: &Registry, extra: &[&str]) -> (i32, Value, String) {
        registry.cargo_home(self.dir.path());
        let mut args = vec!["--online"];
        args.extend(extra);
        let output = self.run(&args, &[]);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let code = output.status.code().unwrap();
        assert!(code < 2, "{stderr}");
        (code, self.report(), stderr)
    }

    fn report(&self) -> Value {
        serde_json::from_str(&fs::read_to_string(self.site().join("report.json")).unwrap()).unwrap()
    }
}

fn krate<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["crates"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()
}

fn check<'a>(report: &'a Value, name: &str, id: &str) -> &'a Value {
    let checks = krate(report, name)["checks"].as_array().unwrap();
    checks.iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("{name} has no {id}"))
}

/// `(status, message)` of a check.
fn outcome(report: &Value, name: &str, id: &str) -> (String, String) {
    let check = check(report, name, id);
    (check["status"].as_str().unwrap().into(), check["message"].as_str().unwrap().into())
}

const REGISTRY_CHECKS: [&str; 6] = [
    "version-already-published",
    "name-taken",
    "dependency-unsatisfiable",
    "version-not-greater",
    "locked-version-yanked",
    "version-skipped",
];

fn package(name: &str, version: &str, extra: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\ndescription = \"The {name} crate\"\nlicense = \"MIT\"\nrepository = \"https://example.com/{name}\"\n{extra}"
    )
}

/// The `.crate` that `cargo package` writes for a one-crate workspace of `files`.
fn cargo_package(files: &[(&str, &str)]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("crate");
    for (path, text) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    cargo_package_at(&root)
}

/// The `.crate` that `cargo package` writes for the crate at `root`.
fn cargo_package_at(root: &Path) -> Vec<u8> {
    let target = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO"))
        .args(["package", "--no-verify", "--allow-dirty", "--offline", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .current_dir(target.path())
        .env("CARGO_TARGET_DIR", target.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let packaged = target.path().join("package");
    let file = fs::read_dir(&packaged)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "crate"))
        .unwrap();
    fs::read(file).unwrap()
}

const ALPHA_1_0: [(&str, &str); 4] = [
    ("Cargo.toml", ""),
    ("src/lib.rs", "pub fn alpha() {}\n"),
    ("old.txt", "old notes\n"),
    ("README.md", "# alpha\n"),
];

fn alpha_files(version: &str, features: &str) -> String {
    package(
        "alpha",
        version,
        &format!("readme = \"README.md\"\n\n[features]\n{features}\n[workspace]\n"),
    )
}

/// The first release of `alpha`, as cargo packages it.
fn alpha_1_0_crate() -> Vec<u8> {
    let manifest = alpha_files("1.0.0", "std = []\nold = []\n");
    let mut files = ALPHA_1_0.to_vec();
    files[0].1 = &manifest;
    cargo_package(&files)
}

/// A workspace where every registry check has something to say:
/// - `alpha` 1.1.0: 1.0.0 and 1.2.0 are published (not greater; compared with 1.0.0);
/// - `beta` 0.1.0+build.7: 0.1.0 is published (already published, build metadata aside);
/// - `gamma-ray`: `Gamma_Ray` is published (the name is taken by `_` and case);
/// - `delta`: `Delta` is published (taken by case);
/// - `epsilon` 0.4.0: published 0.2.0 (skipped); requirements on a crate that does not
///   exist, one only yanked versions match, and one no version matches;
/// - `zeta`, a binary: its lock pins `yankee` 1.0.0, which is yanked.
fn workspace(registry: &mut Registry) -> Repo {
    registry
        .publish("alpha", "1.0.0", &alpha_1_0_crate())
        .release("alpha", "1.2.0", false)
        .release("beta", "0.1.0", false)
        .release("Gamma_Ray", "3.0.0", false)
        .release("Delta", "1.0.0", false)
        .release("epsilon", "0.2.0", false)
        .release("onlyyanked", "1.0.0", true)
        .release("onlyyanked", "0.9.0", false)
        .release("toonew", "1.5.0", false)
        .release("yankee", "1.0.0", true)
        .release("yankee", "1.0.1", false);
    let yankee = sha256(b"yankee 1.0.0");
    let lock = format!(
        "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n\n[[package]]\nname = \"alpha\"\nversion = \"1.1.0\"\n\n[[package]]\nname = \"beta\"\nversion = \"0.1.0+build.7\"\n\n[[package]]\nname = \"delta\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"epsilon\"\nversion = \"0.4.0\"\ndependencies = [\n \"nosuch\",\n \"onlyyanked\",\n \"toonew\",\n]\n\n[[package]]\nname = \"gamma-ray\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"nosuch\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{yankee}\"\n\n[[package]]\nname = \"onlyyanked\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{yankee}\"\n\n[[package]]\nname = \"toonew\"\nversion = \"2.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{yankee}\"\n\n[[package]]\nname = \"yankee\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{yankee}\"\n\n[[package]]\nname = \"zeta\"\nversion = \"0.1.0\"\ndependencies = [\n \"yankee\",\n]\n"
    );
    let alpha = alpha_files("1.1.0", "std = []\n").replace("[workspace]\n", "");
    Repo::new(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"alpha\", \"beta\", \"gamma-ray\", \"delta\", \"epsilon\", \"zeta\"]\nresolver = \"2\"\n",
        ),
        ("Cargo.lock", &lock),
        ("alpha/Cargo.toml", &alpha),
        ("alpha/src/lib.rs", "pub fn alpha() -> u8 { 1 }\n"),
        ("alpha/src/new.rs", "pub fn new() {}\n"),
        ("alpha/README.md", "# alpha\n"),
        ("beta/Cargo.toml", &package("beta", "0.1.0+build.7", "")),
        ("beta/src/lib.rs", ""),
        ("gamma-ray/Cargo.toml", &package("gamma-ray", "0.1.0", "")),
        ("gamma-ray/src/lib.rs", ""),
        ("delta/Cargo.toml", &package("delta", "0.1.0", "")),
        ("delta/src/lib.rs", ""),
        (
            "epsilon/Cargo.toml",
            &package(
                "epsilon",
                "0.4.0",
                "\n[dependencies]\nnosuch = \"1\"\nonlyyanked = \"1\"\ntoonew = \"2\"\n",
            ),
        ),
        ("epsilon/src/lib.rs", ""),
        ("zeta/Cargo.toml", &package("zeta", "0.1.0", "\n[dependencies]\nyankee = \"1\"\n")),
        ("zeta/src/main.rs", "fn main() {}\n"),
    ])
}

#[test]
fn every_registry_check_against_a_loopback_index() {
    let mut registry = Registry::new();
    let repo = workspace(&mut registry);
    let (code, report, _) = repo.online(&registry, &[]);
    assert_eq!(code, 1, "blockers exit 1");

    let (status, message) = outcome(&report, "beta", "version-already-published");
    assert_eq!(status, "fail");
    assert!(message.contains("build metadata"), "{message}");
    assert_eq!(outcome(&report, "alpha", "version-already-published").0, "pass");

    let (status, message) = outcome(&report, "alpha", "version-not-greater");
    assert_eq!(status, "fail");
    assert!(message.contains("1.2.0"), "{message}");

    let (status, message) = outcome(&report, "gamma-ray", "name-taken");
    assert_eq!(status, "fail");
    assert!(message.contains("`Gamma_Ray`"), "{message}");
    let (status, message) = outcome(&report, "delta", "name-taken");
    assert_eq!(status, "fail");
    assert!(message.contains("`Delta`") && message.contains("case"), "{message}");
    assert_eq!(outcome(&report, "zeta", "name-taken").0, "pass");

    let (status, message) = outcome(&report, "epsilon", "dependency-unsatisfiable");
    assert_eq!(status, "fail");
    for expected in [
        "nosuch ^1 ([dependencies]): no crate of that name",
        "onlyyanked ^1 ([dependencies]): only yanked versions match",
        "toonew ^2 ([dependencies]): no published version matches",
    ] {
        assert!(message.contains(expected), "{expected:?} in {message}");
    }
    assert_eq!(outcome(&report, "zeta", "dependency-unsatisfiable").0, "pass");

    let (status, message) = outcome(&report, "epsilon", "version-skipped");
    assert_eq!(status, "fail");
    assert!(message.contains("0.2.0"), "{message}");
    assert_eq!(check(&report, "epsilon", "version-skipped")["severity"], "note");

    let (status, message) = outcome(&report, "zeta", "locked-version-yanked");
    assert_eq!(status, "fail");
    assert!(message.contains("yankee 1.0.0"), "{message}");

    // What the registry holds goes in the report and on the page and card.
    assert_eq!(
        krate(&report, "alpha")["registry"],
        json!({ "name": "crates.io", "releases": 2, "yanked": 0, "latest": "1.2.0" })
    );
    assert_eq!(krate(&report, "zeta")["registry"]["releases"], 0);
    assert_eq!(report["workspace"]["registry"]["reachable"], true);
    let page = fs::read_to_string(repo.site().join("crates/alpha/index.html")).unwrap();
    assert!(page.contains("2 releases on crates.io; latest 1.2.0"));

    // Publishing the plan: gamma-ray and zeta are new crates; alpha, delta and epsilon new
    // versions (beta's is published); within the bursts, nothing waits.
    let estimate = &report["workspace"]["publish_time"];
    let counts = (estimate["new_crates"].as_u64(), estimate["new_versions"].as_u64());
    assert_eq!(counts, (Some(2), Some(3)));
    assert_eq!(estimate["wait_seconds"], 0);
    assert!(estimate["basis"].as_str().unwrap().contains("rate_limiter.rs"));
}

#[test]
fn the_previous_release_is_downloaded_and_compared() {
    let mut registry = Registry::new();
    let repo = workspace(&mut registry);
    let (_, report, _) = repo.online(&registry, &["-p", "alpha"]);
    let previous = &krate(&report, "alpha")["previous_release"];
    assert_eq!(previous["version"], "1.0.0");
    assert_eq!(previous["status"], "changed");
    let paths = |key: &str| -> Vec<String> {
        previous[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().into())
            .collect()
    };
    assert_eq!(paths("files_added"), ["src/new.rs"]);
    assert_eq!(paths("files_removed"), ["old.txt"]);
    assert!(paths("files_changed").contains(&"src/lib.rs".to_owned()));
    let changes = previous["manifest_changes"].as_array().unwrap();
    assert!(
        changes.iter().any(|c| c["key"] == "features.old" && c["kind"] == "feature-removed"),
        "{changes:?}"
    );
    assert!(changes.iter().any(|c| c["key"] == "package.version"), "{changes:?}");
    // The same shape as the git comparison, on the page and in the summary.
    let page = fs::read_to_string(repo.site().join("crates/alpha/index.html")).unwrap();
    assert!(page.contains("id=\"previous-release\""));
    assert!(page.contains("Changes since <code>1.0.0 on crates.io</code>"));
    let summary = fs::read_to_string(repo.site().join("summary.md")).unwrap();
    assert!(summary.contains("Since last release"), "{summary}");
    assert!(summary.contains("features.old removed since 1.0.0 on crates.io"), "{summary}");
    // The version verdict is against the previous release: a removed feature in 1.1.0.
    let semver = &krate(&report, "alpha")["semver"];
    assert_eq!(semver["compared_with"], "previous-release");
    assert_eq!((&semver["since"], &semver["required_version"]), (&"1.0.0".into(), &"2.0.0".into()));
    assert_eq!(outcome(&report, "alpha", "version-bump-too-small").0, "fail");
}

#[test]
fn without_online_every_registry_check_is_not_checked_and_nothing_is_asked() {
    let mut registry = Registry::new();
    let repo = workspace(&mut registry);
    registry.cargo_home(repo.dir.path());
    let output = repo.run(&[], &[]);
    assert!(output.status.code().unwrap() < 2);
    let report = repo.report();
    for id in REGISTRY_CHECKS {
        let (status, message) = outcome(&report, "alpha", id);
        assert_eq!(status, "not-checked", "{id}");
        assert!(message.contains("--online"), "{message}");
    }
    assert!(registry.server.seen().is_empty(), "nothing is asked without --online");
    assert!(report["workspace"].get("registry").is_none());
    // Never counted: what fails offline is not the registry's.
    let checks = krate(&report, "alpha")["checks"].as_array().unwrap();
    let failing: Vec<_> = checks.iter().filter(|c| c["status"] == "fail").collect();
    assert!(failing.iter().all(|c| !REGISTRY_CHECKS.contains(&c["id"].as_str().unwrap())));
}

#[test]
fn an_unreachable_registry_leaves_its_checks_not_checked_and_still_writes_the_report() {
    let repo = Repo::new(&[
        ("Cargo.toml", &package("solo", "0.1.0", "\n[workspace]\n")),
        ("src/lib.rs", ""),
    ]);
    // Nothing listens on port 1.
    let output = repo.run(&["--online", "--index", "sparse+http://127.0.0.1:1/index/"], &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.code().unwrap() < 2, "{stderr}");
    let lines: Vec<_> = stderr.lines().filter(|l| l.contains("could not be reached")).collect();
    assert_eq!(lines.len(), 1, "one clear line: {stderr}");
    let report = repo.report();
    assert_eq!(report["workspace"]["registry"]["reachable"], false);
    for id in REGISTRY_CHECKS {
        assert_eq!(outcome(&report, "solo", id).0, "not-checked", "{id}");
    }
    let summary = fs::read_to_string(repo.site().join("summary.md")).unwrap();
    assert!(summary.contains("could not be reached"), "{summary}");
}

#[test]
fn a_slow_registry_times_out_instead_of_hanging() {
    let mut registry = Registry::new();
    registry.release("solo", "0.0.1", false);
    registry.server.delay(Duration::from_secs(4));
    let repo = Repo::new(&[
        ("Cargo.toml", &package("solo", "0.1.0", "\n[workspace]\n")),
        ("src/lib.rs", ""),
    ]);
    registry.cargo_home(repo.dir.path());
    let output = repo.run(&["--online"], &[("CARGO_HTTP_TIMEOUT", "1")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.code().unwrap() < 2, "{stderr}");
    assert!(stderr.contains("no answer within 1 s"), "{stderr}");
    assert_eq!(outcome(&repo.report(), "solo", "version-already-published").0, "not-checked");
}

#[test]
fn a_malformed_index_line_is_not_checked_naming_the_line() {
    let mut registry = Registry::new();
    registry.release("solo", "0.0.1", false);
    registry.lines.get_mut("solo").unwrap().push("{\"name\": \"solo\", \"vers\": ".into());
    registry.serve_index(&[]);
    let repo = Repo::new(&[
        ("Cargo.toml", &package("solo", "0.1.0", "\n[workspace]\n")),
        ("src/lib.rs", ""),
    ]);
    let (_, report, _) = repo.online(&registry, &[]);
    let (status, message) = outcome(&report, "solo", "version-already-published");
    assert_eq!(status, "not-checked");
    assert!(message.contains("line 2 of the index file"), "{message}");
}

#[test]
fn a_cached_rerun_asks_nothing() {
    let mut registry = Registry::new();
    let repo = workspace(&mut registry);
    registry.serve_index(&[("Cache-Control", "max-age=600"), ("ETag", "\"v1\"")]);
    let (_, report, _) = repo.online(&registry, &[]);
    let first = registry.server.seen().len();
    assert!(first > 0);
    let (_, again, _) = repo.online(&registry, &[]);
    let seen = registry.server.seen();
    assert_eq!(seen.len(), first, "a fresh cache asks nothing: {:?}", &seen[first..]);
    assert_eq!(again["crates"], report["crates"]);
}

#[test]
fn an_index_that_says_no_cache_is_revalidated_with_its_etag() {
    let mut registry = Registry::new();
    let repo = workspace(&mut registry);
    registry.serve_index(&[("Cache-Control", "no-cache"), ("ETag", "\"v1\"")]);
    let (_, report, _) = repo.online(&registry, &[]);
    let before = registry.server.seen().len();
    let (_, again, _) = repo.online(&registry, &[]);
    let rerun = &registry.server.seen()[before..];
    let index_files: Vec<_> = rerun
        .iter()
        .filter(|s| s.path.starts_with("/index/") && !s.path.ends_with("config.json"))
        .filter(|s| s.status != 404)
        .collect();
    assert!(!index_files.is_empty());
    assert!(index_files.iter().all(|s| s.conditional && s.status == 304), "{index_files:?}");
    assert!(rerun.iter().all(|s| !s.path.starts_with("/dl/")), "downloads are kept: {rerun:?}");
    assert_eq!(again["crates"], report["crates"]);
}

#[test]
fn a_token_goes_to_the_registry_only_and_never_into_output() {
    const TOKEN: &str = "cio-test-token-0123456789abcdef";
    let downloads = Server::start();
    let mut registry = Registry::new();
    // The registry requires a token; its downloads are on another origin.
    let config = json!({
        "dl": format!("{}/dl/{{crate}}/{{version}}/download", downloads.origin()),
        "api": null, "auth-required": true,
    });
    registry.server.serve("/index/config.json", config.to_string(), &[]);
    let old = cargo_package(&[
        ("Cargo.toml", &package("solo", "0.1.0", "\n[workspace]\n")),
        ("src/lib.rs", ""),
    ]);
    downloads.serve("/dl/solo/0.1.0/download", old.clone(), &[]);
    registry.line("solo", index_line("solo", "0.1.0", &sha256(&old), false));
    let repo = Repo::new(&[
        ("Cargo.toml", &package("solo", "0.2.0", "\n[workspace]\n")),
        ("src/lib.rs", "pub fn solo() {}\n"),
    ]);
    let index = registry.server.index().trim_start_matches("sparse+").to_owned();
    let output = repo.run(
        &["--online", "--registry", "corp"],
        &[
            ("CARGO_REGISTRIES_CORP_INDEX", &format!("sparse+{index}")),
            ("CARGO_REGISTRIES_CORP_TOKEN", TOKEN),
        ],
    );
    assert!(output.status.code().unwrap() < 2, "{}", String::from_utf8_lossy(&output.stderr));
    let index_requests = registry.server.seen();
    assert!(
        index_requests
            .iter()
            .any(|s| s.path.ends_with("/solo") && s.authorization.as_deref() == Some(TOKEN)),
        "{index_requests:?}"
    );
    let download_requests = downloads.seen();
    assert!(!download_requests.is_empty(), "the previous release was downloaded");
    assert!(download_requests.iter().all(|s| s.authorization.is_none()), "{download_requests:?}");
    let report = repo.report();
    assert_eq!(krate(&report, "solo")["previous_release"]["status"], "changed");
    assert_eq!(krate(&report, "solo")["registry"]["name"], "corp");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    for entry in walkdir::WalkDir::new(repo.dir.path()) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            text.push_str(&String::from_utf8_lossy(&fs::read(entry.path()).unwrap()));
        }
    }
    let written: Vec<_> = text.match_indices(TOKEN).collect();
    assert!(written.is_empty(), "the token is written somewhere");
}

#[test]
fn a_hostile_download_is_refused_without_writing_anything_outside() {
    let mut registry = Registry::new();
    // A `.crate` whose entries climb out of it, served with the checksum the index states.
    let mut tar = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    let body = b"pwned\n";
    header.set_size(body.len() as u64);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    let name = b"../../escaped.txt";
    header.as_old_mut().name[..name.len()].copy_from_slice(name);
    header.set_cksum();
    tar.append(&header, &body[..]).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &tar.into_inner().unwrap()).unwrap();
    let hostile = gz.finish().unwrap();
    registry.publish("solo", "0.1.0", &hostile);
    let repo = Repo::new(&[
        ("Cargo.toml", &package("solo", "0.2.0", "\n[workspace]\n")),
        ("src/lib.rs", ""),
    ]);
    let (_, report, _) = repo.online(&registry, &[]);
    let previous = &krate(&report, "solo")["previous_release"];
    assert_eq!(previous["status"], "not-compared", "{previous}");
    assert!(previous["reason"].as_str().unwrap().contains("../../escaped.txt"), "{previous}");
    for dir in [repo.dir.path(), repo.dir.path().parent().unwrap()] {
        assert!(!dir.join("escaped.txt").exists());
    }
}

/// `solo` 0.3.0 signed off as the report shows it now, the sign-off committed (as it is
/// before a release); and its report.
fn signed_off_solo() -> (Repo, Value) {
    let repo = Repo::new(&[
        ("Cargo.toml", &package("solo", "0.3.0", "\n[workspace]\n")),
        ("src/lib.rs", "pub fn solo() {}\n"),
    ]);
    let output = repo.run(&[], &[]);
    assert!(output.status.code().unwrap() < 2);
    let fingerprint = krate(&repo.report(), "solo")["fingerprint"].as_str().unwrap().to_owned();
    repo.write(
        "readiness-signoff.toml",
        &format!(
            "[[signoff]]\nname = \"solo\"\nversion = \"0.3.0\"\nfingerprint = \"{fingerprint}\"\nreviewer = \"Ada\"\ndate = 2026-11-24\n"
        ),
    );
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "sign-off"]);
    let output = repo.run(&[], &[]);
    assert!(output.status.code().unwrap() < 2);
    let report = repo.report();
    (repo, report)
}

fn verify_published(repo: &Repo, registry: &Registry) -> (i32, String) {
    registry.cargo_home(repo.dir.path());
    let output = repo.run(&["verify", "--published"], &[]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap(), text)
}

#[test]
fn verify_published_matches_what_was_signed_off() {
    let (repo, report) = signed_off_solo();
    let mut registry = Registry::new();
    // Before publishing: not there.
    registry.release("solo", "0.2.0", false);
    let (code, text) = verify_published(&repo, &registry);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("missing") && text.contains("has no such version"), "{text}");

    // Published with cargo from the same commit: the index's checksum is the archive's.
    let published = cargo_package_at(&repo.root());
    let checksum = format!("sha256:{}", sha256(&published));
    assert_eq!(krate(&report, "solo")["archive"]["checksum"].as_str(), Some(checksum.as_str()));
    registry.publish("solo", "0.3.0", &published);
    let (code, text) = verify_published(&repo, &registry);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("byte for byte"), "{text}");
    assert!(
        registry.server.seen().iter().all(|s| !s.path.starts_with("/dl/")),
        "an exact archive needs no download"
    );
}

#[test]
fn verify_published_names_what_differs() {
    let (repo, _) = signed_off_solo();
    let mut registry = Registry::new();
    let other = cargo_package(&[
        ("Cargo.toml", &package("solo", "0.3.0", "\n[workspace]\n")),
        ("src/lib.rs", "pub fn solo() { /* not what was reviewed */ }\n"),
        ("src/extra.rs", "\n"),
    ]);
    registry.publish("solo", "0.3.0", &other);
    let (code, text) = verify_published(&repo, &registry);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("differs"), "{text}");
    assert!(text.contains("modified src/lib.rs"), "{text}");
    assert!(text.contains("added    src/extra.rs"), "{text}");
}

/// After publishing, the commit crates.io's trusted-publishing record names must be the
/// commit the sign-off names; a version published with a token has no record, and
/// `verify --published` says so.
#[test]
fn verify_published_holds_the_recorded_commit_to_the_signed_off_one() {
    let repo = Repo::new(&[
        ("Cargo.toml", &package("solo", "0.3.0", "\n[workspace]\n")),
        ("src/lib.rs", "pub fn solo() {}\n"),
    ]);
    let reviewed = common::repo::git(&repo.root(), &["rev-parse", "HEAD"]);
    assert!(repo.run(&[], &[]).status.code().unwrap() < 2);
    let fingerprint = krate(&repo.report(), "solo")["fingerprint"].as_str().unwrap().to_owned();
    repo.write(
        "readiness-signoff.toml",
        &format!(
            "[[signoff]]\nname = \"solo\"\nversion = \"0.3.0\"\nfingerprint = \"{fingerprint}\"\nreviewer = \"Ada\"\ndate = 2026-11-24\ncommit = \"{reviewed}\"\n"
        ),
    );
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "sign-off"]);
    let mut registry = Registry::new();
    let config = json!({ "dl": format!("{}/dl/{{crate}}/{{version}}/download", registry.server.origin()), "api": registry.server.origin() });
    registry.server.serve("/index/config.json", config.to_string(), &[]);
    registry.publish("solo", "0.3.0", &cargo_package_at(&repo.root()));
    let record = |data: Value, by: Value| {
        let answer =
            json!({ "version": { "num": "0.3.0", "trustpub_data": data, "published_by": by } });
        registry.server.serve("/api/v1/crates/solo/0.3.0", answer.to_string(), &[]);
    };

    let other = "f".repeat(40);
    record(
        json!({ "provider": "github", "repository": "o/solo", "run_id": "7", "sha": other }),
        Value::Null,
    );
    let (code, text) = verify_published(&repo, &registry);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(&format!(
            "published from github o/solo at commit {other}, but the sign-off names {reviewed}"
        )),
        "{text}"
    );

    record(
        json!({ "provider": "github", "repository": "o/solo", "run_id": "7", "sha": reviewed }),
        Value::Null,
    );
    let (code, text) = verify_published(&repo, &registry);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains(&format!("at the signed-off commit {reviewed}")), "{text}");

    record(Value::Null, json!({ "id": 1, "login": "ada" }));
    let (code, text) = verify_published(&repo, &registry);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("no trusted-publishing record: it was published with an API token by ada"),
        "{text}"
    );
}

/// A crate whose content changed since its release tag while its version stayed the
/// released one (`version-not-bumped`): a blocker when the registry already holds that
/// version, a warning when it does not, the message saying which.
#[test]
fn version_not_bumped_blocks_only_when_the_registry_has_the_version() {
    let released = |published: bool| {
        let repo = Repo::new(&[
            ("Cargo.toml", &package("solo", "0.1.0", "")),
            ("src/lib.rs", "pub fn solo() {}\n"),
        ]);
        repo.git(&["tag", "v0.1.0"]);
        repo.write("src/lib.rs", "pub fn solo() -> u8 { 1 }\n");
        repo.git(&["commit", "-q", "-am", "changed, version kept"]);
        let mut registry = Registry::new();
        if published {
            registry.release("solo", "0.1.0", false);
        }
        let (code, report, stderr) = repo.online(&registry, &["--baseline", "auto"]);
        assert!(stderr.contains("baseline solo: compared with v0.1.0"), "{stderr}");
        let finding = check(&report, "solo", "version-not-bumped").clone();
        assert_eq!(finding["status"], "fail", "{finding}");
        (code, finding, krate(&report, "solo")["verdict"].clone())
    };
    let (code, finding, verdict) = released(false);
    let message = finding["message"].as_str().unwrap();
    assert!(message.ends_with("crates.io does not have 0.1.0 yet: a warning."), "{message}");
    assert_eq!((code, &finding["severity"], &verdict), (0, &json!("warning"), &json!("warnings")));

    let (code, finding, verdict) = released(true);
    let message = finding["message"].as_str().unwrap();
    assert!(message.ends_with("crates.io already has 0.1.0: a blocker."), "{message}");
    assert_eq!((code, &finding["severity"], &verdict), (1, &json!("blocker"), &json!("blocked")));
}
