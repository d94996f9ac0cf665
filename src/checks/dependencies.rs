//! Checks on the dependencies that will stand in the published manifest.

use cargo_metadata::{Dependency, DependencyKind};

use super::{Outcome, Subject};
use crate::base::format::plural;

const MAX_DEPENDENCIES: usize = 500;

/// Normal and build dependencies: dev-dependencies without a version are dropped by cargo.
fn kept(dep: &Dependency) -> bool {
    matches!(dep.kind, DependencyKind::Normal | DependencyKind::Build)
}

fn is_git(dep: &Dependency) -> bool {
    dep.source.as_ref().is_some_and(|s| s.repr.starts_with("git+"))
}

fn kind_table(dep: &Dependency) -> &'static str {
    match dep.kind {
        DependencyKind::Build => "build-dependencies",
        DependencyKind::Development => "dev-dependencies",
        _ => "dependencies",
    }
}

pub fn without_version(s: &Subject) -> Outcome {
    let bad: Vec<&Dependency> = s
        .member
        .package
        .dependencies
        .iter()
        .filter(|d| crate::package::refuses_unversioned(d))
        .collect();
    if bad.is_empty() {
        return Outcome::Pass("Every path and git dependency also names a version.".into());
    }
    let names: Vec<String> =
        bad.iter().map(|d| format!("{} ([{}])", d.name, kind_table(d))).collect();
    let example = bad[0];
    let version = s.workspace.member(&example.name).map(|m| m.package.version.to_string());
    Outcome::fail(
        format!(
            "cargo package refuses {}: all dependencies must have a version requirement: {}.",
            plural(bad.len(), "dependency"),
            names.join(", ")
        ),
        format!(
            "Add the version that will be on crates.io beside the path: {} = {{ path = \"…\", version = \"{}\" }}.",
            example.name,
            version.as_deref().unwrap_or("x.y")
        ),
    )
}

pub fn wildcard(s: &Subject) -> Outcome {
    let bad: Vec<String> = s
        .member
        .package
        .dependencies
        .iter()
        .filter(|d| kept(d) && d.path.is_none() && !is_git(d) && d.req.comparators.is_empty())
        .map(|d| format!("{} ([{}])", d.name, kind_table(d)))
        .collect();
    if bad.is_empty() {
        return Outcome::Pass("No dependency uses a `*` requirement.".into());
    }
    Outcome::fail(
        format!("crates.io refuses wildcard dependency constraints: {}.", bad.join(", ")),
        "Require the version you build and test with, e.g. serde = \"1\".",
    )
}

pub fn too_many(s: &Subject) -> Outcome {
    let n = s.member.package.dependencies.len();
    if n <= MAX_DEPENDENCIES {
        Outcome::Pass(format!("{} of at most 500.", plural(n, "dependency")))
    } else {
        Outcome::fail(
            format!("The manifest has {n} dependencies; crates.io accepts at most 500."),
            "Split the crate, or drop dependencies.",
        )
    }
}

/// Dependencies on workspace members, as they stand in the published manifest.
fn member_dependencies<'a>(
    s: &'a Subject,
) -> impl Iterator<Item = (&'a Dependency, &'a crate::workspace::Member)> {
    s.member.package.dependencies.iter().filter_map(|d| {
        let member = s.workspace.member(&d.name)?;
        let published = kept(d) || !d.req.comparators.is_empty();
        (d.path.is_some() && published && member.name() != s.member.name()).then_some((d, member))
    })
}

pub fn unpublished_member(s: &Subject) -> Outcome {
    let bad: Vec<String> = member_dependencies(s)
        .filter(|(_, m)| !m.publish)
        .map(|(d, m)| format!("{} ([{}], {})", m.name(), kind_table(d), m.manifest_rel))
        .collect();
    if bad.is_empty() {
        return Outcome::Pass("Every workspace crate it depends on is published.".into());
    }
    Outcome::fail(
        format!(
            "It depends on workspace crates that are never published (publish = false), so crates.io cannot resolve it: {}.",
            bad.join(", ")
        ),
        "Publish those crates too (remove publish = false), or make the dependency a dev-dependency without a version, or drop it.",
    )
}

pub fn version_mismatch(s: &Subject) -> Outcome {
    let bad: Vec<String> = member_dependencies(s)
        .filter(|(d, m)| !d.req.comparators.is_empty() && !d.req.matches(&m.package.version))
        .map(|(d, m)| {
            format!("{} = \"{}\" but {} is {}", d.name, d.req, m.name(), m.package.version)
        })
        .collect();
    if bad.is_empty() {
        return Outcome::Pass(
            "Every requirement on a workspace crate matches its current version.".into(),
        );
    }
    Outcome::fail(
        format!(
            "Requirements on workspace crates that their current versions do not satisfy; on crates.io they would resolve to some other release: {}.",
            bad.join("; ")
        ),
        "Update the version requirement to the member's version (or bump the member).",
    )
}
