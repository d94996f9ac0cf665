//! The archive as the crate page's file tree: nested folders in cargo's order, each file
//! flagged by the checks that name it, each folder carrying its files' flags.

use std::collections::BTreeMap;

use super::view::{FileFlag, TreeNode};
use crate::base::format::human_size;
use crate::base::shown::Shown;
use crate::package::Origin;
use crate::report::CrateReport;

/// Folders shown open in the archive tree when the whole tree has at most this many files.
const OPEN_TREE_FILES: usize = 40;

/// The archive as nested folders, keeping cargo's order (its `PathBuf` order keeps each
/// folder's files together).
pub(super) fn tree(krate: &CrateReport) -> Vec<TreeNode> {
    let mut root: Vec<TreeNode> = Vec::new();
    for file in &krate.archive.files {
        let parts: Vec<&str> = file.path.split('/').collect();
        let mut level = &mut root;
        for (depth, part) in parts.iter().enumerate() {
            let is_file = depth == parts.len() - 1;
            let reuse = !is_file && level.last().is_some_and(|n| n.is_dir && n.name == *part);
            if !reuse {
                level.push(TreeNode {
                    name: Shown::new(part),
                    path: Shown::new(parts[..=depth].join("/")),
                    is_dir: !is_file,
                    size: 0,
                    size_human: String::new(),
                    origin: origin_name(if is_file { file.origin } else { Origin::Disk })
                        .to_owned(),
                    file_count: 0,
                    flags: Vec::new(),
                    open: false,
                    children: Vec::new(),
                });
            }
            let node = level.last_mut().expect("just pushed or reused");
            node.size += file.size;
            if !is_file {
                node.file_count += 1;
            }
            level = &mut node.children;
        }
    }
    let mut flags: BTreeMap<&Shown, Vec<FileFlag>> = BTreeMap::new();
    for check in krate.checks.iter().filter(|c| c.counts()) {
        for path in &check.files {
            flags.entry(path).or_default().push(FileFlag {
                id: check.id.to_owned(),
                severity: check.severity.as_str().to_owned(),
                anchor: format!("#check-{}", check.id),
            });
        }
    }
    let open = krate.archive.file_count <= OPEN_TREE_FILES;
    finish(&mut root, &flags, open);
    root
}

/// Sets sizes, flags and which folders start open, bottom-up. A folder carries the flags
/// of the files below it (once per check).
fn finish(nodes: &mut [TreeNode], flags: &BTreeMap<&Shown, Vec<FileFlag>>, open: bool) {
    for node in nodes {
        finish(&mut node.children, flags, open);
        node.size_human = human_size(node.size);
        if node.is_dir {
            let mut below: Vec<FileFlag> = Vec::new();
            for flag in node.children.iter().flat_map(|c| &c.flags) {
                if !below.iter().any(|f| f.id == flag.id) {
                    below.push(flag.clone());
                }
            }
            node.flags = below;
            node.open = open || !node.flags.is_empty();
        } else {
            node.flags = flags.get(&node.path).cloned().unwrap_or_default();
        }
    }
}

fn origin_name(origin: Origin) -> &'static str {
    match origin {
        Origin::Disk => "disk",
        Origin::Generated => "generated",
        Origin::Outside => "outside",
    }
}
