//! The git repositories of the workspace, each opened once per run: the index and the
//! blobs of `HEAD` are read once and shared by every crate's file listing
//! ([`crate::package::files`]), which decides what git mode packages.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use gix::bstr::{BString, ByteSlice};

/// The git repositories the listings read, each opened once per run: its index and the
/// blobs of its `HEAD` are read once and shared by every crate's listing (reading them per
/// crate made a workspace of many crates quadratic).
#[derive(Default)]
pub struct GitRepos {
    /// By work tree (canonical); `None` for a folder whose `.git` cannot be opened.
    opened: Mutex<BTreeMap<PathBuf, Option<Arc<GitSnapshot>>>>,
}

/// What a run reads of one repository.
pub(crate) struct GitSnapshot {
    pub(crate) repo: gix::ThreadSafeRepository,
    /// The work tree, canonical.
    pub(crate) workdir: PathBuf,
    pub(crate) index: gix::worktree::Index,
    /// Every non-tree entry of `HEAD`'s tree by path; `None` when `HEAD` is not a commit.
    pub(crate) head: Option<HashMap<BString, gix::ObjectId>>,
    pub(crate) head_commit: Option<gix::ObjectId>,
    /// The ignore rules as git reads them (every `.gitignore`, `info/exclude`, the global
    /// file), loaded once and copied for each listing: unused, as each listing starts it.
    pub(crate) excludes: std::sync::OnceLock<gix::worktree::Stack>,
}

impl std::fmt::Debug for GitRepos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let opened = self.opened.lock().unwrap_or_else(|e| e.into_inner());
        f.debug_list().entries(opened.keys()).finish()
    }
}

impl GitRepos {
    /// The repository whose work tree contains `dir`: the nearest folder above it with a
    /// `.git`, as git discovers it.
    pub(crate) fn discover(&self, dir: &Path) -> Option<Repo> {
        let workdir = dir.ancestors().find(|d| d.join(".git").exists())?;
        self.open(workdir).filter(|r| dir.starts_with(&r.shared.workdir))
    }

    /// Whether the git repository whose work tree is `workdir` knows anything at `rel`
    /// (relative to it): an index entry there or below (files committed there), or at a
    /// folder above it (a submodule, or a file where the folder should be). `None` when
    /// `workdir` is no git work tree.
    pub fn knows(&self, workdir: &Path, rel: &Path) -> Option<bool> {
        let repo = self.open(workdir)?;
        let index = &repo.shared.index;
        let rel = gix::path::to_unix_separators_on_windows(gix::path::into_bstr(rel).ok()?);
        let mut at = rel.as_ref();
        loop {
            if index.entry_by_path(at).is_some() {
                return Some(true);
            }
            match at.rfind_byte(b'/') {
                Some(slash) => at = at[..slash].as_bstr(),
                None => break,
            }
        }
        let mut below = rel.into_owned();
        below.push(b'/');
        Some(index.prefixed_entries(below.as_bstr()).is_some_and(|entries| !entries.is_empty()))
    }

    /// The repository whose work tree is `workdir`.
    pub(crate) fn open(&self, workdir: &Path) -> Option<Repo> {
        let key = fs::canonicalize(workdir).ok()?;
        let mut opened = self.opened.lock().unwrap_or_else(|e| e.into_inner());
        let shared = opened.entry(key).or_insert_with_key(|key| GitSnapshot::read(key)).clone()?;
        drop(opened);
        Some(Repo { repo: shared.repo.to_thread_local(), shared })
    }
}

impl GitSnapshot {
    fn read(workdir: &Path) -> Option<Arc<GitSnapshot>> {
        let repo = gix::open(workdir).ok()?;
        let workdir = fs::canonicalize(repo.workdir()?).ok()?;
        let index = repo.index_or_empty().ok()?;
        let head_commit = repo.head_commit().ok().map(|c| c.id);
        let head = repo.head_tree().ok().and_then(|tree| tree.traverse().breadthfirst.files().ok());
        let head = head.map(|entries| {
            entries.into_iter().filter(|e| !e.mode.is_tree()).map(|e| (e.filepath, e.oid)).collect()
        });
        Some(Arc::new(GitSnapshot {
            index,
            repo: repo.into_sync(),
            workdir,
            head,
            head_commit,
            excludes: std::sync::OnceLock::new(),
        }))
    }
}

/// A repository opened for one listing.
pub(crate) struct Repo {
    pub(crate) repo: gix::Repository,
    pub(crate) shared: Arc<GitSnapshot>,
}

impl Repo {
    pub(crate) fn relative<'p>(&self, path: &'p Path) -> Option<&'p Path> {
        path.strip_prefix(&self.shared.workdir).ok()
    }

    /// Whether the index tracks `path` (absolute).
    pub(crate) fn tracks(&self, path: &Path) -> bool {
        let Some(rel) = self.relative(path) else { return false };
        let Ok(rel) = gix::path::into_bstr(rel).map(|p| p.into_owned()) else { return false };
        self.shared
            .index
            .entry_by_path(gix::path::to_unix_separators_on_windows(rel).as_bstr())
            .is_some()
    }
}
