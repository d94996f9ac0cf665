//! Checks of the version number against what changed since the crate's previous release
//! (or `--baseline`): the version verdict of the review stage
//! ([`crate::review::bump`]). Without a comparison, or (for what only the public API can
//! tell) without `--build`, each is "not checked" with the reason, never passed.

use super::{Outcome, ReviewSubject};
use crate::base::format::plural;
use crate::package::diff::compat::{Change, Level};
use crate::review::bump::{Bump, SemverReport, listed};

/// The version verdict, or the outcome that says why there is none.
fn verdict<'a>(s: &'a ReviewSubject) -> Result<&'a SemverReport, Outcome> {
    let report = s.semver.map_err(|why| Outcome::NotChecked(why.to_owned()))?;
    if report.prerelease() {
        return Err(Outcome::NotChecked(
            "a pre-release is compared, and semver promises nothing between pre-releases".into(),
        ));
    }
    Ok(report)
}

/// What a release of `bump` after `since` is called: `a major release (2.0.0)`.
fn release(report: &SemverReport, bump: Bump) -> String {
    let version = bump.apply(&report.versions.0);
    format!("{} ({version})", article(bump))
}

fn article(bump: Bump) -> &'static str {
    match bump {
        Bump::Major => "a major release",
        Bump::Minor => "a minor release",
        Bump::Patch => "a patch release",
        Bump::None => "the same version",
    }
}

pub fn too_small(s: &ReviewSubject) -> Outcome {
    let report = match verdict(s) {
        Ok(report) => report,
        Err(outcome) => return outcome,
    };
    let (since, version) = (&report.versions.0, &report.versions.1);
    let short = report.short_of(true);
    if !short.is_empty() {
        let breaking = short.iter().filter(|c| c.level == Level::Major).count();
        let what = match breaking {
            0 => plural(short.len(), "change"),
            n if n == short.len() => plural(n, "breaking change"),
            n => format!("{} ({n} breaking)", plural(short.len(), "change")),
        };
        return Outcome::fail(
            format!(
                "Since {since}: {what} ({}) — needs {}, the manifest says {version}.",
                listed(&short),
                report.required_bump.apply(since),
            ),
            format!(
                "Release it as {} (set `version` in Cargo.toml), or undo the changes; dependents that ask for `^{since}` would take this release and break.",
                release(report, report.required_bump)
            ),
        );
    }
    let largest = Bump::needed(since, Level::Major);
    match &report.api.reason {
        Some(why) if report.manifest_bump < largest => Outcome::NotChecked(format!(
            "the public API was not compared ({why}); the manifest's changes since {since} need no more than {version}"
        )),
        _ => Outcome::Pass(format!("Since {since}: nothing needs more than {version}.")),
    }
}

pub fn smaller_than_expected(s: &ReviewSubject) -> Outcome {
    let report = match verdict(s) {
        Ok(report) => report,
        Err(outcome) => return outcome,
    };
    let (since, version) = (&report.versions.0, &report.versions.1);
    let short: Vec<&Change> = report.short_of(false).into_iter().filter(|c| !c.required).collect();
    if let Some(most) = short.iter().map(|c| Bump::needed(since, c.level)).max() {
        return Outcome::fail(
            format!(
                "Since {since}: {} ({}) — {} is expected, the manifest says {version}.",
                plural(short.len(), "change"),
                listed(&short),
                release(report, most),
            ),
            "Cargo's SemVer guide files these under minor changes (a raised rust-version, an added item or feature) or, for a dependency's new major version, as breaking when the crate's API exposes its types: bump the version to match, or allow this check for the release if the change is meant for a patch.",
        );
    }
    match &report.api.reason {
        Some(why) if report.manifest_bump < Bump::needed(since, Level::Minor) => {
            Outcome::NotChecked(format!(
                "the public API was not compared ({why}), and only it tells what was added; the manifest's changes since {since} expect no more than {version}"
            ))
        }
        _ => Outcome::Pass(format!(
            "Since {since}: no convention or estimate asks for more than {version}."
        )),
    }
}

pub fn larger_than_needed(s: &ReviewSubject) -> Outcome {
    let report = match verdict(s) {
        Ok(report) => report,
        Err(outcome) => return outcome,
    };
    let (since, version) = (&report.versions.0, &report.versions.1);
    if report.manifest_bump <= report.expected_bump {
        return Outcome::Pass(format!(
            "{version} is no larger a step from {since} than its changes ask."
        ));
    }
    if let Some(why) = &report.api.reason {
        return Outcome::NotChecked(format!(
            "the public API was not compared ({why}), and what it gained decides how large a step {version} needs"
        ));
    }
    let needed = match report.expected_bump {
        Bump::None => "nothing published changed".to_owned(),
        bump => format!("its changes ask for no more than {}", release(report, bump)),
    };
    Outcome::fail(
        format!("{version} is {} after {since}, but {needed}.", article(report.manifest_bump)),
        "Fine if it is meant (a line of releases to mark, a change no tool sees); otherwise a smaller step spares dependents an update their `^` requirements do not take by themselves.",
    )
}
