//! A past revision of the repository, read from git's objects: resolved from a name (tag,
//! branch, commit), its release tags found, and its tree written out into a throwaway
//! checkout so that every stage can run on it as it runs on the work tree. The work tree
//! and the repository are never written to.
//!
//! The checkout is a folder of the tree's files beside a `.git` that borrows the
//! repository's objects (`objects/info/alternates`), whose `HEAD` is the commit and whose
//! index is the tree: cargo's git-mode listing reads it exactly as it would read a clean
//! clone at that commit.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use gix::bstr::ByteSlice;

use crate::base::error::Error;

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

/// The repository whose work tree holds `dir`.
fn open(dir: &Path) -> Result<gix::Repository, String> {
    gix::discover(dir).map_err(|e| crate::base::error::one_line(&e.to_string()))
}

/// Resolves `rev` in the repository around `dir` to a commit id (full hex).
pub fn resolve(dir: &Path, rev: &str) -> Result<String, Error> {
    let fail = |message: String| Error::Baseline { rev: rev.to_owned(), message };
    let repo = open(dir).map_err(&fail)?;
    commit_of(&repo, rev).map(|c| c.to_string()).map_err(fail)
}

fn commit_of(repo: &gix::Repository, rev: &str) -> Result<gix::ObjectId, String> {
    if rev.starts_with('-') || rev.contains(|c: char| c.is_control()) {
        return Err("not a revision name".into());
    }
    let id = repo
        .rev_parse_single(rev.as_bytes().as_bstr())
        .map_err(|e| format!("no such revision in this repository ({})", one_line(&e)))?;
    let commit = id
        .object()
        .map_err(|e| one_line(&e))?
        .peel_to_commit()
        .map_err(|e| format!("not a commit ({})", one_line(&e)))?;
    Ok(commit.id)
}

fn one_line(error: &dyn std::fmt::Display) -> String {
    crate::base::error::one_line(&error.to_string())
}

/// Writes the tree of `rev` (of the repository around `repository`) into a new folder
/// inside `parent` (the system's temporary folder when `None`).
pub fn checkout(repository: &Path, rev: &str, parent: Option<&Path>) -> Result<Checkout, Error> {
    let fail = |message: String| Error::Baseline { rev: rev.to_owned(), message };
    let repo = open(repository).map_err(&fail)?;
    let commit = commit_of(&repo, rev).map_err(&fail)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix("checkout-");
    let dir = match parent {
        Some(parent) => {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            builder.tempdir_in(parent)
        }
        None => builder.tempdir(),
    }
    .map_err(|e| Error::io(parent.unwrap_or(&std::env::temp_dir()), e))?;
    write_tree(&repo, commit, dir.path()).map_err(fail)?;
    Ok(Checkout { dir })
}

fn write_tree(repo: &gix::Repository, commit: gix::ObjectId, root: &Path) -> Result<(), String> {
    let io = |path: &Path, e: io::Error| format!("{}: {e}", path.display());
    let tree = repo.find_commit(commit).and_then(|c| c.tree()).map_err(|e| one_line(&e))?;
    let entries = tree.traverse().breadthfirst.files().map_err(|e| one_line(&e))?;
    for entry in entries {
        // A crafted tree can hold names git itself would refuse: `..`, `.git`, a slash.
        let Some(rel) = safe_relative(entry.filepath.as_ref()) else { continue };
        let path = root.join(&rel);
        if entry.mode.is_tree() {
            continue;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        if entry.mode.is_commit() {
            fs::create_dir_all(&path).map_err(|e| io(&path, e))?; // a submodule, not checked out
            continue;
        }
        let blob = repo.find_object(entry.oid).map_err(|e| one_line(&e))?;
        if entry.mode.is_link() {
            write_link(root, &rel, &blob.data).map_err(|e| io(&path, e))?;
            continue;
        }
        fs::write(&path, &blob.data).map_err(|e| io(&path, e))?;
        #[cfg(unix)]
        if entry.mode.is_executable() {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755))
                .map_err(|e| io(&path, e))?;
        }
    }

    // A `.git` that borrows the repository's objects, at the commit, with the tree as index.
    let fresh = gix::init(root).map_err(|e| one_line(&e))?;
    let git = fresh.git_dir().to_path_buf();
    let objects = fs::canonicalize(repo.common_dir().join("objects"))
        .map_err(|e| io(&repo.common_dir().join("objects"), e))?;
    let alternates = git.join("objects/info/alternates");
    fs::create_dir_all(git.join("objects/info")).map_err(|e| io(&git, e))?;
    fs::write(&alternates, format!("{}\n", objects.display())).map_err(|e| io(&alternates, e))?;
    fs::write(git.join("HEAD"), format!("{commit}\n")).map_err(|e| io(&git.join("HEAD"), e))?;
    let mut index = repo.index_from_tree(&tree.id).map_err(|e| one_line(&e))?;
    index.set_path(git.join("index"));
    index.write(Default::default()).map_err(|e| one_line(&e))?;
    Ok(())
}

/// A tree path as a relative path of plain names, or `None`.
fn safe_relative(path: &gix::bstr::BStr) -> Option<PathBuf> {
    let path = gix::path::from_bstr(path).ok()?;
    let mut rel = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(name) if !name.eq_ignore_ascii_case(".git") => rel.push(name),
            _ => return None,
        }
    }
    (!rel.as_os_str().is_empty()).then_some(rel)
}

/// A symbolic link of the tree, written only when it is relative and stays inside the
/// checkout (as the work tree's links are judged); any other is left out.
fn write_link(root: &Path, rel: &Path, target: &[u8]) -> io::Result<()> {
    let Ok(target) = gix::path::from_byte_slice(target) else { return Ok(()) };
    let folder = rel.parent().unwrap_or(Path::new(""));
    if target.is_absolute() || crate::base::paths::relative_inside(&folder.join(target)).is_none() {
        return Ok(());
    }
    #[cfg(unix)]
    std::os::unix::fs::symlink(target, root.join(rel))?;
    #[cfg(not(unix))]
    let _ = (root, rel);
    Ok(())
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

/// The latest release of `name` at or below `version` among `tags`, by the common
/// conventions: `<name>-v<version>`, `<name>@<version>`, `<name>-<version>` (tokio's), and
/// `v<version>` when the repository holds a single crate.
pub fn release_tag<'t>(
    tags: &'t [Tag],
    name: &str,
    version: &semver::Version,
    single_crate: bool,
) -> Option<&'t Tag> {
    let released = |tag: &Tag| -> Option<semver::Version> {
        let text = &tag.name;
        let version = text
            .strip_prefix(name)
            .and_then(|rest| {
                rest.strip_prefix("-v")
                    .or_else(|| rest.strip_prefix('@'))
                    .or_else(|| rest.strip_prefix('-'))
            })
            .or_else(|| single_crate.then(|| text.strip_prefix('v')).flatten())?;
        semver::Version::parse(version).ok()
    };
    tags.iter()
        .filter_map(|tag| Some((released(tag)?, tag)))
        .filter(|(released, _)| released.cmp_precedence(version).is_le())
        .max_by(|(a, x), (b, y)| a.cmp_precedence(b).then_with(|| x.name.cmp(&y.name)))
        .map(|(_, tag)| tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(name: &str) -> Tag {
        Tag { name: name.into(), commit: "c".into() }
    }

    #[test]
    fn release_tags_by_convention() {
        let tags: Vec<Tag> =
            ["a-v1.0.0", "a-1.2.0", "a-v2.0.0", "a@1.1.0", "ab-v1.9.0", "v1.5.0", "a-b-1.8.0"]
                .into_iter()
                .map(tag)
                .collect();
        let version = semver::Version::new(1, 9, 0);
        assert_eq!(release_tag(&tags, "a", &version, false).unwrap().name, "a-1.2.0");
        assert_eq!(release_tag(&tags, "a", &version, true).unwrap().name, "v1.5.0");
        assert_eq!(release_tag(&tags, "ab", &version, false).unwrap().name, "ab-v1.9.0");
        let old = semver::Version::new(1, 0, 0);
        assert_eq!(release_tag(&tags, "a", &old, false).unwrap().name, "a-v1.0.0");
        assert!(release_tag(&tags, "b", &version, false).is_none());
    }

    #[test]
    fn tree_paths_stay_plain() {
        use gix::bstr::BStr;
        assert_eq!(safe_relative(BStr::new("src/lib.rs")), Some(PathBuf::from("src/lib.rs")));
        for bad in ["../x", "a/../../x", ".git/config", "a/.GIT/hooks", "/etc/passwd", ""] {
            assert_eq!(safe_relative(BStr::new(bad)), None, "{bad}");
        }
    }
}
