//! Random trees for the revision reader, shared by the fuzz target `revision` and the
//! property in `tests/properties.rs` (which runs it in CI): bytes are read as a recipe for
//! git objects (names drawn from hostile ones: `.`, `..`, `a/b`, `.git` spellings, names
//! that collide by case; modes of folders, files, executables, links and submodules; link
//! targets of `.`, `..` and names, chained), written raw into a bare repository, and the
//! reader is run on their commit. The property: whatever it decides, nothing exists outside
//! its throwaway folder afterwards, and every link it wrote resolves inside that folder.

use std::fs;

use cargo_readiness::review::revision::{self, Limits};
use gix::ObjectId;
use gix::objs::Kind;
use gix::prelude::Write;

/// Entry names: plain ones (some equal but for case), and every kind the reader refuses.
const NAMES: &[&[u8]] = &[
    b"a",
    b"A",
    b"b",
    b"l",
    b"d",
    b"Cargo.toml",
    b"README.md",
    b"readme.md",
    b".",
    b"..",
    b"",
    b"a/b",
    b"../x",
    b".git",
    b".GIT",
    b"git~1",
    b"x\\y",
    b"\xff",
    b"\n::error::x",
];

/// Components of link targets, joined by `/`.
const PARTS: &[&[u8]] = &[b".", b"..", b"a", b"A", b"b", b"l", b"d", b"", b".git", b"Cargo.toml"];

/// Reads bytes one at a time; zeros once they run out, so every recipe ends.
struct Recipe<'a>(&'a [u8]);

impl Recipe<'_> {
    fn next(&mut self, below: usize) -> usize {
        let Some((&first, rest)) = self.0.split_first() else { return 0 };
        self.0 = rest;
        usize::from(first) % below
    }
}

/// Writes the objects `data` describes into `repo`; the commit of their root tree.
pub fn commit_from(repo: &gix::Repository, data: &[u8]) -> ObjectId {
    let tree = tree(repo, &mut Recipe(data), 0);
    let commit = format!("tree {tree}\nauthor t <t@t> 0 +0000\ncommitter t <t@t> 0 +0000\n\nm\n");
    repo.objects.write_buf(Kind::Commit, commit.as_bytes()).unwrap()
}

fn tree(repo: &gix::Repository, recipe: &mut Recipe, depth: usize) -> ObjectId {
    let blob = |bytes: &[u8]| repo.objects.write_buf(Kind::Blob, bytes).unwrap();
    let mut bytes = Vec::new();
    for _ in 0..recipe.next(7) {
        let name = NAMES[recipe.next(NAMES.len())];
        let (mode, id): (&[u8], ObjectId) = match recipe.next(6) {
            0 | 1 if depth < 4 => (b"40000", tree(repo, recipe, depth + 1)),
            0..=2 => (b"100644", blob(b"[package]\n")),
            3 => (b"100755", blob(b"#!/bin/sh\n")),
            4 => {
                let parts: Vec<&[u8]> =
                    (0..=recipe.next(4)).map(|_| PARTS[recipe.next(PARTS.len())]).collect();
                (b"120000", blob(&parts.join(&b'/')))
            }
            _ => (b"160000", blob(b"not a commit")),
        };
        bytes.extend_from_slice(mode);
        bytes.push(b' ');
        bytes.extend_from_slice(name);
        bytes.push(0);
        bytes.extend_from_slice(id.as_bytes());
    }
    repo.objects.write_buf(Kind::Tree, &bytes).unwrap()
}

/// Builds the tree `data` describes and runs the reader on it, three folders below a
/// temporary root so that a link climbing out would still land inside that root; panics
/// when the property does not hold.
pub fn check(data: &[u8]) {
    let tmp = tempfile::tempdir().unwrap();
    let git = tmp.path().join("repo.git");
    let repo = gix::init_bare(&git).unwrap();
    let commit = commit_from(&repo, data);
    let parent = tmp.path().join("a/b/checkouts");
    fs::create_dir_all(&parent).unwrap();
    let limits = Limits { entries: 64, ..Limits::DEFAULT };
    let checkout = revision::checkout(&git, &commit.to_string(), Some(&parent), &limits);
    if let Ok(checkout) = &checkout {
        let root = fs::canonicalize(checkout.root()).unwrap();
        for entry in walkdir::WalkDir::new(&root).into_iter().map(Result::unwrap) {
            let inside =
                fs::canonicalize(entry.path()).map_or(true, |real| real.starts_with(&root));
            assert!(inside, "{} leads outside the checkout", entry.path().display());
        }
    }
    drop(checkout);
    // Nothing beside the repository but the (now removed) checkout's folders.
    let outside: Vec<_> = walkdir::WalkDir::new(tmp.path())
        .into_iter()
        .filter_entry(|e| e.path() != git)
        .map(|e| e.unwrap().into_path())
        .filter(|path| !tmp.path().join("a/b/checkouts").starts_with(path))
        .collect();
    assert!(outside.is_empty(), "written outside the checkout: {outside:?}");
}
