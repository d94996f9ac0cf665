//! The API pass of the build check (`--build`): a crate's public API compared with the
//! release (or revision) it follows, the way cargo-semver-checks compares them.
//!
//! Both sides are documented as rustdoc JSON from their packaged archives, as docs.rs
//! would document them (its features and cfgs): the crate as unpacked for its build, and
//! the earlier `.crate` unpacked beside it, both with the members the build patches in
//! (so that the two sides see the same dependencies, as cargo-semver-checks arranges
//! too). cargo runs from a neutral folder with a target folder of its own, offline unless
//! `--online`; its JSON is kept in the cache by archive, members, toolchain and features,
//! so a release is documented once. The user's installed `cargo-semver-checks` then
//! compares the two files ([`SemverChecks`]), once each way: from the earlier side to this
//! one for what broke, the other way for what was added (an item of this side that the
//! earlier one lacks). The changes are kept by the two JSON keys and the tool's version.
//!
//! Every rustdoc run gets a `--cfg` of its own: cargo then documents the crate again
//! (its dependencies stay checked), and the JSON read is never one another archive of
//! the same library left in the shared output folder. A crate whose documentation fails
//! to build is not compared, never passed. This compiles the crate (build scripts and
//! proc-macros run), as the build check does: only under `--build`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::PoisonError;

use sha2::{Digest, Sha256};

use super::docs_rs::DocsRsSettings;
pub use super::semver_checks::{NOT_INSTALLED, SemverChecks};
use super::unpack::unpack_crate;
use super::{Builder, member_dependencies, rustdoc};
use crate::base::cache::BlobStore;
use crate::package::diff::compat::Change;
use crate::workspace::{Member, Workspace, cargo_program};

/// One side to document: its unpacked folder and what it is documented with.
struct Side<'s> {
    dir: &'s Path,
    /// The library's crate name (the JSON file's name).
    library: String,
    docs: DocsRsSettings,
    key: String,
}

impl Builder<'_> {
    /// Compares public APIs with `tool` (see [`Builder::api_changes`]).
    pub fn comparing_apis(mut self, tool: Result<SemverChecks, String>) -> Self {
        self.api_tool = tool;
        self
    }

    /// The changes of `member`'s public API since the archive `earlier` (`version`), or why
    /// they are not known; `announce` is told when they are not kept and take a while.
    pub fn api_changes(
        &self,
        workspace: &Workspace,
        member: &Member,
        version: &str,
        earlier: &[u8],
        store: &BlobStore,
        announce: &dyn Fn(),
    ) -> Result<Vec<Change>, String> {
        // A binary's interface, its command line, is no API rustdoc describes.
        let Some(library) = member.library().map(|t| t.name.replace('-', "_")) else {
            return Err("it has no library, and a binary's command line is not compared".into());
        };
        let tool = self.api_tool.as_ref().map_err(Clone::clone)?;
        let name = member.name();
        let unpacked = self.unpacked.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let (dir, fingerprint) =
            unpacked.get(name).cloned().ok_or("its archive was not unpacked for the build")?;
        let needed = member_dependencies(workspace, member);
        let members: BTreeMap<&String, &(PathBuf, String)> =
            unpacked.iter().filter(|(other, _)| needed.contains(*other)).collect();
        let patches: Vec<String> = members
            .iter()
            .map(|(other, (path, _))| {
                let path = toml::Value::String(path.display().to_string());
                format!("patch.crates-io.{other}.path={path}")
            })
            .collect();
        let with_members: String = members
            .iter()
            .map(|(other, (_, fingerprint))| format!("{other} {fingerprint}\n"))
            .collect();
        let docs = DocsRsSettings::of(&member.package.metadata);
        let now = Side {
            dir: &dir,
            key: self.api_key(&[&fingerprint, &with_members, &format!("{docs:?}")]),
            library,
            docs,
        };
        let earlier_sha = crate::base::format::hex(&Sha256::digest(earlier));
        let earlier_key = self.api_key(&[&earlier_sha, &with_members]);
        let key = self.api_key(&[&tool.version, &earlier_key, &now.key]);
        if let Some(kept) = store.get(&key).and_then(|b| serde_json::from_slice(&b).ok()) {
            return Ok(kept);
        }
        announce();
        let current = self.rustdoc_json(&now, &patches, store)?;
        let baseline = match store.get(&earlier_key) {
            Some(json) => json,
            None => {
                let then = self.api.join("earlier").join(format!("{name}-{version}"));
                unpack_crate(earlier, &format!("{name}-{version}"), &then)?;
                let side = earlier_side(&then, name, earlier_key)?;
                self.rustdoc_json(&side, &patches, store)?
            }
        };
        let strip = |text: &str| {
            self.shown(text).replace(&format!("{name}-{}/", member.package.version), "")
        };
        let changes = tool.compare(&baseline, &current, &self.api.join("home"), &strip)?;
        store.replace(&key, &serde_json::to_vec(&changes).expect("serializes"));
        Ok(changes)
    }

    /// A key of the API cache: this tool's version, the toolchain, whether offline, and
    /// `parts`.
    fn api_key(&self, parts: &[&str]) -> String {
        let mut hasher = Sha256::new();
        hasher.update(concat!("api\n", env!("CARGO_PKG_VERSION"), "\n"));
        hasher.update(format!("{}\n{}\n", self.cargo_version, self.offline));
        for part in parts {
            hasher.update(format!("{part}\n\0"));
        }
        crate::base::format::hex(&hasher.finalize())
    }

    /// The side's rustdoc JSON: kept, or documented now (and kept).
    fn rustdoc_json(
        &self,
        side: &Side,
        patches: &[String],
        store: &BlobStore,
    ) -> Result<Vec<u8>, String> {
        if let Some(json) = store.get(&side.key) {
            return Ok(json);
        }
        let neutral = tempfile::tempdir().map_err(|e| format!("no temporary folder: {e}"))?;
        let target = self.api.join("target");
        let output = target.join("doc").join(format!("{}.json", side.library));
        let _ = std::fs::remove_file(&output);
        // A run of its own (see the module's documentation).
        let run: String = neutral
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().chars().filter(char::is_ascii_alphanumeric).collect())
            .unwrap_or_default();
        let mut rustdocflags: Vec<String> =
            ["-Zunstable-options", "--output-format", "json", "--cfg"].map(str::to_owned).into();
        rustdocflags.push(format!("cargo_readiness_{run}"));
        rustdocflags.extend(side.docs.rustdocflags.iter().cloned());
        let manifest = side.dir.join("Cargo.toml");
        let lock = side.dir.join("Cargo.lock");
        let had_lock = lock.exists();
        let mut cargo = Command::new(cargo_program());
        cargo.args(["doc", "--no-deps", "--lib", "--manifest-path"]).arg(&manifest);
        if self.offline {
            cargo.arg("--offline");
        }
        for patch in patches {
            cargo.arg("--config").arg(patch);
        }
        let ran = cargo
            .args(&side.docs.cargo_args)
            .current_dir(neutral.path())
            .env("CARGO_TARGET_DIR", &target)
            .env("RUSTC_BOOTSTRAP", "1")
            .env("DOCS_RS", "1")
            .env("CARGO_ENCODED_RUSTFLAGS", side.docs.rustflags.join("\x1f"))
            .env("CARGO_ENCODED_RUSTDOCFLAGS", rustdocflags.join("\x1f"))
            .env_remove("RUSTFLAGS")
            .env_remove("RUSTDOCFLAGS")
            .env_remove("RUSTC_WRAPPER")
            .env_remove("RUSTC_WORKSPACE_WRAPPER")
            .env_remove(rustdoc::DOCUMENT_VARIABLE)
            .output();
        // The build's folder stays as packaged (cargo writes a lock where there is none).
        if !had_lock {
            let _ = std::fs::remove_file(&lock);
        }
        let ran = ran.map_err(|e| format!("cargo could not be started: {e}"))?;
        if !ran.status.success() {
            return Err(format!(
                "its documentation did not build: {}",
                self.first_error(&ran.stderr)
            ));
        }
        let json = std::fs::read(&output).map_err(|e| format!("rustdoc wrote no JSON: {e}"))?;
        store.replace(&side.key, &json);
        Ok(json)
    }
    /// cargo's first error, and where it is (`error: … (globset-0.4.19/src/lib.rs:12:1)`).
    fn first_error(&self, stderr: &[u8]) -> String {
        let stderr = String::from_utf8_lossy(stderr);
        let mut lines = stderr.lines().skip_while(|line| !line.starts_with("error"));
        let error = lines.next().unwrap_or("cargo failed").trim();
        match lines.find_map(|line| line.trim().strip_prefix("--> ")) {
            Some(at) => self.shown(&format!("{error} ({at})")),
            None => self.shown(error),
        }
    }

    /// What cargo or cargo-semver-checks said, as a page shows it: the tool's folders left
    /// out (an unpacked archive is `<name>-<version>/`), secrets redacted.
    fn shown(&self, text: &str) -> String {
        let text = text
            .replace(&format!("{}/", self.sources.display()), "")
            .replace(&format!("{}/", self.api.join("earlier").display()), "")
            .replace(&format!("{}/", self.api.display()), "");
        crate::base::secrets::redact(&text).into_owned()
    }
}

/// The earlier archive unpacked in `dir`: its library and docs.rs settings, from its
/// manifest.
fn earlier_side<'s>(dir: &'s Path, name: &str, key: String) -> Result<Side<'s>, String> {
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
    let manifest: toml::Table = manifest.parse().map_err(|_| "its Cargo.toml is not TOML")?;
    let library = manifest
        .get("lib")
        .and_then(|lib| lib.get("name"))
        .and_then(toml::Value::as_str)
        .unwrap_or(name)
        .replace('-', "_");
    let metadata = manifest.get("package").and_then(|p| p.get("metadata"));
    let metadata = metadata.and_then(|m| serde_json::to_value(m).ok()).unwrap_or_default();
    Ok(Side { dir, library, docs: DocsRsSettings::of(&metadata), key })
}
