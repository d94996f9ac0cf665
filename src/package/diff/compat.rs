//! The changes between two archives of a crate that decide its version number, as far as
//! the published manifests and file lists tell them without a compiler: features removed or
//! no longer enabling what they did, default features changed, `rust-version` raised, the
//! edition or the license changed, a dependency's major version changed, a library or a
//! binary gone. Each says how big a release it asks for ([`Level`]) and whether semver
//! requires that ([`Change::required`]) or only leads users to expect it (a convention, or
//! an estimate where only the compiler could tell). The public API itself is compared by
//! the build check's API pass (`crate::build`), into the same [`Change`].

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::Side;
use crate::base::shown::Shown;

/// How big a release a change asks for, in semver's words for a version ≥ 1.0 (for 0.y.z,
/// cargo moves each one place down: a breaking change needs 0.(y+1).0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Backwards compatible, but more than a fix: a minor release.
    Minor,
    /// Breaking: a major release.
    Major,
}

/// One change that bears on the version number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// `feature-removed`, … for the manifest; cargo-semver-checks' lint id
    /// (`function_missing`) for the API, `item-added` for what the API gained.
    pub id: String,
    pub level: Level,
    /// Semver requires the level (a breaking change; a lint cargo-semver-checks denies);
    /// `false`: a convention (a raised `rust-version` in a minor release) or an estimate
    /// (a dependency's new major version, breaking only if the API exposes its types).
    pub required: bool,
    /// What changed: `features.std`, `function demo::parse`.
    pub item: Shown,
    /// Where: `Cargo.toml`, `src/lib.rs:3`.
    pub location: Shown,
    /// The change in a few words: `feature removed`, `pub fn removed or renamed`.
    pub summary: Shown,
    /// The rule it breaks or follows, upstream (cargo's SemVer reference).
    pub docs: String,
}

macro_rules! reference {
    ($anchor:literal) => {
        concat!("https://doc.rust-lang.org/cargo/reference/semver.html", $anchor)
    };
}

impl Change {
    fn manifest(id: &str, level: Level, required: bool, item: String, summary: String) -> Change {
        let docs = match id {
            "feature-removed" => reference!("#cargo-feature-remove"),
            "feature-no-longer-enables" | "default-features-reduced" => {
                reference!("#cargo-feature-remove-another")
            }
            "feature-added" | "default-features-added" => reference!("#cargo-feature-add"),
            "rust-version-raised" | "edition-changed" => reference!("#env-new-rust"),
            "dependency-major-changed" => {
                "https://doc.rust-lang.org/cargo/reference/unstable.html#public-dependency"
            }
            "binary-removed" => reference!("#application-compatibility"),
            "license-changed" => {
                "https://doc.rust-lang.org/cargo/reference/manifest.html#the-license-and-license-file-fields"
            }
            _ => reference!("#item-remove"),
        };
        Change {
            id: id.to_owned(),
            level,
            required,
            item: Shown::new(item),
            location: Shown::new("Cargo.toml"),
            summary: Shown::new(summary),
            docs: docs.to_owned(),
        }
    }
}

/// The manifest-level changes from `before` to `after`, in a stable order.
pub fn manifest_changes(before: &Side, after: &Side) -> Vec<Change> {
    let (old, new) = (&before.manifest, &after.manifest);
    let mut changes = features(old, new);
    changes.extend(package_fields(old, new));
    // Only a library's API can expose a dependency's types.
    if target_names(after).contains("lib") {
        changes.extend(dependencies(old, new));
    }
    changes.extend(targets(before, after));
    changes
}

/// A crate's features: the `[features]` table and the implicit feature of every optional
/// dependency no feature names as `dep:<name>`, each with what it enables (`dep:x` for an
/// implicit feature's dependency, and for a plain `x` that names one).
fn feature_table(manifest: &toml::Table) -> BTreeMap<String, BTreeSet<String>> {
    let explicit: BTreeMap<String, Vec<String>> = manifest
        .get("features")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flatten()
        .map(|(name, list)| {
            let list = list.as_array().into_iter().flatten();
            (name.clone(), list.filter_map(|v| v.as_str().map(str::to_owned)).collect())
        })
        .collect();
    let optional: BTreeSet<String> = normal_dependencies(manifest)
        .filter(|(_, spec)| spec.get("optional").and_then(toml::Value::as_bool) == Some(true))
        .map(|(name, _)| name.to_owned())
        .collect();
    let named: BTreeSet<&str> =
        explicit.values().flatten().filter_map(|e| e.strip_prefix("dep:")).collect();
    let mut table: BTreeMap<String, BTreeSet<String>> = explicit
        .iter()
        .map(|(name, list)| {
            let entries = list.iter().map(|entry| match entry.as_str() {
                e if optional.contains(e) && !explicit.contains_key(e) => format!("dep:{e}"),
                e => e.to_owned(),
            });
            (name.clone(), entries.collect())
        })
        .collect();
    for dependency in optional.iter().filter(|d| !named.contains(d.as_str())) {
        table.entry(dependency.clone()).or_insert_with(|| [format!("dep:{dependency}")].into());
    }
    table
}

fn features(old: &toml::Table, new: &toml::Table) -> Vec<Change> {
    let (before, after) = (feature_table(old), feature_table(new));
    let mut changes = Vec::new();
    let listed = |set: &BTreeSet<&String>| {
        set.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", ")
    };
    for (name, enabled) in &before {
        let item = format!("features.{name}");
        let Some(now) = after.get(name) else {
            let summary = match name.as_str() {
                "default" => "the default features are gone".to_owned(),
                _ => "feature removed".to_owned(),
            };
            let id = if name == "default" { "default-features-reduced" } else { "feature-removed" };
            changes.push(Change::manifest(id, Level::Major, true, item, summary));
            continue;
        };
        let dropped: BTreeSet<&String> = enabled.difference(now).collect();
        let added: BTreeSet<&String> = now.difference(enabled).collect();
        if name == "default" {
            if !dropped.is_empty() {
                let summary = format!("no longer enabled by default: {}", listed(&dropped));
                changes.push(Change::manifest(
                    "default-features-reduced",
                    Level::Major,
                    true,
                    item.clone(),
                    summary,
                ));
            }
            if !added.is_empty() {
                let summary = format!("now enabled by default: {}", listed(&added));
                changes.push(Change::manifest(
                    "default-features-added",
                    Level::Minor,
                    false,
                    item,
                    summary,
                ));
            }
        } else if !dropped.is_empty() {
            let summary = format!("no longer enables {}", listed(&dropped));
            changes.push(Change::manifest(
                "feature-no-longer-enables",
                Level::Major,
                true,
                item,
                summary,
            ));
        }
    }
    for name in after.keys().filter(|name| !before.contains_key(*name)) {
        let (id, summary) = match name.as_str() {
            "default" => ("default-features-added", "default features added"),
            _ => ("feature-added", "feature added"),
        };
        changes.push(Change::manifest(
            id,
            Level::Minor,
            false,
            format!("features.{name}"),
            summary.to_owned(),
        ));
    }
    changes
}

fn package_field<'m>(manifest: &'m toml::Table, key: &str) -> Option<&'m str> {
    manifest.get("package")?.get(key)?.as_str()
}

fn package_fields(old: &toml::Table, new: &toml::Table) -> Vec<Change> {
    let mut changes = Vec::new();
    let rust_versions = (package_field(old, "rust-version"), package_field(new, "rust-version"));
    if let (Some(before), Some(after)) = rust_versions
        && let (Some(b), Some(a)) = (rust_version(before), rust_version(after))
        && a > b
    {
        let summary = format!("raised from {before} to {after}");
        changes.push(Change::manifest(
            "rust-version-raised",
            Level::Minor,
            false,
            "package.rust-version".into(),
            summary,
        ));
    }
    let edition = |m| package_field(m, "edition").unwrap_or("2015");
    if edition(old) != edition(new) {
        let summary = format!("from {} to {}", edition(old), edition(new));
        changes.push(Change::manifest(
            "edition-changed",
            Level::Minor,
            false,
            "package.edition".into(),
            summary,
        ));
    }
    let license = |m| (package_field(m, "license"), package_field(m, "license-file"));
    if license(old) != license(new) {
        let shown = |(expression, file): (Option<&str>, Option<&str>)| match (expression, file) {
            (Some(expression), _) => expression.to_owned(),
            (None, Some(file)) => format!("the file {file}"),
            (None, None) => "none".to_owned(),
        };
        let summary = format!("from {} to {}", shown(license(old)), shown(license(new)));
        changes.push(Change::manifest(
            "license-changed",
            Level::Minor,
            false,
            "package.license".into(),
            summary,
        ));
    }
    changes
}

/// `1.70` or `1.70.0` as (major, minor, patch).
fn rust_version(text: &str) -> Option<(u64, u64, u64)> {
    let mut parts = text.trim().split('.').map(str::parse::<u64>);
    let major = parts.next()?.ok()?;
    let minor = parts.next().unwrap_or(Ok(0)).ok()?;
    let patch = parts.next().unwrap_or(Ok(0)).ok()?;
    Some((major, minor, patch))
}

/// The normal dependencies (those a crate's API can expose), every target's, by name.
fn normal_dependencies(manifest: &toml::Table) -> impl Iterator<Item = (&str, &toml::Value)> {
    let targets = manifest.get("target").and_then(toml::Value::as_table).into_iter().flatten();
    std::iter::once(manifest.get("dependencies"))
        .chain(targets.map(|(_, target)| target.get("dependencies")))
        .flatten()
        .filter_map(toml::Value::as_table)
        .flatten()
        .map(|(name, spec)| (name.as_str(), spec))
}

/// A requirement's compatibility line, as cargo's `^` reads it: `1` for `1.2`, `0.3` for
/// `0.3.1`, `0.0.4` for `0.0.4`.
fn compatibility_line(spec: &toml::Value) -> Option<String> {
    let text = match spec {
        toml::Value::String(text) => text.as_str(),
        other => other.get("version")?.as_str()?,
    };
    let requirement = semver::VersionReq::parse(text).ok()?;
    let first = requirement.comparators.first()?;
    Some(match (first.major, first.minor, first.patch) {
        (0, Some(0), Some(patch)) => format!("0.0.{patch}"),
        (0, Some(minor), _) => format!("0.{minor}"),
        (major, _, _) => major.to_string(),
    })
}

fn dependencies(old: &toml::Table, new: &toml::Table) -> Vec<Change> {
    let before: BTreeMap<&str, &toml::Value> = normal_dependencies(old).collect();
    let package =
        |spec: &toml::Value| spec.get("package").and_then(|p| p.as_str().map(str::to_owned));
    let mut seen = BTreeSet::new();
    let mut changes = Vec::new();
    for (name, spec) in normal_dependencies(new) {
        let Some(previous) = before.get(name) else { continue };
        if package(spec) != package(previous) || !seen.insert(name) {
            continue;
        }
        let (Some(then), Some(now)) = (compatibility_line(previous), compatibility_line(spec))
        else {
            continue;
        };
        if then == now {
            continue;
        }
        let public = spec.get("public").and_then(toml::Value::as_bool) == Some(true);
        let summary = match public {
            true => format!("a public dependency moved from {then} to {now}"),
            false => format!(
                "moved from {then} to {now}: breaking if the crate's public API exposes its types (an estimate; `public = true` makes it certain)"
            ),
        };
        changes.push(Change::manifest(
            "dependency-major-changed",
            Level::Major,
            public,
            format!("dependencies.{name}"),
            summary,
        ));
    }
    changes
}

/// The library (`lib`) and binaries (`bin <name>`) of a side: its manifest's targets, or,
/// for a crate published before cargo wrote them out, the files cargo would find.
fn target_names(side: &Side) -> BTreeSet<String> {
    let manifest = &side.manifest;
    let auto = |key: &str| {
        manifest.get("package").and_then(|p| p.get(key)).and_then(toml::Value::as_bool)
            != Some(false)
    };
    let mut names = BTreeSet::new();
    if manifest.get("lib").is_some() || (auto("autolib") && side.files.contains_key("src/lib.rs")) {
        names.insert("lib".to_owned());
    }
    let bins = manifest.get("bin").and_then(toml::Value::as_array).into_iter().flatten();
    names.extend(bins.filter_map(|b| b.get("name")?.as_str()).map(|n| format!("bin {n}")));
    if auto("autobins") {
        let package = package_field(manifest, "name").unwrap_or_default();
        for path in side.files.keys() {
            let name = match path.strip_prefix("src/bin/") {
                Some(rest) => rest
                    .strip_suffix(".rs")
                    .filter(|n| !n.contains('/'))
                    .or_else(|| rest.strip_suffix("/main.rs")),
                None if path == "src/main.rs" => Some(package),
                None => None,
            };
            names.extend(name.filter(|n| !n.is_empty()).map(|n| format!("bin {n}")));
        }
    }
    names
}

fn targets(before: &Side, after: &Side) -> Vec<Change> {
    let now = target_names(after);
    target_names(before)
        .into_iter()
        .filter(|target| !now.contains(target))
        .map(|target| {
            let (id, summary) = match target.as_str() {
                "lib" => ("library-removed", "the library is gone"),
                _ => ("binary-removed", "binary removed"),
            };
            Change::manifest(id, Level::Major, true, target, summary.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(manifest: &str, files: &[&str]) -> Side {
        Side {
            files: files.iter().map(|p| ((*p).to_owned(), (1, [0; 32]))).collect(),
            compressed_size: 0,
            manifest: manifest.parse().unwrap(),
        }
    }

    fn found(before: &str, after: &str) -> Vec<(String, String, Level, bool)> {
        let changes =
            manifest_changes(&side(before, &["src/lib.rs"]), &side(after, &["src/lib.rs"]));
        changes.into_iter().map(|c| (c.id, c.item.to_string(), c.level, c.required)).collect()
    }

    fn one(id: &str, item: &str, level: Level, required: bool) -> (String, String, Level, bool) {
        (id.to_owned(), item.to_owned(), level, required)
    }

    #[test]
    fn features_removed_reduced_and_added() {
        let before = "[features]\ndefault = [\"std\", \"fast\"]\nstd = [\"serde/std\"]\nfast = []\nold = []\n[dependencies]\nserde = { version = \"1\", optional = true }\nlog = { version = \"0.4\", optional = true }\n";
        let after = "[features]\ndefault = [\"std\"]\nstd = []\nfast = []\nnew = []\n[dependencies]\nserde = { version = \"1\", optional = true }\n";
        assert_eq!(
            found(before, after),
            [
                one("default-features-reduced", "features.default", Level::Major, true),
                one("feature-removed", "features.log", Level::Major, true),
                one("feature-removed", "features.old", Level::Major, true),
                one("feature-no-longer-enables", "features.std", Level::Major, true),
                one("feature-added", "features.new", Level::Minor, false),
            ]
        );
    }

    /// `dep:` syntax for what an implicit feature enabled is the same feature set; a
    /// dependency that stops being optional takes its implicit feature with it.
    #[test]
    fn implicit_features_follow_optional_dependencies() {
        let before = "[features]\nstd = [\"serde\"]\n[dependencies]\nserde = { version = \"1\", optional = true }\n";
        let same = "[features]\nstd = [\"dep:serde\"]\nserde = [\"dep:serde\"]\n[dependencies]\nserde = { version = \"1\", optional = true }\n";
        assert_eq!(found(before, same), []);
        let required = "[features]\nstd = []\n[dependencies]\nserde = \"1\"\n";
        assert_eq!(
            found(before, required),
            [
                one("feature-removed", "features.serde", Level::Major, true),
                one("feature-no-longer-enables", "features.std", Level::Major, true),
            ]
        );
    }

    #[test]
    fn package_fields_and_dependencies() {
        let before = "[package]\nname = \"a\"\nedition = \"2021\"\nrust-version = \"1.70\"\nlicense = \"MIT\"\n[dependencies]\nrand = \"0.8.5\"\nserde = { version = \"1.0.100\", public = true }\nlog = \"0.4\"\n[target.'cfg(unix)'.dependencies]\nlibc = \"0.2\"\n[dev-dependencies]\ntempfile = \"2\"\n";
        let after = "[package]\nname = \"a\"\nedition = \"2024\"\nrust-version = \"1.85.0\"\nlicense = \"MIT OR Apache-2.0\"\n[dependencies]\nrand = \"0.9\"\nserde = { version = \"2\", public = true }\nlog = \"0.4.20\"\n[target.'cfg(unix)'.dependencies]\nlibc = \"1\"\n[dev-dependencies]\ntempfile = \"3\"\n";
        assert_eq!(
            found(before, after),
            [
                one("rust-version-raised", "package.rust-version", Level::Minor, false),
                one("edition-changed", "package.edition", Level::Minor, false),
                one("license-changed", "package.license", Level::Minor, false),
                one("dependency-major-changed", "dependencies.rand", Level::Major, false),
                one("dependency-major-changed", "dependencies.serde", Level::Major, true),
                one("dependency-major-changed", "dependencies.libc", Level::Major, false),
            ]
        );
        // A rust-version lowered, or declared for the first time, asks nothing.
        let lowered = before.replace("1.70", "1.60");
        assert_eq!(found(before, &lowered), []);
        // A crate without a library exposes no dependency.
        let tool = |m: &str| side(m, &["src/main.rs"]);
        let changes = manifest_changes(&tool(before), &tool(after));
        assert!(changes.iter().all(|c| c.id != "dependency-major-changed"), "{changes:?}");
    }

    #[test]
    fn targets_removed_from_the_manifest_or_the_files() {
        let before = side(
            "[package]\nname = \"tool\"\n[[bin]]\nname = \"extra\"\npath = \"src/extra.rs\"\n",
            &["src/lib.rs", "src/main.rs", "src/bin/helper.rs", "src/bin/nested/main.rs"],
        );
        let after = side("[package]\nname = \"tool\"\nautobins = false\n", &["src/main.rs"]);
        let removed: Vec<String> =
            manifest_changes(&before, &after).into_iter().map(|c| c.item.to_string()).collect();
        assert_eq!(removed, ["bin extra", "bin helper", "bin nested", "bin tool", "lib"]);
    }
}
