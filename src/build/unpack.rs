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

/// An unpacked `.crate` may hold at most this much (crates.io's limit), in at most this
/// many files.
const MAX_UNPACKED: u64 = 512 * 1024 * 1024;
const MAX_FILES: usize = 100_000;

/// Writes the regular files of a `.crate` (gzip-compressed tar, every entry below
/// `<prefix>/`) into a fresh `dir`; anything else, an entry outside the prefix or a path
/// that climbs, or more than crates.io would unpack, is refused.
pub(super) fn unpack_crate(bytes: &[u8], prefix: &str, dir: &Path) -> Result<(), String> {
    let fail =
        |e: &dyn std::fmt::Display| format!("the earlier archive could not be unpacked: {e}");
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| fail(&e))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let (mut unpacked, mut files) = (0u64, 0usize);
    for entry in tar.entries().map_err(|e| fail(&e))? {
        let mut entry = entry.map_err(|e| fail(&e))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path().map_err(|e| fail(&e))?.into_owned();
        let inside = path
            .strip_prefix(prefix)
            .ok()
            .and_then(|inside| crate::base::paths::join_inside(dir, inside))
            .ok_or_else(|| fail(&format!("an entry outside {prefix}/: {}", path.display())))?;
        files += 1;
        if files > MAX_FILES {
            return Err(fail(&format!("more than {MAX_FILES} files")));
        }
        if let Some(parent) = inside.parent() {
            std::fs::create_dir_all(parent).map_err(|e| fail(&e))?;
        }
        let mut file = std::fs::File::create(&inside).map_err(|e| fail(&e))?;
        let left = MAX_UNPACKED - unpacked;
        let written = std::io::copy(&mut std::io::Read::take(&mut entry, left + 1), &mut file)
            .map_err(|e| fail(&e))?;
        unpacked += written;
        if unpacked > MAX_UNPACKED {
            return Err(fail(&"it unpacks to more than 512 MiB"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `.crate` with these entries (path, type, content), written as raw tar headers so
    /// that paths a tar writer would refuse can be there.
    fn crate_file(entries: &[(&str, tar::EntryType, &[u8])]) -> Vec<u8> {
        let mut tar = Vec::new();
        for (path, kind, content) in entries {
            let mut header = tar::Header::new_old();
            header.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
            header.set_entry_type(*kind);
            header.set_size(content.len() as u64);
            header.set_mode(0o644);
            if *kind == tar::EntryType::Symlink {
                header.set_link_name("/etc/passwd").unwrap();
            }
            header.set_cksum();
            tar.extend_from_slice(header.as_bytes());
            tar.extend_from_slice(content);
            tar.resize(tar.len().div_ceil(512) * 512, 0);
        }
        tar.resize(tar.len() + 1024, 0);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn a_crate_unpacks_inside_its_folder_or_not_at_all() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("deep/demo-1.0.0");
        let file = tar::EntryType::Regular;
        let good = crate_file(&[
            ("demo-1.0.0/src/lib.rs", file, b"pub fn f() {}\n"),
            ("demo-1.0.0/link", tar::EntryType::Symlink, b""),
        ]);
        unpack_crate(&good, "demo-1.0.0", &dir).unwrap();
        assert_eq!(fs_read(&dir.join("src/lib.rs")), "pub fn f() {}\n");
        assert!(!dir.join("link").exists(), "only regular files are written");
        for path in ["demo-1.0.0/../../escaped", "other-1.0.0/x", "/abs/escaped"] {
            let evil = crate_file(&[(path, file, b"x")]);
            let refused = unpack_crate(&evil, "demo-1.0.0", &dir);
            assert!(refused.is_err(), "{path} was unpacked");
        }
        assert!(!tmp.path().join("escaped").exists() && !tmp.path().join("deep/escaped").exists());
    }

    fn fs_read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap()
    }
}
