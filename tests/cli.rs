//! End-to-end tests: the built binary on fixture workspaces, asserting on report.json, the
//! HTML and exit codes.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name).join("Cargo.toml")
}

fn demo() -> PathBuf {
    repo().join("examples/demo/Cargo.toml")
}

/// Runs the binary with its size cache in a temp dir, so tests never write into the
/// fixtures' folders.
fn readiness(args: &[&std::ffi::OsStr]) -> Output {
    let target = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_cargo-readiness"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("CARGO_TARGET_DIR", target.path())
        .env("CARGO_READINESS_CACHE_DIR", target.path().join("cache"))
        .output()
        .expect("the binary runs")
}

/// Runs on `manifest` with `--out <tmp>/site` and returns the output and the site folder.
fn run_on(manifest: &Path, extra: &[&str]) -> (Output, tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let mut args: Vec<&std::ffi::OsStr> =
        vec!["--manifest-path".as_ref(), manifest.as_os_str(), "--out".as_ref(), out.as_os_str()];
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    let output = readiness(&args);
    (output, tmp, out)
}

fn report(site: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(site.join("report.json")).unwrap()).unwrap()
}

fn krate<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["crates"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// An exit-2 error: one line, starting with `error: `, that contains `needle`.
fn assert_one_line_error(output: &Output, needle: &str) {
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(output));
    let err = stderr(output);
    assert_eq!(err.lines().count(), 1, "one line expected, got: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(needle), "`{needle}` not in: {err}");
}

#[test]
fn demo_workspace_report_follows_the_contract() {
    let (output, _tmp, site) = run_on(&demo(), &[]);
    assert_eq!(output.status.code(), Some(1), "demo has a blocked crate: {}", stderr(&output));
    let report = report(&site);
    assert_eq!(report["schema"], "cargo-readiness/report/v1");
    assert_eq!(report["tool"]["name"], "cargo-readiness");
    assert_eq!(report["tool"]["version"], env!("CARGO_PKG_VERSION"));

    let verdicts: Vec<(&str, &str)> = report["crates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("demo-cli", "blocked"),
            ("demo-core", "ready"),
            ("demo-internal", "skipped"),
            ("demo-utils", "warnings"),
        ]
    );
    assert_eq!(
        report["workspace"]["publish_order"],
        serde_json::json!(["demo-core", "demo-utils", "demo-cli"])
    );

    let core = krate(&report, "demo-core");
    assert_eq!(core["manifest_path"], "crates/demo-core/Cargo.toml");
    assert_eq!(core["card"], "crates/demo-core/card.png");
    assert_eq!(core["publish"], true);
    assert_eq!(core["page"], "crates/demo-core/index.html");
    assert!(core["fingerprint"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(core["fingerprint"].as_str().unwrap().len(), "sha256:".len() + 64);
    let archive = &core["archive"];
    let files = archive["files"].as_array().unwrap();
    assert_eq!(archive["file_count"], files.len());
    let sum: u64 = files.iter().map(|f| f["size"].as_u64().unwrap()).sum();
    assert_eq!(archive["unpacked_size"], sum);
    assert!(archive["compressed_size"].as_u64().unwrap() > 0);
    let paths: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    for generated in ["Cargo.lock", "Cargo.toml", "Cargo.toml.orig"] {
        let file = files.iter().find(|f| f["path"] == generated).unwrap();
        assert_eq!(file["origin"], "generated", "{generated}");
    }
    assert!(paths.contains(&"src/lib.rs"), "{paths:?}");
    for check in core["checks"].as_array().unwrap() {
        for key in ["id", "severity", "status", "message", "help", "guide", "docs"] {
            assert!(check.get(key).is_some(), "check lacks {key}: {check}");
        }
        let guide = check["guide"].as_str().unwrap();
        let (page, anchor) = guide.split_once('#').unwrap();
        let html = fs::read_to_string(site.join(page)).unwrap_or_else(|_| panic!("{guide} exists"));
        assert!(html.contains(&format!("id=\"{anchor}\"")), "{guide} has its anchor");
    }

    let cli = krate(&report, "demo-cli");
    let failed: Vec<&str> = cli["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    for id in ["description-missing", "license-missing", "keywords-too-many", "category-unknown"] {
        assert!(failed.contains(&id), "demo-cli should fail {id}: {failed:?}");
    }
}

#[test]
fn demo_site_has_every_page() {
    let (output, _tmp, site) = run_on(&demo(), &[]);
    assert_eq!(output.status.code(), Some(1));
    for page in ["index.html", "summary.md", "report.json", "guide/index.html", "assets/style.css"]
    {
        assert!(site.join(page).is_file(), "{page} is missing");
    }
    let index = fs::read_to_string(site.join("index.html")).unwrap();
    for name in ["demo-core", "demo-utils", "demo-cli", "demo-internal"] {
        assert!(index.contains(name), "index lists {name}");
        let page = fs::read_to_string(site.join(format!("crates/{name}/index.html"))).unwrap();
        assert!(page.contains("<details"), "{name} has an archive tree");
        assert!(page.contains("sha256:"), "{name} shows its fingerprint");
        assert!(!page.contains(repo().to_str().unwrap()), "{name} leaks an absolute path");
    }
    let blocked = fs::read_to_string(site.join("crates/demo-cli/index.html")).unwrap();
    assert!(blocked.contains("id=\"check-description-missing\""));
    assert!(
        blocked.contains("<meta property=\"og:image\" content=\"../../crates/demo-cli/card.png\">")
    );
    assert!(blocked.contains("<meta name=\"twitter:card\" content=\"summary_large_image\">"));
    let card = fs::read(site.join("crates/demo-cli/card.png")).unwrap();
    assert_eq!(&card[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(u32::from_be_bytes(card[16..20].try_into().unwrap()), 1200, "width");
    assert_eq!(u32::from_be_bytes(card[20..24].try_into().unwrap()), 630, "height");
    let summary = fs::read_to_string(site.join("summary.md")).unwrap();
    assert!(summary.contains("| [demo-cli](crates/demo-cli/index.html) |"), "{summary}");

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.lines().count(), 5, "one line per crate and the report path: {stdout}");
    assert!(stdout.contains("blocked demo-cli"), "{stdout}");
    assert!(stdout.trim_end().ends_with("index.html"), "{stdout}");
}

fn site_files(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = walk(root)
        .into_iter()
        .map(|p| (p.strip_prefix(root).unwrap().to_path_buf(), fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn two_runs_give_byte_identical_sites() {
    let (_, _a, first) = run_on(&demo(), &[]);
    let (_, _b, second) = run_on(&demo(), &[]);
    assert_sites_equal(&first, &second);
}

/// A warm run (pages and cards from the cache of the first) writes the same bytes as a
/// cold one.
#[test]
fn a_warm_run_gives_the_same_site_as_a_cold_one() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |out: &Path| {
        let output = Command::new(env!("CARGO_BIN_EXE_cargo-readiness"))
            .arg("--manifest-path")
            .arg(demo())
            .arg("--out")
            .arg(out)
            .env("CARGO_READINESS_CACHE_DIR", tmp.path().join("cache"))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    };
    let (cold, warm) = (tmp.path().join("cold"), tmp.path().join("warm"));
    run(&cold);
    let entries = walk(&tmp.path().join("cache/v1/render")).len();
    assert!(entries > 4, "pages and cards are cached ({entries})");
    run(&warm);
    assert_sites_equal(&cold, &warm);
}

fn assert_sites_equal(first: &Path, second: &Path) {
    let (a, b) = (site_files(first), site_files(second));
    assert!(a.len() > 10);
    assert_eq!(a.len(), b.len());
    for ((pa, ba), (pb, bb)) in a.iter().zip(&b) {
        assert_eq!(pa, pb);
        assert!(ba == bb, "{} differs between runs", pa.display());
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { out.extend(walk(&path)) } else { out.push(path) }
    }
    out
}

#[test]
fn a_ready_crate_exits_zero_and_deny_warnings_is_honoured() {
    let (output, _tmp, site) = run_on(&fixture("single"), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(krate(&report(&site), "single")["verdict"], "ready");

    let (output, _tmp, _) = run_on(&demo(), &["-p", "demo-utils"]);
    assert_eq!(output.status.code(), Some(0), "warnings alone pass: {}", stderr(&output));
    let (output, _tmp, site) = run_on(&demo(), &["-p", "demo-utils", "--deny", "warnings"]);
    assert_eq!(output.status.code(), Some(1), "warnings fail with --deny warnings");
    assert_eq!(report(&site)["crates"].as_array().unwrap().len(), 1);
}

/// `--open` where no browser can be started (no graphical session) says so on stderr,
/// naming the report, and the run keeps its exit code; nothing is launched.
#[cfg(all(unix, not(target_os = "macos")))]
#[test]
fn open_without_a_browser_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-readiness"))
        .arg("--manifest-path")
        .arg(fixture("single"))
        .arg("--out")
        .arg(&out)
        .arg("--open")
        .env("NO_COLOR", "1")
        .env("CARGO_TARGET_DIR", tmp.path().join("target"))
        .env("CARGO_READINESS_CACHE_DIR", tmp.path().join("cache"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("BROWSER")
        .env_remove("WSL_DISTRO_NAME")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let said = format!(
        "warning: --open: no browser could be started (no graphical session: DISPLAY, \
         WAYLAND_DISPLAY and BROWSER are unset); the report is {}",
        out.join("index.html").display()
    );
    assert!(stderr(&output).contains(&said), "{}", stderr(&output));
    assert!(out.join("index.html").is_file());
}

#[test]
fn package_selection() {
    let (output, _tmp, site) = run_on(&demo(), &["--exclude", "demo-cli", "-q"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stdout.is_empty(), "-q prints nothing");
    let names: Vec<String> = report(&site)["crates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["demo-core", "demo-internal", "demo-utils"]);

    let (output, _tmp, _) = run_on(&demo(), &["-p", "demo-core@0.1.0"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let (output, _tmp, _) = run_on(&demo(), &["-p", "no-such-crate"]);
    assert_one_line_error(&output, "package `no-such-crate` is not a member");
}

#[test]
fn works_as_a_cargo_subcommand() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-readiness"))
        .env("CARGO_TARGET_DIR", tmp.path().join("target"))
        .env("CARGO_READINESS_CACHE_DIR", tmp.path().join("cache"))
        .arg("readiness")
        .arg("--manifest-path")
        .arg(fixture("single"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(out.join("index.html").is_file());
}

#[test]
fn hostile_metadata_is_escaped() {
    let (output, _tmp, site) = run_on(&fixture("hostile"), &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    for page in ["index.html", "crates/hostile/index.html"] {
        let html = fs::read_to_string(site.join(page)).unwrap();
        assert!(!html.contains("<script>alert"), "{page} has a live script");
        assert!(!html.contains("<img src=x"), "{page} has a live img");
        assert!(html.contains("&lt;script&gt;alert("), "{page} shows the text escaped");
    }
    let json = report(&site);
    assert_eq!(
        krate(&json, "hostile")["description"],
        "<script>alert('pwned')</script> & <img src=x onerror=alert(1)> \"quoted\"",
        "report.json keeps the text as it is"
    );
}

#[test]
fn base_url_sets_canonical_links() {
    let (output, _tmp, site) =
        run_on(&fixture("single"), &["--base-url", "https://example.github.io/proj/readiness"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page = fs::read_to_string(site.join("crates/single/index.html")).unwrap();
    assert!(page.contains("https://example.github.io/proj/readiness/crates/single/index.html"));
    let (output, _tmp, _) = run_on(&fixture("single"), &["--base-url", "not a url"]);
    assert_one_line_error(&output, "--base-url");
}

#[test]
fn missing_manifest_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let (output, _t, _) = run_on(&tmp.path().join("Cargo.toml"), &[]);
    assert_one_line_error(&output, "Cargo.toml: no such file");
}

#[test]
fn malformed_manifest_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = tmp.path().join("Cargo.toml");
    fs::write(&manifest, "[package\nname = 'x'\n").unwrap();
    let (output, _t, _) = run_on(&manifest, &[]);
    assert_one_line_error(&output, "Cargo.toml:1:");
    assert!(stderr(&output).contains("expected `]`"), "{}", stderr(&output));
}

#[test]
fn output_path_that_is_a_file_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("site");
    fs::write(&file, "precious").unwrap();
    let fixture = fixture("single");
    let output = readiness(&[
        "--manifest-path".as_ref(),
        fixture.as_os_str(),
        "--out".as_ref(),
        file.as_os_str(),
    ]);
    assert_one_line_error(&output, "is a file");
    assert_eq!(fs::read_to_string(&file).unwrap(), "precious", "nothing lost");
}

#[test]
fn output_path_containing_the_workspace_is_exit_2() {
    let fixture = fixture("single");
    let root = fixture.parent().unwrap();
    for out in [root, root.parent().unwrap()] {
        let output = readiness(&[
            "--manifest-path".as_ref(),
            fixture.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ]);
        assert_one_line_error(&output, "contains it");
    }
    assert!(root.join("src/lib.rs").is_file(), "nothing lost");
}

#[test]
fn a_folder_that_is_not_a_site_is_not_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("docs");
    fs::create_dir(&docs).unwrap();
    fs::write(docs.join("notes.txt"), "mine").unwrap();
    let fixture = fixture("single");
    let output = readiness(&[
        "--manifest-path".as_ref(),
        fixture.as_os_str(),
        "--out".as_ref(),
        docs.as_os_str(),
    ]);
    assert_one_line_error(&output, "was not written by cargo-readiness");
    assert_eq!(fs::read_to_string(docs.join("notes.txt")).unwrap(), "mine");
    // With --force the site is written beside what is there, which is kept.
    let output = readiness(&[
        "--manifest-path".as_ref(),
        fixture.as_os_str(),
        "--out".as_ref(),
        docs.as_os_str(),
        "--force".as_ref(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(docs.join("index.html").is_file());
    assert_eq!(fs::read_to_string(docs.join("notes.txt")).unwrap(), "mine");
}

#[test]
fn a_rerun_replaces_its_own_files_and_keeps_the_others() {
    let (output, tmp, site) = run_on(&fixture("single"), &[]);
    assert_eq!(output.status.code(), Some(0));
    fs::write(site.join("CNAME"), "docs.example.org").unwrap();
    fs::create_dir_all(site.join(".git")).unwrap();
    fs::write(site.join(".git/HEAD"), "ref: refs/heads/gh-pages").unwrap();
    let fixture = fixture("single");
    let output = readiness(&[
        "--manifest-path".as_ref(),
        fixture.as_os_str(),
        "--out".as_ref(),
        site.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(fs::read_to_string(site.join("CNAME")).unwrap(), "docs.example.org");
    assert!(site.join(".git/HEAD").is_file(), "files the tool did not write are kept");
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1, "no staging folder is left");
}

/// Builds a one-crate workspace in a temp dir.
fn scratch_crate(tmp: &Path) -> PathBuf {
    fs::create_dir_all(tmp.join("src")).unwrap();
    fs::write(
        tmp.join("Cargo.toml"),
        "[package]\nname = \"scratch\"\nversion = \"0.1.0\"\nedition = \"2024\"\ndescription = \"d\"\nlicense = \"MIT\"\n\n[workspace]\n",
    )
    .unwrap();
    fs::write(tmp.join("src/lib.rs"), "").unwrap();
    tmp.join("Cargo.toml")
}

#[test]
fn a_broken_symlink_in_the_package_blocks_the_crate() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = scratch_crate(tmp.path());
    #[cfg(unix)]
    std::os::unix::fs::symlink(tmp.path().join("gone"), tmp.path().join("src/link.rs")).unwrap();
    let (output, _t, out) = run_on(&manifest, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = report(&out);
    let checks = krate(&report, "scratch")["checks"].as_array().unwrap().clone();
    let check = checks.iter().find(|c| c["id"] == "file-unreadable").unwrap();
    assert_eq!(check["status"], "fail");
    assert_eq!(check["files"], serde_json::json!(["src/link.rs"]));
}

#[test]
fn an_unreadable_directory_is_exit_2() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let manifest = scratch_crate(tmp.path());
    let locked = tmp.path().join("src/locked");
    fs::create_dir(&locked).unwrap();
    fs::write(locked.join("secret.rs"), "").unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read_dir(&locked).is_ok() {
        // Running as root: permissions do not apply, there is nothing to test.
        eprintln!("skipped: directories stay readable for this user");
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
        return;
    }
    let out = tmp.path().join("target/site");
    let output = readiness(&[
        "--manifest-path".as_ref(),
        manifest.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    assert_one_line_error(&output, "locked");
}

#[test]
fn theme_overrides_replace_single_files() {
    let tmp = tempfile::tempdir().unwrap();
    let theme = tmp.path().join("theme");
    fs::create_dir_all(theme.join("static")).unwrap();
    fs::write(theme.join("static/style.css"), "/* custom */").unwrap();
    let (output, _t, site) = run_on(&fixture("single"), &["--theme", theme.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(fs::read_to_string(site.join("assets/style.css")).unwrap(), "/* custom */");
    assert!(
        fs::read_to_string(site.join("index.html")).unwrap().contains("single"),
        "templates stay"
    );

    fs::create_dir_all(theme.join("templates")).unwrap();
    fs::write(theme.join("templates/index.html"), "{% if %}").unwrap();
    let (output, _t, _) = run_on(&fixture("single"), &["--theme", theme.to_str().unwrap()]);
    assert_one_line_error(&output, "index.html");

    let (output, _t, _) = run_on(&fixture("single"), &["--theme", "/no/such/theme"]);
    assert_one_line_error(&output, "no such directory");

    let fonts = tmp.path().join("fonts-theme");
    fs::create_dir_all(fonts.join("fonts")).unwrap();
    fs::write(fonts.join("fonts/card-regular.ttf"), "not a font").unwrap();
    fs::write(fonts.join("fonts/card-bold.ttf"), "not a font").unwrap();
    let (output, _t, _) = run_on(&fixture("single"), &["--theme", fonts.to_str().unwrap()]);
    assert_one_line_error(&output, "card font is not a valid");

    let colors = tmp.path().join("colors-theme");
    fs::create_dir_all(&colors).unwrap();
    fs::write(colors.join("card.toml"), "accent = \"#00ff00\"\n").unwrap();
    let (output, _t, with_accent) =
        run_on(&fixture("single"), &["--theme", colors.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let (_, _t, default) = run_on(&fixture("single"), &[]);
    let card = |site: &Path| fs::read(site.join("crates/single/card.png")).unwrap();
    assert_ne!(card(&with_accent), card(&default), "the theme's colours reach the card");
    fs::write(colors.join("card.toml"), "acent = \"#00ff00\"\n").unwrap();
    let (output, _t, _) = run_on(&fixture("single"), &["--theme", colors.to_str().unwrap()]);
    assert_one_line_error(&output, "card.toml");
}

/// Writes a workspace of members `(name, extra manifest text)` into `root`.
fn scratch_workspace(root: &Path, workspace_extra: &str, members: &[(&str, &str)]) -> PathBuf {
    let names: Vec<String> = members.iter().map(|(name, _)| format!("\"{name}\"")).collect();
    fs::write(
        root.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"3\"\nmembers = [{}]\n{workspace_extra}",
            names.join(", ")
        ),
    )
    .unwrap();
    for (name, extra) in members {
        fs::create_dir_all(root.join(name).join("src")).unwrap();
        fs::write(
            root.join(name).join("Cargo.toml"),
            format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\ndescription = \"d\"\nlicense = \"MIT\"\n{extra}"),
        )
        .unwrap();
        fs::write(root.join(name).join("src/lib.rs"), "").unwrap();
    }
    root.join("Cargo.toml")
}

fn check<'a>(krate: &'a Value, id: &str) -> &'a Value {
    krate["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap()
}

#[test]
fn configuration_allows_checks_and_changes_levels() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = scratch_workspace(
        tmp.path(),
        "\n[workspace.metadata.readiness.checks]\nkeywords-missing = \"allow\"\ncategories-missing = \"blocker\"\n",
        &[
            ("plain", ""),
            (
                "own",
                "\n[package.metadata.readiness.checks]\ncategories-missing = \"note\"\nreadme-missing = \"allow\"\n",
            ),
        ],
    );
    let (output, _t, site) = run_on(&manifest, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = report(&site);

    let plain = krate(&report, "plain");
    let keywords = check(plain, "keywords-missing");
    assert_eq!(keywords["status"], "fail");
    assert_eq!(keywords["override"]["level"], "allow");
    assert_eq!(keywords["override"]["source"], "[workspace.metadata.readiness] in Cargo.toml");
    assert_eq!(check(plain, "categories-missing")["severity"], "blocker");
    assert_eq!(plain["verdict"], "blocked");

    let own = krate(&report, "own");
    let categories = check(own, "categories-missing");
    assert_eq!(categories["severity"], "note", "package settings win");
    assert_eq!(categories["override"]["source"], "[package.metadata.readiness] in own/Cargo.toml");
    assert_eq!(own["verdict"], "warnings", "the allowed checks do not count: {own}");

    let page = fs::read_to_string(site.join("crates/own/index.html")).unwrap();
    assert!(page.contains("Allowed by [package.metadata.readiness] in own/Cargo.toml."));
}

#[test]
fn unknown_configuration_is_exit_2() {
    for (table, needle) in [
        ("[workspace.metadata.readiness]\nsevere = true\n", "unknown field `severe`"),
        (
            "[workspace.metadata.readiness.checks]\nno-such-check = \"allow\"\n",
            "unknown check id `no-such-check`",
        ),
        (
            "[workspace.metadata.readiness.checks]\nreadme-missing = \"fatal\"\n",
            "unknown variant `fatal`",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let manifest = scratch_workspace(tmp.path(), &format!("\n{table}"), &[("one", "")]);
        let (output, _t, _) = run_on(&manifest, &[]);
        assert_one_line_error(&output, needle);
        assert!(
            stderr(&output).contains("Cargo.toml: [workspace.metadata.readiness"),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn publish_order_ignores_dev_dependencies_without_a_version() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = scratch_workspace(
        tmp.path(),
        "",
        &[
            ("app", "\n[dependencies]\nlib = { path = \"../lib\", version = \"0.1.0\" }\n"),
            ("lib", "\n[dev-dependencies]\napp = { path = \"../app\" }\n"),
        ],
    );
    let (_, _t, site) = run_on(&manifest, &[]);
    let first = report(&site);
    assert_eq!(first["workspace"]["publish_order"], serde_json::json!(["lib", "app"]));
    let cycle = first["workspace"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "publish-cycle")
        .unwrap();
    assert_eq!(cycle["status"], "pass");

    // With a version, the dev-dependency stays in the published manifest: a real cycle.
    fs::write(
        tmp.path().join("lib/Cargo.toml"),
        "[package]\nname = \"lib\"\nversion = \"0.1.0\"\nedition = \"2024\"\ndescription = \"d\"\nlicense = \"MIT\"\n\n[dev-dependencies]\napp = { path = \"../app\", version = \"0.1.0\" }\n",
    )
    .unwrap();
    let (_, _t, site) = run_on(&manifest, &[]);
    let second = report(&site);
    let cycle = second["workspace"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "publish-cycle")
        .unwrap();
    assert_eq!(cycle["status"], "fail");
    let index = fs::read_to_string(site.join("index.html")).unwrap();
    assert!(index.contains("Members depend on each other in a cycle"));
}

#[test]
fn cargo_warnings_and_the_selection_mode_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = scratch_workspace(
        tmp.path(),
        "",
        &[("both", "include = [\"src/**\"]\nexclude = [\"src/x.rs\"]\n")],
    );
    let (output, _t, site) = run_on(&manifest, &[]);
    assert_ne!(output.status.code(), Some(2), "{}", stderr(&output));
    let report = report(&site);
    let archive = &krate(&report, "both")["archive"];
    assert_eq!(archive["selection"], "walk");
    assert_eq!(
        archive["warnings"],
        serde_json::json!(["both `include` and `exclude` are set; cargo ignores `exclude`"])
    );
    let page = fs::read_to_string(site.join("crates/both/index.html")).unwrap();
    assert!(page.contains("cargo warns:"));
}

#[test]
fn the_manifest_preview_lists_what_cargo_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = scratch_workspace(
        tmp.path(),
        "\n[workspace.package]\nrust-version = \"1.85\"\n\n[patch.crates-io]\nlib = { path = \"lib\" }\n",
        &[
            (
                "app",
                "rust-version.workspace = true\n\n[dependencies]\nlib = { path = \"../lib\", version = \"0.1.0\" }\n\n[dev-dependencies]\nhelper = { path = \"../helper\" }\n",
            ),
            ("lib", ""),
            ("helper", "publish = false\n"),
        ],
    );
    let (_, _t, site) = run_on(&manifest, &[]);
    let page = fs::read_to_string(site.join("crates/app/index.html")).unwrap();
    for expected in [
        "<code>package.rust-version</code>: inherited from [workspace.package]",
        "<code>dependencies.lib</code>: `path` removed: resolved from crates.io by version",
        "<code>dev-dependencies.helper</code>: dropped: a dev-dependency without a version",
    ] {
        assert!(page.contains(expected), "{expected}");
    }
    assert!(page.contains("1.85"), "the published manifest resolves the inherited field");
    assert!(page.contains("hl-source hl-toml"), "manifests are highlighted");
}

#[test]
fn message_format_json_prints_the_report_alone() {
    let (output, _tmp, site) = run_on(&fixture("single"), &["--message-format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(output.stdout, fs::read(site.join("report.json")).unwrap());
    assert!(stderr(&output).contains("single 1.2.3"), "the lines go to stderr");
}

#[test]
fn step_summary_appends_the_summary_to_githubs_file() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = tmp.path().join("step-summary.md");
    fs::write(&summary, "earlier step\n").unwrap();
    let out = tmp.path().join("site");
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-readiness"))
        .args(["--step-summary", "-q", "--manifest-path"])
        .arg(fixture("single"))
        .arg("--out")
        .arg(&out)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("CARGO_READINESS_CACHE_DIR", tmp.path().join("cache"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let written = fs::read_to_string(&summary).unwrap();
    let site_summary = fs::read_to_string(out.join("summary.md")).unwrap();
    assert_eq!(written, format!("earlier step\n{site_summary}\n"), "appended, not replaced");

    let output = Command::new(env!("CARGO_BIN_EXE_cargo-readiness"))
        .args(["--step-summary", "--manifest-path"])
        .arg(fixture("single"))
        .arg("--out")
        .arg(tmp.path().join("other"))
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap();
    assert_one_line_error(&output, "--step-summary");
    assert!(!tmp.path().join("other").exists(), "nothing is written when the flag cannot work");
}

#[test]
fn summary_snapshots_with_and_without_base_url() {
    let (_, _tmp, site) = run_on(&demo(), &[]);
    insta::assert_snapshot!(
        "summary_relative",
        fs::read_to_string(site.join("summary.md")).unwrap()
    );
    let (_, _tmp, site) = run_on(&demo(), &["--base-url", "https://me.github.io/demo/readiness"]);
    insta::assert_snapshot!(
        "summary_absolute",
        fs::read_to_string(site.join("summary.md")).unwrap()
    );
    // The site is a CI artifact: the report is linked at the run, and no page of the site
    // (a relative link would resolve under the pull request and 404).
    let run = "https://github.com/me/demo/actions/runs/42";
    let (_, _tmp, site) = run_on(&demo(), &["--report-url", run]);
    let summary = fs::read_to_string(site.join("summary.md")).unwrap();
    insta::assert_snapshot!("summary_report_url", summary);
    let links: Vec<&str> = summary.match_indices("](").map(|(at, _)| &summary[at + 2..]).collect();
    assert!(!links.is_empty());
    for link in links {
        assert!(link.starts_with(run), "a link that does not lead to the run: {link}");
    }
    let (output, _tmp, _) = run_on(&demo(), &["--report-url", "https://x/#frag"]);
    assert_one_line_error(&output, "--report-url");
    let (output, _tmp, _) =
        run_on(&demo(), &["--report-url", run, "--base-url", "https://me.github.io/x/"]);
    assert_eq!(output.status.code(), Some(2), "one or the other");
}

/// A workspace shaped like the ones reviewed (ripgrep, zola): many crates that share their
/// warnings, one blocked, one never published. The comment stays short: a line per crate,
/// each shared finding once with its crates, details folded, none for the unpublished crate.
#[test]
fn summary_of_a_real_shaped_workspace_is_short_and_says_each_shared_finding_once() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let names: Vec<String> = (1..=12).map(|i| format!("grep-part{i:02}")).collect();
    let mut members = names.clone();
    members.push("internal".into());
    let mut files = vec![(
        "Cargo.toml".to_owned(),
        format!(
            "[workspace]\nmembers = {members:?}\nresolver = \"2\"\n\n[workspace.package]\nversion = \"0.1.12\"\nedition = \"2021\"\nlicense = \"MIT\"\nrust-version = \"1.80\"\n"
        ),
    )];
    for (i, name) in names.iter().enumerate() {
        // The first has no description (a blocker of its own); none has categories or
        // keywords (shared warnings).
        let description = if i == 0 { "" } else { "description = \"a part\"\n" };
        files.push((
            format!("{name}/Cargo.toml"),
            format!("[package]\nname = \"{name}\"\nversion.workspace = true\nedition.workspace = true\nlicense.workspace = true\nrust-version.workspace = true\nrepository = \"https://github.com/o/r\"\nreadme = \"README.md\"\n{description}"),
        ));
        files.push((format!("{name}/README.md"), format!("# {name}\n")));
        files.push((format!("{name}/src/lib.rs"), "pub fn f() {}\n".to_owned()));
    }
    files.push((
        "internal/Cargo.toml".to_owned(),
        "[package]\nname = \"internal\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n".to_owned(),
    ));
    files.push(("internal/src/lib.rs".to_owned(), String::new()));
    for (path, text) in &files {
        let path = ws.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let (output, _tmp, site) = run_on(&ws.join("Cargo.toml"), &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let summary = fs::read_to_string(site.join("summary.md")).unwrap();
    insta::assert_snapshot!("summary_real_shaped", summary);
    assert!(summary.lines().count() < 40, "{} lines:\n{summary}", summary.lines().count());
    for shared in ["categories-missing", "keywords-missing"] {
        assert_eq!(summary.matches(&format!("`{shared}`")).count(), 1, "{summary}");
        assert!(
            summary.contains(&format!(
                "`{shared}`](guide/checks/metadata.html#{shared}): 12 crates (grep-part01, "
            )),
            "{summary}"
        );
    }
    assert_eq!(summary.matches("<details>").count(), 1, "only the blocked crate has its own");
    assert!(
        summary.contains("| internal | 0.0.0 | ⏭️ skipped: publish = false | – |")
            || summary.contains(
                "[internal](crates/internal/index.html) | 0.0.0 | ⏭️ skipped: publish = false | – |"
            ),
        "{summary}"
    );
    assert!(!summary.contains("internal 0.0.0</b>"), "no findings for an unpublished crate");
    assert!(!summary.contains("0\\.1\\.12"), "versions are not escaped: {summary}");
}
