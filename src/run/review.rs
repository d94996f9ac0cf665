//! The review stage: what is known of each checked crate beyond its archive (the registry's
//! record, its sign-off, the comparisons with its previous release and with `--baseline`),
//! and of the workspace as a whole, all computed before the report is assembled.

use std::collections::BTreeMap;

use crate::base::cache::Caches;
use crate::base::format::escape_terminal;
use crate::base::shown::Shown;
use crate::checks::{self, settings::Settings};
use crate::package::diff::Side;
use crate::registry::{self, Facts, Registry, State};
use crate::report::{CrateReview, RegistryReport, RegistryStatus, WorkspaceReview};
use crate::review::baseline;
use crate::review::signoff::standing::Judge;
use crate::workspace::Workspace;
use crate::workspace::plan::PublishPlan;

use super::crates::CrateChecked;

/// What the review stage needs beside the checked crates.
pub struct Inputs<'a> {
    pub workspace: &'a Workspace,
    pub settings: &'a Settings,
    pub caches: &'a Caches,
    pub facts: &'a Facts,
    /// With `--online`.
    pub registry: Option<&'a Registry<'a>>,
    pub signoffs: &'a Judge,
    /// With `--baseline`.
    pub baseline: Option<&'a baseline::Spec>,
    pub quiet: bool,
}

/// Each crate's review, by name, and how long each comparison took.
pub struct Reviewed {
    pub crates: BTreeMap<String, CrateReview>,
    pub previous_took: std::time::Duration,
    pub baseline_took: std::time::Duration,
}

pub fn review_crates(inputs: &Inputs, checked: &mut [CrateChecked]) -> Reviewed {
    let Inputs { workspace, facts, signoffs, .. } = *inputs;
    let sides: Vec<(String, Side)> = checked
        .iter_mut()
        .filter_map(|c| c.side.take().map(|side| (c.member.name().to_owned(), side)))
        .collect();
    let started = std::time::Instant::now();
    let mut previous = match inputs.registry {
        Some(registry) => {
            registry::compare_with_previous(registry, facts, workspace, sides.clone())
        }
        None => BTreeMap::new(),
    };
    let previous_took = started.elapsed();
    let mut baselines = match inputs.baseline {
        Some(spec) => {
            let compared = compare_with(workspace, spec, sides, inputs.caches);
            if !inputs.quiet {
                for line in baseline::compared_lines(&compared) {
                    eprintln!("{:>8} {}", "baseline", escape_terminal(&Shown::new(line)));
                }
                for line in baseline::not_compared_lines(&compared) {
                    eprintln!("warning: {}", escape_terminal(&Shown::new(line)));
                }
            }
            compared
        }
        None => BTreeMap::new(),
    };
    // What a comparison with a past revision finds (a crate changed since its release tag
    // without a new version) joins the crate's findings before its report is assembled.
    if let Some(spec) = inputs.baseline {
        let tagged = spec.is_tag(workspace);
        for c in checked.iter_mut() {
            let Some(comparison) = baselines.get(c.member.name()) else { continue };
            let subject = checks::ReleaseSubject {
                name: c.member.name(),
                version: &c.member.package.version,
                comparison,
                tagged,
            };
            c.checked.findings.extend(checks::run_release(&subject, inputs.settings));
        }
    }
    let baseline_took = started.elapsed() - previous_took;
    let crates = checked
        .iter()
        .map(|c| {
            let name = c.member.name();
            let version = c.member.package.version.to_string();
            let review = CrateReview {
                signoff: c
                    .member
                    .publish
                    .then(|| signoffs.report(name, &version, &c.checked.fingerprint)),
                baseline: baselines.remove(name),
                registry: RegistryReport::of(facts, name),
                previous_release: previous.remove(name),
            };
            (name.to_owned(), review)
        })
        .collect();
    Reviewed { crates, previous_took, baseline_took }
}

pub fn review_workspace(
    facts: &Facts,
    plan: &PublishPlan,
    workspace: &Workspace,
) -> WorkspaceReview {
    WorkspaceReview {
        registry: RegistryStatus::of(facts),
        publish_time: publish_time(facts, plan, workspace),
    }
}

/// How long crates.io's rate limits make publishing the plan (crates.io, online only):
/// each crate of the plan whose version is not published yet is a new crate or a new
/// version.
fn publish_time(
    facts: &Facts,
    plan: &PublishPlan,
    workspace: &Workspace,
) -> Option<registry::rate_limit::Estimate> {
    use registry::rate_limit::Publish;
    if facts.state != State::Online || !facts.source.crates_io {
        return None;
    }
    let mut publishes = Vec::new();
    for name in plan.order.iter().chain(&plan.cycle) {
        let version = &workspace.member(name)?.package.version;
        match facts.lookup(name).ok()? {
            None => publishes.push(Publish::NewCrate),
            Some(published) if published.release(version).is_none() => {
                publishes.push(Publish::NewVersion)
            }
            Some(_) => {}
        }
    }
    Some(registry::rate_limit::estimate(&publishes))
}

/// `--baseline`: each crate (by name, with what is compared) against its revision.
fn compare_with(
    workspace: &Workspace,
    spec: &baseline::Spec,
    sides: Vec<(String, Side)>,
    caches: &Caches,
) -> BTreeMap<String, baseline::Comparison> {
    let versions: Vec<(&str, &semver::Version)> = sides
        .iter()
        .filter_map(|(name, _)| workspace.member(name).map(|m| (m.name(), &m.package.version)))
        .collect();
    let mut revisions: BTreeMap<&str, Option<String>> =
        baseline::revisions(workspace, versions, spec).into_iter().collect();
    let requests = sides
        .into_iter()
        .map(|(name, now)| baseline::Request {
            rev: revisions.remove(name.as_str()).flatten(),
            name,
            now,
        })
        .collect();
    baseline::compare(workspace, requests, caches)
}
