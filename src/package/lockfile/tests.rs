//! The packaged lock against hand-written locks and declarations: which packages the walk
//! reaches and the text cargo writes.

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
        let mut bytes = std::fs::read(&file).unwrap_or_else(|_| b"\x03\x02\0\0\0etag\0".to_vec());
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
    let packaged =
        packaged(&lock, &declarations, &app(&version), &BTreeMap::new(), &index, 4, View::Release);
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
    let members = BTreeMap::from([("a".into(), member('1', '2')), ("b".into(), member('3', '4'))]);
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
        fingerprint.text.contains(&"2".repeat(64)) && fingerprint.text.contains(&"4".repeat(64))
    );
    assert!(!fingerprint.text.contains("name = \"c\""), "{}", fingerprint.text);
    let empty = IndexCache::default();
    let unknown =
        packaged(&lock, &declarations, &app(&version), &members, &empty, 4, View::Release);
    let estimate = unknown.estimate.unwrap();
    assert!(estimate.contains("which release of a cargo resolves is not known"), "{estimate}");
    let without_index =
        packaged(&lock, &declarations, &app(&version), &members, &empty, 4, View::Fingerprint);
    assert_eq!(without_index.text, fingerprint.text, "the registry never enters the fingerprint");
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
    let mut w = serde_json::from_str::<serde_json::Value>(&line("w", "1.0.0", 0x77, &[])).unwrap();
    w["deps"] = serde_json::json!([{"name": "app", "req": "^0.1", "features": [],
        "optional": false, "default_features": true, "target": null, "kind": "normal"}]);
    index.learn("w", Answer::File(w.to_string().as_bytes()));
    let packaged =
        packaged(&lock, &declarations, &app(&version), &BTreeMap::new(), &index, 4, View::Release);
    assert_eq!(packaged.estimate, None);
    let expected = format!(
        "[[package]]\nname = \"w\"\nversion = \"1.0.0\"\nsource = \"{CRATES_IO}\"\nchecksum = \"{}\"\ndependencies = [\n \"app 0.1.0 ({CRATES_IO})\",\n]\n",
        "77".repeat(32)
    );
    assert!(packaged.text.contains(&expected), "{}", packaged.text);
    assert!(packaged.members.is_empty(), "the registry's app is no member");
}
