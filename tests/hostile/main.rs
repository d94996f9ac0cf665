//! A pull request is hostile input: one fixture per attack, each asserting the exact
//! outcome: nothing the checkout names runs, nothing outside the repository is read or
//! written, and the run always finishes.
//!
//! The working tree's attacks are here; the review loop's inputs (past revisions, the
//! sign-off file, diffs, error lines) and the repository boundary each have a module.

#[path = "../common/mod.rs"]
mod common;

mod boundary;
mod ci;
mod history;
mod leaks;
mod precision;
mod semver;
mod signoff;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use common::repo::{git, write};

const PACKAGE: &str = "[package]\nname = \"victim\"\nversion = \"0.1.0\"\nedition = \"2021\"\ndescription = \"d\"\nlicense = \"MIT\"\n";

/// Runs the binary in `cwd` with `args`, killed after a minute: a run that hangs fails.
fn run(cwd: &Path, args: &[&std::ffi::OsStr], env: &[(&str, &str)], unset_cargo: bool) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-readiness"));
    command.args(args).current_dir(cwd).stdout(Stdio::piped()).stderr(Stdio::piped());
    command.env("NO_COLOR", "1");
    command.env("CARGO_READINESS_CACHE_DIR", cwd.join("readiness-cache"));
    for (key, value) in env {
        command.env(key, value);
    }
    if unset_cargo {
        command.env_remove("CARGO");
    }
    let mut child = command.spawn().unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("the run did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn site_run(manifest: &Path, scratch: &Path, env: &[(&str, &str)]) -> (Output, PathBuf) {
    site_run_with(manifest, scratch, &[], env)
}

/// [`site_run`] with `extra` arguments.
fn site_run_with(
    manifest: &Path,
    scratch: &Path,
    extra: &[&std::ffi::OsStr],
    env: &[(&str, &str)],
) -> (Output, PathBuf) {
    let out = scratch.join("site");
    let mut args: Vec<&std::ffi::OsStr> =
        vec!["--manifest-path".as_ref(), manifest.as_os_str(), "--out".as_ref(), out.as_os_str()];
    args.extend(extra);
    let mut env = env.to_vec();
    let target = scratch.join("target");
    env.push(("CARGO_TARGET_DIR", target.to_str().unwrap()));
    (run(scratch, &args, &env, false), out)
}

/// Every file below `dir`, as bytes.
fn every_output_byte(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if entry.file_type().is_file() {
            all.extend(fs::read(entry.path()).unwrap());
        }
    }
    all
}

/// Every byte a run showed: each site file's path and content, standard output and error.
fn shown_bytes(site: &Path, output: &Output) -> Vec<u8> {
    let mut all = every_output_byte(site);
    for entry in walkdir::WalkDir::new(site).into_iter().flatten() {
        all.extend(entry.path().to_string_lossy().bytes());
    }
    all.extend(&output.stdout);
    all.extend(&output.stderr);
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn report(site: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(site.join("report.json")).unwrap()).unwrap()
}

fn failing(report: &Value, name: &str) -> Vec<String> {
    let krate = report["crates"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap();
    krate["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[cfg(unix)]
fn executable(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

/// The checkout's `.cargo/config.toml` (a rustc wrapper, a rustc, a target dir) and its
/// `rust-toolchain.toml` (a toolchain path whose `cargo` is a script) are never obeyed,
/// even when the tool is started from inside the checkout with no `--manifest-path`, with
/// no lock file (so a lock is resolved), and with `CARGO` unset (so `cargo` from `PATH`,
/// the rustup proxy, is what would run).
#[cfg(unix)]
#[test]
fn the_checkouts_cargo_settings_never_run() {
    let tmp = tempfile::tempdir().unwrap();
    let marker = tmp.path().join("PWNED");
    let script = format!("#!/bin/sh\ntouch {}\nexit 1\n", marker.display());
    executable(&tmp.path().join("evil/wrapper"), &script);
    executable(&tmp.path().join("evil/toolchain/bin/cargo"), &script);
    executable(&tmp.path().join("evil/toolchain/bin/rustc"), &script);
    let elsewhere = tmp.path().join("elsewhere");
    let ws = tmp.path().join("ws");
    write(
        &ws,
        &[
            ("Cargo.toml", &format!("{PACKAGE}\n[dependencies]\nserde = \"1\"\n")),
            ("src/lib.rs", "pub fn f() {}\n"),
            (
                ".cargo/config.toml",
                &format!(
                    "[build]\nrustc-wrapper = \"{0}/evil/wrapper\"\nrustc = \"{0}/evil/wrapper\"\ntarget-dir = \"{1}\"\n",
                    tmp.path().display(),
                    elsewhere.display()
                ),
            ),
            (
                "rust-toolchain.toml",
                &format!("[toolchain]\npath = \"{}/evil/toolchain\"\n", tmp.path().display()),
            ),
        ],
    );
    let output = run(&ws, &["-q".as_ref()], &[], true);
    assert!(output.status.code().is_some_and(|c| c < 2), "{output:?}");
    assert!(!marker.exists(), "a program named by the checkout ran");
    assert!(!elsewhere.exists(), "build.target-dir of the checkout was obeyed");
    assert!(ws.join("target/readiness/report.json").is_file(), "the default --out is <ws>/target");
}

/// A target path that climbs out of the workspace never makes the tool write there.
#[test]
fn a_target_path_outside_is_never_written() {
    let tmp = tempfile::tempdir().unwrap();
    let victim = tmp.path().join("victim.rs");
    fs::write(&victim, "precious\n").unwrap();
    let ws = tmp.path().join("a/b/ws");
    // Enough `..` to reach `/` from any temporary folder, then down to the victim.
    let climb =
        format!("{}{}", "../".repeat(30), victim.display().to_string().trim_start_matches('/'));
    write(
        &ws,
        &[
            (
                "Cargo.toml",
                &format!(
                    "{PACKAGE}\n[dependencies]\nserde = \"1\"\n\n[[bin]]\nname = \"x\"\npath = \"{climb}\"\n"
                ),
            ),
            ("src/lib.rs", "pub fn f() {}\n"),
        ],
    );
    let (output, _) = site_run(&ws.join("Cargo.toml"), tmp.path(), &[]);
    assert!(output.status.code().is_some_and(|c| c < 2), "{output:?}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious\n");
}

/// A readme outside the repository, or inside `.git/`, blocks the crate and is never read.
#[test]
fn readme_paths_out_of_the_repository_are_not_read() {
    for (readme, secret_file, secret) in [
        ("../../outside.txt", "outside.txt", "OUTSIDE-TOKEN-1f9a"),
        ("../.git/config", "repo/.git/config", "AUTHORIZATION: basic R0lUSFVCLXRva2Vu"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        write(
            &repo,
            &[
                ("Cargo.toml", "[workspace]\nmembers = [\"victim\"]\nresolver = \"2\"\n"),
                ("victim/Cargo.toml", &format!("{PACKAGE}readme = \"{readme}\"\n")),
                ("victim/src/lib.rs", "pub fn f() {}\n"),
            ],
        );
        git(&repo, &["init", "-q"]);
        git(&repo, &["add", "-A"]);
        let config = fs::read_to_string(repo.join(".git/config")).unwrap();
        let path = tmp.path().join(secret_file);
        let text = if secret_file.ends_with("config") {
            format!("{config}[http \"https://github.com/\"]\n\textraheader = {secret}\n")
        } else {
            format!("{secret}\n")
        };
        fs::write(&path, text).unwrap();
        let (output, site) = site_run(&repo.join("Cargo.toml"), tmp.path(), &[]);
        assert_eq!(output.status.code(), Some(1), "blocked: {output:?}");
        assert!(failing(&report(&site), "victim").contains(&"path-outside-repository".into()));
        assert!(!contains(&every_output_byte(&site), secret), "{readme} leaked into the site");
    }
}

/// Packaged symbolic links to `/proc/self/environ` (the job's secrets) and `/dev/zero`
/// (an endless file) are not read: the run finishes, the crate is blocked, and the
/// environment is in no output file.
#[cfg(unix)]
#[test]
fn links_to_special_files_are_not_read() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    write(&repo, &[("Cargo.toml", PACKAGE), ("src/lib.rs", "pub fn f() {}\n")]);
    std::os::unix::fs::symlink("/proc/self/environ", repo.join("README.md")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", repo.join("zero.bin")).unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    let secret = "ENV-SECRET-77c1e0";
    let (output, site) = site_run(&repo.join("Cargo.toml"), tmp.path(), &[("JOB_SECRET", secret)]);
    assert_eq!(output.status.code(), Some(1), "blocked: {output:?}");
    let failing = failing(&report(&site), "victim");
    assert!(failing.contains(&"path-outside-repository".into()), "{failing:?}");
    assert!(!contains(&every_output_byte(&site), secret), "the environment leaked");
}

/// A symbolic link to the repository root, and two links that point at each other's
/// folders, end neither in a crash nor in an endless walk, in git mode and walk mode.
#[cfg(unix)]
#[test]
fn symlink_loops_end() {
    for git_mode in [true, false] {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        write(
            &repo,
            &[
                ("Cargo.toml", PACKAGE),
                ("src/lib.rs", "pub fn f() {}\n"),
                ("a/x.txt", "a\n"),
                ("b/y.txt", "b\n"),
            ],
        );
        std::os::unix::fs::symlink(&repo, repo.join("root-link")).unwrap();
        std::os::unix::fs::symlink("../b", repo.join("a/to-b")).unwrap();
        std::os::unix::fs::symlink("../a", repo.join("b/to-a")).unwrap();
        std::os::unix::fs::symlink("/", repo.join("slash")).unwrap();
        if git_mode {
            git(&repo, &["init", "-q"]);
            git(&repo, &["add", "-A"]);
        }
        let (output, site) = site_run(&repo.join("Cargo.toml"), tmp.path(), &[]);
        assert!(output.status.code().is_some_and(|c| c < 2), "git mode {git_mode}: {output:?}");
        let report = report(&site);
        let files = report["crates"][0]["archive"]["files"].as_array().unwrap().len();
        assert!(files < 50, "the walk stayed finite ({files} files)");
    }
}

/// A cache committed into the checkout (the old place, `target/readiness-cache/`) is never
/// read: a blocked crate stays blocked. A corrupted entry in the real cache is recomputed.
#[test]
fn a_committed_or_corrupted_cache_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let token = format!("GITHUB_TOKEN=ghp_{}\n", "x1Y2".repeat(9));
    write(
        &ws,
        &[
            ("Cargo.toml", PACKAGE),
            ("src/lib.rs", "pub fn f() {}\n"),
            ("config/dev.conf", &token),
            ("target/readiness-cache/archives.json", "{}"),
        ],
    );
    let blocked =
        |site: &Path| failing(&report(site), "victim").contains(&"secret-in-archive".into());
    let (first, site) = site_run(&ws.join("Cargo.toml"), tmp.path(), &[]);
    assert_eq!(first.status.code(), Some(1));
    assert!(blocked(&site));
    // Corrupt every archive entry the first run cached: each must be recomputed.
    let cache = tmp.path().join("readiness-cache/v1/archives");
    let mut corrupted = 0;
    for entry in walkdir::WalkDir::new(&cache).into_iter().flatten() {
        if entry.file_type().is_file() {
            let bytes = fs::read(entry.path()).unwrap();
            let (checksum, payload) = bytes.split_at(32);
            let mut cached: Value = serde_json::from_slice(payload).unwrap();
            // Claim that no secret was found, keeping the old checksum: a store that
            // trusted its entries would now call the crate clean.
            cached["facts"]["secrets"] = Value::Array(Vec::new());
            let mut forged = checksum.to_vec();
            forged.extend(serde_json::to_vec(&cached).unwrap());
            fs::write(entry.path(), forged).unwrap();
            corrupted += 1;
        }
    }
    assert!(corrupted > 0, "the first run cached its archive in {}", cache.display());
    let (second, site) = site_run(&ws.join("Cargo.toml"), tmp.path(), &[]);
    assert_eq!(second.status.code(), Some(1), "still blocked");
    assert!(blocked(&site));
}

/// A theme cannot read the job's environment, nor files outside its folder.
#[cfg(unix)]
#[test]
fn a_theme_reads_no_environment_and_no_outside_file() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    write(&ws, &[("Cargo.toml", PACKAGE), ("src/lib.rs", "pub fn f() {}\n")]);
    let env_theme = tmp.path().join("env-theme");
    write(&env_theme, &[("templates/summary.md", "{{ get_env(name=\"JOB_SECRET\") }}")]);
    let link_theme = tmp.path().join("link-theme");
    fs::create_dir_all(link_theme.join("static")).unwrap();
    fs::write(tmp.path().join("outside.css"), "OUTSIDE-THEME-SECRET").unwrap();
    std::os::unix::fs::symlink(tmp.path().join("outside.css"), link_theme.join("static/x.css"))
        .unwrap();
    for (theme, needle) in [(&env_theme, "get_env"), (&link_theme, "outside the repository")] {
        let (output, out) = site_run_with(
            &ws.join("Cargo.toml"),
            tmp.path(),
            &["--theme".as_ref(), theme.as_os_str()],
            &[("JOB_SECRET", "ENV-THEME-SECRET")],
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(needle), "{stderr}");
        assert!(!out.exists(), "no site is written");
    }
}

/// Names from the checkout cannot inject Markdown into summary.md, nor workflow commands
/// or escapes into the terminal (`-v` prints findings with file names).
#[test]
fn names_from_the_checkout_cannot_steer_the_output() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws [pwn](https://evil.example) <img src=x>");
    let token = format!("GITHUB_TOKEN=ghp_{}\n", "x1Y2".repeat(9));
    write(
        &ws,
        &[
            ("Cargo.toml", PACKAGE),
            ("src/lib.rs", "pub fn f() {}\n"),
            ("config/notes\n::error::pwned\x1b[2J.txt", &token),
        ],
    );
    let (output, site) = site_run(&ws.join("Cargo.toml"), tmp.path(), &[]);
    assert_eq!(output.status.code(), Some(1), "the token blocks: {output:?}");
    let summary = fs::read_to_string(site.join("summary.md")).unwrap();
    assert!(!summary.contains("](https://evil.example)"), "{summary}");
    assert!(!summary.contains("<img"), "{summary}");

    let args: Vec<&std::ffi::OsStr> = vec![
        "--manifest-path".as_ref(),
        ws.join("Cargo.toml").as_os_str().to_owned().leak(),
        "--out".as_ref(),
        site.as_os_str().to_owned().leak(),
        "-v".as_ref(),
    ];
    let output = run(tmp.path(), &args, &[], false);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("secret-in-archive"), "{stdout}");
    assert!(!stdout.lines().any(|l| l.trim_start().starts_with("::")), "{stdout}");
    assert!(!stdout.contains('\x1b'), "no escape reaches the terminal: {stdout}");
}

/// `--base-url` must be https (http only for localhost), and its errors name the flag.
#[test]
fn a_bad_base_url_names_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    write(&ws, &[("Cargo.toml", PACKAGE), ("src/lib.rs", "pub fn f() {}\n")]);
    for url in
        ["http://example.com/", "javascript:alert(1)", "http://", "https://x y/", "/relative"]
    {
        let args: Vec<&std::ffi::OsStr> = vec![
            "--manifest-path".as_ref(),
            ws.join("Cargo.toml").as_os_str().to_owned().leak(),
            "--out".as_ref(),
            tmp.path().join("site").as_os_str().to_owned().leak(),
            "--base-url".as_ref(),
            url.as_ref(),
        ];
        let output = run(tmp.path(), &args, &[], false);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{url}: {stderr}");
        assert!(stderr.starts_with("error: --base-url"), "{url}: {stderr}");
    }
}

/// A pull request may lower its own blocker, but not quietly: summary.md lists it.
#[test]
fn a_lowered_blocker_is_listed_in_the_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let token = format!("GITHUB_TOKEN=ghp_{}\n", "x1Y2".repeat(9));
    let manifest =
        format!("{PACKAGE}\n[package.metadata.readiness.checks]\nsecret-in-archive = \"allow\"\n");
    write(
        &ws,
        &[("Cargo.toml", &manifest), ("src/lib.rs", "pub fn f() {}\n"), ("dev.conf", &token)],
    );
    let (output, site) = site_run(&ws.join("Cargo.toml"), tmp.path(), &[]);
    assert!(output.status.code().is_some_and(|c| c < 2), "{output:?}");
    let summary = fs::read_to_string(site.join("summary.md")).unwrap();
    assert!(summary.contains("secret-in-archive"), "{summary}");
    assert!(summary.contains("blocker → allow"), "{summary}");
}

/// A token found anywhere (the README, the manifest, a file name, a 5 MiB file, UTF-16
/// text, text after a NUL, an AWS key pair) blocks the crate and appears in no output file.
#[test]
fn secrets_are_found_everywhere_and_copied_nowhere() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let token = |n: u32| format!("ghp_{}{n:04}", "Zq7Y".repeat(8));
    let manifest = format!(
        "{PACKAGE}readme = \"README.md\"\n\n[package.metadata.ci]\ntoken = \"{}\"\n",
        token(1)
    );
    let mut large = "filler line\n".repeat(5 * 1024 * 1024 / 12).into_bytes();
    large.extend(format!("{}\n", token(2)).bytes());
    let utf16: Vec<u8> =
        format!("\u{feff}key: {}\n", token(3)).encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut binary = vec![0u8; 9000];
    binary.extend(format!("{}\n", token(4)).bytes());
    let aws_id = format!("AKIA{}", "QWERTYUIOPASDFGH");
    let aws_secret = format!("Zx9/Qw8+Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz{}", "XcVbN1");
    write(
        &ws,
        &[
            ("Cargo.toml", &manifest),
            ("src/lib.rs", "pub fn f() {}\n"),
            ("README.md", &format!("# Victim\n\nUse `{}` to log in.\n", token(5))),
            (&format!("notes-{}.txt", token(6)), "a file named after a token\n"),
            ("aws/credentials", &format!("[default]\nid = {aws_id}\nkey = {aws_secret}\n")),
        ],
    );
    fs::write(ws.join("large.log"), large).unwrap();
    fs::write(ws.join("utf16.txt"), utf16).unwrap();
    fs::write(ws.join("blob.bin"), binary).unwrap();
    let (output, site) = site_run(&ws.join("Cargo.toml"), tmp.path(), &[]);
    assert_eq!(output.status.code(), Some(1), "blocked: {output:?}");
    let report = report(&site);
    let message = report["crates"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "secret-in-archive")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    for needle in [
        "Cargo.toml.orig",
        "README.md",
        "large.log",
        "utf16.txt",
        "blob.bin",
        "AWS secret access key",
        "[redacted: GitHub token]",
    ] {
        assert!(message.contains(needle), "{needle} not in: {message}");
    }
    let all = every_output_byte(&site);
    for secret in (1..=6).map(token).chain([aws_secret.clone(), aws_id.clone()]) {
        assert!(!contains(&all, &secret), "{secret} leaked into the site");
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains(&token(6)), "the terminal shows no token: {stdout}");
}

/// One crate that cannot be listed (an exclude pattern that is no glob) is blocked with the
/// reason; the other crates are reported in full, and the run does not stop (exit 1, not 2).
#[test]
fn one_crates_failure_is_that_crates() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    write(
        &ws,
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"bad\", \"good\"]\nresolver = \"2\"\n"),
            (
                "bad/Cargo.toml",
                "[package]\nname = \"bad\"\nversion = \"0.1.0\"\nedition = \"2021\"\nexclude = [\"src/[z-a]\"]\n",
            ),
            ("bad/src/lib.rs", "pub fn f() {}\n"),
            ("good/Cargo.toml", PACKAGE.replace("\"victim\"", "\"good\"").as_str()),
            ("good/src/lib.rs", "pub fn f() {}\n"),
        ],
    );
    let (output, site) = site_run(&ws.join("Cargo.toml"), tmp.path(), &[]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let report = report(&site);
    assert_eq!(failing(&report, "bad"), ["crate-not-checked"]);
    let bad = report["crates"].as_array().unwrap().iter().find(|c| c["name"] == "bad").unwrap();
    let check = bad["checks"].as_array().unwrap().iter().find(|c| c["status"] == "fail").unwrap();
    assert!(check["message"].as_str().unwrap().contains("src/[z-a]"), "{check}");
    assert!(failing(&report, "good").iter().all(|id| id != "crate-not-checked"));
    let good = report["crates"].as_array().unwrap().iter().find(|c| c["name"] == "good").unwrap();
    assert!(good["archive"]["file_count"].as_u64().unwrap() > 0, "reported in full");
    assert!(site.join("crates/bad/index.html").is_file(), "the blocked crate has its page");
}

/// Target discovery reads folders as cargo does (`src/bin`, `examples`, `tests`,
/// `benches`): links out of the repository, to `/` and back into the package are never
/// followed out; no outside file is read or published, and the crate is blocked.
/// A committed lock file is read bounded and parsed in linear time: 30,000 entries with a
/// dependency cycle, or a link to `/dev/zero`, finish well within the minute.
#[cfg(unix)]
#[test]
fn target_discovery_and_the_lock_file_stay_inside_and_bounded() {
    use std::fmt::Write as _;
    use std::os::unix::fs::symlink;
    for lock in ["huge", "dev-zero"] {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        write(&repo, &[("Cargo.toml", PACKAGE), ("src/lib.rs", "pub fn f() {}\n")]);
        write(
            &tmp.path().join("outside"),
            &[
                ("bin/leaked_tool.rs", "fn main() { OUTSIDE_CONTENT_MARKER }\n"),
                ("ex/leaked_example/main.rs", "fn main() { OUTSIDE_CONTENT_MARKER }\n"),
            ],
        );
        symlink(tmp.path().join("outside/bin"), repo.join("src/bin")).unwrap();
        symlink("../outside/ex", repo.join("examples")).unwrap();
        symlink("/", repo.join("tests")).unwrap();
        symlink(".", repo.join("benches")).unwrap();
        match lock {
            "huge" => {
                let n = 30_000;
                let mut text = String::from(
                    "version = 4\n\n[[package]]\nname = \"victim\"\nversion = \"0.1.0\"\ndependencies = [\"p0\"]\n",
                );
                for i in 0..n {
                    let deps: Vec<String> =
                        (1..=3).map(|d| format!("\"p{}\"", (i + d) % n)).collect();
                    let _ = write!(
                        text,
                        "\n[[package]]\nname = \"p{i}\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\ndependencies = [{}]\n",
                        deps.join(", ")
                    );
                }
                fs::write(repo.join("Cargo.lock"), text).unwrap();
            }
            _ => symlink("/dev/zero", repo.join("Cargo.lock")).unwrap(),
        }
        let (output, site) = site_run(&repo.join("Cargo.toml"), tmp.path(), &[]);
        assert!(output.status.code().is_some_and(|c| c < 2), "{lock}: {output:?}");
        assert!(!contains(&every_output_byte(&site), "OUTSIDE_CONTENT_MARKER"), "{lock}");
        assert!(!failing(&report(&site), "victim").is_empty(), "{lock}: the crate is blocked");
    }
}

/// 572 MiB of zeros compress to almost nothing, and crates.io still refuses the crate: the
/// unpacked size is a blocker of its own (a sparse file, so the test writes nothing big).
#[test]
fn a_crate_over_512_mib_unpacked_is_blocked() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    write(&ws, &[("Cargo.toml", PACKAGE), ("src/lib.rs", "pub fn f() {}\n")]);
    fs::File::create(ws.join("zeros.img")).unwrap().set_len(572 << 20).unwrap();
    let (output, site) = site_run(&ws.join("Cargo.toml"), dir.path(), &[]);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let report = report(&site);
    assert!(failing(&report, "victim").contains(&"crate-unpacked-too-large".to_owned()));
    assert!(!failing(&report, "victim").contains(&"crate-too-large".to_owned()));
}
