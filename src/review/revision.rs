//! A past revision of the repository, read from git's objects: resolved from a name (tag,
//! branch, commit), its release tags found, and its tree written out into a throwaway
//! checkout so that every stage can run on it as it runs on the work tree. The work tree
//! and the repository are never written to.
//!
//! A revision is hostile data: a pull request can push any tree object, and git accepts
//! entries named `.`, `..`, `a/b` or twice with only an fsck warning. So the tree is read
//! entry by entry into a model first ([`tree`]), every name judged ([`names`]), every bound
//! ([`Limits`]) and every symbolic link ([`links`]) checked against that model, and only a
//! tree that passes is written ([`write`]): folders and files with `create_new` semantics
//! (no path is ever opened that exists, so no write goes through a link), the links last.
//! Anything refused is an [`Unreadable`] that names the entry and the problem; the caller
//! shows it as "not compared", never as a partial tree compared as if whole.
//!
//! The checkout is a folder of the tree's files beside a `.git` that borrows the
//! repository's objects (`objects/info/alternates`), whose `HEAD` is the commit and whose
//! index is the tree: cargo's git-mode listing reads it exactly as it would read a clean
//! clone at that commit.

mod file;
mod links;
mod names;
mod tree;
mod write;

use std::path::Path;

use gix::bstr::{BString, ByteSlice};

pub use file::read_file;
pub use names::BadName;

/// A revision checked out into a temporary folder (removed when dropped).
pub struct Checkout {
    dir: tempfile::TempDir,
}

impl Checkout {
    /// The checkout's folder for the repository's root.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }
}

/// What a past revision may hold before it is refused. A real repository is far inside
/// every bound; each exists so that a crafted tree costs bounded time, memory and disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Entries of all its trees together (files, folders, links, submodules).
    pub entries: usize,
    /// Folders nested in folders.
    pub depth: usize,
    /// Bytes of any one object (a file, a link, a tree), as its header says.
    pub object_bytes: u64,
    /// Bytes of every object read, together.
    pub total_bytes: u64,
    /// Bytes of every symbolic link's target, together (each is held while links resolve).
    pub link_bytes: u64,
    /// Path components looked up while resolving every symbolic link, together.
    pub link_steps: usize,
}

impl Limits {
    /// The bounds a run uses.
    ///
    /// - 500,000 entries: five times the Linux kernel's tree (about 90,000 files), the
    ///   largest tree a Rust workspace plausibly sits in; with names of at most 255 bytes
    ///   (`NAME_MAX`) the model stays under about 300 MB even then.
    /// - 128 levels: real source trees nest a dozen or two; deeper paths approach `PATH_MAX`
    ///   (4096 bytes) with names of ordinary length.
    /// - 100 MiB an object: GitHub refuses to store a file over 100 MiB, and crates.io a
    ///   `.crate` over 10 MiB; one object is held in memory while it is written.
    /// - 1 GiB in all: GitHub's recommended ceiling for a whole repository, compressed;
    ///   this much is written to the cache folder for the time of one comparison.
    /// - 16 MiB of link targets: 4,000 links of the longest path Linux follows (`PATH_MAX`);
    ///   a real repository's links are a few dozen bytes each.
    /// - 1,000,000 link steps: a few per link in a real repository; at most 40 links are
    ///   followed per resolution (Linux's `MAXSYMLINKS`), so without a total a tree of long
    ///   chained links would cost time quadratic in its size.
    pub const DEFAULT: Limits = Limits {
        entries: 500_000,
        depth: 128,
        object_bytes: 100 << 20,
        total_bytes: 1 << 30,
        link_bytes: 16 << 20,
        link_steps: 1_000_000,
    };
}

/// Why a revision cannot be compared: one line naming the entry and the problem.
#[derive(Debug, thiserror::Error)]
pub enum Unreadable {
    #[error("not a git repository ({0})")]
    Repository(String),
    #[error("not a revision name")]
    NotARevisionName,
    #[error("no such revision in this repository ({0})")]
    NoSuchRevision(String),
    #[error("not a commit ({0})")]
    NotACommit(String),
    #[error("{0} does not exist at this revision")]
    NoSuchFile(EntryPath),
    /// An entry of the tree that is not written out.
    #[error("its tree was not written out: {path} {problem}")]
    Entry { path: EntryPath, problem: Problem },
    #[error("its tree was not written out: it holds more than {0} entries")]
    TooManyEntries(usize),
    #[error("its tree was not written out: its objects add up to more than {0} bytes")]
    TooManyBytes(u64),
    #[error("its tree was not written out: its symbolic links add up to more than {0} bytes")]
    TooManyLinkBytes(u64),
    #[error("its objects could not be read: {path}: {message}")]
    Objects { path: EntryPath, message: String },
    #[error("its checkout could not be written: {path}: {source}")]
    Io { path: EntryPath, source: std::io::Error },
    /// The cache folder refused a new folder (its kind only: the error holds the absolute
    /// path).
    #[error("no folder could be made for its checkout ({})", .0.kind())]
    Folder(std::io::Error),
}

/// The path of a tree entry, shown quoted with every unusual byte escaped (a name may hold
/// a newline, an escape sequence or bytes that are not UTF-8), and cut in the middle past
/// [`EntryPath::SHOWN`] characters (a name may be megabytes long).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryPath(pub BString);

impl EntryPath {
    /// The characters shown of a long path, half from its start and half from its end.
    pub const SHOWN: usize = 120;
}

impl std::fmt::Display for EntryPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() {
            return f.write_str("the root tree");
        }
        let quoted = format!("{:?}", self.0);
        let count = quoted.chars().count();
        if count <= Self::SHOWN {
            return write!(f, "entry {quoted}");
        }
        let half = Self::SHOWN / 2;
        let head: String = quoted.chars().take(half).collect();
        let tail: String = quoted.chars().skip(count - half).collect();
        write!(f, "entry {head}…{tail}")
    }
}

/// What is wrong with one entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("{0}")]
    Name(#[from] BadName),
    #[error("is a second entry of that name in its folder")]
    Duplicate,
    #[error("collides with {0:?} on a case-insensitive file system")]
    CaseCollision(BString),
    #[error("has the unknown mode {0:o}")]
    UnknownMode(u16),
    #[error("nests folders deeper than {0}")]
    TooDeep(usize),
    #[error("is an object of {size} bytes, over the bound of {bound} bytes")]
    TooLarge { size: u64, bound: u64 },
    #[error("is a symbolic link whose target is empty or holds a NUL byte")]
    LinkTarget,
    #[error("is a symbolic link to an absolute path")]
    LinkAbsolute,
    #[error("is a symbolic link that leads outside the checkout")]
    LinkEscapes,
    #[error("is a symbolic link into `.git`")]
    LinkIntoGit,
    #[error("is a symbolic link that goes through more than {0} links")]
    LinkLoop(usize),
    #[error("is a symbolic link through {0:?}, another entry on a case-insensitive file system")]
    LinkCase(BString),
    #[error("is a symbolic link whose resolution, with the others', takes over {0} steps")]
    LinkSteps(usize),
    #[error("is not a regular file (a folder, a symbolic link or a submodule)")]
    NotAFile,
    #[error("is not a relative path of `/`-separated names")]
    NotAPath,
}

/// The repository whose work tree holds `dir`.
fn open(dir: &Path) -> Result<gix::Repository, Unreadable> {
    gix::discover(dir).map_err(|e| Unreadable::Repository(one_line(&e)))
}

/// Resolves `rev` in the repository around `dir` to a commit id (full hex).
pub fn resolve(dir: &Path, rev: &str) -> Result<String, Unreadable> {
    commit_of(&open(dir)?, rev).map(|c| c.to_string())
}

fn commit_of(repo: &gix::Repository, rev: &str) -> Result<gix::ObjectId, Unreadable> {
    if rev.starts_with('-') || rev.contains(|c: char| c.is_control()) {
        return Err(Unreadable::NotARevisionName);
    }
    let id = repo
        .rev_parse_single(rev.as_bytes().as_bstr())
        .map_err(|e| Unreadable::NoSuchRevision(one_line(&e)))?;
    let commit = id
        .object()
        .map_err(|e| Unreadable::NoSuchRevision(one_line(&e)))?
        .peel_to_commit()
        .map_err(|e| Unreadable::NotACommit(one_line(&e)))?;
    Ok(commit.id)
}

fn one_line(error: &dyn std::fmt::Display) -> String {
    crate::base::error::one_line(&error.to_string())
}

/// Writes the tree of `rev` (of the repository around `repository`) into a new folder
/// inside `parent` (the system's temporary folder when `None`), when every entry passes
/// and the tree stays within `limits`. Nothing outside that folder is ever written, and
/// on any refusal the folder is removed.
pub fn checkout(
    repository: &Path,
    rev: &str,
    parent: Option<&Path>,
    limits: &Limits,
) -> Result<Checkout, Unreadable> {
    let repo = open(repository)?;
    let commit = commit_of(&repo, rev)?;
    let objects = |e: &dyn std::fmt::Display| Unreadable::Objects {
        path: EntryPath(BString::default()),
        message: one_line(e),
    };
    let tree_id = repo.find_commit(commit).and_then(|c| c.tree_id()).map_err(|e| objects(&e))?;
    let model = tree::read(&repo, tree_id.detach(), limits)?;
    links::check(&model, limits.link_steps)?;
    let dir = temporary_folder(parent).map_err(Unreadable::Folder)?;
    write::git_dir(&repo, commit, tree_id.detach(), dir.path())?;
    write::tree(&repo, &model, dir.path())?;
    Ok(Checkout { dir })
}

fn temporary_folder(parent: Option<&Path>) -> std::io::Result<tempfile::TempDir> {
    let mut builder = tempfile::Builder::new();
    builder.prefix("checkout-");
    match parent {
        Some(parent) => {
            std::fs::create_dir_all(parent)?;
            builder.tempdir_in(parent)
        }
        None => builder.tempdir(),
    }
}

/// A release tag and the commit it points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// Its short name (`my-crate-v1.2.0`).
    pub name: String,
    pub commit: String,
}

/// Every tag of the repository around `dir` that points (through tag objects) to a commit,
/// by name.
pub fn tags(dir: &Path) -> Vec<Tag> {
    let Ok(repo) = open(dir) else { return Vec::new() };
    let Ok(references) = repo.references() else { return Vec::new() };
    let Ok(tags) = references.tags() else { return Vec::new() };
    let mut found: Vec<Tag> = tags
        .filter_map(Result::ok)
        .filter_map(|mut reference| {
            let name = reference.name().shorten().to_str().ok()?.to_owned();
            let commit = reference.peel_to_commit().ok()?.id.to_string();
            Some(Tag { name, commit })
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use gix::ObjectId;
    use gix::objs::Kind;
    use gix::prelude::Write;

    /// A bare repository in a temporary folder, with a `checkouts` folder beside it.
    fn repository() -> (tempfile::TempDir, gix::Repository) {
        let tmp = tempfile::tempdir().unwrap();
        let repo = gix::init_bare(tmp.path().join("repo.git")).unwrap();
        std::fs::create_dir(tmp.path().join("checkouts")).unwrap();
        (tmp, repo)
    }

    fn blob(repo: &gix::Repository, bytes: &[u8]) -> ObjectId {
        repo.objects.write_buf(Kind::Blob, bytes).unwrap()
    }

    /// A tree object of exactly these entries (mode, name, id), in this order.
    fn tree(repo: &gix::Repository, entries: &[(&str, &str, ObjectId)]) -> ObjectId {
        let mut bytes = Vec::new();
        for (mode, name, id) in entries {
            bytes.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            bytes.extend_from_slice(id.as_bytes());
        }
        repo.objects.write_buf(Kind::Tree, &bytes).unwrap()
    }

    /// Checks out a commit of `tree` within `limits`.
    fn checked_out(
        tmp: &tempfile::TempDir,
        repo: &gix::Repository,
        tree: ObjectId,
        limits: &Limits,
    ) -> Result<Checkout, Unreadable> {
        let commit =
            format!("tree {tree}\nauthor t <t@t> 0 +0000\ncommitter t <t@t> 0 +0000\n\nm\n");
        let commit = repo.objects.write_buf(Kind::Commit, commit.as_bytes()).unwrap();
        let parent = tmp.path().join("checkouts");
        checkout(repo.git_dir(), &commit.to_string(), Some(&parent), limits)
    }

    #[cfg(unix)]
    #[test]
    fn a_tree_is_written_as_a_clean_clone_has_it() {
        use std::os::unix::fs::PermissionsExt;
        let (tmp, repo) = repository();
        let readme = blob(&repo, b"# readme\n");
        let script = blob(&repo, b"#!/bin/sh\n");
        let up = blob(&repo, b"../README.md");
        let a = tree(&repo, &[("120000", "README.md", up), ("100755", "run.sh", script)]);
        let root = tree(
            &repo,
            &[("100644", "README.md", readme), ("40000", "a", a), ("160000", "sub", readme)],
        );
        let checkout = checked_out(&tmp, &repo, root, &Limits::DEFAULT).unwrap();
        let at = checkout.root();
        assert_eq!(std::fs::read_to_string(at.join("a/README.md")).unwrap(), "# readme\n");
        assert_eq!(std::fs::read_link(at.join("a/README.md")).unwrap(), Path::new("../README.md"));
        let mode = std::fs::metadata(at.join("a/run.sh")).unwrap().permissions().mode();
        assert_eq!(mode & 0o100, 0o100, "executable");
        assert_eq!(std::fs::read_dir(at.join("sub")).unwrap().count(), 0, "a submodule is empty");
        assert!(at.join(".git/index").is_file());
        drop(checkout);
        assert_eq!(std::fs::read_dir(tmp.path().join("checkouts")).unwrap().count(), 0);
    }

    #[test]
    fn each_bound_refuses_the_whole_tree_and_leaves_no_folder() {
        let (tmp, repo) = repository();
        let hundred = blob(&repo, &[b'x'; 100]);
        let link = blob(&repo, b"a/./././.");
        let inner = tree(&repo, &[("100644", "f", hundred)]);
        let a = tree(&repo, &[("40000", "b", inner)]);
        let root =
            tree(&repo, &[("40000", "a", a), ("120000", "l", link), ("100644", "g", hundred)]);
        let cases = [
            (Limits { entries: 4, ..Limits::DEFAULT }, "it holds more than 4 entries"),
            (Limits { depth: 1, ..Limits::DEFAULT }, "entry \"a/b\" nests folders deeper than 1"),
            (
                Limits { object_bytes: 99, ..Limits::DEFAULT },
                "entry \"g\" is an object of 100 bytes",
            ),
            (Limits { total_bytes: 150, ..Limits::DEFAULT }, "add up to more than 150 bytes"),
            (
                Limits { link_bytes: 8, ..Limits::DEFAULT },
                "its symbolic links add up to more than 8",
            ),
            (Limits { link_steps: 3, ..Limits::DEFAULT }, "entry \"l\" is a symbolic link whose"),
        ];
        for (limits, expected) in cases {
            let refused = checked_out(&tmp, &repo, root, &limits).err().unwrap().to_string();
            assert!(refused.contains(expected), "{refused}");
            assert_eq!(std::fs::read_dir(tmp.path().join("checkouts")).unwrap().count(), 0);
        }
        assert!(checked_out(&tmp, &repo, root, &Limits::DEFAULT).is_ok());
    }

    #[test]
    fn entry_paths_are_escaped_and_cut() {
        let shown = EntryPath(BString::from(&b"a\n\x1b[2J\xff"[..])).to_string();
        assert_eq!(shown, "entry \"a\\n\\x1b[2J\\xff\"");
        let long = EntryPath(BString::from("x".repeat(100_000))).to_string();
        assert_eq!(long.chars().count(), "entry ".len() + EntryPath::SHOWN + 1, "{long}");
        assert!(long.starts_with("entry \"xxx") && long.ends_with("xxx\"") && long.contains('…'));
    }

    #[test]
    fn a_refused_entry_is_named_with_its_problem() {
        let (tmp, repo) = repository();
        let file = blob(&repo, b"x");
        let dot = tree(&repo, &[("100644", "x", file)]);
        let cases = [
            (tree(&repo, &[("40000", ".", dot)]), "entry \".\" is named `.` or `..`"),
            (
                tree(&repo, &[("100644", "x", file), ("100644", "x", file)]),
                "entry \"x\" is a second entry",
            ),
            (
                tree(&repo, &[("100644", "X", file), ("100644", "x", file)]),
                "entry \"x\" collides with \"X\" on a case-insensitive",
            ),
            (tree(&repo, &[("100644", "a/b", file)]), "entry \"a/b\" has a name with a slash"),
            (tree(&repo, &[("40000", ".git", dot)]), "entry \".git\" is named like `.git`"),
            (tree(&repo, &[("100664", "old", file)]), ""),
            (tree(&repo, &[("70000", "odd", file)]), "entry \"odd\" has the unknown mode 70000"),
            (tree(&repo, &[("40000", "notatree", file)]), "entry \"notatree\": "),
        ];
        for (root, expected) in cases {
            let result = checked_out(&tmp, &repo, root, &Limits::DEFAULT);
            match expected {
                "" => assert!(result.is_ok(), "a blob of a legacy mode is a file"),
                _ => {
                    let refused = result.err().unwrap().to_string();
                    assert!(refused.contains(expected), "{refused}");
                }
            }
        }
    }
}
