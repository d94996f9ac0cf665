//! The `Cargo.lock` cargo writes into a `.crate`: the crate resolved on its own, keeping
//! the versions of the workspace's lock ([`super::lock_walk`] finds what it reaches).
//!
//! Other workspace members come from crates.io in that resolution, as the release the plan
//! publishes has them: a member whose version crates.io already has is crates.io's release,
//! with the index's checksum and dependencies (what `cargo publish -p` of a crate on its
//! own resolves); a member not published yet is the one the plan publishes first, with the
//! SHA-256 of its own `.crate` (what `cargo publish --workspace` writes). Where the index
//! cannot tell which (offline, and cargo's cache has no entry), the lock is an estimate
//! that names the member and what was missing.
//!
//! The fingerprint takes the same lock in another [`View`]: every member with its own
//! declarations and its fingerprint where a checksum goes, so that what the registry holds,
//! or which crates a run selects, never changes it.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use super::lock_members::{LockMember, MemberFrom};
use super::lock_settle::{self, Backtracked, Settled};
use super::lock_walk::{Picking, Walk};
use crate::workspace::index_cache::IndexCache;
use crate::workspace::lock::{CRATES_IO, Declarations, Entry, Lock};

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

/// Which lock is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The one cargo packages for the release.
    Release,
    /// The one the fingerprint takes: the workspace's own members and their fingerprints,
    /// whatever the registry holds.
    Fingerprint,
}

/// The packaged lock file, or why it cannot be written exactly.
pub struct Packaged {
    pub text: String,
    /// Workspace members it lists, sorted by name.
    pub members: Vec<LockMember>,
    /// Why the text is not cargo's, when it is not.
    pub estimate: Option<String>,
}

/// The packaged crate.
pub struct Root<'a> {
    pub name: &'a str,
    pub version: &'a semver::Version,
    /// With resolver 3, its `rust-version`: cargo prefers the releases that accept it.
    pub rust_version: Option<semver::Version>,
}

/// The lock file cargo packages with `root`, in `format` (3 or 4), as `view` has it.
/// `members` are the workspace's other members' `.crate` files, where known.
pub fn packaged(
    lock: &Lock,
    declarations: &Declarations,
    root: &Root,
    members: &BTreeMap<String, MemberCrate>,
    index: &IndexCache,
    format: u32,
    view: View,
) -> Packaged {
    let picking =
        Picking { from_index: view == View::Release, rust_version: root.rust_version.clone() };
    let root = (root.name, root.version);
    let Some(root_index) = lock.index_of(root.0, root.1) else {
        let graph = BTreeMap::from([(usize::MAX, Vec::new())]);
        return Packaged {
            text: render(&|_| None, &graph, root, &[], format),
            members: Vec::new(),
            estimate: Some(
                "Cargo.lock is estimated: the crate is not in the workspace's lock file.".into(),
            ),
        };
    };
    let Settled { walk, chosen, settled, backtracked } = if view == View::Release {
        lock_settle::release(lock, declarations, index, root_index, picking)
    } else {
        let mut walk = Walk::new(lock, declarations, index, HashMap::new(), root_index, picking);
        walk.run();
        Settled { walk, chosen: BTreeMap::new(), settled: true, backtracked: None }
    };
    let mut listed: Vec<LockMember> = walk
        .edges
        .keys()
        .map(|&i| walk.entry(i))
        .filter(|e| e.source.is_none() && e.name != root.0)
        .map(|e| {
            let (version, from) = match chosen.get(&e.name) {
                Some((version, from)) => (version.clone(), from.clone()),
                None => (e.version.clone(), MemberFrom::Archive { online: false }),
            };
            let written = members.get(&e.name);
            let checksum = match (view, &from) {
                (View::Release, MemberFrom::Registry { checksum, .. }) => Some(checksum.clone()),
                (View::Release, _) => written.map(|c| c.sha256.clone()),
                (View::Fingerprint, _) => {
                    written.map(|c| c.fingerprint.trim_start_matches("sha256:").to_owned())
                }
            };
            let workspace_version = e.version.clone();
            LockMember { name: e.name.clone(), version, workspace_version, from, checksum }
        })
        .collect();
    listed.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    let text = render(&|i| Some(walk.entry(i)), &walk.edges, root, &listed, format);
    let estimate = match (view, backtracked) {
        (View::Fingerprint, _) => None,
        (View::Release, Some(Backtracked { name, newest, candidates })) if candidates > 1 => {
            Some(format!(
                "Cargo.lock is estimated: {name} {newest} asks for releases no release of the others accepts with them, and cargo backtracks from one of {candidates} members whose newer releases the requirements accept; which one first is not known."
            ))
        }
        (View::Release, _) => estimate(&walk, settled, &listed, members),
    };
    Packaged { text, members: listed, estimate }
}

/// Why the release's lock is not cargo's, the first reason found (the same on every run).
fn estimate(
    walk: &Walk,
    settled: bool,
    listed: &[LockMember],
    members: &BTreeMap<String, MemberCrate>,
) -> Option<String> {
    if let Some(missing) = walk.missing.first() {
        return Some(format!(
            "Cargo.lock is estimated: {missing} is not known (neither cargo's local cache nor an index this run read has it; run cargo fetch, or with --online)."
        ));
    }
    if let Some(stale) = walk.stale.first() {
        return Some(format!(
            "Cargo.lock is estimated: no lock pins {stale}, and cargo resolves its newest release; only cargo's index cache, which may be behind crates.io, was read (run with --online)."
        ));
    }
    // cargo resolves one release of a crate per semver-compatible range.
    let mut ranges: BTreeMap<(&str, (u64, u64, u64)), &semver::Version> = BTreeMap::new();
    for &i in walk.edges.keys() {
        let e = walk.entry(i);
        if e.source.as_deref() != Some(CRATES_IO) {
            continue;
        }
        let v = &e.version;
        let range = match (v.major, v.minor) {
            (0, 0) => (0, 0, v.patch),
            (0, minor) => (0, minor, 0),
            (major, _) => (major, 0, 0),
        };
        if let Some(other) = ranges.insert((&e.name, range), v).filter(|other| *other != v) {
            return Some(format!(
                "Cargo.lock is estimated: {} {other} and {v} would both be resolved, and cargo resolves one release per compatible range.",
                e.name
            ));
        }
    }
    if !settled {
        return Some("Cargo.lock is estimated: the releases of the workspace's members that crates.io already has ask for other releases of each other than the workspace's.".into());
    }
    listed.iter().find_map(|member| {
        let (name, version) = (&member.name, &member.version);
        match &member.from {
            MemberFrom::Unknown(why) => Some(format!(
                "Cargo.lock is estimated: which release of {name} cargo resolves is not known ({why})."
            )),
            MemberFrom::Archive { .. } if members.get(name).is_none_or(|c| !c.exact) => {
                Some(format!(
                    "Cargo.lock is estimated: it lists {name} {version} from this release, with the checksum of a .crate this run could not compute exactly."
                ))
            }
            MemberFrom::Archive { .. } | MemberFrom::Registry { .. } => None,
        }
    })
}

/// The lock file text, as cargo's `resolve_to_string` writes it.
fn render<'e>(
    entry: &dyn Fn(usize) -> Option<&'e Entry>,
    graph: &BTreeMap<usize, Vec<usize>>,
    root: (&str, &semver::Version),
    members: &[LockMember],
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
            let node = match entry(i) {
                Some(e) if e.name == root.0 && e.source.is_none() => Node {
                    name: e.name.clone(),
                    version: e.version.clone(),
                    source: None,
                    checksum: None,
                    dependencies: deps.clone(),
                },
                Some(e) if e.source.is_none() => {
                    let member = members.iter().find(|m| m.name == e.name);
                    Node {
                        name: e.name.clone(),
                        version: member.map_or(&e.version, |m| &m.version).clone(),
                        source: Some(CRATES_IO.into()),
                        checksum: member.and_then(|m| m.checksum.clone()),
                        dependencies: deps.clone(),
                    }
                }
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
    use crate::workspace::index_cache::Answer;

    fn lock(text: &str) -> Lock {
        Lock::parse(&text.parse::<toml::Table>().unwrap())
    }

    fn declared(packages: serde_json::Value) -> Declarations {
        let mut declarations = Declarations::default();
        assert!(declarations.add_pinned(&serde_json::to_vec(&packages).unwrap()));
        declarations
    }

    fn dependency(name: &str) -> serde_json::Value {
        serde_json::json!({"name": name, "key": name, "req": "^1.0.0", "dev": false,
            "optional": false, "default_features": true, "features": []})
    }

    /// cargo's index cache with `lines` (`name`, `version`, checksum byte, dependencies).
    /// An index line: `name` `version`, its checksum byte repeated, its dependencies.
    fn line(name: &str, version: &str, checksum: u8, deps: &[&str]) -> String {
        let deps: Vec<serde_json::Value> = deps
            .iter()
            .map(|d| {
                serde_json::json!({"name": d, "req": "^1.0", "features": [],
                "optional": false, "default_features": true, "target": null, "kind": "normal"})
            })
            .collect();
        serde_json::json!({"name": name, "vers": version, "deps": deps,
            "cksum": format!("{checksum:02x}").repeat(32), "features": {}, "yanked": false})
        .to_string()
    }

    /// cargo's index cache with `lines` (`name`, `version`, checksum byte, dependencies).
    fn index(dir: &std::path::Path, lines: &[(&str, &str, u8, &[&str])]) -> IndexCache {
        for (name, version, checksum, deps) in lines {
            let line = line(name, version, *checksum, deps);
            let file = dir.join("1").join(name);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            let mut bytes =
                std::fs::read(&file).unwrap_or_else(|_| b"\x03\x02\0\0\0etag\0".to_vec());
            bytes.extend(format!("{version}\0{line}\0").as_bytes());
            std::fs::write(file, bytes).unwrap();
        }
        IndexCache::at(dir)
    }

    fn app(version: &semver::Version) -> Root<'_> {
        Root { name: "app", version, rust_version: None }
    }

    fn member(sha: char, fingerprint: char) -> MemberCrate {
        MemberCrate {
            sha256: sha.to_string().repeat(64),
            exact: true,
            fingerprint: format!("sha256:{}", fingerprint.to_string().repeat(64)),
        }
    }

    /// Two path members that crates.io has newer releases of, which the requirements
    /// accept: cargo resolves those releases, with the index's checksums.
    #[test]
    fn a_newer_release_on_crates_io_is_the_one_the_lock_names() {
        let lock = lock(
            r#"
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
        "#,
        );
        let empty = serde_json::json!({"features": {}, "dependencies": []});
        let declarations = declared(serde_json::json!([
            [["app", "0.1.0"], {"features": {}, "dependencies": [dependency("a"), dependency("b")]}],
            [["a", "1.0.0"], empty],
            [["b", "1.0.0"], empty],
        ]));
        let dir = tempfile::tempdir().unwrap();
        index(dir.path(), &[("a", "1.0.1", 1, &[]), ("b", "1.0.1", 1, &[])]);
        let version = semver::Version::new(0, 1, 0);
        for _ in 0..20 {
            let index = IndexCache::at(dir.path());
            let packaged = packaged(
                &lock,
                &declarations,
                &app(&version),
                &BTreeMap::new(),
                &index,
                4,
                View::Release,
            );
            assert_eq!(packaged.estimate, None);
            for name in ["a", "b"] {
                let expected = format!(
                    "name = \"{name}\"\nversion = \"1.0.1\"\nsource = \"{CRATES_IO}\"\nchecksum = \"{}\"\n",
                    "01".repeat(32)
                );
                assert!(packaged.text.contains(&expected), "{}", packaged.text);
            }
            let a = &packaged.members[0];
            assert_eq!(
                (a.version.to_string(), a.workspace_version.to_string()),
                ("1.0.1".into(), "1.0.0".into())
            );
        }
        // crates.io has only the workspace's own release of `a`, yanked: cargo resolves none.
        std::fs::remove_file(dir.path().join("1/a")).unwrap();
        index(dir.path(), &[("a", "1.0.0", 2, &[])]);
        let file = dir.path().join("1/a");
        let text = String::from_utf8(std::fs::read(&file).unwrap()).unwrap();
        std::fs::write(&file, text.replace("\"yanked\":false", "\"yanked\":true")).unwrap();
        let index = IndexCache::at(dir.path());
        let packaged = packaged(
            &lock,
            &declarations,
            &app(&version),
            &BTreeMap::new(),
            &index,
            4,
            View::Release,
        );
        let estimate = packaged.estimate.unwrap();
        assert!(estimate.contains("which release of a cargo resolves is not known"), "{estimate}");
    }

    /// `app` needs `a` (on crates.io at its version, where it depends on `c`, which the
    /// workspace's own `a` does not) and `b` (not published): `a` is crates.io's release,
    /// with the index's checksum and dependencies; `b` is this release's archive. The
    /// fingerprint's lock has neither the index's checksum nor its dependencies.
    #[test]
    fn a_published_member_is_the_registrys_release_and_a_new_one_its_archive() {
        let lock = lock(
            r#"
            version = 4
            [[package]]
            name = "app"
            version = "0.1.0"
            dependencies = ["a", "b"]
            [[package]]
            name = "a"
            version = "1.0.0"
            dependencies = ["c"]
            [[package]]
            name = "b"
            version = "1.0.0"
            [[package]]
            name = "c"
            version = "1.0.0"
            source = "registry+https://github.com/rust-lang/crates.io-index"
            checksum = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
        "#,
        );
        let empty = serde_json::json!({"features": {}, "dependencies": []});
        let declarations = declared(serde_json::json!([
            [["app", "0.1.0"], {"features": {}, "dependencies": [dependency("a"), dependency("b")]}],
            [["a", "1.0.0"], empty],
            [["b", "1.0.0"], empty],
            [["c", "1.0.0"], empty],
        ]));
        let dir = tempfile::tempdir().unwrap();
        let index = index(dir.path(), &[("a", "1.0.0", 0xaa, &["c"]), ("b", "0.9.0", 0xbb, &[])]);
        let members =
            BTreeMap::from([("a".into(), member('1', '2')), ("b".into(), member('3', '4'))]);
        let version = semver::Version::new(0, 1, 0);
        let release =
            packaged(&lock, &declarations, &app(&version), &members, &index, 4, View::Release);
        assert_eq!(release.estimate, None);
        assert!(release.text.contains(&format!("name = \"a\"\nversion = \"1.0.0\"\nsource = \"{CRATES_IO}\"\nchecksum = \"{}\"\ndependencies = [\n \"c\",\n]\n", "aa".repeat(32))), "{}", release.text);
        assert!(release.text.contains(&format!("checksum = \"{}\"", "3".repeat(64))));
        assert!(release.text.contains("name = \"c\""));
        let from: Vec<&MemberFrom> = release.members.iter().map(|m| &m.from).collect();
        assert_eq!(
            from,
            [
                &MemberFrom::Registry { checksum: "aa".repeat(32), online: false },
                &MemberFrom::Archive { online: false }
            ]
        );
        let fingerprint =
            packaged(&lock, &declarations, &app(&version), &members, &index, 4, View::Fingerprint);
        assert!(
            fingerprint.text.contains(&"2".repeat(64))
                && fingerprint.text.contains(&"4".repeat(64))
        );
        assert!(!fingerprint.text.contains("name = \"c\""), "{}", fingerprint.text);
        let empty = IndexCache::default();
        let unknown =
            packaged(&lock, &declarations, &app(&version), &members, &empty, 4, View::Release);
        let estimate = unknown.estimate.unwrap();
        assert!(estimate.contains("which release of a cargo resolves is not known"), "{estimate}");
        let without_index =
            packaged(&lock, &declarations, &app(&version), &members, &empty, 4, View::Fingerprint);
        assert_eq!(
            without_index.text, fingerprint.text,
            "the registry never enters the fingerprint"
        );
    }

    /// `app` needs `a`, on crates.io at its version, whose release there depends on `z`,
    /// which the workspace's lock does not hold: cargo resolves `z`'s newest release.
    /// Read from cargo's cache (which may be old) that is an estimate; from the registry
    /// itself, the lock. A locked `z` in the same range as the one resolved is two releases
    /// where cargo has one.
    #[test]
    fn a_dependency_no_lock_pins_is_the_newest_release_the_registry_says() {
        let text = |z: &str| {
            format!(
                "version = 4\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"a\"{z}]\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n{}",
                if z.is_empty() {
                    String::new()
                } else {
                    format!(
                        "[[package]]\nname = \"z\"\nversion = \"1.0.0\"\nsource = \"{CRATES_IO}\"\n"
                    )
                }
            )
        };
        let empty = serde_json::json!({"features": {}, "dependencies": []});
        let exact = |req: &str| {
            serde_json::json!({"name": "z", "key": "z", "req": req, "dev": false,
            "optional": false, "default_features": true, "features": []})
        };
        let declarations = declared(serde_json::json!([
            [["app", "0.1.0"], {"features": {}, "dependencies": [dependency("a")]}],
            [["a", "1.0.0"], empty],
        ]));
        let dir = tempfile::tempdir().unwrap();
        let cache = index(
            dir.path(),
            &[("a", "1.0.0", 0xaa, &["z"]), ("z", "1.0.0", 0x10, &[]), ("z", "1.3.0", 0x13, &[])],
        );
        let version = semver::Version::new(0, 1, 0);
        let lock = Lock::parse(&text("").parse().unwrap());
        let release = |index: &IndexCache, lock: &Lock, declarations: &Declarations| {
            packaged(lock, declarations, &app(&version), &BTreeMap::new(), index, 4, View::Release)
        };
        let stale = release(&cache, &lock, &declarations).estimate.unwrap();
        assert!(stale.contains("no lock pins z"), "{stale}");
        let z = [line("z", "1.0.0", 0x10, &[]), line("z", "1.3.0", 0x13, &[])].join("\n");
        cache.learn("z", Answer::File(z.as_bytes()));
        let online = release(&cache, &lock, &declarations);
        assert_eq!(online.estimate, None);
        let expected = format!(
            "name = \"z\"\nversion = \"1.3.0\"\nsource = \"{CRATES_IO}\"\nchecksum = \"{}\"\n",
            "13".repeat(32)
        );
        assert!(online.text.contains(&expected), "{}", online.text);
        // `app` pins z 1.0.0 itself, and `a`'s release asks for ^1.2.
        let lock = Lock::parse(&text(", \"z\"").parse().unwrap());
        let declarations = declared(serde_json::json!([
            [["app", "0.1.0"], {"features": {}, "dependencies": [dependency("a"), exact("=1.0.0")]}],
            [["a", "1.0.0"], empty],
            [["z", "1.0.0"], empty],
        ]));
        let a = serde_json::json!({"name": "a", "vers": "1.0.0", "features": {}, "yanked": false,
            "cksum": "aa".repeat(32), "deps": [{"name": "z", "req": "^1.2", "features": [],
            "optional": false, "default_features": true, "target": null, "kind": "normal"}]});
        cache.learn("a", Answer::File(a.to_string().as_bytes()));
        let conflict = release(&cache, &lock, &declarations).estimate.unwrap();
        assert!(conflict.contains("z 1.0.0 and 1.3.0 would both be resolved"), "{conflict}");
    }

    /// A library with no committed lock dev-depends on `w`, whose release depends on the
    /// library itself: that is crates.io's release of it, beside the packaged path one.
    #[test]
    fn a_registry_package_that_depends_on_the_packaged_crate_gets_the_registrys() {
        let version = semver::Version::new(0, 1, 0);
        let lock = Lock::of_members([("app", &version, Vec::new())]);
        let dev = serde_json::json!({"name": "w", "key": "w", "req": "^1", "dev": true,
            "optional": false, "default_features": true, "features": []});
        let declarations = declared(serde_json::json!([
            [["app", "0.1.0"], {"features": {}, "dependencies": [dev]}],
        ]));
        let index = IndexCache::default();
        index.learn("app", Answer::File(line("app", "0.1.0", 0x0a, &[]).as_bytes()));
        let mut w =
            serde_json::from_str::<serde_json::Value>(&line("w", "1.0.0", 0x77, &[])).unwrap();
        w["deps"] = serde_json::json!([{"name": "app", "req": "^0.1", "features": [],
            "optional": false, "default_features": true, "target": null, "kind": "normal"}]);
        index.learn("w", Answer::File(w.to_string().as_bytes()));
        let packaged = packaged(
            &lock,
            &declarations,
            &app(&version),
            &BTreeMap::new(),
            &index,
            4,
            View::Release,
        );
        assert_eq!(packaged.estimate, None);
        let expected = format!(
            "[[package]]\nname = \"w\"\nversion = \"1.0.0\"\nsource = \"{CRATES_IO}\"\nchecksum = \"{}\"\ndependencies = [\n \"app 0.1.0 ({CRATES_IO})\",\n]\n",
            "77".repeat(32)
        );
        assert!(packaged.text.contains(&expected), "{}", packaged.text);
        assert!(packaged.members.is_empty(), "the registry's app is no member");
    }
}
