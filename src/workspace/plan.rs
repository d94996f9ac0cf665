//! The publish plan: in which order the workspace's crates must go to crates.io, so that
//! every crate's workspace dependencies are already there when it is uploaded.

use std::collections::{BTreeMap, BTreeSet};

use crate::workspace::MemberEdge;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishPlan {
    /// Dependencies first; among crates that are ready at the same time, by name.
    pub order: Vec<String>,
    /// Crates left over because they depend on each other in a cycle, by name.
    pub cycle: Vec<String>,
    /// A dependency that closes a cycle (`from` needs `to`): cutting it is a start.
    pub cycle_edge: Option<(String, String)>,
    /// For each crate of the plan, the crates of the plan it needs first.
    pub needs: BTreeMap<String, Vec<String>>,
    /// For each crate of the plan, the crates of the plan that need it.
    pub needed_by: BTreeMap<String, Vec<String>>,
}

/// Orders `crates` (the publishable, selected members) by the dependency `edges` between
/// them (edges to other crates are ignored).
pub fn plan(crates: &[String], edges: &[MemberEdge]) -> PublishPlan {
    let members: BTreeSet<&str> = crates.iter().map(String::as_str).collect();
    let mut needs: BTreeMap<String, BTreeSet<String>> =
        crates.iter().map(|c| (c.clone(), BTreeSet::new())).collect();
    let mut needed_by = needs.clone();
    for edge in edges {
        if members.contains(edge.from.as_str()) && members.contains(edge.to.as_str()) {
            needs.entry(edge.from.clone()).or_default().insert(edge.to.clone());
            needed_by.entry(edge.to.clone()).or_default().insert(edge.from.clone());
        }
    }

    let mut waiting: BTreeMap<&str, usize> =
        needs.iter().map(|(name, deps)| (name.as_str(), deps.len())).collect();
    let mut ready: BTreeSet<&str> =
        waiting.iter().filter(|(_, n)| **n == 0).map(|(name, _)| *name).collect();
    let mut order = Vec::with_capacity(crates.len());
    while let Some(next) = ready.pop_first() {
        waiting.remove(next);
        order.push(next.to_owned());
        for dependent in &needed_by[next] {
            if let Some(n) = waiting.get_mut(dependent.as_str()) {
                *n -= 1;
                if *n == 0 {
                    ready.insert(dependent.as_str());
                }
            }
        }
    }
    let cycle: Vec<String> = waiting.keys().map(|name| (*name).to_owned()).collect();
    let cycle_edge = closing_edge(&cycle, &needs);
    let flatten = |map: BTreeMap<String, BTreeSet<String>>| {
        map.into_iter().map(|(k, v)| (k, v.into_iter().collect())).collect()
    };
    PublishPlan { order, cycle, cycle_edge, needs: flatten(needs), needed_by: flatten(needed_by) }
}

/// Walks the left-over crates from the first one, always to its first left-over
/// dependency, until a crate repeats: the step that reached it closes a cycle.
fn closing_edge(
    left: &[String],
    needs: &BTreeMap<String, BTreeSet<String>>,
) -> Option<(String, String)> {
    let mut path: Vec<&String> = vec![left.first()?];
    loop {
        let current = *path.last()?;
        let next = needs.get(current)?.iter().find(|d| left.contains(d))?;
        if path.contains(&next) {
            return Some((current.clone(), next.clone()));
        }
        path.push(next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(from: &str, to: &str) -> MemberEdge {
        MemberEdge { from: from.into(), to: to.into(), kind: "normal", req: "^0.1".into() }
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn dependencies_come_first() {
        let plan = plan(
            &names(&["app", "core", "utils"]),
            &[edge("app", "utils"), edge("app", "core"), edge("utils", "core")],
        );
        assert_eq!(plan.order, names(&["core", "utils", "app"]));
        assert!(plan.cycle.is_empty());
        assert_eq!(plan.needs["app"], names(&["core", "utils"]));
        assert_eq!(plan.needed_by["core"], names(&["app", "utils"]));
    }

    #[test]
    fn diamond_is_ordered_by_name_among_equals() {
        let plan = plan(
            &names(&["top", "left", "right", "base"]),
            &[
                edge("top", "left"),
                edge("top", "right"),
                edge("left", "base"),
                edge("right", "base"),
            ],
        );
        assert_eq!(plan.order, names(&["base", "left", "right", "top"]));
    }

    #[test]
    fn a_cycle_is_left_over() {
        let plan = plan(&names(&["a", "b", "c"]), &[edge("a", "b"), edge("b", "a")]);
        assert_eq!(plan.order, names(&["c"]));
        assert_eq!(plan.cycle, names(&["a", "b"]));
        assert_eq!(plan.cycle_edge, Some(("b".into(), "a".into())));
    }

    #[test]
    fn edges_to_crates_outside_the_plan_are_ignored() {
        let plan = plan(&names(&["a"]), &[edge("a", "internal")]);
        assert_eq!(plan.order, names(&["a"]));
    }
}
