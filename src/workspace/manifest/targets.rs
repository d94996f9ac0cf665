//! Target discovery as cargo runs it (`cargo/util/toml/targets.rs`): the library,
//! binaries, examples, tests and benches a package has, each written out with a name and
//! a path so that the published manifest needs no discovery of its own.

use std::path::{Component, Path, PathBuf};

use cargo_util_schemas::manifest::{PathValue, TomlPackageBuild, TomlTarget};

use super::ManifestError;
use crate::base::paths::{Confinement, Resolver};

/// The package root, probed as cargo probes it (`exists`, `read_dir`), through the
/// repository's confinement: a link that leads outside the repository or into `.git/` is
/// treated as missing, so nothing outside is ever read.
pub struct PackageDir<'a> {
    root: &'a Path,
    resolver: std::cell::RefCell<Resolver<'a>>,
}

impl<'a> PackageDir<'a> {
    pub fn new(root: &'a Path, confinement: &'a Confinement) -> PackageDir<'a> {
        PackageDir { root, resolver: Resolver::new(confinement).into() }
    }

    pub(super) fn root(&self) -> &Path {
        self.root
    }

    fn resolve(&self, rel: &Path) -> Option<PathBuf> {
        self.resolver.borrow_mut().resolve(&self.root.join(rel)).ok()
    }

    pub(super) fn exists(&self, rel: &Path) -> bool {
        self.resolve(rel).is_some_and(|real| real.exists())
    }

    pub(super) fn is_file(&self, rel: &Path) -> bool {
        self.resolve(rel).is_some_and(|real| real.is_file())
    }

    /// The entries of the folder `rel`: name and whether it is a folder (not following a
    /// link, as `DirEntry::file_type`).
    fn read_dir(&self, rel: &Path) -> Vec<(std::ffi::OsString, bool)> {
        let Some(real) = self.resolve(rel) else { return Vec::new() };
        let Ok(entries) = std::fs::read_dir(real) else { return Vec::new() };
        entries
            .filter_map(Result::ok)
            .map(|e| (e.file_name(), e.file_type().is_ok_and(|t| t.is_dir())))
            .collect()
    }
}

/// `cargo_util::paths::normalize_path`: `.` dropped, `..` resolved lexically (kept at the
/// start of a relative path).
pub(super) fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if out.ends_with(Component::ParentDir) || (!out.pop() && !out.has_root()) {
                    out.push(Component::ParentDir);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Which targets a package has, given its edition and `auto*` switches.
pub(super) struct Discovery<'a, 'd> {
    pub dir: &'a PackageDir<'d>,
    pub package_name: &'a str,
    pub edition: &'a str,
}

impl Discovery<'_, '_> {
    fn is_2015(&self) -> bool {
        self.edition == "2015"
    }

    pub fn lib(
        &self,
        original: Option<&TomlTarget>,
        autolib: Option<bool>,
    ) -> Result<Option<TomlTarget>, ManifestError> {
        if is_normalized(original.map(std::slice::from_ref), autolib) {
            let Some(mut lib) = original.cloned() else { return Ok(None) };
            normalize_path(&mut lib);
            return Ok(Some(lib));
        }
        let inferred = Some(PathBuf::from("src/lib.rs")).filter(|p| self.dir.exists(p));
        let lib = original.cloned().or_else(|| {
            inferred
                .as_ref()
                .map(|path| TomlTarget { path: Some(PathValue(path.clone())), ..TomlTarget::new() })
        });
        let Some(mut lib) = lib else { return Ok(None) };
        let name = lib.name.get_or_insert_with(|| self.package_name.replace('-', "_")).clone();
        if lib.path.is_none() {
            let legacy = PathBuf::from(format!("src/{name}.rs"));
            lib.path = match inferred {
                Some(inferred) => Some(PathValue(inferred)),
                None if self.is_2015() && self.dir.exists(&legacy) => Some(PathValue(legacy)),
                None => {
                    return Err(ManifestError(format!(
                        "can't find library `{name}`, rename file to `src/lib.rs` or specify lib.path"
                    )));
                }
            };
        }
        normalize_path(&mut lib);
        Ok(Some(lib))
    }

    pub fn bins(
        &self,
        original: Option<&Vec<TomlTarget>>,
        autobins: Option<bool>,
        has_lib: bool,
    ) -> Result<Vec<TomlTarget>, ManifestError> {
        if is_normalized(original.map(Vec::as_slice), autobins) {
            return Ok(normalized_paths(original));
        }
        let mut inferred = Vec::new();
        if self.dir.exists(Path::new("src/main.rs")) {
            inferred.push((self.package_name.to_owned(), PathBuf::from("src/main.rs")));
        }
        inferred.extend(self.infer_from_directory(Path::new("src/bin")));
        let legacy = |bin: &TomlTarget| {
            let name = bin.name.as_deref().unwrap_or_default();
            let mut candidates = Vec::new();
            if !has_lib {
                candidates.push(PathBuf::from(format!("src/{name}.rs")));
            }
            candidates.push(PathBuf::from("src/main.rs"));
            candidates.push(PathBuf::from("src/bin/main.rs"));
            candidates.into_iter().find(|p| self.dir.exists(p))
        };
        let mut bins = Vec::new();
        for mut bin in self.with_inferred(original, &inferred, autobins) {
            let path = target_path(&bin, &inferred, self.is_2015(), &legacy)
                .map_err(|e| ManifestError(format!("binary target: {e}")))?;
            bin.path = Some(PathValue(lexical(&path)));
            bins.push(bin);
        }
        Ok(bins)
    }

    /// Examples, tests or benches: `dir` is their default folder, `auto` their switch.
    pub fn in_folder(
        &self,
        folder: &str,
        original: Option<&Vec<TomlTarget>>,
        auto: Option<bool>,
    ) -> Vec<TomlTarget> {
        if is_normalized(original.map(Vec::as_slice), auto) {
            return normalized_paths(original);
        }
        let inferred = self.infer_from_directory(Path::new(folder));
        let legacy = |bench: &TomlTarget| {
            let path = PathBuf::from("src/bench.rs");
            (folder == "benches"
                && bench.name.as_deref() == Some("bench")
                && self.dir.exists(&path))
            .then_some(path)
        };
        let mut targets = Vec::new();
        for mut target in self.with_inferred(original, &inferred, auto) {
            // A target whose path cannot be inferred is an error cargo reports later; it
            // is not part of the manifest.
            let Ok(path) = target_path(&target, &inferred, self.is_2015(), &legacy) else {
                continue;
            };
            target.path = Some(PathValue(lexical(&path)));
            targets.push(target);
        }
        targets
    }

    /// `toml_targets_and_inferred`: the declared targets plus the discovered ones no
    /// declared target names or points to, sorted by name.
    fn with_inferred(
        &self,
        original: Option<&Vec<TomlTarget>>,
        inferred: &[(String, PathBuf)],
        auto: Option<bool>,
    ) -> Vec<TomlTarget> {
        let as_targets = || {
            inferred.iter().map(|(name, path)| TomlTarget {
                name: Some(name.clone()),
                path: Some(PathValue(path.clone())),
                ..TomlTarget::new()
            })
        };
        let mut targets: Vec<TomlTarget> = match original {
            None if auto == Some(false) => Vec::new(),
            None => as_targets().collect(),
            Some(declared) => {
                let mut targets = declared.clone();
                let discover = auto.unwrap_or(!self.is_2015());
                if discover {
                    let names: Vec<_> = declared.iter().map(|t| t.name.clone()).collect();
                    let paths: Vec<_> = declared.iter().map(|t| t.path.clone()).collect();
                    targets.extend(as_targets().filter(|t| {
                        !names.contains(&t.name) && !paths.iter().any(|p| same_path(p, &t.path))
                    }));
                }
                targets
            }
        };
        targets.sort_by(|a, b| a.name.cmp(&b.name));
        targets
    }

    /// `infer_from_directory`: `folder/*.rs` and `folder/*/main.rs`, dotfiles and
    /// non-UTF-8 names skipped.
    fn infer_from_directory(&self, folder: &Path) -> Vec<(String, PathBuf)> {
        let mut found = Vec::new();
        for (name, is_dir) in self.dir.read_dir(folder) {
            let Some(name) = name.to_str() else { continue };
            if name.starts_with('.') {
                continue;
            }
            let path = folder.join(name);
            if is_dir {
                let main = path.join("main.rs");
                if self.dir.exists(&main) {
                    found.push((name.to_owned(), main));
                }
            } else if let Some(stem) = name.strip_suffix(".rs") {
                // `Path::file_stem` of `.rs` is `.rs`; dotfiles were skipped above.
                found.push((stem.to_owned(), path));
            }
        }
        found
    }
}

/// `package.build` as cargo normalizes it: `build.rs` found next to the manifest when
/// unset, paths made lexical.
pub(super) fn build(
    original: Option<&TomlPackageBuild>,
    dir: &PackageDir<'_>,
) -> Option<TomlPackageBuild> {
    Some(match original {
        None if dir.is_file(Path::new("build.rs")) => {
            TomlPackageBuild::SingleScript("build.rs".into())
        }
        None => TomlPackageBuild::Auto(false),
        Some(TomlPackageBuild::Auto(true)) => TomlPackageBuild::SingleScript("build.rs".into()),
        Some(TomlPackageBuild::SingleScript(file)) => {
            TomlPackageBuild::SingleScript(lexical(Path::new(file)).to_string_lossy().into_owned())
        }
        Some(other) => other.clone(),
    })
}

/// With `auto* = false` and every target named and placed, cargo takes them as written.
fn is_normalized(targets: Option<&[TomlTarget]>, auto: Option<bool>) -> bool {
    auto == Some(false)
        && targets
            .is_none_or(|targets| targets.iter().all(|t| t.name.is_some() && t.path.is_some()))
}

fn normalized_paths(targets: Option<&Vec<TomlTarget>>) -> Vec<TomlTarget> {
    let mut targets = targets.cloned().unwrap_or_default();
    targets.iter_mut().for_each(normalize_path);
    targets
}

fn normalize_path(target: &mut TomlTarget) {
    if let Some(PathValue(path)) = &target.path {
        target.path = Some(PathValue(lexical(path)));
    }
}

fn same_path(a: &Option<PathValue>, b: &Option<PathValue>) -> bool {
    match (a, b) {
        (Some(PathValue(a)), Some(PathValue(b))) => a == b,
        (None, None) => true,
        _ => false,
    }
}

/// `target_path`: the declared path, or the one discovered under the target's name (the
/// legacy location when `use_legacy` and nothing, or too much, was discovered).
fn target_path(
    target: &TomlTarget,
    inferred: &[(String, PathBuf)],
    use_legacy: bool,
    legacy: &dyn Fn(&TomlTarget) -> Option<PathBuf>,
) -> Result<PathBuf, String> {
    if let Some(PathValue(path)) = &target.path {
        return Ok(path.clone());
    }
    let name = target.name.as_deref().unwrap_or_default();
    let mut matching = inferred.iter().filter(|(n, _)| n == name).map(|(_, p)| p.clone());
    match (matching.next(), matching.next()) {
        (Some(path), None) => Ok(path),
        _ => match use_legacy.then(|| legacy(target)).flatten() {
            Some(path) => Ok(path),
            None => Err(format!("cannot infer the path of `{name}`")),
        },
    }
}
