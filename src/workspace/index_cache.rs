//! The crates.io index as the packaged locks need it: each crate's releases (version,
//! checksum, yanked, dependency declarations). Read from cargo's local copy
//! (`$CARGO_HOME/registry/index/index.crates.io-*/.cache`, as data, never fetched), or, with
//! `--online`, from the index files the registry stage fetched and handed over
//! ([`IndexCache::learn`]), which take precedence.
//!
//! It tells whether a workspace member's version is already on crates.io (cargo then takes
//! it from there, with the index's checksum and dependencies), whether crates.io has a newer
//! release cargo would resolve instead, and the declarations of registry packages whose
//! sources cargo has not downloaded (cargo writes a lock from the index alone).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::workspace::lock::{Declaration, PackageDeclarations};

/// crates.io's releases, from cargo's index cache or from the registry itself.
#[derive(Debug, Default)]
pub struct IndexCache {
    /// `…/registry/index/index.crates.io-*/.cache`, when there is one.
    dir: Option<PathBuf>,
    /// Each crate is read once per run (every member's lock asks for the same ones).
    read: Mutex<HashMap<String, Known>>,
    /// Crates the registry was asked about and did not answer for: why.
    unanswered: Mutex<HashMap<String, String>>,
    /// Each crate's [`IndexCache::stamp`], once taken.
    stamps: Mutex<HashMap<String, String>>,
}

/// What the index says of a crate.
#[derive(Debug, Clone)]
pub enum Known {
    /// Its releases, yanked ones included.
    Releases(Entry),
    /// The registry has no crate of that name (it said so, asked with `--online`).
    Absent,
    /// Not known: why, as a clause ("cargo's index cache has no entry for it").
    Unknown(String),
}

/// A crate's index file, read.
#[derive(Debug, Clone)]
pub struct Entry {
    pub releases: Arc<[Release]>,
    /// Asked of the registry in this run (else read from cargo's cache, which may be old).
    pub online: bool,
}

/// One line of an index file.
#[derive(Debug)]
pub struct Release {
    pub version: semver::Version,
    /// SHA-256 (hex) of the `.crate`: what a lock records for it.
    pub checksum: String,
    pub yanked: bool,
    /// The `rust-version` it declares, as a version (`1.70` is 1.70.0).
    pub rust_version: Option<semver::Version>,
    line: crates_index::Version,
    declarations: OnceLock<Option<Arc<PackageDeclarations>>>,
}

/// What the registry answered for a crate's index file.
pub enum Answer<'a> {
    File(&'a [u8]),
    /// It has no such crate.
    Absent,
    /// No usable answer: why.
    Failed(String),
}

impl Release {
    fn new(line: crates_index::Version) -> Option<Release> {
        Some(Release {
            version: line.version().parse().ok()?,
            checksum: crate::base::format::hex(line.checksum()),
            yanked: line.is_yanked(),
            rust_version: line.rust_version().and_then(rust_version),
            line,
            declarations: OnceLock::new(),
        })
    }

    /// Its features and dependencies as the index lists them (`None` when a requirement
    /// cannot be read): what cargo resolves a release from.
    pub(crate) fn declarations(&self) -> Option<Arc<PackageDeclarations>> {
        self.declarations
            .get_or_init(|| {
                let dependencies = self
                    .line
                    .dependencies()
                    .iter()
                    .map(|d| {
                        Some(Declaration {
                            name: d.crate_name().to_owned(),
                            key: d.name().to_owned(),
                            req: d.requirement().parse().ok()?,
                            dev: d.kind() == crates_index::DependencyKind::Dev,
                            optional: d.is_optional(),
                            default_features: d.has_default_features(),
                            features: d.features().to_vec(),
                            registry: d.registry().map(str::to_owned),
                        })
                    })
                    .collect::<Option<Vec<Declaration>>>()?;
                let features: BTreeMap<String, Vec<String>> =
                    self.line.features().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                Some(Arc::new(PackageDeclarations { features, dependencies }))
            })
            .clone()
    }
}

impl Entry {
    /// The release of exactly `version`.
    pub fn release(&self, version: &semver::Version) -> Option<&Release> {
        self.releases.iter().find(|r| &r.version == version)
    }
}

/// A `rust-version` (`1.70`, `1.70.1`) as a version.
pub fn rust_version(text: &str) -> Option<semver::Version> {
    let mut parts = text.trim().split('.').map(|p| p.parse::<u64>().ok());
    let major = parts.next()??;
    let minor = parts.next().unwrap_or(Some(0))?;
    let patch = parts.next().unwrap_or(Some(0))?;
    parts.next().is_none().then(|| semver::Version::new(major, minor, patch))
}

/// Whether `name` can be a crate's name (and so a file of the index): ASCII letters,
/// digits, `-` and `_`. Anything else (a `/`, `..`) never becomes a path.
fn is_crate_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl IndexCache {
    /// The cache of `$CARGO_HOME` (or `~/.cargo`).
    pub fn open() -> IndexCache {
        let home = std::env::var_os("CARGO_HOME")
            .filter(|h| !h.is_empty())
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

    /// What the registry answered for `name` (with `--online`): it takes the place of
    /// cargo's cache for the rest of the run.
    pub fn learn(&self, name: &str, answer: Answer) {
        let name = name.to_ascii_lowercase();
        let stamp = match &answer {
            Answer::File(bytes) => Some(format!("online {}", digest(bytes))),
            Answer::Absent => Some("absent".to_owned()),
            Answer::Failed(_) => None,
        };
        if let (Some(stamp), Ok(mut stamps)) = (stamp, self.stamps.lock()) {
            stamps.insert(name.clone(), stamp);
        }
        let known = match answer {
            Answer::File(bytes) => match parse_file(bytes) {
                Some(releases) => Known::Releases(Entry { releases, online: true }),
                None => Known::Unknown("crates.io's index file for it could not be read".into()),
            },
            Answer::Absent => Known::Absent,
            Answer::Failed(why) => {
                if let Ok(mut unanswered) = self.unanswered.lock() {
                    unanswered.insert(name, why);
                }
                return;
            }
        };
        if let Ok(mut read) = self.read.lock() {
            read.insert(name, known);
        }
    }

    /// What the index says of `name`.
    pub fn entry(&self, name: &str) -> Known {
        let name: Cow<str> = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(name)
        };
        if let Some(known) = self.read.lock().ok().and_then(|read| read.get(&*name).cloned()) {
            return known;
        }
        let name = name.into_owned();
        let known = match self.read_cached(&name) {
            Some(Some(releases)) => Known::Releases(Entry { releases, online: false }),
            Some(None) => {
                Known::Unknown("cargo's index cache entry for it could not be read".into())
            }
            None => {
                let unanswered = self.unanswered.lock().ok().and_then(|u| u.get(&name).cloned());
                Known::Unknown(match unanswered {
                    Some(why) => format!(
                        "crates.io did not answer for it ({why}) and cargo's index cache has no entry for it"
                    ),
                    None => "cargo's index cache has no entry for it; run with --online".into(),
                })
            }
        };
        if let Ok(mut read) = self.read.lock() {
            read.insert(name, known.clone());
        }
        known
    }

    /// What the index holds of `name`, as a digest of the bytes [`IndexCache::entry`] reads
    /// it from (and of why, when there are none): the same stamp, the same answer. Taken
    /// once per run, without parsing the entry.
    pub fn stamp(&self, name: &str) -> String {
        let name = name.to_ascii_lowercase();
        if let Some(stamp) = self.stamps.lock().ok().and_then(|s| s.get(&name).cloned()) {
            return stamp;
        }
        let stamp = match self.cached_bytes(&name) {
            Some(bytes) => format!("cached {}", digest(&bytes)),
            None => {
                let unanswered = self.unanswered.lock().ok().and_then(|u| u.get(&name).cloned());
                format!("none {}", unanswered.unwrap_or_default())
            }
        };
        if let Ok(mut stamps) = self.stamps.lock() {
            stamps.insert(name, stamp.clone());
        }
        stamp
    }

    /// The declarations of `name` `version` as the index lists them, when it does.
    pub(crate) fn declarations(
        &self,
        name: &str,
        version: &semver::Version,
    ) -> Option<Arc<PackageDeclarations>> {
        match self.entry(name) {
            Known::Releases(entry) => entry.release(version)?.declarations(),
            Known::Absent | Known::Unknown(_) => None,
        }
    }

    /// `None`: no entry; `Some(None)`: an entry that cannot be read.
    fn read_cached(&self, name: &str) -> Option<Option<Arc<[Release]>>> {
        Some(parse_cached(&self.cached_bytes(name)?))
    }

    /// The bytes of cargo's cache entry for `name`, when there is one.
    fn cached_bytes(&self, name: &str) -> Option<Vec<u8>> {
        let dir = self.dir.as_ref().filter(|_| is_crate_name(name))?;
        let path = match name.len() {
            1 => dir.join("1").join(name),
            2 => dir.join("2").join(name),
            3 => dir.join("3").join(&name[..1]).join(name),
            _ => dir.join(&name[..2]).join(&name[2..4]).join(name),
        };
        // An index entry is a few KiB per version; 64 MiB bounds any real one.
        crate::base::paths::read_bounded(&path, 64 << 20).ok()
    }
}

fn digest(bytes: &[u8]) -> String {
    crate::base::format::hex(&<sha2::Sha256 as sha2::Digest>::digest(bytes))
}

/// An index file as the registry serves it: one JSON line per release.
fn parse_file(bytes: &[u8]) -> Option<Arc<[Release]>> {
    let releases: Option<Vec<Release>> = bytes
        .split(|b| *b == b'\n')
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
        .map(parse_line)
        .collect();
    releases.map(Into::into)
}

/// cargo's cache format: a version byte (3), the index format (u32), the index's own
/// version and a NUL, then `version NUL json NUL` per release. A line that cannot be read
/// makes the whole entry unreadable: a release left out could be the one asked about.
fn parse_cached(bytes: &[u8]) -> Option<Arc<[Release]>> {
    if bytes.first() != Some(&3) || bytes.len() < 5 {
        return None;
    }
    let mut fields = bytes[5..].split(|b| *b == 0).skip(1);
    let mut releases = Vec::new();
    while let Some(version) = fields.next() {
        if version.is_empty() {
            break;
        }
        releases.push(parse_line(fields.next()?)?);
    }
    Some(releases.into())
}

fn parse_line(json: &[u8]) -> Option<Release> {
    let line = crates_index::Crate::from_slice(json).ok()?;
    Release::new(line.versions().first()?.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(version: &str, yanked: bool, deps: &str) -> String {
        format!(
            r#"{{"name":"demo","vers":"{version}","deps":[{deps}],"cksum":"{}","features":{{"std":[]}},"features2":{{"serde":["dep:serde"]}},"yanked":{yanked}}}"#,
            "ab".repeat(32)
        )
    }

    fn cached(lines: &[String]) -> Vec<u8> {
        let mut bytes = vec![3, 2, 0, 0, 0];
        bytes.extend(b"etag\0");
        for line in lines {
            let version = line.split("\"vers\":\"").nth(1).unwrap().split('"').next().unwrap();
            bytes.extend(format!("{version}\0{line}\0").as_bytes());
        }
        bytes
    }

    #[test]
    fn reads_cargos_cache_format() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("de/mo/demo");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        let serde = r#"{"name":"serde","req":"^1.0","features":["derive"],"optional":true,"default_features":false,"target":null,"kind":"normal"}"#;
        std::fs::write(
            &file,
            cached(&[
                line("1.0.0", false, ""),
                line("1.0.1", true, ""),
                line("1.1.0", false, serde),
            ]),
        )
        .unwrap();
        let cache = IndexCache::at(dir.path());
        let Known::Releases(entry) = cache.entry("Demo") else { panic!("an entry") };
        assert!(!entry.online);
        let versions: Vec<String> = entry.releases.iter().map(|r| r.version.to_string()).collect();
        assert_eq!(versions, ["1.0.0", "1.0.1", "1.1.0"]);
        assert!(entry.releases[1].yanked);
        assert_eq!(entry.releases[0].checksum, "ab".repeat(32));
        let declared = cache.declarations("demo", &"1.1.0".parse().unwrap()).unwrap();
        assert_eq!(declared.features["serde"], ["dep:serde"], "features2 is merged");
        let serde = &declared.dependencies[0];
        assert!(serde.optional && !serde.default_features && !serde.dev);
        assert_eq!(serde.features, ["derive"]);
        assert!(matches!(cache.entry("absent"), Known::Unknown(why) if why.contains("--online")));
    }

    #[test]
    fn a_bad_line_makes_the_entry_unreadable_not_shorter() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("de/mo")).unwrap();
        let mut bytes = cached(&[line("1.0.0", false, "")]);
        bytes.extend(b"2.0.0\0{\"vers\": 2}\0");
        std::fs::write(dir.path().join("de/mo/demo"), bytes).unwrap();
        let cache = IndexCache::at(dir.path());
        assert!(
            matches!(cache.entry("demo"), Known::Unknown(why) if why.contains("could not be read"))
        );
    }

    #[test]
    fn what_the_registry_answered_wins_and_a_name_never_becomes_a_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("de/mo")).unwrap();
        std::fs::write(dir.path().join("de/mo/demo"), cached(&[line("1.0.0", false, "")])).unwrap();
        let cache = IndexCache::at(dir.path());
        cache.learn("demo", Answer::File(format!("{}\n", line("2.0.0", false, "")).as_bytes()));
        let Known::Releases(entry) = cache.entry("demo") else { panic!("an entry") };
        assert!(entry.online);
        assert_eq!(entry.releases[0].version, semver::Version::new(2, 0, 0));
        cache.learn("gone", Answer::Absent);
        assert!(matches!(cache.entry("gone"), Known::Absent));
        cache.learn("slow", Answer::Failed("timed out".into()));
        assert!(matches!(cache.entry("slow"), Known::Unknown(why) if why.contains("timed out")));
        // A file the name would reach if it were joined as a path.
        std::fs::create_dir_all(dir.path().join("x")).unwrap();
        std::fs::write(dir.path().join("x/y"), cached(&[line("1.0.0", false, "")])).unwrap();
        for name in ["../x/y", "..//x/y", "x/y"] {
            assert!(matches!(cache.entry(name), Known::Unknown(_)), "{name}");
        }
    }
}
