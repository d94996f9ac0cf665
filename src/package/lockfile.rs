//! The `Cargo.lock` cargo writes into a `.crate`: the crate resolved on its own, keeping
//! the versions of the workspace's lock ([`super::lock_walk`] finds what it reaches).
//!
//! Other workspace members come from crates.io in that resolution, as the release the plan
//! publishes has them: a member whose version crates.io already has is crates.io's release,
//! with the index's checksum and dependencies (what `cargo publish -p` of a crate on its
//! own resolves); a member not published yet is the one the plan publishes first, with the
//! SHA-256 of its own `.crate` (what `cargo publish --workspace` writes). Where the index
//! cannot tell which (offline, and cargo's cache has no entry), the lock is an estimate
//! that names the member and what was missing.
//!
//! The fingerprint takes the same lock in another [`View`]: every member with its own
//! declarations and its fingerprint where a checksum goes, so that what the registry holds,
//! or which crates a run selects, never changes it.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::rc::Rc;

use super::lock_members::{LockMember, MemberFrom};
use super::lock_settle::{self, Backtracked, Settled};
use super::lock_walk::{LockDeclarations, Picking, Walk};
use crate::workspace::index_cache::IndexCache;
use crate::workspace::lock::{CRATES_IO, Declarations, Lock};

/// Another member's `.crate`, as this run wrote it.
#[derive(Debug, Clone)]
pub struct MemberCrate {
    /// SHA-256 (hex) of the `.crate`.
    pub sha256: String,
    /// Whether those are the bytes cargo writes.
    pub exact: bool,
    /// The member's fingerprint (`sha256:<hex>`).
    pub fingerprint: String,
}

/// Which lock is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The one cargo packages for the release.
    Release,
    /// The one the fingerprint takes: the workspace's own members and their fingerprints,
    /// whatever the registry holds.
    Fingerprint,
}

/// The packaged lock file, or why it cannot be written exactly.
pub struct Packaged {
    pub text: String,
    /// Workspace members it lists, sorted by name.
    pub members: Vec<LockMember>,
    /// Why the text is not cargo's, when it is not.
    pub estimate: Option<String>,
}

/// The packaged crate.
pub struct Root<'a> {
    pub name: &'a str,
    pub version: &'a semver::Version,
    /// With resolver 3, its `rust-version`: cargo prefers the releases that accept it.
    pub rust_version: Option<semver::Version>,
}

/// The lock file cargo packages with `root`, in `format` (3 or 4), as `view` has it.
/// `members` are the workspace's other members' `.crate` files, where known.
pub fn packaged(
    lock: &Lock,
    declarations: &Declarations,
    root: &Root,
    members: &BTreeMap<String, MemberCrate>,
    index: &IndexCache,
    format: u32,
    view: View,
) -> Packaged {
    let resolution = resolve(lock, declarations, root, index, view);
    written(resolution.as_ref(), root, members, format, view)
}

/// What cargo's resolution of a packaged crate reaches, before the other members'
/// checksums are written in: what a later run with the same inputs reuses
/// ([`Resolution::still_holds`]). `None` when the crate is not in the lock.
pub fn resolve(
    lock: &Lock,
    declarations: &Declarations,
    root: &Root,
    index: &IndexCache,
    view: View,
) -> Option<Resolution> {
    let picking =
        Picking { from_index: view == View::Release, rust_version: root.rust_version.clone() };
    let root_index = lock.index_of(root.name, root.version)?;
    let declarations = LockDeclarations::new(lock, declarations);
    let Settled { walk, chosen, settled, backtracked, reads } = if view == View::Release {
        lock_settle::release(&declarations, index, root_index, picking)
    } else {
        let mut walk = Walk::new(&declarations, index, HashMap::new(), root_index, picking);
        walk.run();
        let reads = std::mem::take(&mut walk.reads);
        let walk = Rc::new(walk);
        Settled { walk, chosen: BTreeMap::new(), settled: true, backtracked: None, reads }
    };
    let position: HashMap<usize, usize> =
        walk.edges.keys().enumerate().map(|(at, &i)| (i, at)).collect();
    let nodes = walk
        .edges
        .iter()
        .map(|(&i, deps)| {
            let e = walk.entry(i);
            Node {
                name: e.name.clone(),
                version: e.version.clone(),
                source: e.source.clone(),
                checksum: e.checksum.clone(),
                dependencies: deps.iter().filter_map(|d| position.get(d).copied()).collect(),
            }
        })
        .collect();
    let members = walk
        .edges
        .keys()
        .map(|&i| walk.entry(i))
        .filter(|e| e.source.is_none() && e.name != root.name)
        .map(|e| {
            let (version, from) = match chosen.get(&e.name) {
                Some((version, from)) => (version.clone(), from.clone()),
                None => (e.version.clone(), MemberFrom::Archive { online: false }),
            };
            LockMember {
                name: e.name.clone(),
                version,
                workspace_version: e.version.clone(),
                from,
                checksum: None,
            }
        })
        .collect();
    Some(Resolution {
        nodes,
        members,
        missing: walk.missing.first().cloned(),
        stale: walk.stale.first().cloned(),
        settled,
        backtracked,
        reads: reads.into_iter().map(|name| (index.stamp(&name), name)).collect(),
    })
}

/// Resolutions kept by earlier runs (the cache folder), by a key over their inputs.
pub trait ResolutionMemo: Sync {
    fn resolution(&self, key: &str) -> Option<Resolution>;
    fn keep_resolution(&self, key: &str, resolution: &Resolution);
}

/// A crate's resolution: the packages it reaches and where the lock takes each member from.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Resolution {
    /// The packages reached, in the lock's order; dependencies are positions in this list.
    nodes: Vec<Node>,
    /// The other members it reaches, with no checksum yet.
    members: Vec<LockMember>,
    /// A package whose dependencies, or a dependency whose release, is not known.
    missing: Option<String>,
    /// A package resolved from an index entry of cargo's cache, which may be behind.
    stale: Option<String>,
    /// Whether a further walk asks for the same releases of the members.
    settled: bool,
    backtracked: Option<Backtracked>,
    /// The index entries read: each crate's [`IndexCache::stamp`] then, and its name.
    reads: Vec<(String, String)>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Node {
    name: String,
    version: semver::Version,
    source: Option<String>,
    checksum: Option<String>,
    dependencies: Vec<usize>,
}

impl Resolution {
    /// The other workspace members it reaches.
    pub fn member_names(&self) -> Vec<String> {
        self.members.iter().map(|m| m.name.clone()).collect()
    }

    /// Whether the index still holds what this resolution read of it: with the same lock,
    /// declarations and crate, the walk would resolve the same. (And whether it is whole:
    /// every dependency a package of it.)
    pub fn still_holds(&self, index: &IndexCache) -> bool {
        let whole = self.nodes.iter().flat_map(|n| &n.dependencies).all(|&d| d < self.nodes.len());
        whole && self.reads.iter().all(|(stamp, name)| index.stamp(name) == *stamp)
    }
}

/// The lock file of `resolution` with the other members' `.crate` files (`members`) written
/// in, in `format`, as `view` has it.
pub fn written(
    resolution: Option<&Resolution>,
    root: &Root,
    members: &BTreeMap<String, MemberCrate>,
    format: u32,
    view: View,
) -> Packaged {
    let Some(resolution) = resolution else {
        let alone = Node {
            name: root.name.to_owned(),
            version: root.version.clone(),
            source: None,
            checksum: None,
            dependencies: Vec::new(),
        };
        return Packaged {
            text: render(&[alone], format),
            members: Vec::new(),
            estimate: Some(
                "Cargo.lock is estimated: the crate is not in the workspace's lock file.".into(),
            ),
        };
    };
    let mut listed: Vec<LockMember> = resolution
        .members
        .iter()
        .map(|member| {
            let written = members.get(&member.name);
            let checksum = match (view, &member.from) {
                (View::Release, MemberFrom::Registry { checksum, .. }) => Some(checksum.clone()),
                (View::Release, _) => written.map(|c| c.sha256.clone()),
                (View::Fingerprint, _) => {
                    written.map(|c| c.fingerprint.trim_start_matches("sha256:").to_owned())
                }
            };
            LockMember { checksum, ..member.clone() }
        })
        .collect();
    listed.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    // The first of a name wins, as a search from the start would find it.
    let by_name: HashMap<&str, &LockMember> =
        listed.iter().rev().map(|m| (m.name.as_str(), m)).collect();
    let nodes: Vec<Node> = resolution
        .nodes
        .iter()
        .map(|node| match by_name.get(node.name.as_str()) {
            Some(member) if node.source.is_none() => Node {
                version: member.version.clone(),
                source: Some(CRATES_IO.into()),
                checksum: member.checksum.clone(),
                ..node.clone()
            },
            _ => node.clone(),
        })
        .collect();
    let text = render(&nodes, format);
    let estimate = match (view, &resolution.backtracked) {
        (View::Fingerprint, _) => None,
        (View::Release, Some(Backtracked { name, newest, candidates })) if *candidates > 1 => {
            Some(format!(
                "Cargo.lock is estimated: {name} {newest} asks for releases no release of the others accepts with them, and cargo backtracks from one of {candidates} members whose newer releases the requirements accept; which one first is not known."
            ))
        }
        (View::Release, _) => estimate(resolution, &listed, members),
    };
    Packaged { text, members: listed, estimate }
}

/// Why the release's lock is not cargo's, the first reason found (the same on every run).
fn estimate(
    resolution: &Resolution,
    listed: &[LockMember],
    members: &BTreeMap<String, MemberCrate>,
) -> Option<String> {
    if let Some(missing) = &resolution.missing {
        return Some(format!(
            "Cargo.lock is estimated: {missing} is not known (neither cargo's local cache nor an index this run read has it; run cargo fetch, or with --online)."
        ));
    }
    if let Some(stale) = &resolution.stale {
        return Some(format!(
            "Cargo.lock is estimated: no lock pins {stale}, and cargo resolves its newest release; only cargo's index cache, which may be behind crates.io, was read (run with --online)."
        ));
    }
    // cargo resolves one release of a crate per semver-compatible range.
    let mut ranges: BTreeMap<(&str, (u64, u64, u64)), &semver::Version> = BTreeMap::new();
    for e in &resolution.nodes {
        if e.source.as_deref() != Some(CRATES_IO) {
            continue;
        }
        let v = &e.version;
        let range = match (v.major, v.minor) {
            (0, 0) => (0, 0, v.patch),
            (0, minor) => (0, minor, 0),
            (major, _) => (major, 0, 0),
        };
        if let Some(other) = ranges.insert((&e.name, range), v).filter(|other| *other != v) {
            return Some(format!(
                "Cargo.lock is estimated: {} {other} and {v} would both be resolved, and cargo resolves one release per compatible range.",
                e.name
            ));
        }
    }
    if !resolution.settled {
        return Some("Cargo.lock is estimated: the releases of the workspace's members that crates.io already has ask for other releases of each other than the workspace's.".into());
    }
    listed.iter().find_map(|member| {
        let (name, version) = (&member.name, &member.version);
        match &member.from {
            MemberFrom::Unknown(why) => Some(format!(
                "Cargo.lock is estimated: which release of {name} cargo resolves is not known ({why})."
            )),
            MemberFrom::Archive { .. } if members.get(name).is_none_or(|c| !c.exact) => {
                Some(format!(
                    "Cargo.lock is estimated: it lists {name} {version} from this release, with the checksum of a .crate this run could not compute exactly."
                ))
            }
            MemberFrom::Archive { .. } | MemberFrom::Registry { .. } => None,
        }
    })
}

/// The lock file text, as cargo's `resolve_to_string` writes it.
fn render(nodes: &[Node], format: u32) -> String {
    let mut out = String::from(
        "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\n",
    );
    if format >= 3 {
        let _ = writeln!(out, "version = {format}");
    }
    // How a dependency is named: by name when it is the only package of that name, with
    // its version when not, with its source when even that is ambiguous.
    let mut names: HashMap<&str, usize> = HashMap::new();
    let mut versions: HashMap<(&str, &semver::Version), usize> = HashMap::new();
    for node in nodes {
        *names.entry(&node.name).or_default() += 1;
        *versions.entry((&node.name, &node.version)).or_default() += 1;
    }
    let spec = |i: usize| -> (String, Option<String>, Option<String>) {
        let node = &nodes[i];
        if names[node.name.as_str()] == 1 {
            return (node.name.clone(), None, None);
        }
        let same_version = versions[&(node.name.as_str(), &node.version)];
        let source = (same_version > 1).then(|| node.source.clone()).flatten();
        (node.name.clone(), Some(node.version.to_string()), source)
    };
    let mut order: Vec<&Node> = nodes.iter().collect();
    order.sort_by(|a, b| (&a.name, &a.version, &a.source).cmp(&(&b.name, &b.version, &b.source)));
    for node in order {
        let _ = write!(
            out,
            "\n[[package]]\nname = \"{}\"\nversion = \"{}\"\n",
            node.name, node.version
        );
        if let Some(source) = &node.source {
            let _ = writeln!(out, "source = \"{source}\"");
        }
        if let Some(checksum) = &node.checksum {
            let _ = writeln!(out, "checksum = \"{checksum}\"");
        }
        let mut deps: Vec<_> = node.dependencies.iter().map(|&d| spec(d)).collect();
        deps.sort();
        deps.dedup();
        if !deps.is_empty() {
            out.push_str("dependencies = [\n");
            for (name, version, source) in deps {
                let mut line = name;
                if let Some(version) = version {
                    line = format!("{line} {version}");
                }
                if let Some(source) = source {
                    line = format!("{line} ({source})");
                }
                let _ = writeln!(out, " \"{line}\",");
            }
            out.push_str("]\n");
        }
    }
    out
}

#[cfg(test)]
mod tests;
