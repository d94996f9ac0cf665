//! The only stage that writes. The site is written into a temporary folder beside `--out`
//! and swapped in at the end, so an interrupted run leaves the previous site intact; nothing
//! outside `--out` is ever written or deleted.

use std::fs;
use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use crate::error::Error;
use crate::package::{ArchiveCache, CachedArchive};
use crate::report::SCHEMA;
use crate::site::SiteFiles;

/// What earlier runs learned about archives (compressed size, content scan), kept under
/// the cargo target dir so that an unchanged crate is not compressed or scanned again.
pub struct ArchiveCacheFile {
    path: PathBuf,
    entries: BTreeMap<String, CachedArchive>,
}

/// Entries kept at most; older runs' entries are dropped beyond this.
const CACHE_ENTRIES: usize = 1024;

impl ArchiveCacheFile {
    /// Loads `<target dir>/readiness-cache/archives.json`; a missing or unreadable cache is
    /// an empty one.
    pub fn load(target_dir: &Path) -> Self {
        let path = target_dir.join("readiness-cache").join("archives.json");
        let entries = fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        ArchiveCacheFile { path, entries }
    }

    /// Stores this run's archives beside the earlier ones. A cache that cannot be written
    /// is not an error: the next run does the work again.
    pub fn store(mut self, fresh: Vec<(String, CachedArchive)>) {
        if fresh.iter().all(|(key, _)| self.entries.contains_key(key)) {
            return;
        }
        if self.entries.len() + fresh.len() > CACHE_ENTRIES {
            self.entries.clear();
        }
        self.entries.extend(fresh);
        let Some(dir) = self.path.parent() else { return };
        let staging = dir.join(format!(".archives.json.{}", std::process::id()));
        let written = fs::create_dir_all(dir)
            .and_then(|()| {
                fs::write(&staging, serde_json::to_vec(&self.entries).unwrap_or_default())
            })
            .and_then(|()| fs::rename(&staging, &self.path));
        if written.is_err() {
            let _ = fs::remove_file(&staging);
        }
    }
}

impl ArchiveCache for ArchiveCacheFile {
    fn get(&self, key: &str) -> Option<CachedArchive> {
        self.entries.get(key).cloned()
    }
}

/// Checks, before any work is done, that `out` may be (re)written: it must not be a file,
/// must not be or contain the workspace root, and an existing folder must be a previous
/// cargo-readiness site (or empty).
pub fn validate(out: &Path, workspace_root: &Path) -> Result<PathBuf, Error> {
    let problem =
        |problem: &str| Error::OutputPath { path: out.to_path_buf(), problem: problem.into() };
    let absolute = std::path::absolute(out).map_err(|e| Error::io(out, e))?;
    let absolute = crate::paths::normalize(&absolute);
    let root = fs::canonicalize(workspace_root).unwrap_or_else(|_| workspace_root.to_path_buf());
    let resolved = crate::paths::resolve_existing_prefix(&absolute);
    if root.starts_with(&resolved) {
        return Err(problem("is the workspace root or contains it; choose a folder of its own"));
    }
    match fs::symlink_metadata(&absolute) {
        Ok(meta) if meta.is_dir() => {
            if !is_previous_site(&absolute)? {
                return Err(problem(
                    "exists and is not a cargo-readiness site; refusing to replace it (choose an empty or new folder)",
                ));
            }
        }
        Ok(_) => return Err(problem("is a file, not a directory")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(out, e)),
    }
    Ok(absolute)
}

/// Writes `files` as the new content of `out` (absolute, validated).
pub fn write(out: &Path, files: &SiteFiles) -> Result<(), Error> {
    let parent = out.parent().ok_or_else(|| Error::OutputPath {
        path: out.to_path_buf(),
        problem: "has no parent folder".into(),
    })?;
    fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let staging = parent.join(format!(".{name}.new-{}", std::process::id()));
    let retired = parent.join(format!(".{name}.old-{}", std::process::id()));

    let result = (|| {
        fs::create_dir(&staging).map_err(|e| Error::io(&staging, e))?;
        for (rel, bytes) in files {
            let path = staging.join(rel);
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
            fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        }
        if out.exists() {
            fs::rename(out, &retired).map_err(|e| Error::io(out, e))?;
        }
        fs::rename(&staging, out).map_err(|e| Error::io(out, e))
    })();
    if result.is_err() {
        // Only our own staging folder is removed; a retired site is put back.
        let _ = fs::remove_dir_all(&staging);
        if retired.exists() && !out.exists() {
            let _ = fs::rename(&retired, out);
        }
        return result;
    }
    if retired.exists() {
        fs::remove_dir_all(&retired).map_err(|e| Error::io(&retired, e))?;
    }
    Ok(())
}

/// An empty folder, or one whose `report.json` is ours.
fn is_previous_site(dir: &Path) -> Result<bool, Error> {
    let mut entries = fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    if entries.next().is_none() {
        return Ok(true);
    }
    let Ok(report) = fs::read_to_string(dir.join("report.json")) else {
        return Ok(false);
    };
    let schema = serde_json::from_str::<serde_json::Value>(&report)
        .ok()
        .and_then(|v| v.get("schema")?.as_str().map(str::to_owned));
    Ok(schema.as_deref() == Some(SCHEMA))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_folder_that_is_not_a_site() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        fs::create_dir(&ws).unwrap();
        let docs = dir.path().join("docs");
        fs::create_dir(&docs).unwrap();
        fs::write(docs.join("precious.txt"), "keep me").unwrap();
        assert!(validate(&docs, &ws).is_err());
        assert!(validate(&ws, &ws).is_err());
        assert!(validate(dir.path(), &ws).is_err());
        assert!(validate(&docs.join("precious.txt"), &ws).is_err());
        assert!(validate(&dir.path().join("new"), &ws).is_ok());
    }

    #[test]
    fn swaps_the_site_in() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let mut files = SiteFiles::new();
        files.insert("report.json".into(), format!("{{\"schema\":\"{SCHEMA}\"}}").into_bytes());
        files.insert("a/b.html".into(), b"one".to_vec());
        write(&out, &files).unwrap();
        files.remove("a/b.html");
        files.insert("c.html".into(), b"two".to_vec());
        let out = validate(&out, &dir.path().join("ws")).unwrap();
        write(&out, &files).unwrap();
        assert!(!out.join("a/b.html").exists());
        assert_eq!(fs::read(out.join("c.html")).unwrap(), b"two");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "staging folders are cleaned up");
    }
}
