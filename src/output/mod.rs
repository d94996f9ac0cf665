//! The only stage that writes. `--out` is owned through a marker file that lists what the
//! tool wrote there: a re-run replaces exactly those files and keeps everything else (a
//! `.git/` above all, as mdBook does); a folder that is not empty and has no marker is
//! refused unless `--force`. The site is written into a staging folder with a random name
//! beside `--out` and swapped in at the end, so an interrupted run leaves the previous site
//! intact; nothing outside `--out` is written or deleted but our own staging folders.
//!
//! A re-run does not write again what is unchanged: the [`Ledger`] (in the cache folder,
//! so that `--out` holds nothing that varies between runs) remembers which memo key each
//! page and card of the site was rendered from and how the file looked on disk; a file whose
//! key is rendered again and that nobody touched is hard-linked from the previous site into
//! the new one.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::base::error::Error;
use crate::report::SCHEMA;
use crate::site::SiteFiles;

/// The marker file in `--out`: what the tool wrote there.
pub const MARKER: &str = ".cargo-readiness-site.json";
/// Staging and retired folders beside `--out` start with this.
const STAGING_PREFIX: &str = ".cargo-readiness-staging-";
/// A staging folder older than this, with our marker, is left over from a killed run.
const STALE_AFTER: Duration = Duration::from_secs(3600);

#[derive(Debug, Default, Serialize, Deserialize)]
struct Marker {
    tool: String,
    /// Every file the tool wrote, relative to `--out`, `/`-separated.
    files: BTreeSet<String>,
}

/// What `--out` holds before the run.
#[derive(Debug)]
pub struct Target {
    pub path: PathBuf,
    /// The files an earlier run wrote (all others are kept).
    owned: BTreeSet<String>,
}

/// Checks, before any work is done, that `out` may be (re)written: it must not be a file,
/// must not be or contain the workspace root, and an existing folder must be empty, carry
/// our marker (or be a site of ours from before the marker), or `force` must be set.
pub fn validate(out: &Path, workspace_root: &Path, force: bool) -> Result<Target, Error> {
    let problem =
        |problem: &str| Error::OutputPath { path: out.to_path_buf(), problem: problem.into() };
    let absolute = std::path::absolute(out).map_err(|e| Error::io(out, e))?;
    let absolute = crate::base::paths::normalize(&absolute);
    let root = fs::canonicalize(workspace_root).unwrap_or_else(|_| workspace_root.to_path_buf());
    let resolved = crate::base::paths::resolve_existing_prefix(&absolute);
    if root.starts_with(&resolved) {
        return Err(problem("is the workspace root or contains it; choose a folder of its own"));
    }
    let owned = match fs::symlink_metadata(&absolute) {
        Ok(meta) if meta.is_dir() => match previous_site(&absolute)? {
            Some(owned) => owned,
            None if force => BTreeSet::new(),
            None => {
                return Err(problem(
                    "is not empty and was not written by cargo-readiness; refusing to write into it (choose an empty or new folder, or pass --force to add the site beside what is there)",
                ));
            }
        },
        Ok(_) => return Err(problem("is a file, not a directory")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeSet::new(),
        Err(e) => return Err(Error::io(out, e)),
    };
    Ok(Target { path: absolute, owned })
}

/// The files an earlier run wrote: from the marker; for a site written before the marker
/// existed (its `report.json` is ours), every file it has that the site writes. `None` when
/// the folder is not empty and not ours.
fn previous_site(dir: &Path) -> Result<Option<BTreeSet<String>>, Error> {
    if fs::read_dir(dir).map_err(|e| Error::io(dir, e))?.next().is_none() {
        return Ok(Some(BTreeSet::new()));
    }
    if let Ok(bytes) = crate::base::paths::read_bounded(&dir.join(MARKER), 64 * 1024 * 1024) {
        let marker: Marker = serde_json::from_slice(&bytes).map_err(|e| Error::OutputPath {
            path: dir.join(MARKER),
            problem: format!("is not a marker cargo-readiness can read: {e}"),
        })?;
        return Ok(Some(marker.files));
    }
    let Ok(report) = crate::base::paths::read_bounded(&dir.join("report.json"), 64 * 1024 * 1024)
    else {
        return Ok(None);
    };
    let schema = serde_json::from_slice::<serde_json::Value>(&report)
        .ok()
        .and_then(|v| v.get("schema")?.as_str().map(str::to_owned));
    if schema.as_deref() != Some(SCHEMA) {
        return Ok(None);
    }
    let ours = ["index.html", "report.json", "summary.md", "crates", "guide", "assets"];
    Ok(Some(
        relative_files(dir)
            .into_iter()
            .filter(|rel| ours.iter().any(|top| rel == top || rel.starts_with(&format!("{top}/"))))
            .collect(),
    ))
}

/// Writes `files` as the new content of `target`, with the files of `kept` taken as they
/// are from the previous site (see [`Ledger::unchanged`]): the files an earlier run wrote
/// are replaced, every other file there is kept.
pub fn write(target: &Target, files: &SiteFiles, kept: &BTreeSet<String>) -> Result<(), Error> {
    let out = &target.path;
    let parent = out.parent().ok_or_else(|| Error::OutputPath {
        path: out.to_path_buf(),
        problem: "has no parent folder".into(),
    })?;
    fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    sweep_stale(parent);
    // Removed when dropped, on every way out of this function (errors and panics too).
    let staging = tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
        .tempdir_in(parent)
        .map_err(|e| Error::io(parent, e))?;
    let marker = Marker {
        tool: concat!(env!("CARGO_PKG_NAME"), " ", env!("CARGO_PKG_VERSION")).to_owned(),
        files: files.keys().chain(kept).cloned().collect(),
    };
    write_file(
        &staging.path().join(MARKER),
        &serde_json::to_vec_pretty(&marker).unwrap_or_default(),
    )?;
    // A site path below `base`, never outside it.
    let below = |base: &Path, rel: &str| {
        crate::base::paths::join_inside(base, Path::new(rel)).ok_or_else(|| Error::OutputPath {
            path: out.join(rel),
            problem: "leaves the output folder".into(),
        })
    };
    for (rel, bytes) in files {
        write_file(&below(staging.path(), rel)?, bytes)?;
    }
    for rel in kept {
        let (staged, old) = (below(staging.path(), rel)?, below(out, rel)?);
        create_parent(&staged)?;
        fs::hard_link(&old, &staged)
            .or_else(|_| fs::copy(&old, &staged).map(drop))
            .map_err(|e| Error::io(&old, e))?;
    }
    if out.exists() {
        let ours = |key: &str| files.contains_key(key) || kept.contains(key);
        keep_foreign_files(out, staging.path(), &target.owned, &ours)?;
        let retired = tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .tempdir_in(parent)
            .map_err(|e| Error::io(parent, e))?;
        let old = retired.path().join("site");
        fs::rename(out, &old).map_err(|e| Error::io(out, e))?;
        if let Err(e) = fs::rename(staging.path(), out) {
            let _ = fs::rename(&old, out); // put the previous site back
            return Err(Error::io(out, e));
        }
        // `retired` (the old site: our files, and links to the foreign ones now kept in
        // the new site) is removed when dropped.
    } else {
        let staging = staging.keep();
        fs::rename(&staging, out).map_err(|e| {
            let _ = fs::remove_dir_all(&staging);
            Error::io(out, e)
        })?;
    }
    Ok(())
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    create_parent(path)?;
    fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

fn create_parent(path: &Path) -> Result<(), Error> {
    match path.parent() {
        Some(dir) => fs::create_dir_all(dir).map_err(|e| Error::io(dir, e)),
        None => Ok(()),
    }
}

/// Links every file of `out` that no run of ours wrote (and that this run does not write)
/// into `staging` at the same place, so the swap keeps it: hard links for files (no copy,
/// the old tree stays whole until the swap), new links for symbolic links.
fn keep_foreign_files(
    out: &Path,
    staging: &Path,
    owned: &BTreeSet<String>,
    written: &dyn Fn(&str) -> bool,
) -> Result<(), Error> {
    for entry in walkdir::WalkDir::new(out).min_depth(1).follow_links(false) {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(out).to_path_buf();
            Error::io(&path, e.into_io_error().unwrap_or_else(|| std::io::Error::other("walk")))
        })?;
        let Ok(rel) = entry.path().strip_prefix(out) else { continue };
        let key = crate::base::format::slash_path(rel);
        let kept = staging.join(rel);
        if entry.file_type().is_dir() {
            continue;
        }
        if key == MARKER || owned.contains(&key) {
            continue;
        }
        if written(&key) {
            return Err(Error::OutputPath {
                path: entry.path().to_path_buf(),
                problem: "was not written by cargo-readiness, and the site would replace it; move it away first".into(),
            });
        }
        create_parent(&kept)?;
        let linked = if entry.path_is_symlink() {
            fs::read_link(entry.path()).and_then(|target| symlink(&target, &kept))
        } else {
            fs::hard_link(entry.path(), &kept).or_else(|_| fs::copy(entry.path(), &kept).map(drop))
        };
        linked.map_err(|e| Error::io(entry.path(), e))?;
    }
    Ok(())
}

/// What the previous run wrote from memo keys into one `--out`: each file's key and its
/// identity on disk right after it was written.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Ledger {
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

/// Ledgers are small; a larger file is not one of ours.
const MAX_LEDGER: u64 = 64 * 1024 * 1024;

impl Ledger {
    /// The ledger kept at `path` (in the cache folder); empty when there is none or it
    /// cannot be read.
    pub fn load(path: Option<&Path>) -> Ledger {
        path.and_then(|p| crate::base::paths::read_bounded(p, MAX_LEDGER).ok())
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Whether `target` holds at `rel` the file an earlier run wrote there from `key`,
    /// untouched since.
    pub fn unchanged(&self, target: &Target, rel: &str, key: &str) -> bool {
        let Some(written) = self.files.get(rel).filter(|w| w.key == key) else { return false };
        let Some(path) = crate::base::paths::join_inside(&target.path, Path::new(rel)) else {
            return false;
        };
        target.owned.contains(rel) && Written::of(&path, key).as_ref() == Some(written)
    }

    /// The ledger of the site just written to `out`: `keys` are its memoized files' keys.
    pub fn record(out: &Path, keys: &BTreeMap<String, String>) -> Ledger {
        let files = keys
            .iter()
            .filter_map(|(rel, key)| {
                let path = crate::base::paths::join_inside(out, Path::new(rel))?;
                Some((rel.clone(), Written::of(&path, key)?))
            })
            .collect();
        Ledger { files }
    }

    /// Keeps the ledger at `path`; one that cannot be written only makes the next run
    /// write every file.
    pub fn save(&self, path: &Path) {
        if let Ok(bytes) = serde_json::to_vec(self) {
            let _ = crate::base::cache::replace_file(path, &bytes);
        }
    }
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    fs::copy(target, link).map(drop)
}

/// Removes staging folders beside `--out` left by killed runs: only ours (named with our
/// prefix, holding our marker or a retired site), and only old ones (a run may be writing).
fn sweep_stale(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let path = entry.path();
        let ours = name.to_string_lossy().starts_with(STAGING_PREFIX)
            && (path.join(MARKER).is_file() || path.join("site").join(MARKER).is_file());
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| SystemTime::now().duration_since(t).unwrap_or_default() > STALE_AFTER);
        if ours && old && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

/// Every file below `dir`, relative, `/`-separated.
fn relative_files(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .follow_links(false)
        .into_iter()
        .flatten()
        .filter(|e| !e.file_type().is_dir())
        .filter_map(|e| e.path().strip_prefix(dir).ok().map(crate::base::format::slash_path))
        .collect()
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
        assert!(validate(&docs, &ws, false).is_err());
        assert!(validate(&docs, &ws, true).is_ok(), "--force writes beside what is there");
        assert!(validate(&ws, &ws, true).is_err());
        assert!(validate(dir.path(), &ws, true).is_err());
        assert!(validate(&docs.join("precious.txt"), &ws, true).is_err());
        assert!(validate(&dir.path().join("new"), &ws, false).is_ok());
    }

    #[test]
    fn swaps_the_site_in() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let mut files = SiteFiles::new();
        files.insert("report.json".into(), format!("{{\"schema\":\"{SCHEMA}\"}}").into_bytes());
        files.insert("a/b.html".into(), b"one".to_vec());
        let ws = dir.path().join("ws");
        write(&validate(&out, &ws, false).unwrap(), &files, &BTreeSet::new()).unwrap();
        // Foreign files in --out: a .git folder and a CNAME file, kept by every re-run.
        fs::create_dir_all(out.join(".git/objects")).unwrap();
        fs::write(out.join(".git/objects/pack"), "history").unwrap();
        fs::write(out.join("CNAME"), "example.org").unwrap();
        files.remove("a/b.html");
        files.insert("c.html".into(), b"two".to_vec());
        let target = validate(&out, &ws, false).unwrap();
        write(&target, &files, &BTreeSet::new()).unwrap();
        assert!(!out.join("a/b.html").exists(), "what an earlier run wrote is replaced");
        assert_eq!(fs::read(out.join("c.html")).unwrap(), b"two");
        assert_eq!(fs::read(out.join(".git/objects/pack")).unwrap(), b"history");
        assert_eq!(fs::read(out.join("CNAME")).unwrap(), b"example.org");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "staging folders are cleaned up");
    }

    #[test]
    fn a_foreign_file_the_site_would_replace_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("index.html"), "my own page").unwrap();
        let target = validate(&out, &dir.path().join("ws"), true).unwrap();
        let mut files = SiteFiles::new();
        files.insert("index.html".into(), b"site".to_vec());
        assert!(write(&target, &files, &BTreeSet::new()).is_err());
        assert_eq!(fs::read(out.join("index.html")).unwrap(), b"my own page");
    }

    #[test]
    fn an_unchanged_file_is_kept_and_a_touched_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let (out, ws) = (dir.path().join("site"), dir.path().join("ws"));
        let mut files = SiteFiles::new();
        files.insert("crates/a.html".into(), b"page a".to_vec());
        files.insert("crates/b.html".into(), b"page b".to_vec());
        write(&validate(&out, &ws, false).unwrap(), &files, &BTreeSet::new()).unwrap();
        let keys: BTreeMap<String, String> =
            [("crates/a.html".into(), "ka".into()), ("crates/b.html".into(), "kb".into())].into();
        let ledger = Ledger::record(&out, &keys);
        let path = dir.path().join("ledger.json");
        ledger.save(&path);
        let ledger = Ledger::load(Some(&path));

        let target = validate(&out, &ws, false).unwrap();
        assert!(ledger.unchanged(&target, "crates/a.html", "ka"));
        assert!(!ledger.unchanged(&target, "crates/a.html", "kb"), "another key is a change");
        assert!(!ledger.unchanged(&target, "crates/c.html", "ka"), "an unknown file");
        fs::remove_file(out.join("crates/b.html")).unwrap();
        fs::write(out.join("crates/b.html"), "edited").unwrap();
        assert!(!ledger.unchanged(&target, "crates/b.html", "kb"), "a replaced file");
        #[cfg(unix)]
        {
            // A page swapped for a link to a file outside, of the same size: never carried
            // over (the link would be followed into the new site).
            let outside = dir.path().join("victim");
            fs::write(&outside, "secret").unwrap();
            let page = out.join("crates/a.html");
            let saved = dir.path().join("a.html");
            fs::rename(&page, &saved).unwrap();
            std::os::unix::fs::symlink(&outside, &page).unwrap();
            assert!(!ledger.unchanged(&target, "crates/a.html", "ka"), "a link is not kept");
            fs::remove_file(&page).unwrap();
            fs::rename(&saved, &page).unwrap();
            assert!(!ledger.unchanged(&target, "../victim", "ka"), "a path out of --out");
        }

        let kept: BTreeSet<String> = ["crates/a.html".to_owned()].into();
        let mut files = SiteFiles::new();
        files.insert("crates/b.html".into(), b"page b".to_vec());
        write(&target, &files, &kept).unwrap();
        assert_eq!(fs::read(out.join("crates/a.html")).unwrap(), b"page a");
        assert_eq!(fs::read(out.join("crates/b.html")).unwrap(), b"page b");
        let target = validate(&out, &ws, false).unwrap();
        assert!(
            Ledger::record(&out, &keys).unchanged(&target, "crates/a.html", "ka"),
            "a kept file is recorded again"
        );
    }

    #[test]
    fn only_our_stale_staging_folders_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join(format!("{STAGING_PREFIX}ours"));
        let theirs = dir.path().join(format!("{STAGING_PREFIX}theirs"));
        fs::create_dir_all(&ours).unwrap();
        fs::write(ours.join(MARKER), "{}").unwrap();
        fs::create_dir_all(&theirs).unwrap();
        fs::write(theirs.join("precious"), "x").unwrap();
        let old = SystemTime::now() - 2 * STALE_AFTER;
        for dir in [&ours, &theirs] {
            fs::File::open(dir).unwrap().set_modified(old).unwrap();
        }
        sweep_stale(dir.path());
        assert!(!ours.exists(), "a stale folder of ours is swept");
        assert!(theirs.join("precious").exists(), "a folder without our marker is kept");
    }
}
