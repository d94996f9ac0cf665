//! Checks against the crate's last release tag (`--baseline`, when what it compares with is
//! a tag): a crate whose published content changed since the release while its version
//! stayed the released one cannot be published as that version again.

use super::{Outcome, ReleaseSubject};
use crate::package::diff::Status;

pub fn changed_since_release_unbumped(s: &ReleaseSubject) -> Outcome {
    let comparison = s.comparison;
    let Some(tag) = comparison.rev.as_deref().filter(|_| s.tagged) else {
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
        Status::New => Outcome::Pass(format!("{} did not exist at {tag}.", s.name)),
        Status::Unchanged => Outcome::Pass(format!("Unchanged since {tag}.")),
        Status::Changed if released == s.version.to_string() => Outcome::fail(
            format!(
                "{} changed since its release tag {tag}, but its version is still {released}: \
                 crates.io never takes a version twice, so these changes cannot be published \
                 as {released}.",
                s.name
            ),
            "Bump the version in Cargo.toml (cargo set-version, or by hand) before the next \
             release, as the change calls for under semver.",
        ),
        Status::Changed => Outcome::Pass(format!(
            "Changed since {tag} ({released}), and the version moved on to {}.",
            s.version
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::diff::Comparison;

    fn outcome(status: Status, rev: Option<&str>, at: &str, tagged: bool) -> Outcome {
        let comparison = Comparison {
            rev: rev.map(str::to_owned),
            version: Some(at.to_owned()),
            ..Comparison::without(None, None, status, String::new())
        };
        let version = semver::Version::new(0, 1, 12);
        changed_since_release_unbumped(&ReleaseSubject {
            name: "grep-cli",
            version: &version,
            comparison: &comparison,
            tagged,
        })
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
