//! Which releases of the workspace's members the release's packaged lock names: chosen by
//! the requirements on them ([`super::lock_members::choose`]), walked again with those
//! releases' declarations until they ask for the same ones, and, where a newer release asks
//! for what no release of another accepts, backtracked as cargo's resolver does.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use super::lock_members::{MemberFrom, NO_RELEASE_ACCEPTS, choose};
use super::lock_walk::{LockDeclarations, Picking, Walk};
use crate::workspace::index_cache::IndexCache;

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
    /// Shared with the other rounds that asked for the same releases.
    pub(super) walk: Rc<Walk<'a>>,
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
    declarations: &'a LockDeclarations<'a>,
    index: &'a IndexCache,
    root: usize,
    picking: Picking,
) -> Settled<'a> {
    let mut walks =
        Walks { declarations, index, root, picking, done: HashMap::new(), reads: BTreeSet::new() };
    let first = settle(&mut walks, &BTreeMap::new());
    if !conflicting(&first.chosen) {
        return walks.with_reads(first);
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
            let attempt = settle(&mut walks, &BTreeMap::from([(name.clone(), cap.clone())]));
            if attempt.settled && !conflicting(&attempt.chosen) {
                let backtracked = Backtracked {
                    name: name.clone(),
                    newest: newest.clone(),
                    candidates: newer.len(),
                };
                return walks.with_reads(Settled { backtracked: Some(backtracked), ..attempt });
            }
            match attempt.chosen.get(name) {
                Some((v, MemberFrom::Registry { .. })) if *v < cap => cap = v.clone(),
                _ => break,
            }
        }
    }
    walks.with_reads(first)
}

/// The walks of one release, each run once: every round of [`settle`] starts from the
/// same walk, and backtracking comes back to the same releases.
struct Walks<'a> {
    declarations: &'a LockDeclarations<'a>,
    index: &'a IndexCache,
    root: usize,
    picking: Picking,
    /// By the members taken from crates.io and their releases, sorted by name.
    done: HashMap<Vec<(String, semver::Version)>, Rc<Walk<'a>>>,
    /// The crates whose index entries any walk or choice read, the settled one or not.
    reads: BTreeSet<String>,
}

impl<'a> Walks<'a> {
    /// The walk with the members of `from_index` (sorted by name) taken from crates.io.
    fn walk(&mut self, from_index: Vec<(String, semver::Version)>) -> Rc<Walk<'a>> {
        if let Some(walk) = self.done.get(&from_index) {
            return Rc::clone(walk);
        }
        let releases = from_index.iter().cloned().collect();
        let (declarations, index) = (self.declarations, self.index);
        let mut walk = Walk::new(declarations, index, releases, self.root, self.picking.clone());
        walk.run();
        self.reads.extend(walk.reads.iter().cloned());
        let walk = Rc::new(walk);
        self.done.insert(from_index, Rc::clone(&walk));
        walk
    }

    /// `settled`, with what every walk of this release read.
    fn with_reads(&mut self, settled: Settled<'a>) -> Settled<'a> {
        Settled { reads: std::mem::take(&mut self.reads), ..settled }
    }
}

/// Walks until the members' releases settle, none above its cap in `caps`.
fn settle<'a>(walks: &mut Walks<'a>, caps: &BTreeMap<String, semver::Version>) -> Settled<'a> {
    let mut chosen = Chosen::new();
    let mut walk = walks.walk(Vec::new());
    for _ in 0..MAX_ROUNDS {
        let choice = choices(&walk, walks.index, caps);
        walks.reads.extend(choice.keys().cloned());
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
        let from_index = chosen
            .iter()
            .filter(|(_, (_, from))| matches!(from, MemberFrom::Registry { .. }))
            .map(|(name, (version, _))| (name.clone(), version.clone()))
            .collect();
        walk = walks.walk(from_index);
    }
    Settled { walk, chosen, settled: false, backtracked: None, reads: BTreeSet::new() }
}

/// The release of each member the walk reached (the root aside), by name; a member in
/// `caps` below the release named there.
fn choices(walk: &Walk, index: &IndexCache, caps: &BTreeMap<String, semver::Version>) -> Chosen {
    walk.requirements
        .iter()
        .map(|(&i, requirements)| {
            let member = walk.entry(i);
            let mut requirements = Cow::Borrowed(requirements.as_slice());
            if let Some(cap) = caps.get(&member.name) {
                requirements.to_mut().push(semver::VersionReq {
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
