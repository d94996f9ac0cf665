//! Whether each symbolic link of a past revision stays inside the checkout, resolved on the
//! [`Model`] as the operating system will resolve it on disk: component by component from
//! the link's own folder, following every link it passes through (a lexical check alone
//! passes `d/l2 -> ../l1/..`, which climbs out when `l1 -> .`). The disk holds exactly the
//! model (plus `.git`, which no target may name), so a link that resolves inside here
//! resolves inside there. A target that stops at a name the tree does not hold, or goes on
//! below a file, never resolves at all, as on a clean clone: it is written, dangling.

use gix::bstr::{BStr, ByteSlice};

use super::tree::{Kind, Model};
use super::{EntryPath, Problem, Unreadable, names};

/// Links followed within one resolution, as Linux's `MAXSYMLINKS`.
const HOPS: usize = 40;

/// Checks every link of `model`, resolving them all within `steps` path components.
pub fn check(model: &Model, steps: usize) -> Result<(), Unreadable> {
    let mut budget = steps;
    for (index, node) in model.nodes.iter().enumerate() {
        if let Kind::Link { target } = &node.kind {
            resolve(model, node.parent, target.as_bstr(), &mut budget, steps).map_err(
                |problem| Unreadable::Entry { path: EntryPath(model.path(index)), problem },
            )?;
        }
    }
    Ok(())
}

/// Resolves `target` from the folder `from`; `budget` is what is left of `steps`.
fn resolve<'m>(
    model: &'m Model,
    from: usize,
    target: &'m BStr,
    budget: &mut usize,
    steps: usize,
) -> Result<(), Problem> {
    if target.is_empty() || target.contains(&0) {
        return Err(Problem::LinkTarget);
    }
    let mut at = from;
    let mut hops = 0;
    // The components still to walk, the next one last.
    let mut pending: Vec<&[u8]> = Vec::new();
    push(&mut pending, target)?;
    while let Some(part) = pending.pop() {
        *budget = budget.checked_sub(1).ok_or(Problem::LinkSteps(steps))?;
        match part {
            b"" | b"." => {}
            b".." if at == 0 => return Err(Problem::LinkEscapes),
            b".." => at = model.nodes[at].parent,
            name => {
                let name = name.as_bstr();
                if names::is_dot_git(name) {
                    return Err(Problem::LinkIntoGit);
                }
                // Below a submodule's empty folder there is nothing.
                let Kind::Folder { children, .. } = &model.nodes[at].kind else { return Ok(()) };
                let Some(&child) = children.get(&names::folded(name)) else { return Ok(()) };
                let node = &model.nodes[child];
                if node.name != name {
                    // Found where case or normalization is ignored only: refused, not guessed.
                    return Err(Problem::LinkCase(name.to_owned()));
                }
                match &node.kind {
                    Kind::Folder { .. } | Kind::Submodule => at = child,
                    Kind::File { .. } => return Ok(()),
                    Kind::Link { target } => {
                        hops += 1;
                        if hops > HOPS {
                            return Err(Problem::LinkLoop(HOPS));
                        }
                        push(&mut pending, target)?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Puts the components of a relative `target` on `pending`, the first one last.
fn push<'m>(pending: &mut Vec<&'m [u8]>, target: &'m [u8]) -> Result<(), Problem> {
    if target.starts_with(b"/") {
        return Err(Problem::LinkAbsolute);
    }
    pending.extend(target.split(|&b| b == b'/').rev());
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use gix::bstr::BString;

    use super::*;
    use crate::review::revision::tree::Node;

    /// A model of `entries` (`path`, and `Some(target)` for a link, `None` for a folder;
    /// `"f:"` before a name makes a file), each folder before what it holds.
    fn model(entries: &[(&str, Option<&str>)]) -> Model {
        let root = Kind::Folder { children: HashMap::new(), depth: 0 };
        let mut model =
            Model { nodes: vec![Node { parent: 0, name: BString::default(), kind: root }] };
        for (path, target) in entries {
            let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
            let parent = (0..model.nodes.len()).find(|&i| model.path(i) == folder).unwrap();
            let kind = match (target, name.strip_prefix("f:")) {
                (Some(target), _) => Kind::Link { target: (*target).into() },
                (None, Some(_)) => {
                    Kind::File { id: gix::ObjectId::null(gix::hash::Kind::Sha1), executable: false }
                }
                (None, None) => Kind::Folder { children: HashMap::new(), depth: 0 },
            };
            let name: BString = name.trim_start_matches("f:").into();
            let index = model.nodes.len();
            if let Kind::Folder { children, .. } = &mut model.nodes[parent].kind {
                children.insert(names::folded(name.as_bstr()), index);
            }
            model.nodes.push(Node { parent, name, kind });
        }
        model
    }

    fn checked(entries: &[(&str, Option<&str>)]) -> Result<(), Problem> {
        check(&model(entries), 1000).map_err(|e| match e {
            Unreadable::Entry { problem, .. } => problem,
            other => panic!("{other}"),
        })
    }

    #[test]
    fn links_inside_pass_and_dangling_ones_are_harmless() {
        let ok = [
            ("crates", None),
            ("crates/a", None),
            ("f:README.md", None),
            ("crates/a/README.md", Some("../../README.md")),
            ("crates/a/self", Some(".")),
            ("crates/a/gone", Some("missing/../../../../x")),
            ("crates/a/below-a-file", Some("README.md/../../../../x")),
            ("root", Some(".")),
            ("docs", Some("crates//a/")),
        ];
        assert_eq!(checked(&ok), Ok(()));
    }

    #[test]
    fn chained_links_that_climb_out_are_refused() {
        // Each passes a lexical check; followed, each climbs one level more.
        let chain = [("l1", Some(".")), ("d", None), ("d/l2", Some("../l1/.."))];
        assert_eq!(checked(&chain), Err(Problem::LinkEscapes));
        assert_eq!(checked(&[("d", None), ("d/up", Some("../.."))]), Err(Problem::LinkEscapes));
        assert_eq!(checked(&[("abs", Some("/etc/passwd"))]), Err(Problem::LinkAbsolute));
        let through_absolute = [("abs", Some("/")), ("x", Some("abs/etc"))];
        assert_eq!(checked(&through_absolute), Err(Problem::LinkAbsolute));
    }

    #[test]
    fn loops_git_case_and_empty_targets_are_refused() {
        assert_eq!(checked(&[("a", Some("b")), ("b", Some("a"))]), Err(Problem::LinkLoop(HOPS)));
        assert_eq!(checked(&[("g", Some(".git/config"))]), Err(Problem::LinkIntoGit));
        assert_eq!(checked(&[("a", None), ("g", Some("a/../.GIT"))]), Err(Problem::LinkIntoGit));
        let case = [("Docs", None), ("l", Some("docs/x"))];
        assert_eq!(checked(&case), Err(Problem::LinkCase("docs".into())));
        let composed = [("\u{fc}p", Some(".")), ("d", None), ("d/l", Some("../u\u{308}p/.."))];
        assert!(matches!(checked(&composed), Err(Problem::LinkCase(_))), "ü as u and ¨");
        assert_eq!(checked(&[("e", Some(""))]), Err(Problem::LinkTarget));
        assert_eq!(checked(&[("n", Some("a\0b"))]), Err(Problem::LinkTarget));
    }

    #[test]
    fn resolution_is_bounded_in_total() {
        let long = "./".repeat(600);
        let links: Vec<(String, Option<&str>)> =
            (0..2).map(|i| (format!("l{i}"), Some(long.as_str()))).collect();
        let entries: Vec<(&str, Option<&str>)> =
            links.iter().map(|(name, target)| (name.as_str(), *target)).collect();
        assert_eq!(
            check(&model(&entries), 1000).map_err(|e| e.to_string()).unwrap_err(),
            "its tree was not written out: entry \"l1\" is a symbolic link whose resolution, with the others', takes over 1000 steps"
        );
    }
}
