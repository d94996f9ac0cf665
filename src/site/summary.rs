//! `summary.md`: the report as a pull-request comment (and a GitHub job summary), short
//! enough to read there. One table line per crate (verdict with its counts, version, short
//! fingerprint, size, change against the baseline, sign-off status); a finding that several
//! crates share once, with their names; then, folded in a `<details>` per crate, the
//! findings of that crate alone, each linking to its row on the crate page. A crate that is
//! not published is listed as skipped, with no findings. Links are absolute with
//! `--base-url`; with `--report-url` (the site is a CI artifact) only the full report is
//! linked, there; otherwise they are relative to the site. It stays under GitHub's comment
//! limit: past it, findings and then crates are cut, with a link to the full report.

use std::collections::BTreeMap;

use crate::base::format::{human_size, plural, signed_size};
use crate::base::shown::Shown;
use crate::checks::Severity;
use crate::package::diff::{Comparison, Status};
use crate::report::{CheckReport, CrateReport, RegistryStatus};

use super::review::{self, Against};
use super::view::{SharedFinding, SummaryCrate, SummaryFinding, SummaryView};
use super::{SiteInput, index_view};

/// GitHub refuses comments over 65,536 characters; the margin leaves room for a marker
/// line a workflow adds to find its comment again.
pub const LIMIT: usize = 65_536 - 1_024;

/// A shared finding names this many of its crates, then says how many more.
const SHARED_NAMES: usize = 8;

/// A finding's message is cut to this many characters in the summary.
const MESSAGE_CHARS: usize = 240;

/// Renders the summary with `render`, cutting it until it fits [`LIMIT`].
pub fn render(
    input: &SiteInput,
    render: impl Fn(&SummaryView) -> Result<String, crate::Error>,
) -> Result<String, crate::Error> {
    let mut view = build(input);
    let total_crates = view.crates.len();
    // First fewer findings per crate, then fewer crates.
    let mut findings_cap = usize::MAX;
    let mut crates_cap = total_crates;
    loop {
        let text = render(&view)?;
        if text.chars().count() <= LIMIT || (findings_cap == 0 && crates_cap == 0) {
            return Ok(text);
        }
        if findings_cap > 0 {
            let most = view.crates.iter().map(|c| c.findings.len()).max().unwrap_or(0);
            findings_cap = (most / 2).min(findings_cap.saturating_sub(1));
        } else {
            crates_cap /= 2;
        }
        view = cut(build(input), findings_cap, crates_cap);
    }
}

/// The view with at most `findings` findings per crate and `crates` crates.
fn cut(mut view: SummaryView, findings: usize, crates: usize) -> SummaryView {
    for krate in &mut view.crates {
        if krate.findings.len() > findings {
            krate.omitted_findings = krate.findings.len() - findings;
            krate.findings.truncate(findings);
        }
    }
    if view.crates.len() > crates {
        view.omitted_crates = view.crates.len() - crates;
        view.crates.truncate(crates);
    }
    view.cut = true;
    view
}

/// Where the summary's links go: pages of the site under a prefix (the base URL, or
/// nothing: relative to the site), or, with `--report-url`, no page of the site at all.
struct Links {
    pages: Option<String>,
    report: String,
}

impl Links {
    fn of(input: &SiteInput) -> Links {
        match (input.base_url, input.report_url) {
            (_, Some(report)) => Links { pages: None, report: report.to_owned() },
            (base, None) => {
                let base = base.unwrap_or_default();
                Links { pages: Some(base.to_owned()), report: format!("{base}index.html") }
            }
        }
    }

    /// A page of the site by its path from the root, or empty when pages are not linked.
    fn page(&self, path: &str) -> String {
        self.pages.as_ref().map(|base| format!("{base}{path}")).unwrap_or_default()
    }
}

fn build(input: &SiteInput) -> SummaryView {
    let links = Links::of(input);
    let index = index_view(input);
    let shared = shared_findings(input, &links);
    SummaryView {
        crates: input
            .report
            .crates
            .iter()
            .map(|krate| summary_crate(krate, &links, &shared))
            .collect(),
        shared,
        report: links.report,
        omitted_crates: 0,
        cut: false,
        baseline: input.report.crates.iter().any(|c| c.baseline.is_some()),
        previous_release: input.report.crates.iter().any(|c| c.previous_release.is_some()),
        semver: input.report.crates.iter().any(|c| c.semver.is_some()),
        registry: input.report.workspace.registry.as_ref().map(registry_line).unwrap_or_default(),
        publish_time: input
            .report
            .workspace
            .publish_time
            .as_ref()
            .map(|e| e.sentence())
            .unwrap_or_default(),
        index,
    }
}

/// The blockers and warnings that count against a published crate, blockers first; none
/// for a crate that is not published.
fn failing(krate: &CrateReport) -> Vec<&CheckReport> {
    if !krate.publish {
        return Vec::new();
    }
    let mut failing: Vec<_> =
        krate.checks.iter().filter(|c| c.counts() && c.severity != Severity::Note).collect();
    failing.sort_by_key(|c| (c.severity != Severity::Blocker, c.id));
    failing
}

/// Each finding (check and severity) that two or more crates have, listed once with the
/// first [`SHARED_NAMES`] of them: blockers first, then the most widespread.
fn shared_findings(input: &SiteInput, links: &Links) -> Vec<SharedFinding> {
    let mut by_check: BTreeMap<(bool, &str), (&CheckReport, Vec<Shown>)> = BTreeMap::new();
    for krate in &input.report.crates {
        for check in failing(krate) {
            let key = (check.severity != Severity::Blocker, check.id);
            by_check.entry(key).or_insert((check, Vec::new())).1.push(krate.name.clone());
        }
    }
    let mut shared: Vec<SharedFinding> = by_check
        .into_values()
        .filter(|(_, crates)| crates.len() > 1)
        .map(|(check, mut crates)| SharedFinding {
            severity: check.severity.as_str().to_owned(),
            id: check.id.to_owned(),
            title: check.title.to_owned(),
            link: links.page(&check.guide),
            count: crates.len(),
            more: crates.len().saturating_sub(SHARED_NAMES),
            crates: {
                crates.truncate(SHARED_NAMES);
                crates
            },
        })
        .collect();
    shared.sort_by_key(|f| (f.severity != "blocker", std::cmp::Reverse(f.count)));
    shared
}

fn summary_crate(krate: &CrateReport, links: &Links, shared: &[SharedFinding]) -> SummaryCrate {
    let page = links.page(&krate.page);
    let failing = failing(krate);
    let is_shared = |check: &CheckReport| {
        shared.iter().any(|f| f.id == check.id && f.severity == check.severity.as_str())
    };
    let findings: Vec<SummaryFinding> = failing
        .iter()
        .filter(|check| !is_shared(check))
        .map(|check| SummaryFinding {
            severity: check.severity.as_str().to_owned(),
            id: check.id.to_owned(),
            link: if page.is_empty() { page.clone() } else { format!("{page}#check-{}", check.id) },
            message: shorten(&check.message),
        })
        .collect();
    let blockers = failing.iter().filter(|c| c.severity == Severity::Blocker).count();
    let warnings = failing.len() - blockers;
    let mut breaking = Vec::new();
    let mut change = |comparison: Option<&Comparison>, against: Against| {
        let Some(comparison) = comparison else { return Shown::default() };
        let since = review::since(comparison, &against);
        breaking.extend(
            comparison
                .diff
                .breaking()
                .map(|c| Shown::new(format!("{} removed since {since}", c.key))),
        );
        Shown::new(match comparison.status {
            Status::Changed => {
                format!("{} since {since}", signed_size(comparison.diff.compressed_size_delta))
            }
            Status::NotCompared => match &comparison.reason {
                Some(reason) => format!("not compared: {}", shorten(&Shown::new(reason.as_str()))),
                None => Status::NotCompared.as_str().to_owned(),
            },
            status => status.as_str().to_owned(),
        })
    };
    let registry = krate.registry.as_ref().map_or("the registry", |r| r.name.as_str());
    let release_change = change(krate.previous_release.as_ref(), Against::Release(registry));
    let change = change(krate.baseline.as_ref(), Against::Revision);
    SummaryCrate {
        name: krate.name.clone(),
        version: krate.version.clone(),
        verdict: krate.verdict.as_str().to_owned(),
        tally: match (blockers, warnings) {
            (0, 0) => String::new(),
            (0, w) => plural(w, "warning"),
            (b, 0) => plural(b, "blocker"),
            (b, w) => format!("{}, {}", plural(b, "blocker"), plural(w, "warning")),
        },
        fingerprint: crate::base::format::short_hash(&krate.fingerprint),
        compressed_size: human_size(krate.archive.compressed_size),
        change,
        release_change,
        breaking,
        semver: krate.semver.as_ref().map(review::semver_line).unwrap_or_default(),
        signoff: Shown::new(krate.signoff.as_ref().map(signoff_cell).unwrap_or_default()),
        page,
        own_findings: findings.len(),
        findings,
        omitted_findings: 0,
    }
}

/// The sign-off column: the status, who signed and whether it verified, and with
/// `--baseline` whether the change under review added a row.
fn signoff_cell(signoff: &crate::review::signoff::SignoffReport) -> String {
    use crate::review::signoff::Status;
    let signers: Vec<String> = signoff
        .rows
        .iter()
        .filter(|row| row.current)
        .map(|row| {
            let key = row.key.as_deref().map(|k| format!(", {k}")).unwrap_or_default();
            format!("{} ({}{key})", &*row.reviewer, row.state.as_str())
        })
        .collect();
    let mut cell = match signoff.status {
        Status::Signed if signoff.checked => format!("✅ signed off by {}", signers.join(", ")),
        Status::Signed => format!("signed off by {}", signers.join(", ")),
        Status::Incomplete => format!(
            "⛔ {} of {} reviewers: {}",
            signoff.signers,
            signoff.required,
            signers.join(", ")
        ),
        Status::Stale => format!(
            "stale: changed since the sign-off by {}",
            signoff.reviewer.as_deref().unwrap_or("?")
        ),
        Status::Missing => "not signed off".to_owned(),
    };
    if signoff.new_since_baseline {
        cell.push_str(" ⚠️ added in this change");
    }
    cell
}

/// The message's first line (a compiler's output follows on the page), cut to
/// [`MESSAGE_CHARS`].
fn shorten(message: &Shown) -> Shown {
    let (first, rest) = message.split_first_line();
    match first.char_indices().nth(MESSAGE_CHARS) {
        Some((at, _)) => Shown::new(format!("{}…", &first[..at])),
        None if !rest.is_empty() => Shown::new(format!("{first} …")),
        None => first,
    }
}

/// `Asked crates.io (https://index.crates.io/).`, or why it could not be.
pub fn registry_line(registry: &RegistryStatus) -> Shown {
    Shown::new(match &registry.reason {
        None => format!("Asked {} ({}).", registry.name, registry.index),
        Some(why) => {
            format!("⚠️ {} could not be reached ({why}): its checks were not run.", registry.name)
        }
    })
}
