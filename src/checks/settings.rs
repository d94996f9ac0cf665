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
//! (`[workspace.metadata.readiness.signoff]`, the sign-off policy, is read by
//! `review::signoff::trust`.)
//! Unknown keys, unknown check ids and unknown levels are errors: in the workspace's table,
//! of the whole run; in a package's table, of that crate alone, which is then not checked
//! (`crate-not-checked`, naming the manifest and the key) while the others are reported in
//! full.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
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
#[derive(Debug, Default)]
pub struct ReadinessTable {
    /// Check id → level.
    pub checks: BTreeMap<String, Level>,
    /// Warn when the compressed crate is larger than this many bytes.
    pub crate_size_warning: Option<u64>,
    /// Call out packaged files larger than this many bytes.
    pub large_file: Option<u64>,
}

/// What is wrong with a readiness table: the subtable and the key, in one sentence.
#[derive(Debug)]
struct Invalid {
    table: String,
    message: String,
}

impl ReadinessTable {
    /// Validates `[{key}.metadata.readiness]` (`value`, as `cargo metadata` reports it);
    /// an error names the key.
    fn parse(value: &serde_json::Value, key: &str) -> Result<ReadinessTable, Invalid> {
        let at = |sub: &str| {
            let table = format!("[{key}.metadata.readiness{sub}]");
            move |message: String| Invalid { table, message }
        };
        let Some(fields) = value.as_object() else {
            return Err(at("")("must be a table".into()));
        };
        let mut table = ReadinessTable::default();
        for (name, value) in fields {
            match name.as_str() {
                "crate-size-warning" => {
                    table.crate_size_warning = Some(typed(value, name).map_err(at(""))?);
                }
                "large-file" => table.large_file = Some(typed(value, name).map_err(at(""))?),
                "checks" => {
                    let levels: BTreeMap<String, serde_json::Value> =
                        typed(value, name).map_err(at(""))?;
                    for (id, level) in levels {
                        if checks::by_id(&id).is_none() {
                            return Err(at(".checks")(format!("unknown check id `{id}`")));
                        }
                        let level = typed(&level, &id).map_err(at(".checks"))?;
                        table.checks.insert(id, level);
                    }
                }
                // The sign-off policy, read (and judged) by the review stage.
                "signoff" if key == "workspace" => {}
                other => {
                    return Err(at("")(format!(
                        "unknown field `{other}`, expected `checks`, `crate-size-warning` or `large-file`"
                    )));
                }
            }
        }
        Ok(table)
    }
}

/// `value` as a `T`; the error names `key`.
fn typed<T: DeserializeOwned>(value: &serde_json::Value, key: &str) -> Result<T, String> {
    serde_json::from_value(value.clone()).map_err(|e| format!("`{key}`: {e}"))
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

/// A readiness table and where it was set.
type Sourced = (ReadinessTable, String);

/// Every readiness table of the workspace, validated.
#[derive(Debug, Default)]
pub struct Settings {
    workspace: Sourced,
    /// Each member's table, or what is wrong with it (in its manifest).
    packages: BTreeMap<String, Result<Sourced, (PathBuf, Invalid)>>,
}

impl Settings {
    /// Reads every table; only the workspace's own can fail the run.
    pub fn load(workspace: &Workspace) -> Result<Settings, Error> {
        let table = |value: Option<&serde_json::Value>, manifest: &Path, key: &str| {
            let source = format!("[{key}.metadata.readiness] in {}", workspace.relative(manifest));
            let parsed = value.map(|v| ReadinessTable::parse(v, key)).transpose();
            parsed
                .map(|table| (table.unwrap_or_default(), source))
                .map_err(|invalid| (manifest.to_path_buf(), invalid))
        };
        let root_manifest = workspace.root.join("Cargo.toml");
        let ws_table = table(workspace.metadata.get("readiness"), &root_manifest, "workspace")
            .map_err(|(path, Invalid { table, message })| Error::Config { path, table, message })?;
        let packages = workspace
            .members
            .iter()
            .map(|member| {
                let manifest = member.package.manifest_path.as_std_path();
                let parsed = table(member.package.metadata.get("readiness"), manifest, "package");
                (member.name().to_owned(), parsed)
            })
            .collect();
        Ok(Settings { workspace: ws_table, packages })
    }

    /// What is wrong with a package's own table: the reason it is not checked.
    pub fn problem(&self, package: &str) -> Option<Error> {
        let (path, Invalid { table, message }) = self.packages.get(package)?.as_ref().err()?;
        Some(Error::Config { path: path.clone(), table: table.clone(), message: message.clone() })
    }

    /// A package's valid table.
    fn package(&self, package: Option<&str>) -> Option<&Sourced> {
        self.packages.get(package?)?.as_ref().ok()
    }

    /// The configured level of a check for a package (or the workspace), package first.
    pub fn level(&self, id: &str, package: Option<&str>) -> Option<Override> {
        self.package(package).into_iter().chain([&self.workspace]).find_map(|(table, source)| {
            table.checks.get(id).map(|&level| Override { level, source: source.clone() })
        })
    }

    /// Size thresholds for a package.
    pub fn limits(&self, package: &str) -> Limits {
        let defaults = Limits::default();
        let tables: Vec<&ReadinessTable> = self
            .package(Some(package))
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
