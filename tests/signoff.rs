//! Signed sign-offs (issue 23): `cargo readiness sign` with ed25519, ECDSA and RSA keys (and
//! through ssh-agent where one runs), `verify --allowed-signers` naming each row's state,
//! the policy of distinct reviewers, blocked crates, rows added since the baseline, and a
//! row checked by hand with `ssh-keygen -Y verify` on the statement the guide documents.
//! Keys are made in each test by ssh-keygen; nothing is signed with a key of the machine.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::keys::{self, Key};
use serde_json::Value;

/// Crate `a` ready; crate `b` blocked (no license).
const WORKSPACE: &str = "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n";
const A: &str = "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\ndescription = \"crate a\"\nlicense = \"MIT\"\n";
const B: &str =
    "[package]\nname = \"b\"\nversion = \"0.1.0\"\nedition = \"2021\"\ndescription = \"crate b\"\n";

struct Repo {
    dir: tempfile::TempDir,
    home: PathBuf,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let home = keys::home(dir.path(), "ada@example.com");
        let repo = Repo { dir, home };
        common::repo::write(
            &repo.root(),
            &[
                ("Cargo.toml", WORKSPACE),
                ("a/Cargo.toml", A),
                ("a/src/lib.rs", "pub fn a() {}\n"),
                ("b/Cargo.toml", B),
                ("b/src/lib.rs", "pub fn b() {}\n"),
            ],
        );
        repo.git(&["init", "-q", "-b", "main"]);
        repo.commit("one");
        repo
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("ws")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn git(&self, args: &[&str]) -> String {
        common::repo::git(&self.root(), args)
    }

    fn commit(&self, message: &str) -> String {
        common::repo::commit(&self.root(), message)
    }

    fn key(&self, name: &str, kind: &str) -> Key {
        keys::generate(self.dir.path(), name, kind)
    }

    fn signoff_file(&self) -> String {
        fs::read_to_string(self.root().join("readiness-signoff.toml")).unwrap_or_default()
    }

    fn edit_signoffs(&self, from: &str, to: &str) {
        let text = self.signoff_file();
        assert!(text.contains(from), "no {from:?} in {text}");
        fs::write(self.root().join("readiness-signoff.toml"), text.replacen(from, to, 1)).unwrap();
    }

    /// Runs the tool as the reviewer (their home, no agent unless `env` names one).
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let cache = self.path("cache");
        let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-readiness"));
        command
            .args(args)
            .arg("--manifest-path")
            .arg(self.root().join("Cargo.toml"))
            .env("NO_COLOR", "1")
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GIT_CONFIG_GLOBAL")
            .env_remove("SSH_AUTH_SOCK")
            .env("CARGO_READINESS_CACHE_DIR", &cache)
            .env("CARGO_TARGET_DIR", cache.join("target"))
            .stdin(Stdio::null());
        for (key, value) in env {
            command.env(key, value);
        }
        command.output().unwrap()
    }

    /// `cargo readiness sign -p NAME --key KEY` and `extra`; panics unless it succeeds.
    fn sign(&self, name: &str, key: &Path, extra: &[&str]) {
        let mut args = vec!["sign", "-p", name, "--key", key.to_str().unwrap()];
        args.extend(extra);
        let out = self.run(&args, &[]);
        assert!(out.status.success(), "sign: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// `verify` with `args`: the exit code and everything printed.
    fn verify(&self, args: &[&str]) -> (i32, String) {
        let mut all = vec!["verify", "-p", "a"];
        all.extend(args);
        let out = self.run(&all, &[]);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code().unwrap(), text)
    }

    /// Writes the allowed-signers file beside the repository; its path.
    fn allowed(&self, text: &str) -> String {
        let path = self.path("allowed_signers");
        fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    }

    /// A report run with `args`: report.json, summary.md and a's page.
    fn report(&self, args: &[&str]) -> (Value, String, String) {
        let site = self.path("site");
        let mut all = vec!["--out", site.to_str().unwrap()];
        all.extend(args);
        let out = self.run(&all, &[]);
        assert!(out.status.code().unwrap() < 2, "{}", String::from_utf8_lossy(&out.stderr));
        let read = |name: &str| fs::read_to_string(site.join(name)).unwrap();
        (
            serde_json::from_str(&read("report.json")).unwrap(),
            read("summary.md"),
            read("crates/a/index.html"),
        )
    }
}

fn krate<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["crates"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()
}

/// ed25519, ECDSA and RSA keys each sign a row; with all three reviewers listed, each row
/// is verified, three distinct reviewers satisfy `--required 3`, and the page and summary
/// show who signed with which key.
#[test]
fn rows_signed_with_each_key_type_verify() {
    let repo = Repo::new();
    let reviewers =
        [("ada@example.com", "ed25519"), ("bob@example.com", "ecdsa"), ("cy@example.com", "rsa")];
    let mut allowed = String::new();
    let mut fingerprints = Vec::new();
    for (principal, kind) in reviewers {
        let key = repo.key(kind, kind);
        allowed.push_str(&key.allowed(principal, ""));
        fingerprints.push(key.fingerprint());
        repo.sign("a", &key.private, &["--reviewer", principal]);
    }
    let allowed = repo.allowed(&allowed);
    let (code, text) = repo.verify(&["--allowed-signers", &allowed, "--required", "3"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("(reviewers: 3 of 3 required)"), "{text}");
    for fingerprint in &fingerprints {
        assert!(text.contains(&format!("verified: signed by key {fingerprint}")), "{text}");
    }
    let (report, summary, page) = repo.report(&["--allowed-signers", &allowed]);
    let signoff = &krate(&report, "a")["signoff"];
    assert_eq!(signoff["status"], "signed");
    assert_eq!(signoff["checked"], true);
    let rows = signoff["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for (row, fingerprint) in rows.iter().zip(&fingerprints) {
        assert_eq!(row["state"], "verified");
        assert_eq!(row["key"], fingerprint.as_str());
    }
    let summary = summary.replace('\\', "");
    assert!(summary.contains("✅ signed off by ada@example.com (verified, SHA256:"), "{summary}");
    assert!(page.contains(&fingerprints[2]) && page.contains("<strong>verified</strong>"));
    assert!(page.contains("cargo readiness sign -p a"), "the command replaces the table");
}

/// The row is checked by hand, without the tool: the statement the guide documents,
/// byte for byte, is what `ssh-keygen -Y verify` accepts the row's signature for.
#[test]
fn ssh_keygen_verifies_a_row_on_the_documented_statement() {
    let repo = Repo::new();
    let key = repo.key("ada", "ed25519");
    repo.sign("a", &key.private, &[]);
    let row: toml::Table = repo.signoff_file().parse().unwrap();
    let row = row["signoff"][0].as_table().unwrap().clone();
    let field =
        |key: &str| row[key].as_str().map(str::to_owned).unwrap_or_else(|| row[key].to_string());
    assert_eq!(field("reviewer"), "ada@example.com", "git's user.email of the reviewer");
    assert_eq!(field("commit"), repo.git(&["rev-parse", "HEAD"]));
    let statement = format!(
        "cargo-readiness sign-off v1\nname {}\nversion {}\nfingerprint {}\ncommit {}\ndate {}\nreviewer {}\n",
        field("name"),
        field("version"),
        field("fingerprint"),
        field("commit"),
        field("date"),
        field("reviewer")
    );
    let guide =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("content/signoff.md"))
            .unwrap();
    assert!(
        guide.contains(
            "cargo-readiness sign-off v1\nname my-crate\nversion 1.2.0\nfingerprint sha256:"
        ),
        "the guide documents the statement"
    );
    fs::write(repo.path("row.sig"), field("signature")).unwrap();
    fs::write(repo.path("allowed"), key.allowed("ada@example.com", "")).unwrap();
    let check = |statement: &str| {
        let mut child = Command::new("ssh-keygen")
            .args(["-Y", "verify", "-n", "cargo-readiness", "-I", "ada@example.com", "-f"])
            .arg(repo.path("allowed"))
            .arg("-s")
            .arg(repo.path("row.sig"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), statement.as_bytes()).unwrap();
        child.wait_with_output().unwrap().status.success()
    };
    assert!(check(&statement), "ssh-keygen -Y verify accepts the documented statement");
    assert!(!check(&statement.replace("version 0.1.0", "version 0.1.1")), "and no other");
}

/// A public key whose private half is in ssh-agent signs, as `ssh-keygen -Y sign -f
/// key.pub` does. Skipped, saying why, where no ssh-agent can be started.
#[test]
fn a_key_in_the_agent_signs() {
    let repo = Repo::new();
    let key = repo.key("ada", "ed25519");
    let socket = repo.path("agent.sock");
    let agent = Command::new("ssh-agent")
        .arg("-D")
        .arg("-a")
        .arg(&socket)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut agent) = agent else {
        println!("skipped: ssh-agent could not be started here");
        return;
    };
    for _ in 0..100 {
        if socket.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let sock = socket.to_str().unwrap();
    let added =
        Command::new("ssh-add").arg("-q").arg(&key.private).env("SSH_AUTH_SOCK", sock).output();
    if !added.as_ref().is_ok_and(|o| o.status.success()) {
        agent.kill().unwrap();
        let _ = agent.wait();
        println!("skipped: ssh-add could not reach the agent ({added:?})");
        return;
    }
    fs::remove_file(&key.private).unwrap();
    let out = repo.run(
        &["sign", "-p", "a", "--key", key.public.to_str().unwrap()],
        &[("SSH_AUTH_SOCK", sock)],
    );
    agent.kill().unwrap();
    let _ = agent.wait();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let allowed = repo.allowed(&key.allowed("ada@example.com", ""));
    let (code, text) = repo.verify(&["--allowed-signers", &allowed]);
    assert_eq!(code, 0, "{text}");
}

/// Every way a row fails under allowed signers exits 1 and names the row's state.
#[test]
fn each_failing_row_is_named() {
    let repo = Repo::new();
    let ada = repo.key("ada", "ed25519");
    let bob = repo.key("bob", "ecdsa");
    let listed =
        format!("{}{}", ada.allowed("ada@example.com", ""), bob.allowed("bob@example.com", ""));
    let allowed = repo.allowed(&listed);
    let fails = |expected: &str| {
        let (code, text) = repo.verify(&["--allowed-signers", &allowed]);
        assert_eq!(code, 1, "{expected}: {text}");
        assert!(text.contains(expected), "{expected}: {text}");
    };

    // A row signed by a key the file does not list for its principal.
    let eve = repo.key("eve", "ed25519");
    repo.sign("a", &eve.private, &[]);
    fails(&format!("key not allowed for that principal: key {} is not listed", eve.fingerprint()));

    // A valid signature moved to another principal: listed with another key, or not at all.
    fs::remove_file(repo.root().join("readiness-signoff.toml")).unwrap();
    repo.sign("a", &ada.private, &[]);
    assert_eq!(repo.verify(&["--allowed-signers", &allowed]).0, 0);
    repo.edit_signoffs("reviewer = \"ada@example.com\"", "reviewer = \"bob@example.com\"");
    fails("bob@example.com");
    fails("key not allowed for that principal");
    repo.edit_signoffs("reviewer = \"bob@example.com\"", "reviewer = \"mallory@example.com\"");
    fails("unknown principal: no line of the allowed signers lists mallory@example.com");

    // The content changed and the row's fingerprint was edited to match: the signature
    // does not cover the edited row.
    fs::remove_file(repo.root().join("readiness-signoff.toml")).unwrap();
    repo.sign("a", &ada.private, &[]);
    let old = serde_json::to_string(&krate(&repo.report(&[]).0, "a")["fingerprint"]).unwrap();
    common::repo::write(&repo.root(), &[("a/src/lib.rs", "pub fn a() { /* changed */ }\n")]);
    let new = serde_json::to_string(&krate(&repo.report(&[]).0, "a")["fingerprint"]).unwrap();
    repo.edit_signoffs(&format!("fingerprint = {old}"), &format!("fingerprint = {new}"));
    fails("statement edited: the signature by key");

    // The version edited too.
    common::repo::write(&repo.root(), &[("a/Cargo.toml", &A.replace("0.1.0", "0.2.0"))]);
    let bumped = serde_json::to_string(&krate(&repo.report(&[]).0, "a")["fingerprint"]).unwrap();
    repo.edit_signoffs(&format!("fingerprint = {new}"), &format!("fingerprint = {bumped}"));
    repo.edit_signoffs("version = \"0.1.0\"", "version = \"0.2.0\"");
    fails("statement edited");

    // An unsigned row, as anyone can type it.
    fs::remove_file(repo.root().join("readiness-signoff.toml")).unwrap();
    let fingerprint = krate(&repo.report(&[]).0, "a")["fingerprint"].as_str().unwrap().to_owned();
    fs::write(
        repo.root().join("readiness-signoff.toml"),
        format!("[[signoff]]\nname = \"a\"\nversion = \"0.2.0\"\nfingerprint = \"{fingerprint}\"\nreviewer = \"ada@example.com\"\ndate = 2026-11-24\n"),
    )
    .unwrap();
    assert_eq!(repo.verify(&[]).0, 0, "without allowed signers it counts as today");
    let (_, text) = repo.verify(&[]);
    assert!(
        text.contains("unsigned: no signature") && text.contains("add --allowed-signers"),
        "{text}"
    );
    fails("unsigned: no signature, so it does not count with --allowed-signers");

    // An expired key, and one not valid yet.
    fs::remove_file(repo.root().join("readiness-signoff.toml")).unwrap();
    repo.sign("a", &ada.private, &[]);
    let expired = repo.allowed(&ada.allowed("ada@example.com", "valid-before=\"20200101\""));
    let (code, text) = repo.verify(&["--allowed-signers", &expired]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("key expired: key ") && text.contains("is valid before 20200101"),
        "{text}"
    );
    let later = repo.allowed(&ada.allowed("ada@example.com", "valid-after=\"29990101Z\""));
    let (code, text) = repo.verify(&["--allowed-signers", &later]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("key not yet valid"), "{text}");
    let other = repo.allowed(&ada.allowed("ada@example.com", "namespaces=\"git\""));
    let (code, text) = repo.verify(&["--allowed-signers", &other]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("bad namespace"), "{text}");
}

/// A blocked crate never passes `verify`, however well it is signed off.
#[test]
fn a_blocked_crate_never_passes() {
    let repo = Repo::new();
    let ada = repo.key("ada", "ed25519");
    repo.sign("b", &ada.private, &[]);
    let allowed = repo.allowed(&ada.allowed("ada@example.com", ""));
    let out = repo.run(&["verify", "-p", "b", "--allowed-signers", &allowed], &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("blocked") && text.contains("license-missing"), "{text}");
    assert!(text.contains("verified"), "the row itself verifies: {text}");
}

/// `required = 2` in the workspace needs two distinct reviewers; a pull request that
/// lowers it cannot beat `--required 2`.
#[test]
fn required_two_needs_two_reviewers() {
    let repo = Repo::new();
    common::repo::write(
        &repo.root(),
        &[(
            "Cargo.toml",
            &format!("{WORKSPACE}\n[workspace.metadata.readiness.signoff]\nrequired = 2\n"),
        )],
    );
    repo.commit("two reviewers");
    let ada = repo.key("ada", "ed25519");
    let bob = repo.key("bob", "ed25519");
    let allowed = repo.allowed(&format!(
        "{}{}",
        ada.allowed("ada@example.com", ""),
        bob.allowed("bob@example.com", "")
    ));
    repo.sign("a", &ada.private, &[]);
    repo.sign("a", &ada.private, &[]);
    let (code, text) = repo.verify(&["--allowed-signers", &allowed]);
    assert_eq!(code, 1, "one reviewer twice is one: {text}");
    assert!(text.contains("incomplete") && text.contains("(reviewers: 1 of 2 required)"), "{text}");
    repo.sign("a", &bob.private, &["--reviewer", "bob@example.com"]);
    assert_eq!(repo.verify(&["--allowed-signers", &allowed]).0, 0);

    common::repo::write(
        &repo.root(),
        &[(
            "Cargo.toml",
            &format!("{WORKSPACE}\n[workspace.metadata.readiness.signoff]\nrequired = 1\n"),
        )],
    );
    repo.edit_signoffs("reviewer = \"bob@example.com\"", "reviewer = \"ada@example.com\"");
    let (code, text) = repo.verify(&["--allowed-signers", &allowed, "--required", "2"]);
    assert_eq!(code, 1, "{text}");
    let (code, text) = repo.verify(&["--required", "0"]);
    assert_eq!(code, 2, "{text}");
}

/// Malformed allowed signers and signatures: one line naming the file and the line, exit 2.
#[test]
fn malformed_inputs_name_file_and_line() {
    let repo = Repo::new();
    let ada = repo.key("ada", "ed25519");
    let allowed = repo.allowed(&format!(
        "# reviewers\n{}ada@example.com cert-authority {}\n",
        ada.allowed("bob@x", ""),
        ada.public_line()
    ));
    let (code, text) = repo.verify(&["--allowed-signers", &allowed]);
    assert_eq!(code, 2, "{text}");
    assert_eq!(text.trim().lines().count(), 1, "{text}");
    assert!(
        text.contains(&format!("{allowed}:3: `cert-authority` lines are not supported")),
        "{text}"
    );

    repo.sign("a", &ada.private, &[]);
    repo.edit_signoffs("-----BEGIN SSH SIGNATURE-----\n", "-----BEGIN SSH SIGNATURE-----\nAAAA");
    let (code, text) = repo.verify(&[]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("readiness-signoff.toml:8: a: `signature` is not an armored SSH signature"),
        "{text}"
    );
    assert_eq!(text.trim().lines().count(), 1, "{text}");
}

/// The attack: a change to a crate, its new fingerprint copied into a row that
/// names a trusted maintainer. Against the baseline the row is "added in this change"
/// everywhere, and under allowed signers it does not count.
#[test]
fn a_self_approval_is_flagged_against_the_baseline() {
    let repo = Repo::new();
    repo.git(&["checkout", "-q", "-b", "change"]);
    common::repo::write(&repo.root(), &[("a/src/lib.rs", "pub fn a() { /* backdoor */ }\n")]);
    let fingerprint = krate(&repo.report(&[]).0, "a")["fingerprint"].as_str().unwrap().to_owned();
    fs::write(
        repo.root().join("readiness-signoff.toml"),
        format!("[[signoff]]\nname = \"a\"\nversion = \"0.1.0\"\nfingerprint = \"{fingerprint}\"\nreviewer = \"Trusted Maintainer\"\ndate = 2026-11-24\n"),
    )
    .unwrap();
    repo.commit("change a, sign it off");
    let (report, summary, page) = repo.report(&["--baseline", "main"]);
    let signoff = &krate(&report, "a")["signoff"];
    assert_eq!(signoff["new_since_baseline"], true);
    assert_eq!(signoff["rows"][0]["new_since_baseline"], true);
    assert_eq!(signoff["rows"][0]["state"], "unsigned");
    let summary = summary.replace('\\', "");
    assert!(
        summary.contains("| signed off by Trusted Maintainer (unsigned) ⚠️ added in this change |"),
        "{summary}"
    );
    assert!(page.contains("added in this change"));
    let (report, _, _) = repo.report(&[]);
    assert_eq!(krate(&report, "a")["signoff"]["new_since_baseline"], false, "only with --baseline");
    let ada = repo.key("ada", "ed25519");
    let allowed = repo.allowed(&ada.allowed("ada@example.com", ""));
    let (code, text) = repo.verify(&["--allowed-signers", &allowed]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("Trusted Maintainer 2026-11-24: unsigned"), "{text}");
}
