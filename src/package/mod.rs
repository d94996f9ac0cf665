//! The package stage: what `cargo package` would put into the `.crate`, how big the
//! compressed archive is, and the content fingerprint a reviewer signs off on.

pub mod diff;
mod dirty;
pub mod lock_members;
mod lock_settle;
mod lock_walk;
pub mod lockfile;

pub mod archive;
pub mod files;
pub mod generated;
pub mod modules;
pub mod scan;
pub mod upload;
mod waves;

pub use waves::in_waves;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::Serialize;

use crate::base::error::Error;
use crate::package::lock_members::LockMember;
use crate::package::lockfile::{MemberCrate, Resolution, ResolutionMemo, View};
use crate::workspace::manifest;
use crate::workspace::{Member, Workspace};
use files::{FileSource, Generated, ListInput, ListMode};

/// crates.io's limit on the compressed `.crate`.
pub const MAX_CRATE_SIZE: u64 = 10 * 1024 * 1024;

/// Where a file of the archive comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// A file of the package, read from disk.
    Disk,
    /// A file cargo writes itself (`Cargo.toml`, `Cargo.toml.orig`, `Cargo.lock`,
    /// `.cargo_vcs_info.json`).
    Generated,
    /// A readme or license file from outside the package root.
    Outside,
}

/// One file of the `.crate`.
#[derive(Debug, Clone)]
pub struct ArchiveFile {
    /// Path inside the archive, below `<name>-<version>/`.
    pub path: PathBuf,
    /// Bytes (for generated `Cargo.toml` and `Cargo.lock`: of our close estimate).
    pub size: u64,
    pub origin: Origin,
    /// The owner may execute it (archived with mode 0755, else 0644).
    pub executable: bool,
    /// SHA-256 of the content.
    pub sha256: [u8; 32],
    /// Where the content comes from.
    pub content: Content,
}

/// The bytes of an archive entry.
#[derive(Debug, Clone)]
pub enum Content {
    /// Read from this path when streaming (following symlinks).
    File(PathBuf),
    /// Generated in memory.
    Bytes(Vec<u8>),
}

/// The packaged crate, as the later stages see it.
#[derive(Debug, Clone)]
pub struct Archive {
    pub mode: ListMode,
    /// In cargo's order, exactly as `cargo package --list` prints them.
    pub files: Vec<ArchiveFile>,
    /// Sum of the file sizes.
    pub unpacked_size: u64,
    /// Bytes of the JSON metadata `cargo publish` sends with the archive (README included).
    pub upload_metadata_size: u64,
    /// Size of the gzip-compressed tar, as `cargo package` would write it.
    pub compressed_size: u64,
    /// SHA-256 (hex) of the `.crate` as this tool writes it.
    pub crate_sha256: String,
    /// `sha256:<hex>` of the `.crate`: the checksum the registry index will record, when
    /// every byte is known ([`Archive::exact`]).
    pub checksum: Option<String>,
    /// Every byte of the `.crate` is what cargo writes. False when a generated file is an
    /// estimate; [`Archive::estimates`] says which and why.
    pub exact: bool,
    /// Why the archive is not exact: one sentence per estimated file.
    pub estimates: Vec<String>,
    /// `sha256:<hex>` over everything a reviewer approves (see [`archive::fingerprint`]).
    pub fingerprint: String,
    /// Whether the fingerprint covers the packaged `Cargo.lock`.
    pub lock: archive::LockInFingerprint,
    /// The workspace members the packaged lock lists, and where it takes each from.
    pub lock_members: Vec<LockMember>,
    /// Identifies the archive's exact bytes, for the size cache.
    pub cache_key: String,
    /// What cargo would warn about while listing.
    pub warnings: Vec<String>,
    /// Secrets and compile-time inputs found in the packaged files.
    pub facts: scan::ContentFacts,
    /// The commit and path `.cargo_vcs_info.json` records, in git mode.
    pub vcs: Option<files::VcsInfo>,
    /// Packaged files that differ from the last commit (modified or untracked), in git mode.
    pub dirty: Vec<PathBuf>,
    /// Listed files that cannot be read (archive path, why): `cargo package` fails on them.
    pub unreadable: Vec<(PathBuf, String)>,
    /// Listed files that lead outside the repository or into `.git/` (archive path, why):
    /// never read.
    pub outside: Vec<(PathBuf, String)>,
    /// Source files cargo refuses to package (named like the files it generates).
    pub refused: Vec<PathBuf>,
}

/// The files `cargo package --list` would list for a member.
pub fn list(workspace: &Workspace, member: &Member) -> Result<files::Listing, Error> {
    let package = &member.package;
    Ok(files::list_files(&ListInput {
        repository: workspace.confinement.root(),
        repos: &workspace.git,
        package_root: &member.root,
        include: member.include.as_deref(),
        exclude: &member.exclude,
        readme: package.readme.as_ref().map(|p| p.as_std_path()),
        license_file: package.license_file.as_ref().map(|p| p.as_std_path()),
    })?)
}

/// The root files of the targets `cargo build` compiles (library, binaries, and the build
/// script when it is packaged: cargo drops an unpackaged one, which its own check
/// reports), relative to the package root: what `cargo publish` verifies.
fn compiled_roots(member: &Member, files: &[ArchiveFile]) -> Vec<PathBuf> {
    use cargo_metadata::TargetKind::{Bin, CustomBuild};
    member
        .package
        .targets
        .iter()
        .filter_map(|t| {
            let root = t.src_path.as_std_path().strip_prefix(&member.root).ok()?;
            let compiled = t.kind.iter().any(|k| {
                crate::workspace::is_library(k)
                    || *k == Bin
                    || (*k == CustomBuild && files.iter().any(|f| f.path == root))
            });
            compiled.then(|| root.to_path_buf())
        })
        .collect()
}

/// The features `cargo publish`'s verification builds the crate with: `default`, and every
/// feature it enables (a dependency's name too, for `dep/feature`: its implicit feature may
/// be one).
fn default_features(member: &Member) -> BTreeSet<String> {
    let features = &member.package.features;
    let mut on = BTreeSet::new();
    let mut queue = vec!["default".to_owned()];
    while let Some(feature) = queue.pop() {
        if !on.insert(feature.clone()) {
            continue;
        }
        for value in features.get(&feature).into_iter().flatten() {
            if value.starts_with("dep:") {
                continue;
            }
            let enabled = value.split_once('/').map_or(value.as_str(), |(dep, _)| dep);
            queue.push(enabled.trim_end_matches('?').to_owned());
        }
    }
    on
}

/// What an earlier run learned about an archive with the same [`archive::cache_key`]: the
/// expensive parts (compressing, lexing and scanning every file) that a re-run can reuse.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CachedArchive {
    pub compressed_size: u64,
    /// SHA-256 of the `.crate`, hex.
    pub crate_sha256: String,
    pub facts: scan::ContentFacts,
}

/// The packaged README: the `readme` file, which keeps its path inside the package and
/// goes to the archive root from outside it.
pub fn readme_entry<'a>(member: &Member, files: &'a [ArchiveFile]) -> Option<&'a ArchiveFile> {
    let configured = member.package.readme.as_ref()?.as_std_path();
    let mut inside = PathBuf::new();
    for part in configured.components() {
        match part {
            std::path::Component::ParentDir if !inside.pop() => {
                inside = configured.file_name().map(Into::into).unwrap_or_default();
                break;
            }
            std::path::Component::Normal(name) => inside.push(name),
            _ => {}
        }
    }
    files.iter().find(|f| f.path == inside && f.origin != Origin::Generated)
}

/// The JSON metadata's size, with the README's text read (up to the limit: past it, the
/// exact size no longer matters).
fn upload_metadata_size(member: &Member, files: &[ArchiveFile]) -> Result<u64, Error> {
    use std::io::Read;
    let readme = readme_entry(member, files);
    let Some(ArchiveFile { content: Content::File(path), size, .. }) = readme else {
        return Ok(upload::metadata_size(member, None));
    };
    if *size > upload::MAX_METADATA_SIZE {
        return Ok(upload::metadata_size(member, None) + size);
    }
    let mut bytes = Vec::with_capacity(*size as usize);
    crate::base::paths::open_regular(path)
        .and_then(|f| f.take(*size).read_to_end(&mut bytes))
        .map_err(|e| Error::io(path, e))?;
    Ok(upload::metadata_size(member, Some(&String::from_utf8_lossy(&bytes))))
}

impl Archive {
    /// The archive of a crate that could not be packaged: nothing is known of it.
    pub fn unchecked(reason: &str) -> Archive {
        Archive {
            mode: ListMode::Walk,
            files: Vec::new(),
            unpacked_size: 0,
            upload_metadata_size: 0,
            compressed_size: 0,
            crate_sha256: String::new(),
            checksum: None,
            exact: false,
            estimates: vec![format!("Nothing is known of the archive: {reason}")],
            fingerprint: "none: the crate could not be checked".to_owned(),
            lock: archive::LockInFingerprint::Left,
            lock_members: Vec::new(),
            cache_key: String::new(),
            warnings: Vec::new(),
            facts: scan::ContentFacts::default(),
            vcs: None,
            dirty: Vec::new(),
            unreadable: Vec::new(),
            outside: Vec::new(),
            refused: Vec::new(),
        }
    }

    /// What a later run may reuse of this archive.
    pub fn to_cached(&self) -> CachedArchive {
        CachedArchive {
            compressed_size: self.compressed_size,
            crate_sha256: self.crate_sha256.clone(),
            facts: self.facts.clone(),
        }
    }
}

/// Archives, and the resolutions of their packaged locks, known from earlier runs.
pub trait ArchiveCache: ResolutionMemo {
    fn get(&self, key: &str) -> Option<CachedArchive>;
}

impl ArchiveCache for crate::base::cache::BlobStore {
    fn get(&self, key: &str) -> Option<CachedArchive> {
        serde_json::from_slice(&crate::base::cache::BlobStore::get(self, key)?).ok()
    }
}

impl ResolutionMemo for crate::base::cache::BlobStore {
    fn resolution(&self, key: &str) -> Option<Resolution> {
        serde_json::from_slice(&crate::base::cache::BlobStore::get(self, key)?).ok()
    }

    /// Kept at once: the next member's lock, or the same member's other view, may ask.
    fn keep_resolution(&self, key: &str, resolution: &Resolution) {
        if let Ok(bytes) = serde_json::to_vec(resolution) {
            self.replace(key, &bytes);
        }
    }
}

/// What this run learned about its archives, as entries of the archive store.
pub fn archive_entries(fresh: Vec<(String, CachedArchive)>) -> Vec<(String, Vec<u8>)> {
    fresh
        .into_iter()
        .filter_map(|(key, cached)| Some((key, serde_json::to_vec(&cached).ok()?)))
        .collect()
}

impl Archive {
    /// What the packaged locks of other members record of this archive.
    pub fn written(&self) -> MemberCrate {
        MemberCrate {
            sha256: self.crate_sha256.clone(),
            exact: self.exact,
            fingerprint: self.fingerprint.clone(),
        }
    }
}

/// A dependency cargo refuses to package a crate with: a path or git dependency (not a
/// dev-dependency, which cargo drops) that names no version.
pub fn refuses_unversioned(dep: &cargo_metadata::Dependency) -> bool {
    use cargo_metadata::DependencyKind;
    let git = dep.source.as_ref().is_some_and(|s| s.repr.starts_with("git+"));
    matches!(dep.kind, DependencyKind::Normal | DependencyKind::Build)
        && (dep.path.is_some() || git)
        && dep.req.comparators.is_empty()
}

/// Lists, sizes and fingerprints one member's `.crate`. The compressed size and the scan
/// are taken from `cache` when the archive's content is unchanged. `checksums` are the
/// other members' `.crate` files, where known (the packaged lock lists them).
pub fn package(
    workspace: &Workspace,
    member: &Member,
    cache: &dyn ArchiveCache,
    checksums: &BTreeMap<String, MemberCrate>,
) -> Result<Archive, Error> {
    let resolutions = generated::LockResolutions::of(workspace, member, cache);
    finish(workspace, prepare(workspace, member)?, &resolutions, cache, checksums)
}

/// A member's archive but for its `Cargo.lock`, which names the other members' archives:
/// every file listed, read and digested. Members are prepared side by side, and finished
/// in the order their locks ask for.
pub struct Prepared<'m> {
    member: &'m Member,
    listing: files::Listing,
    /// The files in cargo's order; the lock's entry is empty until [`finish`].
    files: Vec<ArchiveFile>,
    /// The position of `Cargo.lock` in `files`, when it is packaged.
    lock_at: Option<usize>,
    estimates: Vec<String>,
    unreadable: Vec<(PathBuf, String)>,
    outside: Vec<(PathBuf, String)>,
}

/// Lists one member's files and reads and digests each, all but the packaged lock.
pub fn prepare<'m>(workspace: &Workspace, member: &'m Member) -> Result<Prepared<'m>, Error> {
    let package = &member.package;
    if let Some(reason) = &member.unchecked {
        let path = package.manifest_path.clone().into_std_path_buf();
        return Err(Error::Manifest { path, message: reason.clone() });
    }
    let mut listing = list(workspace, member)?;

    let manifest_path = member.package.manifest_path.as_std_path();
    let mut files = Vec::with_capacity(listing.files.len());
    let mut unreadable = Vec::new();
    let mut outside = Vec::new();
    let mut estimates = Vec::new();
    let mut lock_at = None;
    let packaged: Vec<PathBuf> = listing.files.iter().map(|f| f.path.clone()).collect();
    let mut resolver = crate::base::paths::Resolver::new(&workspace.confinement);
    // cargo writes no archive at all then: there are no bytes of cargo's to be exact about.
    if let Some(dep) = package.dependencies.iter().find(|d| refuses_unversioned(d)) {
        estimates.push(format!(
            "cargo refuses to package the crate: the dependency on {} names no version.",
            dep.name
        ));
    }
    for file in std::mem::take(&mut listing.files) {
        let (origin, content) = match file.source {
            FileSource::Disk(path) => (Origin::Disk, Content::File(path)),
            FileSource::Outside(path) => (Origin::Outside, Content::File(path)),
            FileSource::Generated(Generated::CargoTomlOrig) => {
                (Origin::Generated, Content::File(manifest_path.to_path_buf()))
            }
            FileSource::Generated(Generated::CargoToml) => {
                let dir = manifest::PackageDir::new(&member.root, &workspace.confinement);
                let text =
                    manifest::published(&member.typed, &workspace.inheritable, &dir, &packaged)
                        .map_err(|e| Error::Manifest {
                            path: manifest_path.to_path_buf(),
                            message: e.0,
                        })?;
                (Origin::Generated, Content::Bytes(text.into_bytes()))
            }
            FileSource::Generated(Generated::CargoLock) => {
                lock_at = Some(files.len());
                (Origin::Generated, Content::Bytes(Vec::new()))
            }
            FileSource::Generated(Generated::VcsInfo) => {
                let vcs = listing.vcs.as_ref();
                (Origin::Generated, Content::Bytes(generated::vcs_info(vcs).into_bytes()))
            }
        };
        // A path that leads outside the repository (`readme = "../../etc/passwd"`, a link
        // to `/proc/self/environ`) or into `.git/` is listed as cargo lists it, and never
        // read: it stays empty, and the path-outside-repository check fails.
        let content = match content {
            Content::File(path) => match resolver.resolve(&member.root.join(&path)) {
                Ok(_) => Content::File(path),
                Err(refused) => {
                    outside.push((file.path.clone(), refused.to_string()));
                    Content::Bytes(Vec::new())
                }
            },
            bytes => bytes,
        };
        // cargo lists a file it cannot read (a broken symlink, say) and fails when it
        // archives it; the report lists it too, empty, and the file-unreadable check fails.
        let (digested, content) = match archive::digest(&content) {
            Ok(digested) => (digested, content),
            Err(Error::Io { source, .. }) => {
                unreadable.push((file.path.clone(), source.to_string()));
                (archive::digest(&Content::Bytes(Vec::new()))?, Content::Bytes(Vec::new()))
            }
            Err(other) => return Err(other),
        };
        files.push(ArchiveFile {
            path: file.path,
            size: digested.size,
            origin,
            executable: digested.executable,
            sha256: digested.sha256,
            content,
        });
    }

    Ok(Prepared { member, listing, files, lock_at, estimates, unreadable, outside })
}

/// Writes a prepared member's `Cargo.lock` from its `resolutions` with the other members'
/// `.crate` files (`checksums`), then sizes and fingerprints its `.crate`.
pub fn finish(
    workspace: &Workspace,
    prepared: Prepared,
    resolutions: &generated::LockResolutions,
    cache: &dyn ArchiveCache,
    checksums: &BTreeMap<String, MemberCrate>,
) -> Result<Archive, Error> {
    let Prepared { member, listing, mut files, lock_at, mut estimates, unreadable, outside } =
        prepared;
    let package = &member.package;
    let mut lock_digest = None;
    let mut lock_members = Vec::new();
    if let Some(at) = lock_at {
        let lock = generated::lockfile(workspace, member, resolutions, checksums, View::Release);
        estimates.extend(lock.estimate);
        lock_members = lock.members;
        if member.has_binaries() {
            let stable =
                generated::lockfile(workspace, member, resolutions, checksums, View::Fingerprint);
            lock_digest = Some(<sha2::Sha256 as sha2::Digest>::digest(stable.text).into());
        }
        let content = Content::Bytes(lock.text.into_bytes());
        let digested = archive::digest(&content)?;
        let file = &mut files[at];
        (file.size, file.executable, file.sha256, file.content) =
            (digested.size, digested.executable, digested.sha256, content);
    }
    let (name, version) = (package.name.as_str(), package.version.to_string());
    let roots = compiled_roots(member, &files);
    let cache_key = archive::cache_key(name, &version, &roots, &files);
    let cached = match cache.get(&cache_key) {
        Some(cached) => cached,
        None => {
            // Compressing and scanning read the same files for different ends: side by
            // side, the crate is packaged in the time of the longer one.
            let (streamed, facts) = rayon::join(
                || archive::stream(name, &version, &files),
                || scan::scan(&files, &roots, default_features(member)),
            );
            let streamed = streamed?;
            CachedArchive {
                compressed_size: streamed.compressed_size,
                crate_sha256: crate::base::format::hex(&streamed.sha256),
                facts: facts?,
            }
        }
    };
    let lock = match lock_digest {
        Some(digest) => archive::LockInFingerprint::Covered { digest },
        None => archive::LockInFingerprint::Left,
    };
    let exact = estimates.is_empty();
    let upload_metadata_size = upload_metadata_size(member, &files)?;
    Ok(Archive {
        upload_metadata_size,
        mode: listing.mode,
        unpacked_size: files.iter().map(|f| f.size).sum(),
        compressed_size: cached.compressed_size,
        checksum: exact.then(|| format!("sha256:{}", cached.crate_sha256)),
        crate_sha256: cached.crate_sha256,
        exact,
        estimates,
        fingerprint: archive::fingerprint(&files, lock),
        lock,
        lock_members,
        cache_key,
        files,
        warnings: listing.warnings,
        facts: cached.facts,
        vcs: listing.vcs,
        dirty: listing.dirty,
        unreadable,
        outside,
        refused: listing.refused,
    })
}
