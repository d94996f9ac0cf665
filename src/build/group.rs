//! Crates built together: one cargo call for several crates lets cargo compile the
//! dependencies of one while it compiles those of another (one crate's build alone keeps
//! two cores busy only part of the time), where their builds take turns otherwise.
//!
//! One call resolves the features of all its crates together, which cargo's verification
//! of one crate does not: a crate could build there only because another asks for a
//! feature. So crates are put together only where each package they share is compiled
//! with the same features in each one's own build (`cargo tree`), with the same resolver
//! and profiles; and the call only compiles: each crate's own build follows it and gives
//! the verdict, finding compiled what the call compiled (and compiling what it did not,
//! where `cargo tree` could not tell a difference).

use std::collections::{BTreeMap, BTreeSet};

/// Each package of a crate's build (`name vX.Y.Z`, with its source when not a registry's)
/// and the features it is compiled with (a package compiled for the build and for the
/// host, with different features, has two).
pub type Features = BTreeMap<String, BTreeSet<String>>;

/// `cargo tree --prefix none --format '{p}|{f}'` as [`Features`].
pub fn features(tree: &str) -> Features {
    let mut features = Features::new();
    for line in tree.lines() {
        let line = line.trim_end().trim_end_matches(" (*)");
        if let Some((package, enabled)) = line.rsplit_once('|') {
            features.entry(package.to_owned()).or_default().insert(enabled.to_owned());
        }
    }
    features
}

/// Whether every package the two builds share is compiled alike in both.
fn compatible(a: &Features, b: &Features) -> bool {
    a.iter().all(|(package, enabled)| b.get(package).is_none_or(|other| other == enabled))
}

/// A crate to build, as grouping sees it.
pub struct Candidate<'a> {
    pub name: &'a str,
    /// The members it depends on (built before it, or with it).
    pub needs: &'a BTreeSet<String>,
    /// Its resolver and profiles; `None`: it is built as its build's root, alone.
    pub settings: Option<&'a str>,
    /// `None`: not known, built alone.
    pub features: Option<&'a Features>,
}

/// The groups to build, in order, as indices into `candidates` (given in the publish
/// plan's order): each crate joins the first group, not before those of the members it
/// needs, whose crates all build alike with it, or starts a group of its own.
pub fn plan(candidates: &[Candidate]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, candidate) in candidates.iter().enumerate() {
        let earliest = candidate
            .needs
            .iter()
            .filter_map(|need| group_of.get(need.as_str()))
            .max()
            .copied()
            .unwrap_or(0);
        let fits = |group: &Vec<usize>| {
            let (Some(settings), Some(features)) = (candidate.settings, candidate.features) else {
                return false;
            };
            group.iter().all(|&other| {
                let other = &candidates[other];
                other.settings == Some(settings)
                    && other.features.is_some_and(|f| compatible(features, f))
            })
        };
        let group = match (earliest..groups.len()).find(|&g| fits(&groups[g])) {
            Some(group) => group,
            None => {
                groups.push(Vec::new());
                groups.len() - 1
            }
        };
        groups[group].push(index);
        group_of.insert(candidate.name, group);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_trees_features_are_read_per_package() {
        let tree = "app v0.1.0 (/c/sources/app-0.1.0)|default\nmemchr v2.7.4|alloc,std\n\
            serde v1.0.200|default,derive,std\nmemchr v2.7.4|alloc,std (*)\n\
            serde_derive v1.0.200 (proc-macro)|default\n";
        let features = features(tree);
        assert_eq!(features.len(), 4);
        assert_eq!(features["memchr v2.7.4"], BTreeSet::from(["alloc,std".to_owned()]));
        assert!(features.contains_key("serde_derive v1.0.200 (proc-macro)"));
    }

    #[test]
    fn crates_build_together_only_where_they_compile_alike() {
        let tree = |text: &str| features(&text.replace(';', "\n"));
        let a = tree("a v0.1.0|default;memchr v2.7.4|alloc,std");
        let b = tree("b v0.1.0|default;memchr v2.7.4|alloc,std;regex v1.0.0|default");
        let c = tree("c v0.1.0|default;memchr v2.7.4|alloc,default,std");
        let d = tree("d v0.1.0|default;a v0.1.0|default");
        let none = BTreeSet::new();
        let needs_a = BTreeSet::from(["a".to_owned()]);
        let candidate = |name, needs, features| Candidate {
            name,
            needs,
            settings: Some("2"),
            features: Some(features),
        };
        let alone = Candidate { name: "e", needs: &none, settings: None, features: Some(&a) };
        let candidates = [
            candidate("a", &none, &a),
            candidate("b", &none, &b),
            candidate("c", &none, &c),
            candidate("d", &needs_a, &d),
            alone,
        ];
        // c asks memchr for another feature: a group of its own; d joins a's group (it
        // needs a, built with it); e is built as its build's root, alone.
        assert_eq!(plan(&candidates), vec![vec![0, 1, 3], vec![2], vec![4]]);
    }
}
