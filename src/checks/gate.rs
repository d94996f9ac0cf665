//! What `verify` asks of the checks: a packaged crate's blockers, as a report run without
//! `--online` or `--build` finds them (the same settings, the same rendered README). A
//! blocked crate never passes `verify`, signed off or not.

use crate::base::cache::Caches;
use crate::package::Archive;
use crate::workspace::{Member, Workspace};

use super::settings::{Level, Settings};
use super::{Outcome, Severity, Subject};

/// Each blocker of the crate, as `id: message`; a crate whose settings or README cannot be
/// read is blocked by `crate-not-checked`, with why.
pub fn blockers(
    workspace: &Workspace,
    caches: &Caches,
    member: &Member,
    archive: &Archive,
) -> Vec<String> {
    let findings = Settings::load(workspace)
        .and_then(|settings| {
            if let Some(problem) = settings.problem(member.name()) {
                return Err(problem);
            }
            let limits = settings.limits(member.name());
            let preview = crate::preview::build(member, archive, &caches.render)?.preview;
            let registry = crate::registry::Facts::off();
            let build_outcome = crate::build::BuildOutcome::NOT_RUN;
            let deflated = crate::package::archive::DeflatedSizes::new(&caches.archives);
            let subject = Subject {
                workspace,
                member,
                archive,
                limits: &limits,
                readme: preview.readme.as_ref(),
                registry: &registry,
                build_outcome: &build_outcome,
                deflated: &deflated,
            };
            Ok(super::run_crate(&subject, &settings))
        })
        .unwrap_or_else(|error| {
            super::not_checked(member.name(), &error.to_string(), &Settings::default())
        });
    findings
        .iter()
        .filter(|f| f.severity == Severity::Blocker)
        .filter(|f| f.overridden.as_ref().is_none_or(|o| o.level != Level::Allow))
        .filter_map(|f| match &f.outcome {
            Outcome::Fail { message, .. } => Some(format!("{}: {message}", f.check.id)),
            _ => None,
        })
        .collect()
}
