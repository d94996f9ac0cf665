//! Packaging in dependency order: a member's packaged lock names the other members it
//! reaches, with the checksums (and, for its fingerprint, the fingerprints) of their
//! `.crate` files, so those are finished first. The members a lock names are packaged
//! whether the run selected them or not: a crate's lock, checksum and fingerprint never
//! depend on `-p`, `--exclude` or the subcommand.
//!
//! Everything but the lock's text does not wait for other members: all are prepared
//! (listing, reading and digesting each file) and their locks resolved side by side first.
//! Then each member is finished as soon as the members its lock names are, with exactly
//! their `.crate` files.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use rayon::prelude::*;

use super::generated::LockResolutions;
use super::lockfile::MemberCrate;
use super::{Archive, ArchiveCache, Prepared};
use crate::base::error::guarded;
use crate::workspace::{Member, Workspace};

/// Packages every selected member, and every member their locks name, and runs `stage` on
/// each selected one with its archive (or why it could not be packaged). Returns what
/// `stage` made, in dependency order (see [`dependency_order`]).
pub fn in_waves<'m, T: Send>(
    workspace: &'m Workspace,
    selected: &[&'m Member],
    cache: &dyn ArchiveCache,
    stage: impl Fn(&'m Member, Result<Archive, String>) -> T + Sync,
) -> Vec<T> {
    let prepare = |members: &[&'m Member]| -> BTreeMap<&'m str, Prepare<'m>> {
        let prepare = |m: &'m Member| Mutex::new(Some(guarded(|| super::prepare(workspace, m))));
        members.par_iter().map(|&m| (m.name(), prepare(m))).collect()
    };
    // The selected members are prepared while their locks are resolved (which may wait for
    // the workspace's declarations), then the members those locks name.
    let (resolutions, mut prepared) =
        rayon::join(|| resolve_locks(workspace, selected, cache), || prepare(selected));
    let needs: BTreeMap<&str, Vec<String>> =
        resolutions.iter().map(|(&name, r)| (name, members(r))).collect();
    let members: Vec<&'m Member> = needs.keys().filter_map(|n| workspace.member(n)).collect();
    let unselected: Vec<&'m Member> =
        members.iter().copied().filter(|m| !prepared.contains_key(m.name())).collect();
    prepared.extend(prepare(&unselected));

    let chosen: BTreeSet<&str> = selected.iter().map(|m| m.name()).collect();
    // Which members wait for which: a member starts when the last one its lock names is done.
    let names: BTreeSet<&str> = members.iter().map(|m| m.name()).collect();
    let mut waiting: BTreeMap<&str, usize> = BTreeMap::new();
    let mut dependents: BTreeMap<&str, Vec<&'m Member>> = BTreeMap::new();
    for &member in &members {
        let named: BTreeSet<&str> = needs[member.name()].iter().map(String::as_str).collect();
        let named = named.into_iter().filter(|n| *n != member.name() && names.contains(n));
        for needed in named.filter_map(|name| workspace.member(name)) {
            dependents.entry(needed.name()).or_default().push(member);
            *waiting.entry(member.name()).or_default() += 1;
        }
    }
    let schedule = Schedule {
        workspace,
        cache,
        needs: &needs,
        resolutions: &resolutions,
        dependents: &dependents,
        prepared,
        chosen: &chosen,
        stage: &stage,
        progress: Mutex::new(Progress { written: BTreeMap::new(), waiting, made: Vec::new() }),
        order: dependency_order(&members, &needs),
    };
    // Collected before any starts: a member becomes ready once, when its last need is done.
    let ready: Vec<&'m Member> = members.iter().copied().filter(|m| !schedule.waits(m)).collect();
    rayon::scope(|scope| ready.into_iter().for_each(|m| schedule.start(scope, m)));
    // Members on a cycle through dev-dependencies, and those waiting for them: finished
    // with what is done, their cycle's checksums unknown.
    let stuck: Vec<&'m Member> = members.iter().copied().filter(|m| schedule.waits(m)).collect();
    let written = schedule.lock().written.clone();
    rayon::scope(|scope| {
        for member in stuck {
            let written = named(&needs, member, &written);
            let schedule = &schedule;
            scope.spawn(move |_| {
                schedule.finish(member, &written);
            });
        }
    });
    let mut made = schedule.progress.into_inner().unwrap_or_else(|e| e.into_inner()).made;
    made.sort_by_key(|(at, _)| *at);
    made.into_iter().map(|(_, made)| made).collect()
}

/// Each member's place in a dependency order (the same on every run): the members whose
/// locks name no other member first, by name, then those that name only these, and so on;
/// members on a cycle last. What the stages made is returned in this order, which later
/// stages (the builds) follow.
fn dependency_order(
    members: &[&Member],
    needs: &BTreeMap<&str, Vec<String>>,
) -> BTreeMap<String, usize> {
    let mut order = BTreeMap::new();
    let mut pending: Vec<&Member> = members.to_vec();
    while !pending.is_empty() {
        let names: BTreeSet<&str> = pending.iter().map(|m| m.name()).collect();
        let ready = |m: &Member| {
            needs[m.name()].iter().all(|n| n == m.name() || !names.contains(n.as_str()))
        };
        let (mut wave, rest): (Vec<&Member>, Vec<&Member>) =
            pending.iter().copied().partition(|m| ready(m));
        if wave.is_empty() {
            wave = rest.clone();
        }
        for member in &wave {
            order.insert(member.name().to_owned(), order.len());
        }
        pending = if wave.len() == pending.len() { Vec::new() } else { rest };
    }
    order
}

/// A member's lock resolutions, or why they could not be found (the crate is then not
/// packaged, and says so).
type Resolved = Result<LockResolutions, String>;

/// The members a lock names (none when it could not be resolved).
fn members(resolved: &Resolved) -> Vec<String> {
    resolved.as_ref().map(LockResolutions::members).unwrap_or_default()
}

/// The lock resolutions of the `selected` members and of all the members they name.
fn resolve_locks<'m>(
    workspace: &'m Workspace,
    selected: &[&'m Member],
    cache: &dyn ArchiveCache,
) -> BTreeMap<&'m str, Resolved> {
    let resolve = |member: &Member| guarded(|| Ok(LockResolutions::of(workspace, member, cache)));
    let mut resolved: BTreeMap<&'m str, Resolved> = BTreeMap::new();
    let mut frontier: Vec<&'m Member> = selected.to_vec();
    while !frontier.is_empty() {
        let round: Vec<(&'m Member, Resolved)> =
            frontier.par_iter().map(|&member| (member, resolve(member))).collect();
        frontier = Vec::new();
        for (member, resolutions) in round {
            let named = members(&resolutions);
            frontier.extend(named.iter().filter_map(|name| workspace.member(name)));
            resolved.insert(member.name(), resolutions);
        }
        frontier.sort_by_key(|m| m.name());
        frontier.dedup_by_key(|m| m.name());
        frontier.retain(|m| !resolved.contains_key(m.name()));
    }
    resolved
}

/// The `.crate` files of exactly the members `member`'s lock names, among those `written`:
/// what else happens to be done by then never counts.
fn named(
    needs: &BTreeMap<&str, Vec<String>>,
    member: &Member,
    written: &BTreeMap<String, MemberCrate>,
) -> BTreeMap<String, MemberCrate> {
    let named = needs[member.name()].iter();
    named.filter_map(|n| Some((n.clone(), written.get(n)?.clone()))).collect()
}

type Prepare<'m> = Mutex<Option<Result<Prepared<'m>, String>>>;

/// Members finished so far, how many each still waits for, and what `stage` made.
struct Progress<'m, T> {
    written: BTreeMap<String, MemberCrate>,
    waiting: BTreeMap<&'m str, usize>,
    /// By each member's place in [`dependency_order`].
    made: Vec<(usize, T)>,
}

struct Schedule<'a, 'm, T> {
    workspace: &'m Workspace,
    cache: &'a dyn ArchiveCache,
    needs: &'a BTreeMap<&'m str, Vec<String>>,
    resolutions: &'a BTreeMap<&'m str, Resolved>,
    dependents: &'a BTreeMap<&'m str, Vec<&'m Member>>,
    prepared: BTreeMap<&'m str, Prepare<'m>>,
    chosen: &'a BTreeSet<&'m str>,
    stage: &'a (dyn Fn(&'m Member, Result<Archive, String>) -> T + Sync),
    progress: Mutex<Progress<'m, T>>,
    order: BTreeMap<String, usize>,
}

impl<'a, 'm, T: Send> Schedule<'a, 'm, T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Progress<'m, T>> {
        self.progress.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `member` still waits for a member its lock names.
    fn waits(&self, member: &Member) -> bool {
        self.lock().waiting.get(member.name()).is_some_and(|w| *w > 0)
    }

    /// Finishes `member` on the pool once the members its lock names are done.
    fn start<'s>(&'s self, scope: &rayon::Scope<'s>, member: &'m Member) {
        scope.spawn(move |scope| {
            let written = named(self.needs, member, &self.lock().written);
            let ready = self.finish(member, &written);
            ready.into_iter().for_each(|m| self.start(scope, m));
        });
    }

    /// Writes `member`'s lock with `written`, sizes its `.crate`, stages it (when the run
    /// selected it), and returns the members that waited for it last.
    fn finish(
        &self,
        member: &'m Member,
        written: &BTreeMap<String, MemberCrate>,
    ) -> Vec<&'m Member> {
        let prepared = self.prepared[member.name()].lock().ok().and_then(|mut p| p.take());
        let prepared = prepared.unwrap_or_else(|| Err("packaged twice".to_owned()));
        let (workspace, cache) = (self.workspace, self.cache);
        let resolutions = self.resolutions[member.name()].as_ref().map_err(Clone::clone);
        let archive = prepared.and_then(|p| {
            let resolutions = resolutions?;
            guarded(|| super::finish(workspace, p, resolutions, cache, written))
        });
        let crate_file = archive.as_ref().ok().map(Archive::written);
        // Staged before the members that wait for it start: a stage may use what the stages
        // of the members its lock names did (a build patches in their unpacked archives).
        let made = self.chosen.contains(member.name()).then(|| (self.stage)(member, archive));
        let mut progress = self.lock();
        if let Some(made) = made {
            let at = self.order.get(member.name()).copied().unwrap_or(usize::MAX);
            progress.made.push((at, made));
        }
        if let Some(crate_file) = crate_file {
            progress.written.insert(member.name().to_owned(), crate_file);
        }
        let mut ready = Vec::new();
        for &dependent in self.dependents.get(member.name()).into_iter().flatten() {
            if let Some(waits) = progress.waiting.get_mut(dependent.name()).filter(|w| **w > 0) {
                *waits -= 1;
                if *waits == 0 {
                    ready.push(dependent);
                }
            }
        }
        ready
    }
}
