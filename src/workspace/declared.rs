//! The dependency declarations the packaged locks are walked with: the members' own, and
//! those of every registry package the lock pins. The latter come from the cache, else
//! from cargo's index cache (what cargo's resolver reads them from), else from a full
//! `cargo metadata` (the slowest step of loading a workspace the first time), which then
//! runs in the background while the run lists and reads the members' files, and is waited
//! for when a lock is first walked.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;

use cargo_metadata::MetadataCommand;
use rayon::prelude::*;

use super::Member;
use super::index_cache::IndexCache;
use super::lock::{CRATES_IO, Declarations, Lock, PackageDeclarations};
use crate::base::cache::BlobStore;

/// Every package's declarations, now or once `cargo metadata` has answered.
#[derive(Debug)]
pub struct Declared {
    ready: OnceLock<Known>,
    pending: Mutex<Option<JoinHandle<Known>>>,
}

#[derive(Debug, Default)]
struct Known {
    declarations: Declarations,
    /// [`Declarations::digest_with`] the lock the packaged locks start from.
    digest: String,
}

impl Declared {
    /// The members' declarations, and those of every registry package in `lock`: from the
    /// `index` when it lists each of them, else from a full `cargo metadata`: offline,
    /// `--locked` (it never rewrites the checkout's lock), from a neutral folder. Packages
    /// it cannot load stay unknown, and the lock walk says so. The declarations of pinned
    /// packages (see [`Lock::pinned_key`]) are kept in `cache`: a re-run with the same lock
    /// does not read them again. `walked` is the lock the packaged locks start from.
    pub fn load(
        manifest_path: &Path,
        members: &[Member],
        lock: Option<&Lock>,
        walked: Option<&Lock>,
        index: &IndexCache,
        cache: &BlobStore,
    ) -> Declared {
        let mut declarations = Declarations::default();
        members.iter().for_each(|m| declarations.add(&m.package));
        let known = |declarations: Declarations, walked: Option<&Lock>| {
            let digest = declarations.digest_with(walked);
            Known { declarations, digest }
        };
        let now =
            |known: Known| Declared { ready: OnceLock::from(known), pending: Mutex::new(None) };
        let Some(lock) = lock.filter(|lock| lock.has_registry_packages()) else {
            return now(known(declarations, walked));
        };
        let names: Vec<&str> = members.iter().map(Member::name).collect();
        let key = lock.pinned_key(&names);
        if let Some(kept) = key.as_deref().and_then(|key| cache.get(key))
            && declarations.add_pinned(&kept)
        {
            return now(known(declarations, walked));
        }
        if let Some(key) = &key
            && let Some(listed) = from_index(lock, index)
        {
            declarations.packages.extend(listed);
            cache.store(&[(key.clone(), declarations.pinned(lock))]);
            return now(known(declarations, walked));
        }
        let (manifest_path, lock, walked) =
            (manifest_path.to_path_buf(), lock.clone(), walked.cloned());
        let cache = cache.another();
        let background = std::thread::spawn(move || {
            if let Some(metadata) = full_metadata(&manifest_path) {
                metadata.packages.iter().for_each(|p| declarations.add(p));
                if let Some(key) = key {
                    cache.store(&[(key, declarations.pinned(&lock))]);
                }
            }
            known(declarations, walked.as_ref())
        });
        Declared { ready: OnceLock::new(), pending: Mutex::new(Some(background)) }
    }

    fn known(&self) -> &Known {
        self.ready.get_or_init(|| {
            let pending = self.pending.lock().ok().and_then(|mut p| p.take());
            pending.and_then(|p| p.join().ok()).unwrap_or_default()
        })
    }

    /// Every package's features and dependency declarations.
    pub fn declarations(&self) -> &Declarations {
        &self.known().declarations
    }

    /// A digest of the declarations and the lock the packaged locks start from: with the
    /// index entries a packaged lock read, what it was resolved from.
    pub fn digest(&self) -> &str {
        &self.known().digest
    }
}

impl Drop for Declared {
    /// A run that ends before any lock is walked still waits for its `cargo metadata`.
    fn drop(&mut self) {
        if let Some(pending) = self.pending.get_mut().ok().and_then(Option::take) {
            let _ = pending.join();
        }
    }
}

/// The declarations of every package `lock` pins, as the index lists them, when each is a
/// crates.io release the index cache lists (a git package's are only in its manifest).
fn from_index(lock: &Lock, index: &IndexCache) -> Option<Vec<(Release, Arc<PackageDeclarations>)>> {
    lock.entries
        .par_iter()
        .filter(|e| e.source.is_some())
        .map(|e| {
            let listed = e.source.as_deref() == Some(CRATES_IO);
            let declared = listed.then(|| index.declarations(&e.name, &e.version)).flatten()?;
            Some(((e.name.clone(), e.version.clone()), declared))
        })
        .collect()
}

/// A package's name and version.
type Release = (String, semver::Version);

fn full_metadata(manifest_path: &PathBuf) -> Option<cargo_metadata::Metadata> {
    let neutral = tempfile::tempdir().ok()?;
    let mut command = MetadataCommand::new();
    command
        .cargo_path(super::cargo_program())
        .current_dir(neutral.path())
        .manifest_path(manifest_path)
        .other_options(vec!["--offline".to_owned(), "--locked".to_owned()]);
    command.exec().ok()
}
