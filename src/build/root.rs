//! The package a crate is built from: a manifest of the tool's own, beside the unpacked
//! archives, with the crate as its one dependency (`cargo build -p <crate>` on it).
//!
//! cargo names each compiled unit with a hash of its package, and for a package below the
//! workspace root that hash holds its path relative to the root: built as the root of its
//! own build (as `cargo publish` verifies it), a crate hashes differently from the same
//! crate patched into the build of a crate that depends on it, and is compiled twice. Built
//! as a dependency of this package, it is hashed by its absolute path in every build, so
//! the build of a dependent finds it compiled (when its features are the same).
//!
//! It is the crate's own build otherwise: this package takes the crate's resolver, its
//! profiles and its dev-dependencies (cargo resolves them for the crate it verifies, and a
//! dev-dependency that cannot be resolved fails the verification); the crate is a path
//! package, so it is compiled with its lints as a workspace member is, and `-p` makes it
//! the build's primary package, built with its default features, its library and binaries.
//! Where that would differ (resolver 1, which takes the dev-dependencies' features into
//! the build; profiles for `package."*"`, which would now apply to the crate), there is no
//! such package, and the crate is built as the root.

use std::path::{Path, PathBuf};

/// The package a crate is built from.
pub struct Root {
    pub manifest: PathBuf,
    /// The crate's resolver and profiles: crates with the same can be built in one call.
    pub settings: String,
}

/// Writes the package for the crate unpacked in `crate_dir` into `root`; `None` when the
/// crate is to be built as the root of its own build.
pub fn write(crate_dir: &Path, root: &Path, name: &str) -> std::io::Result<Option<Root>> {
    let packaged = std::fs::read_to_string(crate_dir.join("Cargo.toml"))?;
    let Some(build) = Build::of(&packaged) else { return Ok(None) };
    let Some(manifest) = build.manifest(&[(name, crate_dir)], true) else { return Ok(None) };
    let manifest = write_package(root, &manifest, &[crate_dir])?;
    Ok(Some(Root { manifest, settings: build.settings() }))
}

/// Writes a package that depends on each of `crates` (name, unpacked folder), all with
/// the same settings (see [`Root`]), to build them in one call; its lock holds each crate's.
pub fn write_group(root: &Path, crates: &[(&str, &Path)]) -> std::io::Result<Option<PathBuf>> {
    let Some((_, first)) = crates.first() else { return Ok(None) };
    let packaged = std::fs::read_to_string(first.join("Cargo.toml"))?;
    let Some(manifest) = Build::of(&packaged).and_then(|build| build.manifest(crates, false))
    else {
        return Ok(None);
    };
    let dirs: Vec<&Path> = crates.iter().map(|(_, dir)| *dir).collect();
    write_package(root, &manifest, &dirs).map(Some)
}

/// Writes the package's manifest, its empty library, and the lock of the crates in
/// `dirs` (cargo adds the package to it); returns the manifest's path.
fn write_package(root: &Path, manifest: &str, dirs: &[&Path]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(root)?;
    std::fs::write(root.join("lib.rs"), "")?;
    let path = root.join("Cargo.toml");
    std::fs::write(&path, manifest)?;
    let locks: Vec<String> = dirs
        .iter()
        .filter_map(|dir| std::fs::read_to_string(dir.join("Cargo.lock")).ok())
        .collect();
    match merged_lock(&locks) {
        Some(lock) => std::fs::write(root.join("Cargo.lock"), lock)?,
        None => match std::fs::remove_file(root.join("Cargo.lock")) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        },
    }
    Ok(path)
}

/// The packages of all `locks` in one (they come from one workspace's resolution, so
/// they agree): the first as it is when there is one.
fn merged_lock(locks: &[String]) -> Option<String> {
    if let [one] = locks {
        return Some(one.clone());
    }
    let mut version = None;
    let mut packages: std::collections::BTreeMap<(String, String, String), toml::Value> =
        std::collections::BTreeMap::new();
    for lock in locks {
        let lock: toml::Table = toml::from_str(lock).ok()?;
        version = version.or_else(|| lock.get("version").cloned());
        for package in lock.get("package").and_then(toml::Value::as_array).into_iter().flatten() {
            let field =
                |key: &str| package.get(key).and_then(toml::Value::as_str).unwrap_or("").to_owned();
            packages
                .entry((field("name"), field("version"), field("source")))
                .or_insert_with(|| package.clone());
        }
    }
    let mut lock = toml::Table::new();
    if let Some(version) = version {
        lock.insert("version".into(), version);
    }
    lock.insert("package".into(), toml::Value::Array(packages.into_values().collect()));
    toml::to_string(&lock).ok()
}

/// The package's name (a crate of this name is built as the root).
const NAME: &str = "cargo-readiness-build";

/// What a crate's packaged manifest says of how it is built.
struct Build {
    resolver: String,
    profiles: Option<toml::Table>,
    dev: Option<toml::Table>,
    /// `target.<cfg>.dev-dependencies`, by cfg.
    target_dev: toml::Table,
}

impl Build {
    /// `None` when the crate is to be built as its build's root: resolver 1, which takes
    /// the dev-dependencies' features into the build, or a profile for `package."*"`,
    /// which would now reach the crate itself.
    fn of(packaged: &str) -> Option<Build> {
        use toml::Value;
        let packaged: toml::Table = toml::from_str(packaged).ok()?;
        let package = packaged.get("package")?.as_table()?;
        let resolver = match package.get("resolver").and_then(Value::as_str) {
            Some(resolver) => resolver,
            None => match package.get("edition").and_then(Value::as_str) {
                Some("2021") => "2",
                Some("2024") => "3",
                _ => "1",
            },
        };
        let profiles = packaged.get("profile").and_then(Value::as_table).cloned();
        let for_all_packages = profiles.iter().flat_map(|p| p.values()).any(|profile| {
            profile.get("package").and_then(Value::as_table).is_some_and(|p| p.contains_key("*"))
        });
        if resolver == "1" || for_all_packages {
            return None;
        }
        let target_dev = packaged
            .get("target")
            .and_then(Value::as_table)
            .into_iter()
            .flatten()
            .filter_map(|(cfg, target)| {
                let dev = target.get("dev-dependencies")?.clone();
                Some((
                    cfg.clone(),
                    Value::Table([("dev-dependencies".to_owned(), dev)].into_iter().collect()),
                ))
            })
            .collect();
        Some(Build {
            resolver: resolver.to_owned(),
            profiles,
            dev: packaged.get("dev-dependencies").and_then(Value::as_table).cloned(),
            target_dev,
        })
    }

    /// The resolver and profiles, as one string to compare.
    fn settings(&self) -> String {
        let profiles = self.profiles.as_ref().map(toml::Table::to_string).unwrap_or_default();
        format!("resolver {}\n{profiles}", self.resolver)
    }

    /// The manifest of the package that depends on `crates` (name, unpacked folder), with
    /// the crate's dev-dependencies when `dev`; `None` where that package cannot be (a
    /// crate of its name, a crate that dev-depends on itself).
    fn manifest(&self, crates: &[(&str, &Path)], dev: bool) -> Option<String> {
        use toml::{Table, Value};
        let dev = self.dev.as_ref().filter(|_| dev);
        let depends_on_itself =
            crates.iter().any(|(name, _)| dev.is_some_and(|dev| dev.contains_key(*name)));
        if depends_on_itself || crates.iter().any(|(name, _)| *name == NAME) {
            return None;
        }
        let table = |entries: Vec<(&str, Value)>| -> Value {
            Value::Table(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
        };
        let mut manifest = Table::new();
        manifest.insert(
            "package".into(),
            table(vec![
                ("name", NAME.into()),
                ("version", "0.0.0".into()),
                ("edition", "2021".into()),
                ("resolver", self.resolver.as_str().into()),
                ("publish", false.into()),
            ]),
        );
        manifest.insert("lib".into(), table(vec![("path", "lib.rs".into())]));
        // Its own workspace, never one of a folder above.
        manifest.insert("workspace".into(), Table::new().into());
        let mut dependencies = Table::new();
        for (name, dir) in crates {
            dependencies.insert((*name).to_owned(), table(vec![("path", dir.to_str()?.into())]));
        }
        manifest.insert("dependencies".into(), dependencies.into());
        if let Some(dev) = dev {
            manifest.insert("dev-dependencies".into(), dev.clone().into());
            if !self.target_dev.is_empty() {
                manifest.insert("target".into(), self.target_dev.clone().into());
            }
        }
        if let Some(profiles) = &self.profiles {
            manifest.insert("profile".into(), profiles.clone().into());
        }
        toml::to_string(&manifest).ok()
    }
}

/// The manifest of the package one crate is built from (its packaged manifest given).
#[cfg(test)]
fn package_manifest(packaged: &str, crate_dir: &Path, name: &str) -> Option<String> {
    Build::of(packaged)?.manifest(&[(name, crate_dir)], true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_takes_the_crates_resolver_profiles_and_dev_dependencies() {
        let packaged = r#"
            [package]
            edition = "2021"
            name = "demo"
            version = "0.1.0"
            [dev-dependencies.tempfile]
            version = "3"
            [target."cfg(unix)".dev-dependencies]
            libc = "0.2"
            [target."cfg(unix)".dependencies]
            nix = "0.29"
            [profile.dev]
            opt-level = 1
        "#;
        let manifest = package_manifest(packaged, Path::new("/cache/sources/demo-0.1.0"), "demo");
        let manifest: toml::Table = toml::from_str(&manifest.unwrap()).unwrap();
        assert_eq!(manifest["package"]["resolver"].as_str(), Some("2"));
        assert_eq!(
            manifest["dependencies"]["demo"]["path"].as_str(),
            Some("/cache/sources/demo-0.1.0")
        );
        assert_eq!(manifest["dev-dependencies"]["tempfile"]["version"].as_str(), Some("3"));
        let unix = manifest["target"]["cfg(unix)"].as_table().unwrap();
        assert!(unix.contains_key("dev-dependencies") && !unix.contains_key("dependencies"));
        assert_eq!(manifest["profile"]["dev"]["opt-level"].as_integer(), Some(1));
    }

    #[test]
    fn a_crate_is_built_as_the_root_where_a_dependency_would_build_differently() {
        let dir = Path::new("/cache/sources/demo-0.1.0");
        let with = |rest: &str| format!("[package]\nname = \"demo\"\nversion = \"0.1.0\"\n{rest}");
        // Resolver 1 (an edition before 2021, or said): dev-dependencies' features count.
        assert!(package_manifest(&with("edition = \"2018\""), dir, "demo").is_none());
        assert!(package_manifest(&with("resolver = \"1\""), dir, "demo").is_none());
        assert!(package_manifest(&with("resolver = \"2\""), dir, "demo").is_some());
        // A profile for every dependency would now reach the crate itself.
        let all = "edition = \"2024\"\n[profile.dev.package.\"*\"]\nopt-level = 2";
        assert!(package_manifest(&with(all), dir, "demo").is_none());
        // A dev-dependency on itself, or the package's own name.
        let itself = "edition = \"2021\"\n[dev-dependencies]\ndemo = \"0.0.1\"";
        assert!(package_manifest(&with(itself), dir, "demo").is_none());
        let named =
            "[package]\nname = \"cargo-readiness-build\"\nversion = \"1.0.0\"\nedition = \"2021\"";
        assert!(package_manifest(named, dir, NAME).is_none());
    }
}
