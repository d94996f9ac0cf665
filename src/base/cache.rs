//! The tool's cache, in the user's cache folder and never in the checkout (a committed
//! cache could turn a blocked crate ready): `--cache-dir`, else `CARGO_READINESS_CACHE_DIR`,
//! else `$XDG_CACHE_HOME/cargo-readiness`, else `~/.cache/cargo-readiness`.
//!
//! Each store is a folder of content-addressed entries, each validated when read: a file
//! named by its key (a hash of every input and this tool's version) that holds the SHA-256
//! of its payload, then the payload. An entry that is missing, unreadable or does not match
//! its checksum is a miss, recomputed, never trusted.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use crate::base::memo::RenderMemo;

/// The cache folder: the flag, the environment, or the user's cache folder; `None` when
/// none is known (then nothing is cached).
pub fn root(flag: Option<&Path>) -> Option<PathBuf> {
    let from_env = |key: &str| std::env::var_os(key).filter(|v| !v.is_empty()).map(PathBuf::from);
    let root = flag
        .map(Path::to_path_buf)
        .or_else(|| from_env("CARGO_READINESS_CACHE_DIR"))
        .or_else(|| from_env("XDG_CACHE_HOME").map(|d| d.join("cargo-readiness")))
        .or_else(|| from_env("HOME").map(|d| d.join(".cache").join("cargo-readiness")))?;
    std::path::absolute(root).ok()
}

/// The stores of one run: archives (compressed size, checksum, content scan), rendered
/// READMEs, pages and cards, and the declarations of locked registry packages.
pub struct Caches {
    pub archives: BlobStore,
    pub render: BlobStore,
    /// The declarations of the registry packages a lock pins.
    pub declarations: BlobStore,
    /// Comparisons with git revisions, by commit and the crate's content now.
    pub comparisons: BlobStore,
    /// The registry's answers (`--online`), by URL.
    pub registry: BlobStore,
    /// Build verdicts (`--build`), by archive, members and toolchain.
    pub verdicts: BlobStore,
    /// Public APIs as rustdoc JSON (`--build`), by archive, members, toolchain and
    /// features; and the API comparisons made of them.
    pub rustdoc: BlobStore,
    /// Where the ledgers of output folders are kept (see [`crate::output::Ledger`]).
    sites: Option<PathBuf>,
    /// Where past revisions are checked out for the time of a run (see [`crate::review::revision`]).
    checkouts: Option<PathBuf>,
    /// Where `--build` unpacks archives and keeps its target folder.
    builds: Option<PathBuf>,
}

impl Caches {
    /// Opens the stores below `root`; with no root, stores that keep nothing.
    pub fn open(root: Option<&Path>) -> Caches {
        let store = |name: &str| match root {
            Some(root) => BlobStore::open(&root.join("v1").join(name)),
            None => BlobStore::disabled(),
        };
        Caches {
            archives: store("archives"),
            render: store("render"),
            declarations: store("declarations"),
            comparisons: store("comparisons"),
            registry: store("registry"),
            verdicts: store("verdicts"),
            rustdoc: store("rustdoc"),
            sites: root.map(|root| root.join("v1").join("sites")),
            checkouts: root.map(|root| root.join("v1").join("checkouts")),
            builds: root.map(|root| root.join("v1").join("builds")),
        }
    }

    /// The folder that holds a run's checkouts of past revisions (the system's temporary
    /// folder when there is no cache).
    pub fn checkouts(&self) -> Option<&Path> {
        self.checkouts.as_deref()
    }

    /// The folder `--build` builds in (a temporary one when there is no cache).
    pub fn builds(&self) -> Option<&Path> {
        self.builds.as_deref()
    }

    /// Where the ledger of the output folder `out` (absolute) is kept: a file named by a
    /// hash of its path.
    pub fn ledger(&self, out: &Path) -> Option<PathBuf> {
        let name = crate::base::format::hex(&Sha256::digest(out.as_os_str().as_encoded_bytes()));
        Some(self.sites.as_ref()?.join(format!("{name}.json")))
    }
}

/// Writes `bytes` as the file at `path` (in the cache folder), all at once: a reader sees
/// the old file or the new one, never a part.
pub fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().ok_or_else(|| std::io::Error::other("no parent folder"))?;
    fs::create_dir_all(dir)?;
    let mut staging = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut staging, bytes)?;
    staging.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Entries kept beyond those a run used, before older ones are swept.
const SPARE_ENTRIES: usize = 4096;

pub struct BlobStore {
    /// `None`: a store that keeps nothing.
    dir: Option<PathBuf>,
    /// Keys read or written by this run: kept when the folder is swept.
    used: Mutex<BTreeSet<String>>,
}

impl BlobStore {
    pub fn open(dir: &Path) -> BlobStore {
        BlobStore { dir: Some(dir.to_path_buf()), used: Mutex::new(BTreeSet::new()) }
    }

    /// Another handle on the same folder, for work that outlives a borrow of this one.
    pub fn another(&self) -> BlobStore {
        BlobStore { dir: self.dir.clone(), used: Mutex::new(BTreeSet::new()) }
    }

    pub fn disabled() -> BlobStore {
        BlobStore { dir: None, used: Mutex::new(BTreeSet::new()) }
    }

    /// Keys are hex digests; anything else cannot name an entry.
    fn path(&self, key: &str) -> Option<PathBuf> {
        let valid = key.len() >= 16 && key.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| self.dir.as_ref().map(|dir| dir.join(&key[..2]).join(key)))?
    }

    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        let bytes = fs::read(self.path(key)?).ok()?;
        let (digest, payload) = bytes.split_at_checked(32)?;
        if Sha256::digest(payload).as_slice() != digest {
            return None;
        }
        self.used.lock().ok()?.insert(key.to_owned());
        Some(payload.to_vec())
    }

    /// Stores entries; one that cannot be written is not an error (the next run renders
    /// again). Then sweeps entries no run has used lately, when there are many.
    pub fn store(&self, fresh: &[(String, Vec<u8>)]) {
        use rayon::prelude::*;
        let known = self.used.lock().map(|used| used.clone()).unwrap_or_default();
        // Each entry is a file of its own: written side by side.
        fresh
            .par_iter()
            .filter(|(key, _)| !known.contains(key))
            .for_each(|(key, payload)| self.replace(key, payload));
        self.sweep();
    }

    /// Writes one entry whether or not this run read it (a response revalidated, say).
    pub fn replace(&self, key: &str, payload: &[u8]) {
        let Some(path) = self.path(key) else { return };
        let mut bytes = Sha256::digest(payload).to_vec();
        bytes.extend_from_slice(payload);
        if replace_file(&path, &bytes).is_ok()
            && let Ok(mut used) = self.used.lock()
        {
            used.insert(key.to_owned());
        }
    }

    /// Sweeps entries no run has used lately, when there are many.
    pub fn sweep(&self) {
        let (Some(dir), Ok(used)) = (&self.dir, self.used.lock()) else { return };
        let entries: Vec<PathBuf> = fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .flat_map(|shard| fs::read_dir(shard.path()).into_iter().flatten().flatten())
            .map(|entry| entry.path())
            .collect();
        if entries.len() <= used.len() + SPARE_ENTRIES {
            return;
        }
        for path in entries {
            let key = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if !used.contains(key) {
                let _ = fs::remove_file(&path);
            }
        }
    }
}

impl RenderMemo for BlobStore {
    fn get(&self, key: &str) -> Option<Vec<u8>> {
        BlobStore::get(self, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_validated_when_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path());
        let key = "ab".repeat(32);
        store.store(&[(key.clone(), b"page".to_vec())]);
        assert_eq!(store.get(&key).as_deref(), Some(&b"page"[..]));
        let path = store.path(&key).unwrap();
        let mut bytes = fs::read(&path).unwrap();
        *bytes.last_mut().unwrap() = b'X';
        fs::write(&path, bytes).unwrap();
        assert_eq!(store.get(&key), None, "a tampered entry is a miss");
        assert_eq!(store.get("../../etc/passwd"), None, "a key is never a path");
    }
}
