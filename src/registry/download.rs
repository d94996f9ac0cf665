//! A published `.crate`, read back: each file's size and digest as the fingerprint takes
//! them, its manifest, and its packaged lock, so that it compares with the archive about to
//! be published ([`crate::package::diff`]) and its fingerprint with a sign-off.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use crate::package::archive::{self, LockInFingerprint};
use crate::package::diff::Side;
use crate::package::{ArchiveFile, Content, Origin};

/// crates.io's limit on an unpacked crate; a download past it is refused, not read.
const MAX_UNPACKED: u64 = 512 * 1024 * 1024;
const MAX_ENTRIES: usize = 100_000;
/// The generated files kept in memory (their content is compared key by key).
const KEPT: [&str; 2] = ["Cargo.toml", "Cargo.lock"];
const GENERATED: [&str; 4] =
    ["Cargo.toml", "Cargo.toml.orig", "Cargo.lock", ".cargo_vcs_info.json"];

/// A published release's fingerprint, and what it took of the packaged lock.
#[derive(Debug, Clone)]
pub struct Fingerprinted {
    pub fingerprint: String,
    pub lock: LockInFingerprint,
}

/// What a downloaded `.crate` holds.
#[derive(Debug, Clone)]
pub struct PublishedCrate {
    pub files: Vec<ArchiveFile>,
    pub compressed_size: u64,
}

impl PublishedCrate {
    /// Reads the gzip-compressed tar of `name`-`version`.
    pub fn read(name: &str, version: &str, bytes: &[u8]) -> Result<PublishedCrate, String> {
        let prefix = format!("{name}-{version}/");
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
        let mut files = Vec::new();
        let mut unpacked = 0u64;
        let entries = tar.entries().map_err(|e| format!("not a .crate: {e}"))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| format!("not a .crate: {e}"))?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let path = entry.path().map_err(|e| format!("an entry's path: {e}"))?;
            let path = path.to_string_lossy().into_owned();
            let Some(inside) = path.strip_prefix(&prefix) else {
                return Err(format!("an entry outside {prefix}: {path}"));
            };
            if files.len() == MAX_ENTRIES {
                return Err(format!("more than {MAX_ENTRIES} files"));
            }
            let executable = entry.header().mode().is_ok_and(|m| m & 0o100 != 0);
            let keep = KEPT.contains(&inside);
            let (mut hasher, mut kept, mut size) = (Sha256::new(), Vec::new(), 0u64);
            let mut buffer = vec![0; 64 * 1024];
            loop {
                let n = entry.read(&mut buffer).map_err(|e| format!("{inside}: {e}"))?;
                if n == 0 {
                    break;
                }
                size += n as u64;
                unpacked += n as u64;
                if unpacked > MAX_UNPACKED {
                    return Err("it unpacks to more than 512 MiB".into());
                }
                hasher.update(&buffer[..n]);
                if keep {
                    kept.extend_from_slice(&buffer[..n]);
                }
            }
            let origin = if GENERATED.contains(&inside) { Origin::Generated } else { Origin::Disk };
            files.push(ArchiveFile {
                path: PathBuf::from(inside),
                size,
                origin,
                executable,
                sha256: hasher.finalize().into(),
                content: Content::Bytes(kept),
            });
        }
        Ok(PublishedCrate { files, compressed_size: bytes.len() as u64 })
    }

    fn text(&self, path: &str) -> Option<&str> {
        let file = self.files.iter().find(|f| f.path.as_os_str() == path)?;
        match &file.content {
            Content::Bytes(bytes) => std::str::from_utf8(bytes).ok(),
            Content::File(_) => None,
        }
    }

    /// Whether it has binaries (then its packaged lock is part of the fingerprint): a
    /// `[[bin]]` of the published manifest, or, for crates published before cargo wrote
    /// its targets out, `src/main.rs` or `src/bin/`.
    pub fn has_binaries(&self) -> bool {
        let manifest: toml::Table =
            self.text("Cargo.toml").and_then(|t| t.parse().ok()).unwrap_or_default();
        if manifest.get("bin").and_then(toml::Value::as_array).is_some_and(|b| !b.is_empty()) {
            return true;
        }
        let autobins = manifest
            .get("package")
            .and_then(|p| p.get("autobins"))
            .and_then(toml::Value::as_bool)
            .unwrap_or(true);
        autobins
            && self.files.iter().any(|f| {
                let path = crate::base::format::slash_path(&f.path);
                path == "src/main.rs" || path.starts_with("src/bin/")
            })
    }

    /// The packaged lock's entries for `members` (name, version, checksum): other
    /// workspace members, whose checksums the fingerprint replaces by their fingerprints.
    pub fn locked_members(
        &self,
        is_member: impl Fn(&str) -> bool,
    ) -> Vec<(String, String, String)> {
        let lock: toml::Table =
            self.text("Cargo.lock").and_then(|t| t.parse().ok()).unwrap_or_default();
        let packages = lock.get("package").and_then(toml::Value::as_array);
        packages
            .into_iter()
            .flatten()
            .filter_map(|p| {
                let text = |key: &str| p.get(key)?.as_str().map(str::to_owned);
                let name = text("name")?;
                Some((name.clone(), text("version")?, text("checksum")?))
                    .filter(|_| is_member(&name))
            })
            .collect()
    }

    /// What the fingerprint covers of the packaged lock, with each member's `.crate`
    /// checksum replaced by its fingerprint (`fingerprints`: checksum → fingerprint).
    pub fn lock(&self, fingerprints: &BTreeMap<String, String>) -> LockInFingerprint {
        if !self.has_binaries() {
            return LockInFingerprint::Left;
        }
        let mut text = self.text("Cargo.lock").unwrap_or_default().to_owned();
        for (checksum, fingerprint) in fingerprints {
            let fingerprint = fingerprint.trim_start_matches("sha256:");
            text = text.replace(&format!("\"{checksum}\""), &format!("\"{fingerprint}\""));
        }
        LockInFingerprint::Covered { digest: Sha256::digest(text.as_bytes()).into() }
    }

    pub fn fingerprint(&self, lock: LockInFingerprint) -> String {
        archive::fingerprint(&self.files, lock)
    }

    /// The side a comparison reads.
    pub fn side(&self, lock: LockInFingerprint) -> Side {
        let manifest = self.text("Cargo.toml").and_then(|t| t.parse().ok()).unwrap_or_default();
        Side::from_files(&self.files, lock, self.compressed_size, manifest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crate_file(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut tar = tar::Builder::new(Vec::new());
        for (path, bytes) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            tar.append_data(&mut header, path, *bytes).unwrap();
        }
        let tar = tar.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn reads_files_and_refuses_entries_outside_the_prefix() {
        let bytes = crate_file(&[
            ("demo-1.0.0/Cargo.toml", b"[package]\nname = \"demo\"\n"),
            ("demo-1.0.0/src/main.rs", b"fn main() {}\n"),
            ("demo-1.0.0/Cargo.lock", b"version = 4\n"),
        ]);
        let published = PublishedCrate::read("demo", "1.0.0", &bytes).unwrap();
        assert_eq!(published.files.len(), 3);
        assert!(published.has_binaries());
        assert!(matches!(published.lock(&BTreeMap::new()), LockInFingerprint::Covered { .. }));
        let evil = crate_file(&[("other-1.0.0/src/lib.rs", b"x")]);
        assert!(PublishedCrate::read("demo", "1.0.0", &evil).is_err());
        assert!(PublishedCrate::read("demo", "1.0.0", b"not gzip").is_err());
    }
}
