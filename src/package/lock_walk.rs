//! The feature-by-feature walk from a packaged crate through the workspace's lock: which
//! packages cargo's resolution of the crate alone reaches ([`super::lockfile`] writes them).
//!
//! cargo resolves the packaged crate as the only member of a new workspace, every feature
//! of it on, its dev-dependencies included. The features each package really gets decide
//! which optional dependencies come in, so the walk follows them, with each package's
//! declarations: a workspace member's own (or, where the release takes it from crates.io,
//! the index's for that release), a registry package's from `cargo metadata` or, failing
//! that, the index.
//!
//! A dependency the lock does not pin (a published release's dependency the workspace's
//! member lacks; every registry dependency of a workspace that commits no lock) is resolved
//! as cargo resolves a new one: to the lowest locked version its requirement accepts, else
//! to one already resolved, else to the newest release on the index it accepts (yanked
//! ones aside; with resolver 3, one whose `rust-version` the crate's accepts first).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use crate::workspace::index_cache::{IndexCache, Known};
use crate::workspace::lock::{
    CRATES_IO, Declaration, Declarations, Entry, Lock, PackageDeclarations,
};

/// How a dependency the lock does not pin is resolved.
#[derive(Debug, Clone, Default)]
pub(super) struct Picking {
    /// From the index at all (not for the fingerprint, which what crates.io holds never
    /// changes).
    pub(super) from_index: bool,
    /// With resolver 3, the packaged crate's `rust-version`: releases that declare a newer
    /// one come after the others.
    pub(super) rust_version: Option<semver::Version>,
}

/// The workspace's declarations of each entry of a lock, looked up once per resolution and
/// shared by all its walks.
pub(super) struct LockDeclarations<'a> {
    lock: &'a Lock,
    declarations: &'a Declarations,
    /// By entry of the lock.
    by_entry: Vec<Option<Arc<PackageDeclarations>>>,
}

impl<'a> LockDeclarations<'a> {
    pub(super) fn new(lock: &'a Lock, declarations: &'a Declarations) -> Self {
        let by_entry = lock.entries.iter().map(|e| declarations.get(&e.name, &e.version)).collect();
        LockDeclarations { lock, declarations, by_entry }
    }

    /// The workspace's declarations of `entry`, a lock entry or (past the lock's) `added`.
    fn of(&self, entry: usize, e: &Entry) -> Option<Arc<PackageDeclarations>> {
        match self.by_entry.get(entry) {
            Some(declared) => declared.clone(),
            None => self.declarations.get(&e.name, &e.version),
        }
    }
}

pub(super) struct Walk<'a> {
    lock: &'a Lock,
    declarations: &'a LockDeclarations<'a>,
    index: &'a IndexCache,
    /// Members the release takes from crates.io, by name: the release it takes.
    from_index: HashMap<String, semver::Version>,
    root: usize,
    picking: Picking,
    /// Packages the lock does not hold, resolved from the index: entry `lock.entries.len() + i`.
    added: Vec<Entry>,
    /// Packages resolved from an index entry of cargo's cache, which may be behind the
    /// registry.
    pub(super) stale: BTreeSet<String>,
    /// What the walk knows of each entry, by entry (the lock's, then the added ones); let
    /// go once it has run.
    states: Vec<State>,
    /// Reached entries and the entries they depend on, once it has run.
    pub(super) edges: BTreeMap<usize, Vec<usize>>,
    queue: VecDeque<Step>,
    /// Packages whose dependencies could not be followed.
    pub(super) missing: BTreeSet<String>,
    /// The requirements other members are reached by, by entry (each once).
    pub(super) requirements: BTreeMap<usize, Vec<semver::VersionReq>>,
    /// The crates whose index entries the walk read: what else its result depends on.
    pub(super) reads: BTreeSet<String>,
}

/// One entry as the walk has it.
#[derive(Default)]
struct State {
    /// Its declarations, once looked up.
    declared: Option<Option<Arc<PackageDeclarations>>>,
    /// Walked with a published release's declarations: each resolves to a locked package
    /// its requirement accepts, or is not known.
    strict: bool,
    reached: bool,
    /// The entries it depends on, in the order reached.
    edges: Vec<usize>,
    features: BTreeSet<String>,
    /// By index into its declarations: `Some` once activated, with the entry it resolves
    /// to (`None`: not known).
    activated: Vec<Option<Option<usize>>>,
    /// Features asked of a dependency key (`key/feature`, `key?/feature`).
    dependency_features: Vec<(String, String)>,
}

enum Step {
    Reach(usize),
    Feature(usize, String),
    Activate(usize, usize),
}

impl<'a> Walk<'a> {
    pub(super) fn new(
        declarations: &'a LockDeclarations<'a>,
        index: &'a IndexCache,
        from_index: HashMap<String, semver::Version>,
        root: usize,
        picking: Picking,
    ) -> Walk<'a> {
        Walk {
            lock: declarations.lock,
            declarations,
            index,
            from_index,
            root,
            picking,
            added: Vec::new(),
            stale: BTreeSet::new(),
            states: Vec::new(),
            edges: BTreeMap::new(),
            queue: VecDeque::new(),
            missing: BTreeSet::new(),
            requirements: BTreeMap::new(),
            reads: BTreeSet::new(),
        }
    }

    /// An entry of the lock, or one the walk added.
    pub(super) fn entry(&self, i: usize) -> &Entry {
        match i.checked_sub(self.lock.entries.len()) {
            Some(added) => &self.added[added],
            None => &self.lock.entries[i],
        }
    }

    fn declarations(&mut self, entry: usize) -> Option<Arc<PackageDeclarations>> {
        if let Some(known) = &self.states[entry].declared {
            return known.clone();
        }
        let e = self.entry(entry);
        let (name, version) = (&e.name, &e.version);
        let (declarations, index) = (self.declarations, self.index);
        let own = || declarations.of(entry, e);
        // Only a member (a path package) is taken from crates.io instead.
        let published = match e.source {
            None if entry != self.root => self.from_index.get(name),
            _ => None,
        };
        let mut strict = false;
        // The index's entry for it, when read: what the walk's result also depends on.
        let mut read = None;
        let found = match (e.source.as_deref(), published) {
            (None, Some(release)) => {
                strict = true;
                read = Some(name.clone());
                index.declarations(name, release)
            }
            (Some(CRATES_IO), _) => own().or_else(|| {
                read = Some(name.clone());
                index.declarations(name, version)
            }),
            _ => own(),
        };
        self.reads.extend(read);
        let state = &mut self.states[entry];
        state.strict |= strict;
        state.declared = Some(found.clone());
        found
    }

    pub(super) fn run(&mut self) {
        self.states.resize_with(self.lock.entries.len() + self.added.len(), State::default);
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
        let states = std::mem::take(&mut self.states).into_iter().enumerate();
        self.edges = states.filter(|(_, s)| s.reached).map(|(i, s)| (i, s.edges)).collect();
    }

    fn reach(&mut self, entry: usize) {
        if std::mem::replace(&mut self.states[entry].reached, true) {
            return;
        }
        let Some(declared) = self.declarations(entry) else {
            let e = self.entry(entry);
            // A package the walk added has dependencies the index would have listed.
            if !e.dependencies.is_empty() || entry >= self.lock.entries.len() {
                let missing = format!("the dependencies of {} {}", e.name, e.version);
                self.missing.insert(missing);
            }
            return;
        };
        for (i, d) in declared.dependencies.iter().enumerate() {
            if !d.optional && (!d.dev || entry == self.root) {
                self.push_activate(entry, i);
            }
        }
    }

    fn feature(&mut self, entry: usize, feature: String) {
        let Some(declared) = self.declarations(entry) else {
            self.states[entry].features.insert(feature);
            return;
        };
        let Some(values) = declared.features.get(&feature) else {
            // An optional dependency's implicit feature.
            if self.states[entry].features.insert(feature.clone()) {
                self.activate_key(entry, &feature);
            }
            return;
        };
        if !self.states[entry].features.insert(feature) {
            return;
        }
        for value in values {
            if let Some(key) = value.strip_prefix("dep:") {
                self.activate_key(entry, key);
            } else if let Some((key, feature)) = value.split_once('/') {
                // cargo's dependency resolver activates weak (`key?/feature`) features
                // too; only the feature resolver narrows them, after the lock is written.
                let key = key.strip_suffix('?').unwrap_or(key);
                let asked = (key.to_owned(), feature.to_owned());
                self.states[entry].dependency_features.push(asked);
                self.activate_key(entry, key);
                // Already active: the feature reaches it now.
                self.forward_features(entry, key);
            } else {
                push_feature(&mut self.queue, &self.states, entry, value);
            }
        }
    }

    fn activate_key(&mut self, entry: usize, key: &str) {
        let Some(declared) = self.declarations(entry) else { return };
        for (i, d) in declared.dependencies.iter().enumerate() {
            if d.key == key && d.optional && (!d.dev || entry == self.root) {
                self.push_activate(entry, i);
            }
        }
    }

    /// Queues the activation of declaration `index` of `entry`, unless already active.
    fn push_activate(&mut self, entry: usize, index: usize) {
        if self.states[entry].activated.get(index).is_none_or(Option::is_none) {
            self.queue.push_back(Step::Activate(entry, index));
        }
    }

    /// The entry a declaration of `entry` resolves to: for a locked package, the locked
    /// dependency of that name whose version the requirement accepts (a member, whichever:
    /// its release is chosen by the requirements on it); for a package the lock does not
    /// pin, or a dependency it does not list, what cargo resolves a new one to.
    fn resolve(&mut self, entry: usize, declaration: &Declaration) -> Option<usize> {
        let locked = entry < self.lock.entries.len() && !self.states[entry].strict;
        if locked {
            let candidates = &self.lock.entries[entry].dependencies;
            let named = || {
                let lock = self.lock;
                candidates
                    .iter()
                    .copied()
                    .filter(move |&c| lock.entries[c].name == declaration.name)
            };
            let found = named()
                .find(|&c| declaration.req.matches(&self.lock.entries[c].version))
                .or_else(|| named().next());
            if found.is_some() {
                return found;
            }
        }
        self.resolve_new(declaration)
    }

    /// A dependency no locked package lists: another member's entry (its release is chosen
    /// by the requirements on it); the lowest locked version the requirement accepts; one
    /// already added; the newest release on the index it accepts.
    fn resolve_new(&mut self, declaration: &Declaration) -> Option<usize> {
        if declaration.registry.is_some() {
            return None; // another registry's index is not read
        }
        let (name, req) = (&declaration.name, &declaration.req);
        let lock = self.lock;
        let entries = &lock.entries;
        let named = |source: Option<&'static str>| {
            let indices = lock.named(name).iter().copied();
            indices.filter(move |&i| entries[i].source.as_deref() == source)
        };
        // The packaged crate itself is a path package: a registry package that depends on
        // its name gets the registry's release.
        if let Some(member) = named(None).find(|&i| i != self.root) {
            return Some(member);
        }
        let locked = named(Some(CRATES_IO))
            .filter(|&i| req.matches(&entries[i].version))
            .min_by(|&a, &b| entries[a].version.cmp(&entries[b].version));
        if locked.is_some() {
            return locked;
        }
        let added = self.added.iter().position(|e| e.name == *name && req.matches(&e.version));
        if let Some(added) = added {
            return Some(entries.len() + added);
        }
        if !self.picking.from_index {
            return None;
        }
        self.reads.insert(name.clone());
        let Known::Releases(entry) = self.index.entry(name) else { return None };
        let fits = |r: &&crate::workspace::index_cache::Release| match (
            &self.picking.rust_version,
            &r.rust_version,
        ) {
            (Some(ours), Some(theirs)) => theirs <= ours,
            _ => true,
        };
        let release = entry
            .releases
            .iter()
            .filter(|r| !r.yanked && req.matches(&r.version))
            .max_by(|a, b| (fits(a), &a.version).cmp(&(fits(b), &b.version)))?;
        if !entry.online {
            self.stale.insert(name.clone());
        }
        self.added.push(Entry {
            name: name.clone(),
            version: release.version.clone(),
            source: Some(CRATES_IO.to_owned()),
            checksum: Some(release.checksum.clone()),
            dependencies: Vec::new(),
        });
        self.states.push(State::default());
        Some(entries.len() + self.added.len() - 1)
    }

    fn activate(&mut self, entry: usize, index: usize) {
        let activated = &mut self.states[entry].activated;
        if activated.get(index).is_some_and(Option::is_some) {
            return;
        }
        let Some(declared) = self.declarations(entry) else { return };
        let declaration = &declared.dependencies[index];
        let target = self.resolve(entry, declaration);
        let activated = &mut self.states[entry].activated;
        if activated.len() <= index {
            activated.resize(declared.dependencies.len(), None);
        }
        activated[index] = Some(target);
        let Some(target) = target else {
            // Neither locked nor on the index (another registry, a crate the index cache
            // has no entry for): cargo's own resolution is not known.
            let e = self.entry(entry);
            let missing = format!(
                "the release of {} that {} {} depends on",
                declaration.name, e.name, e.version
            );
            self.missing.insert(missing);
            return;
        };
        if self.entry(target).source.is_none() {
            let requirements = self.requirements.entry(target).or_default();
            if !requirements.contains(&declaration.req) {
                requirements.push(declaration.req.clone());
            }
        }
        let state = &mut self.states[entry];
        state.reached = true;
        if !state.edges.contains(&target) {
            state.edges.push(target);
        }
        if !self.states[target].reached {
            self.queue.push_back(Step::Reach(target));
        }
        if declaration.default_features {
            push_feature(&mut self.queue, &self.states, target, "default");
        }
        for feature in &declaration.features {
            push_feature(&mut self.queue, &self.states, target, feature);
        }
        self.forward_features(entry, &declaration.key);
    }

    /// Features asked of `key` reach every active declaration under that key.
    fn forward_features(&mut self, entry: usize, key: &str) {
        let Some(declared) = self.declarations(entry) else { return };
        let state = &self.states[entry];
        let asked = || state.dependency_features.iter().filter(|(k, _)| k == key);
        if asked().next().is_none() {
            return;
        }
        for (index, target) in state.activated.iter().enumerate() {
            let Some(Some(target)) = *target else { continue };
            if declared.dependencies[index].key != key {
                continue;
            }
            for (_, feature) in asked() {
                push_feature(&mut self.queue, &self.states, target, feature);
            }
        }
    }
}

/// Queues `feature` of `entry`, unless it already has it.
fn push_feature(queue: &mut VecDeque<Step>, states: &[State], entry: usize, feature: &str) {
    if !states[entry].features.contains(feature) {
        queue.push_back(Step::Feature(entry, feature.to_owned()));
    }
}
