//! The previews of what the world will see: the manifest cargo will publish beside the one
//! written. Built per crate in the parallel stage, from what the package stage found; the
//! site renders them.

use crate::error::Error;
use crate::package::generated::{self, ManifestChange};
use crate::package::{Archive, Content};
use crate::workspace::Member;

/// Everything a crate's page previews.
#[derive(Debug, Clone)]
pub struct CratePreview {
    pub manifest: ManifestPreview,
}

/// `Cargo.toml.orig` and the normalized `Cargo.toml` cargo publishes.
#[derive(Debug, Clone)]
pub struct ManifestPreview {
    /// The manifest as written.
    pub original: String,
    /// The manifest as published (our close rendering of cargo's normalization).
    pub published: String,
    pub changes: Vec<ManifestChange>,
}

pub fn build(member: &Member, archive: &Archive) -> Result<CratePreview, Error> {
    let manifest_path = member.package.manifest_path.as_std_path();
    let original =
        std::fs::read_to_string(manifest_path).map_err(|e| Error::io(manifest_path, e))?;
    let published = archive
        .files
        .iter()
        .find_map(|f| match &f.content {
            Content::Bytes(bytes) if f.path.as_os_str() == "Cargo.toml" => {
                Some(String::from_utf8_lossy(bytes).into_owned())
            }
            _ => None,
        })
        .unwrap_or_default();
    Ok(CratePreview {
        manifest: ManifestPreview {
            original,
            published,
            changes: generated::manifest_changes(member),
        },
    })
}
