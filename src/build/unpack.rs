//! The archive's files written where the build reads them, as cargo unpacks a `.crate`,
//! and what the build changed there.

use std::collections::BTreeMap;
use std::path::Path;

use crate::package::{Archive, Content};

/// The files the build added, removed or changed below `dir`, if any, as a list.
pub(super) fn modified(archive: &Archive, dir: &Path) -> Option<String> {
    let mut expected: BTreeMap<&Path, &crate::package::ArchiveFile> =
        archive.files.iter().map(|f| (f.path.as_path(), f)).collect();
    let mut changes = Vec::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().filter_map(Result::ok) {
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(dir) else { continue };
        match expected.remove(relative) {
            None => changes.push(format!("{} added", relative.display())),
            Some(packaged) if !same_content(packaged, entry.path()) => {
                changes.push(format!("{} changed", relative.display()))
            }
            Some(_) => {}
        }
    }
    // Cargo.lock is rewritten when a member is patched in: not the build's doing.
    expected.remove(Path::new("Cargo.lock"));
    changes.extend(expected.keys().map(|p| format!("{} removed", p.display())));
    changes.retain(|c| !c.starts_with("Cargo.lock "));
    (!changes.is_empty()).then(|| changes.join(", "))
}

/// Whether the file at `path` holds exactly the packaged file's bytes.
fn same_content(packaged: &crate::package::ArchiveFile, path: &Path) -> bool {
    let Ok(unpacked) = std::fs::read(path) else { return false };
    if unpacked.len() as u64 != packaged.size {
        return false;
    }
    match &packaged.content {
        Content::Bytes(bytes) => *bytes == unpacked,
        Content::File(source) => crate::base::paths::open_regular(source)
            .and_then(|file| {
                let mut bytes = Vec::with_capacity(unpacked.len());
                std::io::Read::read_to_end(
                    &mut std::io::Read::take(file, packaged.size),
                    &mut bytes,
                )?;
                Ok(bytes == unpacked)
            })
            .unwrap_or(false),
    }
}

/// Writes the archive's files below `dir`, as cargo unpacks a `.crate` (a fresh folder).
/// With `keep`, a folder that holds this very archive already (its fingerprint in `stamp`,
/// every file as packaged) is left as it is.
pub(super) fn unpack(
    archive: &Archive,
    dir: &Path,
    stamp: &Path,
    keep: bool,
) -> std::io::Result<()> {
    let same = || std::fs::read_to_string(stamp).is_ok_and(|kept| kept == archive.fingerprint);
    if keep && dir.is_dir() && same() && modified(archive, dir).is_none() {
        return Ok(());
    }
    let _ = std::fs::remove_file(stamp);
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    for file in &archive.files {
        let path = crate::base::paths::join_inside(dir, &file.path)
            .ok_or_else(|| std::io::Error::other(format!("{}: outside", file.path.display())))?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        match &file.content {
            Content::Bytes(bytes) => std::fs::write(&path, bytes)?,
            Content::File(source) => {
                let mut from = crate::base::paths::open_regular(source)?;
                let mut to = std::fs::File::create(&path)?;
                std::io::copy(&mut std::io::Read::take(&mut from, file.size), &mut to)?;
            }
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = if file.executable { 0o755 } else { 0o644 };
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))?;
        }
    }
    std::fs::write(stamp, &archive.fingerprint)
}
