//! One file of a past revision, read from git's objects (the allowed signers of
//! `--allowed-signers REV:PATH`, a sign-off file at the baseline): a regular file, its size
//! read from the object's header before the object, never the work tree's copy.

use std::path::Path;

use gix::bstr::{BString, ByteSlice};

use super::{EntryPath, Problem, Unreadable, commit_of, one_line, open};

/// The bytes of the file at `path` (`/`-separated, from the repository's root) in the tree
/// of `rev`, in the repository around `dir`: a regular file of at most `bound` bytes.
pub fn read_file(dir: &Path, rev: &str, path: &str, bound: u64) -> Result<Vec<u8>, Unreadable> {
    let entry_path = || EntryPath(BString::from(path));
    let components: Vec<&str> = path.split('/').collect();
    if components.iter().any(|c| matches!(*c, "" | "." | "..")) {
        return Err(Unreadable::Entry { path: entry_path(), problem: Problem::NotAPath });
    }
    let repo = open(dir)?;
    let commit = commit_of(&repo, rev)?;
    let objects = |e: &dyn std::fmt::Display| Unreadable::Objects {
        path: entry_path(),
        message: one_line(e),
    };
    let tree = repo.find_commit(commit).and_then(|c| c.tree()).map_err(|e| objects(&e))?;
    let entry = tree
        .lookup_entry(components.iter().map(|c| c.as_bytes()))
        .map_err(|e| objects(&e))?
        .ok_or_else(|| Unreadable::NoSuchFile(entry_path()))?;
    if !entry.mode().is_blob() {
        return Err(Unreadable::Entry { path: entry_path(), problem: Problem::NotAFile });
    }
    let size = repo.find_header(entry.object_id()).map_err(|e| objects(&e))?.size();
    if size > bound {
        return Err(Unreadable::Entry {
            path: entry_path(),
            problem: Problem::TooLarge { size, bound },
        });
    }
    let blob = repo.find_blob(entry.object_id()).map_err(|e| objects(&e))?;
    Ok(blob.data.as_bstr().to_vec())
}
