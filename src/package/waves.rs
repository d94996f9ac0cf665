//! Packaging in dependency waves: a member's packaged lock names the other members it
//! reaches, with the checksums (and, for its fingerprint, the fingerprints) of their
//! `.crate` files, so those are packaged first. The members a lock names are packaged
//! whether the run selected them or not: a crate's lock, checksum and fingerprint never
//! depend on `-p`, `--exclude` or the subcommand.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use super::lockfile::MemberCrate;
use super::{Archive, ArchiveCache, generated};
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
    let mut queue: Vec<&'m Member> = selected.to_vec();
    while let Some(member) = queue.pop() {
        if needs.contains_key(member.name()) {
            continue;
        }
        let named = generated::lock_members(workspace, member, cache);
        queue.extend(named.iter().filter_map(|name| workspace.member(name)));
        needs.insert(member.name(), named);
    }
    let chosen: BTreeSet<&str> = selected.iter().map(|m| m.name()).collect();
    let mut written: BTreeMap<String, MemberCrate> = BTreeMap::new();
    let mut pending: Vec<&'m Member> = needs.keys().filter_map(|n| workspace.member(n)).collect();
    let mut results: Vec<T> = Vec::with_capacity(selected.len());
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
        let done: Vec<(&str, Option<MemberCrate>, Option<T>)> = wave
            .par_iter()
            .map(|member| {
                let archive = guarded(|| super::package(workspace, member, cache, &written));
                let crate_file = archive.as_ref().ok().map(Archive::written);
                let made = chosen.contains(member.name()).then(|| stage(member, archive));
                (member.name(), crate_file, made)
            })
            .collect();
        for (name, crate_file, made) in done {
            if let Some(crate_file) = crate_file {
                written.insert(name.to_owned(), crate_file);
            }
            results.extend(made);
        }
        pending = if wave.len() == pending.len() { Vec::new() } else { rest };
    }
    results
}
