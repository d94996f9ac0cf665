//! Git mode: the files git's index tracks below the package and the untracked ones git
//! does not ignore, read through gix, nested repositories and submodules with their own
//! index and ignore rules, and which of them differ from `HEAD`.

use std::collections::{BTreeSet, HashSet};
use std::io;
use std::path::{Path, PathBuf};

use gix::bstr::ByteSlice;

use crate::workspace::git::{GitRepos, Repo};

use super::walk::walk;
use super::{Filter, ListError, VcsInfo, check_depth, git_error};

/// Where a listing collects what it finds.
pub(super) struct Listed<'a> {
    pub(super) files: &'a mut Vec<PathBuf>,
    /// Packaged files that differ from `HEAD`.
    pub(super) dirty: &'a mut Vec<PathBuf>,
    pub(super) warnings: &'a mut Vec<String>,
}

impl Repo {
    /// Pushes the files below `dir` that git mode packages: tracked files, and untracked
    /// files git does not ignore. Records which of them differ from `HEAD`.
    pub(super) fn list(
        &self,
        dir: &Path,
        root: &Path,
        filter: &Filter,
        repos: &GitRepos,
        listed: &mut Listed,
    ) -> Result<(), ListError> {
        let workdir = &self.shared.workdir;
        let index = &self.shared.index;
        let mut excludes = self.excludes().map_err(|e| git_error(workdir, e))?;
        let prefix = self.relative(dir).unwrap_or(Path::new("")).to_path_buf();
        let target = root.join("target");

        let mut tracked: HashSet<PathBuf> = HashSet::new();
        let mut nested: Vec<PathBuf> = Vec::new();
        // Listed files that are symbolic links (some may lead to folders).
        let mut links: Vec<PathBuf> = Vec::new();
        // The index is sorted by path: the entries below `dir` are one range of it.
        let below = gix::path::into_bstr(prefix.as_path()).ok().and_then(|p| {
            index.prefixed_entries(gix::path::to_unix_separators_on_windows(p).as_bstr())
        });
        for entry in below.unwrap_or_default() {
            let Ok(rel) = gix::path::from_bstr(entry.path(index)).map(|p| p.into_owned()) else {
                continue; // not representable on this platform
            };
            if !rel.starts_with(&prefix) {
                continue;
            }
            let path = workdir.join(&rel);
            if entry.mode.is_submodule() {
                nested.push(path);
                continue;
            }
            let Ok(disk) = gix::index::fs::Metadata::from_path_no_follow(&path) else {
                continue; // deleted from the work tree
            };
            if !tracked.insert(rel.clone()) {
                continue; // another stage of a conflict
            }
            if crate::package::dirty::is_dirty(
                self.shared.head.as_ref(),
                entry.path(index),
                &path,
                entry,
                &disk,
            ) {
                listed.dirty.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
            }
            if disk.is_symlink() {
                links.push(path.clone());
            }
            listed.files.push(path);
        }

        let mut walker = walkdir::WalkDir::new(dir).follow_links(false).into_iter();
        while let Some(entry) = walker.next() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    let path = err.path().unwrap_or(dir).to_path_buf();
                    let source =
                        err.into_io_error().unwrap_or_else(|| io::Error::other("cannot be read"));
                    return Err(ListError::Io { path, source });
                }
            };
            let path = entry.path();
            let Some(rel) = self.relative(path) else { continue };
            if entry.depth() == 0 {
                continue;
            }
            if entry.file_name() == ".git" {
                if entry.file_type().is_dir() {
                    walker.skip_current_dir();
                }
                continue;
            }
            if entry.file_type().is_dir() {
                let ignored = excludes
                    .at_path(rel, Some(gix::index::entry::Mode::DIR))
                    .map_err(|e| git_error(path, e))?
                    .is_excluded();
                if ignored || path == target {
                    walker.skip_current_dir();
                } else if path.join(".git").exists() {
                    nested.push(path.to_path_buf());
                    walker.skip_current_dir();
                }
                continue;
            }
            if tracked.contains(rel) {
                continue;
            }
            let ignored =
                excludes.at_path(rel, None).map_err(|e| git_error(path, e))?.is_excluded();
            if !ignored {
                listed.dirty.push(path.strip_prefix(root).unwrap_or(path).to_path_buf());
                if entry.path_is_symlink() {
                    links.push(path.to_path_buf());
                }
                listed.files.push(path.to_path_buf());
            }
        }

        // Symlinks to folders: walked like walk mode, without ignore rules.
        let mut linked_dirs: Vec<PathBuf> = links.into_iter().filter(|l| l.is_dir()).collect();
        if !linked_dirs.is_empty() {
            let linked: BTreeSet<&PathBuf> = linked_dirs.iter().collect();
            listed.files.retain(|path| !linked.contains(path));
        }
        nested.sort();
        nested.dedup();
        linked_dirs.retain(|link| {
            filter.allows(link, true) && filter.links.may_follow(link, listed.warnings)
        });
        for sub in nested.into_iter().chain(linked_dirs) {
            if !filter.allows(&sub, true) {
                continue;
            }
            // Each nested repository is listed by a call of its own: bounded by the depth.
            check_depth(root, &sub)?;
            let sub_repo = if sub.join(".git").exists() { repos.open(&sub) } else { None };
            match sub_repo {
                Some(sub_repo) => {
                    let mut sub_dirty = Vec::new(); // a nested repository's state is its own
                    let mut sub_listed = Listed {
                        files: listed.files,
                        dirty: &mut sub_dirty,
                        warnings: listed.warnings,
                    };
                    sub_repo.list(&sub, root, filter, repos, &mut sub_listed)?;
                }
                None if sub.join(".git").exists() => {} // an uninitialized submodule
                None => walk(&sub, root, false, filter, listed.files, listed.warnings)?,
            }
        }
        Ok(())
    }

    /// Every ignore source git reads: `.gitignore` files, `info/exclude`, the global file;
    /// read from the repository once per run, a fresh copy for each use.
    fn excludes(&self) -> Result<gix::AttributeStack<'_>, gix::Error> {
        use gix::worktree::stack::state::ignore::Source;
        let stack = match self.shared.excludes.get() {
            Some(stack) => stack.clone(),
            None => {
                let source = Source::WorktreeThenIdMappingIfNotSkipped;
                let stack = self.repo.excludes(&self.shared.index, None, source)?.detach();
                self.shared.excludes.get_or_init(|| stack.clone());
                stack
            }
        };
        Ok(gix::AttributeStack::new(stack, &self.repo))
    }

    /// `.cargo_vcs_info.json`: written when `Cargo.toml` is not ignored and `HEAD` is a
    /// commit.
    pub(super) fn vcs_info(&self, root: &Path, dirty: bool) -> Option<VcsInfo> {
        let rel = self.relative(root)?;
        let mut excludes = self.excludes().ok()?;
        if excludes.at_path(rel.join("Cargo.toml"), None).ok()?.is_excluded() {
            return None;
        }
        Some(VcsInfo {
            sha1: self.shared.head_commit?.to_string(),
            path_in_vcs: crate::base::format::slash_path(rel),
            dirty,
        })
    }
}
