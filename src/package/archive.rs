//! Streams the archive exactly as cargo builds it (tar entries `<name>-<version>/…`, GNU
//! headers, fixed mtime) through gzip at level 9, counting the compressed bytes and hashing
//! the content on the way. Nothing is held in memory but one buffer.

use std::fs::File;
use std::io::{self, Read, Write};

use flate2::{Compression, GzBuilder};
use sha2::{Digest, Sha256};

use super::{ArchiveFile, Content, Origin};
use crate::error::Error;
use crate::format::slash_path;

/// cargo's fixed modification time for archive entries (since 1.93).
const MTIME: u64 = 1_153_704_088;

pub struct Streamed {
    pub compressed_size: u64,
    pub fingerprint: String,
}

/// Writes the `.crate` into a byte counter and returns its size and the fingerprint.
pub fn stream(name: &str, version: &str, files: &[ArchiveFile]) -> Result<Streamed, Error> {
    let mut counter = Counter(0);
    let fingerprint = write(name, version, files, &mut counter)?;
    Ok(Streamed {
        compressed_size: counter.0,
        fingerprint,
    })
}

/// Writes the `.crate` to `sink` and returns the fingerprint.
pub fn write(
    name: &str,
    version: &str,
    files: &[ArchiveFile],
    sink: &mut dyn Write,
) -> Result<String, Error> {
    let prefix = format!("{name}-{version}");
    let gzip = GzBuilder::new()
        .filename(format!("{prefix}.crate"))
        .write(sink, Compression::best());
    let mut tar = tar::Builder::new(gzip);
    let mut fingerprint = Sha256::new();
    for file in files {
        let archive_path = format!("{prefix}/{}", slash_path(&file.path));
        let mut header = tar::Header::new_gnu();
        header.set_size(file.size);
        header.set_mtime(MTIME);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        let mut hasher = Sha256::new();
        let result = match &file.content {
            Content::Bytes(bytes) => {
                header.set_mode(0o644);
                hasher.update(bytes);
                tar.append_data(&mut header, &archive_path, bytes.as_slice())
            }
            Content::File(path) => {
                let opened = File::open(path).map_err(|e| Error::io(path, e))?;
                let executable = is_executable(&opened);
                header.set_mode(if executable { 0o755 } else { 0o644 });
                // The size was taken when listing; a file that changed since is an error
                // rather than a corrupt archive.
                let reader = Hashing {
                    inner: opened.take(file.size),
                    hasher: &mut hasher,
                };
                tar.append_data(&mut header, &archive_path, reader)
            }
        };
        let source = match &file.content {
            Content::File(path) => path.clone(),
            Content::Bytes(_) => file.path.clone(),
        };
        result.map_err(|e| Error::io(&source, e))?;
        // Generated files depend on the machine and the lock file; they stay out of the
        // fingerprint. `Cargo.toml.orig` is the manifest itself and is in.
        let fingerprinted =
            file.origin != Origin::Generated || file.path.as_os_str() == "Cargo.toml.orig";
        if fingerprinted {
            fingerprint.update(slash_path(&file.path).as_bytes());
            fingerprint.update([0]);
            fingerprint.update(hex(&hasher.finalize()).as_bytes());
            fingerprint.update([b'\n']);
        }
    }
    let gzip = tar.into_inner().map_err(|e| Error::io(&prefix, e))?;
    gzip.finish().map_err(|e| Error::io(&prefix, e))?;
    Ok(format!("sha256:{}", hex(&fingerprint.finalize())))
}

#[cfg(unix)]
fn is_executable(file: &File) -> bool {
    use std::os::unix::fs::PermissionsExt;
    file.metadata()
        .is_ok_and(|m| m.permissions().mode() & 0o100 != 0)
}

#[cfg(not(unix))]
fn is_executable(_: &File) -> bool {
    false
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A reader that hashes what passes through it, and fails if the file is shorter than the
/// size in its header.
struct Hashing<'a, R> {
    inner: R,
    hasher: &'a mut Sha256,
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
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
