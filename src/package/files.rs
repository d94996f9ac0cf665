//! TEMPORARY placeholder until the real cargo file selection lands (same interface).
use std::path::{Path, PathBuf};

pub struct ListInput<'a> {
    pub package_root: &'a Path,
    pub include: Option<&'a [String]>,
    pub exclude: &'a [String],
    pub readme: Option<&'a Path>,
    pub license_file: Option<&'a Path>,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListMode {
    Git,
    Walk,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileSource {
    Disk(PathBuf),
    Outside(PathBuf),
    Generated(Generated),
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generated {
    CargoToml,
    CargoTomlOrig,
    CargoLock,
    VcsInfo,
}
#[derive(Debug, Clone)]
pub struct PackagedFile {
    pub path: PathBuf,
    pub source: FileSource,
}
#[derive(Debug, Clone)]
pub struct VcsInfo {
    pub sha1: String,
    pub path_in_vcs: String,
    pub dirty: bool,
}
#[derive(Debug)]
pub struct Listing {
    pub mode: ListMode,
    pub files: Vec<PackagedFile>,
    pub vcs: Option<VcsInfo>,
    pub warnings: Vec<String>,
}
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

pub fn list_files(input: &ListInput) -> Result<Listing, ListError> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(input.package_root).into_iter().filter_entry(|e| {
        e.depth() == 0
            || (!e.file_name().to_string_lossy().starts_with('.') && e.file_name() != "target")
    }) {
        let entry = entry.map_err(|e| ListError::Io {
            path: input.package_root.to_path_buf(),
            source: e.into(),
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(input.package_root).unwrap().to_path_buf();
        if rel == Path::new("Cargo.toml") || rel == Path::new("Cargo.lock") {
            continue;
        }
        files
            .push(PackagedFile { path: rel, source: FileSource::Disk(entry.path().to_path_buf()) });
    }
    for (p, g) in [
        ("Cargo.toml", Generated::CargoToml),
        ("Cargo.toml.orig", Generated::CargoTomlOrig),
        ("Cargo.lock", Generated::CargoLock),
    ] {
        files.push(PackagedFile { path: p.into(), source: FileSource::Generated(g) });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Listing { mode: ListMode::Walk, files, vcs: None, warnings: vec![] })
}
