//! `prepare_for_publish`: what cargo changes in the normalized manifest before it writes
//! it into the archive.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use cargo_util_schemas::manifest::{
    InheritableDependency, InheritableField, PathValue, StringOrBool, TomlDependency,
    TomlDetailedDependency, TomlManifest, TomlPackageBuild, TomlPlatform, TomlTarget,
};

use super::targets::{PackageDir, lexical};
use super::{ManifestError, Resolver, WorkspaceManifest};

type Dependencies = BTreeMap<cargo_util_schemas::manifest::PackageName, InheritableDependency>;

pub(super) fn prepare(
    me: TomlManifest,
    workspace: &WorkspaceManifest,
    dir: &PackageDir<'_>,
    packaged: &[PathBuf],
) -> Result<TomlManifest, ManifestError> {
    if me.cargo_features.iter().flatten().any(|f| f == "open-namespaces") {
        return Err(ManifestError("cannot publish with `open-namespaces`".into()));
    }
    let mut package = me.package.clone().expect("normalized manifests have a package");
    package.workspace = None;

    if let Some(TomlPackageBuild::SingleScript(_) | TomlPackageBuild::MultipleScript(_)) =
        &package.build
    {
        let scripts = match package.build.take() {
            Some(TomlPackageBuild::SingleScript(one)) => vec![one],
            Some(TomlPackageBuild::MultipleScript(many)) => many,
            _ => Vec::new(),
        };
        let mut included: Vec<String> =
            scripts.into_iter().filter(|s| packaged.contains(&PathBuf::from(s))).collect();
        package.build = Some(match included.len() {
            0 => TomlPackageBuild::Auto(false),
            1 => TomlPackageBuild::SingleScript(included.remove(0)),
            _ => TomlPackageBuild::MultipleScript(included),
        });
    }

    let edition = package.edition.as_ref().and_then(InheritableField::as_value);
    let current = match &package.resolver {
        Some(resolver) => Resolver::from_manifest(resolver)?,
        None => Resolver::of_edition(edition.map(String::as_str)),
    };
    if workspace.resolver != current {
        package.resolver = Some(workspace.resolver.to_manifest());
    }

    if let Some(InheritableField::Value(file)) = &package.license_file {
        package.license_file = Some(InheritableField::Value(inside_package(file, dir)));
    }
    if let Some(InheritableField::Value(StringOrBool::String(file))) = &package.readme {
        let file = inside_package(file, dir);
        package.readme = Some(InheritableField::Value(StringOrBool::String(file)));
    }

    let lib = me.lib.as_ref().and_then(|t| packaged_target(t, packaged));
    let targets = |list: &Option<Vec<TomlTarget>>| -> Option<Vec<TomlTarget>> {
        let kept: Vec<TomlTarget> =
            list.iter().flatten().filter_map(|t| packaged_target(t, packaged)).collect();
        (!kept.is_empty()).then_some(kept)
    };

    let all = |_: &TomlDependency| true;
    let versioned = TomlDependency::is_version_specified;
    let target = match &me.target {
        None => None,
        Some(platforms) => Some(
            platforms
                .iter()
                .map(|(name, tables)| {
                    Ok((
                        name.clone(),
                        TomlPlatform {
                            dependencies: map_deps(tables.dependencies.as_ref(), all)?,
                            dev_dependencies: map_deps(tables.dev_dependencies(), versioned)?,
                            dev_dependencies2: None,
                            build_dependencies: map_deps(tables.build_dependencies(), all)?,
                            build_dependencies2: None,
                        },
                    ))
                })
                .collect::<Result<BTreeMap<_, _>, ManifestError>>()?,
        ),
    };
    let mut manifest = TomlManifest {
        cargo_features: me.cargo_features.clone(),
        package: Some(package),
        project: None,
        badges: me.badges.clone(),
        features: me.features.clone(),
        lib,
        bin: targets(&me.bin),
        example: targets(&me.example),
        test: targets(&me.test),
        bench: targets(&me.bench),
        dependencies: map_deps(me.dependencies.as_ref(), all)?,
        dev_dependencies: map_deps(me.dev_dependencies(), versioned)?,
        dev_dependencies2: None,
        build_dependencies: map_deps(me.build_dependencies(), all)?,
        build_dependencies2: None,
        target,
        lints: me.lints.clone(),
        hints: me.hints.clone(),
        workspace: None,
        profile: me.profile.clone(),
        patch: None,
        replace: None,
        _unused_keys: Default::default(),
    };
    strip_features(&mut manifest);
    Ok(manifest)
}

/// A readme or license file path as it stands in the archive: relative to the package
/// root, or just its name when cargo copies it in from outside.
fn inside_package(file: &str, dir: &PackageDir<'_>) -> String {
    let absolute = crate::base::paths::normalize(&dir.root().join(file));
    match absolute.strip_prefix(dir.root()) {
        Ok(inside) => inside.to_string_lossy().into_owned(),
        Err(_) => Path::new(file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    }
}

/// `prepare_target_for_publish`: a target whose file is not packaged is dropped.
fn packaged_target(target: &TomlTarget, packaged: &[PathBuf]) -> Option<TomlTarget> {
    let PathValue(path) = target.path.as_ref()?;
    packaged
        .contains(path)
        .then(|| TomlTarget { path: Some(PathValue(lexical(path))), ..target.clone() })
}

/// `map_deps`: the dependencies `keep` accepts, without `path`, `git` and friends.
fn map_deps(
    deps: Option<&Dependencies>,
    keep: impl Fn(&TomlDependency) -> bool,
) -> Result<Option<Dependencies>, ManifestError> {
    let Some(deps) = deps else { return Ok(None) };
    let mut mapped = BTreeMap::new();
    for (name, dep) in deps {
        let InheritableDependency::Value(dep) = dep else { continue };
        if !keep(dep) {
            continue;
        }
        let detailed = match dep {
            TomlDependency::Simple(version) => {
                TomlDetailedDependency { version: Some(version.clone()), ..Default::default() }
            }
            TomlDependency::Detailed(detailed) => {
                if let Some(registry) = &detailed.registry {
                    // cargo writes the registry's index URL, which only the user's cargo
                    // configuration knows.
                    return Err(ManifestError(format!(
                        "dependency `{name}` names the registry `{registry}`, whose index URL comes from cargo's configuration"
                    )));
                }
                TomlDetailedDependency {
                    path: None,
                    base: None,
                    git: None,
                    branch: None,
                    tag: None,
                    rev: None,
                    ..detailed.clone()
                }
            }
        };
        mapped
            .insert(name.clone(), InheritableDependency::Value(TomlDependency::Detailed(detailed)));
    }
    Ok(Some(mapped))
}

/// `strip_features`: feature values naming a dependency that is no longer in the manifest
/// (a dev-dependency without a version) are dropped.
fn strip_features(manifest: &mut TomlManifest) {
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut add = |deps: Option<&Dependencies>| {
        names.extend(deps.into_iter().flatten().map(|(name, _)| name.to_string()));
    };
    add(manifest.dependencies.as_ref());
    add(manifest.dev_dependencies());
    add(manifest.build_dependencies());
    for platform in manifest.target.iter().flat_map(|t| t.values()) {
        add(platform.dependencies.as_ref());
        add(platform.dev_dependencies());
        add(platform.build_dependencies());
    }
    for values in manifest.features.iter_mut().flat_map(|f| f.values_mut()) {
        values.retain(|value| {
            let dependency = match value.split_once('/') {
                Some((dep, _)) => Some(dep.strip_suffix('?').unwrap_or(dep)),
                None => value.strip_prefix("dep:"),
            };
            dependency.is_none_or(|dep| names.contains(dep))
        });
    }
}
