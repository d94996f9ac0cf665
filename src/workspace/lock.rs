//! The workspace's `Cargo.lock`, parsed, and the dependency declarations of every package
//! it holds (from `cargo metadata`, offline): what the package stage resolves each crate's
//! packaged lock from ([`crate::package::lockfile`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use cargo_metadata::{DependencyKind, Package};

pub(crate) const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";

/// One `[[package]]` of a lock file.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) name: String,
    pub(crate) version: semver::Version,
    pub(crate) source: Option<String>,
    pub(crate) checksum: Option<String>,
    /// Indices of the entries it depends on.
    pub(crate) dependencies: Vec<usize>,
}

/// A workspace's lock file, parsed.
#[derive(Debug, Clone, Default)]
pub struct Lock {
    pub(crate) entries: Vec<Entry>,
    /// Entry indices by name.
    by_name: HashMap<String, Vec<usize>>,
}

impl Lock {
    /// Parses the `[[package]]` tables of a lock file (format 3 or 4).
    pub fn parse(table: &toml::Table) -> Lock {
        let packages = table.get("package").and_then(toml::Value::as_array);
        let tables: Vec<&toml::Table> =
            packages.into_iter().flatten().filter_map(toml::Value::as_table).collect();
        let text = |t: &toml::Table, key: &str| t.get(key)?.as_str().map(str::to_owned);
        let mut entries: Vec<Entry> = tables
            .iter()
            .filter_map(|t| {
                Some(Entry {
                    name: text(t, "name")?,
                    version: text(t, "version")?.parse().ok()?,
                    source: text(t, "source"),
                    checksum: text(t, "checksum"),
                    dependencies: Vec::new(),
                })
            })
            .collect();
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, entry) in entries.iter().enumerate() {
            by_name.entry(entry.name.as_str()).or_default().push(i);
        }
        let edges: Vec<Vec<usize>> = tables
            .iter()
            .map(|t| {
                let list = t.get("dependencies").and_then(toml::Value::as_array);
                list.into_iter()
                    .flatten()
                    .filter_map(|d| find(&entries, &by_name, d.as_str()?))
                    .collect()
            })
            .collect();
        for (entry, edges) in entries.iter_mut().zip(edges) {
            entry.dependencies = edges;
        }
        Lock::of_entries(entries)
    }

    fn of_entries(entries: Vec<Entry>) -> Lock {
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, entry) in entries.iter().enumerate() {
            by_name.entry(entry.name.clone()).or_default().push(i);
        }
        Lock { entries, by_name }
    }

    /// The indices of the entries named `name`.
    pub(crate) fn named(&self, name: &str) -> &[usize] {
        self.by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// The names of the packages that come from a registry.
    pub fn registry_names(&self) -> impl Iterator<Item = String> + '_ {
        self.entries
            .iter()
            .filter(|e| {
                e.source
                    .as_deref()
                    .is_some_and(|s| s.starts_with("registry+") || s.starts_with("sparse+"))
            })
            .map(|e| e.name.clone())
    }

    /// Whether any package comes from a registry (or git): their declarations are not
    /// the workspace's own.
    pub fn has_registry_packages(&self) -> bool {
        self.entries.iter().any(|e| e.source.is_some())
    }

    /// A key over every package the lock takes from elsewhere, when each is pinned (a
    /// registry package by its checksum, a git one by its commit) so that its declarations
    /// never change; `None` when one is not, or when the lock has a path package that is
    /// not one of `members` (its manifest may change).
    pub fn pinned_key(&self, members: &[&str]) -> Option<String> {
        use sha2::Digest;
        let mut hasher = sha2::Sha256::new();
        hasher.update(concat!(env!("CARGO_PKG_NAME"), " ", env!("CARGO_PKG_VERSION"), "\n"));
        for entry in &self.entries {
            match (&entry.source, &entry.checksum) {
                (None, _) if members.contains(&entry.name.as_str()) => continue,
                (None, _) => return None,
                (Some(source), checksum) => {
                    let pin =
                        checksum.as_deref().or_else(|| source.split_once('#').map(|s| s.1))?;
                    hasher.update(format!("{} {} {source} {pin}\n", entry.name, entry.version));
                }
            }
        }
        Some(crate::base::format::hex(&hasher.finalize()))
    }

    /// The lock cargo's packaging starts from in a workspace that commits none: the
    /// members and the dependencies between them (`members`: name, version, the members
    /// it depends on), nothing pinned from a registry.
    pub fn of_members<'m>(
        members: impl IntoIterator<Item = (&'m str, &'m semver::Version, Vec<&'m str>)>,
    ) -> Lock {
        let members: Vec<_> = members.into_iter().collect();
        let entries = members
            .iter()
            .map(|(name, version, depends)| Entry {
                name: (*name).to_owned(),
                version: (*version).clone(),
                source: None,
                checksum: None,
                dependencies: depends
                    .iter()
                    .filter_map(|d| members.iter().position(|(other, ..)| other == d))
                    .collect(),
            })
            .collect();
        Lock::of_entries(entries)
    }

    pub(crate) fn index_of(&self, name: &str, version: &semver::Version) -> Option<usize> {
        self.entries.iter().position(|e| e.name == name && &e.version == version)
    }
}

/// The entry a lock file's `"name"`, `"name version"` or `"name version (source)"` means.
pub(crate) fn find(
    entries: &[Entry],
    by_name: &HashMap<&str, Vec<usize>>,
    spec: &str,
) -> Option<usize> {
    let mut parts = spec.splitn(3, ' ');
    let name = parts.next()?;
    let version = parts.next().and_then(|v| v.parse::<semver::Version>().ok());
    let source = parts.next().map(|s| s.trim_start_matches('(').trim_end_matches(')'));
    by_name.get(name)?.iter().copied().find(|&i| {
        let e = &entries[i];
        version.as_ref().is_none_or(|v| &e.version == v)
            && source.is_none_or(|s| e.source.as_deref() == Some(s))
    })
}

/// One dependency as a manifest declares it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Declaration {
    /// The package's name.
    pub(crate) name: String,
    /// The key in the manifest (the rename, or the name).
    pub(crate) key: String,
    pub(crate) req: semver::VersionReq,
    pub(crate) dev: bool,
    pub(crate) optional: bool,
    pub(crate) default_features: bool,
    pub(crate) features: Vec<String>,
    /// The index of another registry than the package's own (`None`: the same, for a
    /// workspace member crates.io).
    #[serde(default)]
    pub(crate) registry: Option<String>,
}

/// Every package's features and dependency declarations, by name and version.
#[derive(Debug, Clone, Default)]
pub struct Declarations {
    pub(crate) packages: HashMap<(String, semver::Version), Arc<PackageDeclarations>>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct PackageDeclarations {
    pub(crate) features: BTreeMap<String, Vec<String>>,
    pub(crate) dependencies: Vec<Declaration>,
}

impl Declarations {
    /// The declarations of the lock's packages from a registry or a git commit (which never
    /// change), as bytes to keep for later runs.
    pub fn pinned(&self, lock: &Lock) -> Vec<u8> {
        let pinned: Vec<(&(String, semver::Version), &PackageDeclarations)> = lock
            .entries
            .iter()
            .filter(|e| e.source.is_some())
            .filter_map(|e| {
                let key = (e.name.clone(), e.version.clone());
                self.packages.get_key_value(&key).map(|(key, declared)| (key, &**declared))
            })
            .collect();
        serde_json::to_vec(&pinned).unwrap_or_default()
    }

    /// Adds declarations kept by [`Declarations::pinned`]; `false` when they cannot be read.
    pub fn add_pinned(&mut self, bytes: &[u8]) -> bool {
        match serde_json::from_slice::<Vec<((String, semver::Version), PackageDeclarations)>>(bytes)
        {
            Ok(pinned) => {
                self.packages.extend(pinned.into_iter().map(|(key, d)| (key, Arc::new(d))));
                true
            }
            Err(_) => false,
        }
    }

    /// A digest of everything the packaged locks are resolved from in the workspace (the
    /// index aside): the lock they start from, every package's declarations, this tool's
    /// version. Taken once per run.
    pub fn digest_with(&self, lock: Option<&Lock>) -> String {
        use sha2::Digest;
        let mut hasher = sha2::Sha256::new();
        hasher.update(concat!(env!("CARGO_PKG_NAME"), " ", env!("CARGO_PKG_VERSION"), "\n"));
        for e in lock.map_or(&[][..], |lock| &lock.entries) {
            let (source, checksum) = (e.source.as_deref(), e.checksum.as_deref());
            let line =
                format!("{} {} {source:?} {checksum:?} {:?}\n", e.name, e.version, e.dependencies);
            hasher.update(line);
        }
        let mut packages: Vec<_> = self.packages.iter().collect();
        packages.sort_by(|a, b| a.0.cmp(b.0));
        for package in packages {
            hasher.update(serde_json::to_vec(&package).unwrap_or_default());
            hasher.update(b"\n");
        }
        crate::base::format::hex(&hasher.finalize())
    }

    /// The declarations of `name` `version`, when known.
    pub(crate) fn get(
        &self,
        name: &str,
        version: &semver::Version,
    ) -> Option<Arc<PackageDeclarations>> {
        self.packages.get(&(name.to_owned(), version.clone())).cloned()
    }

    pub fn add(&mut self, package: &Package) {
        let dependencies = package
            .dependencies
            .iter()
            .filter(|d| d.kind != DependencyKind::Unknown)
            .map(|d| Declaration {
                name: d.name.clone(),
                key: d.rename.clone().unwrap_or_else(|| d.name.clone()),
                req: d.req.clone(),
                dev: d.kind == DependencyKind::Development,
                // A dev-dependency with a path and no version is dropped from the
                // published manifest.
                optional: d.optional,
                default_features: d.uses_default_features,
                features: d.features.clone(),
                registry: d.registry.clone(),
            })
            .filter(|d| !(d.dev && d.req.comparators.is_empty()))
            .collect();
        self.packages.insert(
            (package.name.to_string(), package.version.clone()),
            Arc::new(PackageDeclarations { features: package.features.clone(), dependencies }),
        );
    }
}
