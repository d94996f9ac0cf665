//! Checks against what the registry already holds (`--online`). Without an answer from
//! the registry each of them is "not checked", never passed.

use cargo_metadata::{Dependency, DependencyKind};

use super::{Outcome, Subject};
use crate::base::format::plural;
use crate::package::Content;
use crate::registry::index::{self, Published};
use crate::registry::{Facts, published_dependencies};

/// What the registry holds of the crate itself, or the outcome that says it is unknown.
fn own<'a>(s: &'a Subject) -> Result<Option<&'a Published>, Outcome> {
    s.registry.lookup(s.member.name()).map_err(Outcome::NotChecked)
}

pub fn already_published(s: &Subject) -> Outcome {
    let (name, version) = (s.member.name(), &s.member.package.version);
    let registry = &s.registry.registry;
    let published = match own(s) {
        Ok(Some(published)) => published,
        Ok(None) => return Outcome::Pass(format!("{name} is not on {registry} yet.")),
        Err(outcome) => return outcome,
    };
    match published.release(version) {
        None => Outcome::Pass(format!(
            "{version} is not on {registry} yet ({}).",
            plural(published.releases.len(), "release")
        )),
        Some(release) => Outcome::fail(
            format!(
                "{name} {} is already on {registry}{}: a version can never be published twice{}.",
                release.version,
                if release.yanked { " (yanked)" } else { "" },
                if release.version.build != version.build {
                    " (build metadata does not tell versions apart)"
                } else {
                    ""
                }
            ),
            "Bump the version in Cargo.toml (cargo set-version, or by hand) before publishing.",
        ),
    }
}

pub fn version_not_greater(s: &Subject) -> Outcome {
    let version = &s.member.package.version;
    let registry = &s.registry.registry;
    let highest = match own(s) {
        Ok(Some(published)) => published.highest(),
        Ok(None) => None,
        Err(outcome) => return outcome,
    };
    match highest {
        None => Outcome::Pass(format!("No release on {registry} yet.")),
        Some(highest) if index::compare(version, &highest.version).is_gt() => Outcome::Pass(
            format!("{version} is greater than the latest release, {}.", highest.version),
        ),
        Some(highest) if index::same(version, &highest.version) => Outcome::Pass(format!(
            "{version} is the latest release (see version-already-published)."
        )),
        Some(highest) => Outcome::fail(
            format!(
                "{version} is not greater than the latest release on {registry}, {}{}: users who ask for the latest version will not get this one.",
                highest.version,
                if highest.yanked { " (yanked)" } else { "" }
            ),
            "Bump the version past the latest release; a fix for an older line (a backport) is fine, and can be allowed in [package.metadata.readiness.checks].",
        ),
    }
}

pub fn version_skipped(s: &Subject) -> Outcome {
    let version = &s.member.package.version;
    let previous = match own(s) {
        Ok(Some(published)) => published.previous(version),
        Ok(None) => None,
        Err(outcome) => return outcome,
    };
    match previous {
        None => Outcome::Pass("No earlier release to follow.".into()),
        Some(previous) if index::skipped(&previous.version, version) => Outcome::fail(
            format!(
                "{version} skips a version after {}: users may look for the releases in between.",
                previous.version
            ),
            "If that is meant (a release line abandoned, say), say so in the changelog.",
        ),
        Some(previous) => Outcome::Pass(format!("{version} follows {}.", previous.version)),
    }
}

pub fn name_taken(s: &Subject) -> Outcome {
    let name = s.member.name();
    let registry = &s.registry.registry;
    match own(s) {
        Ok(Some(published)) if published.name != name && !published.name.is_empty() => {
            return Outcome::fail(
                format!(
                    "{registry} has this crate as `{}`: it treats names that differ by case as the same, and refuses `{name}`.",
                    published.name
                ),
                format!("Spell the name `{}`, or choose another name.", published.name),
            );
        }
        Ok(Some(_)) => return Outcome::Pass(format!("{name} is this crate's name on {registry}.")),
        Ok(None) => {}
        Err(outcome) => return outcome,
    }
    let (found, asked) = s.registry.spellings(name);
    match found.first() {
        None => Outcome::Pass(format!(
            "The name is free on {registry} ({} by `-` and `_` asked).",
            plural(asked + 1, "spelling")
        )),
        Some(other) => Outcome::fail(
            format!(
                "{registry} already has `{}`, which it treats as the same name as `{name}` (`-` and `_` are the same to it): the name is taken.",
                other.name
            ),
            "Choose another name.",
        ),
    }
}

/// Why a requirement cannot be met, if it cannot.
fn unmet(dependency: &Dependency, published: Option<&Published>, registry: &str) -> Option<String> {
    let table = match dependency.kind {
        DependencyKind::Development => "dev-dependencies",
        DependencyKind::Build => "build-dependencies",
        _ => "dependencies",
    };
    let what = format!("{} {} ([{table}])", dependency.name, dependency.req);
    let Some(published) = published else {
        return Some(format!("{what}: no crate of that name on {registry}"));
    };
    let matching: Vec<_> =
        published.releases.iter().filter(|r| dependency.req.matches(&r.version)).collect();
    if matching.is_empty() {
        Some(format!("{what}: no published version matches"))
    } else if matching.iter().all(|r| r.yanked) {
        Some(format!("{what}: only yanked versions match"))
    } else {
        None
    }
}

pub fn dependency_unsatisfiable(s: &Subject) -> Outcome {
    let facts: &Facts = s.registry;
    if let Err(outcome) = own(s) {
        return outcome;
    }
    let dependencies = published_dependencies(s.workspace, s.member, &facts.source);
    let mut problems = Vec::new();
    for dependency in &dependencies {
        match facts.lookup(&dependency.name) {
            Err(why) => return Outcome::NotChecked(why),
            Ok(published) => problems.extend(unmet(dependency, published, &facts.registry)),
        }
    }
    if problems.is_empty() {
        return Outcome::Pass(format!(
            "Each of {} is met by a release on {} that is not yanked.",
            plural(dependencies.len(), "requirement"),
            facts.registry
        ));
    }
    problems.sort();
    problems.dedup();
    Outcome::fail(
        format!(
            "{} cannot be resolved from {}: {}.",
            plural(problems.len(), "requirement"),
            facts.registry,
            problems.join("; ")
        ),
        "Require a version that is published and not yanked (cargo search NAME lists the latest); a dependency that is not published must be published first.",
    )
}

pub fn locked_yanked(s: &Subject) -> Outcome {
    let facts: &Facts = s.registry;
    if let Err(outcome) = own(s) {
        return outcome;
    }
    let lock = s.archive.files.iter().find(|f| f.path.as_os_str() == "Cargo.lock");
    let Some(Content::Bytes(lock)) = lock.map(|f| &f.content) else {
        return Outcome::Pass("No Cargo.lock in the archive.".into());
    };
    let packages = crate::registry::locked_packages(&String::from_utf8_lossy(lock), &facts.source);
    let mut yanked = Vec::new();
    let mut checked = 0;
    for (name, version) in packages.iter().filter(|(n, _)| s.workspace.member(n).is_none()) {
        match facts.lookup(name) {
            Err(why) => return Outcome::NotChecked(why),
            Ok(published) => {
                checked += 1;
                let release = published.and_then(|p| p.release(version));
                if release.is_some_and(|r| r.yanked) {
                    yanked.push(format!("{name} {version}"));
                }
            }
        }
    }
    if yanked.is_empty() {
        return Outcome::Pass(format!(
            "None of the {} the packaged Cargo.lock pins is yanked.",
            plural(checked, "registry package")
        ));
    }
    Outcome::fail(
        format!(
            "The packaged Cargo.lock pins {} that {} yanked: {}.",
            plural(yanked.len(), "version"),
            facts.registry,
            yanked.join(", ")
        ),
        "Run cargo update -p NAME to move off a yanked version (its authors withdrew it, often for a bug or a security issue).",
    )
}
