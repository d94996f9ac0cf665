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
use crate::workspace::index_cache::{Answer, Known};
use crate::workspace::lock::CRATES_IO;

/// More index files than any real workspace's locks need.
const MAX_FILES: usize = 5_000;

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
            if !workspace.declarations.packages.contains_key(&(e.name.clone(), e.version.clone())) {
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
    let mut fetched: BTreeSet<String> = BTreeSet::new();
    let mut expanded: BTreeSet<(String, String)> = BTreeSet::new();
    while fetched.len() < MAX_FILES {
        let round: Vec<String> = wanted
            .keys()
            .map(|(name, _)| name.to_ascii_lowercase())
            .filter(|name| !fetched.contains(name))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if round.is_empty() {
            break;
        }
        let answers = registry.each(round, |name| {
            let answer = registry.index_file(&name).map(|(_, body)| body);
            (name, answer)
        });
        for (name, answer) in answers {
            let answer = match &answer {
                Ok(Body::Found(bytes)) => Answer::File(bytes),
                Ok(Body::NotFound) => Answer::Absent,
                Err(why) => Answer::Failed(why.clone()),
            };
            workspace.index.learn(&name, answer);
            fetched.insert(name);
        }
        let pending: Vec<_> = wanted
            .iter()
            .filter(|(key, _)| !expanded.contains(*key))
            .map(|(key, req)| (key.clone(), req.clone()))
            .collect();
        for (key, req) in pending {
            for (dependency, req) in next(workspace, &key.0, req.as_ref()) {
                wanted.insert((dependency, req.to_string()), Some(req));
            }
            expanded.insert(key);
        }
    }
}

/// The registry dependencies (name, requirement) of the releases of `name` a lock may take:
/// of a member, those crates.io has at or above the workspace's version; of another crate,
/// the newest `req` accepts.
fn next(
    workspace: &Workspace,
    name: &str,
    req: Option<&semver::VersionReq>,
) -> Vec<(String, semver::VersionReq)> {
    let Known::Releases(entry) = workspace.index.entry(name) else { return Vec::new() };
    let releases: Vec<_> = entry.releases.iter().filter(|r| !r.yanked).collect();
    let taken: Vec<_> = match (workspace.member(name), req) {
        (Some(member), _) => {
            releases.into_iter().filter(|r| r.version >= member.package.version).collect()
        }
        (None, Some(req)) => releases
            .into_iter()
            .filter(|r| req.matches(&r.version))
            .max_by(|a, b| a.version.cmp(&b.version))
            .into_iter()
            .collect(),
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
