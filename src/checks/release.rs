//! Checks against the crate's last release tag (`--baseline`, when what it compares with is
//! a tag): a crate whose published content changed since the release while its version
//! stayed the released one cannot be published as that version again.

use super::{Outcome, ReviewSubject};
use crate::package::diff::{Comparison, Status};

pub fn changed_since_release_unbumped(s: &ReviewSubject) -> Outcome {
    match s.baseline {
        Some(comparison) => {
            against(s.member.name(), &s.member.package.version, comparison, s.tagged)
        }
        None => Outcome::NotChecked(
            "not compared with a release tag (run with --baseline auto)".to_owned(),
        ),
    }
}

/// The check for `name` at `version`, compared with `comparison` (a release when `tagged`).
fn against(
    name: &str,
    version: &semver::Version,
    comparison: &Comparison,
    tagged: bool,
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
        Status::Changed if released == version.to_string() => Outcome::fail(
            format!(
                "{name} changed since its release tag {tag}, but its version is still {released}: \
                 crates.io never takes a version twice, so these changes cannot be published \
                 as {released}."
            ),
            "Bump the version in Cargo.toml (cargo set-version, or by hand) before the next \
             release, as the change calls for under semver.",
        ),
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
        against("grep-cli", &version, &comparison, tagged)
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
}
