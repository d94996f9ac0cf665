//! The repository boundary: member manifests, `--out` and its marker, deep trees, one
//! crate's bad settings.

use std::process::Output;

use serde_json::Value;

use super::{PACKAGE, contains, every_output_byte, failing, git, report, site_run, write};

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
