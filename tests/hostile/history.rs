//! Past revisions are hostile data: the trees `--baseline` and a stale sign-off's `commit`
//! make the tool read. Each commit here is crafted with git's plumbing as a pushed branch
//! can carry it (`hash-object --literally` writes trees git's fsck only warns about), in a
//! repository whose cache folder sits several levels below the temporary root, so a write
//! that climbs out of the throwaway checkout still lands where the test looks.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use cargo_readiness::base::format::escape_markdown;
use cargo_readiness::base::shown::Shown;

use super::{PACKAGE, contains, every_output_byte, git, report, run, write};

/// A tree entry as written into a tree object: its mode, name and object id (hex).
type Entry<'a> = (&'a str, &'a [u8], &'a str);

/// What a write through the crafted links would create.
const PAYLOAD: &str = "PWNED";

/// A repository holding one crate (`victim`) at `<tmp>/repo`, its cache folder at
/// `<tmp>/deep/a/b/c/cache`: a checkout is `<cache>/v1/checkouts/checkout-*`, so four
/// levels above it is `<tmp>/deep/a/b/c`.
struct Scene {
    tmp: tempfile::TempDir,
}

impl Scene {
    fn new() -> Scene {
        let scene = Scene { tmp: tempfile::tempdir().unwrap() };
        write(&scene.repo(), &[("Cargo.toml", PACKAGE), ("src/lib.rs", "pub fn f() {}\n")]);
        git(&scene.repo(), &["init", "-q"]);
        git(&scene.repo(), &["add", "-A"]);
        scene.plumbing(&["-c", "commit.gpgsign=false", "commit", "-q", "-m", "one"], b"");
        fs::create_dir_all(scene.cache()).unwrap();
        scene
    }

    fn repo(&self) -> PathBuf {
        self.tmp.path().join("repo")
    }

    fn cache(&self) -> PathBuf {
        self.tmp.path().join("deep/a/b/c/cache")
    }

    /// Runs git in the repository with `input` on its standard input; its output, trimmed.
    fn plumbing(&self, args: &[&str], input: &[u8]) -> String {
        let mut child = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@t"])
            .args(args)
            .current_dir(self.repo())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    fn blob(&self, content: &str) -> String {
        self.plumbing(&["hash-object", "-w", "--stdin"], content.as_bytes())
    }

    /// A tree of exactly `entries` (mode, name, id), in this order, however git judges them.
    fn tree(&self, entries: &[Entry]) -> String {
        let mut bytes = Vec::new();
        for (mode, name, id) in entries {
            bytes.extend_from_slice(format!("{mode} ").as_bytes());
            bytes.extend_from_slice(name);
            bytes.push(0);
            bytes.extend(
                (0..id.len()).step_by(2).map(|i| u8::from_str_radix(&id[i..i + 2], 16).unwrap()),
            );
        }
        self.plumbing(&["hash-object", "-w", "--literally", "-t", "tree", "--stdin"], &bytes)
    }

    /// HEAD's tree with `extra` entries after its own: the crate as it is, plus the attack.
    fn head_tree_with(&self, extra: &[Entry]) -> String {
        let manifest = self.plumbing(&["rev-parse", "HEAD:Cargo.toml"], b"");
        let src = self.plumbing(&["rev-parse", "HEAD:src"], b"");
        let mut entries: Vec<Entry> =
            vec![("100644", b"Cargo.toml", &manifest), ("40000", b"src", &src)];
        entries.extend_from_slice(extra);
        self.tree(&entries)
    }

    /// A commit of `tree`, tagged `tag`; its id.
    fn commit(&self, tree: &str, tag: &str) -> String {
        let commit = self.plumbing(&["commit-tree", tree, "-m", "crafted"], b"");
        self.plumbing(&["tag", tag, &commit], b"");
        commit
    }

    /// `cargo readiness --baseline rev`: the output and the site.
    fn baseline(&self, rev: &str) -> (Output, PathBuf) {
        let site = self.tmp.path().join("site");
        let out = run_args(&[
            "--manifest-path",
            self.manifest(),
            "--out",
            path(&site),
            "--baseline",
            rev,
        ]);
        (run(self.tmp.path(), &out, &self.env(), false), site)
    }

    /// `cargo readiness verify` with a stale sign-off of `victim` naming `commit`.
    fn verify(&self, commit: &str) -> Output {
        let fingerprint = format!("sha256:{}", "0".repeat(64));
        let signoff = format!(
            "[[signoff]]\nname = \"victim\"\nversion = \"0.1.0\"\nfingerprint = \"{fingerprint}\"\nreviewer = \"Ada\"\ndate = 2026-11-24\ncommit = \"{commit}\"\n"
        );
        fs::write(self.repo().join("readiness-signoff.toml"), signoff).unwrap();
        let args = run_args(&["verify", "--manifest-path", self.manifest()]);
        run(self.tmp.path(), &args, &self.env(), false)
    }

    fn manifest(&self) -> &'static str {
        path(&self.repo().join("Cargo.toml"))
    }

    fn env(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("CARGO_READINESS_CACHE_DIR", path(&self.cache())),
            ("CARGO_TARGET_DIR", path(&self.tmp.path().join("target"))),
        ]
    }

    /// No file named [`PAYLOAD`] anywhere below the temporary root (links not followed),
    /// none in the folders one to four levels above the checkouts, and no checkout left.
    fn assert_nothing_written_outside(&self) {
        let mut ancestor = self.cache().join("v1/checkouts");
        for _ in 0..4 {
            assert!(!ancestor.join(PAYLOAD).exists(), "written into {}", ancestor.display());
            ancestor.pop();
        }
        for entry in walkdir::WalkDir::new(self.tmp.path()).into_iter().map(Result::unwrap) {
            assert_ne!(entry.file_name(), PAYLOAD, "written at {}", entry.path().display());
        }
        let checkouts = self.cache().join("v1/checkouts");
        let left = fs::read_dir(&checkouts).map_or(0, |entries| entries.count());
        assert_eq!(left, 0, "the throwaway checkout is removed");
        let mut roots: Vec<_> = fs::read_dir(self.tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        roots.sort();
        assert!(
            roots.iter().all(|r| ["deep", "repo", "site", "target"].contains(&r.as_str())),
            "{roots:?}"
        );
    }
}

fn path(path: &Path) -> &'static str {
    path.to_str().unwrap().to_owned().leak()
}

fn run_args<'a>(args: &[&'a str]) -> Vec<&'a std::ffi::OsStr> {
    args.iter().map(|a| std::ffi::OsStr::new(*a)).collect()
}

/// The crafted links of the issue: `l1 -> .`, then in `d`, `e`, `f`, `g` one link each to
/// the previous one's parent. Each passes a lexical check (`d/../l1/..` is `.`); followed,
/// `d/l2` is the checkout's parent and `g/l5` four levels above it. `into_g5` are entries of
/// `g` that reach below `g/l5`: only a second entry named `l5`, an entry `.` holding one, or
/// a name with a slash can, since nothing else can name a path through a link.
fn climbing_links(scene: &Scene, into_g5: &[Entry]) -> String {
    let [l1, l2, l3, l4, l5] = [".", "../l1/..", "../d/l2/..", "../e/l3/..", "../f/l4/.."]
        .map(|target| scene.blob(target));
    let d = scene.tree(&[("120000", b"l2", &l2)]);
    let e = scene.tree(&[("120000", b"l3", &l3)]);
    let f = scene.tree(&[("120000", b"l4", &l4)]);
    let mut g: Vec<Entry> = vec![("120000", b"l5", &l5)];
    g.extend_from_slice(into_g5);
    let g = scene.tree(&g);
    scene.head_tree_with(&[
        ("40000", b"d", &d),
        ("40000", b"e", &e),
        ("40000", b"f", &f),
        ("40000", b"g", &g),
        ("120000", b"l1", &l1),
    ])
}

/// The comparison of `victim` shows as not compared with `rev`, its reason naming the
/// entry and holding `problem`, the same in report.json, the crate page, summary.md and on
/// standard error; the run ends with its usual exit code.
fn assert_not_compared(output: &Output, site: &Path, rev: &str, problem: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "the crate is otherwise ready: {stderr}");
    let baseline = &report(site)["crates"][0]["baseline"];
    assert_eq!(baseline["rev"], rev, "{baseline}");
    assert_eq!(baseline["status"], "not-compared", "{baseline}");
    let reason = baseline["reason"].as_str().unwrap();
    assert!(reason.starts_with("its tree was not written out: entry "), "{reason}");
    assert!(reason.contains(problem), "{reason}");
    let page = fs::read_to_string(site.join("crates/victim/index.html")).unwrap();
    let said = format!("Not compared with {rev} (commit ");
    assert!(page.contains(&said), "the page says so");
    let said = reason
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    assert!(page.contains(&said), "the page gives the reason: {said}");
    let summary = fs::read_to_string(site.join("summary.md")).unwrap();
    let said = escape_markdown(&Shown::new(format!("not compared: {reason}")));
    assert!(summary.contains(&said), "{said} not in {summary}");
    let said = format!("warning: --baseline {rev}: victim not compared: {reason}");
    assert!(stderr.contains(&said), "{stderr}");
}

#[cfg(unix)]
#[test]
fn chained_links_and_a_second_entry_of_one_name_write_nothing_outside() {
    let scene = Scene::new();
    let payload = scene.blob("#!/bin/sh\necho pwned\n");
    let below = scene.tree(&[("100644", PAYLOAD.as_bytes(), &payload)]);
    let tree = climbing_links(&scene, &[("40000", b"l5", &below)]);
    scene.commit(&tree, "crafted");
    let (output, site) = scene.baseline("crafted");
    scene.assert_nothing_written_outside();
    assert_not_compared(&output, &site, "crafted", "is a second entry of that name in its folder");
    assert!(!contains(&every_output_byte(&site), "echo pwned"));
}

#[cfg(unix)]
#[test]
fn chained_links_and_a_name_with_a_slash_write_nothing_outside() {
    let scene = Scene::new();
    let payload = scene.blob("#!/bin/sh\necho pwned\n");
    let tree = climbing_links(&scene, &[("100644", b"l5/PWNED", &payload)]);
    scene.commit(&tree, "crafted");
    let (output, site) = scene.baseline("crafted");
    scene.assert_nothing_written_outside();
    assert_not_compared(&output, &site, "crafted", "has a name with a slash or a backslash");
}

/// The second route: `verify`, whose stale sign-off names the crafted commit (`commit` is a
/// string the pull request writes). The crate's reason is printed beside it; the exit code
/// still means "not signed off".
#[cfg(unix)]
#[test]
fn chained_links_and_an_entry_named_dot_write_nothing_outside_through_verify() {
    let scene = Scene::new();
    let payload = scene.blob("#!/bin/sh\necho pwned\n");
    let below = scene.tree(&[("100644", PAYLOAD.as_bytes(), &payload)]);
    let dot = scene.tree(&[("40000", b"l5", &below)]);
    let tree = climbing_links(&scene, &[("40000", b".", &dot)]);
    let commit = scene.commit(&tree, "crafted");
    let output = scene.verify(&commit);
    scene.assert_nothing_written_outside();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stale, not an error: {stdout}{stderr}");
    let line = format!(
        "not compared with commit {}: its tree was not written out: entry \"g/.\" is named `.` or `..`",
        &commit[..12]
    );
    assert!(stdout.contains(&line), "{stdout}");
    assert!(!format!("{stdout}{stderr}").contains("--baseline"), "{stdout}{stderr}");
}

/// Without a name that reaches through them, the chained links still climb out once
/// written: the revision is refused on the first link that does, not compared as if the
/// links were absent.
#[cfg(unix)]
#[test]
fn chained_links_alone_are_refused() {
    let scene = Scene::new();
    let tree = climbing_links(&scene, &[]);
    scene.commit(&tree, "crafted");
    let (output, site) = scene.baseline("crafted");
    scene.assert_nothing_written_outside();
    let problem = "entry \"d/l2\" is a symbolic link that leads outside the checkout";
    assert_not_compared(&output, &site, "crafted", problem);
}

/// Entries git never checks out (`..`, `.git` with a config of its own), and two names
/// that are one on a case-insensitive file system: the old reader skipped the first two
/// and compared what was left as if it were the whole tree; each now refuses it.
#[test]
fn entries_git_never_checks_out_make_the_revision_not_compared() {
    let scene = Scene::new();
    let config = scene.blob("[core]\n\tfsmonitor = touch PWNED\n");
    let git_dir = scene.tree(&[("100644", b"config", &config)]);
    let readme = scene.blob("# victim\n");
    let cases: [(&str, Vec<Entry>, &str); 3] = [
        ("dotdot", vec![("40000", b"..", &git_dir)], "entry \"..\" is named `.` or `..`"),
        ("dotgit", vec![("40000", b".git", &git_dir)], "entry \".git\" is named like `.git`"),
        (
            "case",
            vec![("100644", b"README.md", &readme), ("100644", b"readme.md", &readme)],
            "entry \"readme.md\" collides with \"README.md\" on a case-insensitive file system",
        ),
    ];
    for (tag, extra, problem) in cases {
        scene.commit(&scene.head_tree_with(&extra), tag);
        let (output, site) = scene.baseline(tag);
        scene.assert_nothing_written_outside();
        assert_not_compared(&output, &site, tag, problem);
    }
}

/// A tree nested deeper than the bound (128 folders) is refused before anything is
/// written; built with one `git fast-import`, so the test stays fast.
#[test]
fn a_tree_nested_past_the_bound_is_not_compared() {
    let scene = Scene::new();
    let deep = format!("{}f", "a/".repeat(129));
    let import = format!(
        "commit refs/heads/deep\ncommitter t <t@t> 0 +0000\ndata 4\ndeep\nfrom HEAD\nM 100644 inline {deep}\ndata 2\nx\n\n"
    );
    let head = scene.plumbing(&["rev-parse", "HEAD"], b"");
    scene.plumbing(&["fast-import", "--quiet"], import.replace("HEAD", &head).as_bytes());
    let (output, site) = scene.baseline("deep");
    scene.assert_nothing_written_outside();
    assert_not_compared(&output, &site, "deep", "a/a/a\" nests folders deeper than 128");
}

/// A sign-off naming a commit this clone does not hold (a made-up hash; the parent of a
/// shallow clone's only commit) is that crate's reason, not the run's error, and never
/// names `--baseline`, a flag the user did not pass.
#[test]
fn a_signed_off_commit_the_clone_does_not_hold_is_that_crates_reason() {
    let scene = Scene::new();
    let made_up = "0123456789abcdef0123456789abcdef01234567";
    let output = scene.verify(made_up);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout
            .contains("not compared with commit 0123456789ab: no such revision in this repository"),
        "{stdout}"
    );
    assert!(!format!("{stdout}{stderr}").contains("--baseline"), "{stdout}{stderr}");

    // A shallow clone holds the last commit only; the sign-off names the one before.
    let signed = scene.plumbing(&["rev-parse", "HEAD"], b"");
    fs::write(scene.repo().join("src/lib.rs"), "pub fn f() { }\n").unwrap();
    scene.plumbing(&["-c", "commit.gpgsign=false", "commit", "-q", "-am", "two"], b"");
    let url = format!("file://{}", scene.repo().display());
    let shallow = scene.tmp.path().join("deep/shallow");
    scene.plumbing(&["clone", "-q", "--depth", "1", &url, path(&shallow)], b"");
    let signoff = fs::read_to_string(scene.repo().join("readiness-signoff.toml")).unwrap();
    fs::write(shallow.join("readiness-signoff.toml"), signoff.replace(made_up, &signed)).unwrap();
    let manifest = path(&shallow.join("Cargo.toml"));
    let output = run(
        scene.tmp.path(),
        &run_args(&["verify", "--manifest-path", manifest]),
        &scene.env(),
        false,
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let line = format!("not compared with commit {}: no such revision", &signed[..12]);
    assert!(stdout.contains(&line), "{stdout}");
    assert!(!stdout.contains("--baseline"), "{stdout}");
}
