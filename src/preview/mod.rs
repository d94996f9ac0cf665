//! The previews of what the world will see: the README as crates.io renders it, and the
//! manifest cargo will publish beside the one written. Built per crate in the parallel
//! stage, from what the package stage found; the site renders them.

mod anchors;
pub mod contrast;
pub mod readme;

use std::cell::RefCell;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::base::error::Error;
use crate::base::memo::RenderMemo;
use crate::package::generated::{self, ManifestChange};

use crate::base::format::slash_path;
use crate::package::{Archive, Content};
use crate::workspace::Member;
use readme::{RenderedReadme, RepoLinks};

/// Everything a crate's page previews.
#[derive(Debug, Clone, Default)]
pub struct CratePreview {
    pub manifest: ManifestPreview,
    /// The packaged README, when the crate has one that exists.
    pub readme: Option<ReadmePreview>,
}

/// The packaged README as crates.io will show it.
#[derive(Debug, Clone)]
pub struct ReadmePreview {
    /// Its path inside the archive.
    pub file: String,
    pub size: u64,
    /// `None` when it is not UTF-8 or over crates.io's limit: then there is nothing to show.
    pub rendered: Option<RenderedReadme>,
    pub utf8: bool,
}

/// `Cargo.toml.orig` and the normalized `Cargo.toml` cargo publishes.
#[derive(Debug, Clone, Default)]
pub struct ManifestPreview {
    /// The manifest as written.
    pub original: String,
    /// The manifest as published, byte for byte what cargo writes.
    pub published: String,
    pub changes: Vec<ManifestChange>,
}

/// Manifests longer than this are previewed up to it (at a line break), with a note; the
/// whole file is in the archive listing (and in `--emit-crate`'s archive).
pub const MAX_MANIFEST_PREVIEW: usize = 256 * 1024;

/// A crate's previews, and the README rendering to keep for later runs (memo key, entry)
/// when it was rendered anew.
pub struct Built {
    pub preview: CratePreview,
    pub fresh: Option<(String, Vec<u8>)>,
}

/// Every text a preview shows passes through the secret scan: a token is replaced by
/// `[redacted: <kind>]` before anything renders it. The README is taken from `memo` when an
/// earlier run rendered the same text with the same links.
pub fn build(member: &Member, archive: &Archive, memo: &dyn RenderMemo) -> Result<Built, Error> {
    let manifest_path = member.package.manifest_path.as_std_path();
    let original = crate::base::paths::read_bounded(manifest_path, MAX_MANIFEST_PREVIEW as u64 + 1)
        .map_err(|e| Error::io(manifest_path, e))?;
    let original = preview_text(&String::from_utf8_lossy(&original));
    let published = archive
        .files
        .iter()
        .find_map(|f| match &f.content {
            Content::Bytes(bytes) if f.path.as_os_str() == "Cargo.toml" => {
                Some(preview_text(&String::from_utf8_lossy(bytes)))
            }
            _ => None,
        })
        .unwrap_or_default();
    let mut fresh = None;
    let readme = readme(member, archive, memo, &mut fresh)?;
    let manifest =
        ManifestPreview { original, published, changes: generated::manifest_changes(member) };
    Ok(Built { preview: CratePreview { manifest, readme }, fresh })
}

/// A manifest as the preview shows it: redacted, and cut at [`MAX_MANIFEST_PREVIEW`].
fn preview_text(text: &str) -> String {
    let redacted = crate::base::secrets::redact(text);
    if redacted.len() <= MAX_MANIFEST_PREVIEW {
        return redacted.into_owned();
    }
    let mut cut = MAX_MANIFEST_PREVIEW;
    while !redacted.is_char_boundary(cut) {
        cut -= 1;
    }
    let cut = redacted[..cut].rfind('\n').map_or(cut, |n| n + 1);
    format!(
        "{}# … cut here: the preview shows the first {} KiB; the whole file is in the archive.\n",
        &redacted[..cut],
        MAX_MANIFEST_PREVIEW / 1024
    )
}

/// Renders the README cargo packages (the `readme` file, found in the archive).
fn readme(
    member: &Member,
    archive: &Archive,
    memo: &dyn RenderMemo,
    fresh: &mut Option<(String, Vec<u8>)>,
) -> Result<Option<ReadmePreview>, Error> {
    let Some(file) = crate::package::readme_entry(member, &archive.files) else {
        return Ok(None);
    };
    let Content::File(path) = &file.content else { return Ok(None) };
    let name = crate::base::secrets::redact(&slash_path(&file.path)).into_owned();
    if file.size > readme::MAX_README {
        return Ok(Some(ReadmePreview { file: name, size: file.size, rendered: None, utf8: true }));
    }
    let bytes =
        crate::base::paths::read_bounded(path, file.size).map_err(|e| Error::io(path, e))?;
    let Ok(text) = String::from_utf8(bytes) else {
        return Ok(Some(ReadmePreview {
            file: name,
            size: file.size,
            rendered: None,
            utf8: false,
        }));
    };
    let path_in_repo = archive.vcs.as_ref().map(|v| v.path_in_vcs.as_str());
    // The repository root: the package root without its path in the repository.
    let repo_root = path_in_repo.and_then(|p| {
        let depth = Path::new(p).components().count();
        member.root.ancestors().nth(depth).map(Path::to_path_buf)
    });
    let exists = |rel: &str| repo_root.as_ref().map(|root| root.join(rel).exists());
    let links = RepoLinks {
        repository: member.package.repository.as_deref(),
        path_in_repo: path_in_repo.unwrap_or(""),
    };
    let text = crate::base::secrets::redact(&text);
    let rendered = memoized_render(&name, &text, &links, &exists, memo, fresh);
    Ok(Some(ReadmePreview { file: name, size: file.size, rendered: Some(rendered), utf8: true }))
}

/// A README rendered by an earlier run, with every repository path its links looked up and
/// the answer: reused only when each lookup still gives the same answer.
#[derive(Serialize, Deserialize)]
struct MemoizedReadme {
    rendered: RenderedReadme,
    lookups: Vec<(String, Option<bool>)>,
}

/// Everything else that decides a README's rendering.
#[derive(Serialize)]
struct ReadmeInput<'a> {
    file: &'a str,
    text: &'a str,
    repository: Option<&'a str>,
    path_in_repo: &'a str,
}

fn memoized_render(
    file: &str,
    text: &str,
    links: &RepoLinks,
    exists: &dyn Fn(&str) -> Option<bool>,
    memo: &dyn RenderMemo,
    fresh: &mut Option<(String, Vec<u8>)>,
) -> RenderedReadme {
    let input =
        ReadmeInput { file, text, repository: links.repository, path_in_repo: links.path_in_repo };
    let key = crate::base::memo::key("readme", "", &input);
    let remembered = memo.get(&key).and_then(|b| serde_json::from_slice::<MemoizedReadme>(&b).ok());
    if let Some(remembered) = remembered
        && remembered.lookups.iter().all(|(path, answer)| exists(path) == *answer)
    {
        return remembered.rendered;
    }
    let lookups = RefCell::new(Vec::new());
    let recorded = |path: &str| {
        let answer = exists(path);
        lookups.borrow_mut().push((path.to_owned(), answer));
        answer
    };
    let rendered = readme::render_file(file, text, links, &recorded);
    let entry = MemoizedReadme { rendered, lookups: lookups.into_inner() };
    *fresh = serde_json::to_vec(&entry).ok().map(|bytes| (key, bytes));
    entry.rendered
}
