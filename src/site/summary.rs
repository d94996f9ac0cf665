//! `summary.md`: the report as a pull-request comment (and a GitHub job summary). Per crate
//! the verdict, version, short fingerprint, size and change against the baseline, sign-off
//! status, and each blocker and warning as one line linking to its row on the crate page.
//! It stays under GitHub's comment limit: past it, findings and then crates are cut, with
//! a link to the full report.

use crate::base::format::{human_size, signed_size};
use crate::base::shown::Shown;
use crate::checks::Severity;
use crate::package::diff::{Comparison, Status};
use crate::report::{CrateReport, RegistryStatus};

use super::review::{self, Against};
use super::view::{SummaryCrate, SummaryFinding, SummaryView};
use super::{SiteInput, index_view};

/// GitHub refuses comments over 65,536 characters; the margin leaves room for a marker
/// line a workflow adds to find its comment again.
pub const LIMIT: usize = 65_536 - 1_024;

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

fn build(input: &SiteInput) -> SummaryView {
    let link_base = input.base_url.unwrap_or_default().to_owned();
    let index = index_view(input);
    SummaryView {
        report: format!("{link_base}index.html"),
        crates: input.report.crates.iter().map(|krate| summary_crate(krate, &link_base)).collect(),
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
        link_base,
    }
}

fn summary_crate(krate: &CrateReport, link_base: &str) -> SummaryCrate {
    let page = format!("{link_base}{}", krate.page);
    let mut failing: Vec<_> =
        krate.checks.iter().filter(|c| c.counts() && c.severity != Severity::Note).collect();
    failing.sort_by_key(|c| (c.severity != Severity::Blocker, c.id));
    let findings: Vec<SummaryFinding> = failing
        .iter()
        .map(|check| SummaryFinding {
            severity: check.severity.as_str().to_owned(),
            id: check.id.to_owned(),
            link: format!("{page}#check-{}", check.id),
            message: shorten(&check.message),
        })
        .collect();
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
        fingerprint: crate::base::format::short_hash(&krate.fingerprint),
        compressed_size: human_size(krate.archive.compressed_size),
        change,
        release_change,
        breaking,
        semver: krate.semver.as_ref().map(review::semver_line).unwrap_or_default(),
        signoff: Shown::new(match &krate.signoff {
            None => String::new(),
            Some(s) if s.status == crate::review::signoff::Status::Signed => format!(
                "signed off by {} on {}",
                s.reviewer.as_deref().unwrap_or("?"),
                s.date.as_deref().unwrap_or("?")
            ),
            Some(s) if s.status == crate::review::signoff::Status::Stale => format!(
                "stale: changed since the sign-off by {}",
                s.reviewer.as_deref().unwrap_or("?")
            ),
            Some(_) => "not signed off".to_owned(),
        }),
        page,
        finding_count: findings.len(),
        findings,
        omitted_findings: 0,
    }
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
