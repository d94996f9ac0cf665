//! Checks on the workspace as a whole.

use super::{Outcome, WorkspaceSubject};

pub fn publish_cycle(s: &WorkspaceSubject) -> Outcome {
    if s.plan.cycle.is_empty() {
        return Outcome::Pass("The publishable crates have a publish order.".into());
    }
    let cut = s.plan.cycle_edge.as_ref().map(|(from, to)| {
        format!(" Cut the dependency of {from} on {to} (make it a dev-dependency without a version, or move the shared code).")
    });
    Outcome::fail(
        format!(
            "These crates depend on each other in a cycle, so none of them can be published first: {}.",
            s.plan.cycle.join(", ")
        ),
        format!("Break the cycle.{}", cut.unwrap_or_default()),
    )
}

/// GitHub Actions workflows that run `cargo publish` with a registry token from secrets,
/// where Trusted Publishing needs none.
pub fn trusted_publishing(s: &WorkspaceSubject) -> Outcome {
    let dir = s.workspace.root.join(".github/workflows");
    let mut long_lived = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Outcome::Pass("No GitHub Actions workflow publishes the crates.".into());
    };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let publishes = text.contains("cargo publish")
            || text.contains("cargo-release")
            || text.contains("release-plz");
        let token = text.contains("CARGO_REGISTRY_TOKEN") || text.contains("--token");
        let trusted = text.contains("crates-io-auth-action");
        if publishes && token && !trusted {
            long_lived.push(s.workspace.relative(&path));
        }
    }
    if long_lived.is_empty() {
        return Outcome::Pass("No workflow publishes with a long-lived token.".into());
    }
    Outcome::fail(
        format!("Workflows publish with a long-lived registry token: {}.", long_lived.join(", ")),
        "Use Trusted Publishing: configure the workflow on crates.io, add `id-token: write`, and get a short-lived token from rust-lang/crates-io-auth-action.",
    )
}
