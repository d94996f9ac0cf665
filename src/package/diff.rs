//! What changed between two archives of a crate: files added, removed and changed (with
//! sizes), the compressed size, and the published manifest key by key (dependency
//! requirements, features, other fields). One model for every comparison the report makes:
//! with a git revision (`--baseline`), since a sign-off's commit (`verify`), with the
//! previous release (`--online`), and of what the registry serves (`verify --published`).
//! Its paths, keys and values are [`Shown`]: a token added to `homepage` is redacted in
//! every row of every view, as in the manifest preview.

pub mod compat;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::base::shown::Shown;
use crate::package::archive::{LockInFingerprint, fingerprinted};
use crate::package::{Archive, ArchiveFile};

/// One side of a comparison: the files a reviewer approves (as the fingerprint covers
/// them), the compressed size, and the normalized `Cargo.toml` cargo publishes.
#[derive(Debug, Clone)]
pub struct Side {
    /// Archive path → (size, SHA-256).
    pub files: BTreeMap<String, (u64, [u8; 32])>,
    pub compressed_size: u64,
    pub manifest: toml::Table,
}

impl Side {
    pub fn of(archive: &Archive) -> Side {
        Side::from_files(&archive.files, archive.lock, archive.compressed_size, published(archive))
    }

    /// The side of an archive's files (a packaged one, or a `.crate` read back).
    pub fn from_files(
        files: &[ArchiveFile],
        lock: LockInFingerprint,
        compressed_size: u64,
        manifest: toml::Table,
    ) -> Side {
        let files = files
            .iter()
            .filter_map(|f| {
                Some((crate::base::format::slash_path(&f.path), (f.size, fingerprinted(f, lock)?)))
            })
            .collect();
        Side { files, compressed_size, manifest }
    }

    /// A digest of everything a comparison reads of this side.
    pub fn digest(&self) -> String {
        let mut hasher = Sha256::new();
        for (path, (size, sha)) in &self.files {
            hasher.update(format!("{path}\0{size}\0").as_bytes());
            hasher.update(sha);
        }
        hasher.update(format!("\n{}\n{}", self.compressed_size, self.manifest).as_bytes());
        crate::base::format::hex(&hasher.finalize())
    }
}

/// The normalized `Cargo.toml` of an archive, parsed (empty when it cannot be).
fn published(archive: &Archive) -> toml::Table {
    let manifest = archive.files.iter().find(|f| f.path.as_os_str() == "Cargo.toml");
    match manifest.map(|f| &f.content) {
        Some(crate::package::Content::Bytes(bytes)) => {
            std::str::from_utf8(bytes).ok().and_then(|t| t.parse().ok()).unwrap_or_default()
        }
        _ => toml::Table::new(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The crate did not exist then (no release tag, never published).
    New,
    Changed,
    Unchanged,
    /// The earlier state could not be read; `reason` says why.
    NotCompared,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Changed => "changed",
            Status::Unchanged => "unchanged",
            Status::NotCompared => "not compared",
        }
    }
}

/// A crate compared with an earlier state of itself: `crates[].baseline` of `report.json`
/// (a git revision) and `crates[].previous_release` (the last published `.crate`). The
/// stages that compare fill in `rev`, `version` and `reason` as they find them (a tag, a
/// version, an error of the checkout): they are serialized as [`Shown`], and views show
/// them through it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// The revision as named (with `auto`, the tag used); `null` when no tag was found, and
    /// for a published release.
    #[serde(serialize_with = "as_shown")]
    pub rev: Option<String>,
    /// The commit it resolves to.
    pub commit: Option<String>,
    pub status: Status,
    /// The crate's version compared with.
    #[serde(serialize_with = "as_shown")]
    pub version: Option<String>,
    /// Why it is new or not compared, as a sentence.
    #[serde(serialize_with = "as_shown")]
    pub reason: Option<String>,
    #[serde(flatten)]
    pub diff: ArchiveDiff,
}

fn as_shown<S: Serializer>(text: &Option<String>, serializer: S) -> Result<S::Ok, S::Error> {
    text.as_deref().map(Shown::new).serialize(serializer)
}

impl Comparison {
    pub fn without(
        rev: Option<String>,
        commit: Option<String>,
        status: Status,
        reason: String,
    ) -> Self {
        Comparison {
            rev,
            commit,
            status,
            version: None,
            reason: Some(reason),
            diff: ArchiveDiff::default(),
        }
    }
}

/// A comparison, and what the version verdict reads of its earlier side.
#[derive(Debug, Clone)]
pub struct Compared {
    pub comparison: Comparison,
    /// `None` when there was nothing to compare with (new, not compared).
    pub earlier: Option<Earlier>,
}

/// The earlier side of a comparison, for the version verdict.
#[derive(Debug, Clone, Default)]
pub struct Earlier {
    /// The manifest-level changes since (see [`compat`]).
    pub changes: Vec<compat::Change>,
    /// Its `.crate`, when asked for (`--build` documents it to compare the public APIs).
    pub archive: Option<Vec<u8>>,
}

impl Compared {
    /// Nothing to compare with: `comparison` says why.
    pub fn without(comparison: Comparison) -> Self {
        Compared { comparison, earlier: None }
    }

    /// `now` compared with `before`, the crate at `version`.
    pub fn between(before: &Side, now: &Side, version: String, archive: Option<Vec<u8>>) -> Self {
        let diff = ArchiveDiff::between(before, now);
        let status = if diff.is_unchanged() { Status::Unchanged } else { Status::Changed };
        let changes = compat::manifest_changes(before, now);
        Compared {
            comparison: Comparison {
                rev: None,
                commit: None,
                status,
                version: Some(version),
                reason: None,
                diff,
            },
            earlier: Some(Earlier { changes, archive }),
        }
    }
}

/// A file present on one side only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: Shown,
    pub size: u64,
}

/// A file whose content changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    pub path: Shown,
    pub size_before: u64,
    pub size_after: u64,
}

/// A file that differs, as every view shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRow<'a> {
    /// `added`, `removed` or `modified`.
    pub change: &'static str,
    pub path: &'a Shown,
    /// e.g. `1.2 KiB`, or `1.2 KiB → 1.4 KiB` when modified.
    pub size: String,
}

/// What kind of manifest change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    DependencyAdded,
    DependencyRemoved,
    DependencyChanged,
    /// Breaking for users who enabled it.
    FeatureRemoved,
    FeatureAdded,
    FeatureChanged,
    FieldChanged,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::DependencyAdded => "dependency added",
            ChangeKind::DependencyRemoved => "dependency removed",
            ChangeKind::DependencyChanged => "dependency changed",
            ChangeKind::FeatureRemoved => "feature removed (breaking)",
            ChangeKind::FeatureAdded => "feature added",
            ChangeKind::FeatureChanged => "feature changed",
            ChangeKind::FieldChanged => "field changed",
        }
    }
}

/// One key of the published manifest that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestChange {
    pub kind: ChangeKind,
    /// Dotted key, e.g. `dependencies.serde`, `features.std`, `package.edition`.
    pub key: Shown,
    /// The value as TOML (a requirement alone for a dependency given as a string).
    pub before: Option<Shown>,
    pub after: Option<Shown>,
}

/// The comparison of two sides.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveDiff {
    pub files_added: Vec<FileEntry>,
    pub files_removed: Vec<FileEntry>,
    pub files_changed: Vec<FileChange>,
    /// Compressed size now minus then, in bytes.
    pub compressed_size_delta: i64,
    pub manifest_changes: Vec<ManifestChange>,
}

impl ArchiveDiff {
    /// What changed from `before` to `after`.
    pub fn between(before: &Side, after: &Side) -> ArchiveDiff {
        let mut diff = ArchiveDiff {
            compressed_size_delta: after.compressed_size as i64 - before.compressed_size as i64,
            manifest_changes: manifest_changes(&before.manifest, &after.manifest),
            ..ArchiveDiff::default()
        };
        for (path, &(size, sha)) in &after.files {
            match before.files.get(path) {
                None => diff.files_added.push(FileEntry { path: Shown::new(path), size }),
                Some(&(old_size, old_sha)) if old_sha != sha => {
                    diff.files_changed.push(FileChange {
                        path: Shown::new(path),
                        size_before: old_size,
                        size_after: size,
                    })
                }
                Some(_) => {}
            }
        }
        for (path, &(size, _)) in &before.files {
            if !after.files.contains_key(path) {
                diff.files_removed.push(FileEntry { path: Shown::new(path), size });
            }
        }
        diff
    }

    /// No approved file differs (the fingerprints are equal).
    pub fn is_unchanged(&self) -> bool {
        self.files_added.is_empty()
            && self.files_removed.is_empty()
            && self.files_changed.is_empty()
    }

    /// Every file that differs, by path: `added`, `removed` or `modified`, with its size
    /// (`before → after` when modified).
    pub fn file_rows(&self) -> Vec<FileRow<'_>> {
        let sized = |size| crate::base::format::human_size(size);
        let mut rows: Vec<FileRow> = self
            .files_added
            .iter()
            .map(|f| FileRow { change: "added", path: &f.path, size: sized(f.size) })
            .chain(self.files_removed.iter().map(|f| FileRow {
                change: "removed",
                path: &f.path,
                size: sized(f.size),
            }))
            .chain(self.files_changed.iter().map(|f| FileRow {
                change: "modified",
                path: &f.path,
                size: format!("{} → {}", sized(f.size_before), sized(f.size_after)),
            }))
            .collect();
        rows.sort_by(|a, b| a.path.cmp(b.path));
        rows
    }

    /// The manifest changes that break users (removed features).
    pub fn breaking(&self) -> impl Iterator<Item = &ManifestChange> {
        self.manifest_changes.iter().filter(|c| c.kind == ChangeKind::FeatureRemoved)
    }
}

const DEPENDENCY_TABLES: [&str; 3] = ["dependencies", "dev-dependencies", "build-dependencies"];

/// Flattens a published manifest into keyed entries: each dependency, each feature, each
/// `[package]` field, and every other top-level key whole.
fn entries(manifest: &toml::Table) -> BTreeMap<String, (Group, toml::Value)> {
    let mut entries = BTreeMap::new();
    let dependencies = |entries: &mut BTreeMap<_, _>, prefix: &str, table: &toml::Table| {
        for kind in DEPENDENCY_TABLES {
            let table = table.get(kind).and_then(toml::Value::as_table);
            for (name, value) in table.into_iter().flatten() {
                entries
                    .insert(format!("{prefix}{kind}.{name}"), (Group::Dependency, value.clone()));
            }
        }
    };
    dependencies(&mut entries, "", manifest);
    let targets = manifest.get("target").and_then(toml::Value::as_table);
    for (cfg, table) in targets.into_iter().flatten() {
        if let Some(table) = table.as_table() {
            dependencies(&mut entries, &format!("target.{}.", quoted_key(cfg)), table);
            for (key, value) in
                table.iter().filter(|(k, _)| !DEPENDENCY_TABLES.contains(&k.as_str()))
            {
                entries.insert(
                    format!("target.{}.{key}", quoted_key(cfg)),
                    (Group::Field, value.clone()),
                );
            }
        }
    }
    for (key, value) in manifest {
        let (group, table) = match key.as_str() {
            "features" => (Group::Feature, value.as_table()),
            "package" => (Group::Field, value.as_table()),
            "target" => continue,
            k if DEPENDENCY_TABLES.contains(&k) => continue,
            _ => {
                entries.insert(key.clone(), (Group::Field, value.clone()));
                continue;
            }
        };
        for (name, value) in table.into_iter().flatten() {
            entries.insert(format!("{key}.{}", quoted_key(name)), (group, value.clone()));
        }
    }
    entries
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Dependency,
    Feature,
    Field,
}

fn quoted_key(key: &str) -> String {
    let bare =
        !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if bare { key.to_owned() } else { toml::Value::from(key).to_string() }
}

fn shown_plain(value: &toml::Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_owned)
}

fn manifest_changes(before: &toml::Table, after: &toml::Table) -> Vec<ManifestChange> {
    let (old, new) = (entries(before), entries(after));
    let mut changes = Vec::new();
    // A requirement alone is shown as the requirement: `1.0`, not `{ version = "1.0" }`.
    let shown = |value: &toml::Value| {
        Shown::new(match value {
            toml::Value::String(text) => text.clone(),
            toml::Value::Table(table) if table.len() == 1 && table.contains_key("version") => {
                shown_plain(&table["version"])
            }
            other => other.to_string(),
        })
    };
    for (key, (group, value)) in &new {
        let previous = old.get(key).map(|(_, v)| v);
        let kind = match (group, previous) {
            (_, Some(previous)) if previous == value => continue,
            (Group::Dependency, None) => ChangeKind::DependencyAdded,
            (Group::Dependency, Some(_)) => ChangeKind::DependencyChanged,
            (Group::Feature, None) => ChangeKind::FeatureAdded,
            (Group::Feature, Some(_)) => ChangeKind::FeatureChanged,
            (Group::Field, _) => ChangeKind::FieldChanged,
        };
        changes.push(ManifestChange {
            kind,
            key: Shown::new(key),
            before: previous.map(shown),
            after: Some(shown(value)),
        });
    }
    for (key, (group, value)) in &old {
        if new.contains_key(key) {
            continue;
        }
        let kind = match group {
            Group::Dependency => ChangeKind::DependencyRemoved,
            Group::Feature => ChangeKind::FeatureRemoved,
            Group::Field => ChangeKind::FieldChanged,
        };
        changes.push(ManifestChange {
            kind,
            key: Shown::new(key),
            before: Some(shown(value)),
            after: None,
        });
    }
    changes.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| a.key.cmp(&b.key)));
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(files: &[(&str, u64, u8)], compressed: u64, manifest: &str) -> Side {
        Side {
            files: files.iter().map(|&(p, s, h)| (p.to_owned(), (s, [h; 32]))).collect(),
            compressed_size: compressed,
            manifest: manifest.parse().unwrap(),
        }
    }

    #[test]
    fn files_and_manifest_keys() {
        let before = side(
            &[("src/lib.rs", 10, 1), ("old.rs", 5, 2), ("README.md", 3, 3)],
            100,
            "[package]\nname = \"a\"\nversion = \"1.0.0\"\nedition = \"2021\"\n[dependencies]\nserde = \"1.0\"\nlog = { version = \"0.4\", optional = true }\n[features]\nstd = []\nold = []\n[target.'cfg(unix)'.dependencies]\nlibc = \"0.2\"\n",
        );
        let after = side(
            &[("src/lib.rs", 12, 9), ("new.rs", 7, 4), ("README.md", 3, 3)],
            90,
            "[package]\nname = \"a\"\nversion = \"1.1.0\"\nedition = \"2024\"\n[dependencies]\nserde = \"1.0.200\"\nregex = \"1\"\n[features]\nstd = []\nfast = []\n[target.'cfg(unix)'.dependencies]\nlibc = \"0.2\"\n",
        );
        let diff = ArchiveDiff::between(&before, &after);
        assert_eq!(diff.files_added, [FileEntry { path: Shown::new("new.rs"), size: 7 }]);
        assert_eq!(diff.files_removed, [FileEntry { path: Shown::new("old.rs"), size: 5 }]);
        assert_eq!(
            diff.files_changed,
            [FileChange { path: Shown::new("src/lib.rs"), size_before: 10, size_after: 12 }]
        );
        assert_eq!(diff.compressed_size_delta, -10);
        let changes: Vec<(ChangeKind, &str, Option<&str>, Option<&str>)> = diff
            .manifest_changes
            .iter()
            .map(|c| (c.kind, c.key.as_str(), c.before.as_deref(), c.after.as_deref()))
            .collect();
        assert_eq!(
            changes,
            [
                (ChangeKind::DependencyAdded, "dependencies.regex", None, Some("1")),
                (
                    ChangeKind::DependencyRemoved,
                    "dependencies.log",
                    Some("{ optional = true, version = \"0.4\" }"),
                    None
                ),
                (ChangeKind::DependencyChanged, "dependencies.serde", Some("1.0"), Some("1.0.200")),
                (ChangeKind::FeatureRemoved, "features.old", Some("[]"), None),
                (ChangeKind::FeatureAdded, "features.fast", None, Some("[]")),
                (ChangeKind::FieldChanged, "package.edition", Some("2021"), Some("2024")),
                (ChangeKind::FieldChanged, "package.version", Some("1.0.0"), Some("1.1.0")),
            ]
        );
        assert_eq!(diff.breaking().count(), 1);
        assert!(!diff.is_unchanged());
        assert!(ArchiveDiff::between(&after, &after).is_unchanged());
    }

    /// A token in a path, a key, a value, the revision's name or the reason is redacted in
    /// the model and in what is serialized (report.json, the comparison cache).
    #[test]
    fn a_comparison_shows_no_token() {
        let token = format!("ghp_{}", "Zx5c".repeat(9));
        let before = side(&[], 0, "[package]\nhomepage = \"https://h.example/\"\n");
        let after = side(
            &[(&format!("{token}.txt"), 1, 1)],
            0,
            &format!(
                "[package]\nhomepage = \"https://x:{token}@h.example/\"\n[features]\n{token} = []\n"
            ),
        );
        let diff = ArchiveDiff::between(&before, &after);
        assert_eq!(diff.files_added[0].path, "[redacted: GitHub token].txt");
        let comparison = Comparison {
            rev: Some(format!("v1-{token}")),
            commit: None,
            status: Status::Changed,
            version: Some("1.0.0".into()),
            reason: Some(format!("because {token}")),
            diff,
        };
        let json = serde_json::to_string(&comparison).unwrap();
        assert!(!json.contains(&token), "{json}");
        assert!(json.contains("https://x:[redacted: GitHub token]@h.example/"), "{json}");
        assert!(json.contains("\"features.[redacted: GitHub token]\""), "{json}");
        assert!(json.contains("\"v1-[redacted: GitHub token]\""), "{json}");
    }
}
