//! What a reviewer needs beside the checks: the crate's sign-off (its status and the table
//! to paste) and what changed since the baseline or the previous release. Shared by the
//! crate page and the summary.

use crate::base::format::{plural, short_hash, signed_size};
use crate::base::shown::Shown;
use crate::package::diff::{Comparison, Status as ChangeStatus};
use crate::report::{CrateReport, RegistryReport};
use crate::review::signoff::{self, Head, Status};

use crate::package::diff::compat::{Change, Level};
use crate::review::bump::{Bump, SemverReport, listed};

use super::view::{
    ChangedFile, ChangesView, ManifestDiffRow, SemverChangeRow, SemverView, SignerView, SignoffView,
};

/// The sign-off of a published crate; `None` for one that is not published.
pub fn signoff_view(krate: &CrateReport, head: Option<&Head>) -> Option<SignoffView> {
    let report = krate.signoff.as_ref()?;
    let by = || {
        format!(
            "{} on {}",
            report.reviewer.as_deref().unwrap_or("?"),
            report.date.as_deref().unwrap_or("?")
        )
    };
    let reviewers = format!("reviewers: {} of {} required", report.signers, report.required);
    let summary = match report.status {
        Status::Signed => format!("Signed off by {} for this fingerprint ({reviewers}).", by()),
        Status::Incomplete => format!(
            "Not signed off by enough reviewers for this fingerprint ({reviewers}){}.",
            if report.checked { " (only verified signatures count)" } else { "" }
        ),
        Status::Stale => format!(
            "Stale: signed off by {} for another fingerprint ({}); the content changed since. `cargo readiness verify` says what changed{}.",
            by(),
            short_hash(report.fingerprint.as_deref().unwrap_or_default()),
            report
                .commit
                .as_deref()
                .map(|c| format!(" since commit {}", short_hash(c)))
                .unwrap_or_default(),
        ),
        Status::Missing => match report.other_versions.as_slice() {
            [] => format!("Not signed off for {}.", krate.version),
            versions => format!(
                "Not signed off for {} (signed off before: {}).",
                krate.version,
                versions.join(", ")
            ),
        },
    };
    let rows = report
        .rows
        .iter()
        .map(|row| SignerView {
            reviewer: row.reviewer.clone(),
            date: row.date.clone(),
            state: serde_json::to_value(row.state)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            label: row.state.as_str().to_owned(),
            key: row.key.clone(),
            current: row.current,
            counts: row.counts,
            new_since_baseline: row.new_since_baseline,
            detail: row.detail.clone(),
        })
        .collect();
    Some(SignoffView {
        status: report.status.as_str().to_owned(),
        summary: Shown::new(summary),
        rows,
        new_since_baseline: report.new_since_baseline,
        checked: report.checked,
        command: Shown::new(signoff::command(krate.key())),
        commit: head.map(|head| short_hash(&head.commit)),
        file: signoff::FILE.to_owned(),
    })
}

/// What a comparison is with.
pub enum Against<'a> {
    /// A git revision (`--baseline`).
    Revision,
    /// The previous release on this registry (`--online`).
    Release(&'a str),
}

impl Against<'_> {
    fn id(&self) -> &'static str {
        match self {
            Against::Revision => "baseline",
            Against::Release(_) => "previous-release",
        }
    }
}

/// What `comparison` compares with, for a title: `v1.0.0`, `1.2.3 on crates.io`.
pub fn since(comparison: &Comparison, against: &Against) -> Shown {
    match (against, &comparison.version) {
        (Against::Revision, _) => Shown::new(comparison.rev.as_deref().unwrap_or_default()),
        (Against::Release(registry), Some(version)) => {
            Shown::new(format!("{version} on {registry}"))
        }
        (Against::Release(_), None) => Shown::default(),
    }
}

/// A comparison as a page section.
pub fn changes_view(comparison: &Comparison, against: Against) -> ChangesView {
    let since = since(comparison, &against);
    let commit = comparison.commit.as_deref().map(short_hash).unwrap_or_default();
    let diff = &comparison.diff;
    let at = match (&against, &comparison.version, commit.is_empty()) {
        (Against::Revision, Some(version), false) => {
            format!("{since} ({version}, commit {commit})")
        }
        (Against::Revision, None, false) => format!("{since} (commit {commit})"),
        _ => since.to_string(),
    };
    let reason = comparison.reason.clone().unwrap_or_default();
    let summary = Shown::new(match comparison.status {
        ChangeStatus::New if since.is_empty() => format!("New: {reason}."),
        ChangeStatus::New => format!("New since {at}: {reason}."),
        ChangeStatus::NotCompared if since.is_empty() => format!("Not compared: {reason}."),
        ChangeStatus::NotCompared => format!("Not compared with {at}: {reason}."),
        ChangeStatus::Unchanged => {
            format!("Unchanged since {at}: every published file is the same.")
        }
        ChangeStatus::Changed => format!("Changed since {at}: {}.", change_counts(comparison)),
    });
    ChangesView {
        id: against.id().to_owned(),
        since,
        status: comparison.status.as_str().to_owned(),
        summary,
        files: diff
            .file_rows()
            .into_iter()
            .map(|row| ChangedFile {
                change: row.change.to_owned(),
                path: row.path.clone(),
                size: row.size,
            })
            .collect(),
        compressed_delta: signed_size(diff.compressed_size_delta),
        manifest: diff
            .manifest_changes
            .iter()
            .map(|c| ManifestDiffRow {
                kind: c.kind.as_str().to_owned(),
                key: c.key.clone(),
                before: c.before.clone().unwrap_or_default(),
                after: c.after.clone().unwrap_or_default(),
                breaking: c.kind == crate::package::diff::ChangeKind::FeatureRemoved,
            })
            .collect(),
    }
}

/// `2 files added, 1 removed, 3 modified; compressed +1.2 KiB; 1 feature removed`.
pub fn change_counts(comparison: &Comparison) -> String {
    let diff = &comparison.diff;
    let mut parts = vec![format!(
        "{} added, {} removed, {} modified",
        plural(diff.files_added.len(), "file"),
        diff.files_removed.len(),
        diff.files_changed.len()
    )];
    parts.push(format!("compressed {}", signed_size(diff.compressed_size_delta)));
    if !diff.manifest_changes.is_empty() {
        parts.push(plural(diff.manifest_changes.len(), "manifest change"));
    }
    let breaking = diff.breaking().count();
    if breaking > 0 {
        let features = if breaking == 1 { "feature" } else { "features" };
        parts.push(format!("{breaking} {features} removed (breaking)"));
    }
    parts.join("; ")
}

/// `12 releases on crates.io (1 yanked); latest 1.4.0`, or `not on crates.io yet`.
pub fn registry_line(registry: &RegistryReport) -> Shown {
    if registry.releases == 0 {
        return Shown::new(format!("not on {} yet", registry.name));
    }
    let mut line = format!("{} on {}", plural(registry.releases, "release"), registry.name);
    if registry.yanked > 0 {
        line.push_str(&format!(" ({} yanked)", registry.yanked));
    }
    if let Some(latest) = &registry.latest {
        line.push_str(&format!("; latest {latest}"));
    }
    Shown::new(line)
}

/// The version verdict as a page section.
pub fn semver_view(krate: &CrateReport) -> Option<SemverView> {
    let report = krate.semver.as_ref()?;
    let since = &report.versions.0;
    let status = if !report.short_of(true).is_empty() {
        "short"
    } else if !report.short_of(false).is_empty() {
        "expected"
    } else {
        "fits"
    };
    Some(SemverView {
        summary: semver_line(report),
        status: status.to_owned(),
        changes: report
            .changes
            .iter()
            .map(|c| SemverChangeRow {
                kind: change_kind(c).to_owned(),
                bump: Bump::needed(since, c.level).as_str().to_owned(),
                item: c.item.clone(),
                location: c.location.clone(),
                summary: c.summary.clone(),
                docs: c.docs.clone(),
            })
            .collect(),
        guide: crate::checks::Group::Semver.guide_page().to_owned(),
    })
}

fn change_kind(change: &Change) -> &'static str {
    match (change.level, change.required) {
        (Level::Major, true) => "breaking",
        (Level::Major, false) => "possibly breaking",
        (Level::Minor, _) => "minor",
    }
}

/// The version verdict in one sentence: "Since 1.4.2: 2 breaking changes (function
/// demo::parse: pub fn removed or renamed; …) — needs 2.0.0, the manifest says 1.5.0."
pub fn semver_line(report: &SemverReport) -> Shown {
    let version = &report.versions.1;
    let since = match &report.rev {
        Some(rev) => format!("Since {rev} ({})", report.since),
        None => format!("Since {}", report.since),
    };
    let found: Vec<String> = ["breaking", "possibly breaking", "minor"]
        .into_iter()
        .filter_map(|kind| {
            let changes: Vec<&Change> =
                report.changes.iter().filter(|c| change_kind(c) == kind).collect();
            let noun = if changes.len() == 1 { "change" } else { "changes" };
            (!changes.is_empty())
                .then(|| format!("{} {kind} {noun} ({})", changes.len(), listed(&changes)))
        })
        .collect();
    let found = match found.is_empty() {
        true => "nothing that asks for more than a patch".to_owned(),
        false => found.join(", "),
    };
    let verdict = match (&report.required_version, &report.expected_version) {
        (Some(needed), _) if report.required_bump > report.manifest_bump => {
            format!("needs {needed}, the manifest says {version}")
        }
        (_, Some(expected)) if report.expected_bump > report.manifest_bump => {
            format!("{expected} is expected, the manifest says {version}")
        }
        _ if report.manifest_bump > report.expected_bump && report.api.compared => {
            match &report.expected_version {
                Some(expected) => format!("{expected} would do, the manifest says {version}"),
                None => format!("nothing published changed, the manifest says {version}"),
            }
        }
        _ => format!("the manifest's {version} fits"),
    };
    let api = match &report.api.reason {
        Some(why) => format!(" The public API was not compared: {why}."),
        None => String::new(),
    };
    Shown::new(format!("{since}: {found} — {verdict}.{api}"))
}
