//! `normalize_toml`: the member's manifest with every `workspace = true` resolved from the
//! workspace root, its README found, and its targets written out.

use std::collections::BTreeMap;
use std::path::Path;

use cargo_util_schemas::manifest::{
    InheritableDependency, InheritableField, InheritableLints, PackageName, StringOrBool,
    TomlDependency, TomlDetailedDependency, TomlManifest, TomlPackage, TomlPlatform,
};

use super::targets::{self, Discovery, PackageDir};
use super::{ManifestError, WorkspaceManifest};
use crate::base::paths;

type Dependencies = BTreeMap<PackageName, InheritableDependency>;

/// `field_inherit_with`: the value written, or the one `[workspace.package]` gives.
pub(super) fn inherit_field<T>(
    field: InheritableField<T>,
    label: &str,
    from_workspace: impl FnOnce() -> Option<T>,
) -> Result<T, ManifestError> {
    match field {
        InheritableField::Value(value) => Ok(value),
        InheritableField::Inherit(_) => from_workspace().ok_or_else(|| {
            ManifestError(format!(
                "error inheriting `{label}` from workspace root manifest's `workspace.package.{label}`"
            ))
        }),
    }
}

pub(super) fn normalize(
    original: &TomlManifest,
    workspace: &WorkspaceManifest,
    dir: &PackageDir<'_>,
) -> Result<TomlManifest, ManifestError> {
    let Some(original_package) = original.package() else {
        return Err(ManifestError("a virtual manifest has no package to publish".into()));
    };
    let package = normalize_package(original_package, workspace, dir)?;
    let name = package.name.as_ref().map(|n| n.to_string()).unwrap_or_default();
    let edition = match &package.edition {
        Some(InheritableField::Value(edition)) => edition.clone(),
        _ => "2015".to_owned(),
    };
    let discovery = Discovery { dir, package_name: &name, edition: &edition };
    let lib = discovery.lib(original.lib.as_ref(), original_package.autolib)?;
    let bin = discovery.bins(original.bin.as_ref(), original_package.autobins, lib.is_some())?;
    let example =
        discovery.in_folder("examples", original.example.as_ref(), original_package.autoexamples);
    let test = discovery.in_folder("tests", original.test.as_ref(), original_package.autotests);
    let bench =
        discovery.in_folder("benches", original.bench.as_ref(), original_package.autobenches);

    let deps = |table: Option<&Dependencies>| normalize_dependencies(table, workspace, dir);
    let mut target = BTreeMap::new();
    for (platform, tables) in original.target.iter().flatten() {
        target.insert(
            platform.clone(),
            TomlPlatform {
                dependencies: deps(tables.dependencies.as_ref())?,
                build_dependencies: deps(tables.build_dependencies())?,
                build_dependencies2: None,
                dev_dependencies: deps(tables.dev_dependencies())?,
                dev_dependencies2: None,
            },
        );
    }
    let lints = match original.lints.clone() {
        None => None,
        Some(lints) if lints.workspace => {
            if !lints.lints.is_empty() {
                return Err(ManifestError(
                    "cannot override `workspace.lints` in `lints`, either remove the overrides or `lints.workspace = true` and manually specify the lints".into(),
                ));
            }
            let lints = workspace.lints.clone().ok_or_else(|| {
                ManifestError(
                    "error inheriting `lints` from workspace root manifest's `workspace.lints`"
                        .into(),
                )
            })?;
            Some(InheritableLints { workspace: false, lints })
        }
        Some(lints) => Some(lints),
    };

    Ok(TomlManifest {
        cargo_features: original.cargo_features.clone(),
        package: Some(Box::new(package)),
        project: None,
        badges: original.badges.clone(),
        features: original.features.clone(),
        lib,
        bin: Some(bin),
        example: Some(example),
        test: Some(test),
        bench: Some(bench),
        dependencies: deps(original.dependencies.as_ref())?,
        dev_dependencies: deps(original.dev_dependencies())?,
        dev_dependencies2: None,
        build_dependencies: deps(original.build_dependencies())?,
        build_dependencies2: None,
        target: (!target.is_empty()).then_some(target),
        lints,
        hints: original.hints.clone(),
        workspace: original.workspace.clone(),
        profile: original.profile.clone(),
        patch: original.patch.clone(),
        replace: original.replace.clone(),
        _unused_keys: Default::default(),
    })
}

/// `normalize_package_toml`.
fn normalize_package(
    original: &TomlPackage,
    workspace: &WorkspaceManifest,
    dir: &PackageDir<'_>,
) -> Result<TomlPackage, ManifestError> {
    let ws = workspace.package.as_ref();
    macro_rules! inherit {
        ($field:ident, $label:literal) => {
            original
                .$field
                .clone()
                .map(|value| inherit_field(value, $label, || ws.and_then(|p| p.$field.clone())))
                .transpose()?
                .map(InheritableField::Value)
        };
    }
    if original.name.is_none() {
        return Err(ManifestError("missing field `package.name`".into()));
    }
    let readme = match original.readme.clone() {
        Some(field) => Some(inherit_field(field, "readme", || workspace_readme(workspace, dir))?),
        None => None,
    };
    let readme = match readme_file(readme.as_ref(), dir) {
        Some(file) => StringOrBool::String(file),
        None => StringOrBool::Bool(false),
    };
    let license_file = original
        .license_file
        .clone()
        .map(|field| {
            inherit_field(field, "license-file", || {
                let file = ws?.license_file.as_ref()?;
                Some(relative_to_package(&workspace.root, Path::new(file), dir))
            })
        })
        .transpose()?
        .map(InheritableField::Value);

    Ok(TomlPackage {
        edition: inherit!(edition, "edition"),
        rust_version: inherit!(rust_version, "rust-version"),
        name: original.name.clone(),
        version: inherit!(version, "version"),
        authors: inherit!(authors, "authors"),
        build: targets::build(original.build.as_ref(), dir),
        metabuild: original.metabuild.clone(),
        default_target: original.default_target.clone(),
        forced_target: original.forced_target.clone(),
        links: original.links.clone(),
        exclude: inherit!(exclude, "exclude"),
        include: inherit!(include, "include"),
        publish: inherit!(publish, "publish"),
        workspace: original.workspace.clone(),
        im_a_teapot: original.im_a_teapot,
        autolib: Some(false),
        autobins: Some(false),
        autoexamples: Some(false),
        autotests: Some(false),
        autobenches: Some(false),
        default_run: original.default_run.clone(),
        description: inherit!(description, "description"),
        homepage: inherit!(homepage, "homepage"),
        documentation: inherit!(documentation, "documentation"),
        readme: Some(InheritableField::Value(readme)),
        keywords: inherit!(keywords, "keywords"),
        categories: inherit!(categories, "categories"),
        license: inherit!(license, "license"),
        license_file,
        repository: inherit!(repository, "repository"),
        resolver: original.resolver.clone(),
        metadata: original.metadata.clone(),
        _invalid_cargo_features: Default::default(),
    })
}

/// `normalize_package_readme`: `true` is `README.md`, `false` none, unset the first of
/// `README.md`, `README.txt`, `README` next to the manifest.
fn readme_file(readme: Option<&StringOrBool>, dir: &PackageDir<'_>) -> Option<String> {
    match readme {
        None => ["README.md", "README.txt", "README"]
            .into_iter()
            .find(|name| dir.is_file(Path::new(name)))
            .map(str::to_owned),
        Some(StringOrBool::Bool(false)) => None,
        Some(StringOrBool::Bool(true)) => Some("README.md".into()),
        Some(StringOrBool::String(file)) => Some(file.clone()),
    }
}

/// `workspace.package.readme`, as a path from the member: unset means the workspace
/// root's default README (found there, not in the member).
fn workspace_readme(workspace: &WorkspaceManifest, dir: &PackageDir<'_>) -> Option<StringOrBool> {
    let declared = workspace.package.as_ref()?.readme.as_ref();
    let file = match declared {
        None => ["README.md", "README.txt", "README"]
            .into_iter()
            .find(|name| workspace.root.join(name).is_file())?
            .to_owned(),
        Some(StringOrBool::Bool(false)) => return None,
        Some(StringOrBool::Bool(true)) => "README.md".to_owned(),
        Some(StringOrBool::String(file)) => file.clone(),
    };
    Some(StringOrBool::String(relative_to_package(&workspace.root, Path::new(&file), dir)))
}

/// `resolve_relative_path`: `file`, relative to the workspace root, as a path from the
/// package root (`../LICENSE`).
fn relative_to_package(ws_root: &Path, file: &Path, dir: &PackageDir<'_>) -> String {
    let target = paths::normalize(&ws_root.join(file));
    let mut from = dir.root().to_path_buf();
    let mut ups = 0;
    while !target.starts_with(&from) {
        if !from.pop() {
            break;
        }
        ups += 1;
    }
    let mut out = std::path::PathBuf::new();
    (0..ups).for_each(|_| out.push(".."));
    out.push(target.strip_prefix(&from).unwrap_or(&target));
    out.to_string_lossy().into_owned()
}

/// `normalize_dependencies`: each dependency inherited where it says `workspace = true`;
/// `public` dropped (stable cargo ignores it).
fn normalize_dependencies(
    table: Option<&Dependencies>,
    workspace: &WorkspaceManifest,
    dir: &PackageDir<'_>,
) -> Result<Option<Dependencies>, ManifestError> {
    let Some(table) = table else { return Ok(None) };
    let mut normalized = BTreeMap::new();
    for (name, dependency) in table {
        let mut dependency = match dependency.clone() {
            InheritableDependency::Value(value) => value,
            InheritableDependency::Inherit(member) => {
                inherit_dependency(name, &member, workspace, dir)?
            }
        };
        if let TomlDependency::Detailed(detailed) = &mut dependency {
            detailed.public = None;
            detailed.base = None;
        }
        normalized.insert(name.clone(), InheritableDependency::Value(dependency));
    }
    Ok(Some(normalized))
}

/// `inner_dependency_inherit_with`: the workspace's entry, with the member's features
/// appended and its `optional` and `default-features = true` applied.
fn inherit_dependency(
    name: &PackageName,
    member: &cargo_util_schemas::manifest::TomlInheritedDependency,
    workspace: &WorkspaceManifest,
    dir: &PackageDir<'_>,
) -> Result<TomlDependency, ManifestError> {
    let missing = || {
        ManifestError(format!(
            "error inheriting `{name}` from workspace root manifest's `workspace.dependencies.{name}`"
        ))
    };
    let declared = workspace.dependencies.as_ref().and_then(|d| d.get(name)).ok_or_else(missing)?;
    let mut merged = match declared.clone() {
        TomlDependency::Simple(version) => {
            TomlDetailedDependency { version: Some(version), ..Default::default() }
        }
        TomlDependency::Detailed(detailed) => detailed,
    };
    if merged.base.is_none()
        && let Some(path) = &merged.path
    {
        merged.path = Some(relative_to_package(&workspace.root, Path::new(path), dir));
    }
    if member.default_features() == Some(true) && merged.default_features() == Some(false) {
        merged.default_features = Some(true);
    }
    merged.features = match (merged.features.take(), member.features.clone()) {
        (Some(mut declared), Some(added)) => {
            declared.extend(added);
            Some(declared)
        }
        (declared, added) => declared.or(added),
    };
    merged.optional = member.optional;
    merged.public = member.public;
    Ok(TomlDependency::Detailed(merged))
}
