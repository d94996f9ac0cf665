//! Each crate compared with itself at a git revision: `--baseline REV|auto` (what changed
//! since the last release) and `verify` (what changed since the signed-off commit). The
//! revision is checked out from git's objects into a throwaway folder ([`crate::review::revision`])
//! and packaged by the same stages as the work tree; [`crate::package::diff`] compares the two.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::base::cache::Caches;
use crate::base::error::Error;
use crate::package::diff::compat::Change;
use crate::package::diff::{Compared, Earlier, Side};
pub use crate::package::diff::{Comparison, Status};
use crate::review::revision::{self, Checkout};
use crate::review::tags;
use crate::workspace::Workspace;

/// `--baseline`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    /// A tag, branch or commit, for every crate.
    Rev(String),
    /// Each crate's latest release tag.
    Auto,
}

impl Spec {
    /// `auto`, or a revision the user named: one that does not resolve in the repository of
    /// `workspace` is an error naming `--baseline`, before anything is packaged.
    pub fn parse(text: &str, workspace: &Workspace) -> Result<Spec, Error> {
        match text {
            "auto" => Ok(Spec::Auto),
            rev => match revision::resolve(workspace.confinement.root(), rev) {
                Ok(_) => Ok(Spec::Rev(rev.to_owned())),
                Err(why) => Err(Error::Baseline { rev: rev.to_owned(), message: why.to_string() }),
            },
        }
    }
}

impl Spec {
    /// Whether what each crate is compared with is a release tag: always with `auto` (a
    /// crate without a tag is new), and for a revision named as a tag of the repository.
    pub fn is_tag(&self, workspace: &Workspace) -> bool {
        match self {
            Spec::Auto => true,
            Spec::Rev(rev) => {
                let name = rev.strip_prefix("refs/tags/").unwrap_or(rev);
                revision::tags(workspace.confinement.root()).iter().any(|tag| tag.name == name)
            }
        }
    }
}

/// One crate to compare: its name, version and archive now, and the revision to compare
/// with (`None`: no revision applies, the crate is new).
pub struct Request {
    pub name: String,
    pub now: Side,
    pub rev: Option<String>,
    /// Keep the archive at the revision (a `.crate`), for the version verdict's API
    /// comparison: the crate is then packaged at the revision even when its comparison is
    /// kept in the cache.
    pub archive: bool,
}

/// What the comparison cache keeps of a crate compared with a revision.
#[derive(serde::Serialize, serde::Deserialize)]
struct Kept {
    comparison: Comparison,
    changes: Option<Vec<Change>>,
}

/// The revision each crate is compared with under `spec`; `None` where `auto` finds no tag
/// ([`tags::release_tag`]: a bare `v1.2.3` only in a single-crate repository or where the
/// tag's tree holds the crate at that version).
pub fn revisions<'a>(
    workspace: &Workspace,
    crates: impl IntoIterator<Item = (&'a str, &'a semver::Version)>,
    spec: &Spec,
) -> Vec<(&'a str, Option<String>)> {
    let repository = workspace.confinement.root();
    let all_tags = match spec {
        Spec::Auto => revision::tags(repository),
        Spec::Rev(_) => Vec::new(),
    };
    let trees = tags::TagTrees::open(repository);
    // The workspace's folder in the repository, as git names paths (`/`, none for the root).
    let folder = std::fs::canonicalize(&workspace.root)
        .ok()
        .and_then(|root| root.strip_prefix(repository).ok().map(crate::base::format::slash_path))
        .map(|folder| if folder.is_empty() { folder } else { format!("{folder}/") });
    let single = workspace.members.iter().filter(|m| m.publish).count() == 1;
    crates
        .into_iter()
        .map(|(name, version)| {
            let rev = match spec {
                Spec::Rev(rev) => Some(rev.clone()),
                Spec::Auto => tags::release_tag(&all_tags, name, version, |tag, released| {
                    let (Some(folder), Some(member)) = (&folder, workspace.member(name)) else {
                        return single;
                    };
                    let manifest = format!("{folder}{}", member.manifest_rel);
                    let root = format!("{folder}Cargo.toml");
                    single
                        || trees.version_at(&tag.commit, &manifest, &root, name).as_ref()
                            == Some(released)
                })
                .map(|t| t.name.clone()),
            };
            (name, rev)
        })
        .collect()
}

/// One line per compared crate, for the terminal: which revision it was compared with and
/// what came of it (`a 0.2.0: compared with a-v0.1.0 (1a2b3c4d5e6f): changed`).
pub fn compared_lines(compared: &BTreeMap<String, Compared>) -> Vec<String> {
    compared
        .iter()
        .map(|(name, compared)| (name, &compared.comparison))
        // Those not compared get a warning that says why.
        .filter(|(_, comparison)| comparison.status != Status::NotCompared)
        .map(|(name, comparison)| {
            let with = match (&comparison.rev, &comparison.commit) {
                (Some(rev), Some(commit)) => {
                    format!("compared with {rev} ({})", crate::base::format::short_hash(commit))
                }
                (Some(rev), None) => format!("compared with {rev}"),
                (None, _) => "no release tag found".to_owned(),
            };
            format!("{name}: {with}: {}", comparison.status.as_str())
        })
        .collect()
}

/// Compares each requested crate with its archive at its revision. Each revision is
/// checked out once. A revision that does not resolve (a sign-off's `commit` this clone
/// does not hold), whose tree is refused ([`revision::Unreadable`]) or whose workspace
/// cannot be loaded leaves its crates "not compared", with the reason.
pub fn compare(
    workspace: &Workspace,
    requests: Vec<Request>,
    caches: &Caches,
) -> BTreeMap<String, Compared> {
    let repository = workspace.confinement.root();
    let mut by_commit: BTreeMap<String, Vec<(Request, String, String)>> = BTreeMap::new();
    let mut compared = BTreeMap::new();
    let mut commits: BTreeMap<String, Result<String, String>> = BTreeMap::new();
    for request in requests {
        let Some(rev) = request.rev.clone() else {
            let reason = "no release tag found (<name>-v<version>, <name>-<version>, <name>@<version>, <name>/v<version>, or a v<version> or <version> tag whose tree has the crate at that version)";
            let comparison = Comparison::without(None, None, Status::New, reason.into());
            compared.insert(request.name.clone(), Compared::without(comparison));
            continue;
        };
        let commit = commits
            .entry(rev.clone())
            .or_insert_with(|| revision::resolve(repository, &rev).map_err(|e| e.to_string()));
        let commit = match commit {
            Ok(commit) => commit.clone(),
            Err(why) => {
                let comparison = Comparison { rev: Some(rev), ..not_compared(why) };
                compared.insert(request.name.clone(), Compared::without(comparison));
                continue;
            }
        };
        let key = cache_key(&commit, &request);
        let kept = match request.archive {
            true => None,
            false => caches.comparisons.get(&key).and_then(|b| serde_json::from_slice(&b).ok()),
        };
        match kept {
            Some(Kept { comparison, changes }) => {
                let comparison = Comparison { rev: Some(rev), commit: Some(commit), ..comparison };
                let earlier = changes.map(|changes| Earlier { changes, archive: None });
                compared.insert(request.name.clone(), Compared { comparison, earlier });
            }
            None => by_commit.entry(commit).or_default().push((request, rev, key)),
        }
    }
    let relative = std::fs::canonicalize(&workspace.root)
        .ok()
        .and_then(|root| root.strip_prefix(repository).ok().map(Path::to_path_buf))
        .unwrap_or_default();
    let mut fresh = Vec::new();
    for (commit, requests) in by_commit {
        let limits = &revision::Limits::DEFAULT;
        let results = match revision::checkout(repository, &commit, caches.checkouts(), limits) {
            Ok(checkout) => compare_at(&checkout, &relative, &requests, caches),
            Err(why) => {
                let why = why.to_string();
                requests.iter().map(|_| Compared::without(not_compared(&why))).collect()
            }
        };
        for ((request, rev, key), mut result) in requests.iter().zip(results) {
            result.comparison.rev = Some(rev.clone());
            result.comparison.commit = Some(commit.clone());
            if result.comparison.status != Status::NotCompared {
                let kept = Kept {
                    comparison: result.comparison.clone(),
                    changes: result.earlier.as_ref().map(|e| e.changes.clone()),
                };
                fresh.push((key.clone(), serde_json::to_vec(&kept).expect("serializes")));
            }
            compared.insert(request.name.clone(), result);
        }
    }
    caches.comparisons.store(&fresh);
    compared
}

/// A comparison that could not be made, with its reason (redacted: a tree entry's name or
/// a loading error may hold a token).
fn not_compared(reason: &str) -> Comparison {
    let reason = crate::base::secrets::redact(reason).into_owned();
    Comparison::without(None, None, Status::NotCompared, reason)
}

/// One line per revision that left crates "not compared": the revision, the crates and
/// the reason, for the terminal.
pub fn not_compared_lines(compared: &BTreeMap<String, Compared>) -> Vec<String> {
    let mut by_reason: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for (name, Compared { comparison, .. }) in compared {
        if let (Status::NotCompared, Some(reason)) = (comparison.status, &comparison.reason) {
            let rev = comparison.rev.as_deref().unwrap_or_default();
            by_reason.entry((rev, reason)).or_default().push(name);
        }
    }
    by_reason
        .into_iter()
        .map(|((rev, reason), crates)| {
            format!("--baseline {rev}: {} not compared: {reason}", crates.join(", "))
        })
        .collect()
}

/// Identifies a comparison: this tool's version, the commit (immutable), the crate, and
/// everything the comparison reads of it now. A re-run of unchanged content reuses it
/// without checking the revision out.
fn cache_key(commit: &str, request: &Request) -> String {
    let mut hasher = Sha256::new();
    hasher.update(concat!(env!("CARGO_PKG_NAME"), " ", env!("CARGO_PKG_VERSION"), "\n"));
    hasher.update(format!("{commit}\n{}\n{}\n", request.name, request.now.digest()));
    crate::base::format::hex(&hasher.finalize())
}

/// The requested crates compared at one checkout.
fn compare_at(
    checkout: &Checkout,
    relative: &Path,
    requests: &[(Request, String, String)],
    caches: &Caches,
) -> Vec<Compared> {
    let new = |reason: &str| {
        Compared::without(Comparison::without(None, None, Status::New, reason.to_owned()))
    };
    let manifest = checkout.root().join(relative).join("Cargo.toml");
    if !manifest.is_file() {
        return requests
            .iter()
            .map(|_| new("the workspace did not exist at this revision"))
            .collect();
    }
    let then = match Workspace::load(Some(&manifest), &caches.declarations) {
        Ok(then) => then,
        Err(error) => {
            let root = format!("{}/", checkout.root().display());
            let reason = format!(
                "its workspace could not be loaded: {}",
                error.to_string().replace(&root, "")
            );
            return requests.iter().map(|_| Compared::without(not_compared(&reason))).collect();
        }
    };
    requests
        .par_iter()
        .map(|(request, _, _)| {
            let Some(member) = then.member(&request.name) else {
                return new("the crate did not exist at this revision");
            };
            let archive =
                match crate::package::package(&then, member, &caches.archives, &BTreeMap::new()) {
                    Ok(archive) => archive,
                    Err(error) => {
                        let root = format!("{}/", checkout.root().display());
                        return Compared::without(not_compared(&format!(
                            "it could not be packaged then: {}",
                            error.to_string().replace(&root, "")
                        )));
                    }
                };
            // Packaged again on the next run unless kept, as the work tree's archives are.
            caches.archives.store(&crate::package::archive_entries(vec![(
                archive.cache_key.clone(),
                archive.to_cached(),
            )]));
            let version = member.package.version.to_string();
            // The `.crate` as this tool writes it (an estimate where cargo's differs): its
            // files are all there is to document.
            let bytes = request.archive.then(|| {
                let mut bytes = Vec::with_capacity(archive.compressed_size as usize);
                crate::package::archive::write(member.name(), &version, &archive.files, &mut bytes)
                    .ok()
                    .map(|()| bytes)
            });
            Compared::between(&Side::of(&archive), &request.now, version, bytes.flatten())
        })
        .collect()
}
