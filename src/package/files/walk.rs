//! Walk mode, and the folders both modes reach through symbolic links: every file below
//! the package, following links as cargo follows them, within a budget.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{Filter, ListError};

/// Entries a listing may reach through symbolic links to folders. cargo follows every link
/// to a folder (a walk stops only at a link to a folder it is inside), so links to links
/// can make a listing exponential in the repository's size; past this many entries, the
/// listing follows no further link, with a warning.
pub(super) const MAX_THROUGH_LINKS: usize = 20_000;

/// Which linked folders may be walked: those inside the repository, as often as cargo
/// reaches them, but never one that leads back to the package or above it (a loop), and
/// none once [`MAX_THROUGH_LINKS`] entries were reached through links. A link to `/`, to
/// the repository root or to `/proc` is not followed, with a warning.
pub(super) struct LinkGuard {
    repository: PathBuf,
    package_root: PathBuf,
    /// Entries reached through links so far.
    reached: std::cell::Cell<usize>,
}

impl LinkGuard {
    pub(super) fn new(repository: &Path, package_root: &Path) -> LinkGuard {
        LinkGuard {
            repository: repository.to_path_buf(),
            package_root: package_root.to_path_buf(),
            reached: Default::default(),
        }
    }

    /// Whether the folder `link` (a symbolic link) may be walked; a warning says why not.
    pub(super) fn may_follow(&self, link: &Path, warnings: &mut Vec<String>) -> bool {
        let shown = link.strip_prefix(&self.package_root).unwrap_or(link).display();
        let Ok(real) = fs::canonicalize(link) else { return false };
        let why = if !real.starts_with(&self.repository) {
            "points outside the repository; not followed"
        } else if self.package_root.starts_with(&real) {
            "leads back to the package or a folder above it (a loop); not followed"
        } else if self.reached.get() > MAX_THROUGH_LINKS {
            return false; // said once, by `reach`
        } else {
            return true;
        };
        warnings.push(format!("symbolic link {shown} {why}"));
        false
    }

    /// Counts one more entry reached through a link; false (with a warning, once) past the
    /// budget.
    pub(super) fn reach(&self, warnings: &mut Vec<String>) -> bool {
        let reached = self.reached.get() + 1;
        self.reached.set(reached);
        if reached == MAX_THROUGH_LINKS + 1 {
            warnings.push(format!(
                "symbolic links to folders lead to more than {MAX_THROUGH_LINKS} entries; no further entry reached through a link is listed"
            ));
        }
        reached <= MAX_THROUGH_LINKS
    }
}

/// Walks `dir` as cargo's walk mode does: following symlinks, pruning folders the filter
/// drops, skipping nested packages and (at the package root) `target/`. Pushes files.
pub(super) fn walk(
    dir: &Path,
    root: &Path,
    is_root: bool,
    filter: &Filter,
    out: &mut Vec<PathBuf>,
    warnings: &mut Vec<String>,
) -> Result<(), ListError> {
    let links = &filter.links;
    let mut refused = Vec::new();
    // The depths of the linked folders the walk is inside (it is depth-first); a walk that
    // is not the package's starts at a link.
    let mut inside_links: Vec<usize> = Vec::new();
    let walker = walkdir::WalkDir::new(dir).follow_links(true).into_iter().filter_entry(|entry| {
        let path = entry.path();
        let depth = entry.depth();
        let at_root = is_root && depth == 0;
        let is_dir = entry.file_type().is_dir();
        if !at_root && !filter.allows(path, is_dir) {
            return false;
        }
        while inside_links.last().is_some_and(|link| *link >= depth) {
            inside_links.pop();
        }
        if (!is_root || !inside_links.is_empty()) && !links.reach(&mut refused) {
            return false;
        }
        if !is_dir || at_root {
            return true;
        }
        if entry.path_is_symlink() && depth > 0 {
            if !links.may_follow(path, &mut refused) {
                return false;
            }
            inside_links.push(depth);
        }
        if path.join("Cargo.toml").exists() {
            return false;
        }
        !(is_root && depth == 1 && path == root.join("target"))
    });
    let entries: Vec<_> = walker.collect();
    warnings.append(&mut refused);
    for entry in entries {
        match entry {
            Ok(entry) if entry.file_type().is_file() => out.push(entry.into_path()),
            Ok(_) => {}
            Err(err) if err.loop_ancestor().is_some() => {
                warnings.push(format!(
                    "symbolic link loop skipped: {}",
                    crate::base::error::one_line(&err.to_string())
                ));
            }
            Err(err) => match err.path().map(Path::to_path_buf) {
                Some(path) if !filter.allows(&path, path.is_dir()) => {}
                Some(path)
                    if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) =>
                {
                    out.push(path); // a broken link: reported when kept
                }
                Some(path) => {
                    let source =
                        err.into_io_error().unwrap_or_else(|| io::Error::other("cannot be read"));
                    return Err(ListError::Io { path, source });
                }
                None => {
                    let source = io::Error::other(err.to_string());
                    return Err(ListError::Io { path: dir.to_path_buf(), source });
                }
            },
        }
    }
    Ok(())
}
