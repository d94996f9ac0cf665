//! The sign-off is hostile input too: a pull request writes `readiness-signoff.toml`, its
//! work tree, its `.git/config` and its `Cargo.toml`. Each attack here is on who may sign
//! off: a row anyone can type, allowed signers the change itself edits (or adds a file
//! named like the `REV:PATH` source), a principal taken from the checkout's git
//! configuration, and a sign-off file that is a link out of the repository.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use super::common::keys::{self, Key};
use super::{PACKAGE, contains, every_output_byte, git, report, run, write};

/// A repository holding `victim` at `<tmp>/repo`, committed on `main`, with an
/// allowed-signers file at `.github/allowed_signers` that lists `ada@example.com`.
struct Scene {
    tmp: tempfile::TempDir,
    ada: Key,
    mallory: Key,
}

impl Scene {
    fn new() -> Scene {
        let tmp = tempfile::tempdir().unwrap();
        let ada = keys::generate(tmp.path(), "ada", "ed25519");
        let mallory = keys::generate(tmp.path(), "mallory", "ed25519");
        let scene = Scene { tmp, ada, mallory };
        write(
            &scene.repo(),
            &[
                ("Cargo.toml", PACKAGE),
                ("src/lib.rs", "pub fn f() {}\n"),
                (".github/allowed_signers", &scene.ada.allowed("ada@example.com", "")),
            ],
        );
        git(&scene.repo(), &["init", "-q", "-b", "main"]);
        git(&scene.repo(), &["add", "-A"]);
        git(&scene.repo(), &["commit", "-q", "-m", "one"]);
        scene
    }

    fn repo(&self) -> PathBuf {
        self.tmp.path().join("repo")
    }

    /// The tool run from the scratch folder as a reviewer whose own git configuration
    /// (`<tmp>/home/.gitconfig`) names `ada@example.com`.
    fn run(&self, args: &[&str]) -> Output {
        let home = keys::home(self.tmp.path(), "ada@example.com");
        let manifest = self.repo().join("Cargo.toml");
        let mut all: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
        all.extend(["--manifest-path".as_ref(), manifest.as_os_str()]);
        let scratch = self.tmp.path().join("scratch");
        fs::create_dir_all(&scratch).unwrap();
        let target = scratch.join("target");
        let env = [
            ("HOME", home.to_str().unwrap()),
            ("XDG_CONFIG_HOME", home.to_str().unwrap()),
            ("GIT_CONFIG_NOSYSTEM", "1"),
            ("CARGO_TARGET_DIR", target.to_str().unwrap()),
        ];
        run(&scratch, &all, &env, false)
    }

    fn sign(&self, key: &Path, extra: &[&str]) -> Output {
        let mut args = vec!["sign", "-p", "victim", "--key", key.to_str().unwrap()];
        args.extend(extra);
        self.run(&args)
    }
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The attack: change the crate, copy its new fingerprint into a row naming a
/// trusted maintainer. Under allowed signers from the protected branch it does not count
/// (exit 1, "unsigned"), and against the baseline the row shows as added in this change on
/// the page, in summary.md and report.json.
#[test]
fn a_typed_row_naming_a_maintainer_does_not_pass() {
    let scene = Scene::new();
    git(&scene.repo(), &["checkout", "-q", "-b", "change"]);
    write(&scene.repo(), &[("src/lib.rs", "pub fn f() { /* backdoor */ }\n")]);
    let site = scene.tmp.path().join("site");
    let out = scene.run(&["--out", site.to_str().unwrap()]);
    assert!(out.status.code().unwrap() < 2, "{}", text(&out));
    let fingerprint = report(&site)["crates"][0]["fingerprint"].as_str().unwrap().to_owned();
    write(
        &scene.repo(),
        &[(
            "readiness-signoff.toml",
            &format!(
                "[[signoff]]\nname = \"victim\"\nversion = \"0.1.0\"\nfingerprint = \"{fingerprint}\"\nreviewer = \"ada@example.com\"\ndate = 2026-11-24\n"
            ),
        )],
    );
    git(&scene.repo(), &["add", "-A"]);
    git(&scene.repo(), &["commit", "-q", "-m", "approve"]);
    let out = scene.run(&["verify", "--allowed-signers", "main:.github/allowed_signers"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("ada@example.com 2026-11-24: unsigned: no signature"),
        "{}",
        text(&out)
    );
    let args = ["--out", site.to_str().unwrap(), "--baseline", "main"];
    let out =
        scene.run(&[&args[..], &["--allowed-signers", "main:.github/allowed_signers"]].concat());
    assert!(out.status.code().unwrap() < 2, "{}", text(&out));
    let signoff = &report(&site)["crates"][0]["signoff"];
    assert_eq!(signoff["status"], "incomplete");
    assert_eq!(signoff["new_since_baseline"], true);
    let summary = fs::read_to_string(site.join("summary.md")).unwrap().replace('\\', "");
    assert!(
        summary.contains("⛔ 0 of 1 reviewers: ada@example.com (unsigned) ⚠️ added in this change"),
        "{summary}"
    );
    let page = fs::read(site.join("crates/victim/index.html")).unwrap();
    assert!(contains(&page, "added in this change"));
    let all = every_output_byte(&site);
    assert!(!contains(&all, "<strong>verified</strong>") && !contains(&all, "✅ signed off"));
}

/// `REV:PATH` reads git's objects of REV: the change's own edit of the allowed signers,
/// and a file it adds named like the source, are never read; a path at the revision that
/// is a link, or climbs out, is an error naming the source (exit 2).
#[test]
fn allowed_signers_at_a_revision_ignore_the_work_tree() {
    let scene = Scene::new();
    let listed = scene.mallory.allowed("mallory@example.com", "");
    write(
        &scene.repo(),
        &[(".github/allowed_signers", &listed), ("main:.github/allowed_signers", &listed)],
    );
    let out = scene.sign(&scene.mallory.private, &["--reviewer", "mallory@example.com"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = scene.run(&["verify", "--allowed-signers", "main:.github/allowed_signers"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains(
            "unknown principal: no line of the allowed signers lists mallory@example.com"
        ),
        "{}",
        text(&out)
    );

    std::os::unix::fs::symlink("allowed_signers", scene.repo().join(".github/link")).unwrap();
    git(&scene.repo(), &["add", "-A"]);
    git(&scene.repo(), &["commit", "-q", "-m", "link"]);
    for (source, expected) in [
        (
            "HEAD:.github/link",
            "HEAD:.github/link: its tree was not written out: entry \".github/link\" is not a regular file",
        ),
        ("HEAD:../outside", "is not a relative path"),
        ("HEAD:.github/none", "entry \".github/none\" does not exist at this revision"),
    ] {
        let out = scene.run(&["verify", "--allowed-signers", source]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(text(&out).contains(expected), "{source}: {}", text(&out));
        assert_eq!(text(&out).lines().count(), 1, "{}", text(&out));
    }
}

/// `sign` takes the principal from the reviewer's own git configuration, never from the
/// checkout's `.git/config` (which names the attacker and a signing program), and never
/// appends through a sign-off file that links out of the repository.
#[test]
fn sign_trusts_nothing_of_the_checkout() {
    let scene = Scene::new();
    let marker = scene.tmp.path().join("PWNED");
    super::executable(
        &scene.tmp.path().join("evil"),
        &format!("#!/bin/sh\ntouch {}\n", marker.display()),
    );
    let config = scene.repo().join(".git/config");
    let mut text_config = fs::read_to_string(&config).unwrap();
    text_config.push_str(&format!(
        "[user]\n\temail = mallory@example.com\n\tsigningKey = {}\n[gpg \"ssh\"]\n\tprogram = {}\n",
        scene.mallory.private.display(),
        scene.tmp.path().join("evil").display()
    ));
    fs::write(&config, text_config).unwrap();
    let out = scene.sign(&scene.ada.private, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let rows = fs::read_to_string(scene.repo().join("readiness-signoff.toml")).unwrap();
    assert!(rows.contains("reviewer = \"ada@example.com\""), "{rows}");
    assert!(!rows.contains("mallory"), "{rows}");
    assert!(!marker.exists(), "the checkout's signing program never runs");
    let out = scene.run(&["verify", "--allowed-signers", "main:.github/allowed_signers"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let outside = scene.tmp.path().join("outside.toml");
    fs::write(&outside, "# someone else's file\n").unwrap();
    fs::remove_file(scene.repo().join("readiness-signoff.toml")).unwrap();
    std::os::unix::fs::symlink(&outside, scene.repo().join("readiness-signoff.toml")).unwrap();
    let out = scene.sign(&scene.ada.private, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("readiness-signoff.toml"), "{}", text(&out));
    assert_eq!(fs::read_to_string(&outside).unwrap(), "# someone else's file\n");
}
