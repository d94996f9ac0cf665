//! Which release of a workspace member a packaged lock names. In the resolution cargo
//! packages a crate with, the other members are crates on the registry: cargo takes the
//! newest release that accepts every requirement on it, among crates.io's releases (yanked
//! ones aside) and, for a version crates.io does not have yet, the one this release
//! publishes before it (as `cargo publish --workspace` does). A member on a main branch
//! (`49.0.0-dev`) or a release branch behind crates.io so resolves to a release already
//! published, with the index's checksum and dependencies.

use std::sync::Arc;

use crate::workspace::index_cache::{IndexCache, Known, Release};

/// Why a member's release is not known when the requirements on it conflict.
pub const NO_RELEASE_ACCEPTS: &str = "no release of it on crates.io (yanked ones aside), nor this one, accepts every requirement on it";

/// Where the packaged lock takes a workspace member from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MemberFrom {
    /// A release crates.io already has: the index's checksum (hex). `online`: crates.io
    /// said so in this run (else cargo's index cache did).
    Registry { checksum: String, online: bool },
    /// Not on crates.io yet: the plan publishes this release's archive of it first.
    Archive { online: bool },
    /// Not known: why.
    Unknown(String),
}

/// A workspace member a packaged lock lists.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LockMember {
    pub name: String,
    /// The version the lock names.
    pub version: semver::Version,
    /// The workspace's own version of it.
    pub workspace_version: semver::Version,
    pub from: MemberFrom,
    /// The checksum (hex) the lock records for it, when known.
    pub checksum: Option<String>,
}

/// The release of member `name` (the workspace's `local`) cargo resolves for
/// `requirements`, and where it comes from.
pub fn choose(
    index: &IndexCache,
    name: &str,
    local: &semver::Version,
    requirements: &[semver::VersionReq],
) -> (semver::Version, MemberFrom) {
    let accepts = |v: &semver::Version| requirements.iter().all(|r| r.matches(v));
    let (releases, online): (Arc<[Release]>, bool) = match index.entry(name) {
        Known::Releases(entry) => (entry.releases, entry.online),
        Known::Absent => (Arc::from([]), true),
        Known::Unknown(why) => return (local.clone(), MemberFrom::Unknown(why)),
    };
    let published = releases.iter().any(|r| same_release(&r.version, local));
    let newest = releases
        .iter()
        .filter(|r| !r.yanked && accepts(&r.version))
        .max_by(|a, b| a.version.cmp(&b.version));
    match newest {
        Some(release) if published || release.version > *local => (
            release.version.clone(),
            MemberFrom::Registry { checksum: release.checksum.clone(), online },
        ),
        _ if !published && accepts(local) => (local.clone(), MemberFrom::Archive { online }),
        _ => (local.clone(), MemberFrom::Unknown(NO_RELEASE_ACCEPTS.into())),
    }
}

/// Versions crates.io takes for the same release: build metadata aside.
fn same_release(a: &semver::Version, b: &semver::Version) -> bool {
    (a.major, a.minor, a.patch, &a.pre) == (b.major, b.minor, b.patch, &b.pre)
}
