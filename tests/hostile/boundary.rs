//! The repository boundary: member manifests, `--out` and its marker, deep trees, one
//! crate's bad settings.

use std::ffi::OsStr;
use std::fs;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

use super::{PACKAGE, contains, every_output_byte, failing, git, report, run, site_run, write};

/// A manifest of the package `name`.
fn package(name: &str) -> String {
    PACKAGE.replace("\"victim\"", &format!("{name:?}"))
}

/// The crate `name` of a report.
fn krate<'r>(report: &'r Value, name: &str) -> &'r Value {
    report["crates"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()
}

/// The message of the crate's one failing check, which must be `crate-not-checked`.
fn not_checked_reason(report: &Value, name: &str) -> String {
    assert_eq!(failing(report, name), ["crate-not-checked"], "{name}");
    let checks = krate(report, name)["checks"].as_array().unwrap();
    let check = checks.iter().find(|c| c["status"] == "fail").unwrap();
    check["message"].as_str().unwrap().to_owned()
}

/// A crate reported in full: listed, and not blocked for want of a check.
fn assert_reported_in_full(report: &Value, name: &str) {
    assert!(krate(report, name)["archive"]["file_count"].as_u64().unwrap() > 0, "{name}");
    assert!(failing(report, name).iter().all(|id| id != "crate-not-checked"), "{name}");
}

/// Standard output and error of a run, as text.
fn printed(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Every entry below `dir`, relative, sorted: what a run left there.
fn listing(dir: &Path) -> Vec<String> {
    let mut all: Vec<String> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .flatten()
        .map(|e| e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect();
    all.sort();
    all
}

/// A member folder committed as a link to another project outside the repository, a
/// member whose `Cargo.toml` alone is such a link, and one whose folder leads into `.git/`:
/// each is `crate-not-checked` naming its manifest, and nothing of those manifests beyond
/// name and version (description, keywords, license, README, sources, its own readiness
/// settings, which allow `crate-not-checked`) reaches any output. The other member is
/// reported in full.
#[cfg(unix)]
#[test]
fn members_outside_the_repository_are_not_read() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let (repo, outside) = (tmp.path().join("repo"), tmp.path().join("outside"));
    let secret_manifest = |name: &str| {
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.2.0\"\nedition = \"2021\"\ndescription = \"OUTSIDE-DESCRIPTION-{name}\"\nlicense = \"OUTSIDE-LICENSE\"\nkeywords = [\"outsidekeyword\"]\nreadme = \"README.md\"\n\n[package.metadata.readiness.checks]\ncrate-not-checked = \"allow\"\n"
        )
    };
    for (folder, name) in [("project", "linked"), ("single", "single")] {
        write(
            &outside.join(folder),
            &[
                ("Cargo.toml", &secret_manifest(name)),
                ("README.md", "# OUTSIDE-README\n"),
                ("src/lib.rs", "pub fn outside_source() {}\n"),
            ],
        );
    }
    write(
        &repo,
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"good\", \"linked\", \"single\", \"hidden\"]\nresolver = \"2\"\n",
            ),
            ("good/Cargo.toml", &package("good")),
            ("good/src/lib.rs", "pub fn f() {}\n"),
            ("single/src/lib.rs", "pub fn f() {}\n"),
        ],
    );
    symlink(outside.join("project"), repo.join("linked")).unwrap();
    symlink(outside.join("single/Cargo.toml"), repo.join("single/Cargo.toml")).unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "members"]);
    // What a checkout's .git/ holds is not the pull request's; a member leading there is
    // refused all the same.
    write(
        &repo.join(".git/hidden"),
        &[("Cargo.toml", &secret_manifest("hidden")), ("src/lib.rs", "pub fn f() {}\n")],
    );
    symlink(".git/hidden", repo.join("hidden")).unwrap();

    let (output, site) = site_run(&repo.join("Cargo.toml"), tmp.path(), &[]);
    assert_eq!(output.status.code(), Some(1), "{}", printed(&output));
    let report = report(&site);
    for (name, why) in [
        ("linked", "linked/Cargo.toml: the member's folder points outside the repository"),
        ("single", "single/Cargo.toml: points outside the repository"),
        ("hidden", "hidden/Cargo.toml: the member's folder points into the repository's .git"),
    ] {
        let reason = not_checked_reason(&report, name);
        assert!(reason.contains(why), "{name}: {reason}");
        let krate = krate(&report, name);
        assert_eq!(krate["verdict"], "blocked", "{name}: its own settings are not read");
        assert_eq!(krate["version"], "0.2.0", "{name}: cargo's version identifies it");
        assert_eq!(krate["description"], "", "{name}");
        assert_eq!(krate["keywords"], Value::Array(Vec::new()), "{name}");
        assert_eq!(krate["license"], Value::Null, "{name}");
        assert_eq!(krate["archive"]["file_count"], 0, "{name}");
        assert!(site.join(format!("crates/{name}/index.html")).is_file(), "{name} has a page");
    }
    assert_reported_in_full(&report, "good");
    let all = every_output_byte(&site);
    let shown = printed(&output);
    let outside_path = outside.display().to_string();
    for needle in [
        "OUTSIDE-DESCRIPTION",
        "OUTSIDE-LICENSE",
        "outsidekeyword",
        "OUTSIDE-README",
        "outside_source",
        outside_path.as_str(),
    ] {
        assert!(!contains(&all, needle), "{needle} reached the site");
        assert!(!shown.contains(needle), "{needle} was printed: {shown}");
    }
}

/// A workspace manifest that is a link out of the repository is not read: a one-line
/// error naming it, and no site.
#[cfg(unix)]
#[test]
fn a_workspace_manifest_outside_the_repository_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    write(&tmp.path().join("outside"), &[("Cargo.toml", &package("victim"))]);
    write(&repo, &[("src/lib.rs", "pub fn f() {}\n")]);
    std::os::unix::fs::symlink(tmp.path().join("outside/Cargo.toml"), repo.join("Cargo.toml"))
        .unwrap();
    git(&repo, &["init", "-q"]);
    let (output, site) = site_run(&repo.join("Cargo.toml"), tmp.path(), &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("Cargo.toml: points outside the repository; not read"), "{stderr}");
    assert!(!site.exists(), "no site is written");
}

/// Workflows are read through the confinement: a `.github` folder linked out of the
/// repository, or a workflow linked to `/dev/zero`, is not read (the run neither hangs nor
/// reports on the outside file).
#[cfg(unix)]
#[test]
fn workflows_outside_the_repository_are_not_read() {
    use std::os::unix::fs::symlink;
    let publishing = "run: cargo publish --token ${{ secrets.CARGO_REGISTRY_TOKEN }}\n";
    for linked in ["folder", "dev-zero"] {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        write(&repo, &[("Cargo.toml", PACKAGE), ("src/lib.rs", "pub fn f() {}\n")]);
        write(&tmp.path().join("outside/workflows"), &[("release.yml", publishing)]);
        match linked {
            "folder" => symlink(tmp.path().join("outside"), repo.join(".github")).unwrap(),
            _ => {
                write(&repo, &[(".github/workflows/release.yml", publishing)]);
                symlink("/dev/zero", repo.join(".github/workflows/zero.yml")).unwrap();
            }
        }
        let (output, site) = site_run(&repo.join("Cargo.toml"), tmp.path(), &[]);
        assert!(output.status.code().is_some_and(|c| c < 2), "{linked}: {}", printed(&output));
        let report = report(&site);
        let checks = report["workspace"]["checks"].as_array().unwrap();
        let trusted = checks.iter().find(|c| c["id"] == "trusted-publishing").unwrap();
        let expected = if linked == "folder" { "pass" } else { "fail" };
        assert_eq!(trusted["status"], expected, "{linked}: {trusted}");
        if linked == "dev-zero" {
            let message = trusted["message"].as_str().unwrap();
            assert!(!message.contains("zero.yml"), "{message}");
        }
    }
}

/// Runs the tool in the checkout `repo` with `args` and the cache in `cache` (the default
/// `--out` is the checkout's `target/readiness`).
fn run_in(repo: &Path, cache: &Path, args: &[&str]) -> Output {
    let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    let cache = cache.to_str().unwrap();
    run(repo, &args, &[("CARGO_READINESS_CACHE_DIR", cache)], false)
}

/// A committed `target -> /elsewhere` (and `public -> /elsewhere`) would send the default
/// site, or `--out public/readiness`, out of the checkout: refused with one line naming
/// the link, exit 2, and nothing is written at the link's target. An `--out` outside the
/// checkout through a link of the user's own still works.
#[cfg(unix)]
#[test]
fn out_through_a_committed_link_is_refused() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let (repo, elsewhere, cache) =
        (tmp.path().join("repo"), tmp.path().join("elsewhere"), tmp.path().join("cache"));
    write(&repo, &[("Cargo.toml", PACKAGE), ("src/lib.rs", "pub fn f() {}\n")]);
    fs::create_dir_all(&elsewhere).unwrap();
    symlink(&elsewhere, repo.join("target")).unwrap();
    symlink(&elsewhere, repo.join("public")).unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "links"]);
    let to = format!("(to {})", elsewhere.display());
    for (args, link) in [
        (&[][..], "target is a symbolic link"),
        (&["--out", "public/readiness"][..], "--out public/readiness: public is a symbolic link"),
        // `..` after a link climbs from its target, as the system resolves it.
        (&["--out", "public/../elsewhere/site"][..], "public is a symbolic link"),
    ] {
        let output = run_in(&repo, &cache, args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("error: --out "), "{stderr}");
        assert!(stderr.contains(link) && stderr.contains(&to), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty());
        assert_eq!(listing(&elsewhere), Vec::<String>::new(), "nothing written at the target");
    }
    // A link of the user's own, outside the checkout, is followed.
    let real = tmp.path().join("real");
    fs::create_dir_all(&real).unwrap();
    symlink(&real, tmp.path().join("mine")).unwrap();
    let out = tmp.path().join("mine/site");
    let output = run_in(&repo, &cache, &["--out", out.to_str().unwrap()]);
    assert!(output.status.code().is_some_and(|c| c < 2), "{}", printed(&output));
    assert!(real.join("site/report.json").is_file());
    assert_eq!(listing(&elsewhere), Vec::<String>::new());
}

/// A pull request commits `target/readiness/` with a marker listing nothing, a page of its
/// own and a link to a file outside. A CI run on the fresh clone, with an empty cache,
/// refuses the folder without `--force`; with `--force` it still never publishes the link.
/// Nothing is written at the link's target or into the folder either way.
#[cfg(unix)]
#[test]
fn a_planted_marker_is_not_adopted() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, cache) = (tmp.path().join("repo"), tmp.path().join("cache"));
    let secret = tmp.path().join("runner-secret");
    fs::write(&secret, "RUNNER-SECRET-5d1c").unwrap();
    write(
        &repo,
        &[
            ("Cargo.toml", PACKAGE),
            ("src/lib.rs", "pub fn f() {}\n"),
            (
                "target/readiness/.cargo-readiness-site.json",
                "{\"tool\":\"cargo-readiness\",\"files\":[]}",
            ),
            ("target/readiness/planted.html", "PLANTED-PAGE"),
        ],
    );
    std::os::unix::fs::symlink(&secret, repo.join("target/readiness/leak.html")).unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "a site of our own"]);
    let site = repo.join("target/readiness");
    let planted = listing(&site);
    let output = run_in(&repo, &cache, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("nothing proves cargo-readiness wrote it"), "{stderr}");
    assert_eq!(listing(&site), planted, "the folder is left as it is");

    let output = run_in(&repo, &cache, &["--force"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("leak.html: is a symbolic link"), "{stderr}");
    assert_eq!(listing(&site), planted, "no site was swapped in");
    assert_eq!(
        listing(&repo.join("target")),
        [
            "readiness",
            "readiness/.cargo-readiness-site.json",
            "readiness/leak.html",
            "readiness/planted.html"
        ]
    );
    assert_eq!(fs::read_to_string(&secret).unwrap(), "RUNNER-SECRET-5d1c");
}

/// The tool's own site in the checkout (`target/` ignored, so git knows nothing of it) is
/// adopted by a re-run, with or without the cache that recorded writing it.
#[test]
fn our_own_site_in_the_checkout_is_adopted() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, cache) = (tmp.path().join("repo"), tmp.path().join("cache"));
    write(
        &repo,
        &[("Cargo.toml", PACKAGE), ("src/lib.rs", "pub fn f() {}\n"), (".gitignore", "/target\n")],
    );
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "crate"]);
    for round in 0..3 {
        if round == 2 {
            fs::remove_dir_all(&cache).unwrap();
        }
        let output = run_in(&repo, &cache, &[]);
        assert!(output.status.code().is_some_and(|c| c < 2), "{round}: {}", printed(&output));
    }
    assert!(repo.join("target/readiness/report.json").is_file());
}

/// 2,000 nested folders in one crate, in the git index and in walk mode: that crate is
/// `crate-not-checked` with the reason, the other is reported in full, and the process
/// does not abort (exit 1, not 134).
#[test]
fn deep_folders_are_that_crates_finding() {
    for git_mode in [true, false] {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        let deep = format!("deep/{}x.txt", "d/".repeat(2000));
        write(
            &repo,
            &[
                ("Cargo.toml", "[workspace]\nmembers = [\"deep\", \"good\"]\nresolver = \"2\"\n"),
                ("deep/Cargo.toml", &package("deep")),
                ("deep/src/lib.rs", "pub fn f() {}\n"),
                (&deep, "at the bottom\n"),
                ("good/Cargo.toml", &package("good")),
                ("good/src/lib.rs", "pub fn f() {}\n"),
            ],
        );
        if git_mode {
            git(&repo, &["init", "-q"]);
            git(&repo, &["add", "-A"]);
        }
        let (output, site) = site_run(&repo.join("Cargo.toml"), tmp.path(), &[]);
        assert_eq!(output.status.code(), Some(1), "git {git_mode}: {}", printed(&output));
        let report = report(&site);
        let reason = not_checked_reason(&report, "deep");
        assert!(reason.contains("d/d/d/…/x.txt is 2000 folders deep"), "{reason}");
        assert_reported_in_full(&report, "good");
        assert!(site.join("crates/deep/index.html").is_file());
    }
}

/// 100,000 nested braces in one crate's source: that crate is `crate-not-checked` naming
/// the file, the other is reported in full, and the process does not abort.
#[test]
fn deep_nesting_in_a_source_is_that_crates_finding() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let nested = format!("pub fn f() {}{}\n", "{".repeat(100_000), "}".repeat(100_000));
    write(
        &ws,
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"deep\", \"good\"]\nresolver = \"2\"\n"),
            ("deep/Cargo.toml", &package("deep")),
            ("deep/src/lib.rs", &nested),
            ("good/Cargo.toml", &package("good")),
            ("good/src/lib.rs", "pub fn f() {}\n"),
        ],
    );
    let (output, site) = site_run(&ws.join("Cargo.toml"), tmp.path(), &[]);
    assert_eq!(output.status.code(), Some(1), "{}", printed(&output));
    let report = report(&site);
    let reason = not_checked_reason(&report, "deep");
    assert!(
        reason.contains("src/lib.rs: brackets, braces or parentheses nest more than 256"),
        "{reason}"
    );
    assert_reported_in_full(&report, "good");
}

/// An unknown check id, an unknown key, a level that is none and a size that is no number
/// in one crate's `[package.metadata.readiness]` make that crate `crate-not-checked`,
/// naming its manifest and the key; the others are reported in full (exit 1). The
/// workspace's own table stays an error of the run, naming the file.
#[test]
fn one_crates_bad_settings_are_that_crates_finding() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let members = [
        (
            "bad-id",
            "[package.metadata.readiness.checks]\nno-such-check = \"allow\"\n",
            "[package.metadata.readiness.checks]: unknown check id `no-such-check`",
        ),
        (
            "bad-key",
            "[package.metadata.readiness]\nlarge-files = 10\n",
            "[package.metadata.readiness]: unknown field `large-files`",
        ),
        (
            "bad-level",
            "[package.metadata.readiness.checks]\nkeywords-missing = \"fatal\"\n",
            "`keywords-missing`: unknown variant `fatal`",
        ),
        (
            "bad-size",
            "[package.metadata.readiness]\nlarge-file = \"1 MiB\"\n",
            "`large-file`: invalid type: string \"1 MiB\", expected u64",
        ),
    ];
    let mut files = vec![
        (
            "Cargo.toml".to_owned(),
            "[workspace]\nmembers = [\"good\", \"bad-id\", \"bad-key\", \"bad-level\", \"bad-size\"]\nresolver = \"2\"\n"
                .to_owned(),
        ),
        ("good/Cargo.toml".to_owned(), package("good")),
        ("good/src/lib.rs".to_owned(), "pub fn f() {}\n".to_owned()),
    ];
    for (name, table, _) in members {
        files.push((format!("{name}/Cargo.toml"), format!("{}\n{table}", package(name))));
        files.push((format!("{name}/src/lib.rs"), "pub fn f() {}\n".to_owned()));
    }
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    write(&ws, &files);
    let (output, site) = site_run(&ws.join("Cargo.toml"), tmp.path(), &[]);
    assert_eq!(output.status.code(), Some(1), "{}", printed(&output));
    let report = report(&site);
    for (name, _, why) in members {
        let reason = not_checked_reason(&report, name);
        assert!(reason.contains(&format!("{name}/Cargo.toml: ")), "{reason}");
        assert!(reason.contains(why), "{name}: {reason}");
    }
    assert_reported_in_full(&report, "good");

    let root = fs::read_to_string(ws.join("Cargo.toml")).unwrap();
    let bad_root =
        format!("{root}\n[workspace.metadata.readiness.checks]\nno-such-check = \"allow\"\n");
    fs::write(ws.join("Cargo.toml"), bad_root).unwrap();
    let (output, _) = site_run(&ws.join("Cargo.toml"), tmp.path(), &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "Cargo.toml: [workspace.metadata.readiness.checks]: unknown check id `no-such-check`"
        ),
        "{stderr}"
    );
}
