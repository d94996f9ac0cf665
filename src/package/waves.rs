//! Packaging in dependency waves: a member's packaged lock names the other members it
//! reaches with the checksums of their `.crate` files, so those are packaged first.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::generated;
use super::lockfile::MemberCrate;
use crate::workspace::{Member, Workspace};

/// Runs `stage` on every selected member and returns what it made, in no particular order.
/// A member's packaged lock lists the other members it reaches, with the checksums of their
/// `.crate` files: those are packaged first, in waves (`stage` returns the checksum of the
/// `.crate` it packaged, when known).
pub fn in_waves<'m, T: Send>(
    workspace: &Workspace,
    selected: &[&'m Member],
    stage: impl Fn(&'m Member, &BTreeMap<String, MemberCrate>) -> (T, Option<MemberCrate>) + Sync,
) -> Vec<T> {
    let needs: BTreeMap<&str, Vec<String>> =
        selected.par_iter().map(|m| (m.name(), generated::lock_members(workspace, m))).collect();
    let mut checksums: BTreeMap<String, MemberCrate> = BTreeMap::new();
    let mut pending: Vec<&'m Member> = selected.to_vec();
    let mut results: Vec<T> = Vec::with_capacity(selected.len());
    while !pending.is_empty() {
        let selected_names: Vec<&str> = pending.iter().map(|m| m.name()).collect();
        let ready = |m: &Member| {
            needs[m.name()].iter().all(|n| !selected_names.contains(&n.as_str()) || n == m.name())
        };
        let (mut wave, rest): (Vec<&'m Member>, Vec<&'m Member>) =
            pending.iter().copied().partition(|m| ready(m));
        if wave.is_empty() {
            // A cycle through dev-dependencies: its checksums stay unknown.
            wave = rest.clone();
        }
        let done: Vec<(String, T, Option<MemberCrate>)> = wave
            .par_iter()
            .map(|member| {
                let (made, written) = stage(member, &checksums);
                (member.name().to_owned(), made, written)
            })
            .collect();
        for (name, made, written) in done {
            if let Some(written) = written {
                checksums.insert(name, written);
            }
            results.push(made);
        }
        pending = if wave.len() == pending.len() { Vec::new() } else { rest };
    }
    results
}
