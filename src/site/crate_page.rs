//! A crate's page view (`crate.html`) and its preview card's data: the verdict in a
//! sentence, the failing checks by group, the archive's summary, the previews, and the
//! review's comparisons and sign-off.

use super::archive_tree::tree;
use super::review::{self, Against};
use super::view::*;
use super::{SiteInput, card, page_meta};
use crate::base::format::{human_size, plural};
use crate::base::shown::Shown;
use crate::checks::Severity;
use crate::checks::settings::Level;
use crate::package::MAX_CRATE_SIZE;
use crate::report::{CheckReport, CrateReport, Status, Verdict};

/// What the preview card shows. Releases are unknown offline, so they are left out.
pub(super) fn card_data(krate: &CrateReport) -> card::CardData {
    card::CardData {
        name: krate.name.to_string(),
        version: krate.version.to_string(),
        description: Some(krate.description.to_string()).filter(|d| !d.trim().is_empty()),
        keywords: krate.keywords.iter().map(Shown::to_string).collect(),
        license: krate.license.as_ref().map(Shown::to_string),
        compressed_size: krate.archive.compressed_size,
        lines_of_code: Some(krate.archive.rust_lines).filter(|&n| n > 0),
        // A crate not published yet has no releases to count.
        releases: krate.registry.as_ref().map(|r| r.releases as u64).filter(|&n| n > 0),
        verdict: krate.verdict,
    }
}

pub(super) fn counts(krate: &CrateReport) -> Counts {
    let tally = krate.tally();
    Counts { blockers: tally.blockers, warnings: tally.warnings, notes: tally.notes }
}

pub(super) fn check_row(check: &CheckReport) -> CheckRow {
    let allowed = check.status == Status::Fail && !check.counts();
    let override_note = match &check.overridden {
        None => Shown::default(),
        Some(o) if o.level == Level::Allow => Shown::new(format!("Allowed by {}.", o.source)),
        Some(o) => Shown::new(format!("Level set to {} by {}.", check.severity.as_str(), o.source)),
    };
    let (message, output) = check.message.split_first_line();
    CheckRow {
        id: check.id.to_owned(),
        anchor: format!("check-{}", check.id),
        title: Shown::new(check.title),
        severity: check.severity.as_str().to_owned(),
        status: match check.status {
            Status::Pass => "pass",
            Status::Fail if allowed => "allowed",
            Status::Fail => "fail",
            Status::NotChecked => "not-checked",
        }
        .to_owned(),
        message,
        output,
        help: check.help.clone(),
        guide: check.guide.clone(),
        docs: check.docs.to_owned(),
        override_note,
    }
}

fn verdict_summary(krate: &CrateReport) -> String {
    let tally = krate.tally();
    match krate.verdict {
        Verdict::Ready => {
            "Ready to publish: crates.io and cargo would accept it, and no warning applies.".into()
        }
        Verdict::Warnings => format!(
            "Publishable, with {} worth a look before the upload.",
            plural(tally.warnings, "warning")
        ),
        Verdict::Blocked => format!(
            "crates.io or cargo would refuse it: {} to fix first.",
            plural(tally.blockers, "blocker")
        ),
        Verdict::Skipped => "Not published: publish = false in its Cargo.toml.".into(),
    }
}

pub(super) fn crate_view(input: &SiteInput, krate: &CrateReport) -> CrateView {
    let mut failing: Vec<CheckGroup> = Vec::new();
    let mut sorted: Vec<&CheckReport> = krate.checks.iter().filter(|c| c.counts()).collect();
    sorted.sort_by_key(|c| severity_rank(c.severity));
    // A crate that is never published has nothing to fix before a release: what would fail
    // if it were is folded away, and counts for nothing.
    let not_published: Vec<CheckRow> = match krate.publish {
        true => Vec::new(),
        false => std::mem::take(&mut sorted).into_iter().map(check_row).collect(),
    };
    for check in sorted {
        match failing.iter_mut().find(|g| g.title == check.group) {
            Some(group) => group.checks.push(check_row(check)),
            None => failing
                .push(CheckGroup { title: check.group.to_owned(), checks: vec![check_row(check)] }),
        }
    }
    let (not_checked, passing): (Vec<&CheckReport>, Vec<&CheckReport>) =
        krate.checks.iter().filter(|c| !c.counts()).partition(|c| c.status == Status::NotChecked);
    let passing = passing.into_iter().map(check_row).collect();
    let not_checked = not_checked.into_iter().map(check_row).collect();

    let archive = &krate.archive;
    let share = archive.compressed_size as f64 * 100.0 / MAX_CRATE_SIZE as f64;
    let title = Shown::new(format!("{} {}: release readiness", krate.name, krate.version));
    let description =
        Shown::new(format!("{} {}: {}", krate.name, krate.version, verdict_summary(krate)));
    let mut page = page_meta(input, &krate.page, title, "crate", description);
    page.og_image = Some(match input.base_url {
        Some(base) => format!("{base}{}", krate.card_file()),
        None => format!("{}{}", page.root, krate.card_file()),
    });
    CrateView {
        page,
        card: krate.card_file(),
        name: krate.name.clone(),
        version: krate.version.clone(),
        verdict: krate.verdict.as_str().to_owned(),
        verdict_summary: verdict_summary(krate),
        counts: match krate.publish {
            true => counts(krate),
            false => Counts { blockers: 0, warnings: 0, notes: 0 },
        },
        description: krate.description.clone(),
        manifest_path: krate.manifest_path.clone(),
        fingerprint: krate.fingerprint.clone(),
        checksum: archive.checksum.clone(),
        estimates: archive.estimates.clone(),
        archive: ArchiveView {
            file_count: archive.file_count,
            unpacked_size: human_size(archive.unpacked_size),
            compressed_size: human_size(archive.compressed_size),
            compressed_bytes: archive.compressed_size,
            limit_percent: format!("{share:.1}"),
            limit_bar: share.clamp(0.0, 100.0),
            tree: tree(krate),
            largest: largest(krate),
            selection: match archive.selection {
                "git" => "Selected as cargo does in a git repository: tracked files, and untracked files git does not ignore, minus exclude.".into(),
                _ => "Selected as cargo does without git (or with include): every file below the package, filtered by include or exclude.".into(),
            },
            warnings: archive.warnings.clone(),
            lock_members: archive.lock_members.iter().map(|m| m.summary.clone()).collect(),
        },
        failing,
        not_published,
        passing,
        not_checked,
        inherited: krate.inherited.clone(),
        readme: input.previews.get(krate.key()).and_then(|p| p.readme.as_ref()).map(|r| ReadmeView {
            file: Shown::new(&r.file),
            html: r.rendered.as_ref().map(|x| x.html.clone()).unwrap_or_default(),
            unavailable: match (&r.rendered, r.utf8) {
                (Some(_), _) => String::new(),
                (None, false) => "It is not UTF-8, so it cannot be shown.".into(),
                (None, true) => "It is over 1 MiB, more than crates.io accepts.".into(),
            },
        }),
        manifest: input.previews.get(krate.key()).map(|p| ManifestView {
            original_text: Shown::new(&p.manifest.original),
            published_text: Shown::new(&p.manifest.published),
            changes: p
                .manifest
                .changes
                .iter()
                .map(|c| ManifestChangeRow {
                    key: Shown::new(&c.key),
                    change: Shown::new(&c.change),
                })
                .collect(),
        }),
        crate_file: input.emit_crate.then(|| krate.crate_file()),
        signoff: review::signoff_view(krate, input.head),
        baseline: krate.baseline.as_ref().map(|c| review::changes_view(c, Against::Revision)),
        previous_release: krate.previous_release.as_ref().map(|c| {
            let registry = krate.registry.as_ref().map_or("the registry", |r| r.name.as_str());
            review::changes_view(c, Against::Release(registry))
        }),
        semver: review::semver_view(krate),
        registry: krate.registry.as_ref().map(review::registry_line).unwrap_or_default(),
    }
}

fn severity_rank(severity: Severity) -> u8 {
    match severity {
        Severity::Blocker => 0,
        Severity::Warning => 1,
        Severity::Note => 2,
    }
}

fn largest(krate: &CrateReport) -> Vec<LargeFile> {
    let total = krate.archive.unpacked_size.max(1) as f64;
    let mut files: Vec<_> = krate.archive.files.iter().collect();
    files.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.path.cmp(&b.path)));
    files
        .into_iter()
        .take(5)
        .map(|f| LargeFile {
            path: f.path.clone(),
            size_human: human_size(f.size),
            percent: format!("{:.1}", f.size as f64 * 100.0 / total),
        })
        .collect()
}
