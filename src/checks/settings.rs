//! Configuration from the manifests: `[workspace.metadata.readiness]` and
//! `[package.metadata.readiness]` (package settings win).
//!
//! ```toml
//! [workspace.metadata.readiness]
//! crate-size-warning = 4194304     # bytes; warn above this compressed size
//! large-file = 2097152             # bytes; call out packaged files above this size
//!
//! [package.metadata.readiness.checks]
//! keywords-missing = "allow"       # shown, never counted
//! repository-missing = "blocker"   # or "warning", "note"
//! ```
//! Unknown keys, unknown check ids and unknown levels are errors.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::base::error::Error;
use crate::checks;
use crate::workspace::Workspace;

/// A check's level as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Allow,
    Note,
    Warning,
    Blocker,
}

/// One `[…metadata.readiness]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ReadinessTable {
    /// Check id → level.
    #[serde(default)]
    pub checks: BTreeMap<String, Level>,
    /// Warn when the compressed crate is larger than this many bytes.
    pub crate_size_warning: Option<u64>,
    /// Call out packaged files larger than this many bytes.
    pub large_file: Option<u64>,
}

/// A configured level and where it was set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Override {
    pub level: Level,
    /// e.g. `[package.metadata.readiness] in crates/a/Cargo.toml`.
    pub source: String,
}

/// Size thresholds, after configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub crate_size_warning: u64,
    pub large_file: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { crate_size_warning: 2 * 1024 * 1024, large_file: 1024 * 1024 }
    }
}

/// Every readiness table of the workspace, validated.
#[derive(Debug, Default)]
pub struct Settings {
    workspace: (ReadinessTable, String),
    packages: BTreeMap<String, (ReadinessTable, String)>,
}

impl Settings {
    pub fn load(workspace: &Workspace) -> Result<Settings, Error> {
        let root_manifest = workspace.root.join("Cargo.toml");
        let table = |value: Option<&serde_json::Value>, manifest: &std::path::Path, key: &str| {
            let source = format!("[{key}.metadata.readiness] in {}", workspace.relative(manifest));
            let parsed: ReadinessTable = match value {
                None => ReadinessTable::default(),
                Some(value) => {
                    serde_json::from_value(value.clone()).map_err(|e| Error::Config {
                        path: manifest.to_path_buf(),
                        table: format!("[{key}.metadata.readiness]"),
                        message: e.to_string(),
                    })?
                }
            };
            for id in parsed.checks.keys() {
                if checks::by_id(id).is_none() {
                    return Err(Error::Config {
                        path: manifest.to_path_buf(),
                        table: format!("[{key}.metadata.readiness.checks]"),
                        message: format!("unknown check id `{id}`"),
                    });
                }
            }
            Ok((parsed, source))
        };
        let ws_table = table(workspace.metadata.get("readiness"), &root_manifest, "workspace")?;
        let mut packages = BTreeMap::new();
        for member in &workspace.members {
            let manifest = member.package.manifest_path.as_std_path();
            let parsed = table(member.package.metadata.get("readiness"), manifest, "package")?;
            packages.insert(member.name().to_owned(), parsed);
        }
        Ok(Settings { workspace: ws_table, packages })
    }

    /// The configured level of a check for a package (or the workspace), package first.
    pub fn level(&self, id: &str, package: Option<&str>) -> Option<Override> {
        let package_table = package.and_then(|p| self.packages.get(p));
        package_table.into_iter().chain([&self.workspace]).find_map(|(table, source)| {
            table.checks.get(id).map(|&level| Override { level, source: source.clone() })
        })
    }

    /// Size thresholds for a package.
    pub fn limits(&self, package: &str) -> Limits {
        let defaults = Limits::default();
        let tables: Vec<&ReadinessTable> = self
            .packages
            .get(package)
            .map(|(t, _)| t)
            .into_iter()
            .chain([&self.workspace.0])
            .collect();
        Limits {
            crate_size_warning: tables
                .iter()
                .find_map(|t| t.crate_size_warning)
                .unwrap_or(defaults.crate_size_warning),
            large_file: tables.iter().find_map(|t| t.large_file).unwrap_or(defaults.large_file),
        }
    }
}
