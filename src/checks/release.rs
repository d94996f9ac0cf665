//! Checks against the crate's last release tag (`--baseline`, when what it compares with is
//! a tag): a crate whose published content changed since the release while its version
//! stayed the released one cannot be published as that version again. A blocker when the
//! registry (`--online`) already holds that version, a warning otherwise.

use super::{Outcome, ReviewSubject, Severity};
use crate::package::diff::{Comparison, Status};

pub fn version_not_bumped(s: &ReviewSubject) -> Outcome {
    let Some(comparison) = s.baseline else {
        return Outcome::NotChecked(
            "not compared with a release tag (run with --baseline auto)".to_owned(),
        );
    };
    let name = s.member.name();
    let version = &s.member.package.version;
    let registry = &s.registry.registry;
    // Whether the registry holds the crate's version (the released one, when it failed).
    let published = match s.registry.lookup(name) {
        Ok(found) => Ok(found.is_some_and(|p| p.release(version).is_some())),
        Err(why) => Err(why),
    };
    against(name, version, comparison, s.tagged, registry, published)
}

/// The check for `name` at `version`, compared with `comparison` (a release when `tagged`);
/// `published` says whether `registry` holds `version`, or why that is not known.
fn against(
    name: &str,
    version: &semver::Version,
    comparison: &Comparison,
    tagged: bool,
    registry: &str,
    published: Result<bool, String>,
) -> Outcome {
    let Some(tag) = comparison.rev.as_deref().filter(|_| tagged) else {
        return Outcome::NotChecked(match comparison.rev.as_deref() {
            Some(rev) => format!("compared with {rev}, which is not a release tag"),
            None => "no release tag to compare with".to_owned(),
        });
    };
    let released = comparison.version.as_deref().unwrap_or("?");
    match comparison.status {
        Status::NotCompared => Outcome::NotChecked(format!(
            "not compared with {tag}: {}",
            comparison.reason.as_deref().unwrap_or("no reason given")
        )),
        Status::New => Outcome::Pass(format!("{name} did not exist at {tag}.")),
        Status::Unchanged => Outcome::Pass(format!("Unchanged since {tag}.")),
        Status::Changed if released == version.to_string() => {
            let (verdict, severity) = match published {
                Ok(true) => (
                    format!("{registry} already has {released}: a blocker"),
                    Some(Severity::Blocker),
                ),
                Ok(false) => (format!("{registry} does not have {released} yet: a warning"), None),
                Err(why) => (format!("a warning, as {registry} was not asked ({why})"), None),
            };
            Outcome::fail(
                format!(
                    "{name} changed since its release tag {tag}, but its version is still \
                     {released}: crates.io never takes a version twice, so these changes cannot \
                     be published as {released}; {verdict}."
                ),
                "Bump the version in Cargo.toml (cargo set-version, or by hand) before the next \
                 release, as the change calls for under semver.",
            )
            .raised_to(severity)
        }
        Status::Changed => Outcome::Pass(format!(
            "Changed since {tag} ({released}), and the version moved on to {version}."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(status: Status, rev: Option<&str>, at: &str, tagged: bool) -> Outcome {
        let comparison = Comparison {
            rev: rev.map(str::to_owned),
            version: Some(at.to_owned()),
            ..Comparison::without(None, None, status, String::new())
        };
        let version = semver::Version::new(0, 1, 12);
        against("grep-cli", &version, &comparison, tagged, "crates.io", Ok(false))
    }

    #[test]
    fn a_change_under_the_released_version_is_a_finding() {
        let tag = Some("grep-cli-0.1.12");
        assert!(matches!(outcome(Status::Changed, tag, "0.1.12", true), Outcome::Fail { .. }));
        assert!(matches!(outcome(Status::Changed, tag, "0.1.11", true), Outcome::Pass(_)));
        assert!(matches!(outcome(Status::Unchanged, tag, "0.1.12", true), Outcome::Pass(_)));
        assert!(matches!(outcome(Status::New, None, "", true), Outcome::NotChecked(_)));
        // A branch or a commit is not a release: nothing to say about the version.
        assert!(matches!(
            outcome(Status::Changed, Some("HEAD~1"), "0.1.12", false),
            Outcome::NotChecked(_)
        ));
    }

    #[test]
    fn the_finding_blocks_only_when_the_registry_holds_the_version() {
        let comparison = Comparison {
            rev: Some("v0.1.12".to_owned()),
            version: Some("0.1.12".to_owned()),
            ..Comparison::without(None, None, Status::Changed, String::new())
        };
        let version = semver::Version::new(0, 1, 12);
        let raised = |published| match against(
            "grep-cli",
            &version,
            &comparison,
            true,
            "crates.io",
            published,
        ) {
            Outcome::Fail { message, raised, .. } => (raised, message),
            other => panic!("{other:?}"),
        };
        let (severity, message) = raised(Ok(true));
        assert_eq!(severity, Some(Severity::Blocker));
        assert!(message.ends_with("crates.io already has 0.1.12: a blocker."), "{message}");
        let (severity, message) = raised(Ok(false));
        assert_eq!(severity, None);
        assert!(message.ends_with("crates.io does not have 0.1.12 yet: a warning."), "{message}");
        let (severity, message) = raised(Err("run with --online to ask the registry".into()));
        assert_eq!(severity, None);
        assert!(message.contains("a warning, as crates.io was not asked"), "{message}");
    }
}
