//! Writes a checked [`Model`] into the checkout's empty folder so that no write can go
//! through a link: every folder is made with `create_dir` and every file opened with
//! `create_new`, so no path that exists is ever opened (names are unique per folder, so
//! nothing exists where a write goes), and the symbolic links, each checked to resolve
//! inside ([`super::links`]), are made last, when nothing is written after them.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use gix::ObjectId;
use gix::bstr::{BString, ByteSlice};

use super::tree::{Kind, Model};
use super::{EntryPath, Unreadable, one_line};

/// A `.git` in `root` that borrows `repo`'s objects, at `commit`, with `tree` as its index:
/// what cargo's git-mode listing reads of a clean clone. Written first, into the empty
/// folder.
pub fn git_dir(
    repo: &gix::Repository,
    commit: ObjectId,
    tree: ObjectId,
    root: &Path,
) -> Result<(), Unreadable> {
    let io = |path: &str| {
        let path = EntryPath(BString::from(format!(".git/{path}")));
        move |source| Unreadable::Io { path, source }
    };
    let objects = |e: &dyn std::fmt::Display| Unreadable::Objects {
        path: EntryPath(BString::default()),
        message: one_line(e),
    };
    let fresh = gix::init(root).map_err(|e| objects(&e))?;
    let git = fresh.git_dir().to_path_buf();
    let borrowed = fs::canonicalize(repo.common_dir().join("objects")).map_err(io("objects"))?;
    fs::create_dir_all(git.join("objects/info")).map_err(io("objects/info"))?;
    fs::write(git.join("objects/info/alternates"), format!("{}\n", borrowed.display()))
        .map_err(io("objects/info/alternates"))?;
    fs::write(git.join("HEAD"), format!("{commit}\n")).map_err(io("HEAD"))?;
    let mut index = repo.index_from_tree(&tree).map_err(|e| objects(&e))?;
    index.set_path(git.join("index"));
    index.write(Default::default()).map_err(|e| objects(&e))?;
    Ok(())
}

/// Writes every node of `model` below `root`, the links last.
pub fn tree(repo: &gix::Repository, model: &Model, root: &Path) -> Result<(), Unreadable> {
    let mut paths: Vec<PathBuf> = Vec::with_capacity(model.nodes.len());
    paths.push(root.to_path_buf());
    let mut links = Vec::new();
    for (index, node) in model.nodes.iter().enumerate().skip(1) {
        let failed = |source| Unreadable::Io { path: EntryPath(model.path(index)), source };
        let name = gix::path::from_bstr(node.name.as_bstr())
            .map_err(|e| failed(io::Error::new(io::ErrorKind::InvalidData, one_line(&e))))?;
        let path = paths[node.parent].join(name);
        match &node.kind {
            Kind::Folder { .. } | Kind::Submodule => fs::create_dir(&path).map_err(failed)?,
            Kind::File { id, executable } => {
                let blob = repo.find_blob(*id).map_err(|e| Unreadable::Objects {
                    path: EntryPath(model.path(index)),
                    message: one_line(&e),
                })?;
                create_new(&path, *executable)
                    .and_then(|mut file| file.write_all(&blob.data))
                    .map_err(failed)?;
            }
            Kind::Link { target } => links.push((index, target)),
        }
        paths.push(path);
    }
    for (index, target) in links {
        link(target, &paths[index])
            .map_err(|source| Unreadable::Io { path: EntryPath(model.path(index)), source })?;
    }
    Ok(())
}

/// A new file at `path`; an error if anything (a file, a folder, a link) is there.
fn create_new(path: &Path, executable: bool) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, if executable { 0o777 } else { 0o666 });
    #[cfg(not(unix))]
    let _ = executable;
    options.open(path)
}

/// The symbolic link at `path`. Where links cannot be made, a file that holds the target,
/// as git writes them with `core.symlinks = false`.
fn link(target: &BString, path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        std::os::unix::fs::symlink(std::ffi::OsStr::from_bytes(target), path)
    }
    #[cfg(not(unix))]
    create_new(path, false)?.write_all(target)
}
