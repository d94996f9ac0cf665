//! The overview page's view (`index.html`): the verdicts tallied, the crates in a table,
//! the publish order, the workspace's own findings, and the checks set below their default
//! level.

use std::collections::BTreeMap;

use super::crate_page::{check_row, counts};
use super::view::*;
use super::{SiteInput, page_meta, summary};
use crate::base::format::{human_size, plural};
use crate::base::shown::Shown;
use crate::checks::Severity;
use crate::checks::settings::Level;
use crate::report::{CrateReport, Report, Status, Verdict};

pub(super) fn index_view(input: &SiteInput) -> IndexView {
    let report = input.report;
    let mut verdicts = VerdictTally::default();
    for krate in &report.crates {
        match krate.verdict {
            Verdict::Ready => verdicts.ready += 1,
            Verdict::Warnings => verdicts.warnings += 1,
            Verdict::Blocked => verdicts.blocked += 1,
            Verdict::Skipped => verdicts.skipped += 1,
        }
    }
    let by_key: BTreeMap<&str, &CrateReport> = report.crates.iter().map(|c| (c.key(), c)).collect();
    let names = |names: Option<&Vec<String>>| names.into_iter().flatten().map(Shown::new).collect();
    // The plan's order, as in `report.workspace.publish_order`.
    let plan = input.plan;
    let publish_order = plan
        .order
        .iter()
        .chain(&plan.cycle)
        .enumerate()
        .filter_map(|(i, key)| {
            let krate = by_key.get(key.as_str())?;
            Some(OrderStep {
                position: i + 1,
                name: krate.name.clone(),
                version: krate.version.clone(),
                verdict: krate.verdict.as_str().to_owned(),
                needs: names(plan.needs.get(key)),
                needed_by: names(plan.needed_by.get(key)),
                page: krate.page.clone(),
            })
        })
        .collect();
    let title = Shown::new(format!("{}: release readiness", input.workspace_name));
    let description = Shown::new(format!(
        "{}: {} ready, {} with warnings, {} blocked, {} skipped.",
        plural(report.crates.len(), "crate"),
        verdicts.ready,
        verdicts.warnings,
        verdicts.blocked,
        verdicts.skipped
    ));
    IndexView {
        page: page_meta(input, "index.html", title, "index", description),
        verdicts,
        crates: report
            .crates
            .iter()
            .map(|krate| CrateRow {
                name: krate.name.clone(),
                version: krate.version.clone(),
                verdict: krate.verdict.as_str().to_owned(),
                counts: counts(krate),
                description: krate.description.clone(),
                file_count: krate.archive.file_count,
                unpacked_size: human_size(krate.archive.unpacked_size),
                compressed_size: human_size(krate.archive.compressed_size),
                page: krate.page.clone(),
                lowered: lowered_levels(krate),
            })
            .collect(),
        publish_order,
        workspace_checks: workspace_findings(report),
        cycle: plan.cycle.iter().map(Shown::new).collect(),
        registry: report
            .workspace
            .registry
            .as_ref()
            .map(summary::registry_line)
            .unwrap_or_default(),
        publish_time: report.workspace.publish_time.as_ref().map(|estimate| PublishTimeView {
            sentence: estimate.sentence(),
            basis: estimate.basis.to_owned(),
        }),
    }
}

/// Checks whose configured level is below the catalogue's default, whether they fail or not.
fn lowered_levels(krate: &CrateReport) -> Vec<Shown> {
    let rank = |level: Level| match level {
        Level::Allow => 0,
        Level::Note => 1,
        Level::Warning => 2,
        Level::Blocker => 3,
    };
    krate
        .checks
        .iter()
        .filter_map(|check| {
            let o = check.overridden.as_ref()?;
            let default = crate::checks::by_id(check.id)?.severity;
            let default_level = match default {
                Severity::Blocker => Level::Blocker,
                Severity::Warning => Level::Warning,
                Severity::Note => Level::Note,
            };
            (rank(o.level) < rank(default_level)).then(|| {
                let status = if check.status == Status::Fail { "failing" } else { "passing" };
                Shown::new(format!(
                    "{}: {} → {} ({status}), by {}",
                    check.id,
                    default.as_str(),
                    level_name(o.level),
                    o.source
                ))
            })
        })
        .collect()
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Allow => "allow",
        Level::Note => "note",
        Level::Warning => "warning",
        Level::Blocker => "blocker",
    }
}

/// The workspace's own failing checks, then each publishable crate's findings about its
/// workspace dependencies (unpublished members, mismatched requirements), titled with the
/// crate's name.
fn workspace_findings(report: &Report) -> Vec<CheckRow> {
    let own = report.workspace.checks.iter().filter(|c| c.counts()).map(check_row);
    let per_crate = report.crates.iter().filter(|k| k.publish).flat_map(|krate| {
        krate
            .checks
            .iter()
            .filter(|c| c.counts() && WORKSPACE_DEPENDENCY_CHECKS.contains(&c.id))
            .map(move |c| CheckRow {
                title: Shown::new(format!("{}: {}", krate.name, c.title)),
                ..check_row(c)
            })
    });
    own.chain(per_crate).collect()
}

/// Crate checks about dependencies between members, also shown on the overview page.
const WORKSPACE_DEPENDENCY_CHECKS: &[&str] =
    &["dependency-unpublished-member", "dependency-version-mismatch"];
