//! cargo's local copy of the crates.io index (`$CARGO_HOME/registry/index/*/.cache`): the
//! versions of a crate cargo last saw, read as data, never fetched. It tells whether
//! crates.io already has a release that cargo would resolve instead of the workspace's
//! own member.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The versions of crates.io crates, from cargo's index cache.
#[derive(Debug, Default)]
pub struct IndexCache {
    /// `…/registry/index/index.crates.io-*/.cache`, when there is one.
    dir: Option<PathBuf>,
    /// Each crate is read once per run (every member's lock asks for the same ones).
    read: Mutex<HashMap<String, Known>>,
}

/// What the cache says of a crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known {
    /// Its versions, yanked ones left out.
    Versions(Vec<semver::Version>),
    /// The cache has no entry for it (cargo never looked it up here).
    Unknown,
}

impl IndexCache {
    /// The cache of `$CARGO_HOME` (or `~/.cargo`).
    pub fn open() -> IndexCache {
        let home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
        let dir = home.and_then(|home| {
            let index = home.join("registry/index");
            let mut found: Vec<PathBuf> = std::fs::read_dir(index)
                .ok()?
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("index.crates.io-"))
                })
                .collect();
            found.sort();
            found.pop().map(|p| p.join(".cache"))
        });
        IndexCache { dir, ..IndexCache::default() }
    }

    /// A cache rooted at `dir` (the `.cache` folder).
    pub fn at(dir: &Path) -> IndexCache {
        IndexCache { dir: Some(dir.to_path_buf()), ..IndexCache::default() }
    }

    pub fn versions(&self, name: &str) -> Known {
        let name = name.to_ascii_lowercase();
        if let Some(known) = self.read.lock().ok().and_then(|read| read.get(&name).cloned()) {
            return known;
        }
        let known = self.read_versions(&name);
        if let Ok(mut read) = self.read.lock() {
            read.insert(name, known.clone());
        }
        known
    }

    fn read_versions(&self, name: &str) -> Known {
        let Some(dir) = self.dir.as_ref().filter(|_| name.is_ascii()) else {
            return Known::Unknown;
        };
        let path = match name.len() {
            1 => dir.join("1").join(name),
            2 => dir.join("2").join(name),
            3 => dir.join("3").join(&name[..1]).join(name),
            _ => dir.join(&name[..2]).join(&name[2..4]).join(name),
        };
        // An index entry is a few KiB per version; 64 MiB bounds any real one.
        match crate::base::paths::read_bounded(&path, 64 << 20) {
            Ok(bytes) => Known::Versions(parse(&bytes)),
            Err(_) => Known::Unknown,
        }
    }
}

/// cargo's cache format: a version byte (3), the index format (u32), the index's own
/// version and a NUL, then `version NUL json NUL` per release.
fn parse(bytes: &[u8]) -> Vec<semver::Version> {
    if bytes.first() != Some(&3) || bytes.len() < 5 {
        return Vec::new();
    }
    let mut fields = bytes[5..].split(|b| *b == 0).skip(1);
    /// The one field of an index line read here; the others are skipped unparsed.
    #[derive(serde::Deserialize)]
    struct Line {
        #[serde(default)]
        yanked: bool,
    }
    let mut versions = Vec::new();
    while let (Some(version), Some(json)) = (fields.next(), fields.next()) {
        let yanked = serde_json::from_slice::<Line>(json).is_ok_and(|line| line.yanked);
        if let Some(version) = std::str::from_utf8(version).ok().and_then(|v| v.parse().ok())
            && !yanked
        {
            versions.push(version);
        }
    }
    versions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargos_cache_format() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("de/mo/demo");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        let mut bytes = vec![3, 2, 0, 0, 0];
        bytes.extend(b"etag\0");
        bytes.extend(b"1.0.0\0{\"vers\":\"1.0.0\",\"yanked\":false}\0");
        bytes.extend(b"1.0.1\0{\"vers\":\"1.0.1\",\"yanked\":true}\0");
        bytes.extend(b"1.1.0\0{\"vers\":\"1.1.0\", \"yanked\": false}\0");
        std::fs::write(&file, bytes).unwrap();
        let cache = IndexCache::at(dir.path());
        let expected: Vec<semver::Version> =
            vec!["1.0.0".parse().unwrap(), "1.1.0".parse().unwrap()];
        assert_eq!(cache.versions("demo"), Known::Versions(expected));
        assert_eq!(cache.versions("absent"), Known::Unknown);
    }
}
