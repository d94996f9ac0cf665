//! One fixture crate per check, each violating exactly that check: a workspace generated in
//! a temp dir (committed to git, so the dirty-files fixture can differ from HEAD), run once
//! through the binary. Each crate must fail exactly its own check; the findings' wording is
//! kept as insta snapshots in tests/snapshots/.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

/// `[package]` lines of a crate that passes every check.
const GOOD: &[(&str, &str)] = &[
    ("version", "\"0.1.0\""),
    ("edition", "\"2024\""),
    ("rust-version", "\"1.85\""),
    ("description", "\"A fixture that passes every check\""),
    ("license", "\"MIT OR Apache-2.0\""),
    ("repository", "\"https://github.com/example/fixtures\""),
    ("readme", "\"README.md\""),
    ("keywords", "[\"fixture\", \"test\"]"),
    ("categories", "[\"development-tools::testing\"]"),
];

/// A fixture: the check it violates, `[package]` keys changed (`None` removes the key),
/// extra manifest text, and files (`None` content: a broken symlink).
struct Fixture {
    id: &'static str,
    package: Vec<(&'static str, Option<String>)>,
    extra: String,
    files: Vec<(String, Option<Vec<u8>>)>,
}

fn fixture(id: &'static str) -> Fixture {
    Fixture { id, package: Vec::new(), extra: String::new(), files: Vec::new() }
}

impl Fixture {
    fn set(mut self, key: &'static str, value: &str) -> Self {
        self.package.push((key, Some(value.to_owned())));
        self
    }

    fn unset(mut self, key: &'static str) -> Self {
        self.package.push((key, None));
        self
    }

    fn extra(mut self, text: &str) -> Self {
        self.extra.push_str(text);
        self
    }

    fn file(mut self, path: &str, content: impl Into<Vec<u8>>) -> Self {
        self.files.push((path.to_owned(), Some(content.into())));
        self
    }

    fn broken_link(mut self, path: &str) -> Self {
        self.files.push((path.to_owned(), None));
        self
    }

    /// The crate's name: the check id, unless the fixture renames it.
    fn name(&self) -> String {
        self.package
            .iter()
            .find(|(k, _)| *k == "name")
            .and_then(|(_, v)| v.as_ref().map(|v| v.trim_matches('"').to_owned()))
            .unwrap_or_else(|| self.id.to_owned())
    }

    fn manifest(&self) -> String {
        let mut keys: Vec<(&str, Option<String>)> =
            vec![("name", Some(format!("\"{}\"", self.id)))];
        keys.extend(GOOD.iter().map(|(k, v)| (*k, Some((*v).to_owned()))));
        for (key, value) in &self.package {
            match keys.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value.clone(),
                None => keys.push((key, value.clone())),
            }
        }
        let mut text = String::from("[package]\n");
        for (key, value) in keys {
            if let Some(value) = value {
                text.push_str(&format!("{key} = {value}\n"));
            }
        }
        text.push_str(&self.extra);
        text
    }
}

fn fixtures() -> Vec<Fixture> {
    let token = format!("GITHUB_TOKEN=ghp_{}\n", "x1Y2".repeat(9));
    // Built at run time, so that this file holds no key of its own.
    let header = |end: &str| format!("-----{end} {}PRIVATE KEY-----", "");
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let body: Vec<u8> =
        (0..1600u32).map(|i| alphabet[(i.wrapping_mul(2654435761) >> 26) as usize]).collect();
    let body: Vec<&str> = body.chunks(64).map(|l| std::str::from_utf8(l).unwrap()).collect();
    let key = format!("{}\n{}\n{}\n", header("BEGIN"), body.join("\n"), header("END"));
    let placeholder = format!("{}\nQQ==\n{}\n", header("BEGIN"), header("END"));
    let features: String = (0..301).map(|i| format!("f{i} = []\n")).collect();
    let noise: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8).collect();
    vec![
        fixture("helper"),
        fixture("name-invalid").set("name", &format!("\"{}\"", "n".repeat(65))),
        fixture("name-reserved").set("name", "\"graphviz\""),
        fixture("version-invalid").set("version", &format!("\"1.0.0+{}\"", "a".repeat(150))),
        fixture("description-missing").unset("description"),
        fixture("description-too-long").set("description", &format!("\"{}\"", "word ".repeat(201))),
        fixture("license-missing").unset("license"),
        fixture("license-invalid").set("license", "\"Apache 2\""),
        fixture("license-file-not-found").unset("license").set("license-file", "\"LICENSE.txt\""),
        fixture("readme-not-found").set("readme", "\"MISSING.md\""),
        fixture("url-invalid").set("repository", "\"github.com/example/fixtures\""),
        fixture("keywords-too-many").set("keywords", "[\"a\", \"b\", \"c\", \"d\", \"e\", \"f\"]"),
        fixture("keyword-invalid").set("keywords", "[\"has space\"]"),
        fixture("categories-too-many").set(
            "categories",
            "[\"algorithms\", \"caching\", \"compression\", \"concurrency\", \"encoding\", \"parsing\"]",
        ),
        fixture("category-unknown").set("categories", "[\"command-line\"]"),
        fixture("features-too-many").extra(&format!("\n[features]\n{features}")),
        fixture("repository-missing").unset("repository"),
        fixture("readme-too-large").set("readme", "\"BIG.md\"").file("BIG.md", "word ".repeat(220_000)),
        fixture("readme-not-utf8").set("readme", "\"LATIN1.md\"").file("LATIN1.md", b"caf\xe9\n".to_vec()),
        fixture("readme-links-broken").set("readme", "\"LINKS.md\"").file("LINKS.md", "See [the guide](docs/missing.md).\n"),
        fixture("keywords-missing").unset("keywords"),
        fixture("categories-missing").unset("categories"),
        fixture("readme-missing").unset("readme"),
        fixture("rust-version-missing").unset("rust-version"),
        fixture("edition-missing").unset("edition"),
        fixture("homepage-is-repository").set("homepage", "\"https://github.com/example/fixtures/\""),
        fixture("authors-set").set("authors", "[\"Someone <someone@example.com>\"]"),
        fixture("version-prerelease").set("version", "\"0.2.0-rc.1\""),
        fixture("dependency-without-version").extra("\n[dependencies]\nhelper = { path = \"../helper\" }\n"),
        fixture("dependency-wildcard").extra("\n[dependencies]\nserde = \"*\"\n"),
        fixture("dependency-unpublished-member")
            .extra("\n[dependencies]\ninternal = { path = \"../internal\", version = \"0.1.0\" }\n"),
        fixture("dependency-version-mismatch")
            .extra("\n[dependencies]\nhelper = { path = \"../helper\", version = \"2\" }\n"),
        fixture("crate-large").extra("\n[package.metadata.readiness]\ncrate-size-warning = 500\n"),
        // A token is a secret under tests/ too; a key whose body is `QQ==` is none.
        fixture("secret-in-archive")
            .file("config/dev.conf", token.clone())
            .file("tests/keys/ci.env", token)
            .file("config/placeholder.pem", placeholder),
        fixture("secret-in-test-data").file("tests/keys/server.pem", key),
        fixture("compile-input-missing")
            .set("exclude", "[\"/data/\"]")
            .file("src/lib.rs", "//! lib\npub const TABLE: &str = include_str!(\"../data/table.txt\");\n")
            .file("data/table.txt", "1,2,3\n"),
        fixture("compile-input-missing-under-cfg")
            .set("exclude", "[\"/data/\"]")
            .file("src/lib.rs", "//! lib\n#[cfg(bench)]\npub const B: &[u8] = include_bytes!(\"../data/b.bin\");\n#[cfg(test)]\nconst T: &[u8] = include_bytes!(\"../data/t.bin\");\n")
            .file("data/b.bin", "b")
            .file("data/t.bin", "t"),
        fixture("build-script-excluded")
            .set("exclude", "[\"/build.rs\"]")
            .set("build", "\"build.rs\"")
            .file("build.rs", "fn main() {}\n"),
        fixture("build-script-not-packaged")
            .set("build", "\"../shared-build.rs\"")
            .file("../shared-build.rs", "fn main() {}\n"),
        fixture("upload-metadata-too-large")
            .set("readme", "\"QUOTES.md\"")
            // 600 KB on disk, over 1 MiB once every quote and newline is escaped in JSON.
            .file("QUOTES.md", "\"\n".repeat(300_000)),
        fixture("file-unreadable").broken_link("dangling.txt"),
        fixture("path-outside-repository")
            .set("readme", "\"../../../outside.md\"")
            .file("../../../outside.md", "# Outside the repository\n"),
        fixture("crate-not-checked").set("exclude", "[\"src/[z-a]\"]"),
        fixture("file-name-invalid").file("notes:draft.txt", "colon\n"),
        fixture("file-name-reserved").file("src/aux.rs", "// reserved on Windows\n"),
        fixture("file-name-case-collision").file("docs/Guide.md", "a\n").file("docs/guide.md", "b\n"),
        fixture("junk-file").file(".DS_Store", vec![0u8; 64]).file("tests/fixtures/input.json", "{}\n"),
        fixture("large-file")
            .extra("\n[package.metadata.readiness]\nlarge-file = 2048\n")
            .file("assets/noise.bin.dat", noise),
        fixture("dirty-files").file("notes.txt", "committed\n"),
        fixture("docsrs-metadata-invalid")
            .extra("\n[package.metadata.docs.rs]\nall_features = true\nfeatures = \"std\"\n"),
        fixture("docsrs-feature-unknown").extra(
            "\n[features]\nstd = []\n\n[package.metadata.docs.rs]\nfeatures = [\"std\", \"serde\", \"missing/feature\"]\n",
        ),
        fixture("docsrs-target-invalid").extra(
            "\n[package.metadata.docs.rs]\ndefault-target = \"x86_64-linux-gnu\"\ntargets = [\"wasm32-unknown-unknown\"]\n",
        ),
        fixture("docsrs-features-with-all-features").extra(
            "\n[features]\nstd = []\n\n[package.metadata.docs.rs]\nall-features = true\nfeatures = [\"std\"]\n",
        ),
        fixture("docsrs-args-not-split")
            .extra("\n[package.metadata.docs.rs]\nrustdoc-args = [\"--cfg docsrs\", \"--cfg\", \"ok\"]\n"),
    ]
}

/// The workspace-level fixtures: a cycle between two otherwise ready crates, a crate that is
/// never published, and a CI workflow that publishes with a long-lived token.
fn write_workspace(root: &Path) {
    let mut members = Vec::new();
    for fixture in fixtures() {
        let dir = root.join("crates").join(fixture.id);
        fs::create_dir_all(dir.join("src")).unwrap();
        fs::write(dir.join("Cargo.toml"), fixture.manifest()).unwrap();
        fs::write(dir.join("src/lib.rs"), "//! A fixture.\n").unwrap();
        // Without a `readme` key cargo would still find README.md: no file either.
        if !fixture.package.iter().any(|(k, v)| *k == "readme" && v.is_none()) {
            fs::write(dir.join("README.md"), format!("# {}\n", fixture.id)).unwrap();
        }
        for (path, content) in &fixture.files {
            let path = dir.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            match content {
                Some(bytes) => fs::write(&path, bytes).unwrap(),
                #[cfg(unix)]
                None => std::os::unix::fs::symlink("nowhere", &path).unwrap(),
                #[cfg(not(unix))]
                None => {}
            }
        }
        members.push(format!("crates/{}", fixture.id));
    }
    for (name, extra) in [
        ("cycle-a", "\n[dependencies]\ncycle-b = { path = \"../cycle-b\", version = \"0.1.0\" }\n"),
        ("cycle-b", "\n[dependencies]\ncycle-a = { path = \"../cycle-a\", version = \"0.1.0\" }\n"),
        ("internal", "publish = false\n"),
    ] {
        let fixture = fixture("helper").set("name", &format!("\"{name}\"")).extra(extra);
        let dir = root.join("crates").join(name);
        fs::create_dir_all(dir.join("src")).unwrap();
        fs::write(dir.join("Cargo.toml"), fixture.manifest()).unwrap();
        fs::write(dir.join("src/lib.rs"), "//! A fixture.\n").unwrap();
        fs::write(dir.join("README.md"), "# fixture\n").unwrap();
        members.push(format!("crates/{name}"));
    }
    fs::create_dir_all(root.join(".github/workflows")).unwrap();
    fs::write(
        root.join(".github/workflows/release.yml"),
        "on: push\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo publish\n        env:\n          CARGO_REGISTRY_TOKEN: ${{ secrets.CARGO_REGISTRY_TOKEN }}\n",
    )
    .unwrap();
    fs::write(
        root.join("Cargo.toml"),
        format!("[workspace]\nresolver = \"3\"\nmembers = {members:?}\n"),
    )
    .unwrap();
}

struct Run {
    report: Value,
    _dir: tempfile::TempDir,
}

/// Builds the workspace, commits it, dirties one crate, and runs cargo-readiness once.
fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ws");
        fs::create_dir_all(&root).unwrap();
        write_workspace(&root);
        let git = |args: &[&str]| {
            let out = Command::new("git")
                .args(["-c", "user.name=t", "-c", "user.email=t@t"])
                .args(args)
                .current_dir(&root)
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("HOME", dir.path())
                // A fixed date gives a fixed commit id, so the archive's size is stable.
                .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
                .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
                .output()
                .unwrap();
            assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        git(&["init", "-q"]);
        git(&["add", "-A"]);
        git(&["commit", "-q", "-m", "fixtures"]);
        fs::write(root.join("crates/dirty-files/notes.txt"), "changed after the commit\n").unwrap();

        let out = dir.path().join("site");
        let output = Command::new(env!("CARGO_BIN_EXE_cargo-readiness"))
            .args(["--manifest-path", root.join("Cargo.toml").to_str().unwrap(), "-q"])
            .args(["--out", out.to_str().unwrap()])
            .env("CARGO_TARGET_DIR", dir.path().join("target"))
            .env("CARGO_READINESS_CACHE_DIR", dir.path().join("cache"))
            .env("HOME", dir.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
        let report =
            serde_json::from_str(&fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
        Run { report, _dir: dir }
    })
}

fn failing(checks: &Value) -> BTreeMap<String, (String, String)> {
    checks
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| {
            let id = c["id"].as_str().unwrap().to_owned();
            (
                id,
                (c["message"].as_str().unwrap().to_owned(), c["help"].as_str().unwrap().to_owned()),
            )
        })
        .collect()
}

#[test]
fn each_fixture_fails_exactly_its_check() {
    let report = &run().report;
    for fixture in fixtures() {
        let name = fixture.name();
        let krate = report["crates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name.as_str())
            .unwrap_or_else(|| panic!("{name} is in the report"));
        let failing = failing(&krate["checks"]);
        let ids: Vec<&str> = failing.keys().map(String::as_str).collect();
        let expected: Vec<&str> = if fixture.id == "helper" { vec![] } else { vec![fixture.id] };
        assert_eq!(ids, expected, "{} fails exactly its own check", fixture.id);
        let snapshot: String = failing
            .iter()
            .map(|(id, (message, help))| format!("{id}: {message}\n  help: {help}\n"))
            .collect();
        if fixture.id != "helper" {
            insta::assert_snapshot!(fixture.id, snapshot);
        }
    }
}

#[test]
fn every_check_has_a_fixture() {
    let report = &run().report;
    let mut ids: Vec<String> = fixtures().iter().map(|f| f.id.to_owned()).collect();
    ids.extend(failing(&report["workspace"]["checks"]).into_keys());
    let catalogue: Vec<String> = report["crates"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .chain(report["workspace"]["checks"].as_array().unwrap())
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    // Limits too costly to reach in a test (500 dependencies, a 10 MiB archive, 512 MiB
    // unpacked) or that
    // cargo enforces before we see the manifest (rust-version), tested as units instead.
    let untested = [
        "dependencies-too-many",
        "crate-too-large",
        "crate-unpacked-too-large",
        "rust-version-invalid",
        // Build checks need --build: tests/build.rs holds them against cargo's own.
        "build-fails",
        "doc-build-fails",
        // Registry checks need a registry: tests/online.rs runs each one against a
        // loopback index.
        "version-already-published",
        "name-taken",
        "dependency-unsatisfiable",
        "version-not-greater",
        "locked-version-yanked",
        "version-skipped",
        // Version checks need an earlier version: tests/semver.rs compares fixture pairs.
        "version-bump-too-small",
        "version-bump-smaller-than-expected",
        "version-bump-larger-than-needed",
        // Needs a release tag: tests/review.rs and tests/online.rs tag repositories.
        "version-not-bumped",
    ];
    for id in catalogue {
        assert!(ids.contains(&id) || untested.contains(&id.as_str()), "no fixture for {id}");
    }
}

#[test]
fn workspace_checks_find_the_cycle_and_the_long_lived_token() {
    let report = &run().report;
    let failing = failing(&report["workspace"]["checks"]);
    let ids: Vec<&str> = failing.keys().map(String::as_str).collect();
    assert_eq!(ids, ["publish-cycle", "trusted-publishing"]);
    let snapshot: String = failing
        .iter()
        .map(|(id, (message, help))| format!("{id}: {message}\n  help: {help}\n"))
        .collect();
    insta::assert_snapshot!("workspace", snapshot);
    let order = report["workspace"]["publish_order"].as_array().unwrap();
    let position = |name: &str| order.iter().position(|n| n == name).unwrap();
    assert!(position("helper") < position("dependency-version-mismatch"));
    assert!(position("cycle-a") > position("helper"), "the cycle comes last");
}
