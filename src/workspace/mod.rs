//! The workspace stage: loads the members with `cargo metadata --no-deps` (no network) and
//! reads what `cargo metadata` does not report (`include`, `exclude`) from the manifests.
//!
//! Every manifest is read through the repository's [`Confinement`]: a member whose folder
//! or `Cargo.toml` leads outside the repository (a folder committed as a symbolic link to
//! another project) or into `.git/` keeps only what identifies it, its name and version
//! from cargo, and is not checked ([`Member::unchecked`]); a workspace manifest that does
//! is an error.

mod declared;
pub mod git;
pub mod index_cache;
pub mod lock;
pub mod manifest;
pub mod plan;

use std::path::{Path, PathBuf};

use cargo_metadata::{DependencyKind, MetadataCommand, Package};
use cargo_util_schemas::manifest::TomlManifest;

use crate::base::cache::BlobStore;
use crate::base::error::{Error, one_line};
use crate::base::format::slash_path;
use crate::base::paths::Confinement;
use crate::workspace::index_cache::IndexCache;
use declared::Declared;
use git::GitRepos;
use lock::{Declarations, Lock};
use manifest::WorkspaceManifest;

/// A loaded workspace.
#[derive(Debug)]
pub struct Workspace {
    /// The workspace root folder (absolute).
    pub root: PathBuf,
    /// The repository around it (the git work tree, or the workspace root outside git):
    /// no path the workspace names is read outside it.
    pub confinement: Confinement,
    /// The cargo target directory (absolute).
    pub target_dir: PathBuf,
    /// Every member, sorted by name.
    pub members: Vec<Member>,
    /// `[workspace.metadata]`.
    pub metadata: serde_json::Value,
    /// What the root manifest gives its members to inherit, and the workspace's resolver.
    pub inheritable: WorkspaceManifest,
    /// The resolved dependency graph: the committed `Cargo.lock`, or one cargo resolves
    /// offline in a temporary copy of the manifests. `None` when neither is possible.
    pub lock: Option<Lock>,
    /// Whether `lock` is the committed file (else resolved here, with the newest versions
    /// cargo's local cache holds, which `cargo package` would not necessarily pick).
    pub lock_committed: bool,
    /// Without a committed lock, what cargo's packaging starts from: the members and the
    /// dependencies between them; every registry package is resolved from the index.
    pub members_lock: Option<Lock>,
    /// The features and dependency declarations of every package the lock names, where
    /// known: what the packaged lock file is walked with (see [`Workspace::declarations`]).
    declared: Declared,
    /// cargo's local copy of the crates.io index: which releases crates.io has.
    pub index: IndexCache,
    /// The git repositories the file listings read, each read once per run.
    pub git: GitRepos,
}

/// One member of the workspace.
#[derive(Debug)]
pub struct Member {
    /// Everything `cargo metadata` knows, inherited fields resolved.
    pub package: Package,
    /// The package root folder (absolute).
    pub root: PathBuf,
    /// The manifest, relative to the workspace root, `/`-separated.
    pub manifest_rel: String,
    /// `publish = false` (or an empty registry list) makes this false.
    pub publish: bool,
    /// `package.include`, inheritance resolved; `None` when unset or empty.
    pub include: Option<Vec<String>>,
    /// `package.exclude`, inheritance resolved.
    pub exclude: Vec<String>,
    /// Whether `package.edition` is written (or inherited); cargo defaults to 2015.
    pub edition_set: bool,
    /// `package.rust-version` as written (or inherited); `cargo metadata` reports it
    /// normalized to three parts.
    pub rust_version: Option<String>,
    /// `[package]` keys inherited from `[workspace.package]` (`key.workspace = true`).
    pub inherited: Vec<String>,
    /// The manifest as written (what the archive stores as `Cargo.toml.orig`), parsed.
    pub manifest: toml::Table,
    /// The same manifest in cargo's own model, which the published one is built from.
    pub typed: TomlManifest,
    /// Why the crate cannot be checked (its folder or manifest leads outside the
    /// repository, or the manifest cannot be read): then nothing of its manifest is kept
    /// but its name and version, and every other field here is empty.
    pub unchecked: Option<String>,
}

/// A dependency between two members, as it will stand in the published manifest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MemberEdge {
    pub from: String,
    pub to: String,
    pub kind: &'static str,
    pub req: String,
}

impl Workspace {
    /// Loads the workspace that `manifest_path` (or the current directory) belongs to.
    ///
    /// `cargo metadata` runs from a neutral temporary folder with an explicit
    /// `--manifest-path`, offline: cargo reads its configuration (and rustup its toolchain
    /// file) from the working directory upwards, so the checkout's `.cargo/config.toml`
    /// and `rust-toolchain.toml` are never consulted, and nothing the checkout names runs.
    pub fn load(manifest_path: Option<&Path>, cache: &BlobStore) -> Result<Workspace, Error> {
        let manifest_path = match manifest_path {
            Some(path) => {
                if path.file_name().is_none_or(|name| name != "Cargo.toml") {
                    return Err(Error::NotAManifest(path.to_path_buf()));
                }
                if !path.is_file() {
                    return Err(Error::ManifestNotFound(path.to_path_buf()));
                }
                std::path::absolute(path).map_err(|e| Error::io(path, e))?
            }
            None => nearest_manifest()?,
        };
        let neutral = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
        let mut command = MetadataCommand::new();
        command
            .cargo_path(cargo_program())
            .current_dir(neutral.path())
            .manifest_path(&manifest_path)
            .no_deps()
            .other_options(vec!["--offline".to_owned()]);
        let metadata = command.exec().map_err(|err| match err {
            cargo_metadata::Error::CargoMetadata { stderr } => Error::Cargo(one_line(&stderr)),
            other => Error::Cargo(one_line(&other.to_string())),
        })?;

        let root = metadata.workspace_root.clone().into_std_path_buf();
        let repository = gix::discover(&root)
            .ok()
            .and_then(|repo| repo.workdir().map(Path::to_path_buf))
            .unwrap_or_else(|| root.clone());
        let confinement = Confinement::new(&repository);
        let root_path = root.join("Cargo.toml");
        let (root_manifest, root_typed) = read_manifest(&confinement, &root_path)
            .map_err(|message| Error::Manifest { path: root_path.clone(), message })?;
        let inheritable = WorkspaceManifest::new(&root, &root_typed)
            .map_err(|e| Error::Manifest { path: root_path.clone(), message: e.0 })?;
        let root_manifest = Some(root_manifest);
        let inherited = |key: &str| -> Option<toml::Value> {
            root_manifest.as_ref()?.get("workspace")?.get("package")?.get(key).cloned()
        };

        let mut members = Vec::new();
        for package in metadata.workspace_packages() {
            let manifest_path = package.manifest_path.clone().into_std_path_buf();
            let root_dir = manifest_path.parent().unwrap_or(&root).to_path_buf();
            let manifest_rel = manifest_path
                .strip_prefix(&root)
                .map(slash_path)
                .unwrap_or_else(|_| slash_path(&manifest_path));
            let read = confinement
                .resolve(&root, &root_dir)
                .map_err(|why| format!("the member's folder {why}"))
                .and_then(|_| read_manifest(&confinement, &manifest_path));
            let (manifest, typed) = match read {
                Ok(read) => read,
                Err(why) => {
                    members.push(Member::unchecked(package, root_dir, manifest_rel, why));
                    continue;
                }
            };
            let field = |key: &str| -> Option<toml::Value> {
                let value = manifest.get("package")?.get(key)?;
                if value.get("workspace").and_then(toml::Value::as_bool) == Some(true) {
                    inherited(key)
                } else {
                    Some(value.clone())
                }
            };
            let package_table = manifest.get("package").and_then(toml::Value::as_table);
            let inherited: Vec<String> = package_table
                .map(|table| {
                    table
                        .iter()
                        .filter(|(_, v)| {
                            v.get("workspace").and_then(toml::Value::as_bool) == Some(true)
                        })
                        .map(|(k, _)| k.clone())
                        .collect()
                })
                .unwrap_or_default();
            let edition_set = field("edition").is_some();
            let rust_version = field("rust-version").and_then(|v| v.as_str().map(str::to_owned));
            let include = field("include").map(string_list).filter(|list| !list.is_empty());
            let exclude = field("exclude").map(string_list).unwrap_or_default();
            members.push(Member {
                publish: package.publish.as_ref().is_none_or(|registries| !registries.is_empty()),
                package: package.clone(),
                root: root_dir,
                manifest_rel,
                include,
                exclude,
                edition_set,
                rust_version,
                inherited,
                manifest,
                typed,
                unchecked: None,
            });
        }
        members.sort_by(|a, b| a.package.name.cmp(&b.package.name));

        let committed = committed_lock(&confinement, &root);
        let lock_committed = committed.is_some();
        let lock = match committed {
            Some(text) => text.parse().ok(),
            None => resolve_lock(&root, &members),
        }
        .map(|table| Lock::parse(&table));
        let members_lock = (!lock_committed).then(|| {
            Lock::of_members(members.iter().map(|m| {
                let depends = m.package.dependencies.iter().filter(|d| d.path.is_some());
                let depends = depends.map(|d| d.name.as_str()).collect();
                (m.name(), &m.package.version, depends)
            }))
        });
        let walked = members_lock.as_ref().or(lock.as_ref());
        let index = IndexCache::open();
        let declared =
            Declared::load(&manifest_path, &members, lock.as_ref(), walked, &index, cache);
        Ok(Workspace {
            confinement,
            root,
            target_dir: metadata.target_directory.into_std_path_buf(),
            members,
            inheritable,
            metadata: metadata.workspace_metadata,
            lock,
            lock_committed,
            members_lock,
            declared,
            index,
            git: GitRepos::default(),
        })
    }

    /// Every package's features and dependency declarations: the members' own, and those of
    /// the registry packages the lock names (which may wait for `cargo metadata`).
    pub fn declarations(&self) -> &Declarations {
        self.declared.declarations()
    }

    /// A digest of the declarations and the lock the packaged locks start from
    /// (`members_lock`, else `lock`): with the index entries a packaged lock read, what it
    /// was resolved from.
    pub fn resolution_inputs(&self) -> &str {
        self.declared.digest()
    }

    /// A path relative to the workspace root, `/`-separated (absolute when outside it).
    pub fn relative(&self, path: &Path) -> String {
        slash_path(path.strip_prefix(&self.root).unwrap_or(path))
    }

    /// The root folder's name, used as the site's title.
    pub fn name(&self) -> String {
        self.root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "workspace".to_owned())
    }

    /// The members chosen by `-p` (all when empty) minus `--exclude`.
    pub fn select(&self, packages: &[String], exclude: &[String]) -> Result<Vec<&Member>, Error> {
        for spec in packages.iter().chain(exclude) {
            if !self.members.iter().any(|m| m.matches(spec)) {
                return Err(Error::UnknownPackage { spec: spec.clone(), root: self.root.clone() });
            }
        }
        let selected: Vec<&Member> = self
            .members
            .iter()
            .filter(|m| packages.is_empty() || packages.iter().any(|spec| m.matches(spec)))
            .filter(|m| !exclude.iter().any(|spec| m.matches(spec)))
            .collect();
        if selected.is_empty() {
            return Err(Error::NothingSelected);
        }
        Ok(selected)
    }

    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.package.name.as_str() == name)
    }

    /// Dependencies between members that stay in the published manifests: normal and
    /// build dependencies, and dev-dependencies that carry a version (cargo strips the
    /// others). Sorted.
    pub fn member_edges(&self) -> Vec<MemberEdge> {
        let mut edges = Vec::new();
        for member in &self.members {
            for dep in &member.package.dependencies {
                let Some(target) = self.member(&dep.name) else {
                    continue;
                };
                if dep.path.is_none() || target.package.name == member.package.name {
                    continue;
                }
                let kind = match dep.kind {
                    DependencyKind::Normal => "normal",
                    DependencyKind::Build => "build",
                    DependencyKind::Development if dep.req.comparators.is_empty() => continue,
                    DependencyKind::Development => "dev",
                    _ => continue,
                };
                edges.push(MemberEdge {
                    from: member.package.name.to_string(),
                    to: dep.name.clone(),
                    kind,
                    req: dep.req.to_string(),
                });
            }
        }
        edges.sort();
        edges.dedup();
        edges
    }
}

impl Member {
    /// A member that cannot be checked, for `reason`: of `package` it keeps what
    /// identifies it (name, version, id, manifest path), nothing of its manifest.
    fn unchecked(package: &Package, root: PathBuf, manifest_rel: String, reason: String) -> Member {
        let identity = serde_json::json!({
            "name": package.name,
            "version": package.version,
            "id": package.id,
            "manifest_path": package.manifest_path,
            "dependencies": [],
            "targets": [],
            "features": {},
        });
        Member {
            package: serde_json::from_value(identity).expect("a package's identity is a package"),
            root,
            manifest_rel,
            // Unknown, so taken as published: its one blocker counts.
            publish: true,
            include: None,
            exclude: Vec::new(),
            edition_set: false,
            rust_version: None,
            inherited: Vec::new(),
            manifest: toml::Table::new(),
            typed: TomlManifest::default(),
            unchecked: Some(reason),
        }
    }

    pub fn name(&self) -> &str {
        self.package.name.as_str()
    }

    /// Its library target (of any library crate type), if it has one.
    pub fn library(&self) -> Option<&cargo_metadata::Target> {
        self.package.targets.iter().find(|t| t.kind.iter().any(is_library))
    }

    /// Whether it has a binary target (then cargo packages its `Cargo.lock`).
    pub fn has_binaries(&self) -> bool {
        let bin = cargo_metadata::TargetKind::Bin;
        self.package.targets.iter().any(|t| t.kind.contains(&bin))
    }

    /// `NAME` or `NAME@VERSION`, as cargo's `-p` accepts.
    fn matches(&self, spec: &str) -> bool {
        match spec.split_once('@') {
            Some((name, version)) => {
                self.name() == name && self.package.version.to_string() == version
            }
            None => self.name() == spec,
        }
    }
}

/// The cargo to run: the one that started us (`CARGO`, set when run as `cargo readiness`),
/// else `cargo` from `PATH`.
/// Whether a target of this kind is a library (`lib`, `rlib`, `dylib`, `cdylib`,
/// `staticlib`, `proc-macro`).
pub fn is_library(kind: &cargo_metadata::TargetKind) -> bool {
    use cargo_metadata::TargetKind::{CDyLib, DyLib, Lib, ProcMacro, RLib, StaticLib};
    matches!(kind, Lib | RLib | DyLib | CDyLib | StaticLib | ProcMacro)
}

pub fn cargo_program() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// The `Cargo.toml` cargo would use without `--manifest-path`: the nearest one from the
/// current directory upwards.
fn nearest_manifest() -> Result<PathBuf, Error> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    cwd.ancestors()
        .map(|dir| dir.join("Cargo.toml"))
        .find(|manifest| manifest.is_file())
        .ok_or_else(|| Error::ManifestNotFound(cwd.join("Cargo.toml")))
}

/// The workspace's lock file. Without a committed one, cargo resolves offline (from the
/// local index cache) in a temporary copy of the manifests, so the workspace itself is
/// never written; a workspace whose dependencies are all its own members needs no cargo.
/// The committed `Cargo.lock`: a regular file inside the repository, read up to a bound
/// (a link to `/dev/zero` or out of the checkout is no lock file).
fn committed_lock(confinement: &Confinement, root: &Path) -> Option<String> {
    /// Far above any real lock file (wasmtime's is under 200 KiB).
    const MAX_LOCK: u64 = 64 << 20;
    let path = confinement.regular_file(root, Path::new("Cargo.lock")).ok()?;
    let bytes = crate::base::paths::read_bounded(&path, MAX_LOCK + 1).ok()?;
    (bytes.len() as u64 <= MAX_LOCK).then(|| String::from_utf8(bytes).ok()).flatten()
}

fn resolve_lock(root: &Path, members: &[Member]) -> Option<toml::Table> {
    let members_only = members.iter().all(|m| {
        m.package
            .dependencies
            .iter()
            .all(|d| d.path.is_some() && members.iter().any(|o| o.name() == d.name))
    });
    if members_only {
        let mut lock = String::from("version = 4\n");
        for member in members {
            lock.push_str(&format!(
                "\n[[package]]\nname = {:?}\nversion = \"{}\"\n",
                member.name(),
                member.package.version
            ));
            let mut deps: Vec<&str> =
                member.package.dependencies.iter().map(|d| d.name.as_str()).collect();
            deps.sort_unstable();
            deps.dedup();
            if !deps.is_empty() {
                lock.push_str(&format!("dependencies = {deps:?}\n"));
            }
        }
        return lock.parse().ok();
    }
    let copy = tempfile::tempdir().ok()?;
    // Every path is joined below the copy only when it stays there lexically: a target
    // path such as `../../victim.rs` must never make us write outside it.
    let inside_copy =
        |path: &Path| crate::base::paths::join_inside(copy.path(), path.strip_prefix(root).ok()?);
    let write = |path: &Path, text: &[u8]| {
        let target = inside_copy(path)?;
        std::fs::create_dir_all(target.parent()?).ok()?;
        std::fs::write(target, text).ok()
    };
    write(&root.join("Cargo.toml"), &std::fs::read(root.join("Cargo.toml")).ok()?)?;
    for member in members {
        let manifest = member.package.manifest_path.as_std_path();
        match member.unchecked {
            // Its manifest is not read: a package of its name and version stands in.
            Some(_) => {
                let (name, version) = (member.name(), &member.package.version);
                let stub = format!("[package]\nname = {name:?}\nversion = \"{version}\"\n");
                write(manifest, stub.as_bytes())?;
                write(&member.root.join("src/lib.rs"), b"")?;
            }
            None => write(manifest, &std::fs::read(manifest).ok()?)?,
        }
    }
    // Every target needs its root file for cargo to accept the manifest; empty ones do.
    for target in members.iter().flat_map(|m| &m.package.targets) {
        let stub = inside_copy(target.src_path.as_std_path())?;
        std::fs::create_dir_all(stub.parent()?).ok()?;
        std::fs::write(stub, "").ok()?;
    }
    // From a neutral folder, offline: no configuration or toolchain file of the checkout
    // is consulted (none is copied), and no build script runs.
    let neutral = tempfile::tempdir().ok()?;
    let status = std::process::Command::new(cargo_program())
        .args(["generate-lockfile", "--offline", "--quiet", "--manifest-path"])
        .arg(copy.path().join("Cargo.toml"))
        .current_dir(neutral.path())
        .env("CARGO_TARGET_DIR", copy.path().join("target"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    std::fs::read_to_string(copy.path().join("Cargo.lock")).ok()?.parse().ok()
}

/// A manifest as a table and in cargo's model: a regular file inside the repository, read
/// up to a bound. The error names the problem, not the path.
fn read_manifest(
    confinement: &Confinement,
    path: &Path,
) -> Result<(toml::Table, TomlManifest), String> {
    /// Far above any real manifest (cargo's own is 20 KiB).
    const MAX_MANIFEST: u64 = 16 << 20;
    let real = confinement.regular_file(Path::new(""), path).map_err(|why| why.to_string())?;
    let bytes =
        crate::base::paths::read_bounded(&real, MAX_MANIFEST + 1).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_MANIFEST {
        return Err(format!("over {} MiB; not read", MAX_MANIFEST >> 20));
    }
    let text = String::from_utf8(bytes).map_err(|_| "not UTF-8".to_owned())?;
    let table = text.parse::<toml::Table>().map_err(|e| one_line(&e.to_string()))?;
    let typed = manifest::parse(&text).map_err(|e| e.0)?;
    Ok((table, typed))
}

fn string_list(value: toml::Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}
