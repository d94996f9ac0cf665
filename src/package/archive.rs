//! The `.crate` as cargo builds it: tar entries `<name>-<version>/…` with GNU headers, fixed
//! mtime and modes, through gzip at level 9. It is streamed into a byte counter (or a file,
//! for `--emit-crate`); nothing is held in memory but one buffer.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use flate2::{Compression, GzBuilder};
use sha2::{Digest, Sha256};

use super::{ArchiveFile, Content, Origin};
use crate::base::error::Error;
use crate::base::format::{hex, slash_path};

/// cargo's fixed modification time for archive entries (since 1.93).
const MTIME: u64 = 1_153_704_088;

/// What reading a file once tells: its size, whether the owner may execute it, and the
/// SHA-256 of its content.
pub struct Digested {
    pub size: u64,
    pub executable: bool,
    pub sha256: [u8; 32],
}

/// Reads one entry's content once, streaming.
pub fn digest(content: &Content) -> Result<Digested, Error> {
    match content {
        Content::Bytes(bytes) => Ok(Digested {
            size: bytes.len() as u64,
            executable: false,
            sha256: Sha256::digest(bytes).into(),
        }),
        Content::File(path) => {
            let mut file =
                crate::base::paths::open_regular(path).map_err(|e| Error::io(path, e))?;
            let executable = is_executable(&file);
            let mut hasher = Sha256::new();
            let mut buffer = vec![0; 64 * 1024];
            let mut size = 0;
            loop {
                let n = match file.read(&mut buffer) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(Error::io(path, e)),
                };
                hasher.update(&buffer[..n]);
                size += n as u64;
            }
            Ok(Digested { size, executable, sha256: hasher.finalize().into() })
        }
    }
}

/// What the fingerprint covers besides the package's own files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockInFingerprint {
    /// The crate has binaries: `cargo install --locked` builds them with the packaged
    /// `Cargo.lock`, so its dependency versions are part of what a reviewer approves.
    /// `digest` is the SHA-256 of that lock with each workspace member's `.crate` checksum
    /// replaced by the member's fingerprint: a checksum records the commit (through
    /// `.cargo_vcs_info.json`), and a new commit that changes no member is the same release.
    /// Every member is the workspace's own there, whether crates.io has it yet or not
    /// ([`super::lockfile::View::Fingerprint`]): what the registry holds, or what a run
    /// knows of it, never changes a fingerprint.
    Covered { digest: [u8; 32] },
    /// A library: users resolve its dependencies themselves; the packaged lock is unused.
    Left,
}

/// `sha256:<hex>` over the sorted paths and content hashes of everything a reviewer
/// approves: the package's files, `Cargo.toml.orig`, the normalized `Cargo.toml` cargo
/// publishes (so a change to an inherited `[workspace.*]` key changes it), and, for crates
/// with binaries, the packaged `Cargo.lock`. `.cargo_vcs_info.json` stays out: it records
/// the commit, and the same content at another commit is the same release. Nothing in it
/// depends on the checkout's absolute path.
pub fn fingerprint(files: &[ArchiveFile], lock: LockInFingerprint) -> String {
    let mut lines: Vec<(String, String)> = files
        .iter()
        .filter_map(|f| Some((slash_path(&f.path), hex(&fingerprinted(f, lock)?))))
        .collect();
    lines.sort();
    let mut hasher = Sha256::new();
    for (path, digest) in lines {
        hasher.update(path.as_bytes());
        hasher.update([0]);
        hasher.update(digest.as_bytes());
        hasher.update([b'\n']);
    }
    format!("sha256:{}", hex(&hasher.finalize()))
}

/// The sign-off file ([`crate::review::signoff`]), which the fingerprint leaves out.
pub const SIGNOFF_FILE: &str = "readiness-signoff.toml";

/// The content digest the fingerprint takes for `file`, or `None` when it does not cover
/// it. The sign-off file is left out where a package at the workspace root would ship it:
/// signing off must not change what is signed off.
pub fn fingerprinted(file: &ArchiveFile, lock: LockInFingerprint) -> Option<[u8; 32]> {
    match (file.path.to_str(), lock) {
        (Some(SIGNOFF_FILE), _) => None,
        _ if file.origin != Origin::Generated => Some(file.sha256),
        (Some(".cargo_vcs_info.json"), _) => None,
        (Some("Cargo.lock"), LockInFingerprint::Covered { digest }) => Some(digest),
        (Some("Cargo.lock"), LockInFingerprint::Left) => None,
        _ => Some(file.sha256),
    }
}

/// A key for everything that decides the `.crate`'s bytes and what the content scan finds:
/// this tool's version (its tar and gzip settings, its patterns), the name, version, the
/// compiled targets' roots, and every entry's path, mode and content.
pub fn cache_key(
    name: &str,
    version: &str,
    roots: &[std::path::PathBuf],
    files: &[ArchiveFile],
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(concat!(env!("CARGO_PKG_NAME"), " ", env!("CARGO_PKG_VERSION"), "\n"));
    hasher.update(format!("{name}-{version}\n"));
    for root in roots {
        hasher.update(format!("root {}\n", slash_path(root)));
    }
    for file in files {
        hasher.update(slash_path(&file.path).as_bytes());
        hasher.update(format!("\0{}\0{}\0", file.size, file.executable));
        hasher.update(file.sha256);
    }
    hex(&hasher.finalize())
}

/// What streaming the whole `.crate` tells: its size and its SHA-256, the checksum the
/// registry index records for it (`cksum`).
#[derive(Debug, Clone, Copy)]
pub struct Streamed {
    pub compressed_size: u64,
    pub sha256: [u8; 32],
}

/// Streams the `.crate` into a counter and a hasher, keeping nothing.
pub fn stream(name: &str, version: &str, files: &[ArchiveFile]) -> Result<Streamed, Error> {
    let mut sink = HashingCounter { size: 0, hasher: Sha256::new() };
    write(name, version, files, &mut sink)?;
    Ok(Streamed { compressed_size: sink.size, sha256: sink.hasher.finalize().into() })
}

/// Writes the `.crate` to `sink`.
pub fn write(
    name: &str,
    version: &str,
    files: &[ArchiveFile],
    sink: &mut dyn Write,
) -> Result<(), Error> {
    let prefix = format!("{name}-{version}");
    let gzip =
        GzBuilder::new().filename(format!("{prefix}.crate")).write(sink, Compression::best());
    let mut tar = tar::Builder::new(gzip);
    for file in files {
        let archive_path = format!("{prefix}/{}", slash_path(&file.path));
        let mut header = tar::Header::new_gnu();
        match &file.content {
            Content::Bytes(bytes) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(0o644);
                header.set_size(file.size);
                header.set_mtime(MTIME);
                tar.append_data(&mut header, &archive_path, bytes.as_slice())
            }
            Content::File(path) => {
                // As cargo does: the file's metadata in tar's deterministic mode (mode 0644
                // or 0755, uid and gid 0, device fields, the fixed mtime).
                let opened =
                    crate::base::paths::open_regular(path).map_err(|e| Error::io(path, e))?;
                let metadata = opened.metadata().map_err(|e| Error::io(path, e))?;
                header.set_metadata_in_mode(&metadata, tar::HeaderMode::Deterministic);
                // The size was taken when digesting; never write more than the header says.
                header.set_size(file.size);
                tar.append_data(&mut header, &archive_path, opened.take(file.size))
            }
        }
        .map_err(|e| Error::io(source_path(file), e))?;
    }
    let gzip = tar.into_inner().map_err(|e| Error::io(&prefix, e))?;
    gzip.finish().map_err(|e| Error::io(&prefix, e))?;
    Ok(())
}

fn source_path(file: &ArchiveFile) -> &Path {
    match &file.content {
        Content::File(path) => path,
        Content::Bytes(_) => &file.path,
    }
}

/// The compressed bytes a file adds to the `.crate` on its own (deflate level 9 of its
/// content), to tell how much leaving it out would save.
pub fn compressed_size_of(path: &Path) -> io::Result<u64> {
    let mut counter = Counter(0);
    let mut encoder = flate2::write::DeflateEncoder::new(&mut counter, Compression::best());
    io::copy(&mut crate::base::paths::open_regular(path)?, &mut encoder)?;
    encoder.finish()?;
    Ok(counter.0)
}

/// What leaving single files out would save ([`compressed_size_of`] of each), by content:
/// kept in the archive store, so that a re-run compresses none of them again.
pub struct DeflatedSizes<'s> {
    store: &'s crate::base::cache::BlobStore,
    /// Sizes this run computed, as store entries.
    fresh: std::sync::Mutex<Vec<(String, Vec<u8>)>>,
}

impl<'s> DeflatedSizes<'s> {
    pub fn new(store: &'s crate::base::cache::BlobStore) -> DeflatedSizes<'s> {
        DeflatedSizes { store, fresh: std::sync::Mutex::new(Vec::new()) }
    }

    /// The compressed bytes `file` adds on its own: its content deflated at level 9 (for a
    /// file that cannot be read, its size).
    pub fn of(&self, file: &ArchiveFile) -> u64 {
        let disk = match &file.content {
            Content::File(disk) => disk,
            Content::Bytes(bytes) => return bytes.len() as u64,
        };
        // The content decides it, and this tool's version (its compressor).
        let mut hasher = Sha256::new();
        hasher.update(concat!(
            env!("CARGO_PKG_NAME"),
            " ",
            env!("CARGO_PKG_VERSION"),
            " deflated\n"
        ));
        hasher.update(file.size.to_le_bytes());
        hasher.update(file.sha256);
        let key = hex(&hasher.finalize());
        let kept =
            self.store.get(&key).and_then(|bytes| Some(u64::from_le_bytes(bytes.try_into().ok()?)));
        if let Some(size) = kept {
            return size;
        }
        match compressed_size_of(disk) {
            Ok(size) => {
                if let Ok(mut fresh) = self.fresh.lock() {
                    fresh.push((key, size.to_le_bytes().to_vec()));
                }
                size
            }
            Err(_) => file.size,
        }
    }

    /// The sizes computed in this run, for the store.
    pub fn fresh(self) -> Vec<(String, Vec<u8>)> {
        self.fresh.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(unix)]
fn is_executable(file: &File) -> bool {
    use std::os::unix::fs::PermissionsExt;
    file.metadata().is_ok_and(|m| m.permissions().mode() & 0o100 != 0)
}

#[cfg(not(unix))]
fn is_executable(_: &File) -> bool {
    false
}

/// A sink that counts and hashes what passes through it.
struct HashingCounter {
    size: u64,
    hasher: Sha256,
}

impl Write for HashingCounter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.size += buf.len() as u64;
        self.hasher.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A sink that only counts.
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `path` on disk with `content`, as a packaged file.
    fn packaged(path: &Path, content: &[u8]) -> ArchiveFile {
        std::fs::write(path, content).unwrap();
        let digested = digest(&Content::File(path.to_path_buf())).unwrap();
        ArchiveFile {
            path: "fixtures/data.bin".into(),
            size: digested.size,
            origin: super::super::Origin::Disk,
            executable: false,
            sha256: digested.sha256,
            content: Content::File(path.to_path_buf()),
        }
    }

    #[test]
    fn deflated_sizes_are_kept_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::base::cache::BlobStore::open(&dir.path().join("store"));
        let disk = dir.path().join("data.bin");
        let repetitive = packaged(&disk, &[b'a'; 8192]);
        let sizes = DeflatedSizes::new(&store);
        let small = sizes.of(&repetitive);
        assert_eq!(small, compressed_size_of(&disk).unwrap());
        store.store(&sizes.fresh());

        // The same path, the same length, other content: computed again, not taken from
        // what the path held before.
        let noise: Vec<u8> =
            (0..8192u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let noisy = packaged(&disk, &noise);
        let sizes = DeflatedSizes::new(&store);
        let large = sizes.of(&noisy);
        assert_eq!(large, compressed_size_of(&disk).unwrap());
        assert!(large > small * 10, "{large} vs {small}");

        // The first content again is read from the store (the disk holds the noise now).
        assert_eq!(sizes.of(&repetitive), small);
        assert_eq!(sizes.fresh().len(), 1, "only the new content was compressed");
    }
}
