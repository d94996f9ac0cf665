//! The review stage: what is known of each checked crate beyond its archive (the registry's
//! record, its sign-off, the comparisons with its previous release and with `--baseline`,
//! the version verdict and the checks that read it), and of the workspace as a whole, all
//! computed before the report is assembled.

use std::collections::BTreeMap;
use std::io::IsTerminal;

use crate::base::cache::Caches;
use crate::base::format::escape_terminal;
use crate::base::shown::Shown;
use crate::build::Builder;
use crate::checks::settings::Settings;
use crate::checks::{self, ReviewSubject};
use crate::package::diff::compat::Change;
use crate::package::diff::{Compared, Side};
use crate::registry::{self, Facts, Registry, State};
use crate::report::{CrateReview, RegistryReport, RegistryStatus, WorkspaceReview};
use crate::review::baseline;
use crate::review::bump::{Against, SemverReport};
use crate::review::signoff::standing::Judge;
use crate::workspace::plan::PublishPlan;
use crate::workspace::{Member, Workspace};

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
    /// With `--build`: the builder whose unpacked archives the public APIs are read from.
    pub builder: Option<&'a Builder<'a>>,
    pub quiet: bool,
}

/// Each crate's review, by name, and how long each comparison took.
pub struct Reviewed {
    pub crates: BTreeMap<String, CrateReview>,
    pub previous_took: std::time::Duration,
    pub baseline_took: std::time::Duration,
    /// The version verdicts, the public APIs compared with `--build`.
    pub semver_took: std::time::Duration,
}

pub fn review_crates(inputs: &Inputs, checked: &mut [CrateChecked]) -> Reviewed {
    let Inputs { workspace, facts, signoffs, .. } = *inputs;
    let sides: Vec<(String, Side)> = checked
        .iter_mut()
        .filter_map(|c| c.side.take().map(|side| (c.member.name().to_owned(), side)))
        .collect();
    let started = std::time::Instant::now();
    // With `--build`, the earlier archives are kept, to document their public API.
    let archives = inputs.builder.is_some();
    let mut previous = match inputs.registry {
        Some(registry) => {
            registry::compare_with_previous(registry, facts, workspace, sides.clone(), archives)
        }
        None => BTreeMap::new(),
    };
    let previous_took = started.elapsed();
    let mut baselines = match inputs.baseline {
        Some(spec) => {
            // The baseline's archive serves the verdict of crates without a previous release.
            let archives = |name: &str| {
                archives && previous.get(name).is_none_or(|c: &Compared| c.earlier.is_none())
            };
            let compared = compare_with(workspace, spec, sides, inputs.caches, &archives);
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
    let baseline_took = started.elapsed() - previous_took;
    let tagged = inputs.baseline.is_some_and(|spec| spec.is_tag(workspace));
    let crates = checked
        .iter()
        .map(|c| {
            let name = c.member.name();
            let version = c.member.package.version.to_string();
            let (previous_release, baseline) = (previous.remove(name), baselines.remove(name));
            let semver = version_verdict(inputs, c.member, &previous_release, &baseline);
            let findings = match c.packaged {
                true => {
                    let subject = ReviewSubject {
                        member: c.member,
                        semver: semver.as_ref().map_err(String::as_str),
                        baseline: baseline.as_ref().map(|b| &b.comparison),
                        tagged,
                        registry: facts,
                    };
                    checks::run_review(&subject, inputs.settings)
                }
                false => Vec::new(),
            };
            let review = CrateReview {
                signoff: c
                    .member
                    .publish
                    .then(|| signoffs.report(name, &version, &c.checked.fingerprint)),
                baseline: baseline.map(|b| b.comparison),
                registry: RegistryReport::of(facts, name),
                previous_release: previous_release.map(|p| p.comparison),
                semver: semver.ok(),
                findings,
            };
            (name.to_owned(), review)
        })
        .collect();
    let semver_took = started.elapsed() - previous_took - baseline_took;
    Reviewed { crates, previous_took, baseline_took, semver_took }
}

/// The version verdict of a published crate, against its previous release when the
/// registry has one, else against `--baseline`; or why there is none.
fn version_verdict(
    inputs: &Inputs,
    member: &Member,
    previous: &Option<Compared>,
    baseline: &Option<Compared>,
) -> Result<SemverReport, String> {
    if !member.publish {
        return Err("the crate is not published".into());
    }
    let candidates = [(Against::PreviousRelease, previous), (Against::Baseline, baseline)];
    let chosen = candidates.iter().find_map(|(against, compared)| {
        compared.as_ref().filter(|c| c.earlier.is_some()).map(|c| (*against, c))
    });
    let Some((against, compared)) = chosen else {
        let reasons: Vec<String> = candidates
            .iter()
            .filter_map(|(against, compared)| {
                let reason = compared.as_ref()?.comparison.reason.as_deref()?;
                Some(match against {
                    Against::PreviousRelease => {
                        format!("no previous release to compare with ({reason})")
                    }
                    Against::Baseline => format!("--baseline: {reason}"),
                })
            })
            .collect();
        return Err(match reasons.is_empty() {
            true => "nothing to compare the version with: run with --online (the previous release) or --baseline REV".into(),
            false => reasons.join("; "),
        });
    };
    let api = api_changes(inputs, member, compared);
    SemverReport::new(against, compared, &member.package.version, api)
        .ok_or_else(|| "the version compared with is not a version".into())
}

/// The public API's changes since `compared`'s earlier side (`--build`), or why they are
/// not known.
fn api_changes(
    inputs: &Inputs,
    member: &Member,
    compared: &Compared,
) -> Result<Vec<Change>, String> {
    let Some(builder) = inputs.builder else {
        return Err("the build check is off (--build)".into());
    };
    let earlier = compared.earlier.as_ref().and_then(|e| e.archive.as_deref());
    let earlier = earlier.ok_or("the earlier archive could not be read back")?;
    let version = compared.comparison.version.as_deref().unwrap_or_default();
    // Two archives documented: announced where no progress bar shows (a CI log).
    let announce = || {
        if !inputs.quiet && !std::io::stderr().is_terminal() {
            let name = escape_terminal(&Shown::new(member.name()));
            let since = escape_terminal(&Shown::new(version));
            eprintln!("{:>9} {name}'s public API since {since}", "comparing");
        }
    };
    let store = &inputs.caches.rustdoc;
    builder.api_changes(inputs.workspace, member, version, earlier, store, &announce)
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
    archives: &dyn Fn(&str) -> bool,
) -> BTreeMap<String, Compared> {
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
            archive: archives(&name),
            name,
            now,
        })
        .collect();
    baseline::compare(workspace, requests, caches)
}
