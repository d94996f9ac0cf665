//! The index entries the packaged locks need, fetched with `--online` and handed to the
//! workspace's index cache ([`crate::workspace::index_cache`]): cargo writes a lock from
//! the index alone, so a runner that never ran `cargo fetch` gets the same lock.
//!
//! Which entries: the members others depend on (is their version on crates.io yet? a newer
//! one?), the locked registry packages whose declarations cargo could not give offline, and,
//! from there, the dependencies a lock may add: of the releases of members crates.io has,
//! and, where no lock is committed, of every release cargo would pick for a member's
//! registry dependency, transitively. Each file is asked once, through the registry's cache.

use std::collections::{BTreeMap, BTreeSet};

use super::Registry;
use super::http::Body;
use crate::workspace::Workspace;
use crate::workspace::index_cache::{Answer, Known, Release, rust_version};
use crate::workspace::lock::CRATES_IO;
use crate::workspace::manifest::Resolver;

/// More index files, and more of their bytes, than any real workspace's locks need
/// (tokio's, with no lock committed, need about 200 files, 6 MiB): a registry that answers
/// with ever more dependencies stops being asked there.
const MAX_FILES: usize = 5_000;
const MAX_BYTES: usize = 512 << 20;

/// Fetches what the locks need, a round of names at a time. Only for crates.io, whose
/// releases the locks name.
pub fn learn_lock_index(registry: &Registry, workspace: &Workspace) {
    if !registry.source().crates_io {
        return;
    }
    // By name and requirement: a requirement picks the releases whose dependencies come
    // next.
    let mut wanted: BTreeMap<(String, String), Option<semver::VersionReq>> = BTreeMap::new();
    let mut ask = |name: &str, req: Option<&semver::VersionReq>| {
        let key = (name.to_owned(), req.map(ToString::to_string).unwrap_or_default());
        wanted.insert(key, req.cloned());
    };
    for edge in workspace.member_edges() {
        ask(&edge.to, None);
    }
    if let Some(lock) = workspace.lock.as_ref().filter(|_| workspace.lock_committed) {
        for e in lock.entries.iter().filter(|e| e.source.as_deref() == Some(CRATES_IO)) {
            if !workspace.declarations().packages.contains_key(&(e.name.clone(), e.version.clone()))
            {
                ask(&e.name, None);
            }
        }
    } else {
        for member in &workspace.members {
            let from_crates_io = |d: &&cargo_metadata::Dependency| {
                d.path.is_none() && d.source.as_ref().is_some_and(|s| s.repr == CRATES_IO)
            };
            for dependency in member.package.dependencies.iter().filter(from_crates_io) {
                ask(&dependency.name, Some(&dependency.req));
            }
        }
    }
    // With resolver 3, cargo prefers the releases each crate's rust-version accepts.
    let rust_versions: Vec<semver::Version> = match workspace.inheritable.resolver() {
        Resolver::V3 => {
            let declared = workspace.members.iter().filter_map(|m| m.rust_version.as_deref());
            declared.filter_map(rust_version).collect::<BTreeSet<_>>().into_iter().collect()
        }
        _ => Vec::new(),
    };
    let mut fetched: BTreeSet<String> = BTreeSet::new();
    let mut bytes_read = 0;
    let mut expanded: BTreeSet<(String, String)> = BTreeSet::new();
    loop {
        let round: Vec<String> = wanted
            .keys()
            .map(|(name, _)| name.to_ascii_lowercase())
            .filter(|name| !fetched.contains(name))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .take(MAX_FILES.saturating_sub(fetched.len()))
            .collect();
        let answers = registry.each(round, |name| {
            let answer = registry.index_file(&name).map(|(_, body)| body);
            (name, answer)
        });
        for (name, answer) in answers {
            let answer = match &answer {
                Ok(Body::Found(bytes)) => {
                    bytes_read += bytes.len();
                    Answer::File(bytes)
                }
                Ok(Body::NotFound) => Answer::Absent,
                Err(why) => Answer::Failed(why.clone()),
            };
            workspace.index.learn(&name, answer);
            fetched.insert(name);
        }
        // A new requirement on a crate already read picks other releases to follow.
        let pending: Vec<_> = wanted
            .iter()
            .filter(|(key, _)| !expanded.contains(*key))
            .map(|(key, req)| (key.clone(), req.clone()))
            .collect();
        if pending.is_empty() || fetched.len() >= MAX_FILES || bytes_read >= MAX_BYTES {
            break;
        }
        for (key, req) in pending {
            for (dependency, req) in next(workspace, &key.0, req.as_ref(), &rust_versions) {
                wanted.insert((dependency, req.to_string()), Some(req));
            }
            expanded.insert(key);
        }
    }
}

/// The registry dependencies (name, requirement) of the releases of `name` a lock may take:
/// of a member, those crates.io has at or above the workspace's version; of another crate,
/// the newest `req` accepts, and the newest whose `rust-version` each of `rust_versions`
/// accepts (resolver 3 prefers those).
fn next(
    workspace: &Workspace,
    name: &str,
    req: Option<&semver::VersionReq>,
    rust_versions: &[semver::Version],
) -> Vec<(String, semver::VersionReq)> {
    let Known::Releases(entry) = workspace.index.entry(name) else { return Vec::new() };
    let releases: Vec<_> = entry.releases.iter().filter(|r| !r.yanked).collect();
    let taken: Vec<_> = match (workspace.member(name), req) {
        (Some(member), _) => {
            releases.into_iter().filter(|r| r.version >= member.package.version).collect()
        }
        (None, Some(req)) => {
            let accepted: Vec<_> =
                releases.into_iter().filter(|r| req.matches(&r.version)).collect();
            let newest = |fits: &dyn Fn(&&Release) -> bool| {
                accepted
                    .iter()
                    .copied()
                    .filter(|r| fits(r))
                    .max_by(|a, b| a.version.cmp(&b.version))
            };
            let mut taken: Vec<&Release> = newest(&|_| true).into_iter().collect();
            for rust in rust_versions {
                let fits = |r: &&Release| r.rust_version.as_ref().is_none_or(|v| v <= rust);
                taken.extend(newest(&fits));
            }
            taken
        }
        (None, None) => Vec::new(),
    };
    taken
        .iter()
        .filter_map(|release| release.declarations())
        .flat_map(|declared| declared.dependencies.clone())
        .filter(|d| !d.dev && d.registry.is_none())
        .map(|d| (d.name, d.req))
        .collect()
}
