//! Paths from the checkout are hostile (`../../etc/passwd`, a symlink to `/proc/self/environ`
//! or to `/dev/zero`, a link back to the repository root): the one place that resolves them
//! lexically and through symbolic links, keeps them inside the repository and out of
//! `.git/`, and reads regular files only, up to a known size.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

/// Resolves `.` and `..` lexically, never above the start of the path: `None` for an
/// absolute path or one that climbs out (`a/../../b`).
pub fn relative_inside(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// Resolves `.` and `..` lexically in an absolute path (`..` at the root stays there).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `base` joined with `rel`, only when `rel` stays below `base` lexically.
pub fn join_inside(base: &Path, rel: &Path) -> Option<PathBuf> {
    Some(base.join(relative_inside(rel)?))
}

/// Why a path may not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// It leads outside the repository, lexically or through a symbolic link.
    OutsideRepository,
    /// It leads into the repository's `.git/` folder.
    InsideGit,
    /// A device, FIFO, socket or folder: only regular files are read.
    NotARegularFile,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refused::OutsideRepository => "points outside the repository; not read",
            Refused::InsideGit => "points into the repository's .git folder; not read",
            Refused::NotARegularFile => {
                "is not a regular file (a device, FIFO or socket); not read"
            }
        })
    }
}

/// The repository a workspace lies in: the folder every path it names must stay inside.
#[derive(Debug, Clone)]
pub struct Confinement {
    /// The repository root (the git work tree, or the workspace root outside git),
    /// through symbolic links.
    root: PathBuf,
}

impl Confinement {
    /// Confines to `root` (resolved through symbolic links when it exists).
    pub fn new(root: &Path) -> Confinement {
        Confinement { root: fs::canonicalize(root).unwrap_or_else(|_| normalize(root)) }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `path` (absolute, or relative to `base`) resolved lexically and through every
    /// symbolic link: `Ok` with the real path when it stays inside the repository and
    /// outside `.git/`. A path that does not exist is judged lexically.
    pub fn resolve(&self, base: &Path, path: &Path) -> Result<PathBuf, Refused> {
        self.judge(real_path(&normalize(&base.join(path))))
    }

    /// Whether the real path `real` is inside the repository and outside `.git/`.
    fn judge(&self, real: PathBuf) -> Result<PathBuf, Refused> {
        let inside = real.strip_prefix(&self.root).map_err(|_| Refused::OutsideRepository)?;
        if inside.components().next().is_some_and(|c| c.as_os_str() == ".git") {
            return Err(Refused::InsideGit);
        }
        Ok(real)
    }

    /// Whether the real path `real` lies inside the repository (its `.git/` included).
    fn contains(&self, real: &Path) -> bool {
        real.starts_with(&self.root)
    }

    /// The real path of the absolute `path`, for writing to: resolved through every
    /// existing parent, following symbolic links outside the repository (a user's `/tmp`
    /// or `/var` may be one) and refusing any inside it, which a pull request could have
    /// committed. The path must also stay out of the repository's `.git/`.
    pub fn resolve_for_writing(&self, path: &Path) -> Result<PathBuf, WriteRefused> {
        let mut real = PathBuf::new();
        // The components still to resolve, the next one last; a link's target is put there.
        let mut pending = Vec::new();
        queue(&mut real, &mut pending, path);
        // As the kernel does (`ELOOP`): a chain of links ends.
        let mut links_left = 40;
        while let Some(part) = pending.pop() {
            if part == ".." {
                real.pop();
                continue;
            }
            let next = real.join(&part);
            match fs::symlink_metadata(&next) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    let target = fs::read_link(&next).unwrap_or_default();
                    if self.contains(&next) {
                        let link = next.strip_prefix(&self.root).unwrap_or(&next).to_path_buf();
                        return Err(WriteRefused::LinkInside { link, target });
                    }
                    links_left -= 1;
                    if links_left == 0 {
                        return Err(WriteRefused::LinkLoop(next));
                    }
                    queue(&mut real, &mut pending, &target);
                }
                // A folder, a file, or nothing yet (then nothing below it exists either).
                _ => real = next,
            }
        }
        if self.judge(real.clone()) == Err(Refused::InsideGit) {
            return Err(WriteRefused::InsideGit);
        }
        Ok(real)
    }

    /// Like [`Confinement::resolve`], and the target must be a regular file.
    pub fn regular_file(&self, base: &Path, path: &Path) -> Result<PathBuf, Refused> {
        let real = self.resolve(base, path)?;
        match fs::metadata(&real) {
            Ok(meta) if !meta.is_file() => Err(Refused::NotARegularFile),
            _ => Ok(real),
        }
    }
}

/// Why a path may not be written to (see [`Confinement::resolve_for_writing`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteRefused {
    /// A symbolic link inside the repository (`link`, relative to its root) is on the way.
    LinkInside { link: PathBuf, target: PathBuf },
    /// Links lead to links too many times (a loop).
    LinkLoop(PathBuf),
    /// It leads into the repository's `.git/` folder.
    InsideGit,
}

impl std::fmt::Display for WriteRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteRefused::LinkInside { link, target } => write!(
                f,
                "{} is a symbolic link (to {}) inside the repository, which a pull request could have committed; not followed (remove the link or choose another folder)",
                link.display(),
                target.display()
            ),
            WriteRefused::LinkLoop(link) => {
                write!(f, "{} leads through too many symbolic links (a loop)", link.display())
            }
            WriteRefused::InsideGit => f.write_str("leads into the repository's .git folder"),
        }
    }
}

/// Puts the components of `path` on `pending` (the first one last) to be resolved below
/// `real`; an absolute `path` starts again at its root.
fn queue(real: &mut PathBuf, pending: &mut Vec<std::ffi::OsString>, path: &Path) {
    if path.has_root() {
        real.clear();
    }
    let mut parts = Vec::new();
    for component in path.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => real.push(component.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir | Component::Normal(_) => parts.push(component.as_os_str().into()),
        }
    }
    pending.extend(parts.into_iter().rev());
}

/// Resolves the many paths of one package through [`Confinement::resolve`], resolving each
/// folder's links once: a path that is not itself a link (a file, a folder, or nothing) is
/// its real folder's entry.
pub struct Resolver<'a> {
    confinement: &'a Confinement,
    folders: std::collections::HashMap<PathBuf, PathBuf>,
}

impl<'a> Resolver<'a> {
    pub fn new(confinement: &'a Confinement) -> Resolver<'a> {
        Resolver { confinement, folders: Default::default() }
    }

    /// [`Confinement::resolve`] of the absolute path `path`.
    pub fn resolve(&mut self, path: &Path) -> Result<PathBuf, Refused> {
        let joined = normalize(path);
        let real = self.real(&joined);
        self.confinement.judge(real)
    }

    fn real(&mut self, path: &Path) -> PathBuf {
        let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        match (path.parent(), path.file_name()) {
            (Some(folder), Some(name)) if !is_link => match self.folders.get(folder) {
                Some(real) => real.join(name),
                None => {
                    let real = real_path(folder);
                    let joined = real.join(name);
                    self.folders.insert(folder.to_path_buf(), real);
                    joined
                }
            },
            _ => real_path(path),
        }
    }
}

/// The real path of the normalized absolute `path`; for a path that does not exist, its
/// longest existing ancestor's, with the rest appended.
fn real_path(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| resolve_existing_prefix(path))
}

/// Canonicalizes the longest existing ancestor of `path` and appends the rest.
pub fn resolve_existing_prefix(path: &Path) -> PathBuf {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    while fs::symlink_metadata(&existing).is_err() {
        match (existing.file_name().map(|n| n.to_owned()), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut resolved = fs::canonicalize(&existing).unwrap_or(existing);
    resolved.extend(rest.iter().rev());
    resolved
}

/// Opens `path` for reading only if it is a regular file (following symbolic links): never
/// a device, FIFO or socket, whose reads could block or never end.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let meta = fs::metadata(path)?;
    if !meta.is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"));
    }
    let file = File::open(path)?;
    // The path may have been swapped between the two calls: check what was opened.
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"));
    }
    Ok(file)
}

/// Reads at most `limit` bytes of the regular file `path`.
pub fn read_bounded(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let size = file.metadata()?.len().min(limit);
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(limit).read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_never_climb_out() {
        assert_eq!(relative_inside(Path::new("a/./b/../c")), Some(PathBuf::from("a/c")));
        assert_eq!(relative_inside(Path::new("a/../../etc/passwd")), None);
        assert_eq!(relative_inside(Path::new("/etc/passwd")), None);
        let base = Path::new("/tmp/x");
        assert_eq!(join_inside(base, Path::new("../../victim.rs")), None);
    }

    #[cfg(unix)]
    #[test]
    fn confinement_follows_links_and_keeps_out_of_git() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        fs::create_dir_all(repo.join(".git")).unwrap();
        fs::create_dir_all(repo.join("pkg")).unwrap();
        fs::write(dir.path().join("secret"), "x").unwrap();
        fs::write(repo.join("pkg/README.md"), "# ok").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret"), repo.join("pkg/LINK.md")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", repo.join("pkg/ZERO.md")).unwrap();
        let jail = Confinement::new(&repo);
        let pkg = repo.join("pkg");
        assert!(jail.regular_file(&pkg, Path::new("README.md")).is_ok());
        assert_eq!(
            jail.regular_file(&pkg, Path::new("../../secret")),
            Err(Refused::OutsideRepository)
        );
        assert_eq!(jail.regular_file(&pkg, Path::new("LINK.md")), Err(Refused::OutsideRepository));
        assert_eq!(jail.regular_file(&pkg, Path::new("../.git/config")), Err(Refused::InsideGit));
        assert_eq!(jail.regular_file(&pkg, Path::new("ZERO.md")), Err(Refused::OutsideRepository));
        assert!(read_bounded(Path::new("/dev/zero"), 10).is_err(), "devices are never read");
        // The resolver of many files judges each as the confinement does.
        fs::create_dir_all(dir.path().join("outside")).unwrap();
        fs::write(dir.path().join("outside/lib.rs"), "x").unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside"), pkg.join("linked")).unwrap();
        let mut resolver = Resolver::new(&jail);
        let names = ["README.md", "LINK.md", "ZERO.md", "linked/lib.rs", "../.git/config", "gone"];
        for name in names.into_iter().chain(["gone/deeper/file", "linked/gone", "../../secret"]) {
            let path = pkg.join(name);
            assert_eq!(resolver.resolve(&path), jail.resolve(&pkg, Path::new(name)), "{name}");
        }
        assert_eq!(resolver.resolve(&pkg.join("linked/lib.rs")), Err(Refused::OutsideRepository));
        assert_eq!(read_bounded(&pkg.join("README.md"), 2).unwrap(), b"# ");
    }
}
