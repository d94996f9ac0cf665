//! The `Cargo.lock` cargo writes into a `.crate`: the crate resolved on its own, keeping
//! the versions of the workspace's lock.
//!
//! cargo resolves the packaged crate as the only member of a new workspace, every feature
//! of it on, its dev-dependencies included. What ends up in the lock is what that
//! resolution reaches: the features each package really gets decide which optional
//! dependencies come in, so the subgraph is walked feature by feature, with the
//! dependency declarations of every package (`cargo metadata`) and the versions of the
//! workspace's lock. Other workspace members come from crates.io in that resolution:
//! their `source` is the registry and their checksum the SHA-256 of their own `.crate`.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fmt::Write as _;

use crate::workspace::index_cache::{IndexCache, Known};
use crate::workspace::lock::{CRATES_IO, Declaration, Declarations, Lock, PackageDeclarations};

/// Another member's `.crate`, as this run wrote it.
#[derive(Debug, Clone)]
pub struct MemberCrate {
    /// SHA-256 (hex) of the `.crate`.
    pub sha256: String,
    /// Whether those are the bytes cargo writes.
    pub exact: bool,
    /// The member's fingerprint (`sha256:<hex>`).
    pub fingerprint: String,
}

/// The packaged lock file, or why it cannot be written exactly.
pub struct Packaged {
    pub text: String,
    /// Workspace members it lists: their checksum is the SHA-256 of their own `.crate`.
    pub members: Vec<String>,
    /// Why the text is not cargo's, when it is not.
    pub estimate: Option<String>,
}

/// The lock file cargo packages with `root` (`name`, `version`), in `format` (3 or 4).
/// `members` are the workspace's other members with the checksums of their `.crate`
/// files, where known.
pub fn packaged(
    lock: &Lock,
    declarations: &Declarations,
    root: (&str, &semver::Version),
    members: &BTreeMap<String, MemberCrate>,
    index: &IndexCache,
    format: u32,
) -> Packaged {
    let mut estimate = None;
    let Some(root_index) = lock.index_of(root.0, root.1) else {
        return Packaged {
            text: render(lock, &BTreeMap::from([(usize::MAX, Vec::new())]), root, members, format),
            members: Vec::new(),
            estimate: Some(
                "Cargo.lock is estimated: the crate is not in the workspace's lock file.".into(),
            ),
        };
    };
    let mut walk = Walk::new(lock, declarations, root_index);
    walk.run();
    if let Some(missing) = walk.missing.iter().next() {
        estimate = Some(format!(
            "Cargo.lock is estimated: the dependencies of {missing} are not in cargo's local cache (run cargo fetch)."
        ));
    }
    let requirements = std::mem::take(&mut walk.requirements);
    let graph: BTreeMap<usize, Vec<usize>> = walk.edges;
    // Path dependencies come from crates.io in the published resolution.
    let listed: Vec<String> = graph
        .keys()
        .map(|&i| &lock.entries[i])
        .filter(|e| e.source.is_none() && e.name != root.0)
        .map(|e| e.name.clone())
        .collect();
    // cargo resolves those from crates.io and the crates packaged with it, taking the
    // newest version the requirement accepts: a member on a main branch (`49.0.0-dev`) or
    // a release branch behind crates.io resolves to a release already published.
    for (&i, requirements) in &requirements {
        let member = &lock.entries[i];
        if estimate.is_some() || member.name == root.0 {
            continue;
        }
        let newer = match index.versions(&member.name) {
            Known::Versions(versions) => versions
                .into_iter()
                .filter(|v| v > &member.version && requirements.iter().any(|r| r.matches(v)))
                .max(),
            Known::Unknown => None,
        };
        if let Some(newer) = newer {
            estimate = Some(format!(
                "Cargo.lock is estimated: crates.io has {} {newer}, which cargo resolves instead of the workspace's {}.",
                member.name, member.version
            ));
        } else if !member.version.pre.is_empty() {
            estimate = Some(format!(
                "Cargo.lock is estimated: it lists {} {}, a pre-release; cargo takes a newer release from crates.io when the requirement accepts one.",
                member.name, member.version
            ));
        }
    }
    if estimate.is_none()
        && let Some(unknown) = listed.iter().find(|m| members.get(*m).is_none_or(|c| !c.exact))
    {
        estimate = Some(format!(
            "Cargo.lock is estimated: it lists {unknown} from crates.io, with the checksum of a .crate this run could not compute exactly."
        ));
    }
    Packaged { text: render(lock, &graph, root, members, format), members: listed, estimate }
}

/// The feature-by-feature walk from the packaged crate.
struct Walk<'a> {
    lock: &'a Lock,
    declarations: &'a Declarations,
    /// Each lock entry's declarations, looked up once (by index, as `lock.entries`).
    declared: Vec<std::cell::OnceCell<Option<&'a PackageDeclarations>>>,
    root: usize,
    /// Reached entries and the entries they depend on.
    edges: BTreeMap<usize, Vec<usize>>,
    features: HashMap<usize, BTreeSet<String>>,
    /// Declarations activated, by entry: indices into its declarations.
    activated: HashMap<usize, BTreeSet<usize>>,
    /// Features asked of a dependency key (`key/feature`, `key?/feature`), by entry.
    dependency_features: HashMap<usize, Vec<(String, String)>>,
    queue: VecDeque<Step>,
    missing: BTreeSet<String>,
    /// The requirements other members are reached by, by entry.
    requirements: BTreeMap<usize, Vec<semver::VersionReq>>,
}

enum Step {
    Reach(usize),
    Feature(usize, String),
    Activate(usize, usize),
}

impl<'a> Walk<'a> {
    fn new(lock: &'a Lock, declarations: &'a Declarations, root: usize) -> Walk<'a> {
        Walk {
            lock,
            declarations,
            declared: vec![std::cell::OnceCell::new(); lock.entries.len()],
            root,
            edges: BTreeMap::new(),
            features: HashMap::new(),
            activated: HashMap::new(),
            dependency_features: HashMap::new(),
            queue: VecDeque::new(),
            missing: BTreeSet::new(),
            requirements: BTreeMap::new(),
        }
    }

    fn declarations(&self, entry: usize) -> Option<&'a PackageDeclarations> {
        *self.declared[entry].get_or_init(|| {
            let e = &self.lock.entries[entry];
            self.declarations.packages.get(&(e.name.clone(), e.version.clone()))
        })
    }

    fn run(&mut self) {
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
    /// version the requirement accepts.
    fn resolve(&self, entry: usize, declaration: &Declaration) -> Option<usize> {
        let candidates = &self.lock.entries[entry].dependencies;
        let named = || {
            candidates.iter().copied().filter(|&c| self.lock.entries[c].name == declaration.name)
        };
        named()
            .find(|&c| declaration.req.matches(&self.lock.entries[c].version))
            .or_else(|| named().next())
    }

    fn activate(&mut self, entry: usize, index: usize) {
        if !self.activated.entry(entry).or_default().insert(index) {
            return;
        }
        let Some(declared) = self.declarations(entry) else { return };
        let declaration = &declared.dependencies[index];
        let Some(target) = self.resolve(entry, declaration) else {
            // Not in the lock (another platform's registry, a patched source): cargo's
            // own resolution may differ.
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
        self.forward_features(entry, &declaration.key.clone());
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

/// The lock file text, as cargo's `resolve_to_string` writes it.
fn render(
    lock: &Lock,
    graph: &BTreeMap<usize, Vec<usize>>,
    root: (&str, &semver::Version),
    members: &BTreeMap<String, MemberCrate>,
    format: u32,
) -> String {
    let mut out = String::from(
        "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\n",
    );
    if format >= 3 {
        let _ = writeln!(out, "version = {format}");
    }
    struct Node {
        name: String,
        version: semver::Version,
        source: Option<String>,
        checksum: Option<String>,
        dependencies: Vec<usize>,
    }
    let nodes: BTreeMap<usize, Node> = graph
        .iter()
        .map(|(&i, deps)| {
            let node = match lock.entries.get(i) {
                Some(e) if e.name == root.0 && e.source.is_none() => Node {
                    name: e.name.clone(),
                    version: e.version.clone(),
                    source: None,
                    checksum: None,
                    dependencies: deps.clone(),
                },
                Some(e) if e.source.is_none() => Node {
                    name: e.name.clone(),
                    version: e.version.clone(),
                    source: Some(CRATES_IO.into()),
                    checksum: members.get(&e.name).map(|c| c.sha256.clone()),
                    dependencies: deps.clone(),
                },
                Some(e) => Node {
                    name: e.name.clone(),
                    version: e.version.clone(),
                    source: e.source.clone(),
                    checksum: e.checksum.clone(),
                    dependencies: deps.clone(),
                },
                None => Node {
                    name: root.0.to_owned(),
                    version: root.1.clone(),
                    source: None,
                    checksum: None,
                    dependencies: Vec::new(),
                },
            };
            (i, node)
        })
        .collect();
    // How a dependency is named: by name when it is the only package of that name, with
    // its version when not, with its source when even that is ambiguous.
    let mut names: HashMap<&str, usize> = HashMap::new();
    let mut versions: HashMap<(&str, &semver::Version), usize> = HashMap::new();
    for node in nodes.values() {
        *names.entry(&node.name).or_default() += 1;
        *versions.entry((&node.name, &node.version)).or_default() += 1;
    }
    let spec = |i: usize| -> (String, Option<String>, Option<String>) {
        let node = &nodes[&i];
        if names[node.name.as_str()] == 1 {
            return (node.name.clone(), None, None);
        }
        let same_version = versions[&(node.name.as_str(), &node.version)];
        let source = (same_version > 1).then(|| node.source.clone()).flatten();
        (node.name.clone(), Some(node.version.to_string()), source)
    };
    let mut order: Vec<&Node> = nodes.values().collect();
    order.sort_by(|a, b| (&a.name, &a.version, &a.source).cmp(&(&b.name, &b.version, &b.source)));
    for node in order {
        let _ = write!(
            out,
            "\n[[package]]\nname = \"{}\"\nversion = \"{}\"\n",
            node.name, node.version
        );
        if let Some(source) = &node.source {
            let _ = writeln!(out, "source = \"{source}\"");
        }
        if let Some(checksum) = &node.checksum {
            let _ = writeln!(out, "checksum = \"{checksum}\"");
        }
        let mut deps: Vec<_> = node.dependencies.iter().map(|&d| spec(d)).collect();
        deps.sort();
        deps.dedup();
        if !deps.is_empty() {
            out.push_str("dependencies = [\n");
            for (name, version, source) in deps {
                let mut line = name;
                if let Some(version) = version {
                    line = format!("{line} {version}");
                }
                if let Some(source) = source {
                    line = format!("{line} ({source})");
                }
                let _ = writeln!(out, " \"{line}\",");
            }
            out.push_str("]\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two path members that crates.io has newer releases of: the estimate names the first
    /// in the lock's order, the same on every run.
    #[test]
    fn the_estimate_is_the_same_on_every_run() {
        let lock: toml::Table = r#"
            version = 4
            [[package]]
            name = "app"
            version = "0.1.0"
            dependencies = ["a", "b"]
            [[package]]
            name = "a"
            version = "1.0.0"
            [[package]]
            name = "b"
            version = "1.0.0"
        "#
        .parse()
        .unwrap();
        let lock = Lock::parse(&lock);
        let dependency = |name: &str| {
            serde_json::json!({"name": name, "key": name, "req": "^1.0.0", "dev": false,
                "optional": false, "default_features": true, "features": []})
        };
        let empty = serde_json::json!({"features": {}, "dependencies": []});
        let pinned = serde_json::json!([
            [["app", "0.1.0"], {"features": {}, "dependencies": [dependency("a"), dependency("b")]}],
            [["a", "1.0.0"], empty],
            [["b", "1.0.0"], empty],
        ]);
        let mut declarations = Declarations::default();
        assert!(declarations.add_pinned(&serde_json::to_vec(&pinned).unwrap()));
        let dir = tempfile::tempdir().unwrap();
        for name in ["a", "b"] {
            let mut bytes = vec![3, 2, 0, 0, 0];
            bytes.extend(b"etag\0");
            bytes.extend(b"1.0.1\0{\"vers\":\"1.0.1\",\"yanked\":false}\0");
            std::fs::create_dir_all(dir.path().join("1")).unwrap();
            std::fs::write(dir.path().join("1").join(name), bytes).unwrap();
        }
        let version = semver::Version::new(0, 1, 0);
        for _ in 0..20 {
            let index = IndexCache::at(dir.path());
            let packaged =
                packaged(&lock, &declarations, ("app", &version), &BTreeMap::new(), &index, 4);
            let estimate = packaged.estimate.unwrap();
            assert!(estimate.contains("crates.io has a 1.0.1"), "{estimate}");
        }
    }
}
