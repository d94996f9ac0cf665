//! Which releases of the workspace's members the release's packaged lock names: chosen by
//! the requirements on them ([`super::lock_members::choose`]), walked again with those
//! releases' declarations until they ask for the same ones, and, where a newer release asks
//! for what no release of another accepts, backtracked as cargo's resolver does.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::lock_members::{MemberFrom, NO_RELEASE_ACCEPTS, choose};
use super::lock_walk::{Picking, Walk};
use crate::workspace::index_cache::IndexCache;
use crate::workspace::lock::{Declarations, Lock};

/// Walks until the members' releases settle: each round takes the releases one more level
/// of a chain of published members asks for (wasmtime's members on a main branch reach
/// crates.io's `wasmtime-internal-core` through six of them).
const MAX_ROUNDS: usize = 16;

/// Releases of one member tried below the newest when cargo would backtrack.
const MAX_BACKTRACK: usize = 16;

/// Each member's release and where it comes from, by name.
pub(super) type Chosen = BTreeMap<String, (semver::Version, MemberFrom)>;

/// The walk with the members' releases chosen.
pub(super) struct Settled<'a> {
    pub(super) walk: Walk<'a>,
    pub(super) chosen: Chosen,
    /// Whether a further walk asks for the same releases.
    pub(super) settled: bool,
    pub(super) backtracked: Option<Backtracked>,
    /// The crates whose index entries any walk or choice read, the settled one or not.
    pub(super) reads: BTreeSet<String>,
}

/// A member held below its newest release the requirements accept.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct Backtracked {
    pub(super) name: String,
    pub(super) newest: semver::Version,
    /// Members with a newer release than the workspace's that cargo could have backtracked.
    pub(super) candidates: usize,
}

/// The release's walk from the lock entry `root`.
pub(super) fn release<'a>(
    lock: &'a Lock,
    declarations: &'a Declarations,
    index: &'a IndexCache,
    root: usize,
    picking: Picking,
) -> Settled<'a> {
    let reads = RefCell::new(BTreeSet::new());
    let settle = |caps: &BTreeMap<String, semver::Version>| {
        let walk_with = |from_index| {
            let mut walk = Walk::new(lock, declarations, index, from_index, root, picking.clone());
            walk.run();
            reads.borrow_mut().extend(walk.reads.iter().cloned());
            walk
        };
        let mut chosen = Chosen::new();
        let mut walk = walk_with(HashMap::new());
        for _ in 0..MAX_ROUNDS {
            let choice = choices(&walk, index, caps);
            reads.borrow_mut().extend(choice.keys().cloned());
            if choice == chosen {
                return Settled {
                    walk,
                    chosen,
                    settled: true,
                    backtracked: None,
                    reads: BTreeSet::new(),
                };
            }
            chosen = choice;
            let from_index: HashMap<String, semver::Version> = chosen
                .iter()
                .filter(|(_, (_, from))| matches!(from, MemberFrom::Registry { .. }))
                .map(|(name, (version, _))| (name.clone(), version.clone()))
                .collect();
            walk = walk_with(from_index);
        }
        Settled { walk, chosen, settled: false, backtracked: None, reads: BTreeSet::new() }
    };
    let all_reads = |settled: Settled<'a>| Settled { reads: reads.take(), ..settled };
    let first = settle(&BTreeMap::new());
    if !conflicting(&first.chosen) {
        return all_reads(first);
    }
    // A newer release of a member can ask for releases of others that no release accepts
    // together (serde 1.0.229 pins serde_derive 1.0.229, serde_core's own tree 1.0.228):
    // cargo then backtracks to older releases of it.
    let newer: Vec<(String, semver::Version)> = first
        .walk
        .requirements
        .keys()
        .map(|&i| first.walk.entry(i))
        .filter_map(|e| match first.chosen.get(&e.name) {
            Some((v, MemberFrom::Registry { .. })) if *v > e.version => {
                Some((e.name.clone(), v.clone()))
            }
            _ => None,
        })
        .collect();
    for (name, newest) in &newer {
        let mut cap = newest.clone();
        for _ in 0..MAX_BACKTRACK {
            let attempt = settle(&BTreeMap::from([(name.clone(), cap.clone())]));
            if attempt.settled && !conflicting(&attempt.chosen) {
                let backtracked = Backtracked {
                    name: name.clone(),
                    newest: newest.clone(),
                    candidates: newer.len(),
                };
                return all_reads(Settled { backtracked: Some(backtracked), ..attempt });
            }
            match attempt.chosen.get(name) {
                Some((v, MemberFrom::Registry { .. })) if *v < cap => cap = v.clone(),
                _ => break,
            }
        }
    }
    all_reads(first)
}

/// The release of each member the walk reached (the root aside), by name; a member in
/// `caps` below the release named there.
fn choices(walk: &Walk, index: &IndexCache, caps: &BTreeMap<String, semver::Version>) -> Chosen {
    walk.requirements
        .iter()
        .map(|(&i, requirements)| {
            let member = walk.entry(i);
            let mut requirements = requirements.clone();
            if let Some(cap) = caps.get(&member.name) {
                requirements.push(semver::VersionReq {
                    comparators: vec![semver::Comparator {
                        op: semver::Op::Less,
                        major: cap.major,
                        minor: Some(cap.minor),
                        patch: Some(cap.patch),
                        pre: cap.pre.clone(),
                    }],
                });
            }
            let choice = choose(index, &member.name, &member.version, &requirements);
            (member.name.clone(), choice)
        })
        .collect()
}

/// Whether the requirements on a member are more than any one release accepts.
fn conflicting(chosen: &Chosen) -> bool {
    chosen.values().any(|(_, from)| *from == MemberFrom::Unknown(NO_RELEASE_ACCEPTS.into()))
}
