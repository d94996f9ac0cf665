//! What the registry already holds (`--online`, off by default): each crate's published
//! versions from the sparse index, the `.crate` of its previous release, and, for
//! `verify --published`, what the registry now serves and how it was published. Every run is offline unless the user
//! asks; a registry that cannot be reached leaves its checks "not checked", never passed.

pub mod download;
pub mod http;
pub mod index;
mod lock_index;
pub mod publication;
pub mod rate_limit;
pub mod source;

use std::collections::{BTreeMap, BTreeSet};

use cargo_metadata::Dependency;
use url::Url;

use crate::base::cache::BlobStore;
use crate::package::diff::{Compared, Comparison, Side, Status};
use crate::workspace::{Member, Workspace};
use download::PublishedCrate;
use http::{Body, Client, Freshness};
use index::{Published, Release};
pub use lock_index::learn_lock_index;
pub use source::Source;

/// An index file is a few hundred bytes per version; 64 MiB bounds any real one.
const INDEX_LIMIT: u64 = 64 << 20;
/// A `.crate` is at most 10 MiB on crates.io; other registries may allow more.
const CRATE_LIMIT: u64 = 128 << 20;
/// Spellings asked for a new crate's name (`-`/`_` swapped): all of them up to 6
/// separators.
const MAX_SPELLINGS: usize = 64;

/// What a crate's lookup found.
#[derive(Debug, Clone)]
pub enum Lookup {
    Found(Published),
    /// The registry has no crate by that name.
    Missing,
    /// Not known: why, as a sentence.
    Failed(String),
}

/// Whether the registry was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// `--online` was not given.
    Off,
    /// It was, and the registry did not answer: why.
    Unreachable(String),
    Online,
}

/// What the registry said, for the checks, the page and the plan.
#[derive(Debug, Clone)]
pub struct Facts {
    /// `crates.io`, or the registry's name.
    pub registry: String,
    pub source: Source,
    pub state: State,
    /// By lowercased name (one index file holds every spelling by case).
    lookups: BTreeMap<String, Lookup>,
}

impl Facts {
    pub fn off() -> Facts {
        let source = Source::crates_io();
        Facts { registry: source.name.clone(), source, state: State::Off, lookups: BTreeMap::new() }
    }

    fn unreachable(source: &Source, why: String) -> Facts {
        Facts {
            registry: source.name.clone(),
            source: source.clone(),
            state: State::Unreachable(why),
            lookups: BTreeMap::new(),
        }
    }

    /// What the registry holds of `name` (`None`: no such crate), or why that is not known.
    pub fn lookup(&self, name: &str) -> Result<Option<&Published>, String> {
        match &self.state {
            State::Off => return Err("run with --online to ask the registry".into()),
            State::Unreachable(why) => {
                return Err(format!("{} could not be reached ({why})", self.registry));
            }
            State::Online => {}
        }
        match self.lookups.get(&name.to_ascii_lowercase()) {
            Some(Lookup::Found(published)) => Ok(Some(published)),
            Some(Lookup::Missing) => Ok(None),
            Some(Lookup::Failed(why)) => Err(format!("{} did not say ({why})", self.registry)),
            None => Err(format!("`{name}` was not looked up")),
        }
    }

    /// The published crates whose names crates.io treats as `name` (other spellings of
    /// `-` and `_`), among those asked; and how many spellings were asked.
    pub fn spellings(&self, name: &str) -> (Vec<&Published>, usize) {
        let asked = spellings(name);
        let found = asked
            .iter()
            .filter_map(|s| match self.lookups.get(&s.to_ascii_lowercase()) {
                Some(Lookup::Found(published)) => Some(published),
                _ => None,
            })
            .collect();
        (found, asked.len())
    }
}

/// The other spellings of `name` by `-` and `_`, at most [`MAX_SPELLINGS`].
fn spellings(name: &str) -> Vec<String> {
    crates_index::Names::new(name)
        .into_iter()
        .flatten()
        .filter(|n| n != name)
        .take(MAX_SPELLINGS)
        .collect()
}

/// A registry, connected: its `config.json` read.
pub struct Registry<'a> {
    client: Client<'a>,
    config: crates_index::IndexConfig,
    /// How index files are read: from the cache while fresh, or always revalidated.
    index: Freshness,
}

impl<'a> Registry<'a> {
    /// Reads the registry's `config.json`; `Err` (why, in a few words) when it cannot.
    pub fn connect(source: Source, store: &'a BlobStore) -> Result<Registry<'a>, String> {
        let client = Client::new(source, store);
        let url = client.source().index.join("config.json").map_err(|e| e.to_string())?;
        let bytes = match client.get(&url, Freshness::Index, 1 << 20)? {
            Body::Found(bytes) => bytes,
            Body::NotFound => return Err(format!("{url}: no config.json")),
        };
        let config: crates_index::IndexConfig = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{url}: not a registry configuration: {e}"))?;
        let auth_required = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v.get("auth-required")?.as_bool())
            .unwrap_or(false);
        if auth_required {
            client.require_token();
        }
        Ok(Registry { client, config, index: Freshness::Index })
    }

    /// Revalidates every index file, however fresh its cached copy (what was just
    /// published must be seen).
    pub fn revalidating(mut self) -> Self {
        self.index = Freshness::Current;
        self
    }

    pub fn source(&self) -> &Source {
        self.client.source()
    }

    /// Runs `work` on each item, a few at a time.
    pub fn each<I: Send, T: Send>(
        &self,
        items: Vec<I>,
        work: impl Fn(I) -> T + Sync + Send,
    ) -> Vec<T> {
        self.client.each(items, work)
    }

    /// Requests sent so far.
    pub fn requests(&self) -> usize {
        self.client.requests()
    }

    /// Looks each name up, a few at a time.
    pub fn look_up(&self, names: BTreeSet<String>) -> BTreeMap<String, Lookup> {
        let names: Vec<String> = names.into_iter().collect();
        let found = self.client.each(names, |name| {
            let lookup = match self.index_file(&name) {
                Ok((url, Body::Found(bytes))) => match index::parse(&bytes) {
                    Ok(published) => Lookup::Found(published),
                    Err(why) => Lookup::Failed(format!("{url}: {why}")),
                },
                Ok((_, Body::NotFound)) => Lookup::Missing,
                Err(why) => Lookup::Failed(why),
            };
            (name, lookup)
        });
        found.into_iter().collect()
    }

    /// `name`'s index file and its URL (not found for a name no index can hold).
    pub(crate) fn index_file(&self, name: &str) -> Result<(String, Body), String> {
        match index::file_url(&self.source().index, name) {
            None => Ok((String::new(), Body::NotFound)),
            Some(url) => Ok((url.to_string(), self.client.get(&url, self.index, INDEX_LIMIT)?)),
        }
    }

    /// Downloads a release's `.crate` and checks it against the index's checksum.
    pub fn download(&self, name: &str, release: &Release) -> Result<Vec<u8>, String> {
        let version = release.version.to_string();
        let url = self
            .config
            .download_url_with_checksum(name, &version, &release.checksum)
            .ok_or_else(|| format!("{name} {version}: no download URL"))?;
        let url = Url::parse(&url).map_err(|e| format!("{url}: {e}"))?;
        // config.json is the registry's word, but only for a web address: never a file,
        // and plain http only where the index itself is.
        let index_scheme = self.source().index.scheme();
        if !(url.scheme() == "https" || url.scheme() == index_scheme && url.scheme() == "http") {
            return Err(format!("{url}: config.json's download URL is not https"));
        }
        match self.client.get(&url, Freshness::Immutable, CRATE_LIMIT)? {
            Body::Found(bytes) => {
                let sha: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(&bytes).into();
                if sha != release.checksum {
                    return Err(format!("{url}: the download does not match the index's checksum"));
                }
                Ok(bytes)
            }
            Body::NotFound => Err(format!("{url}: not found")),
        }
    }

    /// A published release read back, with the lock as its fingerprint takes it: each
    /// workspace member's checksum in its packaged lock replaced by that member's published
    /// fingerprint (downloaded in turn).
    pub fn published(
        &self,
        workspace: &Workspace,
        name: &str,
        release: &Release,
    ) -> Result<(PublishedCrate, download::Fingerprinted), String> {
        self.published_at_depth(workspace, name, release, 0)
    }

    fn published_at_depth(
        &self,
        workspace: &Workspace,
        name: &str,
        release: &Release,
        depth: usize,
    ) -> Result<(PublishedCrate, download::Fingerprinted), String> {
        let bytes = self.download(name, release)?;
        let version = release.version.to_string();
        let published = PublishedCrate::read(name, &version, &bytes)
            .map_err(|why| format!("{name} {version}: {why}"))?;
        let mut fingerprints = BTreeMap::new();
        if published.has_binaries() && depth < 4 {
            let members = published.locked_members(|n| n != name && workspace.member(n).is_some());
            for (member, version, checksum) in members {
                let Ok(version) = version.parse::<semver::Version>() else { continue };
                let Some(checksum_bytes) = decode_hex(&checksum) else { continue };
                let release = Release { version, yanked: false, checksum: checksum_bytes };
                let (_, fingerprinted) =
                    self.published_at_depth(workspace, &member, &release, depth + 1)?;
                fingerprints.insert(checksum, fingerprinted.fingerprint);
            }
        }
        let lock = published.lock(&fingerprints);
        let fingerprint = published.fingerprint(lock);
        Ok((published, download::Fingerprinted { fingerprint, lock }))
    }
}

fn decode_hex(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if text.len() != 64 {
        return None;
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Whether a dependency comes from `source` (crates.io for one that names no registry).
pub fn from_registry(dependency: &Dependency, source: &Source) -> bool {
    match &dependency.registry {
        None => source.crates_io,
        Some(index) => {
            let index = index.trim_start_matches("sparse+").trim_end_matches('/');
            index == source.index.as_str().trim_end_matches('/')
        }
    }
}

/// The dependencies of `member` that the published manifest keeps and that `source` must
/// serve: registry dependencies, and path or git ones with a version, other members aside
/// (the publish plan puts them there first).
pub fn published_dependencies<'m>(
    workspace: &Workspace,
    member: &'m Member,
    source: &Source,
) -> Vec<&'m Dependency> {
    member
        .package
        .dependencies
        .iter()
        .filter(|d| workspace.member(&d.name).is_none())
        .filter(|d| from_registry(d, source))
        .filter(|d| {
            let local =
                d.path.is_some() || d.source.as_ref().is_some_and(|s| s.repr.starts_with("git+"));
            !local || !d.req.comparators.is_empty()
        })
        .collect()
}

/// The registry packages of a lock file's text (name, version) that come from `source`.
pub fn locked_packages(lock: &str, source: &Source) -> Vec<(String, semver::Version)> {
    let lock: toml::Table = lock.parse().unwrap_or_default();
    let packages = lock.get("package").and_then(toml::Value::as_array);
    let index = source.index.as_str().trim_end_matches('/');
    packages
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let text = |key: &str| p.get(key)?.as_str();
            let from = text("source")?;
            let ours = if source.crates_io {
                from == "registry+https://github.com/rust-lang/crates.io-index"
                    || from.trim_end_matches('/') == "sparse+https://index.crates.io"
            } else {
                from.trim_start_matches("sparse+")
                    .trim_start_matches("registry+")
                    .trim_end_matches('/')
                    == index
            };
            let version = text("version")?.parse().ok()?;
            let name = text("name")?.to_owned();
            ours.then_some((name, version))
        })
        .collect()
}

/// Asks the registry about the selected crates: their own index files (and, for a crate
/// not published yet, the other spellings of its name), their dependencies', and, when one
/// of them has binaries, those of every registry package the workspace's lock pins.
pub fn gather(registry: &Registry, workspace: &Workspace, selected: &[&Member]) -> Facts {
    let source = registry.source();
    let mut names: BTreeSet<String> = BTreeSet::new();
    for member in selected.iter().filter(|m| m.publish) {
        names.insert(member.name().to_owned());
        names.extend(
            published_dependencies(workspace, member, source).iter().map(|d| d.name.clone()),
        );
    }
    // A crate with binaries publishes its lock: what the workspace's lock pins is a
    // superset of what it packages.
    let locks = selected.iter().any(|m| m.publish && m.has_binaries());
    if let Some(lock) = workspace.lock.as_ref().filter(|_| locks) {
        names.extend(lock.registry_names().filter(|n| workspace.member(n).is_none()));
    }
    let names = names.into_iter().map(|n| n.to_ascii_lowercase()).collect();
    let mut lookups = registry.look_up(names);
    // The registry answered config.json; when it then answers nothing at all, it is as
    // unreachable as if it had not (a malformed file, answered, is that crate's alone).
    let unanswered = registry.client.unanswered() > 0
        && lookups.values().all(|l| matches!(l, Lookup::Failed(_)));
    if unanswered && let Some(Lookup::Failed(why)) = lookups.values().next() {
        return Facts::unreachable(source, why.clone());
    }
    let new: BTreeSet<String> = selected
        .iter()
        .filter(|m| m.publish)
        .filter(|m| matches!(lookups.get(&m.name().to_ascii_lowercase()), Some(Lookup::Missing)))
        .flat_map(|m| spellings(m.name()))
        .map(|n| n.to_ascii_lowercase())
        .filter(|n| !lookups.contains_key(n))
        .collect();
    lookups.extend(registry.look_up(new));
    Facts { registry: source.name.clone(), source: source.clone(), state: State::Online, lookups }
}

/// Connects to the registry and gathers the facts; a registry that cannot be reached gives
/// facts that say so.
pub fn ask<'a>(
    source: Source,
    store: &'a BlobStore,
    workspace: &Workspace,
    selected: &[&Member],
) -> (Option<Registry<'a>>, Facts) {
    match Registry::connect(source.clone(), store) {
        Ok(registry) => {
            let facts = gather(&registry, workspace, selected);
            (Some(registry).filter(|_| facts.state == State::Online), facts)
        }
        Err(why) => (None, Facts::unreachable(&source, why)),
    }
}

/// Each crate compared with its previous release (the highest published version below
/// its own that is not yanked): `crates[].previous_release`. With `archives`, each
/// release's `.crate` is kept for the version verdict's API comparison.
pub fn compare_with_previous(
    registry: &Registry,
    facts: &Facts,
    workspace: &Workspace,
    sides: Vec<(String, Side)>,
    archives: bool,
) -> BTreeMap<String, Compared> {
    let compared = registry.each(sides, |(name, now)| {
        let Some(member) = workspace.member(&name) else { return (name, None) };
        let version = &member.package.version;
        let not = |status, reason: String| {
            Compared::without(Comparison::without(None, None, status, reason))
        };
        let compared = match facts.lookup(&name) {
            Err(why) => not(Status::NotCompared, why),
            Ok(None) => not(Status::New, format!("{name} is not on {} yet", facts.registry)),
            Ok(Some(published)) => match published.previous(version) {
                None => not(
                    Status::New,
                    format!(
                        "no earlier release of {name} on {} that is not yanked",
                        facts.registry
                    ),
                ),
                Some(release) => match registry.published(workspace, &published.name, release) {
                    Err(why) => not(Status::NotCompared, why),
                    Ok((published_crate, fingerprinted)) => {
                        // Read from the cache: the download was just made.
                        let archive = archives
                            .then(|| registry.download(&published.name, release).ok())
                            .flatten();
                        let before = published_crate.side(fingerprinted.lock);
                        Compared::between(&before, &now, release.version.to_string(), archive)
                    }
                },
            },
        };
        (name, Some(compared))
    });
    compared.into_iter().filter_map(|(name, c)| Some((name, c?))).collect()
}
