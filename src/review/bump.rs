//! The version verdict: what changed since the crate's previous release (or `--baseline`)
//! that bears on its version number, the bump that asks for, and the bump the manifest
//! makes. The manifest-level changes come with every comparison
//! ([`crate::package::diff::compat`]); the public API's with `--build`
//! ([`crate::build`]'s API pass). `report.json` shows it as `crates[].semver`.
//!
//! Bumps are named by the place of the number that goes up, as cargo reads versions: a
//! breaking change of 1.4.2 needs 2.0.0 (major), of 0.3.1 needs 0.4.0 (minor), of 0.0.4
//! needs 0.0.5 (patch); a backwards-compatible addition to 1.4.2 asks for 1.5.0, to 0.3.1
//! only 0.3.2 (cargo takes 0.3.2 for a compatible 0.3.1).

use semver::Version;
use serde::Serialize;

use crate::base::shown::Shown;
use crate::package::diff::compat::{Change, Level};
use crate::package::diff::{Compared, Status};

/// Changes listed in one sentence before the rest are counted.
const LISTED: usize = 5;

/// `function demo::parse: pub fn removed or renamed; features.std: feature removed`.
pub fn listed(changes: &[&Change]) -> String {
    let mut parts: Vec<String> =
        changes.iter().take(LISTED).map(|c| format!("{}: {}", c.item, c.summary)).collect();
    if changes.len() > LISTED {
        parts.push(format!("{} more", changes.len() - LISTED));
    }
    parts.join("; ")
}

/// Which number of the version goes up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

impl Bump {
    /// The bump from `old` to `new` (`None` when `new` is not above `old` by any place).
    pub fn between(old: &Version, new: &Version) -> Bump {
        if new.major != old.major {
            return if new.major > old.major { Bump::Major } else { Bump::None };
        }
        if new.minor != old.minor {
            return if new.minor > old.minor { Bump::Minor } else { Bump::None };
        }
        if new.patch > old.patch { Bump::Patch } else { Bump::None }
    }

    /// The bump a change of `level` needs after `old`, by cargo's rules for 0.y.z and
    /// 0.0.z.
    pub fn needed(old: &Version, level: Level) -> Bump {
        match (level, old.major, old.minor) {
            (Level::Major, 1.., _) => Bump::Major,
            (Level::Major, 0, 1..) | (Level::Minor, 1.., _) => Bump::Minor,
            _ => Bump::Patch,
        }
    }

    /// The lowest version `self` above `old`.
    pub fn apply(self, old: &Version) -> Version {
        match self {
            Bump::None => old.clone(),
            Bump::Patch => Version::new(old.major, old.minor, old.patch + 1),
            Bump::Minor => Version::new(old.major, old.minor + 1, 0),
            Bump::Major => Version::new(old.major + 1, 0, 0),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

/// What the crate is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Against {
    /// Its previous release on the registry (`--online`).
    PreviousRelease,
    /// A git revision (`--baseline`).
    Baseline,
}

/// Whether the public API was compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiComparison {
    pub compared: bool,
    /// Why it was not (the build check off, the tool missing, the documentation failing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Shown>,
}

/// `crates[].semver`: the version verdict of one crate.
#[derive(Debug, Clone, Serialize)]
pub struct SemverReport {
    pub compared_with: Against,
    /// The version compared with.
    pub since: Shown,
    /// With `--baseline`: the revision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rev: Option<Shown>,
    /// The bump semver requires (breaking changes, lints cargo-semver-checks denies), and
    /// the lowest version that makes it (`null` when none is required).
    pub required_bump: Bump,
    pub required_version: Option<Shown>,
    /// The bump every change asks for, conventions and estimates included (a raised
    /// `rust-version`, an added item, a dependency's new major version), and any change of
    /// a published file at least a patch.
    pub expected_bump: Bump,
    pub expected_version: Option<Shown>,
    /// The bump from `since` to the manifest's version.
    pub manifest_bump: Bump,
    /// Each change, manifest first, then the API's.
    pub changes: Vec<Change>,
    pub api: ApiComparison,
    /// The two versions, for the checks.
    #[serde(skip)]
    pub versions: (Version, Version),
}

impl SemverReport {
    /// The verdict of a crate at `version` compared with `compared` (changed or unchanged),
    /// its API's changes (or why they are not known) added.
    pub fn new(
        against: Against,
        compared: &Compared,
        version: &Version,
        api: Result<Vec<Change>, String>,
    ) -> Option<SemverReport> {
        let comparison = &compared.comparison;
        let earlier = compared.earlier.as_ref()?;
        let since: Version = comparison.version.as_deref()?.parse().ok()?;
        let mut changes = earlier.changes.clone();
        let api = match api {
            Ok(found) => {
                changes.extend(found);
                ApiComparison { compared: true, reason: None }
            }
            Err(why) => ApiComparison { compared: false, reason: Some(Shown::new(why)) },
        };
        let needed = |required_only: bool| {
            changes
                .iter()
                .filter(|c| c.required || !required_only)
                .map(|c| Bump::needed(&since, c.level))
                .max()
                .unwrap_or(Bump::None)
        };
        let required = needed(true);
        let changed = comparison.status == Status::Changed;
        let expected = needed(false).max(if changed { Bump::Patch } else { Bump::None });
        let version_of =
            |bump: Bump| (bump != Bump::None).then(|| Shown::new(bump.apply(&since).to_string()));
        Some(SemverReport {
            compared_with: against,
            since: Shown::new(since.to_string()),
            rev: comparison.rev.as_deref().map(Shown::new),
            required_bump: required,
            required_version: version_of(required),
            expected_bump: expected,
            expected_version: version_of(expected),
            manifest_bump: Bump::between(&since, version),
            changes,
            api,
            versions: (since, version.clone()),
        })
    }

    /// Either version is a pre-release, between which semver promises nothing.
    pub fn prerelease(&self) -> bool {
        !self.versions.0.pre.is_empty() || !self.versions.1.pre.is_empty()
    }

    /// The changes that ask for more than the manifest's bump (`required`: only those
    /// semver requires).
    pub fn short_of(&self, required: bool) -> Vec<&Change> {
        let since = &self.versions.0;
        self.changes
            .iter()
            .filter(|c| c.required || !required)
            .filter(|c| Bump::needed(since, c.level) > self.manifest_bump)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        text.parse().unwrap()
    }

    #[test]
    fn bumps_follow_cargos_reading_of_versions() {
        let needed = |old: &str, level| Bump::needed(&v(old), level).apply(&v(old)).to_string();
        assert_eq!(needed("1.4.2", Level::Major), "2.0.0");
        assert_eq!(needed("1.4.2", Level::Minor), "1.5.0");
        assert_eq!(needed("0.3.1", Level::Major), "0.4.0");
        assert_eq!(needed("0.3.1", Level::Minor), "0.3.2");
        assert_eq!(needed("0.0.4", Level::Major), "0.0.5");
        assert_eq!(needed("0.0.4", Level::Minor), "0.0.5");
        assert_eq!(Bump::between(&v("1.4.2"), &v("1.5.0")), Bump::Minor);
        assert_eq!(Bump::between(&v("1.4.2"), &v("2.0.0")), Bump::Major);
        assert_eq!(Bump::between(&v("0.3.1"), &v("0.3.2")), Bump::Patch);
        assert_eq!(Bump::between(&v("1.4.2"), &v("1.4.2")), Bump::None);
        assert_eq!(Bump::between(&v("1.4.2"), &v("1.3.9")), Bump::None);
        assert_eq!(Bump::between(&v("1.4.2"), &v("1.5.0-rc.1")), Bump::Minor);
    }
}
