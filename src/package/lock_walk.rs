//! The feature-by-feature walk from a packaged crate through the workspace's lock: which
//! packages cargo's resolution of the crate alone reaches ([`super::lockfile`] writes them).
//!
//! cargo resolves the packaged crate as the only member of a new workspace, every feature
//! of it on, its dev-dependencies included. The features each package really gets decide
//! which optional dependencies come in, so the walk follows them, with each package's
//! declarations: a workspace member's own (or, where the release takes it from crates.io,
//! the index's for that release), a registry package's from `cargo metadata` or, failing
//! that, the index.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use crate::workspace::index_cache::IndexCache;
use crate::workspace::lock::{CRATES_IO, Declaration, Declarations, Lock, PackageDeclarations};

pub(super) struct Walk<'a> {
    lock: &'a Lock,
    declarations: &'a Declarations,
    index: &'a IndexCache,
    /// Members the release takes from crates.io, by name: the release it takes.
    from_index: HashMap<String, semver::Version>,
    root: usize,
    /// Each entry's declarations, once looked up.
    known: HashMap<usize, Option<Arc<PackageDeclarations>>>,
    /// Entries walked with a published release's declarations: each resolves to a locked
    /// package its requirement accepts, or is not known.
    strict: HashSet<usize>,
    /// Reached entries and the entries they depend on.
    pub(super) edges: BTreeMap<usize, Vec<usize>>,
    features: HashMap<usize, BTreeSet<String>>,
    /// Declarations activated, by entry: indices into its declarations.
    activated: HashMap<usize, BTreeSet<usize>>,
    /// Features asked of a dependency key (`key/feature`, `key?/feature`), by entry.
    dependency_features: HashMap<usize, Vec<(String, String)>>,
    queue: VecDeque<Step>,
    /// Packages whose dependencies could not be followed.
    pub(super) missing: BTreeSet<String>,
    /// The requirements other members are reached by, by entry.
    pub(super) requirements: BTreeMap<usize, Vec<semver::VersionReq>>,
}

enum Step {
    Reach(usize),
    Feature(usize, String),
    Activate(usize, usize),
}

impl<'a> Walk<'a> {
    pub(super) fn new(
        lock: &'a Lock,
        declarations: &'a Declarations,
        index: &'a IndexCache,
        from_index: HashMap<String, semver::Version>,
        root: usize,
    ) -> Walk<'a> {
        Walk {
            lock,
            declarations,
            index,
            from_index,
            root,
            known: HashMap::new(),
            strict: HashSet::new(),
            edges: BTreeMap::new(),
            features: HashMap::new(),
            activated: HashMap::new(),
            dependency_features: HashMap::new(),
            queue: VecDeque::new(),
            missing: BTreeSet::new(),
            requirements: BTreeMap::new(),
        }
    }

    fn declarations(&mut self, entry: usize) -> Option<Arc<PackageDeclarations>> {
        if let Some(known) = self.known.get(&entry) {
            return known.clone();
        }
        let (lock, declarations, index) = (self.lock, self.declarations, self.index);
        let e = &lock.entries[entry];
        let own = || declarations.packages.get(&(e.name.clone(), e.version.clone())).cloned();
        let published = self.from_index.get(&e.name).filter(|_| entry != self.root);
        let found = match (e.source.as_deref(), published) {
            (None, Some(release)) => {
                self.strict.insert(entry);
                index.declarations(&e.name, release)
            }
            (Some(CRATES_IO), _) => own().or_else(|| index.declarations(&e.name, &e.version)),
            _ => own(),
        };
        self.known.insert(entry, found.clone());
        found
    }

    pub(super) fn run(&mut self) {
        self.queue.push_back(Step::Reach(self.root));
        // The packaged crate is resolved with every feature on.
        if let Some(declared) = self.declarations(self.root) {
            for feature in declared.features.keys() {
                self.queue.push_back(Step::Feature(self.root, feature.clone()));
            }
            for (i, d) in declared.dependencies.iter().enumerate() {
                if d.optional {
                    self.queue.push_back(Step::Activate(self.root, i));
                }
            }
        }
        while let Some(step) = self.queue.pop_front() {
            match step {
                Step::Reach(entry) => self.reach(entry),
                Step::Feature(entry, feature) => self.feature(entry, feature),
                Step::Activate(entry, declaration) => self.activate(entry, declaration),
            }
        }
    }

    fn reach(&mut self, entry: usize) {
        if self.edges.contains_key(&entry) {
            return;
        }
        self.edges.insert(entry, Vec::new());
        let Some(declared) = self.declarations(entry) else {
            if !self.lock.entries[entry].dependencies.is_empty() {
                let e = &self.lock.entries[entry];
                self.missing.insert(format!("{} {}", e.name, e.version));
            }
            return;
        };
        for (i, d) in declared.dependencies.iter().enumerate() {
            if !d.optional && (!d.dev || entry == self.root) {
                self.queue.push_back(Step::Activate(entry, i));
            }
        }
    }

    fn feature(&mut self, entry: usize, feature: String) {
        if !self.features.entry(entry).or_default().insert(feature.clone()) {
            return;
        }
        let Some(declared) = self.declarations(entry) else { return };
        let Some(values) = declared.features.get(&feature) else {
            // An optional dependency's implicit feature.
            self.activate_key(entry, &feature);
            return;
        };
        for value in values {
            if let Some(key) = value.strip_prefix("dep:") {
                self.activate_key(entry, key);
            } else if let Some((key, feature)) = value.split_once('/') {
                // cargo's dependency resolver activates weak (`key?/feature`) features
                // too; only the feature resolver narrows them, after the lock is written.
                let key = key.strip_suffix('?').unwrap_or(key);
                self.dependency_features
                    .entry(entry)
                    .or_default()
                    .push((key.to_owned(), feature.to_owned()));
                self.activate_key(entry, key);
                // Already active: the feature reaches it now.
                self.forward_features(entry, key);
            } else {
                self.queue.push_back(Step::Feature(entry, value.clone()));
            }
        }
    }

    fn activate_key(&mut self, entry: usize, key: &str) {
        let Some(declared) = self.declarations(entry) else { return };
        for (i, d) in declared.dependencies.iter().enumerate() {
            if d.key == key && d.optional && (!d.dev || entry == self.root) {
                self.queue.push_back(Step::Activate(entry, i));
            }
        }
    }

    /// The entry a declaration resolves to: the lock's dependency of that name whose
    /// version the requirement accepts (a member, whichever: its release is chosen by the
    /// requirements on it).
    fn resolve(&self, entry: usize, declaration: &Declaration) -> Option<usize> {
        let candidates = &self.lock.entries[entry].dependencies;
        let named = || {
            candidates.iter().copied().filter(|&c| self.lock.entries[c].name == declaration.name)
        };
        let loose =
            |c: usize| !self.strict.contains(&entry) || self.lock.entries[c].source.is_none();
        named()
            .find(|&c| declaration.req.matches(&self.lock.entries[c].version))
            .or_else(|| named().find(|&c| loose(c)))
    }

    fn activate(&mut self, entry: usize, index: usize) {
        if !self.activated.entry(entry).or_default().insert(index) {
            return;
        }
        let Some(declared) = self.declarations(entry) else { return };
        let declaration = &declared.dependencies[index];
        let Some(target) = self.resolve(entry, declaration) else {
            // Not in the lock (another platform's registry, a patched source, a dependency
            // the published release has and the workspace's does not): cargo's own
            // resolution may differ.
            self.missing
                .insert(format!("{} ({})", self.lock.entries[entry].name, declaration.name));
            return;
        };
        if self.lock.entries[target].source.is_none() {
            self.requirements.entry(target).or_default().push(declaration.req.clone());
        }
        let edges = self.edges.entry(entry).or_default();
        if !edges.contains(&target) {
            edges.push(target);
        }
        self.queue.push_back(Step::Reach(target));
        if declaration.default_features {
            self.queue.push_back(Step::Feature(target, "default".into()));
        }
        for feature in &declaration.features {
            self.queue.push_back(Step::Feature(target, feature.clone()));
        }
        self.forward_features(entry, &declaration.key);
    }

    /// Features asked of `key` reach every active declaration under that key.
    fn forward_features(&mut self, entry: usize, key: &str) {
        let Some(declared) = self.declarations(entry) else { return };
        let asked: Vec<String> = self
            .dependency_features
            .get(&entry)
            .into_iter()
            .flatten()
            .filter(|(k, _)| k == key)
            .map(|(_, f)| f.clone())
            .collect();
        if asked.is_empty() {
            return;
        }
        let active = self.activated.get(&entry).cloned().unwrap_or_default();
        for index in active {
            let declaration = &declared.dependencies[index];
            if declaration.key != key {
                continue;
            }
            if let Some(target) = self.resolve(entry, declaration) {
                for feature in &asked {
                    self.queue.push_back(Step::Feature(target, feature.clone()));
                }
            }
        }
    }
}
