//! The build check (`--build`): each publishable crate built from its packaged archive, the
//! way `cargo publish` verifies a crate before uploading it, with cargo as the build engine;
//! and its documentation built with the docs.rs settings a stable toolchain can honour.
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
//! cargo holds a lock on the target folder for the whole of a build, so builds take turns.
//! Crates whose builds compile alike are first built in one cargo call (`group.rs`), which
//! keeps both cores busy where one crate's build alone does not; each crate's own build
//! then gives its verdict (one call unifies features, which cargo's own verification of a
//! crate does not). Each crate's documentation runs beside its compiler and the next
//! builds ([`Started::finish`] waits for it).
//!
//! The documentation is built by rustdoc on the libraries the build compiled (`rustdoc.rs`),
//! not by `cargo doc`, which would compile every dependency once more; `cargo doc` remains
//! for what that cannot cover (a crate without a library, a library cargo doc skips, cfgs
//! docs.rs gives every compiler call).
//!
//! This runs the crate's build script and proc-macros, as `cargo publish` does: code from
//! the checkout. It is off by default.

pub mod api;
mod cargo;
mod docs_rs;
mod group;
mod root;
mod rustdoc;
mod semver_checks;
mod unpack;

pub use rustdoc::wrapper_main;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::base::cache::BlobStore;
use crate::package::Archive;
use crate::workspace::{Member, Workspace, cargo_program};
use cargo::{Invocation, error, failed};
use docs_rs::DocsRsSettings;
use unpack::{modified, unpack};

/// Lines of compiler output kept per failure.
const MAX_LINES: usize = 60;

/// What a build said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// `--build` was not given (or the crate is not published).
    NotRun,
    Built,
    /// The compiler's errors, paths inside the archive (`<name>-<version>/src/lib.rs:3:5`).
    Failed(Vec<String>),
    /// It could not be tried here: why (dependencies not in cargo's cache offline, …).
    NotTried(String),
}

/// A crate's build and documentation build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildOutcome {
    pub build: Verdict,
    pub doc: Verdict,
    /// The docs.rs settings the documentation build did not apply.
    pub doc_skipped: Vec<String>,
}

impl BuildOutcome {
    pub const NOT_RUN: BuildOutcome =
        BuildOutcome { build: Verdict::NotRun, doc: Verdict::NotRun, doc_skipped: Vec::new() };
}

/// Builds crates from their archives, in the publish plan's order.
pub struct Builder<'a> {
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
    /// This tool's binary, cargo's compiler wrapper for the documentation pass.
    wrapper: Option<PathBuf>,
    /// Where the API pass documents archives as rustdoc JSON (see `api.rs`).
    api: PathBuf,
    /// The tool that compares two APIs, or why there is none.
    api_tool: Result<api::SemverChecks, String>,
    /// Holds the folders when there is no cache folder.
    _scratch: Option<tempfile::TempDir>,
}

impl<'a> Builder<'a> {
    /// Keeps its folders below `root` (the cache's), or in a temporary folder.
    pub fn new(
        root: Option<&Path>,
        offline: bool,
        verdicts: &'a BlobStore,
    ) -> std::io::Result<Self> {
        let (root, scratch) = match root {
            // Absolute, as cargo names the crates it compiles (see
            // `rustdoc::compiled_library`).
            Some(root) => (std::path::absolute(root)?, None),
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
        Ok(Builder {
            sources: root.join("sources"),
            roots: root.join("roots"),
            target: root.join("target"),
            offline,
            verdicts,
            unpacked: Mutex::new(BTreeMap::new()),
            cargo_version,
            wrapper: None,
            api: root.join("api"),
            api_tool: Err(api::NOT_INSTALLED.to_owned()),
            _scratch: scratch,
        })
    }

    /// Documents each library with rustdoc on what its build compiled, `wrapper` (this
    /// tool's binary, whose `main` starts with [`wrapper_main`]) wrapping the compiler.
    pub fn documenting_with(mut self, wrapper: Option<PathBuf>) -> Self {
        self.wrapper = wrapper;
        self
    }

    /// Unpacks `archive`, and takes the verdict kept for the same archive, members and
    /// toolchain, or readies its build (see [`Builder::build`]).
    pub fn prepare(&self, workspace: &Workspace, member: &Member, archive: &Archive) -> Prepared {
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
        let kept: Option<BuildOutcome> =
            self.verdicts.get(&key).and_then(|b| serde_json::from_slice(&b).ok());
        // A crate whose verdict is kept keeps its folder as it is, so the builds of crates
        // that depend on it find it unchanged; one to build is unpacked afresh, so that
        // cargo compiles (and documents) it.
        let stamp = self.sources.join(format!("{folder}.fingerprint"));
        let not_tried = |why: String| {
            Prepared(Step::Done(BuildOutcome {
                build: Verdict::NotTried(why),
                ..BuildOutcome::NOT_RUN
            }))
        };
        if let Err(e) = unpack(archive, &dir, &stamp, kept.is_some()) {
            return not_tried(format!("the archive could not be unpacked: {e}"));
        }
        if let Some(kept) = kept {
            return Prepared(Step::Done(kept));
        }
        let root = match root::write(&dir, &self.roots.join(&folder), name) {
            Ok(root) => root,
            Err(e) => {
                return not_tried(format!(
                    "the package to build it from could not be written: {e}"
                ));
            }
        };
        let patches: Vec<String> = members
            .iter()
            .filter(|(other, _)| other.as_str() != name)
            .map(|(other, (path, _))| {
                let path = toml::Value::String(path.display().to_string());
                format!("patch.crates-io.{other}.path={path}")
            })
            .collect();
        let docs = DocsRsSettings::of(&member.package.metadata);
        let library = library_name(member);
        let pending = Pending { dir, folder, patches, docs, library, key };
        let members = members
            .into_iter()
            .filter(|(other, _)| other != name)
            .map(|(other, (dir, _))| (other, dir))
            .collect();
        Prepared(Step::Build(Box::new(Job {
            name: name.to_owned(),
            version,
            pending,
            root,
            needs: needed,
            members,
        })))
    }

    /// Builds the crates prepared (in the publish plan's order), and returns each one's
    /// build under way, in the same order. Crates whose builds would compile every
    /// package they share alike (their dependencies' features, their profiles) are first
    /// built together, in one cargo call (see `group.rs`); each crate's own build then
    /// gives its verdict, finding compiled what the two have in common. `building` is told
    /// the crates (`name version`) each compile is for, as it starts.
    pub fn build<'v>(
        &'v self,
        crates: Vec<(&Archive, Prepared)>,
        building: &dyn Fn(&[&str]),
    ) -> Vec<Started<'v, 'a>> {
        let jobs: Vec<(&Archive, &Job)> = crates
            .iter()
            .filter_map(|(archive, prepared)| match &prepared.0 {
                Step::Build(job) => Some((*archive, &**job)),
                _ => None,
            })
            .collect();
        let features: Vec<Option<group::Features>> = if jobs.len() > 1 {
            jobs.par_iter().map(|(_, job)| self.features(job)).collect()
        } else {
            vec![None; jobs.len()]
        };
        let candidates: Vec<group::Candidate> = jobs
            .iter()
            .zip(&features)
            .map(|((_, job), features)| group::Candidate {
                name: &job.name,
                needs: &job.needs,
                settings: job.root.as_ref().map(|root| root.settings.as_str()),
                features: features.as_ref(),
            })
            .collect();
        let mut verdicts: Vec<Option<Started<'v, 'a>>> = Vec::with_capacity(jobs.len());
        verdicts.resize_with(jobs.len(), || None);
        for group in group::plan(&candidates) {
            let members: Vec<&Job> = group.iter().map(|&i| jobs[i].1).collect();
            let shown: Vec<String> =
                members.iter().map(|job| format!("{} {}", job.name, job.version)).collect();
            building(&shown.iter().map(String::as_str).collect::<Vec<_>>());
            let together = members.len() > 1 && self.build_together(&members);
            for &i in &group {
                let (archive, job) = jobs[i];
                verdicts[i] = Some(self.build_one(archive, job, !together));
            }
        }
        let mut verdicts = verdicts.into_iter().map(|v| v.expect("every job is in a group"));
        crates
            .into_iter()
            .map(|(_, prepared)| match prepared.0 {
                Step::Done(outcome) => Started::done(outcome),
                Step::Build(_) => verdicts.next().expect("one verdict per job"),
            })
            .collect()
    }

    /// The crate's own build: its verdict, and its documentation under way. `first` when
    /// no build before it (of its group) documented it this run.
    fn build_one<'v>(&'v self, archive: &Archive, job: &Job, first: bool) -> Started<'v, 'a> {
        let pending = job.pending.clone();
        // Documented while it builds when docs.rs asks for nothing the build does not do.
        let document = pending.library.as_deref().filter(|_| pending.docs.is_default());
        if let Some(library) = document.filter(|_| first) {
            rustdoc::clear(&self.deps(), library);
        }
        let select = ["-p".to_owned(), job.spec()];
        let own = pending.dir.join("Cargo.toml");
        let build = match &job.root {
            Some(root) => Invocation {
                manifest: &root.manifest,
                args: &select,
                ..Invocation::new(&["build"], &own)
            },
            None => Invocation::new(&["build"], &own),
        };
        let ran = self.cargo(
            &Invocation { document: document.is_some(), ..build },
            &pending.patches,
            &|t| self.strip(t, &pending),
        );
        let mut verdict = ran.verdict;
        if verdict == Verdict::Built
            && let Some(changed) = modified(archive, &pending.dir)
        {
            // cargo refuses the upload too: "Source directory was modified by build.rs".
            verdict = Verdict::Failed(vec![format!(
                "the build changed the crate's own folder (a build script writing its output beside the sources, not in OUT_DIR): {changed}"
            )]);
        }
        if verdict != Verdict::Built {
            if let Some(library) = document {
                // rustdoc may have started before a later step failed: not left running.
                rustdoc::settle(&self.deps(), library);
            }
            let outcome = BuildOutcome { build: verdict, ..BuildOutcome::NOT_RUN };
            self.keep(&pending.key, &outcome);
            return Started::done(outcome);
        }
        let stem =
            document.and_then(|_| rustdoc::compiled_library(&ran.stdout, &own, &self.deps()));
        Started(State::Documenting(self, pending, stem))
    }

    /// One cargo call for the crates of a group (its verdict is not theirs: each crate's
    /// own build follows), their libraries documented as they compile; whether it ran.
    fn build_together(&self, jobs: &[&Job]) -> bool {
        let crates: Vec<(&str, &Path)> =
            jobs.iter().map(|job| (job.name.as_str(), job.pending.dir.as_path())).collect();
        let folder = format!("group-{}", jobs[0].pending.folder);
        let Ok(Some(manifest)) = root::write_group(&self.roots.join(folder), &crates) else {
            return false;
        };
        for library in jobs.iter().filter_map(|job| job.pending.library.as_deref()) {
            rustdoc::clear(&self.deps(), library);
        }
        let mut args = vec!["--keep-going".to_owned()];
        for job in jobs {
            args.extend(["-p".to_owned(), job.spec()]);
        }
        let patches: BTreeSet<&String> = jobs.iter().flat_map(|job| &job.pending.patches).collect();
        let patches: Vec<String> = patches.into_iter().cloned().collect();
        let build =
            Invocation { args: &args, document: true, ..Invocation::new(&["build"], &manifest) };
        self.cargo(&build, &patches, &|text| text.to_owned());
        true
    }

    /// What each package in the crate's build is compiled with (`cargo tree`), for
    /// grouping; `None` when it cannot be told (the crate is then built alone). Kept in
    /// the cache by what decides it (the manifests and locks, not the sources).
    fn features(&self, job: &Job) -> Option<group::Features> {
        let root = job.root.as_ref()?;
        let mut hasher = Sha256::new();
        hasher.update(format!("features\n{}\n{}\n", self.cargo_version, self.offline));
        hasher.update(std::fs::read(&root.manifest).unwrap_or_default());
        // The lock's versions (not the checksums, which change with a member's sources).
        let lock = std::fs::read_to_string(root.manifest.with_file_name("Cargo.lock"));
        for line in lock.unwrap_or_default().lines().filter(|l| !l.starts_with("checksum")) {
            hasher.update(line);
        }
        for patch in &job.pending.patches {
            hasher.update(patch);
        }
        for dir in std::iter::once(&job.pending.dir).chain(job.members.values()) {
            hasher.update(std::fs::read(dir.join("Cargo.toml")).unwrap_or_default());
        }
        let key = crate::base::format::hex(&hasher.finalize());
        if let Some(kept) = self.verdicts.get(&key) {
            return Some(group::features(&String::from_utf8_lossy(&kept)));
        }
        let args = ["-e", "normal,build", "--prefix", "none", "--format", "{p}|{f}", "-p"]
            .map(str::to_owned);
        let args: Vec<String> = args.into_iter().chain([job.spec()]).collect();
        let tree =
            Invocation { args: &args, json: false, ..Invocation::new(&["tree"], &root.manifest) };
        let ran = self.cargo(&tree, &job.pending.patches, &|text| text.to_owned());
        (ran.verdict == Verdict::Built).then(|| {
            self.verdicts.replace(&key, ran.stdout.as_bytes());
            group::features(&ran.stdout)
        })
    }

    /// The documentation's verdict of a crate that built: what rustdoc said while it built,
    /// or a documentation build now.
    fn document(&self, pending: Pending, stem: Option<PathBuf>) -> BuildOutcome {
        let Pending { docs, library, .. } = &pending;
        let flags = !docs.rustflags.is_empty() || !docs.rustdocflags.is_empty();
        let strip = |text: &str| self.strip(text, &pending);
        let own = pending.dir.join("Cargo.toml");
        let outcome = match library {
            Some(_) if docs.is_default() => stem.as_deref().and_then(rustdoc::outcome),
            // docs.rs's features: the library built with them (only what they change
            // compiles), then documented.
            Some(library) if !flags => {
                rustdoc::clear(&self.deps(), library);
                let with_features = Invocation {
                    args: &docs.cargo_args,
                    document: true,
                    ..Invocation::new(&["build", "--lib"], &own)
                };
                let ran = self.cargo(&with_features, &pending.patches, &strip);
                rustdoc::compiled_library(&ran.stdout, &own, &self.deps())
                    .as_deref()
                    .and_then(rustdoc::outcome)
            }
            // docs.rs's cfgs reach every compiler call: everything compiles again, and
            // `cargo doc` does it in check mode, the cheaper.
            _ => None,
        };
        let doc = outcome.map(|outcome| rustdoc_verdict(&outcome, &strip)).unwrap_or_else(|| {
            let cargo_doc = Invocation {
                args: &docs.cargo_args,
                rustflags: &docs.rustflags,
                rustdocflags: &docs.rustdocflags,
                ..Invocation::new(&["doc", "--no-deps"], &own)
            };
            self.cargo(&cargo_doc, &pending.patches, &strip).verdict
        });
        let built = BuildOutcome { build: Verdict::Built, doc, doc_skipped: docs.left_out.clone() };
        self.keep(&pending.key, &built);
        built
    }

    /// Keeps a verdict for the next run (not one that could not be tried here).
    fn keep(&self, key: &str, outcome: &BuildOutcome) {
        if !matches!(outcome.build, Verdict::NotTried(_)) {
            self.verdicts.replace(key, &serde_json::to_vec(outcome).expect("serializes"));
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
        crate::base::secrets::redact(&text).into_owned()
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
        crate::base::format::hex(&hasher.finalize())
    }
}

/// A crate prepared for `--build`: its verdict, or its build to run.
pub struct Prepared(Step);

impl Prepared {
    /// No build (`--build` not given, the crate not published).
    pub fn not_run() -> Self {
        Prepared(Step::Done(BuildOutcome::NOT_RUN))
    }
}

enum Step {
    Done(BuildOutcome),
    Build(Box<Job>),
}

/// A crate to build.
struct Job {
    name: String,
    version: String,
    pending: Pending,
    /// The package it is built from; `None`: the crate is its build's root.
    root: Option<root::Root>,
    /// The members it depends on.
    needs: BTreeSet<String>,
    /// Their unpacked folders.
    members: BTreeMap<String, PathBuf>,
}

impl Job {
    /// `<name>@<version>`, as `-p` selects it.
    fn spec(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }
}

/// A crate that built, its documentation's verdict still to come.
#[derive(Clone)]
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

/// A build under way.
pub struct Started<'v, 'a>(State<'v, 'a>);

enum State<'v, 'a> {
    Done(BuildOutcome),
    /// Built; its documentation to wait for (its library compiled as this stem, when the
    /// build documented it), or to build.
    Documenting(&'v Builder<'a>, Pending, Option<PathBuf>),
}

impl Started<'_, '_> {
    fn done(outcome: BuildOutcome) -> Self {
        Started(State::Done(outcome))
    }

    /// No build (`--build` not given, the crate not published).
    pub fn not_run() -> Self {
        Started::done(BuildOutcome::NOT_RUN)
    }

    /// The whole verdict, once the documentation is done (waiting for it, or building it).
    pub fn finish(self) -> BuildOutcome {
        match self.0 {
            State::Done(outcome) => outcome,
            State::Documenting(builder, pending, stem) => builder.document(pending, stem),
        }
    }
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
