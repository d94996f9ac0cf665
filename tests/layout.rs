//! The source tree reads like the pipeline, and modules point one way. Each top-level
//! module of `src/` is a room on a floor; a room may use rooms on lower floors and its own,
//! never one on its floor or above. So no import cycle can form between rooms, and within a
//! room none between files (parents and children aside: a folder's `mod.rs` and its files
//! share a room's private surface). Test code is left out: a test may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// The floors, lowest first; `ARCHITECTURE.md` draws the same picture.
const FLOORS: &[&[&str]] = &[
    &["base", "cli"],
    &["workspace"],
    &["package"],
    &["preview", "registry", "build"],
    &["review"],
    &["checks"],
    &["report"],
    &["site"],
    &["output"],
    &["run"],
    &["lib", "main"],
];

/// Files longer than this are two modules, unless they are one table.
const MAX_LINES: usize = 600;
const TABLES: &[&str] = &[];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every source file with its module path (`package::files`; `lib` and `main` for the roots).
fn modules() -> BTreeMap<Vec<String>, PathBuf> {
    let mut found = BTreeMap::new();
    for entry in walkdir::WalkDir::new(src()).sort_by_file_name() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(src()).unwrap().with_extension("");
        let mut module: Vec<String> =
            rel.components().map(|c| c.as_os_str().to_str().unwrap().to_owned()).collect();
        if module.last().is_some_and(|m| m == "mod") {
            module.pop();
        }
        found.insert(module, path.to_path_buf());
    }
    found
}

/// The `crate::…` paths a file names outside its `#[cfg(test)]` items.
#[derive(Default)]
struct CratePaths {
    paths: BTreeSet<Vec<String>>,
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr.parse_args::<syn::Meta>().is_ok_and(|meta| meta.path().is_ident("test"))
    })
}

impl<'ast> Visit<'ast> for CratePaths {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs = match item {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Use(u) => &u.attrs,
            _ => return syn::visit::visit_item(self, item),
        };
        if !is_test_only(attrs) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if segments.first().is_some_and(|s| s == "crate") {
            self.paths.insert(segments[1..].to_vec());
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        fn walk(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut BTreeSet<Vec<String>>) {
            match tree {
                syn::UseTree::Path(p) => {
                    prefix.push(p.ident.to_string());
                    walk(&p.tree, prefix, out);
                    prefix.pop();
                }
                syn::UseTree::Name(n) => {
                    out.insert([prefix.as_slice(), &[n.ident.to_string()]].concat());
                }
                syn::UseTree::Rename(r) => {
                    out.insert([prefix.as_slice(), &[r.ident.to_string()]].concat());
                }
                syn::UseTree::Glob(_) => {
                    out.insert(prefix.clone());
                }
                syn::UseTree::Group(g) => g.items.iter().for_each(|t| walk(t, prefix, out)),
            }
        }
        let mut all = BTreeSet::new();
        walk(&item.tree, &mut Vec::new(), &mut all);
        for path in all {
            if path.first().is_some_and(|s| s == "crate") {
                self.paths.insert(path[1..].to_vec());
            }
        }
    }
}

/// Which modules each module uses (the longest module path each `crate::` path starts with).
fn graph() -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let modules = modules();
    let mut graph = BTreeMap::new();
    for (module, path) in &modules {
        let text = std::fs::read_to_string(path).unwrap();
        let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut visitor = CratePaths::default();
        visitor.visit_file(&file);
        let used: BTreeSet<Vec<String>> = visitor
            .paths
            .iter()
            .filter_map(|p| {
                (1..=p.len()).rev().map(|n| p[..n].to_vec()).find(|m| modules.contains_key(m))
            })
            .filter(|m| m != module)
            .collect();
        graph.insert(module.clone(), used);
    }
    graph
}

fn room(module: &[String]) -> &str {
    module.first().map_or("lib", String::as_str)
}

fn floor(room: &str) -> usize {
    FLOORS
        .iter()
        .position(|floor| floor.contains(&room))
        .unwrap_or_else(|| panic!("src/{room} is on no floor of tests/layout.rs; place it"))
}

#[test]
fn rooms_use_only_rooms_below_them() {
    let mut wrong = Vec::new();
    for (module, used) in graph() {
        for target in used {
            let (from, to) = (room(&module), room(&target));
            if from != to && floor(from) <= floor(to) {
                wrong.push(format!("{} uses {}", module.join("::"), target.join("::")));
            }
        }
    }
    assert!(wrong.is_empty(), "imports that point up or sideways:\n{}", wrong.join("\n"));
}

#[test]
fn no_import_cycle_between_files() {
    let graph = graph();
    // A parent module and its descendants may name each other.
    let related = |a: &[String], b: &[String]| a.starts_with(b) || b.starts_with(a);
    let mut cycles = Vec::new();
    for start in graph.keys() {
        // Is `start` reachable from itself through unrelated modules?
        let mut stack: Vec<(Vec<String>, Vec<String>)> = vec![(start.clone(), vec![])];
        let mut seen = BTreeSet::new();
        while let Some((module, trail)) = stack.pop() {
            for next in &graph[&module] {
                if related(&module, next) {
                    continue;
                }
                let mut trail = trail.clone();
                trail.push(next.join("::"));
                if next == start {
                    cycles.push(format!("{} -> {}", start.join("::"), trail.join(" -> ")));
                } else if seen.insert(next.clone()) {
                    stack.push((next.clone(), trail));
                }
            }
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_root_holds_the_entry_points_and_no_file_is_two_modules() {
    let root: Vec<String> = std::fs::read_dir(src())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(root.len() <= 5, "src/ holds {} files: {root:?}", root.len());
    let mut long = Vec::new();
    for path in modules().values() {
        let rel = path.strip_prefix(src()).unwrap().to_string_lossy().into_owned();
        let lines = std::fs::read_to_string(path).unwrap().lines().count();
        if lines > MAX_LINES && !TABLES.contains(&rel.as_str()) {
            long.push(format!("src/{rel}: {lines} lines"));
        }
    }
    assert!(long.is_empty(), "files past {MAX_LINES} lines:\n{}", long.join("\n"));
}
