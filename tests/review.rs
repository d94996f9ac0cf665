//! The review loop (issue 11): sign-off (`readiness-signoff.toml`, `cargo readiness
//! verify`), the comparison with a git revision (`--baseline`), and `summary.md` as a
//! pull-request comment. Every test builds a throwaway git repository.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// A throwaway repository with a workspace at its root, `<tmp>/ws`, beside the site
/// (`<tmp>/site`) and the cache (`<tmp>/cache`).
struct Repo {
    dir: tempfile::TempDir,
}

const WORKSPACE: &str = "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n\n[workspace.package]\nlicense = \"MIT\"\n";
const A: &str = "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\ndescription = \"crate a\"\nlicense.workspace = true\n\n[features]\nstd = []\nold = []\n";
const B: &str = "[package]\nname = \"b\"\nversion = \"0.1.0\"\nedition = \"2021\"\ndescription = \"crate b\"\nlicense = \"MIT\"\n\n[dependencies]\na = { path = \"../a\", version = \"0.1.0\" }\n";

impl Repo {
    fn new() -> Repo {
        let repo = Repo { dir: tempfile::tempdir().unwrap() };
        fs::create_dir(repo.root()).unwrap();
        repo.git(&["init", "-q", "-b", "main"]);
        repo.write("Cargo.toml", WORKSPACE);
        repo.write("a/Cargo.toml", A);
        repo.write("a/src/lib.rs", "pub fn a() {}\n");
        repo.write("a/old.txt", "old\n");
        repo.write("b/Cargo.toml", B);
        repo.write("b/src/lib.rs", "pub fn b() {}\n");
        repo.commit("one");
        repo
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("ws")
    }

    /// The same repository moved below `parent`.
    fn move_into(self, parent: &Path) -> Repo {
        fs::create_dir_all(parent).unwrap();
        let moved = Repo { dir: tempfile::tempdir_in(parent).unwrap() };
        fs::rename(self.root(), moved.root()).unwrap();
        moved
    }

    fn write(&self, path: &str, text: &str) {
        let path = self.root().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn edit(&self, path: &str, from: &str, to: &str) {
        let text = fs::read_to_string(self.root().join(path)).unwrap();
        assert!(text.contains(from), "{path} has no {from:?}");
        self.write(path, &text.replacen(from, to, 1));
    }

    fn git(&self, args: &[&str]) -> String {
        common::repo::git(&self.root(), args)
    }

    fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// Runs the tool on the workspace with `args`; the site goes to `<tmp>/site`.
    fn run(&self, args: &[&str]) -> (Output, PathBuf) {
        let site = self.dir.path().join("site");
        let manifest = self.root().join("Cargo.toml");
        let cache = self.dir.path().join("cache");
        let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-readiness"));
        if args.first() == Some(&"verify") {
            command.arg("verify").args(&args[1..]);
        } else {
            command.args(args).arg("--out").arg(&site);
        }
        let output = command
            .arg("--manifest-path")
            .arg(&manifest)
            .env("NO_COLOR", "1")
            .env("CARGO_READINESS_CACHE_DIR", &cache)
            .env("CARGO_TARGET_DIR", cache.join("target"))
            .output()
            .unwrap();
        (output, site)
    }

    fn report(&self, args: &[&str]) -> Value {
        let (output, site) = self.run(args);
        assert!(output.status.code().unwrap() < 2, "{}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_str(&fs::read_to_string(site.join("report.json")).unwrap()).unwrap()
    }

    fn verify(&self) -> (i32, String) {
        let (output, _) = self.run(&["verify"]);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.code().unwrap(), text)
    }

    /// Appends a sign-off of each crate as the report shows it now, naming `commit`.
    fn sign_off(&self, names: &[&str], commit: &str) {
        let report = self.report(&[]);
        let mut text =
            fs::read_to_string(self.root().join("readiness-signoff.toml")).unwrap_or_default();
        for name in names {
            let krate = krate(&report, name);
            text.push_str(&format!(
                "[[signoff]]\nname = \"{name}\"\nversion = {}\nfingerprint = {}\nreviewer = \"Ada\"\ndate = 2026-11-24\ncommit = \"{commit}\"\n\n",
                krate["version"], krate["fingerprint"]
            ));
        }
        self.write("readiness-signoff.toml", &text);
    }
}

fn krate<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["crates"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()
}

#[test]
fn signoff_accepted_then_missing_and_stale_after_a_source_change() {
    let repo = Repo::new();
    let (code, text) = repo.verify();
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("missing a 0.1.0  no sign-off for this version"), "{text}");

    let head = repo.git(&["rev-parse", "HEAD"]);
    repo.sign_off(&["a", "b"], &head);
    let (code, text) = repo.verify();
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("signed a 0.1.0  by Ada on 2026-11-24"), "{text}");
    assert!(text.contains("2 of 2 crates signed off"), "{text}");
    let report = repo.report(&[]);
    assert_eq!(krate(&report, "a")["signoff"]["status"], "signed");
    assert_eq!(krate(&report, "a")["signoff"]["reviewer"], "Ada");

    // A source change makes the sign-off stale, and verify names the file.
    repo.write("a/src/lib.rs", "pub fn a() { let _changed = 1; }\n");
    repo.write("a/src/new.rs", "// new\n");
    repo.commit("change a");
    let (code, text) = repo.verify();
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("stale a 0.1.0  signed off by Ada on 2026-11-24"), "{text}");
    assert!(text.contains(&format!("changed since commit {}:", &head[..12])), "{text}");
    assert!(text.contains("modified src/lib.rs (14 B → 33 B)"), "{text}");
    assert!(text.contains("added    src/new.rs (7 B)"), "{text}");
    assert!(text.contains("signed b 0.1.0"), "{text}");
    let report = repo.report(&[]);
    assert_eq!(krate(&report, "a")["signoff"]["status"], "stale");

    // A new version is missing its sign-off, and says which versions were signed off.
    repo.edit("b/Cargo.toml", "version = \"0.1.0\"\nedition", "version = \"0.2.0\"\nedition");
    let (code, text) = repo.verify();
    assert_eq!(code, 1);
    assert!(
        text.contains("missing b 0.2.0  no sign-off for this version (signed off before: 0.1.0)"),
        "{text}"
    );
    // Selection flags narrow what is verified.
    repo.edit("b/Cargo.toml", "version = \"0.2.0\"", "version = \"0.1.0\"");
    let (output, _) = repo.run(&["verify", "-p", "b"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stdout));
}

/// A release job's shallow checkout (`actions/checkout` without `fetch-depth: 0`) lacks the
/// signed-off commit. `verify` says so beside the stale crate, naming the commit and no flag
/// the user never passed (issue 26: it printed `--baseline …: no such revision`).
#[test]
fn a_stale_signoff_in_a_shallow_clone_names_the_missing_commit_and_no_flag() {
    let repo = Repo::new();
    let signed = repo.git(&["rev-parse", "HEAD"]);
    repo.sign_off(&["a", "b"], &signed);
    repo.write("a/src/lib.rs", "pub fn a() { let _changed = 1; }\n");
    repo.commit("change a after the sign-off");
    let shallow = Repo { dir: tempfile::tempdir().unwrap() };
    let source = format!("file://{}", repo.root().display());
    let target = shallow.root();
    common::repo::git(
        repo.dir.path(),
        &["clone", "-q", "--depth", "1", &source, target.to_str().unwrap()],
    );
    let (code, text) = shallow.verify();
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("stale a 0.1.0"), "{text}");
    let said = format!("not compared with commit {}: no such revision", &signed[..12]);
    assert!(text.contains(&said), "{text}");
    // Only the hint on requiring signatures names a flag; the comparison names none.
    assert!(!text.contains("--baseline"), "a flag named that was never passed: {text}");
}

#[test]
fn signoff_goes_stale_when_an_inherited_workspace_key_changes() {
    let repo = Repo::new();
    let head = repo.git(&["rev-parse", "HEAD"]);
    repo.sign_off(&["a", "b"], &head);
    repo.edit("Cargo.toml", "license = \"MIT\"", "license = \"Apache-2.0\"");
    repo.commit("relicense the workspace");
    let (code, text) = repo.verify();
    assert_eq!(code, 1, "{text}");
    // No file of `a` changed; its published manifest did.
    assert!(text.contains("stale a 0.1.0"), "{text}");
    assert!(text.contains("manifest package.license: MIT → Apache-2.0 (field changed)"), "{text}");
    assert!(text.contains("signed b 0.1.0"), "b sets its own license: {text}");
}

#[test]
fn a_malformed_signoff_file_is_an_error_with_file_and_line() {
    let repo = Repo::new();
    repo.write(
        "readiness-signoff.toml",
        "[[signoff]]\nname = \"a\"\nversion = \"0.1.0\"\nfingerprint = \"sha256:00\"\nreviewer = \"Ada\"\ndate = 2026-11-24\n\n[[signoff]]\nname = \"b\"\napproved = true\n",
    );
    for args in [&["verify"][..], &[][..]] {
        let (output, _) = repo.run(args);
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("readiness-signoff.toml:"), "{stderr}");
    }
    repo.write("readiness-signoff.toml", "[[signoff]]\nname = \"b\"\napproved = true\n");
    let (output, _) = repo.run(&["verify"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("readiness-signoff.toml:3: unknown field `approved`"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_signoff_file_linked_outside_the_repository_is_refused() {
    let repo = Repo::new();
    let outside = tempfile::NamedTempFile::new().unwrap();
    fs::write(outside.path(), "[[signoff]]\n").unwrap();
    std::os::unix::fs::symlink(outside.path(), repo.root().join("readiness-signoff.toml")).unwrap();
    let (output, _) = repo.run(&["verify"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("readiness-signoff.toml: ") && stderr.contains("outside"), "{stderr}");
}

#[test]
fn the_crate_page_shows_the_status_and_the_command_to_sign() {
    let repo = Repo::new();
    let head = repo.git(&["rev-parse", "HEAD"]);
    let (_, site) = repo.run(&[]);
    let page = fs::read_to_string(site.join("crates/a/index.html")).unwrap();
    assert!(page.contains("<strong>missing</strong> Not signed off for 0.1.0."), "status");
    assert!(page.contains("<code>cargo readiness sign -p a</code>"), "the command to run");
    assert!(page.contains(&format!("and commit {}", &head[..12])), "the commit it signs");
    // A row written by hand still counts without --allowed-signers, shown as unsigned.
    repo.sign_off(&["a"], &head);
    let (_, site) = repo.run(&[]);
    let page = fs::read_to_string(site.join("crates/a/index.html")).unwrap();
    assert!(page.contains("<strong>unsigned</strong>: no signature"), "{page}");
    assert!(page.contains("without <code>--allowed-signers</code>"));
    let report: Value =
        serde_json::from_str(&fs::read_to_string(site.join("report.json")).unwrap()).unwrap();
    assert_eq!(krate(&report, "a")["signoff"]["status"], "signed");
    assert_eq!(krate(&report, "a")["signoff"]["commit"], head.as_str());
}

/// Two tagged releases: files added, removed and changed, a new crate, a dependency bump,
/// a removed feature.
fn released_twice() -> Repo {
    let repo = Repo::new();
    repo.git(&["tag", "a-v0.1.0"]);
    repo.git(&["tag", "b@0.1.0"]);
    repo.edit("a/Cargo.toml", "version = \"0.1.0\"", "version = \"0.2.0\"");
    repo.edit("a/Cargo.toml", "old = []\n", "");
    repo.write("a/src/lib.rs", "pub fn a() { let _two = 2; }\n");
    repo.write("a/new.txt", "new file\n");
    fs::remove_file(repo.root().join("a/old.txt")).unwrap();
    repo.edit("b/Cargo.toml", "version = \"0.1.0\" }", "version = \"0.2.0\" }");
    repo.edit("Cargo.toml", "[\"a\", \"b\"]", "[\"a\", \"b\", \"c\"]");
    repo.write(
        "c/Cargo.toml",
        "[package]\nname = \"c\"\nversion = \"0.1.0\"\nedition = \"2021\"\ndescription = \"c\"\nlicense = \"MIT\"\n",
    );
    repo.write("c/src/lib.rs", "\n");
    repo.commit("two");
    repo
}

#[test]
fn baseline_auto_compares_each_crate_with_its_release_tag() {
    let repo = released_twice();
    let report = repo.report(&["--baseline", "auto"]);
    let a = &krate(&report, "a")["baseline"];
    assert_eq!(a["rev"], "a-v0.1.0");
    assert_eq!(a["status"], "changed");
    assert_eq!(a["version"], "0.1.0");
    assert_eq!(a["files_added"], serde_json::json!([{ "path": "new.txt", "size": 9 }]));
    assert_eq!(a["files_removed"], serde_json::json!([{ "path": "old.txt", "size": 4 }]));
    let changed: Vec<&str> = a["files_changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["Cargo.toml", "Cargo.toml.orig", "src/lib.rs"]);
    assert!(a["compressed_size_delta"].is_i64());
    let removed = serde_json::json!({ "kind": "feature-removed", "key": "features.old", "before": "[]", "after": null });
    assert!(a["manifest_changes"].as_array().unwrap().contains(&removed), "{a}");

    let b = &krate(&report, "b")["baseline"];
    assert_eq!(b["rev"], "b@0.1.0");
    let bump = serde_json::json!({ "kind": "dependency-changed", "key": "dependencies.a", "before": "0.1.0", "after": "0.2.0" });
    assert_eq!(b["manifest_changes"], serde_json::json!([bump]));

    let c = &krate(&report, "c")["baseline"];
    assert_eq!(c["status"], "new");
    assert_eq!(c["rev"], Value::Null);

    // The page and the summary say the same.
    let (_, site) = repo.run(&["--baseline", "auto"]);
    let page = fs::read_to_string(site.join("crates/a/index.html")).unwrap();
    assert!(page.contains("Changes since <code>a-v0.1.0</code>"));
    assert!(page.contains("feature removed (breaking)"));
    let summary = fs::read_to_string(site.join("summary.md")).unwrap();
    assert!(summary.contains("💥 breaking: features.old removed since a-v0.1.0"), "{summary}");
}

#[test]
fn baseline_rev_compares_every_crate_with_one_revision() {
    let repo = released_twice();
    let first = repo.git(&["rev-parse", "HEAD~1"]);
    let report = repo.report(&["--baseline", "HEAD~1"]);
    for name in ["a", "b"] {
        let baseline = &krate(&report, name)["baseline"];
        assert_eq!(baseline["rev"], "HEAD~1");
        assert_eq!(baseline["commit"], first.as_str());
        assert_eq!(baseline["status"], "changed");
    }
    assert_eq!(krate(&report, "c")["baseline"]["status"], "new");
    assert_eq!(
        krate(&report, "c")["baseline"]["reason"],
        "the crate did not exist at this revision"
    );
    let report = repo.report(&["--baseline", "HEAD"]);
    assert_eq!(krate(&report, "a")["baseline"]["status"], "unchanged");
    assert_eq!(krate(&report, "a")["baseline"]["files_changed"], serde_json::json!([]));

    let (output, _) = repo.run(&["--baseline", "no-such-tag"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("error: --baseline no-such-tag: no such revision"), "{stderr}");
    let (output, _) = repo.run(&["--baseline=--output=/tmp/x"]);
    assert_eq!(output.status.code(), Some(2), "an option-like revision is refused");
}

#[test]
fn baseline_auto_uses_v_tags_in_a_single_crate_repository() {
    let repo = Repo::new();
    repo.write("Cargo.toml", A.replace("license.workspace = true", "license = \"MIT\"").as_str());
    repo.write("src/lib.rs", "pub fn a() {}\n");
    for gone in ["a", "b"] {
        fs::remove_dir_all(repo.root().join(gone)).unwrap();
    }
    repo.commit("single");
    repo.git(&["tag", "v0.1.0"]);
    repo.git(&["tag", "v0.3.0"]); // above the current version: not a previous release
    repo.write("src/lib.rs", "pub fn a() { }\n");
    repo.commit("change");
    let report = repo.report(&["--baseline", "auto"]);
    let baseline = &krate(&report, "a")["baseline"];
    assert_eq!(baseline["rev"], "v0.1.0");
    assert_eq!(baseline["status"], "changed");
}

/// Workspaces that tag a release with a bare version (serde's `v1.0.228`, ripgrep's
/// `15.2.0`) have it found by `auto` for each crate the tag's tree holds at that version,
/// and only for those; the terminal says what each crate was compared with; a crate that
/// changed since its release but kept the version is a warning.
#[test]
fn baseline_auto_finds_bare_version_tags_where_the_tree_holds_the_crate_at_that_version() {
    let repo = Repo::new();
    // a inherits its version from the workspace, as many workspaces do.
    repo.edit("Cargo.toml", "license = \"MIT\"", "license = \"MIT\"\nversion = \"0.1.0\"");
    repo.edit("a/Cargo.toml", "version = \"0.1.0\"", "version.workspace = true");
    repo.commit("release 0.1.0");
    repo.git(&["tag", "v0.1.0"]);
    repo.git(&["tag", "v0.1.5"]); // no crate was 0.1.5 there: no crate's release
    repo.edit("b/Cargo.toml", "version = \"0.1.0\"\nedition", "version = \"0.2.0\"\nedition");
    repo.write("a/src/lib.rs", "pub fn a() { let _changed = 1; }\n");
    repo.commit("b 0.2.0, a changed");

    let (output, site) = repo.run(&["--baseline", "auto"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: Value =
        serde_json::from_str(&fs::read_to_string(site.join("report.json")).unwrap()).unwrap();
    let a = krate(&report, "a");
    assert_eq!(a["baseline"]["rev"], "v0.1.0", "{stderr}");
    assert_eq!(a["baseline"]["status"], "changed");
    let unbumped = |krate: &Value| {
        krate["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "version-not-bumped")
            .cloned()
            .unwrap()
    };
    let finding = unbumped(a);
    assert_eq!(finding["status"], "fail", "{finding}");
    assert_eq!(finding["severity"], "warning");
    assert!(
        finding["message"].as_str().unwrap().contains("v0.1.0, but its version is still 0.1.0")
    );
    assert_eq!(a["verdict"], "warnings");
    let b = krate(&report, "b");
    assert_eq!(b["baseline"]["rev"], "v0.1.0", "not v0.1.5, whose tree has b at 0.1.0");
    assert_eq!(unbumped(b)["status"], "pass", "b's version moved on");
    let commit = repo.git(&["rev-parse", "v0.1.0"]);
    let said = format!("baseline a: compared with v0.1.0 ({}): changed", &commit[..12]);
    assert!(stderr.contains(&said), "{stderr}");

    // ripgrep's bare tag, once b is released at it.
    repo.git(&["tag", "0.2.0"]);
    repo.write("a/src/lib.rs", "pub fn a() { let _changed = 2; }\n");
    repo.commit("a changed again");
    let report = repo.report(&["--baseline", "auto"]);
    assert_eq!(krate(&report, "b")["baseline"]["rev"], "0.2.0");
    assert_eq!(krate(&report, "b")["baseline"]["status"], "unchanged");
    assert_eq!(krate(&report, "a")["baseline"]["rev"], "v0.1.0");

    // Named as a revision, a tag is a release too; a commit is not.
    let report = repo.report(&["--baseline", "v0.1.0"]);
    assert_eq!(unbumped(krate(&report, "a"))["status"], "fail");
    let report = repo.report(&["--baseline", "HEAD~1"]);
    assert_eq!(unbumped(krate(&report, "a"))["status"], "not-checked");
    // Without --baseline the check cannot look, and says how to make it.
    let report = repo.report(&[]);
    let finding = unbumped(krate(&report, "a"));
    assert_eq!(finding["status"], "not-checked");
    assert!(finding["message"].as_str().unwrap().contains("--baseline auto"), "{finding}");
}

#[cfg(unix)]
#[test]
fn a_baseline_revision_with_hostile_links_reads_nothing_outside() {
    let repo = Repo::new();
    std::os::unix::fs::symlink("/etc/passwd", repo.root().join("a/README.md")).unwrap();
    std::os::unix::fs::symlink("../../../../../../etc/hostname", repo.root().join("a/notes.txt"))
        .unwrap();
    repo.commit("hostile links");
    repo.git(&["tag", "a-v0.1.0"]);
    fs::remove_file(repo.root().join("a/README.md")).unwrap();
    fs::remove_file(repo.root().join("a/notes.txt")).unwrap();
    repo.commit("clean");
    let (output, site) = repo.run(&["--baseline", "a-v0.1.0"]);
    assert!(output.status.code().unwrap() < 2, "{}", String::from_utf8_lossy(&output.stderr));
    let json = fs::read_to_string(site.join("report.json")).unwrap();
    assert!(!json.contains("root:"), "no byte of /etc/passwd");
    let report: Value = serde_json::from_str(&json).unwrap();
    let baseline = &krate(&report, "a")["baseline"];
    // A link out of the checkout is never written, and a tree without it is not the tree:
    // the revision is not compared, rather than compared as if the links were absent.
    assert_eq!(baseline["status"], "not-compared", "{baseline}");
    assert_eq!(baseline["files_removed"], serde_json::json!([]), "{baseline}");
}

#[test]
fn summary_says_a_finding_of_many_crates_once_and_stays_short() {
    let repo = Repo::new();
    // 60 crates with five warnings each: 300 findings.
    let members: Vec<String> = (0..60).map(|i| format!("\"m{i:02}\"")).collect();
    repo.write(
        "Cargo.toml",
        &format!("[workspace]\nmembers = [{}]\nresolver = \"2\"\n", members.join(", ")),
    );
    for dir in ["a", "b"] {
        fs::remove_dir_all(repo.root().join(dir)).unwrap();
    }
    for i in 0..60 {
        repo.write(
            &format!("m{i:02}/Cargo.toml"),
            &format!("[package]\nname = \"m{i:02}\"\nversion = \"0.1.0\"\nedition = \"2021\"\ndescription = \"member {i}\"\nlicense = \"MIT\"\n"),
        );
        repo.write(&format!("m{i:02}/src/lib.rs"), "\n");
    }
    repo.commit("many");
    let (_, site) = repo.run(&["--base-url", "https://example.org/r/"]);
    let summary = fs::read_to_string(site.join("summary.md")).unwrap();
    // The 300 findings are five shared ones, each said once with the first crates' names.
    assert!(summary.chars().count() < 16_000, "{} characters", summary.chars().count());
    assert_eq!(summary.matches("`keywords-missing`").count(), 1, "{summary}");
    let line = summary.lines().find(|l| l.contains("`keywords-missing`")).unwrap();
    assert!(
        line.starts_with("- ⚠️ [`keywords-missing`](https://example.org/r/guide/checks/metadata.html#keywords-missing): 60 crates (m00, m01, "),
        "{line}"
    );
    assert!(line.contains(", m07 and 52 more): No keywords"), "{line}");
    assert!(summary.contains("| [m00](https://example.org/r/crates/m00/index.html) | 0.1.0 |"));
    assert!(summary.contains("[full report](https://example.org/r/index.html)"));
    let (_, site) = repo.run(&[]);
    let summary = fs::read_to_string(site.join("summary.md")).unwrap();
    assert!(summary.contains("[`keywords-missing`](guide/checks/metadata.html#keywords-missing)"));
}

#[test]
fn the_site_is_byte_identical_across_checkouts_at_different_paths() {
    let deeper = tempfile::tempdir().unwrap();
    let sites: Vec<Vec<(PathBuf, Vec<u8>)>> =
        [None, Some(deeper.path().join("a/much/longer/path"))]
            .into_iter()
            .map(|place| {
                let repo = released_twice();
                let repo = match place {
                    None => repo,
                    Some(place) => repo.move_into(&place),
                };
                let head = repo.git(&["rev-parse", "HEAD"]);
                repo.sign_off(&["a"], &head);
                let (output, site) = repo.run(&["--baseline", "auto"]);
                assert!(output.status.code().unwrap() < 2);
                files(&site)
            })
            .collect();
    assert_eq!(sites[0].len(), sites[1].len());
    for ((path, first), (other, second)) in sites[0].iter().zip(&sites[1]) {
        assert_eq!(path, other);
        assert!(first == second, "{} differs between the two checkouts", path.display());
    }
}

/// Every file below `root` (relative path, bytes), sorted, without the ownership marker.
fn files(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(root).unwrap().to_path_buf(), fs::read(e.path()).unwrap()))
        .collect();
    found.sort();
    found
}

#[test]
fn a_commit_that_changes_no_crate_keeps_a_binarys_signoff() {
    // b has a binary: its packaged lock records a's `.crate` checksum, which records the
    // commit. The fingerprint takes a's fingerprint instead, so a new commit that changes
    // no crate leaves every sign-off valid.
    let repo = Repo::new();
    repo.write("b/src/main.rs", "fn main() { b::b() }\n");
    let head = repo.commit("b gets a binary");
    repo.sign_off(&["a", "b"], &head);
    repo.commit("sign off");
    repo.write("NOTES.md", "not in any crate\n");
    repo.commit("unrelated");
    let (code, text) = repo.verify();
    assert_eq!(code, 0, "{text}");
    // A change to a still changes b's fingerprint through its lock.
    repo.write("a/src/lib.rs", "pub fn a() { let _changed = 1; }\n");
    repo.commit("change a");
    let (code, text) = repo.verify();
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("stale b 0.1.0"), "{text}");
}
