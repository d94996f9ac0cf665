//! The build check, `--build` (issue 14): each publishable crate built from its packaged
//! archive, held against cargo's own verification (`cargo package`, which builds the
//! packaged crate) on the same fixtures: a crate cargo rejects is blocked, one it accepts is
//! not.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const PACKAGE: &str = "edition = \"2021\"\ndescription = \"A fixture\"\nlicense = \"MIT\"\nrepository = \"https://example.com/x\"\n";

/// The fixture workspace: what each crate does, and whether cargo builds it as published.
const CRATES: &[(&str, bool)] = &[
    // Builds.
    ("plain", true),
    // Depends on `plain`, a member not on crates.io: built against plain's archive.
    ("uses-member", true),
    // A build script that reads a file outside the package.
    ("reads-outside", false),
    // A source file that includes a file `exclude` leaves out.
    ("includes-excluded", false),
    // A build script that writes into the package's own folder (cargo: "Source directory
    // was modified by build.rs"): hostile to the checkout, refused by cargo.
    ("writes-sources", false),
    // Builds, but its documentation does not (a broken intra-doc link, denied).
    ("broken-docs", true),
    // A member with an optional feature, and one that turns it on.
    ("feature-base", true),
    ("enables-feature", true),
    // Calls feature-base's `extra()` without asking for the feature: it compiles in the
    // workspace only because enables-feature asks for it (features are unified there).
    ("needs-unified-feature", false),
    // A compile error on a line that holds a token: the compiler quotes the line, the
    // report must not.
    ("quotes-secret", false),
    // Builds; documented with docs.rs's `features = ["extra"]`, a broken (denied) link in
    // the part that feature adds fails its documentation.
    ("docs-features", true),
    // A build script's environment, cfg and OUT_DIR file, which the documentation needs too.
    ("build-env", true),
    // A proc-macro library.
    ("macro-docs", true),
    // No library: documented by `cargo doc` itself.
    ("bin-only", true),
    // docs.rs's `rustc-args`/`rustdoc-args` cfg turns on a part with a broken (denied) link;
    // its `--cfg docsrs` (nightly features) is left out.
    ("docs-cfg", true),
    // A build script that sets, for the compiler's process (the tool's wrapper), a rustdoc
    // of its own: the wrapper must not run it.
    ("names-rustdoc", true),
    // Depends on names-rustdoc with a feature (so it is compiled again, as a dependency),
    // whose build script also makes that compile look like the crate built
    // (`CARGO_PRIMARY_PACKAGE`) to the wrapper, which wraps a dependency's compiler calls
    // too: still no rustdoc of its own runs.
    ("on-names-rustdoc", true),
    // A library that compiles, and a binary that does not: cargo builds binaries too.
    ("broken-bin", false),
    // A lint its manifest denies (`[lints]`), on a function never used: the crate's own
    // lints, not capped as a dependency's are.
    ("denies-lints", false),
];

/// What docs.rs's settings in each fixture come to on stable: `cargo doc` arguments, and
/// RUSTFLAGS and RUSTDOCFLAGS.
fn docs_rs_of(name: &str) -> (&'static [&'static str], &'static str, &'static str) {
    match name {
        "docs-features" => (&["--features", "extra"], "", ""),
        "docs-cfg" => (&[], "--cfg fixture_unstable", "--cfg fixture_unstable"),
        _ => (&[], "", ""),
    }
}

/// A GitHub token shape, made up.
fn token() -> String {
    format!("ghp_{}", "x1Y2".repeat(9))
}

/// The members each fixture crate depends on, packaged with it as cargo's multi-package
/// packaging does.
fn members_of(name: &str) -> &'static [&'static str] {
    match name {
        "uses-member" => &["plain"],
        "enables-feature" | "needs-unified-feature" => &["feature-base"],
        "on-names-rustdoc" => &["names-rustdoc"],
        _ => &[],
    }
}

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    let members: Vec<String> = CRATES.iter().map(|(name, _)| format!("\"{name}\"")).collect();
    write(
        "Cargo.toml",
        &format!("[workspace]\nmembers = [{}]\nresolver = \"2\"\n", members.join(", ")),
    );
    for (name, _) in CRATES {
        write(
            &format!("{name}/Cargo.toml"),
            &format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n{PACKAGE}"),
        );
        write(&format!("{name}/src/lib.rs"), "pub fn f() {}\n");
    }
    let append = |path: &str, text: &str| {
        let path = root.join(path);
        let mut old = fs::read_to_string(&path).unwrap();
        old.push_str(text);
        fs::write(path, old).unwrap();
    };
    append(
        "uses-member/Cargo.toml",
        "\n[dependencies]\nplain = { path = \"../plain\", version = \"0.1.0\" }\n",
    );
    write("uses-member/src/lib.rs", "pub fn g() { plain::f() }\n");
    write("shared.txt", "shared\n");
    write(
        "reads-outside/build.rs",
        "fn main() { std::fs::read(\"../shared.txt\").expect(\"reads ../shared.txt\"); }\n",
    );
    append("includes-excluded/Cargo.toml", "exclude = [\"/data/\"]\n");
    write("includes-excluded/data/table.txt", "1,2,3\n");
    write(
        "includes-excluded/src/lib.rs",
        "pub const TABLE: &str = include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/data/table.txt\"));\n",
    );
    write(
        "writes-sources/build.rs",
        "fn main() { std::fs::write(\"generated.rs\", \"// generated\\n\").unwrap(); }\n",
    );
    write(
        "broken-docs/src/lib.rs",
        "#![deny(rustdoc::broken_intra_doc_links)]\n//! See [`Missing`].\npub fn f() {}\n",
    );
    append("feature-base/Cargo.toml", "\n[features]\nextra = []\n");
    write(
        "feature-base/src/lib.rs",
        "pub fn f() {}\n#[cfg(feature = \"extra\")]\npub fn extra() {}\n",
    );
    append(
        "enables-feature/Cargo.toml",
        "\n[dependencies]\nfeature-base = { path = \"../feature-base\", version = \"0.1.0\", features = [\"extra\"] }\n",
    );
    write("enables-feature/src/lib.rs", "pub fn g() { feature_base::extra() }\n");
    append(
        "needs-unified-feature/Cargo.toml",
        "\n[dependencies]\nfeature-base = { path = \"../feature-base\", version = \"0.1.0\" }\n",
    );
    write("needs-unified-feature/src/lib.rs", "pub fn h() { feature_base::extra() }\n");
    write(
        "quotes-secret/src/lib.rs",
        &format!("pub fn k() -> u8 {{ let _t = \"{}\"; missing_function() }}\n", token()),
    );
    append(
        "docs-features/Cargo.toml",
        "\n[features]\nextra = []\n\n[package.metadata.docs.rs]\nfeatures = [\"extra\"]\n",
    );
    write(
        "docs-features/src/lib.rs",
        "#![deny(rustdoc::broken_intra_doc_links)]\npub fn f() {}\n#[cfg(feature = \"extra\")]\n/// See [`Missing`].\npub fn extra() {}\n",
    );
    write(
        "build-env/build.rs",
        concat!(
            "fn main() {\n",
            "    println!(\"cargo::rustc-env=GREETING=Hello from the build script\");\n",
            "    println!(\"cargo::rustc-check-cfg=cfg(generated)\");\n",
            "    println!(\"cargo::rustc-cfg=generated\");\n",
            "    let out = std::env::var(\"OUT_DIR\").unwrap();\n",
            "    std::fs::write(format!(\"{out}/gen.rs\"), \"pub fn generated() {}\").unwrap();\n",
            "}\n",
        ),
    );
    write(
        "build-env/src/lib.rs",
        "#![doc = env!(\"GREETING\")]\ninclude!(concat!(env!(\"OUT_DIR\"), \"/gen.rs\"));\n#[cfg(not(generated))]\ncompile_error!(\"no cfg\");\n",
    );
    append("macro-docs/Cargo.toml", "\n[lib]\nproc-macro = true\n");
    write(
        "macro-docs/src/lib.rs",
        "//! A macro.\nuse proc_macro::TokenStream;\n/// Passes its input on.\n#[proc_macro]\npub fn same(input: TokenStream) -> TokenStream { input }\n",
    );
    fs::remove_file(root.join("bin-only/src/lib.rs")).unwrap();
    append(
        "docs-cfg/Cargo.toml",
        concat!(
            "\n[package.metadata.docs.rs]\n",
            "rustc-args = [\"--cfg\", \"fixture_unstable\"]\n",
            "rustdoc-args = [\"--cfg\", \"docsrs\", \"--cfg\", \"fixture_unstable\"]\n",
            "\n[lints.rust]\nunexpected_cfgs = { level = \"warn\", check-cfg = [\"cfg(fixture_unstable)\"] }\n",
        ),
    );
    write(
        "docs-cfg/src/lib.rs",
        "#![cfg_attr(docsrs, feature(doc_cfg))]\n#![deny(rustdoc::broken_intra_doc_links)]\npub fn f() {}\n#[cfg(fixture_unstable)]\n/// See [`Missing`].\npub fn unstable() {}\n",
    );
    write("bin-only/src/main.rs", "//! A tool.\nfn main() {}\n");
    append(
        "on-names-rustdoc/Cargo.toml",
        "\n[dependencies]\nnames-rustdoc = { path = \"../names-rustdoc\", version = \"0.1.0\", features = [\"extra\"] }\n",
    );
    append("names-rustdoc/Cargo.toml", "\n[features]\nextra = []\n");
    write("on-names-rustdoc/src/lib.rs", "pub fn g() { names_rustdoc::f() }\n");
    write("broken-bin/src/main.rs", "fn main() { missing_in_main() }\n");
    append("denies-lints/Cargo.toml", "\n[lints.rust]\ndead_code = \"deny\"\n");
    write("denies-lints/src/lib.rs", "pub fn f() {}\nfn never_used() {}\n");
    // Outside the workspace: what the hostile rustdoc would leave if it ran.
    let evil = dir.path().join("evil-rustdoc");
    fs::write(&evil, format!("#!/bin/sh\ntouch '{}'\n", dir.path().join("evil-ran").display()))
        .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&evil, fs::Permissions::from_mode(0o755)).unwrap();
    }
    write(
        "names-rustdoc/build.rs",
        &format!(
            "fn main() {{\n    println!(\"cargo::rustc-env=RUSTDOC={}\");\n    println!(\"cargo::rustc-env=CARGO_READINESS_DOCUMENT=1\");\n    println!(\"cargo::rustc-env=CARGO_PRIMARY_PACKAGE=1\");\n}}\n",
            evil.display()
        ),
    );
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(&root)
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "fixtures"]);
    dir
}

fn readiness(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-readiness"))
        .args(["--manifest-path"])
        .arg(dir.join("ws/Cargo.toml"))
        .arg("--out")
        .arg(dir.join("site"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("CARGO_READINESS_CACHE_DIR", dir.join("cache"))
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .unwrap();
    let report = fs::read_to_string(dir.join("site/report.json")).unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.code().unwrap(), serde_json::from_str(&report).unwrap(), stdout)
}

fn status<'a>(report: &'a Value, name: &str, id: &str) -> (&'a str, &'a str) {
    let krate = report["crates"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap();
    let check = krate["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap();
    (check["status"].as_str().unwrap(), check["message"].as_str().unwrap())
}

/// Whether `cargo package` (with its verification build) accepts `name`, packaged with the
/// members it depends on as cargo's multi-package packaging does.
fn cargo_accepts(root: &Path, name: &str, target: &Path) -> bool {
    let neutral = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO"));
    command.args(["package", "--allow-dirty", "--offline", "--manifest-path"]);
    command.arg(root.join("Cargo.toml"));
    for member in members_of(name) {
        command.args(["-p", member]);
    }
    command.args(["-p", name]).current_dir(neutral.path()).env("CARGO_TARGET_DIR", target);
    command.output().unwrap().status.success()
}

/// Whether `cargo doc` (with the fixture's docs.rs settings, as docs.rs runs it) documents
/// the crate `cargo package` unpacked into `target`.
fn cargo_documents(target: &Path, name: &str) -> bool {
    let neutral = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO"));
    command.args(["doc", "--no-deps", "--offline", "--manifest-path"]);
    command.arg(target.join(format!("package/{name}-0.1.0/Cargo.toml")));
    let (args, rustflags, rustdocflags) = docs_rs_of(name);
    command.args(args).current_dir(neutral.path());
    command.env("CARGO_TARGET_DIR", target.join("doc-target")).env("DOCS_RS", "1");
    command.env("RUSTFLAGS", rustflags).env("RUSTDOCFLAGS", rustdocflags);
    command.output().unwrap().status.success()
}

#[test]
fn the_build_check_blocks_exactly_what_cargo_publish_would_refuse() {
    let dir = workspace();
    // Every fixture but those that do not compile anywhere compiles in the workspace: each
    // other failure below is one of publishing.
    let neutral = tempfile::tempdir().unwrap();
    let workspace_build = Command::new(env!("CARGO"))
        .args(["build", "--workspace", "--offline", "-q"])
        .args([
            "--exclude",
            "quotes-secret",
            "--exclude",
            "broken-bin",
            "--exclude",
            "denies-lints",
        ])
        .arg("--manifest-path")
        .arg(dir.path().join("ws/Cargo.toml"))
        .current_dir(neutral.path())
        .env("CARGO_TARGET_DIR", dir.path().join("workspace-target"))
        .output()
        .unwrap();
    assert!(
        workspace_build.status.success(),
        "{}",
        String::from_utf8_lossy(&workspace_build.stderr)
    );
    // Building it touched the checkout (writes-sources' build script): restore it.
    let _ = fs::remove_file(dir.path().join("ws/writes-sources/generated.rs"));
    let (code, report, stdout) = readiness(dir.path(), &["--build", "-v"]);
    assert_eq!(code, 1, "some crates are blocked");
    assert!(!dir.path().join("evil-ran").exists(), "the wrapper ran the build script's rustdoc");
    let target = dir.path().join("cargo-target");
    for (name, builds) in CRATES {
        let (ours, message) = status(&report, name, "build-fails");
        let cargo = cargo_accepts(&dir.path().join("ws"), name, &target);
        assert_eq!(cargo, *builds, "cargo's verdict on {name} is the fixture's");
        assert_eq!(ours == "pass", cargo, "{name}: ours {ours}, cargo accepts: {cargo}\n{message}");
        assert!(!message.contains(&*dir.path().to_string_lossy()), "no absolute path: {message}");
        // The documentation's verdict is cargo doc's on the same archive (crates on other
        // members left out: cargo would need them patched in).
        if cargo && members_of(name).is_empty() {
            let (docs, message) = status(&report, name, "doc-build-fails");
            let documents = cargo_documents(&target, name);
            assert_eq!(
                docs == "pass",
                documents,
                "{name}: docs {docs}, cargo doc: {documents}\n{message}"
            );
        }
    }
    // The compiler's words, with paths inside the archive.
    let (_, message) = status(&report, "reads-outside", "build-fails");
    assert!(message.contains("reads ../shared.txt"), "{message}");
    let (_, message) = status(&report, "includes-excluded", "build-fails");
    assert!(message.contains("includes-excluded-0.1.0/data/table.txt"), "{message}");
    assert!(message.contains("src/lib.rs:1:25"), "{message}");
    let (_, message) = status(&report, "needs-unified-feature", "build-fails");
    assert!(message.contains("extra"), "{message}");
    let (_, message) = status(&report, "broken-bin", "build-fails");
    assert!(message.contains("missing_in_main") && message.contains("src/main.rs"), "{message}");
    let (_, message) = status(&report, "denies-lints", "build-fails");
    assert!(message.contains("never_used"), "{message}");
    let (_, message) = status(&report, "quotes-secret", "build-fails");
    assert!(message.contains("missing_function") && message.contains("[redacted"), "{message}");
    for entry in walkdir::WalkDir::new(dir.path().join("site")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let text = String::from_utf8_lossy(&fs::read(entry.path()).unwrap()).into_owned();
            assert!(!text.contains(&token()), "{} holds the token", entry.path().display());
        }
    }
    assert!(!stdout.contains(&token()), "the terminal shows the token");
    let (_, message) = status(&report, "writes-sources", "build-fails");
    assert!(message.contains("generated.rs added"), "{message}");
    // The terminal shows the first lines; the summary one line for the finding the crates
    // share, naming them, and no compiler output.
    assert!(stdout.contains("blocker build-fails: The crate does not build"), "{stdout}");
    let summary = fs::read_to_string(dir.path().join("site/summary.md")).unwrap();
    let line = summary.lines().find(|l| l.contains("`build-fails`")).unwrap();
    assert!(line.contains(" crates ("), "{line}");
    assert!(!summary.contains("missing_in_main"), "{summary}");

    // Documentation: built with the docs.rs settings; a failure is a warning.
    assert_eq!(status(&report, "plain", "doc-build-fails").0, "pass");
    let (docs, message) = status(&report, "broken-docs", "doc-build-fails");
    assert_eq!(docs, "fail");
    assert!(message.contains("Missing"), "{message}");
    assert_eq!(status(&report, "reads-outside", "doc-build-fails").0, "not-checked");
    let (docs, message) = status(&report, "docs-features", "doc-build-fails");
    assert_eq!(docs, "fail", "the feature docs.rs asks for is on");
    assert!(message.contains("src/lib.rs:4:11"), "{message}");
    let (docs, message) = status(&report, "docs-cfg", "doc-build-fails");
    assert_eq!(docs, "fail", "docs.rs's cfg is on");
    assert!(message.contains("Missing"), "{message}");
    assert!(message.contains("rustdoc-args --cfg docsrs"), "named as left out: {message}");
    for name in ["build-env", "macro-docs", "bin-only", "names-rustdoc"] {
        assert_eq!(status(&report, name, "doc-build-fails").0, "pass", "{name}");
    }
    // The documentation compiled nothing a second time: every library in the shared target
    // folder was compiled to link (an rlib beside its metadata), none for checking only,
    // as `cargo doc` compiles every dependency.
    let deps = dir.path().join("cache/v1/builds/target/debug/deps");
    for entry in fs::read_dir(&deps).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rmeta") {
            assert!(path.with_extension("rlib").exists(), "checked only: {}", path.display());
        }
    }
    // Nor did `cargo doc` run for a library the build documented (a proc-macro's, which
    // cargo names by a copy outside `deps`, among them).
    let docs = dir.path().join("cache/v1/builds/target/doc");
    for library in ["plain", "uses_member", "build_env", "macro_docs", "names_rustdoc"] {
        assert!(!docs.join(library).exists(), "cargo doc documented {library}");
    }
    assert!(docs.join("bin_only").exists(), "a crate without a library: cargo doc");
    // Crates whose builds compile alike were first built in one cargo call.
    let roots = fs::read_dir(dir.path().join("cache/v1/builds/roots")).unwrap();
    let names: Vec<String> =
        roots.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().any(|n| n.starts_with("group-")), "{names:?}");
}

#[test]
fn the_build_check_is_off_by_default_and_a_rerun_reuses_the_verdicts() {
    let dir = workspace();
    let (_, report, _) = readiness(dir.path(), &[]);
    // Each build check's message names the flag that runs it.
    for id in ["build-fails", "doc-build-fails"] {
        let (status_now, message) = status(&report, "plain", id);
        assert_eq!(status_now, "not-checked");
        assert!(message.contains("run with --build "), "{id}: {message}");
    }
    assert!(!dir.path().join("cache/v1/builds").exists(), "nothing is built without --build");

    let (_, first, _) = readiness(dir.path(), &["--build"]);
    let sources: PathBuf = dir.path().join("cache/v1/builds/target");
    assert!(sources.exists());
    fs::remove_dir_all(&sources).unwrap();
    // Unchanged archives, members and toolchain: the kept verdicts, no build (the target
    // folder stays gone).
    let (_, second, _) = readiness(dir.path(), &["--build"]);
    assert!(!sources.exists(), "a re-run with nothing changed builds nothing");
    assert_eq!(first["crates"], second["crates"]);
}

/// The build check asks no registry unless `--online`: offline, cargo takes the
/// dependencies from its local cache, and one missing there leaves the build not checked,
/// saying how to fetch it, with nothing downloaded; with `--online` cargo downloads it and
/// the crate builds. (Against a loopback registry that stands in for crates.io.)
#[test]
fn the_build_check_downloads_nothing_without_online() {
    let tmp = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = tmp.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    let neutral = tempfile::tempdir().unwrap();
    let cargo = |home: Option<&Path>, args: &[&str]| {
        let mut command = Command::new(env!("CARGO"));
        command.args(args).current_dir(neutral.path());
        command.env("CARGO_TARGET_DIR", tmp.path().join("cargo-target"));
        if let Some(home) = home {
            command.env("CARGO_HOME", home);
        }
        let output = command.output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    };
    // A release on the registry: the .crate cargo writes.
    write(
        "leafdep/Cargo.toml",
        &format!("[package]\nname = \"leafdep\"\nversion = \"1.0.0\"\n{PACKAGE}"),
    );
    write("leafdep/src/lib.rs", "pub fn leaf() {}\n");
    let leaf_manifest = tmp.path().join("leafdep/Cargo.toml");
    let leaf_manifest = leaf_manifest.to_str().unwrap();
    cargo(
        None,
        &["package", "--no-verify", "--allow-dirty", "--offline", "--manifest-path", leaf_manifest],
    );
    let crate_file = fs::read(tmp.path().join("cargo-target/package/leafdep-1.0.0.crate")).unwrap();
    let mut registry = common::registry::Registry::new();
    registry.publish("leafdep", "1.0.0", &crate_file);
    let home = registry.cargo_home(tmp.path());

    // A crate that needs it, its lock written from the registry's index (so the index is
    // in cargo's cache, the .crate is not).
    write(
        "ws/Cargo.toml",
        &format!(
            "[package]\nname = \"uses-registry\"\nversion = \"0.1.0\"\n{PACKAGE}[dependencies]\nleafdep = \"1\"\n"
        ),
    );
    write("ws/src/lib.rs", "pub fn g() { leafdep::leaf() }\n");
    let manifest = tmp.path().join("ws/Cargo.toml");
    cargo(Some(&home), &["generate-lockfile", "--manifest-path", manifest.to_str().unwrap()]);
    let downloads = || registry.server.seen().iter().filter(|s| s.path.starts_with("/dl/")).count();
    assert_eq!(downloads(), 0);

    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_cargo-readiness"))
            .arg("--manifest-path")
            .arg(&manifest)
            .arg("--out")
            .arg(tmp.path().join("site"))
            .args(args)
            .current_dir(neutral.path())
            .env("NO_COLOR", "1")
            .env("CARGO_HOME", &home)
            .env("CARGO_READINESS_CACHE_DIR", tmp.path().join("cache"))
            .env("CARGO_TARGET_DIR", tmp.path().join("target"))
            .output()
            .unwrap();
        assert!(output.status.code().is_some_and(|c| c < 2), "{output:?}");
        let report = fs::read_to_string(tmp.path().join("site/report.json")).unwrap();
        serde_json::from_str::<Value>(&report).unwrap()
    };
    let report = run(&["--build"]);
    let (status_now, message) = status(&report, "uses-registry", "build-fails");
    assert_eq!(status_now, "not-checked", "{message}");
    assert!(message.contains("cargo fetch") && message.contains("--online"), "{message}");
    assert_eq!(downloads(), 0, "no --online: cargo downloads nothing");

    let report = run(&["--build", "--online"]);
    let (status_now, message) = status(&report, "uses-registry", "build-fails");
    assert_eq!(status_now, "pass", "{message}");
    assert!(downloads() > 0, "with --online cargo downloads the dependency");
}
