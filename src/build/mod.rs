//! `--verify`: each publishable crate built from its packaged archive, the way `cargo
//! publish` verifies a crate before uploading it, with cargo as the build engine; and its
//! documentation built with the docs.rs settings a stable toolchain can honour.
//!
//! The archive's files are written to a folder of the tool's cache (as cargo unpacks the
//! `.crate`), and `cargo build` runs on it from a neutral folder. Workspace members it
//! depends on resolve to their own packaged archives (a `[patch.crates-io]` per member
//! given on the command line), as cargo's multi-package publish resolves them to its local
//! overlay. Every crate shares one target folder, so a dependency compiled for one crate
//! (same version, same features) is reused by the next and by the next run, and a crate
//! whose archive, members and toolchain did not change is not built again: its verdict is
//! kept in the cache. Each crate is built as a dependency of a package of the tool's own
//! (`root.rs`), so that its dependents' builds find it compiled too.
//!
//! Crates of one wave of the publish plan are verified side by side, but cargo holds a
//! lock on the target folder for the whole of a build, so their compiles take turns; what
//! overlaps is cargo's set-up, and each crate's documentation (rustdoc runs beside the
//! compiler and the next crates' builds, [`Started::finish`] waits for it).
//! (One cargo call for several crates would unify their features, which cargo's own
//! verification does not; separate target folders compile the shared dependencies twice.)
//!
//! The documentation is built by rustdoc on the libraries the build compiled (`rustdoc.rs`),
//! not by `cargo doc`, which would compile every dependency once more; `cargo doc` remains
//! for what that cannot cover (a crate without a library, a library cargo doc skips, cfgs
//! docs.rs gives every compiler call).
//!
//! This runs the crate's build script and proc-macros, as `cargo publish` does: code from
//! the checkout. It is off by default.

mod docs_rs;
mod root;
mod rustdoc;

pub use rustdoc::wrapper_main;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::cache::BlobStore;
use crate::package::{Archive, Content};
use crate::workspace::{Member, Workspace, cargo_program};
use docs_rs::DocsRsSettings;

/// Lines of compiler output kept per failure.
const MAX_LINES: usize = 60;

/// What a build said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// `--verify` was not given (or the crate is not published).
    NotRun,
    Built,
    /// The compiler's errors, paths inside the archive (`<name>-<version>/src/lib.rs:3:5`).
    Failed(Vec<String>),
    /// It could not be tried here: why (dependencies not in cargo's cache offline, …).
    NotTried(String),
}

/// A crate's build and documentation build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub build: Verdict,
    pub doc: Verdict,
    /// The docs.rs settings the documentation build did not apply.
    pub doc_skipped: Vec<String>,
}

impl Verification {
    pub const NOT_RUN: Verification =
        Verification { build: Verdict::NotRun, doc: Verdict::NotRun, doc_skipped: Vec::new() };
}

/// Builds crates from their archives, in the publish plan's order.
pub struct Verifier<'a> {
    /// Unpacked archives, `<name>-<version>/`.
    sources: PathBuf,
    /// The packages each crate is built from, `<name>-<version>/` (see `root.rs`).
    roots: PathBuf,
    target: PathBuf,
    offline: bool,
    verdicts: &'a BlobStore,
    /// Members unpacked so far: name → (folder, fingerprint).
    unpacked: Mutex<BTreeMap<String, (PathBuf, String)>>,
    cargo_version: String,
    /// Whether each build is announced on standard error.
    announce: bool,
    /// This tool's binary, cargo's compiler wrapper for the documentation pass.
    wrapper: Option<PathBuf>,
    /// Holds the folders when there is no cache folder.
    _scratch: Option<tempfile::TempDir>,
}

impl<'a> Verifier<'a> {
    /// Keeps its folders below `root` (the cache's), or in a temporary folder.
    pub fn new(
        root: Option<&Path>,
        offline: bool,
        verdicts: &'a BlobStore,
    ) -> std::io::Result<Self> {
        let (root, scratch) = match root {
            Some(root) => (root.to_path_buf(), None),
            None => {
                let scratch = tempfile::tempdir()?;
                (scratch.path().to_path_buf(), Some(scratch))
            }
        };
        let neutral = tempfile::tempdir()?;
        let cargo_version = Command::new(cargo_program())
            .arg("-V")
            .current_dir(neutral.path())
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default();
        Ok(Verifier {
            sources: root.join("sources"),
            roots: root.join("roots"),
            target: root.join("target"),
            offline,
            verdicts,
            unpacked: Mutex::new(BTreeMap::new()),
            cargo_version,
            announce: false,
            wrapper: None,
            _scratch: scratch,
        })
    }

    /// Announces each build that runs (not the verdicts kept) on standard error.
    pub fn announcing(mut self, announce: bool) -> Self {
        self.announce = announce;
        self
    }

    /// Documents each library with rustdoc on what its build compiled, `wrapper` (this
    /// tool's binary, whose `main` starts with [`wrapper_main`]) wrapping the compiler.
    pub fn documenting_with(mut self, wrapper: Option<PathBuf>) -> Self {
        self.wrapper = wrapper;
        self
    }

    /// Unpacks `archive` and builds it, or takes the verdict kept for the same archive,
    /// members and toolchain; its documentation is left to run (see [`Started::finish`]),
    /// beside the builds of the crates that come next.
    pub fn start(
        &self,
        workspace: &Workspace,
        member: &Member,
        archive: &Archive,
    ) -> Started<'_, 'a> {
        let name = member.name();
        let version = member.package.version.to_string();
        let folder = format!("{name}-{version}");
        let dir = self.sources.join(&folder);
        // The members it depends on, each unpacked in an earlier wave of the plan.
        let needed = member_dependencies(workspace, member);
        let members: BTreeMap<String, (PathBuf, String)> = {
            let mut unpacked = self.unpacked.lock().unwrap_or_else(PoisonError::into_inner);
            unpacked.insert(name.to_owned(), (dir.clone(), archive.fingerprint.clone()));
            unpacked
                .iter()
                .filter(|(n, _)| needed.contains(*n))
                .map(|(n, v)| (n.clone(), v.clone()))
                .collect()
        };
        let key = self.key(name, archive, &members, member);
        let kept: Option<Verification> =
            self.verdicts.get(&key).and_then(|b| serde_json::from_slice(&b).ok());
        // A crate whose verdict is kept keeps its folder as it is, so the builds of crates
        // that depend on it find it unchanged; one to build is unpacked afresh, so that
        // cargo compiles (and documents) it.
        let stamp = self.sources.join(format!("{folder}.fingerprint"));
        if let Err(e) = unpack(archive, &dir, &stamp, kept.is_some()) {
            let why = format!("the archive could not be unpacked: {e}");
            return Started::done(Verification {
                build: Verdict::NotTried(why),
                ..Verification::NOT_RUN
            });
        }
        if let Some(kept) = kept {
            return Started::done(kept);
        }
        if self.announce {
            let name = crate::format::escape_terminal(name);
            eprintln!("{:>9} {name} {version} from its archive", "building");
        }
        let patches: Vec<String> = members
            .iter()
            .filter(|(other, _)| other.as_str() != name)
            .map(|(other, (path, _))| {
                let path = toml::Value::String(path.display().to_string());
                format!("patch.crates-io.{other}.path={path}")
            })
            .collect();
        let root = match root::write(&dir, &self.roots.join(&folder), name) {
            Ok(root) => root,
            Err(e) => {
                let why = format!("the package to build it from could not be written: {e}");
                return Started::done(Verification {
                    build: Verdict::NotTried(why),
                    ..Verification::NOT_RUN
                });
            }
        };
        let docs = DocsRsSettings::of(&member.package.metadata);
        let library = library_name(member);
        let pending = Pending { dir, folder, patches, docs, library, key };
        // Documented while it builds when docs.rs asks for nothing the build does not do.
        let document = pending.library.as_deref().filter(|_| pending.docs.is_default());
        let select = ["-p".to_owned(), format!("{name}@{version}")];
        let build = match &root {
            Some(root) => {
                Invocation { manifest: Some(root), args: &select, ..Invocation::new(&["build"]) }
            }
            None => Invocation::new(&["build"]),
        };
        let mut build = self.cargo(&pending, &Invocation { document, ..build });
        if build == Verdict::Built
            && let Some(changed) = modified(archive, &pending.dir)
        {
            // cargo refuses the upload too: "Source directory was modified by build.rs".
            build = Verdict::Failed(vec![format!(
                "the build changed the crate's own folder (a build script writing its output beside the sources, not in OUT_DIR): {changed}"
            )]);
        }
        if build != Verdict::Built {
            if let Some(library) = document {
                // rustdoc may have started before a later step failed: not left running.
                let _ = rustdoc::outcome(&self.deps(), library);
            }
            let verification = Verification { build, ..Verification::NOT_RUN };
            self.keep(&pending.key, &verification);
            return Started::done(verification);
        }
        Started(State::Documenting(self, pending))
    }

    /// The documentation's verdict of a crate that built: what rustdoc said while it built,
    /// or a documentation build now.
    fn document(&self, pending: Pending) -> Verification {
        let Pending { docs, library, .. } = &pending;
        let flags = !docs.rustflags.is_empty() || !docs.rustdocflags.is_empty();
        let outcome = match library {
            Some(library) if docs.is_default() => rustdoc::outcome(&self.deps(), library),
            // docs.rs's features: the library built with them (only what they change
            // compiles), then documented.
            Some(library) if !flags => {
                let with_features = Invocation {
                    args: &docs.cargo_args,
                    document: Some(library),
                    ..Invocation::new(&["build", "--lib"])
                };
                self.cargo(&pending, &with_features);
                rustdoc::outcome(&self.deps(), library)
            }
            // docs.rs's cfgs reach every compiler call: everything compiles again, and
            // `cargo doc` does it in check mode, the cheaper.
            _ => None,
        };
        let strip = |text: &str| self.strip(text, &pending);
        let doc = outcome.map(|outcome| rustdoc_verdict(&outcome, &strip)).unwrap_or_else(|| {
            let cargo_doc = Invocation {
                args: &docs.cargo_args,
                rustflags: &docs.rustflags,
                rustdocflags: &docs.rustdocflags,
                ..Invocation::new(&["doc", "--no-deps"])
            };
            self.cargo(&pending, &cargo_doc)
        });
        let verification =
            Verification { build: Verdict::Built, doc, doc_skipped: docs.left_out.clone() };
        self.keep(&pending.key, &verification);
        verification
    }

    /// Keeps a verdict for the next run (not one that could not be tried here).
    fn keep(&self, key: &str, verification: &Verification) {
        if !matches!(verification.build, Verdict::NotTried(_)) {
            self.verdicts.replace(key, &serde_json::to_vec(verification).expect("serializes"));
        }
    }

    /// cargo's folder of compiled units, where the wrapper leaves what rustdoc said.
    fn deps(&self) -> PathBuf {
        self.target.join("debug").join("deps")
    }

    /// Compiler output as the page shows it: paths inside the archive (`<name>-<version>/…`),
    /// the target folder as `target/`, no thread numbers (the same failure gives the same
    /// text), and secrets redacted.
    fn strip(&self, text: &str, pending: &Pending) -> String {
        static THREAD: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(r"thread '([^']*)' \(\d+\)").expect("valid")
        });
        // Every unpacked crate (this one, the members it builds with) by its folder name.
        let text = text
            .replace(&pending.dir.display().to_string(), &pending.folder)
            .replace(&format!("{}/", self.sources.display()), "")
            .replace(&self.target.display().to_string(), "target");
        let text = THREAD.replace_all(&text, "thread '$1'");
        // The compiler quotes source lines: a secret on one never reaches the page.
        crate::secrets::redact(&text).into_owned()
    }

    fn key(
        &self,
        name: &str,
        archive: &Archive,
        members: &BTreeMap<String, (PathBuf, String)>,
        member: &Member,
    ) -> String {
        let mut hasher = Sha256::new();
        hasher.update(format!("{}\n{}\n{}\n", self.cargo_version, self.offline, name));
        hasher.update(&archive.fingerprint);
        for (other, (_, fingerprint)) in members.iter().filter(|(other, _)| other.as_str() != name)
        {
            hasher.update(format!("\n{other} {fingerprint}"));
        }
        hasher.update(member.package.metadata.to_string());
        crate::package::archive::hex(&hasher.finalize())
    }

    /// Runs `cargo <command>` on the unpacked crate; the errors it printed, when it failed.
    /// With `document`, the wrapper documents the library as it compiles it (see
    /// [`rustdoc::outcome`]).
    fn cargo(&self, pending: &Pending, invocation: &Invocation) -> Verdict {
        let Invocation { command, manifest, args, rustflags, rustdocflags, document } = *invocation;
        let Pending { dir, patches, .. } = pending;
        let strip = |text: &str| self.strip(text, pending);
        let Ok(neutral) = tempfile::tempdir() else {
            return Verdict::NotTried("no temporary folder".into());
        };
        let mut cargo = Command::new(cargo_program());
        cargo.args(command).args(["--message-format", "json", "--manifest-path"]);
        cargo.arg(manifest.map_or_else(|| dir.join("Cargo.toml"), Path::to_path_buf));
        if self.offline {
            cargo.arg("--offline");
        }
        for patch in patches {
            cargo.arg("--config").arg(patch);
        }
        // Without debug information (no verdict depends on it, and it is a sixth of a cold
        // build) and without incremental state, for every package but a build's root: the
        // crate itself (a dependency of its package, see `root.rs`), the members patched in
        // (path dependencies, which cargo would compile incrementally; in cargo's own
        // verification they come from its local registry), and the others.
        for setting in ["debug=0", "incremental=false"] {
            cargo.arg("--config").arg(format!("profile.dev.package.\"*\".{setting}"));
        }
        cargo
            .args(args)
            .current_dir(neutral.path())
            .env("CARGO_TARGET_DIR", &self.target)
            .env("DOCS_RS", "1")
            .env("CARGO_ENCODED_RUSTFLAGS", rustflags.join("\x1f"))
            .env("CARGO_ENCODED_RUSTDOCFLAGS", rustdocflags.join("\x1f"))
            .env_remove("RUST_BACKTRACE")
            .env_remove("RUSTFLAGS")
            .env_remove("RUSTDOCFLAGS")
            .env_remove("RUSTC_WORKSPACE_WRAPPER")
            .env_remove(rustdoc::DOCUMENT_VARIABLE);
        // Every build has the same wrapper (one compiled unit serves every build), and it
        // documents only when asked.
        let document = document.filter(|_| self.wrapper.is_some());
        if let Some(wrapper) = &self.wrapper {
            cargo.env("RUSTC_WRAPPER", wrapper);
            cargo.env(rustdoc::DOCUMENT_VARIABLE, if document.is_some() { "1" } else { "0" });
        }
        if let Some(library) = document {
            rustdoc::clear(&self.deps(), library);
        }
        let output = match cargo.output() {
            Ok(output) => output,
            Err(e) => return Verdict::NotTried(format!("cargo could not be started: {e}")),
        };
        if output.status.success() {
            return Verdict::Built;
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("offline mode") || stderr.contains("failed to download") {
            return Verdict::NotTried(
                "its dependencies are not all in cargo's local cache, and the build runs offline: run `cargo fetch` in the workspace, or add --online".into(),
            );
        }
        let mut messages: Vec<String> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|m| m["reason"] == "compiler-message")
            .filter_map(|m| error(&m["message"], &strip))
            .collect();
        // A build script's failure, and cargo's own refusals, are not compiler messages.
        let from_cargo = stderr
            .lines()
            .skip_while(|line| !line.starts_with("error"))
            .filter(|line| !line.starts_with("warning:"))
            .map(&strip)
            .collect::<Vec<_>>()
            .join("\n");
        if !from_cargo.trim().is_empty() {
            messages.push(from_cargo.trim_end().to_owned());
        }
        failed(&messages)
    }
}

/// One cargo run on an unpacked crate.
#[derive(Clone, Copy)]
struct Invocation<'a> {
    command: &'a [&'a str],
    /// The package built from (see `root.rs`), when it is not the crate's own manifest.
    manifest: Option<&'a Path>,
    /// After the command (docs.rs's feature flags).
    args: &'a [String],
    /// Given to every compiler call, and to rustdoc (docs.rs's cfgs).
    rustflags: &'a [String],
    rustdocflags: &'a [String],
    /// The library the wrapper documents when it compiles it (its crate name).
    document: Option<&'a str>,
}

impl<'a> Invocation<'a> {
    fn new(command: &'a [&'a str]) -> Self {
        Invocation {
            command,
            manifest: None,
            args: &[],
            rustflags: &[],
            rustdocflags: &[],
            document: None,
        }
    }
}

/// A crate that built, its documentation's verdict still to come.
struct Pending {
    /// The unpacked archive, `<name>-<version>/` (its folder name).
    dir: PathBuf,
    folder: String,
    /// `--config patch.crates-io…` for the members it builds with.
    patches: Vec<String>,
    docs: DocsRsSettings,
    /// Its library's crate name, if it has one to document.
    library: Option<String>,
    /// Where the verdict is kept.
    key: String,
}

/// A verification under way.
pub struct Started<'v, 'a>(State<'v, 'a>);

enum State<'v, 'a> {
    Done(Verification),
    /// Built; its documentation to wait for, or to build.
    Documenting(&'v Verifier<'a>, Pending),
}

impl Started<'_, '_> {
    fn done(verification: Verification) -> Self {
        Started(State::Done(verification))
    }

    /// No verification (`--verify` not given, the crate not published).
    pub fn not_run() -> Self {
        Started::done(Verification::NOT_RUN)
    }

    /// The whole verdict, once the documentation is done (waiting for it, or building it).
    pub fn finish(self) -> Verification {
        match self.0 {
            State::Done(verification) => verification,
            State::Documenting(verifier, pending) => verifier.document(pending),
        }
    }
}

/// A compiler diagnostic (JSON) as shown, when it is an error.
fn error(diagnostic: &serde_json::Value, strip: &dyn Fn(&str) -> String) -> Option<String> {
    let rendered = diagnostic["rendered"].as_str().filter(|_| diagnostic["level"] == "error")?;
    Some(strip(rendered.trim_end()))
}

/// A failure with these messages, cut to [`MAX_LINES`] lines.
fn failed(messages: &[String]) -> Verdict {
    let mut lines: Vec<String> = messages.join("\n").lines().map(str::to_owned).collect();
    if lines.len() > MAX_LINES {
        let more = lines.len() - MAX_LINES;
        lines.truncate(MAX_LINES);
        lines.push(format!("… {more} more lines"));
    }
    Verdict::Failed(vec![lines.join("\n")])
}

/// The documentation build's verdict from what rustdoc said (a line that is no diagnostic,
/// a crash, is kept as written).
fn rustdoc_verdict(outcome: &rustdoc::Outcome, strip: &dyn Fn(&str) -> String) -> Verdict {
    if outcome.success {
        return Verdict::Built;
    }
    let messages: Vec<String> = outcome
        .stderr
        .lines()
        .filter_map(|line| match serde_json::from_str::<serde_json::Value>(line) {
            Ok(diagnostic) => error(&diagnostic, strip),
            Err(_) => Some(strip(line)),
        })
        .collect();
    failed(&messages)
}

/// The crate name of the library `cargo doc` documents, if the crate has one (docs.rs
/// documents libraries only).
fn library_name(member: &Member) -> Option<String> {
    let target = member.library()?;
    target.doc.then(|| target.name.replace('-', "_"))
}

/// The publishable workspace members `member` depends on, directly or through others
/// (dev-dependencies too: cargo resolves them for the package it verifies).
fn member_dependencies(workspace: &Workspace, member: &Member) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut queue = vec![member];
    while let Some(next) = queue.pop() {
        for dependency in &next.package.dependencies {
            if let Some(other) = workspace.member(&dependency.name)
                && other.publish
                && other.name() != member.name()
                && found.insert(other.name().to_owned())
            {
                queue.push(other);
            }
        }
    }
    found
}

/// The files the build added, removed or changed below `dir`, if any, as a list.
fn modified(archive: &Archive, dir: &Path) -> Option<String> {
    let mut expected: BTreeMap<&Path, &crate::package::ArchiveFile> =
        archive.files.iter().map(|f| (f.path.as_path(), f)).collect();
    let mut changes = Vec::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().filter_map(Result::ok) {
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(dir) else { continue };
        match expected.remove(relative) {
            None => changes.push(format!("{} added", relative.display())),
            Some(packaged) if !same_content(packaged, entry.path()) => {
                changes.push(format!("{} changed", relative.display()))
            }
            Some(_) => {}
        }
    }
    // Cargo.lock is rewritten when a member is patched in: not the build's doing.
    expected.remove(Path::new("Cargo.lock"));
    changes.extend(expected.keys().map(|p| format!("{} removed", p.display())));
    changes.retain(|c| !c.starts_with("Cargo.lock "));
    (!changes.is_empty()).then(|| changes.join(", "))
}

/// Whether the file at `path` holds exactly the packaged file's bytes.
fn same_content(packaged: &crate::package::ArchiveFile, path: &Path) -> bool {
    let Ok(unpacked) = std::fs::read(path) else { return false };
    if unpacked.len() as u64 != packaged.size {
        return false;
    }
    match &packaged.content {
        Content::Bytes(bytes) => *bytes == unpacked,
        Content::File(source) => crate::paths::open_regular(source)
            .and_then(|file| {
                let mut bytes = Vec::with_capacity(unpacked.len());
                std::io::Read::read_to_end(
                    &mut std::io::Read::take(file, packaged.size),
                    &mut bytes,
                )?;
                Ok(bytes == unpacked)
            })
            .unwrap_or(false),
    }
}

/// Writes the archive's files below `dir`, as cargo unpacks a `.crate` (a fresh folder).
/// With `keep`, a folder that holds this very archive already (its fingerprint in `stamp`,
/// every file as packaged) is left as it is.
fn unpack(archive: &Archive, dir: &Path, stamp: &Path, keep: bool) -> std::io::Result<()> {
    let same = || std::fs::read_to_string(stamp).is_ok_and(|kept| kept == archive.fingerprint);
    if keep && dir.is_dir() && same() && modified(archive, dir).is_none() {
        return Ok(());
    }
    let _ = std::fs::remove_file(stamp);
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    for file in &archive.files {
        let path = crate::paths::join_inside(dir, &file.path)
            .ok_or_else(|| std::io::Error::other(format!("{}: outside", file.path.display())))?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        match &file.content {
            Content::Bytes(bytes) => std::fs::write(&path, bytes)?,
            Content::File(source) => {
                let mut from = crate::paths::open_regular(source)?;
                let mut to = std::fs::File::create(&path)?;
                std::io::copy(&mut std::io::Read::take(&mut from, file.size), &mut to)?;
            }
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = if file.executable { 0o755 } else { 0o644 };
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))?;
        }
    }
    std::fs::write(stamp, &archive.fingerprint)
}
