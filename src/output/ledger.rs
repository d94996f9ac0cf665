//! The ledger in the cache folder: which files of `--out` the tool wrote, from which memo
//! key, and how each looked on disk then (size, modification time, inode). It proves a
//! marker is ours and lets a re-run keep a page nobody touched; it lives outside `--out`
//! so that the site holds nothing that varies between runs.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{MARKER, MAX_RECORD};

/// What the previous run wrote into one `--out`: the marker (keyed by its content's
/// SHA-256), and each file rendered from a memo key, with its identity on disk right after
/// it was written.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Ledger {
    /// `None` in ledgers written before the marker was recorded: they prove nothing.
    #[serde(default)]
    marker: Option<Written>,
    files: BTreeMap<String, Written>,
}

#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Written {
    key: String,
    /// Size, modification time (ns) and inode: a file edited or replaced since differs.
    size: u64,
    modified: u128,
    inode: u64,
}

impl Written {
    fn of(path: &Path, key: &str) -> Option<Written> {
        let meta = fs::symlink_metadata(path).ok().filter(|m| m.is_file())?;
        let modified = meta.modified().ok()?.duration_since(SystemTime::UNIX_EPOCH).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Written {
            key: key.to_owned(),
            size: meta.len(),
            modified: modified.as_nanos(),
            inode,
        })
    }
}

/// The key a marker is recorded under: its content's SHA-256.
pub(super) fn marker_key(bytes: &[u8]) -> String {
    crate::base::format::hex(&Sha256::digest(bytes))
}

impl Ledger {
    /// The ledger kept at `path` (in the cache folder); empty when there is none or it
    /// cannot be read.
    pub(super) fn load(path: Option<&Path>) -> Ledger {
        path.and_then(|p| crate::base::paths::read_bounded(p, MAX_RECORD).ok())
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Whether the marker at `path`, which holds `bytes`, is the very file the tool wrote
    /// there (same content, same file on disk, untouched since).
    pub(super) fn wrote_marker(&self, path: &Path, bytes: &[u8]) -> bool {
        self.marker.is_some() && Written::of(path, &marker_key(bytes)) == self.marker
    }

    /// Whether `out` holds at `rel` the file an earlier run wrote there from `key`,
    /// untouched since.
    pub(super) fn unchanged(&self, out: &Path, rel: &str, key: &str) -> bool {
        let Some(written) = self.files.get(rel).filter(|w| w.key == key) else { return false };
        let Some(path) = crate::base::paths::join_inside(out, Path::new(rel)) else { return false };
        Written::of(&path, key).as_ref() == Some(written)
    }

    /// The ledger of the site just written to `out`: `keys` are its memoized files' keys.
    pub(super) fn record(out: &Path, keys: &BTreeMap<String, String>) -> Ledger {
        let files = keys
            .iter()
            .filter_map(|(rel, key)| {
                let path = crate::base::paths::join_inside(out, Path::new(rel))?;
                Some((rel.clone(), Written::of(&path, key)?))
            })
            .collect();
        let path = out.join(MARKER);
        let marker = crate::base::paths::read_bounded(&path, MAX_RECORD)
            .ok()
            .and_then(|bytes| Written::of(&path, &marker_key(&bytes)));
        Ledger { marker, files }
    }

    /// Keeps the ledger at `path`; one that cannot be written only makes the next run
    /// write every file.
    pub(super) fn save(&self, path: &Path) {
        if let Ok(bytes) = serde_json::to_vec(self) {
            let _ = crate::base::cache::replace_file(path, &bytes);
        }
    }
}
