//! Which packaged files differ from the last commit: what `.cargo_vcs_info.json`'s `dirty`
//! says. cargo asks git's status of every file it packages, whatever selected the files
//! (git mode, `include`, a manifest git does not track) and of a readme or license file
//! from outside the package: an untracked file (ignored ones too), a change staged or not.
//! Git mode's listing judges its own files as it reads the index
//! ([`super::files`]); the others are judged here.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use gix::bstr::{BString, ByteSlice};

use super::files::{FileSource, ListMode};
use crate::workspace::git::GitRepos;

/// The archive paths of packaged files the listing did not judge (every file in walk mode,
/// and files from outside the package) that differ from `HEAD` in their repository.
pub(super) fn beyond_listing(
    repos: &GitRepos,
    mode: ListMode,
    files: &BTreeMap<PathBuf, FileSource>,
) -> Vec<PathBuf> {
    files
        .iter()
        .filter(|(_, source)| match source {
            FileSource::Disk(_) => mode == ListMode::Walk,
            FileSource::Outside(_) => true,
            FileSource::Generated(_) => false,
        })
        .filter_map(|(archive, source)| match source {
            FileSource::Disk(path) | FileSource::Outside(path) => {
                changed(repos, path).then(|| archive.clone())
            }
            FileSource::Generated(_) => None,
        })
        .collect()
}

/// Whether `path` differs from `HEAD` in the repository around it (never, outside one).
fn changed(repos: &GitRepos, path: &Path) -> bool {
    let Some(repo) = path.parent().and_then(|dir| repos.discover(dir)) else { return false };
    let Some(rel) = repo.relative(path) else { return false };
    let Ok(rel) = gix::path::into_bstr(rel) else { return true };
    let rel = gix::path::to_unix_separators_on_windows(rel);
    let index = &repo.shared.index;
    let Some(entry) = index.entry_by_path(rel.as_bstr()) else { return true };
    let Ok(disk) = gix::index::fs::Metadata::from_path_no_follow(path) else { return true };
    is_dirty(repo.shared.head.as_ref(), entry.path(index), path, entry, &disk)
}

/// Whether the work tree file differs from its blob in `HEAD` (or is not in `HEAD`).
pub(super) fn is_dirty(
    head: Option<&HashMap<BString, gix::ObjectId>>,
    rel: &gix::bstr::BStr,
    path: &Path,
    entry: &gix::index::Entry,
    disk: &gix::index::fs::Metadata,
) -> bool {
    let Some(committed) = head.and_then(|head| head.get(rel)) else { return true };
    if *committed != entry.id {
        return true; // staged but not committed
    }
    // As git does: unchanged stat information means the index's blob is the file's.
    if let Ok(stat) = gix::index::entry::Stat::from_fs(disk)
        && entry.stat.matches(&stat, Default::default())
    {
        return false;
    }
    let Ok(meta) = fs::symlink_metadata(path) else { return true };
    if meta.len() != u64::from(entry.stat.size) {
        return true;
    }
    let content: io::Result<Vec<u8>> = if meta.file_type().is_symlink() {
        fs::read_link(path).and_then(|target| {
            gix::path::into_bstr(target).map(|b| b.to_vec()).map_err(io::Error::other)
        })
    } else {
        fs::read(path)
    };
    match content {
        Ok(bytes) => gix::objs::compute_hash(entry.id.kind(), gix::objs::Kind::Blob, &bytes)
            .map_or(true, |id| id != entry.id),
        Err(_) => true,
    }
}
