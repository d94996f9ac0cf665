//! The only stage that writes. The site is written into a temporary folder beside `--out`
//! and swapped in at the end, so an interrupted run leaves the previous site intact; nothing
//! outside `--out` is ever written or deleted.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::report::SCHEMA;
use crate::site::SiteFiles;

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
