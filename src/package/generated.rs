//! The files cargo writes into every `.crate` besides the normalized `Cargo.toml` (which
//! [`crate::workspace::manifest`] builds): `Cargo.lock` and `.cargo_vcs_info.json`. Where their exact
//! bytes cannot be known here, they are close estimates, and say so.

use std::collections::BTreeMap;

use super::files::VcsInfo;
use crate::package::lock_members::LockMember;
use crate::package::lockfile::{self, MemberCrate, Resolution, ResolutionMemo, View};
use crate::workspace::index_cache::rust_version;
use crate::workspace::manifest::Resolver;
use crate::workspace::{Member, Workspace};

/// The packaged `Cargo.lock`, and why it is an estimate when it is one.
pub struct PackagedLock {
    pub text: String,
    /// The workspace members it lists, and where it takes each from.
    pub members: Vec<LockMember>,
    /// `None` when the bytes are exactly cargo's.
    pub estimate: Option<String>,
}

/// A member's packaged-lock resolutions, the release's and the fingerprint's. They do not
/// depend on the other members' archives, only their written text does: all are found
/// before any `.crate` is finished.
pub struct LockResolutions {
    release: Option<Resolution>,
    fingerprint: Option<Resolution>,
}

impl LockResolutions {
    /// Both views' resolutions of `member`'s lock, taken from `memo` when their inputs are
    /// unchanged: the workspace's lock and declarations
    /// ([`Workspace::resolution_inputs`]), the crate, the view, and every index entry it
    /// read.
    pub fn of(workspace: &Workspace, member: &Member, memo: &dyn ResolutionMemo) -> Self {
        let (release, fingerprint) = rayon::join(
            || resolution(workspace, member, View::Release, memo),
            || resolution(workspace, member, View::Fingerprint, memo),
        );
        LockResolutions { release, fingerprint }
    }

    /// The workspace members the packaged lock lists, whatever the registry holds: their
    /// archives are needed first (for their checksums, or their fingerprints).
    pub fn members(&self) -> Vec<String> {
        let mut names = self.fingerprint.as_ref().map(Resolution::member_names).unwrap_or_default();
        names.sort();
        names.dedup();
        names
    }

    /// The resolution `view` writes its lock from (`None`: the crate is not in the lock).
    pub fn view(&self, view: View) -> Option<&Resolution> {
        match view {
            View::Release => self.release.as_ref(),
            View::Fingerprint => self.fingerprint.as_ref(),
        }
    }
}

/// The crate's lock as cargo packages it.
fn root<'m>(member: &'m Member, workspace: &Workspace) -> lockfile::Root<'m> {
    let resolver3 = workspace.inheritable.resolver() == Resolver::V3;
    lockfile::Root {
        name: member.name(),
        version: &member.package.version,
        rust_version: member.rust_version.as_deref().and_then(rust_version).filter(|_| resolver3),
    }
}

/// `member`'s resolution in `view`: kept by an earlier run while its inputs hold, else
/// walked (and kept).
fn resolution(
    workspace: &Workspace,
    member: &Member,
    view: View,
    memo: &dyn ResolutionMemo,
) -> Option<Resolution> {
    let empty = crate::workspace::lock::Lock::default();
    // Without a committed lock, cargo's packaging pins nothing: it starts from the members.
    let lock = workspace.members_lock.as_ref().or(workspace.lock.as_ref()).unwrap_or(&empty);
    let root = root(member, workspace);
    let key = {
        use sha2::Digest;
        let inputs = format!(
            "packaged lock resolution\n{}\n{} {} {:?} {view:?}\n",
            workspace.resolution_inputs(),
            root.name,
            root.version,
            root.rust_version
        );
        crate::base::format::hex(&sha2::Sha256::digest(inputs))
    };
    if let Some(kept) = memo.resolution(&key).filter(|r| r.still_holds(&workspace.index)) {
        return Some(kept);
    }
    let resolved = lockfile::resolve(lock, workspace.declarations(), &root, &workspace.index, view);
    if let Some(resolved) = &resolved {
        memo.keep_resolution(&key, resolved);
    }
    resolved
}

/// The lock file cargo packages with `member`, as `view` has it, from its `resolutions`.
/// `checksums` holds the other members' `.crate` files, where known: a member the lock
/// lists comes from crates.io.
pub fn lockfile(
    workspace: &Workspace,
    member: &Member,
    resolutions: &LockResolutions,
    checksums: &BTreeMap<String, MemberCrate>,
    view: View,
) -> PackagedLock {
    let format = lock_format(member.rust_version.as_deref());
    let root = root(member, workspace);
    let resolution = resolutions.view(view);
    let packaged = lockfile::written(resolution, &root, checksums, format, view);
    let estimate = if format < 2 {
        Some("Cargo.lock is estimated: a rust-version before 1.41 asks for the first lock format, which this tool does not write.".to_owned())
    } else if workspace.lock_committed && workspace.lock.is_none() {
        Some("Cargo.lock is estimated: the workspace's Cargo.lock could not be read.".to_owned())
    } else {
        packaged.estimate
    };
    PackagedLock { text: packaged.text, members: packaged.members, estimate }
}

/// The lock file format cargo writes for a package (`ResolveVersion::with_rust_version`):
/// the newest one its `rust-version` can read.
fn lock_format(rust_version: Option<&str>) -> u32 {
    let Some(rust_version) = rust_version else { return 4 };
    let mut parts = rust_version.trim().split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    let release = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    match release {
        r if r >= (1, 83) => 4,
        r if r >= (1, 53) => 3,
        r if r >= (1, 41) => 2,
        _ => 1,
    }
}

/// `.cargo_vcs_info.json`, as cargo writes it (pretty JSON, two-space indent).
pub fn vcs_info(vcs: Option<&VcsInfo>) -> String {
    let Some(vcs) = vcs else { return String::new() };
    let dirty = if vcs.dirty { ",\n    \"dirty\": true" } else { "" };
    format!(
        "{{\n  \"git\": {{\n    \"sha1\": \"{}\"{dirty}\n  }},\n  \"path_in_vcs\": {}\n}}",
        vcs.sha1,
        serde_json::Value::String(vcs.path_in_vcs.clone())
    )
}

/// One way the published `Cargo.toml` differs from the one written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestChange {
    /// The key or table, e.g. `dependencies.serde` or `[patch]`.
    pub key: String,
    /// What cargo does with it, as a sentence.
    pub change: String,
}

/// What cargo changes when it normalizes the manifest for publishing: sections it drops,
/// `path` and `git` keys it removes, dev-dependencies it drops, inherited fields it resolves.
pub fn manifest_changes(member: &Member) -> Vec<ManifestChange> {
    let mut changes = Vec::new();
    let raw = &member.manifest;
    for (table, why) in [
        ("workspace", "dropped: a published crate is never a workspace root"),
        ("patch", "dropped: crates.io ignores patches"),
        ("replace", "dropped: crates.io ignores replacements"),
    ] {
        if raw.contains_key(table) {
            changes.push(ManifestChange { key: format!("[{table}]"), change: why.into() });
        }
    }
    for key in &member.inherited {
        changes.push(ManifestChange {
            key: format!("package.{key}"),
            change: "inherited from [workspace.package]; written out with its value".into(),
        });
    }
    let mut tables: Vec<(String, &toml::Table)> = Vec::new();
    for kind in ["dependencies", "dev-dependencies", "build-dependencies"] {
        if let Some(table) = raw.get(kind).and_then(toml::Value::as_table) {
            tables.push((kind.to_owned(), table));
        }
    }
    if let Some(targets) = raw.get("target").and_then(toml::Value::as_table) {
        for (platform, value) in targets {
            for kind in ["dependencies", "dev-dependencies", "build-dependencies"] {
                if let Some(table) = value.get(kind).and_then(toml::Value::as_table) {
                    tables.push((format!("target.{platform}.{kind}"), table));
                }
            }
        }
    }
    for (section, table) in tables {
        let dev = section.ends_with("dev-dependencies");
        for (name, spec) in table {
            let key = format!("{section}.{name}");
            let Some(spec) = spec.as_table() else { continue };
            let inherited = spec.get("workspace").and_then(toml::Value::as_bool) == Some(true);
            let version = spec.contains_key("version") || inherited;
            let source = ["path", "git"].into_iter().find(|k| spec.contains_key(*k));
            let change = match (source, version) {
                (Some(_), false) if dev => "dropped: a dev-dependency without a version".to_owned(),
                (Some(_), false) => "no version: cargo refuses to package it".to_owned(),
                (Some("git"), true) => {
                    "`git`, `branch`, `tag` and `rev` removed: resolved from crates.io by version"
                        .to_owned()
                }
                (Some(_), true) => "`path` removed: resolved from crates.io by version".to_owned(),
                (None, _) if inherited => {
                    "inherited from [workspace.dependencies]; written out in full".to_owned()
                }
                (None, _) => continue,
            };
            changes.push(ManifestChange { key, change });
        }
    }
    changes
}
