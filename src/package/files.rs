//! Which files `cargo package` puts into the `.crate`, exactly as cargo 1.95 selects them
//! (`cargo package --list` is the oracle; see `tests/file_list.rs`).
//!
//! - **Git mode** (no `include`, a repository whose index tracks the package's
//!   `Cargo.toml`): tracked files plus untracked files that git does not ignore, read through
//!   gix (the index, every `.gitignore`, `info/exclude`, `core.excludesFile`); nested
//!   repositories and submodules with their own index and ignore rules; symlinked folders
//!   walked without ignore rules.
//! - **Walk mode** (otherwise): every file below the package, following symlinks, with
//!   hidden files dropped unless `include` is set.
//! - In both, a symbolic link to a folder inside the repository is followed every time
//!   cargo follows it (six links to one folder list its files six times, under each link's
//!   name); one that leaves the repository, or leads back to the package, is not.
//!
//! Both apply `include`/`exclude` with gitignore semantics (the `ignore` crate's matcher,
//! as cargo does), drop sub-packages and the root `target/`, then add what cargo adds:
//! the readme and license file, and the files it generates.

mod git_mode;
mod walk;

use crate::workspace::git::{GitRepos, Repo};
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use git_mode::Listed;
use walk::{LinkGuard, walk};

/// What the manifest says about packaging, inheritance resolved by the caller.
pub struct ListInput<'a> {
    /// Absolute path of the package root (the folder holding `Cargo.toml`).
    pub package_root: &'a Path,
    /// `package.include`; `None` when unset or empty.
    pub include: Option<&'a [String]>,
    /// `package.exclude` (empty when unset).
    pub exclude: &'a [String],
    /// The readme cargo packages, relative to the package root (default detection already
    /// applied, as `cargo metadata` reports it).
    pub readme: Option<&'a Path>,
    /// `package.license-file`, relative to the package root.
    pub license_file: Option<&'a Path>,
    /// The repository root (through symbolic links): a linked folder outside it is never
    /// walked.
    pub repository: &'a Path,
    /// The git repositories read so far in this run.
    pub repos: &'a GitRepos,
}

/// How the files were selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListMode {
    Git,
    Walk,
}

/// Where an archive entry's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileSource {
    /// A file of the package, read from this absolute path (for a symlink, the link's
    /// path: reading it follows the link).
    Disk(PathBuf),
    /// A readme or license file from outside the package root, placed at the archive root.
    Outside(PathBuf),
    /// A file cargo generates.
    Generated(Generated),
}

/// The files cargo writes into every archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generated {
    CargoToml,
    CargoTomlOrig,
    CargoLock,
    VcsInfo,
}

/// One entry of the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackagedFile {
    /// Path inside the archive (below `<name>-<version>/`), as cargo lists it.
    pub path: PathBuf,
    pub source: FileSource,
}

/// What `.cargo_vcs_info.json` records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VcsInfo {
    /// The commit `HEAD` points to.
    pub sha1: String,
    /// The package folder relative to the repository's work tree, `/`-separated.
    pub path_in_vcs: String,
    /// Some packaged file differs from `HEAD`.
    pub dirty: bool,
}

/// The archive's file list.
#[derive(Debug, Clone)]
pub struct Listing {
    pub mode: ListMode,
    /// In cargo's order (`PathBuf` ordering), generated entries included.
    pub files: Vec<PackagedFile>,
    pub vcs: Option<VcsInfo>,
    /// Packaged files that differ from `HEAD`: modified, untracked, or ignored but included.
    pub dirty: Vec<PathBuf>,
    /// Source files cargo refuses to package because it generates files of that name
    /// (`Cargo.toml.orig`, `.cargo_vcs_info.json` at the root): `cargo package` fails.
    pub refused: Vec<PathBuf>,
    /// What cargo would warn about while listing, one sentence each.
    pub warnings: Vec<String>,
}

/// Why the files could not be listed. Every message is one line naming the path.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{}: invalid {field} pattern `{pattern}`: {message}", .manifest.display())]
    Pattern { manifest: PathBuf, field: &'static str, pattern: String, message: String },
    #[error("{}: git repository: {message}", .path.display())]
    Git { path: PathBuf, message: String },
    /// A packaged path nested deeper than [`MAX_DEPTH`] folders.
    #[error(
        "{shown} is {depth} folders deep; cargo-readiness reads at most {MAX_DEPTH} levels of folders in a crate"
    )]
    TooDeep { shown: String, depth: usize },
}

/// How many folders deep a packaged file may lie. Real crates stay far below; the archive
/// tree a page shows, its data and its template nest as deep as the folders, and a thread's
/// stack is only so deep.
pub const MAX_DEPTH: usize = 64;

/// [`ListError::TooDeep`] when `path` (below `root`) is nested deeper than [`MAX_DEPTH`];
/// the path is shown by its first and last parts.
fn check_depth(root: &Path, path: &Path) -> Result<(), ListError> {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let depth = rel.components().count().saturating_sub(1);
    if depth <= MAX_DEPTH {
        return Ok(());
    }
    let parts: Vec<String> =
        rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    let shown = format!("{}/…/{}", parts[..3].join("/"), parts[parts.len() - 1]);
    Err(ListError::TooDeep { shown, depth })
}

impl From<ListError> for crate::Error {
    fn from(error: ListError) -> Self {
        crate::Error::List(error.to_string())
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> ListError + '_ {
    move |source| ListError::Io { path: path.to_path_buf(), source }
}

fn git_error(path: &Path, error: impl std::fmt::Display) -> ListError {
    ListError::Git {
        path: path.to_path_buf(),
        message: crate::base::error::one_line(&error.to_string()),
    }
}

/// Lists the archive's files as `cargo package --list` would.
pub fn list_files(input: &ListInput) -> Result<Listing, ListError> {
    let root = fs::canonicalize(input.package_root).map_err(io_error(input.package_root))?;
    let repo = input.repos.discover(&root);
    let git_mode = input.include.is_none()
        && repo.as_ref().is_some_and(|r| r.tracks(&root.join("Cargo.toml")));
    let mut filter = Filter::new(&root, input.include, input.exclude, !git_mode)?;
    filter.links = LinkGuard::new(input.repository, &root);
    let mut warnings = Vec::new();
    if input.include.is_some() && !input.exclude.is_empty() {
        warnings.push("both `include` and `exclude` are set; cargo ignores `exclude`".to_owned());
    }

    let mut found = Vec::new();
    let mut dirty = Vec::new();
    let mode = match (&repo, git_mode) {
        (Some(repo), true) => {
            let mut listed =
                Listed { files: &mut found, dirty: &mut dirty, warnings: &mut warnings };
            repo.list(&root, &root, &filter, input.repos, &mut listed)?;
            ListMode::Git
        }
        _ => {
            walk(&root, &root, true, &filter, &mut found, &mut warnings)?;
            ListMode::Walk
        }
    };

    for path in &found {
        check_depth(&root, path)?;
    }
    // Every Cargo.toml below the root marks a sub-package whose files are not ours.
    let subpackages: std::collections::HashSet<&Path> = found
        .iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "Cargo.toml") && p.parent() != Some(&root))
        .filter_map(|p| p.parent())
        .collect();
    let in_subpackage = |path: &Path| {
        path.ancestors().skip(1).take_while(|a| *a != root).any(|a| subpackages.contains(a))
    };
    let mut files: BTreeMap<PathBuf, FileSource> = BTreeMap::new();
    for path in &found {
        if in_subpackage(path) || !filter.allows(path, false) {
            continue;
        }
        let Ok(rel) = path.strip_prefix(&root) else { continue };
        files.insert(rel.to_path_buf(), FileSource::Disk(path.clone()));
    }

    finish(input, &root, repo.as_ref(), files, mode, dirty, warnings)
}

/// §4 of cargo's packaging: generated files, readme and license file, order.
fn finish(
    input: &ListInput,
    root: &Path,
    repo: Option<&Repo>,
    mut files: BTreeMap<PathBuf, FileSource>,
    mode: ListMode,
    mut dirty: Vec<PathBuf>,
    mut warnings: Vec<String>,
) -> Result<Listing, ListError> {
    // cargo refuses to package these (it writes them itself); they are reported, not listed.
    let refused: Vec<PathBuf> = ["Cargo.toml.orig", ".cargo_vcs_info.json"]
        .into_iter()
        .map(PathBuf::from)
        .filter(|reserved| files.remove(reserved).is_some())
        .collect();
    files.retain(|path, _| {
        let at_root = path.components().count() == 1;
        let name = path.to_string_lossy();
        !(at_root && (name == "Cargo.lock" || name.eq_ignore_ascii_case("Cargo.toml")))
    });
    for configured in [input.readme, input.license_file].into_iter().flatten() {
        let path = crate::base::paths::normalize(&root.join(configured));
        if !path.is_file() {
            continue; // the readme-not-found / license-file-not-found checks report it
        }
        match path.strip_prefix(root) {
            Ok(rel) => {
                files.entry(rel.to_path_buf()).or_insert(FileSource::Disk(path.clone()));
            }
            Err(_) => {
                let Some(name) = path.file_name() else { continue };
                if files.contains_key(Path::new(name)) {
                    warnings.push(format!(
                        "{} is outside the package and the package root already has a file named {}; cargo packages the root file",
                        path.display(),
                        name.to_string_lossy()
                    ));
                } else {
                    files.insert(PathBuf::from(name), FileSource::Outside(path.clone()));
                }
            }
        }
    }
    files.insert("Cargo.toml".into(), FileSource::Generated(Generated::CargoToml));
    files.insert("Cargo.toml.orig".into(), FileSource::Generated(Generated::CargoTomlOrig));
    files.insert("Cargo.lock".into(), FileSource::Generated(Generated::CargoLock));

    dirty.extend(super::dirty::beyond_listing(input.repos, mode, &files));
    dirty.retain(|p| files.contains_key(p));
    dirty.sort();
    dirty.dedup();
    let vcs = repo.and_then(|repo| repo.vcs_info(root, !dirty.is_empty()));
    if vcs.is_some() {
        files.insert(".cargo_vcs_info.json".into(), FileSource::Generated(Generated::VcsInfo));
    }

    // BTreeMap<PathBuf, _> iterates in PathBuf order, which is cargo's.
    let files = files.into_iter().map(|(path, source)| PackagedFile { path, source }).collect();
    Ok(Listing { mode, files, vcs, dirty, refused, warnings })
}

/// `include`/`exclude` with gitignore semantics, rooted at the package root.
struct Filter {
    root: PathBuf,
    matcher: Gitignore,
    include_mode: bool,
    /// Which linked folders may be walked.
    links: LinkGuard,
}

impl Filter {
    fn new(
        root: &Path,
        include: Option<&[String]>,
        exclude: &[String],
        walk_mode: bool,
    ) -> Result<Filter, ListError> {
        let manifest = root.join("Cargo.toml");
        let mut builder = GitignoreBuilder::new(root);
        let (field, patterns, include_mode) = match include {
            Some(include) => ("include", include, true),
            None => ("exclude", exclude, false),
        };
        if !include_mode && walk_mode {
            builder.add_line(None, ".*").expect("`.*` is a valid pattern");
        }
        for pattern in patterns {
            builder.add_line(None, pattern).map_err(|e| ListError::Pattern {
                manifest: manifest.clone(),
                field,
                pattern: pattern.clone(),
                message: e.to_string(),
            })?;
        }
        let matcher = builder.build().map_err(|e| ListError::Pattern {
            manifest,
            field,
            pattern: patterns.join(", "),
            message: e.to_string(),
        })?;
        let links = LinkGuard::new(root, root);
        Ok(Filter { root: root.to_path_buf(), matcher, include_mode, links })
    }

    /// Whether cargo keeps `path` (absolute); directories are pruned when this says no.
    fn allows(&self, path: &Path, is_dir: bool) -> bool {
        let Ok(rel) = path.strip_prefix(&self.root) else { return false };
        if rel.as_os_str().is_empty()
            || rel == Path::new("Cargo.toml")
            || rel == Path::new("Cargo.lock")
        {
            return true;
        }
        if self.include_mode {
            // Include patterns name files; every folder is entered.
            is_dir || self.matcher.matched_path_or_any_parents(rel, false).is_ignore()
        } else {
            !self.matcher.matched_path_or_any_parents(rel, is_dir).is_ignore()
        }
    }
}
