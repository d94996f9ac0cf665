//! Packaging in dependency order: a member's packaged lock names the other members it
//! reaches, with the checksums (and, for its fingerprint, the fingerprints) of their
//! `.crate` files, so those are finished first. The members a lock names are packaged
//! whether the run selected them or not: a crate's lock, checksum and fingerprint never
//! depend on `-p`, `--exclude` or the subcommand.
//!
//! Everything but the lock (listing, reading and digesting each file) does not wait for
//! other members: all are prepared side by side first. Then each member is finished as
//! soon as the members its lock names are, with exactly their `.crate` files.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use rayon::prelude::*;

use super::lockfile::MemberCrate;
use super::{Archive, ArchiveCache, Prepared, generated};
use crate::base::error::guarded;
use crate::workspace::{Member, Workspace};

/// Packages every selected member, and every member their locks name, and runs `stage` on
/// each selected one with its archive (or why it could not be packaged). Returns what
/// `stage` made, in no particular order.
pub fn in_waves<'m, T: Send>(
    workspace: &'m Workspace,
    selected: &[&'m Member],
    cache: &dyn ArchiveCache,
    stage: impl Fn(&'m Member, Result<Archive, String>) -> T + Sync,
) -> Vec<T> {
    // What each member's lock names, for the selected members and all they reach.
    let mut needs: BTreeMap<&'m str, Vec<String>> = BTreeMap::new();
    let mut frontier: Vec<&'m Member> = selected.to_vec();
    while !frontier.is_empty() {
        let named: Vec<(&'m Member, Vec<String>)> = frontier
            .par_iter()
            .map(|&member| (member, generated::lock_members(workspace, member, cache)))
            .collect();
        frontier = Vec::new();
        for (member, named) in named {
            let new = named.iter().filter_map(|name| workspace.member(name));
            frontier.extend(new.filter(|m| !needs.contains_key(m.name())));
            needs.insert(member.name(), named);
        }
        frontier.sort_by_key(|m| m.name());
        frontier.dedup_by_key(|m| m.name());
        frontier.retain(|m| !needs.contains_key(m.name()));
    }
    let members: Vec<&'m Member> = needs.keys().filter_map(|n| workspace.member(n)).collect();
    let prepared: BTreeMap<&str, Mutex<Option<Result<Prepared<'m>, String>>>> = members
        .par_iter()
        .map(|&m| (m.name(), Mutex::new(Some(guarded(|| super::prepare(workspace, m))))))
        .collect();

    let chosen: BTreeSet<&str> = selected.iter().map(|m| m.name()).collect();
    let finish = |member: &'m Member, written: &BTreeMap<String, MemberCrate>| {
        let prepared = prepared[member.name()].lock().ok().and_then(|mut p| p.take());
        let prepared = prepared.unwrap_or_else(|| Err("packaged twice".to_owned()));
        let archive =
            prepared.and_then(|p| guarded(|| super::finish(workspace, p, cache, written)));
        let crate_file = archive.as_ref().ok().map(Archive::written);
        (crate_file, archive)
    };
    let mut written: BTreeMap<String, MemberCrate> = BTreeMap::new();
    let mut archives: Vec<(&'m Member, Result<Archive, String>)> = Vec::new();
    let mut pending = members;
    while !pending.is_empty() {
        let names: BTreeSet<&str> = pending.iter().map(|m| m.name()).collect();
        let ready = |m: &Member| {
            needs[m.name()].iter().all(|n| n == m.name() || !names.contains(n.as_str()))
        };
        let (mut wave, rest): (Vec<&'m Member>, Vec<&'m Member>) =
            pending.iter().copied().partition(|m| ready(m));
        if wave.is_empty() {
            // A cycle through dev-dependencies: its checksums stay unknown.
            wave = rest.clone();
        }
        let done: Vec<(&'m Member, Option<MemberCrate>, Result<Archive, String>)> = wave
            .par_iter()
            .map(|&member| {
                // Exactly the members its lock names: what else is done by now never counts.
                let named: BTreeMap<String, MemberCrate> = needs[member.name()]
                    .iter()
                    .filter_map(|n| Some((n.clone(), written.get(n)?.clone())))
                    .collect();
                let (crate_file, archive) = finish(member, &named);
                (member, crate_file, archive)
            })
            .collect();
        for (member, crate_file, archive) in done {
            if let Some(crate_file) = crate_file {
                written.insert(member.name().to_owned(), crate_file);
            }
            if chosen.contains(member.name()) {
                archives.push((member, archive));
            }
        }
        pending = if wave.len() == pending.len() { Vec::new() } else { rest };
    }
    archives.into_par_iter().map(|(member, archive)| stage(member, archive)).collect()
}
