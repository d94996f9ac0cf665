//! The only stage that writes. `--out` is owned through a marker file that lists what the
//! tool wrote there: a re-run replaces exactly those files and keeps every other regular
//! file (a `.git/` above all, as mdBook does, and a `CNAME`); a folder that is not empty
//! and is not proven ours is refused unless `--force`. The site is written into a staging
//! folder with a random name beside `--out` and swapped in at the end, so an interrupted
//! run leaves the previous site intact; nothing outside `--out` is written or deleted but
//! our own staging folders.
//!
//! A pull request can commit files, so nothing in the checkout proves anything on its own:
//! - `--out` is resolved through every parent, and a symbolic link on the way that lies
//!   inside the repository is refused ([`Confinement::resolve_for_writing`]);
//! - a marker is believed only when the ledger in the cache folder records this very
//!   file (its content and its identity on disk) as written by the tool, or when git knows
//!   nothing of the folder (nothing committed in it, no submodule around it) or it lies
//!   outside the checkout, where a pull request commits nothing;
//! - a file the tool did not write is kept only when it is a regular file: a symbolic link
//!   or a special file in `--out` is refused, never carried into the new site.
//!
//! A re-run does not write again what is unchanged: the ledger (in the cache folder, so
//! that `--out` holds nothing that varies between runs) remembers which memo key each page
//! and card of the site was rendered from and how the file looked on disk; a file whose
//! key is rendered again and that nobody touched is hard-linked from the previous site into
//! the new one.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::base::cache::Caches;
use crate::base::error::Error;
use crate::base::paths::Confinement;
use crate::site::SiteFiles;
use crate::workspace::git::GitRepos;

mod ledger;

use ledger::Ledger;

/// The marker file in `--out`: what the tool wrote there.
pub const MARKER: &str = ".cargo-readiness-site.json";
/// Staging and retired folders beside `--out` start with this.
const STAGING_PREFIX: &str = ".cargo-readiness-staging-";
/// A staging folder older than this, with our marker, is left over from a killed run.
const STALE_AFTER: Duration = Duration::from_secs(3600);
/// Markers and ledgers are small; a larger file is not one of ours.
const MAX_RECORD: u64 = 64 * 1024 * 1024;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Marker {
    tool: String,
    /// Every file the tool wrote, relative to `--out`, `/`-separated.
    files: BTreeSet<String>,
}

/// What `--out` is judged against: the checkout a pull request wrote.
pub struct Checkout<'a> {
    /// `--out` may neither be nor contain the workspace root.
    pub workspace_root: &'a Path,
    /// The repository: no link inside it is followed, and nothing is written in `.git/`.
    pub confinement: &'a Confinement,
    /// Which files the repository's git knows.
    pub git: &'a GitRepos,
}

impl<'a> Checkout<'a> {
    pub fn of(workspace: &'a crate::workspace::Workspace) -> Checkout<'a> {
        Checkout {
            workspace_root: &workspace.root,
            confinement: &workspace.confinement,
            git: &workspace.git,
        }
    }

    /// Whether no commit of the checkout can have put files in the real folder `dir`: it
    /// lies outside the repository, or in a git work tree whose index knows nothing at it,
    /// below it or above it (a submodule). Outside git, nothing can be told.
    fn commits_nothing_in(&self, dir: &Path) -> bool {
        let root = self.confinement.root();
        let Ok(rel) = dir.strip_prefix(root) else { return true };
        self.git.knows(root, rel) == Some(false)
    }
}

/// What `--out` holds before the run, and the record of what earlier runs wrote there.
#[derive(Debug)]
pub struct Target {
    /// The folder, through every symbolic link (none of them inside the repository).
    pub path: PathBuf,
    /// The files an earlier run wrote (all others are kept).
    owned: BTreeSet<String>,
    ledger: Ledger,
    /// Where the ledger is kept (in the cache folder); `None` without one.
    ledger_path: Option<PathBuf>,
}

/// Whether a folder that is not empty is a site of ours.
enum Previous {
    /// Proven ours: the files its marker lists.
    Ours(BTreeSet<String>),
    /// It has no marker.
    Foreign,
    /// It has a marker, and nothing proves the tool wrote it.
    Unproven,
}

/// Checks, before any work is done, that `out` may be (re)written: it must not be a file,
/// must not be or contain the workspace root, no symbolic link inside the repository may
/// be on its way, and an existing folder must be empty, proven ours, or `force` must be
/// set.
pub fn validate(
    out: &Path,
    checkout: &Checkout,
    caches: &Caches,
    force: bool,
) -> Result<Target, Error> {
    let problem =
        |problem: &str| Error::OutputPath { path: out.to_path_buf(), problem: problem.into() };
    let absolute = std::path::absolute(out).map_err(|e| Error::io(out, e))?;
    let path = checkout
        .confinement
        .resolve_for_writing(&absolute)
        .map_err(|why| problem(&why.to_string()))?;
    let root = fs::canonicalize(checkout.workspace_root)
        .unwrap_or_else(|_| checkout.workspace_root.to_path_buf());
    if root.starts_with(&path) {
        return Err(problem("is the workspace root or contains it; choose a folder of its own"));
    }
    let ledger_path = caches.ledger(&path);
    let ledger = Ledger::load(ledger_path.as_deref());
    let owned = match fs::symlink_metadata(&path) {
        Ok(meta) if meta.is_dir() => match previous_site(&path, checkout, &ledger)? {
            Previous::Ours(owned) => owned,
            _ if force => BTreeSet::new(),
            Previous::Foreign => {
                return Err(problem(
                    "is not empty and was not written by cargo-readiness; refusing to write into it (choose an empty or new folder, or pass --force to add the site beside what is there)",
                ));
            }
            Previous::Unproven => {
                return Err(problem(
                    "has a cargo-readiness marker, but nothing proves cargo-readiness wrote it (the cache folder holds no record of it, and git tracks files there or cannot tell); a marker can be committed, so the folder is refused (remove it, choose another, or pass --force to add the site beside what is there)",
                ));
            }
        },
        Ok(_) => return Err(problem("is a file, not a directory")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeSet::new(),
        Err(e) => return Err(Error::io(out, e)),
    };
    Ok(Target { path, owned, ledger, ledger_path })
}

/// Whether the folder `dir` is a site the tool wrote: empty, or with a marker that the
/// ledger records as written by the tool or that no commit of the checkout can have put
/// there.
fn previous_site(dir: &Path, checkout: &Checkout, ledger: &Ledger) -> Result<Previous, Error> {
    if fs::read_dir(dir).map_err(|e| Error::io(dir, e))?.next().is_none() {
        return Ok(Previous::Ours(BTreeSet::new()));
    }
    let path = dir.join(MARKER);
    if !fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
        return Ok(Previous::Foreign);
    }
    let bytes =
        crate::base::paths::read_bounded(&path, MAX_RECORD).map_err(|e| Error::io(&path, e))?;
    if !ledger.wrote_marker(&path, &bytes) && !checkout.commits_nothing_in(dir) {
        return Ok(Previous::Unproven);
    }
    let marker: Marker = serde_json::from_slice(&bytes).map_err(|e| Error::OutputPath {
        path: path.clone(),
        problem: format!("is not a marker cargo-readiness can read: {e}"),
    })?;
    Ok(Previous::Ours(marker.files))
}

impl Target {
    /// Whether `--out` holds at `rel` the file an earlier run wrote there from `key`,
    /// untouched since.
    pub fn unchanged(&self, rel: &str, key: &str) -> bool {
        self.owned.contains(rel) && self.ledger.unchanged(&self.path, rel, key)
    }

    /// Keeps the ledger of the site just written: `keys` are its memoized files' keys. One
    /// that cannot be written only makes the next run write every file (and, for a folder
    /// git tracks, refuse it without `--force`).
    pub fn record(&self, keys: &BTreeMap<String, String>) {
        if let Some(path) = &self.ledger_path {
            Ledger::record(&self.path, keys).save(path);
        }
    }
}

/// Writes `files` as the new content of `target`, with the files of `kept` taken as they
/// are from the previous site (see [`Target::unchanged`]): the files an earlier run wrote
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
/// into `staging` at the same place, so the swap keeps it: hard links (no copy, the old
/// tree stays whole until the swap). Only regular files are kept: a symbolic link or a
/// special file is refused, so that the site never publishes one.
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
        let refused = |problem: &str| Error::OutputPath {
            path: entry.path().to_path_buf(),
            problem: problem.into(),
        };
        if !entry.file_type().is_file() {
            return Err(refused(
                "is a symbolic link or a special file that cargo-readiness did not write, and a site never carries one; remove it first",
            ));
        }
        if written(&key) {
            return Err(refused(
                "was not written by cargo-readiness, and the site would replace it; move it away first",
            ));
        }
        create_parent(&kept)?;
        fs::hard_link(entry.path(), &kept)
            .or_else(|_| fs::copy(entry.path(), &kept).map(drop))
            .map_err(|e| Error::io(entry.path(), e))?;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// [`validate`] for the checkout `ws` (no git), with the cache folder `cache`.
    fn check(out: &Path, ws: &Path, cache: Option<&Path>, force: bool) -> Result<Target, Error> {
        let confinement = Confinement::new(ws);
        let git = GitRepos::default();
        let checkout = Checkout { workspace_root: ws, confinement: &confinement, git: &git };
        validate(out, &checkout, &Caches::open(cache), force)
    }

    #[test]
    fn refuses_a_folder_that_is_not_a_site() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        fs::create_dir(&ws).unwrap();
        let docs = dir.path().join("docs");
        fs::create_dir(&docs).unwrap();
        fs::write(docs.join("precious.txt"), "keep me").unwrap();
        assert!(check(&docs, &ws, None, false).is_err());
        assert!(check(&docs, &ws, None, true).is_ok(), "--force writes beside what is there");
        assert!(check(&ws, &ws, None, true).is_err());
        assert!(check(dir.path(), &ws, None, true).is_err());
        assert!(check(&docs.join("precious.txt"), &ws, None, true).is_err());
        assert!(check(&dir.path().join("new"), &ws, None, false).is_ok());
        // A report.json of ours is no marker: nothing proves the folder ours.
        fs::write(docs.join("report.json"), r#"{"schema":"cargo-readiness/report/v1"}"#).unwrap();
        assert!(check(&docs, &ws, None, false).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn links_on_the_way_are_followed_outside_the_checkout_only() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        let elsewhere = dir.path().join("elsewhere");
        fs::create_dir_all(&ws).unwrap();
        fs::create_dir_all(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, ws.join("target")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, dir.path().join("tmp")).unwrap();
        std::os::unix::fs::symlink("../ws/target", elsewhere.join("back")).unwrap();
        let refused = check(&ws.join("target/readiness"), &ws, None, false).unwrap_err();
        assert!(refused.to_string().contains("target is a symbolic link (to "), "{refused}");
        let through = check(&dir.path().join("tmp/back/readiness"), &ws, None, false);
        assert!(through.is_err(), "a link outside leading to one inside is refused too");
        let outside = check(&dir.path().join("tmp/site"), &ws, None, false).unwrap();
        assert_eq!(outside.path, fs::canonicalize(&elsewhere).unwrap().join("site"));
        let git = check(&ws.join(".git/hooks"), &ws, None, true).unwrap_err();
        assert!(git.to_string().contains(".git folder"), "{git}");
    }

    #[test]
    fn a_marker_in_the_checkout_is_believed_only_as_the_ledger_records_it() {
        let dir = tempfile::tempdir().unwrap();
        let (ws, cache) = (dir.path().join("ws"), dir.path().join("cache"));
        fs::create_dir_all(&ws).unwrap();
        let out = ws.join("target/readiness");
        let files: SiteFiles = [("index.html".to_owned(), b"site".to_vec())].into();
        let target = check(&out, &ws, Some(&cache), false).unwrap();
        write(&target, &files, &BTreeSet::new()).unwrap();
        target.record(&BTreeMap::new());
        assert!(check(&out, &ws, Some(&cache), false).is_ok(), "the ledger proves it");
        assert!(check(&out, &ws, None, false).is_err(), "outside git, nothing else does");
        // The same bytes in another file (a copy, a commit) prove nothing.
        let marker = fs::read(out.join(MARKER)).unwrap();
        fs::remove_file(out.join(MARKER)).unwrap();
        fs::write(out.join(MARKER), marker).unwrap();
        let refused = check(&out, &ws, Some(&cache), false).unwrap_err();
        assert!(refused.to_string().contains("nothing proves"), "{refused}");
    }

    #[test]
    fn swaps_the_site_in() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let mut files = SiteFiles::new();
        files.insert("report.json".into(), b"{}".to_vec());
        files.insert("a/b.html".into(), b"one".to_vec());
        let ws = dir.path().join("ws");
        write(&check(&out, &ws, None, false).unwrap(), &files, &BTreeSet::new()).unwrap();
        // Foreign files in --out: a .git folder and a CNAME file, kept by every re-run.
        fs::create_dir_all(out.join(".git/objects")).unwrap();
        fs::write(out.join(".git/objects/pack"), "history").unwrap();
        fs::write(out.join("CNAME"), "example.org").unwrap();
        files.remove("a/b.html");
        files.insert("c.html".into(), b"two".to_vec());
        let target = check(&out, &ws, None, false).unwrap();
        write(&target, &files, &BTreeSet::new()).unwrap();
        assert!(!out.join("a/b.html").exists(), "what an earlier run wrote is replaced");
        assert_eq!(fs::read(out.join("c.html")).unwrap(), b"two");
        assert_eq!(fs::read(out.join(".git/objects/pack")).unwrap(), b"history");
        assert_eq!(fs::read(out.join("CNAME")).unwrap(), b"example.org");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "staging folders are cleaned up");
        #[cfg(unix)]
        {
            // A link beside the site is never carried into the new one.
            std::os::unix::fs::symlink("/etc/passwd", out.join("passwd.html")).unwrap();
            let target = check(&out, &ws, None, false).unwrap();
            let refused = write(&target, &files, &BTreeSet::new()).unwrap_err();
            assert!(refused.to_string().contains("symbolic link"), "{refused}");
            assert!(fs::symlink_metadata(out.join("passwd.html")).is_ok(), "nothing swapped");
        }
    }

    #[test]
    fn a_foreign_file_the_site_would_replace_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("index.html"), "my own page").unwrap();
        let target = check(&out, &dir.path().join("ws"), None, true).unwrap();
        let mut files = SiteFiles::new();
        files.insert("index.html".into(), b"site".to_vec());
        assert!(write(&target, &files, &BTreeSet::new()).is_err());
        assert_eq!(fs::read(out.join("index.html")).unwrap(), b"my own page");
    }

    #[test]
    fn an_unchanged_file_is_kept_and_a_touched_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let (out, ws) = (dir.path().join("site"), dir.path().join("ws"));
        let cache = dir.path().join("cache");
        let mut files = SiteFiles::new();
        files.insert("crates/a.html".into(), b"page a".to_vec());
        files.insert("crates/b.html".into(), b"page b".to_vec());
        let target = check(&out, &ws, Some(&cache), false).unwrap();
        write(&target, &files, &BTreeSet::new()).unwrap();
        let keys: BTreeMap<String, String> =
            [("crates/a.html".into(), "ka".into()), ("crates/b.html".into(), "kb".into())].into();
        target.record(&keys);

        let target = check(&out, &ws, Some(&cache), false).unwrap();
        assert!(target.unchanged("crates/a.html", "ka"));
        assert!(!target.unchanged("crates/a.html", "kb"), "another key is a change");
        assert!(!target.unchanged("crates/c.html", "ka"), "an unknown file");
        fs::remove_file(out.join("crates/b.html")).unwrap();
        fs::write(out.join("crates/b.html"), "edited").unwrap();
        assert!(!target.unchanged("crates/b.html", "kb"), "a replaced file");
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
            assert!(!target.unchanged("crates/a.html", "ka"), "a link is not kept");
            fs::remove_file(&page).unwrap();
            fs::rename(&saved, &page).unwrap();
            assert!(!target.unchanged("../victim", "ka"), "a path out of --out");
        }

        let kept: BTreeSet<String> = ["crates/a.html".to_owned()].into();
        let mut files = SiteFiles::new();
        files.insert("crates/b.html".into(), b"page b".to_vec());
        write(&target, &files, &kept).unwrap();
        assert_eq!(fs::read(out.join("crates/a.html")).unwrap(), b"page a");
        assert_eq!(fs::read(out.join("crates/b.html")).unwrap(), b"page b");
        target.record(&keys);
        let target = check(&out, &ws, Some(&cache), false).unwrap();
        assert!(target.unchanged("crates/a.html", "ka"), "a kept file is recorded again");
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
