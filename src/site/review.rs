//! What a reviewer needs beside the checks: the crate's sign-off (its status and the table
//! to paste) and what changed since the baseline. Shared by the crate page and the summary.

use crate::baseline::{Comparison, Status as BaselineStatus};
use crate::format::{plural, short_hash, signed_size};
use crate::report::CrateReport;
use crate::signoff::{self, Head, Status};

use super::view::{BaselineView, ChangedFile, ManifestDiffRow, SignoffView};

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
    let summary = match report.status {
        Status::Signed => format!("Signed off by {} for this fingerprint.", by()),
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
    Some(SignoffView {
        status: report.status.as_str().to_owned(),
        summary,
        table: signoff::table(&krate.name, &krate.version, &krate.fingerprint, head),
        file: signoff::FILE.to_owned(),
    })
}

/// The comparison with the baseline, when `--baseline` was given.
pub fn baseline_view(comparison: &Comparison) -> BaselineView {
    let rev = comparison.rev.clone().unwrap_or_default();
    let commit = comparison.commit.as_deref().map(short_hash).unwrap_or_default();
    let diff = &comparison.diff;
    let at = match (&comparison.version, commit.is_empty()) {
        (Some(version), false) => format!("{rev} ({version}, commit {commit})"),
        (None, false) => format!("{rev} (commit {commit})"),
        _ => rev.clone(),
    };
    let reason = comparison.reason.clone().unwrap_or_default();
    let summary = match comparison.status {
        BaselineStatus::New if rev.is_empty() => format!("New: {reason}."),
        BaselineStatus::New => format!("New since {at}: {reason}."),
        BaselineStatus::NotCompared => format!("Not compared with {at}: {reason}."),
        BaselineStatus::Unchanged => {
            format!("Unchanged since {at}: every approved file is the same.")
        }
        BaselineStatus::Changed => format!("Changed since {at}: {}.", change_counts(comparison)),
    };
    BaselineView {
        rev,
        commit,
        status: comparison.status.as_str().to_owned(),
        summary,
        files: diff
            .file_rows()
            .into_iter()
            .map(|row| ChangedFile {
                change: row.change.to_owned(),
                path: row.path.to_owned(),
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
                breaking: c.kind == crate::diff::ChangeKind::FeatureRemoved,
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
